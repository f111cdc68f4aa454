/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slurm's will-run test of a job on given nodes with given preemption candidates (the one behind
 * `sbatch --test-only`). 22.05's select_g_job_test takes an excluded-core bitmap (NULL: none);
 * 24.11's takes the reservation exclusions as a resv_exc_t, which cons_tres reads whatever the
 * job (an empty one: none), and an optional will-run result.
 */
#ifndef TASKGOV_COMPAT_SELECT_H
#define TASKGOV_COMPAT_SELECT_H

#include "interfaces.h"
#include "list.h"

static inline int taskgov_select_will_run(job_record_t *job_ptr, bitstr_t *nodes,
					  uint32_t min_nodes, uint32_t max_nodes,
					  uint32_t req_nodes, list_t *candidates,
					  list_t **preemptees)
{
#if TASKGOV_SLURM_AT_LEAST(24, 5)
	resv_exc_t no_exclusions = { 0 };

	return select_g_job_test(job_ptr, nodes, min_nodes, max_nodes, req_nodes,
				 SELECT_MODE_WILL_RUN, candidates, preemptees, &no_exclusions,
				 NULL);
#else
	return select_g_job_test(job_ptr, nodes, min_nodes, max_nodes, req_nodes,
				 SELECT_MODE_WILL_RUN, candidates, preemptees, NULL);
#endif
}

#endif
