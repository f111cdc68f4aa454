/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a priority plugin exports, per release, for priority/taskgov to delegate each call to the
 * stock priority/multifactor (src/common/slurm_priority.c in 22.05, src/interfaces/priority.c
 * in 24.11, whose ops tables Slurm keeps private):
 *   - 23.02 added priority_p_recover(prio_boost), called once job state is recovered;
 *   - 23.11 added priority_p_thread_start(), called once jobs and nodes are loaded, with the
 *     slurmctld config/job/node/part write locks held: since then init() runs BEFORE the node
 *     table and the job list exist, and background threads start here;
 *   - 24.05 dropped get_priority_factors_list's request message (only the uid is left), and
 *     24.11 returns list_t *.
 */
#ifndef TASKGOV_COMPAT_PRIORITY_OPS_H
#define TASKGOV_COMPAT_PRIORITY_OPS_H

#include "list.h"
#include "release.h"

#define TASKGOV_PRIORITY_HAS_RECOVER TASKGOV_SLURM_AT_LEAST(23, 2)
#define TASKGOV_PRIORITY_HAS_THREAD_START TASKGOV_SLURM_AT_LEAST(23, 11)

/* The parameters of priority_p_get_priority_factors_list, and the arguments passing them on. */
#if TASKGOV_SLURM_AT_LEAST(24, 5)
#define TASKGOV_FACTORS_PARAMS uid_t uid
#define TASKGOV_FACTORS_ARGS uid
#else
#define TASKGOV_FACTORS_PARAMS priority_factors_request_msg_t *req_msg, uid_t uid
#define TASKGOV_FACTORS_ARGS req_msg, uid
#endif

typedef struct {
	uint32_t (*set)(uint32_t last_prio, job_record_t *job_ptr);
	void (*reconfig)(bool assoc_clear);
	void (*set_assoc_usage)(slurmdb_assoc_rec_t *assoc);
	double (*calc_fs_factor)(long double usage_efctv, long double shares_norm);
	list_t *(*get_priority_factors)(TASKGOV_FACTORS_PARAMS);
	void (*job_end)(job_record_t *job_ptr);
#if TASKGOV_PRIORITY_HAS_RECOVER
	uint32_t (*recover)(uint32_t prio_boost);
#endif
#if TASKGOV_PRIORITY_HAS_THREAD_START
	void (*thread_start)(void);
#endif
} taskgov_priority_ops_t;

/* In the order of taskgov_priority_ops_t. */
#define TASKGOV_PRIORITY_SYMS_BASE                                                              \
	"priority_p_set", "priority_p_reconfig", "priority_p_set_assoc_usage",                  \
		"priority_p_calc_fs_factor", "priority_p_get_priority_factors_list",            \
		"priority_p_job_end"
#if TASKGOV_PRIORITY_HAS_THREAD_START
#define TASKGOV_PRIORITY_SYMS TASKGOV_PRIORITY_SYMS_BASE, "priority_p_recover", "priority_p_thread_start"
#elif TASKGOV_PRIORITY_HAS_RECOVER
#define TASKGOV_PRIORITY_SYMS TASKGOV_PRIORITY_SYMS_BASE, "priority_p_recover"
#else
#define TASKGOV_PRIORITY_SYMS TASKGOV_PRIORITY_SYMS_BASE
#endif

#endif
