/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * taskgov enforces each team's limit (quota + what it may borrow now) through the one limit
 * Slurm already checks at scheduling time: the team account's GrpTRES, changed in memory only
 * (assoc_mgr's grp_tres_ctld), so sacctmgr keeps the administrator's value and a restart or
 * the plugin's fini hands it back.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "slurm/slurm.h"
#include "src/common/assoc_mgr.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/slurmdb_defs.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "taskgov_shim.h"
#include "team_limits.h"

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
	slurmdb_assoc_rec_t *assoc = taskgov_account_assoc(account);
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

static bool _governed(tg_engine_t *engine, int teams, const char *account)
{
	for (int t = 0; t < teams; t++)
		if (!xstrcmp(tg_team_account(engine, t), account))
			return true;
	return false;
}

/* Accounts taskgov limited that the current policy no longer governs get their limits back. */
static void _release_dropped_accounts(tg_engine_t *engine, int teams,
				      const taskgov_tres_map_t *map)
{
	char account[1024];
	size_t i = 0;

	while (tg_limited_account(engine, i, account, sizeof(account))) {
		if (_governed(engine, teams, account)) {
			i++;
			continue;
		}
		_write_limits(account, map->pos, map->count, NULL, 0);
		tg_limited_account_remove(engine, account);
	}
}

extern int team_limits_assert(tg_engine_t *engine, const tg_settings_t *settings,
			      const taskgov_tres_map_t *map)
{
	uint64_t limit[TG_MAX_RESOURCES];
	int changed = 0;

	_release_dropped_accounts(engine, settings->teams, map);
	for (int t = 0; t < settings->teams; t++) {
		const char *account = tg_team_account(engine, t);
		if (tg_team_limit(engine, t, limit) != TG_OK)
			continue;
		changed += _write_limits(account, map->pos, map->count,
					 settings->shadow ? NULL : limit,
					 tg_team_enforced(engine, t));
		tg_limited_account_add(engine, account);
	}
	return changed;
}

extern void team_limits_log_shadow(tg_engine_t *engine, const tg_settings_t *settings)
{
	uint64_t limit[TG_MAX_RESOURCES];

	for (int t = 0; t < settings->teams; t++) {
		char *text = NULL;

		if (!tg_shadow_limit_news(engine, t, limit))
			continue;
		for (int r = 0; r < settings->resources; r++)
			xstrfmtcat(text, "%s%s=%"PRIu64, r ? "," : "",
				   tg_resource_name(engine, r), limit[r]);
		info("taskgov: shadow mode: would limit account %s to GrpTRES %s",
		     tg_team_account(engine, t), text);
		xfree(text);
	}
}

extern void team_limits_restore(tg_engine_t *engine)
{
	assoc_mgr_lock_t locks = { .assoc = WRITE_LOCK, .tres = READ_LOCK };
	char account[1024];
	int *positions, count;

	assoc_mgr_lock(&locks);
	/* Every accounted TRES: the policy that chose the resources may be gone. */
	count = (int) g_tres_count;
	positions = xcalloc(count ? count : 1, sizeof(int));
	for (int pos = 0; pos < count; pos++)
		positions[pos] = pos;
	while (tg_limited_account(engine, 0, account, sizeof(account))) {
		_write_limits(account, positions, count, NULL, 0);
		tg_limited_account_remove(engine, account);
	}
	xfree(positions);
	assoc_mgr_unlock(&locks);
}
