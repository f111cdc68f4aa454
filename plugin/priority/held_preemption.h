/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_HELD_PREEMPTION_H
#define TASKGOV_HELD_PREEMPTION_H

#include "taskgov.h"

/* Preempts (in shadow mode: logs and records only) the victims of each job its own team's
 * limit holds back, when Slurm's will-run test says the job starts once they are gone; once per
 * settle time per job. Returns how many jobs were preempted. Caller holds the locks the
 * scheduler holds when it preempts: conf READ, job WRITE, node WRITE, part READ, fed READ. */
extern int held_preemption_run(tg_engine_t *engine, const tg_settings_t *settings);

#endif
