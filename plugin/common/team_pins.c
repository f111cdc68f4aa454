/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "taskgov_shim.h"
#include "team_pins.h"
#include "tres_map.h"

/* The administrator's GrpJobs back, unless they changed it since (sacctmgr replaced the pin). */
static int _unpin(tg_engine_t *engine, const char *account)
{
	slurmdb_assoc_rec_t *assoc = taskgov_account_assoc(account);
	uint32_t admin, pinned;
	int changed = 0;

	if (!tg_pin_of(engine, account, &admin, &pinned))
		return 0;
	if (assoc && assoc->grp_jobs == pinned) {
		assoc->grp_jobs = admin;
		changed = 1;
	}
	tg_pin_forget(engine, account);
	return changed;
}

static int _pin(tg_engine_t *engine, const char *account)
{
	slurmdb_assoc_rec_t *assoc = taskgov_account_assoc(account);
	uint32_t admin, pinned, running;

	if (!assoc || !assoc->usage)
		return 0;
	running = assoc->usage->used_jobs;
	if (tg_pin_of(engine, account, &admin, &pinned)) {
		if (assoc->grp_jobs != pinned) {
			/* sacctmgr changed GrpJobs under the pin: theirs now. */
			tg_pin_forget(engine, account);
			return 0;
		}
	} else {
		admin = assoc->grp_jobs;
	}
	/* An administrator's GrpJobs at or below the running count already stops the team. */
	if (admin != INFINITE && admin <= running) {
		_unpin(engine, account);
		return 0;
	}
	tg_pin_remember(engine, account, admin, running);
	if (assoc->grp_jobs == running)
		return 0;
	assoc->grp_jobs = running;
	return 1;
}

/* A team whose account has a team below it that is not blocked stays unpinned: Slurm checks an
 * account's GrpJobs for every job under it. */
static void _spare_accounts_above_free_teams(tg_engine_t *engine, int teams, uint8_t *pin)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];

	for (int t = 0; t < teams; t++) {
		slurmdb_assoc_rec_t *assoc;
		int depth;

		if (pin[t] || !(assoc = taskgov_account_assoc(tg_team_account(engine, t))))
			continue;
		depth = taskgov_account_lineage(assoc, lineage);
		for (int i = 1; i < depth; i++) {
			int above = tg_team_of_lineage(engine, lineage + i, 1);
			if (above >= 0 && above < teams)
				pin[above] = 0;
		}
	}
}

extern int team_pins_update(tg_engine_t *engine, const tg_settings_t *settings)
{
	uint8_t *pin = xcalloc(settings->teams ? settings->teams : 1, sizeof(uint8_t));
	char account[1024];
	int changed = 0;
	size_t i = 0;

	if (!settings->shadow)
		tg_teams_blocked_by_limits(engine, pin, settings->teams);
	_spare_accounts_above_free_teams(engine, settings->teams, pin);
	for (int t = 0; t < settings->teams; t++)
		changed += pin[t] ? _pin(engine, tg_team_account(engine, t)) :
				    _unpin(engine, tg_team_account(engine, t));
	/* Accounts of teams the policy no longer names. */
	while (tg_pinned_account(engine, i, account, sizeof(account))) {
		bool governed = false;
		for (int t = 0; t < settings->teams && !governed; t++)
			governed = !xstrcmp(tg_team_account(engine, t), account);
		if (governed)
			i++;
		else
			changed += _unpin(engine, account);
	}
	xfree(pin);
	return changed;
}

static void _release_lineage(tg_engine_t *engine, const slurmdb_assoc_rec_t *assoc)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];
	int depth = taskgov_account_lineage(assoc, lineage);

	for (int i = 0; i < depth; i++)
		_unpin(engine, lineage[i]);
}

extern void team_pins_release_job(tg_engine_t *engine, const job_record_t *job_ptr)
{
	assoc_mgr_lock_t locks = { .assoc = WRITE_LOCK };

	if (!tg_pins_any(engine) || !job_ptr->assoc_ptr)
		return;
	assoc_mgr_lock(&locks);
	/* The job's association pointer is only valid under the lock. */
	if (job_ptr->assoc_ptr)
		_release_lineage(engine, job_ptr->assoc_ptr);
	assoc_mgr_unlock(&locks);
}

/* Whether the account's GrpTRES in force, with what its jobs hold now, leaves no room for
 * `request`: then Slurm would refuse the job after node selection whatever the pin, and only a
 * job's end (which unpins) or the next cycle (which re-decides) changes that. Caller holds
 * assoc_mgr's assoc and TRES locks. */
static bool _held_by_limit_in_force(tg_engine_t *engine, const slurmdb_assoc_rec_t *assoc,
				    const uint64_t *request)
{
	uint64_t used[TG_MAX_RESOURCES], limit[TG_MAX_RESOURCES];
	tg_settings_t settings;
	taskgov_tres_map_t map;

	if (!assoc->usage || !assoc->usage->grp_used_tres || !assoc->grp_tres_ctld ||
	    tg_settings(engine, &settings) != TG_OK)
		return false;
	taskgov_tres_map(engine, settings.resources, true, &map);
	taskgov_tres_amounts(assoc->usage->grp_used_tres, &map, used);
	/* A resource Slurm does not account, it cannot limit. */
	for (int r = 0; r < map.count; r++)
		limit[r] = map.pos[r] >= 0 ? assoc->grp_tres_ctld[map.pos[r]] : INFINITE64;
	return tg_held_by_limit(used, limit, request, map.count);
}

static bool _lineage_pinned(tg_engine_t *engine, const slurmdb_assoc_rec_t *assoc)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];
	int depth = taskgov_account_lineage(assoc, lineage);

	for (int i = 0; i < depth; i++)
		if (tg_pin_of(engine, lineage[i], NULL, NULL))
			return true;
	return false;
}

extern void team_pins_release_team(tg_engine_t *engine, int team, const uint64_t *request)
{
	assoc_mgr_lock_t locks = { .assoc = WRITE_LOCK, .tres = READ_LOCK };
	slurmdb_assoc_rec_t *assoc;

	if (!tg_pins_any(engine) || team < 0)
		return;
	assoc_mgr_lock(&locks);
	/* Most submissions come from teams that are not pinned: no TRES work for them under the
	 * write lock. */
	if ((assoc = taskgov_account_assoc(tg_team_account(engine, team))) &&
	    _lineage_pinned(engine, assoc) &&
	    !(request && _held_by_limit_in_force(engine, assoc, request)))
		_release_lineage(engine, assoc);
	assoc_mgr_unlock(&locks);
}

extern void team_pins_restore(tg_engine_t *engine)
{
	assoc_mgr_lock_t locks = { .assoc = WRITE_LOCK };
	char account[1024];

	assoc_mgr_lock(&locks);
	while (tg_pinned_account(engine, 0, account, sizeof(account)))
		_unpin(engine, account);
	assoc_mgr_unlock(&locks);
}
