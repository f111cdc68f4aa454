/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "src/common/assoc_mgr.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/slurmdb_defs.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/interfaces.h"
#include "compat/list.h"
#include "governance_cycle.h"
#include "preemptor_fit.h"
#include "taskgov_shim.h"
#include "tres_map.h"

typedef struct {
	tg_engine_t *engine;
	tg_snapshot_t *snapshot;
	const taskgov_tres_map_t *map;
	uint64_t multifactor_max;
	uint64_t unit;
	time_t now;
	int changed;
} cycle_ctx_t;

static int _class_of(tg_engine_t *engine, const job_record_t *job_ptr)
{
	return job_ptr->qos_ptr ? tg_class_of_qos(engine, job_ptr->qos_ptr->name) : -1;
}

static int _snapshot_job(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	cycle_ctx_t *ctx = arg;
	uint64_t amounts[TG_MAX_RESOURCES];
	bool running = IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr);
	/* Held jobs (priority 0) cannot start: they neither compete nor need a site factor. */
	bool pending = IS_JOB_PENDING(job_ptr) && job_ptr->priority;
	int team;

	if (!running && !pending)
		return 0;
	team = taskgov_team_of_job(ctx->engine, job_ptr, true);
	taskgov_tres_amounts(running ? job_ptr->tres_alloc_cnt : job_ptr->tres_req_cnt, ctx->map,
			     amounts);
	if (running)
		tg_snapshot_add_running(ctx->snapshot, job_ptr->job_id, team,
					_class_of(ctx->engine, job_ptr), amounts,
					job_ptr->start_time);
	else
		tg_snapshot_add_pending(ctx->snapshot, job_ptr->job_id, team,
					_class_of(ctx->engine, job_ptr), amounts,
					job_ptr->details ? job_ptr->details->submit_time : 0,
					preemptor_eligible(job_ptr, ctx->now));
	return 0;
}

/* Writes taskgov's term into a pending governed job's site factor, and takes it back (to 0) from
 * a job that left governance. A site factor an operator set (scontrol update SiteFactor=) is
 * theirs and stays: the engine remembers which terms taskgov wrote. */
static int _apply_site_factor(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	cycle_ctx_t *ctx = arg;
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

/* ------------------------------------------------------------------ the sacct trail */

/* slurmctld sends AdminComment to slurmdbd only when a job ends, and a requeued job starts a
 * new database record without it. The trail must be readable while jobs wait and run, so the
 * cycle sends it: once per record of a requeued victim, and once when a job runs borrowed. */
#define PUSHED_RECORDS 1024
static struct {
	uint32_t job_id;
	uint64_t db_index;
} pushed[PUSHED_RECORDS];

static void _push_requeued_trail(job_record_t *job_ptr)
{
	uint32_t slot = job_ptr->job_id % PUSHED_RECORDS;

	if (!job_ptr->restart_cnt || !job_ptr->admin_comment ||
	    !strstr(job_ptr->admin_comment, "preempted_by=") ||
	    !job_ptr->db_index || job_ptr->db_index == NO_VAL64 ||
	    (pushed[slot].job_id == job_ptr->job_id && pushed[slot].db_index == job_ptr->db_index))
		return;
	pushed[slot].job_id = job_ptr->job_id;
	pushed[slot].db_index = job_ptr->db_index;
	taskgov_push_admin_comment(job_ptr);
}

/* "borrowed=gres/gpu:h100:4+cpu:96+mem:1048576" (mem in MiB): what the job holds of the
 * resources its team borrows, recorded once, when it is first seen running on them. */
static void _record_borrowing(tg_engine_t *engine, job_record_t *job_ptr)
{
	uint64_t amounts[TG_MAX_RESOURCES];
	uint32_t mask;
	char *fields = NULL;

	if (job_ptr->admin_comment && strstr(job_ptr->admin_comment, "borrowed="))
		return;
	mask = tg_running_borrowed(engine, job_ptr->job_id, amounts);
	if (!mask)
		return;
	for (int r = 0; r < TG_MAX_RESOURCES; r++)
		if ((mask & (1u << r)) && amounts[r])
			xstrfmtcat(fields, "%s%s:%"PRIu64, fields ? "+" : "borrowed=",
				   tg_resource_name(engine, r), amounts[r]);
	if (fields)
		taskgov_record_on_job(job_ptr, fields);
	xfree(fields);
}

static int _write_trail(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	cycle_ctx_t *ctx = arg;

	if (IS_JOB_PENDING(job_ptr))
		_push_requeued_trail(job_ptr);
	else if (IS_JOB_RUNNING(job_ptr))
		_record_borrowing(ctx->engine, job_ptr);
	return 0;
}

/* ------------------------------------------------------------------ dynamic GrpTRES */

/* Accounts whose limits taskgov changed, so it can give them back. */
static list_t *limited_accounts = NULL;

static int _is_account_assoc(void *x, void *key)
{
	slurmdb_assoc_rec_t *assoc = x;
	return !assoc->user && assoc->acct && !xstrcmp(assoc->acct, key);
}

static slurmdb_assoc_rec_t *_account_assoc(const char *account)
{
	if (!assoc_mgr_assoc_list)
		return NULL;
	return list_find_first(assoc_mgr_assoc_list, _is_account_assoc, (void *) account);
}

/* The limit an administrator set with sacctmgr (kept in the association's grp_tres string). */
static uint64_t _admin_limit(slurmdb_assoc_rec_t *assoc, int pos)
{
	uint64_t value;

	if (!assoc->grp_tres || !assoc_mgr_tres_array || !assoc_mgr_tres_array[pos])
		return INFINITE64;
	value = slurmdb_find_tres_count_in_string(assoc->grp_tres, assoc_mgr_tres_array[pos]->id);
	return (value == NO_VAL64) ? INFINITE64 : value;
}

/* Sets the account's in-memory GrpTRES to min(admin, ours) per resource where `enforced` has
 * the resource's bit; ours = NULL restores the admin's values. Returns how many entries
 * changed. Caller holds assoc WRITE, tres READ. */
static int _write_limits(const char *account, const int *positions, int count,
			 const uint64_t *ours, uint32_t enforced)
{
	slurmdb_assoc_rec_t *assoc = _account_assoc(account);
	int changed = 0;

	if (!assoc || !assoc->grp_tres_ctld)
		return 0;
	for (int r = 0; r < count; r++) {
		int pos = positions[r];
		uint64_t limit;

		if (pos < 0)
			continue;
		limit = _admin_limit(assoc, pos);
		if (ours && (enforced & (1u << r)) && ours[r] < limit)
			limit = ours[r];
		if (assoc->grp_tres_ctld[pos] != limit) {
			assoc->grp_tres_ctld[pos] = limit;
			changed++;
		}
	}
	return changed;
}

static int _find_string(void *x, void *key)
{
	return !xstrcmp(x, key);
}

static void _remember_account(const char *account)
{
	if (!limited_accounts)
		limited_accounts = list_create(xfree_ptr);
	if (!list_find_first(limited_accounts, _find_string, (void *) account))
		list_append(limited_accounts, xstrdup(account));
}

/* Accounts taskgov limited that the current policy no longer governs get their limits back. */
static void _release_dropped_accounts(tg_engine_t *engine, int teams,
				      const taskgov_tres_map_t *map)
{
	list_itr_t *it;
	char *account;

	if (!limited_accounts)
		return;
	it = list_iterator_create(limited_accounts);
	while ((account = list_next(it))) {
		bool governed = false;
		for (int t = 0; t < teams && !governed; t++)
			governed = !xstrcmp(tg_team_account(engine, t), account);
		if (!governed) {
			_write_limits(account, map->pos, map->count, NULL, 0);
			list_delete_item(it);
		}
	}
	list_iterator_destroy(it);
}

static int _assert_limits(tg_engine_t *engine, const tg_settings_t *settings,
			  const taskgov_tres_map_t *map)
{
	uint64_t limit[TG_MAX_RESOURCES];
	int changed = 0;

	_release_dropped_accounts(engine, settings->teams, map);
	for (int t = 0; t < settings->teams; t++) {
		const char *account = tg_team_account(engine, t);
		if (tg_team_limit(engine, t, limit) != TG_OK)
			continue;
		/* Shadow mode enforces nothing: the administrator's values stand. */
		changed += _write_limits(account, map->pos, map->count,
					 settings->shadow ? NULL : limit,
					 tg_team_enforced(engine, t));
		_remember_account(account);
	}
	return changed;
}

extern void governance_cycle_restore_limits(void)
{
	assoc_mgr_lock_t locks = { .assoc = WRITE_LOCK, .tres = READ_LOCK };
	list_itr_t *it;
	char *account;
	int *positions, count;

	if (!limited_accounts)
		return;
	assoc_mgr_lock(&locks);
	/* Every accounted TRES: the policy that chose the resources may be gone. */
	count = (int) g_tres_count;
	positions = xcalloc(count ? count : 1, sizeof(int));
	for (int pos = 0; pos < count; pos++)
		positions[pos] = pos;
	it = list_iterator_create(limited_accounts);
	while ((account = list_next(it)))
		_write_limits(account, positions, count, NULL, 0);
	list_iterator_destroy(it);
	xfree(positions);
	assoc_mgr_unlock(&locks);
	FREE_NULL_LIST(limited_accounts);
}

/* ------------------------------------------------------------------ limit-blocked preemption */

/* Slurm looks for victims only for a job that passes its association limits; a job its own
 * team's limit holds back (a higher class in a team at its limit, a fair-share swap between
 * borrowing teams) is never offered any. The cycle preempts for it through slurmctld's own
 * preemption call, so PreemptMode, grace time and accounting are those of any preemption. */

/* Preemptors acted for recently: their victims may still be in their grace time, and must not
 * be joined by more victims for the same job. In shadow mode: said once, not every cycle. */
#define RECENT_PREEMPTORS 64
static struct {
	uint32_t job_id;
	time_t when;
} recent[RECENT_PREEMPTORS];

static bool _acted_recently(uint32_t job_id, time_t now)
{
	time_t settle = slurm_conf.kill_wait + slurm_conf.msg_timeout + 10;

	for (int i = 0; i < RECENT_PREEMPTORS; i++)
		if (recent[i].job_id == job_id && now - recent[i].when < settle)
			return true;
	return false;
}

static void _remember_preemptor(uint32_t job_id, time_t now)
{
	int oldest = 0;

	for (int i = 1; i < RECENT_PREEMPTORS; i++)
		if (recent[i].when < recent[oldest].when)
			oldest = i;
	recent[oldest].job_id = job_id;
	recent[oldest].when = now;
}

/* Shadow mode enforces nothing and logs what it would have done: limit changes (once per
 * change) here, and the preemptions the cycle would carry out in _preempt_for_held_jobs().
 * Reclaims Slurm would have asked for are seen by preempt/taskgov. */
#define SHADOW_TEAMS 64
static uint64_t shadow_logged[SHADOW_TEAMS][TG_MAX_RESOURCES];

static void _log_shadow_limits(tg_engine_t *engine, const tg_settings_t *settings)
{
	uint64_t limit[TG_MAX_RESOURCES];

	for (int t = 0; t < settings->teams && t < SHADOW_TEAMS; t++) {
		char *text = NULL;

		if (tg_team_limit(engine, t, limit) != TG_OK ||
		    !memcmp(limit, shadow_logged[t], sizeof(uint64_t) * settings->resources))
			continue;
		memcpy(shadow_logged[t], limit, sizeof(uint64_t) * settings->resources);
		for (int r = 0; r < settings->resources; r++)
			xstrfmtcat(text, "%s%s=%"PRIu64, r ? "," : "",
				   tg_resource_name(engine, r), limit[r]);
		info("taskgov: shadow mode: would limit account %s to GrpTRES %s",
		     tg_team_account(engine, t), text);
		xfree(text);
	}
}

/* The victims' records, or NULL when one of them no longer runs (the cycle is stale). */
static list_t *_running_victims(const uint32_t *victims, size_t count)
{
	list_t *jobs = list_create(NULL);

	for (size_t v = 0; v < count; v++) {
		job_record_t *victim = find_job_record(victims[v]);

		if (!victim || !IS_JOB_RUNNING(victim)) {
			FREE_NULL_LIST(jobs);
			return NULL;
		}
		list_append(jobs, victim);
	}
	return jobs;
}

/* Preempts (in shadow mode: logs and records only) the victims of each held preemptor that
 * could start once they are gone, once per settle time. Returns how many jobs were preempted. */
static int _preempt_for_held_jobs(tg_engine_t *engine, const tg_settings_t *settings)
{
	uint32_t preemptors[64], victims[256];
	size_t n = tg_preemptors_held_by_limits(engine, preemptors, 64);
	uint16_t mode = settings->preempt_cancel ? PREEMPT_MODE_CANCEL : PREEMPT_MODE_REQUEUE;
	time_t now = time(NULL);
	int preempted = 0;

	for (size_t p = 0; p < n; p++) {
		job_record_t *preemptor = find_job_record(preemptors[p]);
		job_record_t *victim;
		list_itr_t *it;
		list_t *jobs;
		int team, klass;
		size_t count;

		if (!preemptor || !IS_JOB_PENDING(preemptor) || _acted_recently(preemptors[p], now))
			continue;
		count = tg_victims_for(engine, preemptors[p], victims, 256);
		jobs = count ? _running_victims(victims, count) : NULL;
		/* A preemption that would not let the preemptor start wastes the victims' work. */
		if (!jobs || !preemptor_fits_after(preemptor, jobs)) {
			FREE_NULL_LIST(jobs);
			continue;
		}
		team = tg_pending_team(engine, preemptor->job_id);
		klass = _class_of(engine, preemptor);
		it = list_iterator_create(jobs);
		while ((victim = list_next(it))) {
			int reason = tg_may_preempt(engine, preemptor->job_id, team, klass, NULL,
						    victim->job_id);
			char fields[128];

			if (settings->shadow) {
				info("taskgov: shadow mode: would preempt %pJ for %pJ (%s)",
				     victim, preemptor, tg_reason_name(reason));
				tg_record_preemption(engine, victim->job_id, preemptor->job_id,
						     team, klass, preemptor->tres_fmt_req_str,
						     reason, 1);
				continue;
			}
			/* Already being preempted (in its grace time): not a second time. */
			if (victim->preempt_time)
				continue;
			info("taskgov: preempting %pJ for %pJ (%s): its own team limit holds it back",
			     victim, preemptor, tg_reason_name(reason));
			/* This preemption is the cycle's to record, not preempt/taskgov's (whose
			 * grace-time hook would record a pair Slurm's scheduler only considered). */
			tg_preemption_forget(engine, victim->job_id);
			/* With a grace time Slurm answers an error while the preemption is under way
			 * (the victim signalled, preempt_time set); without one, success. */
			if (slurm_job_preempt(victim, preemptor, mode, true) != SLURM_SUCCESS &&
			    !victim->preempt_time) {
				error("taskgov: preempting %pJ for %pJ failed", victim, preemptor);
				continue;
			}
			/* Recorded once Slurm has taken it, never for a failed attempt. */
			snprintf(fields, sizeof(fields), "preempted_by=%u;reason=%s",
				 preemptor->job_id, tg_reason_name(reason));
			taskgov_record_on_job(victim, fields);
			tg_record_preemption(engine, victim->job_id, preemptor->job_id, team, klass,
					     preemptor->tres_fmt_req_str, reason, 1);
			preempted++;
		}
		list_iterator_destroy(it);
		FREE_NULL_LIST(jobs);
		_remember_preemptor(preemptors[p], now);
	}
	return preempted;
}

/* ------------------------------------------------------------------ the cycle */

extern void governance_cycle_run(tg_engine_t *engine)
{
	slurmctld_lock_t job_write = { .job = WRITE_LOCK, .node = READ_LOCK, .part = READ_LOCK };
	/* As the scheduler holds them when it preempts (job_requeue frees nodes). */
	slurmctld_lock_t sched_write = { .conf = READ_LOCK, .job = WRITE_LOCK, .node = WRITE_LOCK,
					 .part = READ_LOCK, .fed = READ_LOCK };
	assoc_mgr_lock_t assoc_read = { .assoc = READ_LOCK, .qos = READ_LOCK, .tres = READ_LOCK };
	assoc_mgr_lock_t assoc_write = { .assoc = WRITE_LOCK, .tres = READ_LOCK };
	tg_settings_t settings;
	taskgov_tres_map_t map;
	cycle_ctx_t ctx = { .engine = engine, .map = &map, .now = time(NULL) };
	tg_cycle_t *cycle;
	int limits_changed, preempted = 0;

	lock_slurmctld(job_write);
	if (tg_settings(engine, &settings) != TG_OK) {
		unlock_slurmctld(job_write);
		return;
	}
	assoc_mgr_lock(&assoc_read);
	taskgov_tres_map(engine, settings.resources, true, &map);
	ctx.snapshot = tg_snapshot_new(engine, ctx.now);
	if (ctx.snapshot)
		list_for_each(job_list, _snapshot_job, &ctx);
	assoc_mgr_unlock(&assoc_read);
	unlock_slurmctld(job_write);
	if (!ctx.snapshot)
		return;

	/* The engine decides with no lock held: RPCs are not queued behind it. */
	cycle = tg_cycle_compute(ctx.snapshot);
	if (!cycle)
		return;

	ctx.multifactor_max = taskgov_multifactor_max();
	ctx.unit = tg_site_factor_unit(ctx.multifactor_max);
	lock_slurmctld(sched_write);
	if (tg_cycle_publish(engine, cycle) != TG_OK) {
		/* The policy changed while computing; the next cycle uses the new one. */
		unlock_slurmctld(sched_write);
		tg_cycle_finish(engine, cycle);
		return;
	}
	if (!settings.shadow)
		list_for_each(job_list, _apply_site_factor, &ctx);
	else
		_log_shadow_limits(engine, &settings);
	preempted = _preempt_for_held_jobs(engine, &settings);
	list_for_each(job_list, _write_trail, &ctx);
	if (ctx.changed)
		last_job_update = time(NULL);
	assoc_mgr_lock(&assoc_write);
	limits_changed = _assert_limits(engine, &settings, &map);
	assoc_mgr_unlock(&assoc_write);
	unlock_slurmctld(sched_write);
	/* The cycle's decision records are queued with no lock held. */
	tg_cycle_finish(engine, cycle);
	if (limits_changed || preempted)
		queue_job_scheduler();
	log_flag(PRIO, "taskgov: cycle: %d site factors and %d limits changed, %d jobs preempted",
		 ctx.changed, limits_changed, preempted);
}
