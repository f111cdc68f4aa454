/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * priority/taskgov: Slurm's stock priority/multifactor, plus taskgov's governance.
 *
 * Sites keep everything they tuned in multifactor (Fair Tree, age, QOS/partition/TRES
 * weights, sprio, sshare): this plugin loads the stock plugin through Slurm's own loader and
 * delegates every priority_p_* call to it. It also owns the taskgov policy inside slurmctld:
 * it is the one plugin initialised after the node table exists (job_submit and preempt start
 * before it), so it reads taskgov.json at start and at `scontrol reconfigure`.
 *
 * sshare loads this plugin too; there it only delegates.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/run_in_daemon.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/interfaces.h"
#include "compat/list.h"
#include "compat/priority_ops.h"
#include "governance_cycle.h"
#include "policy_load.h"
#include "taskgov_shim.h"
#include "team_limits.h"
#include "team_pins.h"

/* sshare loads this plugin too, where these slurmctld globals do not exist. Defining them here
 * lets it load there; inside slurmctld its own definitions win (it exports them). */
list_t *job_list = NULL;
time_t last_job_update = (time_t) 0;
diag_stats_t slurmctld_diag_stats;

const char plugin_name[] = "taskgov priority plugin (multifactor + team governance)";
const char plugin_type[] = "priority/taskgov";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

static const char *multifactor_syms[] = { TASKGOV_PRIORITY_SYMS };

static taskgov_priority_ops_t multifactor;
static plugin_context_t *multifactor_context = NULL;
static tg_engine_t *engine = NULL;

static pthread_t cycle_thread;
static bool cycle_thread_started = false;
static bool cycle_stop = false;
static bool cycle_load_first = false; /* the policy is read by the thread, not by init */
static bool cycle_soon = false; /* a new policy: its limits and order at once, not next period */
static pthread_mutex_t cycle_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cycle_cond = PTHREAD_COND_INITIALIZER;

/* From the audit log's writer thread, once per change of health: a full disk or an unwritable
 * path must reach the administrator, but not once per record. */
static void _report_audit(int trouble, const char *message)
{
	if (trouble)
		error("%s: %s", plugin_type, message);
	else
		info("%s: %s", plugin_type, message);
}

/* Changes whenever a job starts or ends: slurmctld's own sdiag counters, read without a lock
 * (a torn read only makes one cycle come a second early). */
static uint64_t _job_activity(void)
{
	return (uint64_t) slurmctld_diag_stats.jobs_started + slurmctld_diag_stats.jobs_completed +
	       slurmctld_diag_stats.jobs_canceled + slurmctld_diag_stats.jobs_failed;
}

/* A cycle every cycle_seconds of taskgov.json, and within a second of jobs starting or ending:
 * PriorityCalcPeriod counts minutes and cannot drive it. */
static void *_cycle_loop(void *arg __attribute__((unused)))
{
	time_t last_cycle = 0;
	uint64_t last_activity = _job_activity();
	tg_settings_t settings;

	/* Named like Slurm's own threads ("bckfl", "decay"): top -H, perf and the benchmark find
	 * the cycle by its name. */
	prctl(PR_SET_NAME, "tg_cycle", 0, 0, 0);
	if (cycle_load_first)
		policy_load(engine, "init");

	while (true) {
		struct timespec wake;
		time_t now;
		uint64_t activity;
		bool soon;

		/* A deadline with nanoseconds from the clock, not a whole second: on these VMs a
		 * whole-second deadline costs ~5 ms of CPU in the kernel at every wake-up. */
		clock_gettime(CLOCK_REALTIME, &wake);
		wake.tv_sec += 1;

		slurm_mutex_lock(&cycle_mutex);
		if (!cycle_stop && !cycle_soon)
			pthread_cond_timedwait(&cycle_cond, &cycle_mutex, &wake);
		if (cycle_stop) {
			slurm_mutex_unlock(&cycle_mutex);
			break;
		}
		soon = cycle_soon;
		cycle_soon = false;
		slurm_mutex_unlock(&cycle_mutex);

		if (tg_settings(engine, &settings) != TG_OK)
			continue;
		now = time(NULL);
		activity = _job_activity();
		if (!soon && now - last_cycle < settings.cycle_seconds && activity == last_activity)
			continue;
		governance_cycle_run(engine);
		last_cycle = now;
		last_activity = activity;
	}
	return NULL;
}

/* The first cycle at once, not after cycle_seconds: the teams' limits must hold from the first
 * seconds after a restart or a takeover. Not from the caller: the cycle re-evaluates priorities
 * through priority_g_set(), whose context lock Slurm holds around init. */
static void _start_cycle(bool load_first)
{
	cycle_stop = false;
	cycle_soon = true;
	cycle_load_first = load_first;
	slurm_thread_create(&cycle_thread, _cycle_loop, NULL);
	cycle_thread_started = true;
}

extern int init(void)
{
	multifactor_context = taskgov_load_delegate("priority", "priority/multifactor",
						    (void **) &multifactor, multifactor_syms,
						    sizeof(multifactor_syms));
	if (!multifactor_context)
		return SLURM_ERROR;
	if (!running_in_slurmctld())
		return SLURM_SUCCESS;

	engine = tg_engine_acquire();
	if (!engine) {
		error("%s: cannot create the taskgov engine", plugin_type);
		return SLURM_ERROR;
	}
	info("%s: init: taskgov %s, delegating to priority/multifactor", plugin_type,
	     tg_version());
	tg_audit_configure(engine, slurm_conf.slurmctld_logfile, _report_audit);
	if (!TASKGOV_PRIORITY_HAS_THREAD_START) {
		policy_load(engine, "init");
		_start_cycle(false);
	}
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	if (cycle_thread_started) {
		slurm_mutex_lock(&cycle_mutex);
		cycle_stop = true;
		slurm_cond_broadcast(&cycle_cond);
		slurm_mutex_unlock(&cycle_mutex);
		pthread_join(cycle_thread, NULL);
		cycle_thread_started = false;
		/* Without its plugin, nobody re-asserts the limits: hand them back now. */
		team_limits_restore(engine);
		team_pins_restore(engine);
	}
	/* The engine outlives this plugin when the other two hold it (an HA handover unloads only
	 * the priority plugin): its audit writer must not call into this unloaded code. */
	if (engine)
		tg_audit_configure(engine, slurm_conf.slurmctld_logfile, NULL);
	tg_engine_release(engine);
	engine = NULL;
	taskgov_unload_delegate(multifactor_context);
	multifactor_context = NULL;
	return SLURM_SUCCESS;
}

/* Slurm sets a job's priority after every update, refused or not: the moment to make its
 * AdminComment say the team and class it really has. job_submit/taskgov stamps an update before
 * Slurm validates the rest of it; when Slurm then refuses (a time limit above the partition's,
 * a QOS the association may not use, ...), the account and QOS stay as they were, and so must
 * the stamp. Only stamped (governed, enforced) jobs; caller holds the job write lock. */
static void _match_stamp(job_record_t *job_ptr)
{
	char stamp[2304];
	int team, klass;

	if (!job_ptr->admin_comment || strncmp(job_ptr->admin_comment, "taskgov:", 8) ||
	    !IS_JOB_PENDING(job_ptr) || !job_ptr->qos_ptr)
		return;
	team = taskgov_team_of_job(engine, job_ptr, false);
	klass = taskgov_class_of_job(engine, job_ptr);
	if (team < 0 || klass < 0 ||
	    tg_restamp(engine, team, klass, job_ptr->admin_comment, stamp, sizeof(stamp)) != 1)
		return;
	info("%s: %pJ: AdminComment %s restamped as %s, the team and class it has",
	     plugin_type, job_ptr, job_ptr->admin_comment, stamp);
	xfree(job_ptr->admin_comment);
	job_ptr->admin_comment = xstrdup(stamp);
}

extern uint32_t priority_p_set(uint32_t last_prio, job_record_t *job_ptr)
{
	if (engine)
		_match_stamp(job_ptr);
	return multifactor.set(last_prio, job_ptr);
}

extern void priority_p_reconfig(bool assoc_clear)
{
	multifactor.reconfig(assoc_clear);
	/* Only `scontrol reconfigure` passes true; the other callers reset decay settings. */
	if (assoc_clear && engine) {
		policy_load(engine, "reconfigure");
		slurm_mutex_lock(&cycle_mutex);
		cycle_soon = true;
		slurm_cond_broadcast(&cycle_cond);
		slurm_mutex_unlock(&cycle_mutex);
	}
}

extern void priority_p_set_assoc_usage(slurmdb_assoc_rec_t *assoc)
{
	multifactor.set_assoc_usage(assoc);
}

extern double priority_p_calc_fs_factor(long double usage_efctv, long double shares_norm)
{
	return multifactor.calc_fs_factor(usage_efctv, shares_norm);
}

extern list_t *priority_p_get_priority_factors_list(TASKGOV_FACTORS_PARAMS)
{
	return multifactor.get_priority_factors(TASKGOV_FACTORS_ARGS);
}

extern void priority_p_job_end(job_record_t *job_ptr)
{
	/* The team may have room now: all its waiting jobs in the next pass, not one. */
	if (engine)
		team_pins_release_job(engine, job_ptr);
	multifactor.job_end(job_ptr);
}

#if TASKGOV_PRIORITY_HAS_RECOVER
extern uint32_t priority_p_recover(uint32_t prio_boost)
{
	return multifactor.recover(prio_boost);
}
#endif

#if TASKGOV_PRIORITY_HAS_THREAD_START
/* Jobs and nodes are loaded now, and init was too early to read the policy against the node
 * table. Slurm holds its config, job, node and partition write locks here: the cycle thread
 * reads the policy once they are released. */
extern void priority_p_thread_start(void)
{
	multifactor.thread_start();
	if (engine && running_in_slurmctld())
		_start_cycle(true);
}
#endif
