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

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/preempt.h"
#include "src/slurmctld/slurmctld.h"

#include "taskgov_shim.h"

const char plugin_name[] = "taskgov preemption plugin (team quotas, reclaim, priority classes)";
const char plugin_type[] = "preempt/taskgov";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* Mirrors slurm_preempt_ops_t (src/slurmctld/preempt.c), which Slurm keeps private. */
typedef struct {
	bool (*job_preempt_check)(job_queue_rec_t *preemptor, job_queue_rec_t *preemptee);
	bool (*preemptable)(job_record_t *preemptee, job_record_t *preemptor);
	int (*get_data)(job_record_t *job_ptr, slurm_preempt_data_type_t data_type, void *data);
} stock_preempt_ops_t;

static const char *stock_syms[] = {
	"preempt_p_job_preempt_check",
	"preempt_p_preemptable",
	"preempt_p_get_data",
};

static stock_preempt_ops_t stock;
static void *stock_context = NULL;
static tg_engine_t *engine = NULL;

/* Slurm asks preemptable() for every job record against one preemptor at a time: resolve the
 * preemptor's team and class once. */
static struct {
	uint32_t job_id;
	time_t submit_time;
	int team;
	int klass;
} preemptor_cache;

/* Why each victim was chosen, until Slurm preempts it (asks its grace time) moments later in
 * the same scheduling pass. Direct-mapped by job id; a lost entry only loses the comment. */
#define PENDING_RECORDS 256
static struct {
	uint32_t victim;
	uint32_t preemptor;
	int preemptor_team;
	int preemptor_class;
	int reason;
} pending_records[PENDING_RECORDS];

/* Preemptions Slurm carries out right after asking the grace time (none given): their
 * AdminComment fields are on the job already, so that the PREEMPTED record slurmdbd gets at the
 * requeue or kill carries them, but they are only confirmed (decision record, slurmdbd update)
 * once the requeue or kill is seen to have happened, and taken back if it did not. */
#define UNCONFIRMED 64
static struct {
	uint32_t victim;
	uint32_t preemptor;
	int preemptor_team;
	int preemptor_class;
	int reason;
	uint32_t restarts;
	char *previous_comment;
} unconfirmed[UNCONFIRMED];
static int unconfirmed_count = 0;

static void _confirm(int i, job_record_t *victim)
{
	job_record_t *preemptor = find_job_record(unconfirmed[i].preemptor);

	tg_record_preemption(engine, unconfirmed[i].victim, unconfirmed[i].preemptor,
			     unconfirmed[i].preemptor_team, unconfirmed[i].preemptor_class,
			     preemptor ? preemptor->tres_fmt_req_str : NULL, unconfirmed[i].reason, 0);
	if (victim)
		taskgov_push_admin_comment(victim);
}

/* Caller holds the job write lock. O(1) when nothing waits. */
static void _confirm_preemptions(void)
{
	for (int i = 0; unconfirmed_count && i < UNCONFIRMED; i++) {
		job_record_t *victim;

		if (!unconfirmed[i].victim)
			continue;
		victim = find_job_record(unconfirmed[i].victim);
		if (!victim || victim->restart_cnt != unconfirmed[i].restarts ||
		    !IS_JOB_RUNNING(victim) || IS_JOB_COMPLETING(victim)) {
			_confirm(i, victim);
		} else {
			/* Still running untouched: neither the requeue nor the kill happened. */
			info("%s: %pJ was not preempted after all: its preemption is not recorded",
			     plugin_type, victim);
			xfree(victim->admin_comment);
			victim->admin_comment = unconfirmed[i].previous_comment;
			unconfirmed[i].previous_comment = NULL;
		}
		xfree(unconfirmed[i].previous_comment);
		unconfirmed[i].victim = 0;
		unconfirmed_count--;
	}
}

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

static void _resolve_preemptor(job_record_t *preemptor)
{
	time_t submit = preemptor->details ? preemptor->details->submit_time : 0;
	int team;

	if (preemptor_cache.job_id == preemptor->job_id && preemptor_cache.submit_time == submit)
		return;
	team = tg_pending_team(engine, preemptor->job_id);
	/* Submitted since the last cycle: judged by its account and its team's state. */
	if (team == TG_UNKNOWN)
		team = taskgov_team_of_job(engine, preemptor, false);
	preemptor_cache.job_id = preemptor->job_id;
	preemptor_cache.submit_time = submit;
	preemptor_cache.team = team;
	preemptor_cache.klass = preemptor->qos_ptr ?
		tg_class_of_qos(engine, preemptor->qos_ptr->name) : -1;
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
	int victim_team, reason;
	uint32_t slot;
	bool repeated;

	if (unconfirmed_count)
		_confirm_preemptions();
	if (!IS_JOB_RUNNING(preemptee) && !IS_JOB_SUSPENDED(preemptee))
		return false;
	_resolve_preemptor(preemptor);
	victim_team = tg_running_team(engine, preemptee->job_id);
	if (victim_team == TG_UNKNOWN) {
		/* Started since the last cycle: a governed one is never a victim yet. */
		victim_team = taskgov_team_of_job(engine, preemptee, false);
		if (victim_team >= 0)
			return false;
	}
	if (victim_team < 0 && preemptor_cache.team < 0)
		return stock.preemptable(preemptee, preemptor);
	if (victim_team < 0 || preemptor_cache.team < 0)
		return false; /* taskgov's teams and ungoverned work never preempt each other */

	reason = tg_may_preempt(engine, preemptor->job_id, preemptor_cache.team,
				preemptor_cache.klass, preemptee->job_id);
	if (reason == TG_REASON_NONE)
		return false;
	slot = preemptee->job_id % PENDING_RECORDS;
	repeated = pending_records[slot].victim == preemptee->job_id &&
		   pending_records[slot].preemptor == preemptor->job_id;
	pending_records[slot].victim = preemptee->job_id;
	pending_records[slot].preemptor = preemptor->job_id;
	pending_records[slot].preemptor_team = preemptor_cache.team;
	pending_records[slot].preemptor_class = preemptor_cache.klass;
	pending_records[slot].reason = reason;
	if (_shadow()) {
		/* Only pairs the rules allow get here, once per scheduling pass: few lines. */
		if (!repeated) {
			info("%s: shadow mode: would preempt %pJ for %pJ (%s)", plugin_type,
			     preemptee, preemptor, tg_reason_name(reason));
			tg_record_preemption(engine, preemptee->job_id, preemptor->job_id,
					     preemptor_cache.team, preemptor_cache.klass,
					     preemptor->tres_fmt_req_str, reason, 0);
		}
		return false;
	}
	return true;
}

/* Used to sort the queue so preemptors come before their victims: the same answer. */
extern bool preempt_p_job_preempt_check(job_queue_rec_t *preemptor, job_queue_rec_t *preemptee)
{
	return preempt_p_preemptable(preemptee->job_ptr, preemptor->job_ptr);
}

static void _record_preemption(job_record_t *victim, uint32_t grace)
{
	uint32_t slot = victim->job_id % PENDING_RECORDS;
	char fields[128];
	int i;

	if (pending_records[slot].victim != victim->job_id)
		return;
	pending_records[slot].victim = 0;
	for (i = 0; i < UNCONFIRMED && unconfirmed[i].victim; i++)
		;
	if (grace || i == UNCONFIRMED) {
		/* A grace time: Slurm has signalled the job and requeues or kills it when the
		 * grace ends; the preemption is under way. */
		job_record_t *preemptor = find_job_record(pending_records[slot].preemptor);
		snprintf(fields, sizeof(fields), "preempted_by=%u;reason=%s",
			 pending_records[slot].preemptor,
			 tg_reason_name(pending_records[slot].reason));
		taskgov_record_on_job(victim, fields);
		tg_record_preemption(engine, victim->job_id, pending_records[slot].preemptor,
				     pending_records[slot].preemptor_team,
				     pending_records[slot].preemptor_class,
				     preemptor ? preemptor->tres_fmt_req_str : NULL,
				     pending_records[slot].reason, 0);
		return;
	}
	unconfirmed[i].victim = victim->job_id;
	unconfirmed[i].preemptor = pending_records[slot].preemptor;
	unconfirmed[i].preemptor_team = pending_records[slot].preemptor_team;
	unconfirmed[i].preemptor_class = pending_records[slot].preemptor_class;
	unconfirmed[i].reason = pending_records[slot].reason;
	unconfirmed[i].restarts = victim->restart_cnt;
	unconfirmed[i].previous_comment = xstrdup(victim->admin_comment);
	unconfirmed_count++;
	snprintf(fields, sizeof(fields), "preempted_by=%u;reason=%s", unconfirmed[i].preemptor,
		 tg_reason_name(unconfirmed[i].reason));
	taskgov_append_to_job(victim, fields);
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
		_record_preemption(job_ptr, rc == SLURM_SUCCESS ? *(uint32_t *) data : 0);
		return rc;
	default:
		return stock.get_data(job_ptr, data_type, data);
	}
}
