/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A preemption must serve its preemptor: taskgov's cycle preempts for a job only when that job
 * could start once its victims are gone. The test is Slurm's will-run test, the one behind
 * `sbatch --test-only` (job_scheduler.c job_start_data), restricted to the given victims.
 */
#include "config.h"

#include "slurm/slurm.h"
#include "src/common/bitstring.h"
#include "src/common/node_conf.h"

#include "compat/interfaces.h"
#include "compat/job_record.h"
#include "compat/select.h"
/* After the above: it needs slurmctld's types, which 22.05's select.h brought. */
#include "src/slurmctld/node_scheduler.h"

#include "preemptor_fit.h"

extern bool preemptor_eligible(const job_record_t *job_ptr, time_t now)
{
	const job_details_t *details = job_ptr->details;

	/* The state itself, not IS_JOB_PENDING: a requeued job still completing cannot start. */
	return details && job_ptr->job_state == JOB_PENDING && job_ptr->priority &&
	       !(job_ptr->bit_flags & JOB_DEPENDENT) &&
	       (!details->begin_time || details->begin_time <= now);
}

/* Nodes of `part_ptr` the job could use at all: up, in the partition, matching its node list,
 * exclusions and node-level requirements. NULL when its required nodes are not all there. */
static bitstr_t *_usable_nodes(job_record_t *job_ptr, part_record_t *part_ptr)
{
	job_details_t *details = job_ptr->details;
	bitstr_t *nodes, *active = NULL;

	if (!part_ptr->node_bitmap)
		return NULL;
	nodes = bit_copy(part_ptr->node_bitmap);
	bit_and(nodes, avail_node_bitmap);
	if (details->exc_node_bitmap)
		bit_and_not(nodes, details->exc_node_bitmap);
	if (job_req_node_filter(job_ptr, nodes, true) ||
	    (details->req_node_bitmap && !bit_super_set(details->req_node_bitmap, nodes))) {
		FREE_NULL_BITMAP(nodes);
		return NULL;
	}
	/* Only nodes whose active features satisfy the job's constraint. */
	build_active_feature_bitmap(job_ptr, nodes, &active);
	if (active) {
		FREE_NULL_BITMAP(nodes);
		nodes = active;
	}
	return nodes;
}

static bool _fits_in_partition(job_record_t *job_ptr, part_record_t *part_ptr, list_t *victims)
{
	job_details_t *details = job_ptr->details;
	bitstr_t *nodes = _usable_nodes(job_ptr, part_ptr);
	list_t *preemptees = NULL;
	uint32_t min_nodes, max_nodes, req_nodes;
	time_t now = time(NULL), saved_start = job_ptr->start_time;
	int rc;

	if (!nodes)
		return false;
	min_nodes = MAX(details->min_nodes, part_ptr->min_nodes);
	max_nodes = details->max_nodes ? MIN(details->max_nodes, part_ptr->max_nodes) :
					 part_ptr->max_nodes;
	max_nodes = MIN(max_nodes, 500000);
	req_nodes = min_nodes;
	rc = taskgov_select_will_run(job_ptr, nodes, min_nodes, max_nodes, req_nodes, victims,
				     &preemptees);
	/* Will-run answers with the earliest start: now only if the victims' room suffices. */
	rc = (rc == SLURM_SUCCESS && job_ptr->start_time <= now + 1);
	job_ptr->start_time = saved_start;
	FREE_NULL_LIST(preemptees);
	FREE_NULL_BITMAP(nodes);
	return rc;
}

extern bool preemptor_fits_after(job_record_t *job_ptr, list_t *victims)
{
	list_itr_t *it;
	part_record_t *part_ptr;
	bool fits = false;

	/* A reservation's own rules (nodes, times, access) are not judged here: no preemption. */
	if (!preemptor_eligible(job_ptr, time(NULL)) || job_ptr->resv_name)
		return false;
	if (!job_ptr->part_ptr_list)
		return job_ptr->part_ptr && _fits_in_partition(job_ptr, job_ptr->part_ptr, victims);
	it = list_iterator_create(job_ptr->part_ptr_list);
	while (!fits && (part_ptr = list_next(it)))
		fits = _fits_in_partition(job_ptr, part_ptr, victims);
	list_iterator_destroy(it);
	return fits;
}
