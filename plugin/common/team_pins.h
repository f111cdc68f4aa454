/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GrpJobs pins: for a team whose every pending job its own limit holds back
 * (src/engine/blocked_teams.h), the account's in-memory GrpJobs is set to its running count, a
 * limit Slurm checks before node selection, so its scheduler skips those jobs cheaply instead of
 * selecting nodes for each and refusing it on GrpTRES afterwards. A pin is taken off as soon as
 * a job of the team ends or a job of the team is submitted or updated (it may fit), and at the
 * next cycle when the team has a job that fits; the administrator's GrpJobs comes back then.
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
/* The same for a team's account and the accounts above it. */
extern void team_pins_release_team(tg_engine_t *engine, int team);

/* Every pin off (the plugin unloading). Caller holds no assoc_mgr lock. */
extern void team_pins_restore(tg_engine_t *engine);

#endif
