/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_CLUSTER_WARNINGS_H
#define TASKGOV_CLUSTER_WARNINGS_H

#include "taskgov.h"

/* Logs, as errors in slurmctld.log, every way the policy just loaded would go unenforced on
 * this cluster (a governed TRES Slurm does not track, AccountingStorageEnforce without limits,
 * a team account without an association, a QOS GrpTRES that makes Slurm skip the team's,
 * CPU-only jobs that can strand GPUs). Caller holds the part read lock, no assoc_mgr lock. */
extern void taskgov_log_cluster_warnings(tg_engine_t *engine);

#endif
