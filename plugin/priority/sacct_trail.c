/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurmctld sends AdminComment to slurmdbd only when a job ends, and a requeued job starts a
 * new database record without it. The trail must be readable while jobs wait and run, so the
 * cycle sends it: once per record of a requeued victim, and once when a job runs borrowed.
 */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "src/common/list.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/job_record.h"
#include "sacct_trail.h"
#include "taskgov_shim.h"

static void _push_requeued_trail(tg_engine_t *engine, job_record_t *job_ptr)
{
	if (!job_ptr->restart_cnt || !job_ptr->admin_comment ||
	    !tg_admin_comment_has(job_ptr->admin_comment, "preempted_by") ||
	    !job_ptr->db_index || job_ptr->db_index == NO_VAL64 ||
	    !taskgov_queue_job_record(job_ptr) ||
	    !tg_trail_first_push(engine, job_ptr->job_id, job_ptr->db_index))
		return;
	taskgov_push_admin_comment(job_ptr);
}

/* "borrowed=gres/gpu:h100:4+cpu:96+mem:1048576" (src/audit/admin_comment.cpp): what the job
 * holds of the resources its team borrows, recorded once, when it is first seen running on them. */
static void _record_borrowing(tg_engine_t *engine, job_record_t *job_ptr)
{
	char fields[512];

	if (tg_admin_comment_has(job_ptr->admin_comment, "borrowed") ||
	    !tg_format_borrowed(engine, job_ptr->job_id, fields, sizeof(fields)))
		return;
	taskgov_record_on_job(job_ptr, fields);
}

static int _write_trail(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	tg_engine_t *engine = arg;

	if (IS_JOB_PENDING(job_ptr))
		_push_requeued_trail(engine, job_ptr);
	else if (IS_JOB_RUNNING(job_ptr))
		_record_borrowing(engine, job_ptr);
	return 0;
}

extern void sacct_trail_write(tg_engine_t *engine)
{
	list_for_each(job_list, _write_trail, engine);
}
