/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_PREEMPTOR_FIT_H
#define TASKGOV_PREEMPTOR_FIT_H

#include <stdbool.h>
#include <time.h>

#include "compat/list.h"
#include "src/slurmctld/slurmctld.h"

/* The job could be started now if resources and limits allowed: pending (not completing), its
 * begin time has come, and no dependency holds it. Cheap: for every pending job every cycle. */
extern bool preemptor_eligible(const job_record_t *job_ptr, time_t now);

/* Whether the eligible `job_ptr` could start now on nodes of one of its partitions once the
 * jobs in `victims` (job_record_t *) are gone: Slurm's own will-run test (as sbatch
 * --test-only), with the victims as the only preemption candidates, so partitions, features,
 * node lists and GRES placement are judged as the scheduler judges them. Caller holds job
 * WRITE, node WRITE and part READ. */
extern bool preemptor_fits_after(job_record_t *job_ptr, list_t *victims);

#endif
