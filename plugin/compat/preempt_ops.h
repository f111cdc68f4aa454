/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a preempt plugin exports, for preempt/taskgov to delegate to the stock preempt/qos
 * (src/slurmctld/preempt.c in 22.05, src/interfaces/preempt.c in 24.11, whose ops tables Slurm
 * keeps private). The same three functions in 22.05 and 24.11; 25.05 replaces
 * preempt_p_get_data with preempt_p_get_grace_time, preempt_p_get_mode and preempt_p_get_prio,
 * which would be added here, each answering what the matching PREEMPT_DATA_* case answers.
 */
#ifndef TASKGOV_COMPAT_PREEMPT_OPS_H
#define TASKGOV_COMPAT_PREEMPT_OPS_H

#include "release.h"

#if TASKGOV_SLURM_AT_LEAST(25, 5)
#error "preempt/taskgov: Slurm 25.05 replaced preempt_p_get_data; add its three functions here"
#endif

typedef struct {
	bool (*job_preempt_check)(job_queue_rec_t *preemptor, job_queue_rec_t *preemptee);
	bool (*preemptable)(job_record_t *preemptee, job_record_t *preemptor);
	int (*get_data)(job_record_t *job_ptr, slurm_preempt_data_type_t data_type, void *data);
} taskgov_preempt_ops_t;

#define TASKGOV_PREEMPT_SYMS \
	"preempt_p_job_preempt_check", "preempt_p_preemptable", "preempt_p_get_data"

#endif
