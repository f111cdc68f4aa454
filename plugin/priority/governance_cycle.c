/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The governance cycle, in the order of its steps. Each step lives in its own file; this one
 * only says which locks each step runs under and keeps the engine's decision outside them.
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "slurm/slurm.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "cycle_snapshot.h"
#include "governance_cycle.h"
#include "held_preemption.h"
#include "sacct_trail.h"
#include "site_factor_terms.h"
#include "taskgov_shim.h"
#include "team_limits.h"
#include "team_pins.h"

static uint64_t _usec_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t) (now.tv_sec - start->tv_sec) * 1000000 +
	       (now.tv_nsec - start->tv_nsec) / 1000;
}

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
	tg_snapshot_t *snapshot;
	tg_cycle_t *cycle;
	uint64_t multifactor_max;
	int terms_changed = 0, limits_changed, pins_changed, preempted;
	/* How long each step holds slurmctld's locks, for DebugFlags=Priority (BENCHMARKS.md). */
	struct timespec t0, t1, t2;
	uint64_t snapshot_us, engine_us, write_back_us;

	/* 1. Snapshot every running and competing pending job, under the job lock. */
	lock_slurmctld(job_write);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tg_settings(engine, &settings) != TG_OK) {
		unlock_slurmctld(job_write);
		return;
	}
	assoc_mgr_lock(&assoc_read);
	taskgov_tres_map(engine, settings.resources, true, &map);
	snapshot = cycle_snapshot_take(engine, &map, time(NULL));
	assoc_mgr_unlock(&assoc_read);
	snapshot_us = _usec_since(&t0);
	unlock_slurmctld(job_write);
	if (!snapshot)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* 2. The engine decides with no lock held: RPCs are not queued behind it. */
	cycle = tg_cycle_compute(snapshot);
	if (!cycle)
		return;

	engine_us = _usec_since(&t1);
	multifactor_max = taskgov_multifactor_max();
	lock_slurmctld(sched_write);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	/* 3. Publish; a decision made on a policy replaced meanwhile is dropped. */
	if (tg_cycle_publish(engine, cycle) != TG_OK) {
		unlock_slurmctld(sched_write);
		tg_cycle_finish(engine, cycle);
		return;
	}
	/* 4. The order: each pending job's governance term in its site factor. */
	if (!settings.shadow)
		terms_changed = site_factor_terms_write(engine, multifactor_max);
	else
		team_limits_log_shadow(engine, &settings);
	/* 5. Preempt for jobs their own team's limit holds back. */
	preempted = held_preemption_run(engine, &settings);
	/* 6. The sacct trail of requeued victims and borrowing jobs. */
	sacct_trail_write(engine);
	if (terms_changed)
		last_job_update = time(NULL);
	/* 7. Each team's limit into its account's GrpTRES, and GrpJobs pinned for the teams whose
	 * every pending job that limit holds back (team_pins.h). */
	assoc_mgr_lock(&assoc_write);
	limits_changed = team_limits_assert(engine, &settings, &map);
	pins_changed = team_pins_update(engine, &settings);
	assoc_mgr_unlock(&assoc_write);
	write_back_us = _usec_since(&t2);
	unlock_slurmctld(sched_write);

	/* 8. The cycle's decision records are queued with no lock held. */
	tg_cycle_finish(engine, cycle);
	/* 9. New limits or freed nodes: let the scheduler use them now, not at its next pass. */
	if (limits_changed || pins_changed || preempted)
		queue_job_scheduler();
	log_flag(PRIO, "taskgov: cycle: %d site factors, %d limits and %d pins changed, "
		 "%d jobs preempted; job lock held %"PRIu64" us (snapshot) + %"PRIu64" us "
		 "(write-back), engine %"PRIu64" us without a lock",
		 terms_changed, limits_changed, pins_changed, preempted, snapshot_us,
		 write_back_us, engine_us);
}
