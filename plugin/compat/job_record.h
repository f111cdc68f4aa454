/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The job record: in src/slurmctld/slurmctld.h in 22.05, in src/common/job_record.h in 24.11
 * (24.05 moved it; slurmctld.h still includes it). Its details were `struct job_details`, and
 * are an untagged struct named `job_details_t` in 24.11; the shims use the typedef. (The
 * release between that dropped the tag is taken to be 24.05, with the move: not verified.)
 */
#ifndef TASKGOV_COMPAT_JOB_RECORD_H
#define TASKGOV_COMPAT_JOB_RECORD_H

#include "interfaces.h"
#include "release.h"
#include "src/slurmctld/slurmctld.h"

#if !TASKGOV_SLURM_AT_LEAST(24, 5)
typedef struct job_details job_details_t;
#endif

/*
 * Makes sure the job's current database record is in slurmdbd's queue before a change to it is
 * sent through the same queue (JOBCOND_FLAG_NO_WAIT); false when it is not. The queue is first
 * in, first out, and retries a message slurmdbd refuses until it is taken: a change to a record
 * slurmdbd does not have (refused, "no change in data") would hold back every later message of
 * slurmctld's, job records included.
 * 24.11 makes a record's index itself (a SLUID, at submission and at every requeue) and sends a
 * pending job's start message lazily, flagging the record once it is queued: the start message
 * is queued here when it was not, as slurmctld itself does before it needs the record.
 * 22.05 is left as it always ran: the soak's 2,000 operations saw slurmdbd refuse no change.
 */
static inline bool taskgov_queue_job_record(job_record_t *job_ptr)
{
#if TASKGOV_SLURM_AT_LEAST(24, 11)
	if (!(job_ptr->db_flags & SLURMDB_JOB_FLAG_START_R))
		jobacct_storage_g_job_start(acct_db_conn, job_ptr);
	return job_ptr->db_flags & SLURMDB_JOB_FLAG_START_R;
#else
	(void) job_ptr;
	return true;
#endif
}

#endif
