/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The job record: in src/slurmctld/slurmctld.h in 22.05, in src/common/job_record.h in 24.11
 * (24.05 moved it; slurmctld.h still includes it). Its details were `struct job_details`, and
 * are an untagged struct named `job_details_t` in 24.11; the shims use the typedef. (The
 * release between that dropped the tag is taken to be 24.05, with the move: not verified.)
 */
#ifndef TASKGOV_COMPAT_JOB_RECORD_H
#define TASKGOV_COMPAT_JOB_RECORD_H

#include "release.h"
#include "src/slurmctld/slurmctld.h"

#if !TASKGOV_SLURM_AT_LEAST(24, 5)
typedef struct job_details job_details_t;
#endif

#endif
