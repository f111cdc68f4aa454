/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * preempt/taskgov: which running jobs a pending job may preempt, in what order, and why.
 *
 * For two governed jobs the engine answers from the last cycle in O(1): reclaim of lent quota,
 * priority inside a team, or fair sharing of idle compute (src/preemption.cpp). The victim
 * order goes to Slurm as PREEMPT_DATA_PRIO; at the moment a victim is preempted (Slurm asks its
 * grace time exactly once then) the preemptor and the reason are written to its AdminComment
 * and sent to slurmdbd.
 *
 * Pairs of jobs taskgov does not govern are answered exactly as Slurm's stock preempt/qos
 * answers them (loaded through Slurm's plugin loader), so a site's QOS preemption keeps
 * working while teams are onboarded. The type string must not contain "qos" or "partition":
 * cons_tres switches behaviour on those substrings of PreemptType.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/interfaces.h"
#include "compat/preempt_ops.h"
#include "taskgov_shim.h"
#include "tres_map.h"

const char plugin_name[] = "taskgov preemption plugin (team quotas, reclaim, priority classes)";
const char plugin_type[] = "preempt/taskgov";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

static const char *stock_syms[] = { TASKGOV_PREEMPT_SYMS };

static taskgov_preempt_ops_t stock;
static plugin_context_t *stock_context = NULL;
static tg_engine_t *engine = NULL;

extern int init(void)
{
	stock_context = taskgov_load_delegate("preempt", "preempt/qos", (void **) &stock,
					      stock_syms, sizeof(stock_syms));
	if (!stock_context)
		return SLURM_ERROR;
	engine = tg_engine_acquire();
	if (!engine) {
		error("%s: cannot create the taskgov engine", plugin_type);
		return SLURM_ERROR;
	}
	info("%s: init: taskgov %s, delegating ungoverned pairs to preempt/qos", plugin_type,
	     tg_version());
	return SLURM_SUCCESS;
}

extern void fini(void)
{
	tg_engine_release(engine);
	engine = NULL;
	taskgov_unload_delegate(stock_context);
	stock_context = NULL;
}

/* The preemptor's request in the engine's resource order, for one the last cycle has not seen
 * (submitted since): the engine judges it by that against its team's state. */
static const uint64_t *_request_of(job_record_t *preemptor, uint64_t *amounts)
{
	tg_settings_t settings;
	taskgov_tres_map_t map;

	if (tg_settings(engine, &settings) != TG_OK)
		return NULL;
	taskgov_tres_map(engine, settings.resources, false, &map);
	taskgov_tres_amounts(preemptor->tres_req_cnt, &map, amounts);
	return amounts;
}

static bool _shadow(void)
{
	tg_settings_t settings;
	return tg_settings(engine, &settings) == TG_OK && settings.shadow;
}

/* Argument order as Slurm calls it: the first argument is the preemptee. Called for every job
 * record, finished ones included: cheap checks first, and never a log line. */
extern bool preempt_p_preemptable(job_record_t *preemptee, job_record_t *preemptor)
{
	uint64_t amounts[TG_MAX_RESOURCES];
	const uint64_t *request = NULL;
	int victim_team, team, klass, reason;
	bool seen, repeated;

	if (!IS_JOB_RUNNING(preemptee) && !IS_JOB_SUSPENDED(preemptee))
		return false;
	victim_team = tg_running_team(engine, preemptee->job_id);
	team = tg_pending_team(engine, preemptor->job_id);
	seen = team != TG_UNKNOWN;
	if (!seen)
		team = taskgov_team_of_job(engine, preemptor, false);
	if (victim_team == TG_UNKNOWN) {
		/* Started since the last cycle: a governed one is never a victim yet. */
		victim_team = taskgov_team_of_job(engine, preemptee, false);
		if (victim_team >= 0)
			return false;
	}
	if (victim_team < 0 && team < 0)
		return stock.preemptable(preemptee, preemptor);
	if (victim_team < 0 || team < 0)
		return false; /* taskgov's teams and ungoverned work never preempt each other */

	klass = taskgov_class_of_job(engine, preemptor);
	if (!seen)
		request = _request_of(preemptor, amounts);
	reason = tg_may_preempt(engine, preemptor->job_id, team, klass, request,
				preemptee->job_id);
	if (reason == TG_REASON_NONE)
		return false;
	/* Why, until Slurm preempts it (asks its grace time) in the same scheduling pass. */
	repeated = tg_preemption_note(engine, preemptee->job_id, preemptor->job_id, team, klass,
				      reason);
	if (_shadow()) {
		/* Only pairs the rules allow get here, once per scheduling pass: few lines. */
		if (!repeated) {
			info("%s: shadow mode: would preempt %pJ for %pJ (%s)", plugin_type,
			     preemptee, preemptor, tg_reason_name(reason));
			tg_record_preemption(engine, preemptee->job_id, preemptor->job_id, team,
					     klass, preemptor->tres_fmt_req_str, reason, 0);
		}
		return false;
	}
	return true;
}

/* Slurm asks this only to sort its queues of pending jobs (sort_job_queue2, twice per
 * comparison: ~600,000 calls per pass over 20,000 jobs), and a pending job is never a victim:
 * the answer is always no, so nothing here reads the job records. taskgov orders pending jobs by
 * their priority (priority/taskgov's site factor term). */
extern bool preempt_p_job_preempt_check(job_queue_rec_t *preemptor __attribute__((unused)),
					job_queue_rec_t *preemptee __attribute__((unused)))
{
	return false;
}

static void _record_preemption(job_record_t *victim)
{
	job_record_t *preemptor;
	uint32_t preemptor_id;
	int team, klass, reason;
	char fields[128];

	if (!tg_preemption_take(engine, victim->job_id, &preemptor_id, &team, &klass, &reason))
		return;
	if (tg_format_preemption(preemptor_id, reason, fields, sizeof(fields)))
		taskgov_record_on_job(victim, fields);
	preemptor = find_job_record(preemptor_id);
	tg_record_preemption(engine, victim->job_id, preemptor_id, team, klass,
			     preemptor ? preemptor->tres_fmt_req_str : NULL, reason, 0);
}

extern int preempt_p_get_data(job_record_t *job_ptr, slurm_preempt_data_type_t data_type,
			      void *data)
{
	tg_settings_t settings;
	bool governed = job_ptr && tg_running_team(engine, job_ptr->job_id) >= 0 &&
			tg_settings(engine, &settings) == TG_OK;
	int rc;

	if (!governed)
		return stock.get_data(job_ptr, data_type, data);
	switch (data_type) {
	case PREEMPT_DATA_MODE:
		*(uint16_t *) data = settings.preempt_cancel ? PREEMPT_MODE_CANCEL :
							       PREEMPT_MODE_REQUEUE;
		return SLURM_SUCCESS;
	case PREEMPT_DATA_PRIO:
		/* Slurm preempts the lowest value first: the engine's victim order. */
		*(uint32_t *) data = tg_victim_rank(engine, job_ptr->job_id);
		return SLURM_SUCCESS;
	case PREEMPT_DATA_GRACE_TIME:
		/* Asked exactly once per victim, as it is preempted: the moment to record why. */
		rc = stock.get_data(job_ptr, data_type, data);
		_record_preemption(job_ptr);
		return rc;
	default:
		return stock.get_data(job_ptr, data_type, data);
	}
}
