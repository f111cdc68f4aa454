/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * taskgov orders pending jobs through Slurm's own priority: a governance term, sized above
 * everything priority/multifactor can add, is written into the job's site factor. A site
 * factor an operator set (scontrol update SiteFactor=) is theirs and stays: the engine
 * remembers which terms taskgov wrote.
 */
#include "config.h"

#include "slurm/slurm.h"
#include "src/common/list.h"
#include "src/slurmctld/slurmctld.h"

#include "site_factor_terms.h"

typedef struct {
	tg_engine_t *engine;
	uint64_t multifactor_max;
	uint64_t unit;
	int changed;
} terms_ctx_t;

static int _write_term(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	terms_ctx_t *ctx = arg;
	tg_pending_verdict_t verdict;
	uint64_t term, now;
	int team;

	if (!IS_JOB_PENDING(job_ptr) || !job_ptr->priority || job_ptr->site_factor < NICE_OFFSET)
		return 0;
	team = tg_pending_team(ctx->engine, job_ptr->job_id);
	if (team == TG_UNKNOWN)
		return 0; /* submitted since the snapshot: its submit-time term stands */
	now = job_ptr->site_factor - NICE_OFFSET;
	if (!tg_site_factor_ours(ctx->engine, job_ptr->job_id, now, ctx->unit))
		return 0;
	if (team >= 0 && tg_pending_verdict(ctx->engine, job_ptr->job_id, &verdict) == TG_OK)
		term = tg_site_factor(verdict.tier, ctx->multifactor_max);
	else
		term = 0;
	tg_site_factor_wrote(ctx->engine, job_ptr->job_id, term);
	if (term == now)
		return 0;
	/* Slurm stores the site factor biased by NICE_OFFSET, like nice values. */
	job_ptr->site_factor = NICE_OFFSET + term;
	/* Through multifactor, so the priority (and priority_array for multi-partition jobs)
	 * reflects the new band now rather than at the next PriorityCalcPeriod. */
	set_job_prio(job_ptr);
	ctx->changed++;
	return 0;
}

extern int site_factor_terms_write(tg_engine_t *engine, uint64_t multifactor_max)
{
	terms_ctx_t ctx = { .engine = engine, .multifactor_max = multifactor_max,
			    .unit = tg_site_factor_unit(multifactor_max) };

	list_for_each(job_list, _write_term, &ctx);
	return ctx.changed;
}
