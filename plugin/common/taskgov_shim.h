/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What more than one taskgov shim needs from slurmctld: where the policy lives, the node
 * table as an engine inventory, and stock plugins loaded through Slurm's own loader so a
 * shim can delegate to them. Compiled into each plugin (they are separate .so files).
 */
#ifndef TASKGOV_SHIM_H
#define TASKGOV_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include "slurm/slurm.h"
#include "src/common/plugin.h"
#include "src/slurmctld/slurmctld.h"

#include "taskgov.h"

/* taskgov.json next to slurm.conf; xfree() the result. */
extern char *taskgov_policy_path(void);

/* The node table as an inventory; caller holds the node read lock. */
extern tg_inventory_t *taskgov_inventory_from_nodes(void);

/* Loads `type` ("priority/multifactor") through plugin_context_create into ops, filling the
 * function pointers named by syms; NULL (after logging) when it cannot. */
extern plugin_context_t *taskgov_load_delegate(const char *kind, const char *type, void **ops,
					       const char **syms, size_t syms_size);
extern void taskgov_unload_delegate(plugin_context_t *context);

/* The largest sum priority/multifactor can add: its weights (each factor is at most 1.0). The
 * governance term in the site factor is sized above it so that it always dominates. */
extern uint64_t taskgov_multifactor_max(void);

/* Team of a job (>= 0), or -1 when its account belongs to no team. The engine remembers it per
 * association and policy; a miss walks the association tree under assoc_mgr's READ lock unless
 * the caller says it already holds it. */
extern int taskgov_team_of_job(tg_engine_t *engine, const job_record_t *job_ptr,
			       bool assoc_locked);
/* Class of a job (its QOS), or -1 when its QOS is no class. */
extern int taskgov_class_of_job(tg_engine_t *engine, const job_record_t *job_ptr);

/* Appends "key=value" fields to the job's AdminComment (";"-separated after the taskgov
 * record) and sends the comment to slurmdbd now, so sacct shows it while the job waits or runs:
 * slurmctld itself only sends AdminComment when a job ends. Caller holds the job write lock. */
extern void taskgov_record_on_job(job_record_t *job_ptr, const char *fields);
/* The same without sending it: for a record that waits on Slurm's confirmation. */
extern void taskgov_append_to_job(job_record_t *job_ptr, const char *fields);
/* Sends the job's AdminComment to slurmdbd again (e.g. to the new record of a requeued job),
 * once its current record is queued to slurmdbd (compat/job_record.h): nothing before. */
extern void taskgov_push_admin_comment(job_record_t *job_ptr);

/* The account's own association (no user); caller holds assoc_mgr's assoc lock. */
extern slurmdb_assoc_rec_t *taskgov_account_assoc(const char *account);

#define TASKGOV_MAX_LINEAGE 16
/* Account names from `assoc` up to the root, the account first; caller holds assoc READ.
 * Returns the depth. */
extern int taskgov_account_lineage(const slurmdb_assoc_rec_t *assoc, const char **lineage);

#endif
