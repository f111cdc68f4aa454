/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_GPU_TYPING_H
#define TASKGOV_GPU_TYPING_H

#include <stdbool.h>
#include <stddef.h>

#include "slurm/slurm.h"
#include "src/slurmctld/slurmctld.h"

#include "taskgov.h"

/* Whether a job's parsed request holds an untyped GPU item ("gpu:2"): Slurm counts it only
 * against gres/gpu, never against a team's gres/gpu:<type> limit. */
extern bool taskgov_job_has_untyped_gpus(const job_record_t *job_ptr);

/* Types a pending job's untyped GPU request to `team`'s only GPU type, in place: the
 * tres_per_* strings, the parsed request and the requested TRES counts, as if the job had been
 * submitted typed. Slurm's own update path cannot do it (it merges a typed item next to the
 * untyped one and refuses the overlap). Returns 1 when it typed, 0 when there was nothing to
 * type, -1 with `message` when the team has no GPU type or several. Caller holds the job write
 * lock and no assoc_mgr lock. */
extern int taskgov_type_job_gpus(tg_engine_t *engine, job_record_t *job_ptr, int team,
				 char *message, size_t message_len);

/* At a policy load in enforce mode: types every pending job of a team that still asks for
 * untyped GPUs (submitted in shadow mode or before a policy loaded), and holds those it cannot
 * type with the reason in squeue. Caller holds the job write lock. */
extern void taskgov_type_pending_jobs(tg_engine_t *engine);

#endif
