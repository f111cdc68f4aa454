/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One governance cycle inside slurmctld: snapshot the jobs, let the engine decide, write back
 * site factors and each team's dynamic GrpTRES.
 */
#ifndef TASKGOV_GOVERNANCE_CYCLE_H
#define TASKGOV_GOVERNANCE_CYCLE_H

#include "taskgov.h"

extern void governance_cycle_run(tg_engine_t *engine);

#endif
