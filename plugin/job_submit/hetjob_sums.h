/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_HETJOB_SUMS_H
#define TASKGOV_HETJOB_SUMS_H

#include <stdint.h>

#include "taskgov.h"

/* A heterogeneous job's components reach job_submit one after the other (het_job_offset 0, 1,
 * ...) in the thread serving the submit or allocation RPC, and Slurm starts them together: what
 * the earlier components ask, summed per team, so that each is judged with them against its
 * team's limit. At most HETJOB_TEAMS teams per hetjob. */
#define HETJOB_TEAMS 8

/* Starts over: a job that is no hetjob, or a hetjob's first component. */
extern void hetjob_sums_start(void);
/* The team's sums (per resource, tg_resource_name), zero when new; NULL when HETJOB_TEAMS
 * teams are already there. */
extern uint64_t *hetjob_sums_of(int team);

#endif
