/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "slurm/slurm.h"
#include "src/common/list.h"
#include "src/slurmctld/slurmctld.h"

#include "cycle_snapshot.h"
#include "preemptor_fit.h"
#include "taskgov_shim.h"

typedef struct {
	tg_engine_t *engine;
	tg_snapshot_t *snapshot;
	const taskgov_tres_map_t *map;
	time_t now;
} snapshot_ctx_t;

static int _snapshot_job(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	snapshot_ctx_t *ctx = arg;
	uint64_t amounts[TG_MAX_RESOURCES];
	bool running = IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr);
	/* Held jobs (priority 0) cannot start: they neither compete nor need a site factor. */
	bool pending = IS_JOB_PENDING(job_ptr) && job_ptr->priority;
	int team, klass;

	if (!running && !pending)
		return 0;
	team = taskgov_team_of_job(ctx->engine, job_ptr, true);
	klass = taskgov_class_of_job(ctx->engine, job_ptr);
	taskgov_tres_amounts(running ? job_ptr->tres_alloc_cnt : job_ptr->tres_req_cnt, ctx->map,
			     amounts);
	if (running)
		tg_snapshot_add_running(ctx->snapshot, job_ptr->job_id, team, klass, amounts,
					job_ptr->start_time);
	else
		tg_snapshot_add_pending(ctx->snapshot, job_ptr->job_id, team, klass, amounts,
					job_ptr->details ? job_ptr->details->submit_time : 0,
					preemptor_eligible(job_ptr, ctx->now));
	return 0;
}

extern tg_snapshot_t *cycle_snapshot_take(tg_engine_t *engine, const taskgov_tres_map_t *map,
					  time_t now)
{
	snapshot_ctx_t ctx = { .engine = engine, .map = map, .now = now };

	ctx.snapshot = tg_snapshot_new(engine, now);
	if (ctx.snapshot)
		list_for_each(job_list, _snapshot_job, &ctx);
	return ctx.snapshot;
}
