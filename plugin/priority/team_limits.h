/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_TEAM_LIMITS_H
#define TASKGOV_TEAM_LIMITS_H

#include "taskgov.h"
#include "tres_map.h"

/* Sets each team account's in-memory GrpTRES to min(administrator's, the published cycle's
 * limit) on the resources taskgov enforces, and gives accounts the policy no longer names their
 * administrator's values back. In shadow mode the administrator's values stand. Returns how
 * many entries changed. Caller holds assoc_mgr's assoc WRITE and TRES READ locks. */
extern int team_limits_assert(tg_engine_t *engine, const tg_settings_t *settings,
			      const taskgov_tres_map_t *map);

/* Shadow mode: logs each team's limit once per change, as it would have been enforced. */
extern void team_limits_log_shadow(tg_engine_t *engine, const tg_settings_t *settings);

/* Puts every GrpTRES taskgov changed back to the administrator's value (slurmctld shutting
 * down, or the plugin losing its policy). Takes the assoc_mgr locks itself. */
extern void team_limits_restore(tg_engine_t *engine);

#endif
