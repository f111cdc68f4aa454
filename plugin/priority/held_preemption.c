/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slurm looks for victims only for a job that passes its association limits; a job its own
 * team's limit holds back (a higher class in a team at its limit) is never offered any. The
 * cycle preempts for it through slurmctld's own preemption call, so PreemptMode, grace time
 * and accounting are those of any preemption.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "slurm/slurm.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/interfaces.h"
#include "compat/list.h"
#include "held_preemption.h"
#include "preemptor_fit.h"
#include "taskgov_shim.h"

#define MAX_PREEMPTORS 64
#define MAX_VICTIMS 256

/* The victims' records, or NULL when one of them no longer runs (the cycle is stale). */
static list_t *_running_victims(const tg_victim_t *victims, size_t count)
{
	list_t *jobs = list_create(NULL);

	for (size_t v = 0; v < count; v++) {
		job_record_t *victim = find_job_record(victims[v].job_id);

		if (!victim || !IS_JOB_RUNNING(victim)) {
			FREE_NULL_LIST(jobs);
			return NULL;
		}
		list_append(jobs, victim);
	}
	return jobs;
}

/* Returns 1 when Slurm took the preemption (or, in shadow mode, it was recorded as one that
 * would have been made). */
static int _preempt(tg_engine_t *engine, const tg_settings_t *settings, job_record_t *victim,
		    job_record_t *preemptor, int reason)
{
	uint16_t mode = settings->preempt_cancel ? PREEMPT_MODE_CANCEL : PREEMPT_MODE_REQUEUE;
	int team = tg_pending_team(engine, preemptor->job_id);
	int klass = taskgov_class_of_job(engine, preemptor);
	char fields[128];

	if (settings->shadow) {
		info("taskgov: shadow mode: would preempt %pJ for %pJ (%s)", victim, preemptor,
		     tg_reason_name(reason));
		tg_record_preemption(engine, victim->job_id, preemptor->job_id, team, klass,
				     preemptor->tres_fmt_req_str, reason, 1);
		return 0;
	}
	/* Already being preempted (in its grace time): not a second time. */
	if (victim->preempt_time)
		return 0;
	info("taskgov: preempting %pJ for %pJ (%s): its own team limit holds it back", victim,
	     preemptor, tg_reason_name(reason));
	/* This preemption is the cycle's to record, not preempt/taskgov's (whose grace-time hook
	 * would record a pair Slurm's scheduler only considered). */
	tg_preemption_forget(engine, victim->job_id);
	/* With a grace time Slurm answers an error while the preemption is under way (the victim
	 * signalled, preempt_time set); without one, success. */
	if (slurm_job_preempt(victim, preemptor, mode, true) != SLURM_SUCCESS &&
	    !victim->preempt_time) {
		error("taskgov: preempting %pJ for %pJ failed", victim, preemptor);
		return 0;
	}
	/* Recorded once Slurm has taken it, never for a failed attempt. */
	if (tg_format_preemption(preemptor->job_id, reason, fields, sizeof(fields)))
		taskgov_record_on_job(victim, fields);
	tg_record_preemption(engine, victim->job_id, preemptor->job_id, team, klass,
			     preemptor->tres_fmt_req_str, reason, 1);
	return 1;
}

extern int held_preemption_run(tg_engine_t *engine, const tg_settings_t *settings)
{
	uint32_t preemptors[MAX_PREEMPTORS];
	tg_victim_t victims[MAX_VICTIMS];
	size_t n = tg_preemptors_held_by_limits(engine, preemptors, MAX_PREEMPTORS);
	time_t now = time(NULL);
	/* Until the victims have had their grace time and given their nodes back. */
	time_t settle = slurm_conf.kill_wait + slurm_conf.msg_timeout + 10;
	int preempted = 0;

	for (size_t p = 0; p < n; p++) {
		job_record_t *preemptor = find_job_record(preemptors[p]);
		job_record_t *victim;
		list_itr_t *it;
		size_t count;
		list_t *jobs;

		if (!preemptor || !IS_JOB_PENDING(preemptor) ||
		    tg_preemptor_settling(engine, preemptors[p], now))
			continue;
		count = tg_victims_for(engine, preemptors[p], victims, MAX_VICTIMS);
		jobs = count ? _running_victims(victims, count) : NULL;
		/* A preemption that would not let the preemptor start wastes the victims' work. */
		if (!jobs || !preemptor_fits_after(preemptor, jobs)) {
			FREE_NULL_LIST(jobs);
			continue;
		}
		/* The records found above, in the engine's order, each with its reason. */
		it = list_iterator_create(jobs);
		for (size_t v = 0; (victim = list_next(it)); v++)
			preempted += _preempt(engine, settings, victim, preemptor,
					      victims[v].reason);
		list_iterator_destroy(it);
		FREE_NULL_LIST(jobs);
		tg_preemptor_acted(engine, preemptors[p], now + settle, now);
	}
	return preempted;
}
