/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GrpJobs pins: for a team whose every pending job its own limit holds back
 * (src/engine/blocked_teams.h), the account's in-memory GrpJobs is set to its running count, a
 * limit Slurm checks before node selection, so its scheduler skips those jobs cheaply instead of
 * selecting nodes for each and refusing it on GrpTRES afterwards. A pin is taken off as soon as
 * a job of the team ends, a job of the team is updated (it may fit now) or one is submitted that
 * fits the team's GrpTRES in force, and at the next cycle when the team has a job that fits; the
 * administrator's GrpJobs comes back then. A submission that cannot fit leaves the pin: at a
 * high submission rate, unpinning for each would send the team's whole queue through node
 * selection again at every scheduling pass.
 */
#ifndef TASKGOV_TEAM_PINS_H
#define TASKGOV_TEAM_PINS_H

#include "slurm/slurm.h"
#include "src/slurmctld/slurmctld.h"

#include "taskgov.h"

/* Pins the blocked teams and unpins the others, per the published cycle (nothing pinned in
 * shadow mode). Returns how many accounts changed. Caller holds assoc_mgr's assoc WRITE lock. */
extern int team_pins_update(tg_engine_t *engine, const tg_settings_t *settings);

/* Takes the pins off the job's account and the accounts above it. Caller holds no assoc_mgr
 * lock; costs nothing while no account is pinned. */
extern void team_pins_release_job(tg_engine_t *engine, const job_record_t *job_ptr);
/* The same for a team's account and the accounts above it, unless `request` (the engine's
 * resource order; NULL: any job) cannot fit the account's GrpTRES in force beside what its jobs
 * hold now. */
extern void team_pins_release_team(tg_engine_t *engine, int team, const uint64_t *request);

/* Every pin off (the plugin unloading). Caller holds no assoc_mgr lock. */
extern void team_pins_restore(tg_engine_t *engine);

#endif
