/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_modify's signature: 23.02 gave it the err_msg that job_submit always had, so a refused
 * update can tell the user why (before, only the error code reached scontrol). The shim declares
 * job_modify(TASKGOV_JOB_MODIFY_PARAMS) and passes TASKGOV_JOB_MODIFY_ERR_MSG (NULL before 23.02)
 * to whatever wants to set the message.
 *
 * `scontrol update QOS=` (empty) gives a job its association's default QOS in 22.05; 24.11
 * refuses it ("Invalid qos specification") after job_modify, so taskgov must change nothing for
 * it there. (The release between that changed it is not verified here.)
 *
 * 23.02 also made submit and modify calls run side by side (a read lock on the plugin context
 * instead of a mutex): the shim serialises its own calls into the engine.
 */
#ifndef TASKGOV_COMPAT_JOB_SUBMIT_H
#define TASKGOV_COMPAT_JOB_SUBMIT_H

#include "release.h"

#define TASKGOV_EMPTY_QOS_UPDATE_IS_DEFAULT (!TASKGOV_SLURM_AT_LEAST(24, 11))

#if TASKGOV_SLURM_AT_LEAST(23, 2)
#define TASKGOV_JOB_MODIFY_PARAMS \
	job_desc_msg_t *job_desc, job_record_t *job_ptr, uint32_t submit_uid, char **err_msg
#define TASKGOV_JOB_MODIFY_ERR_MSG err_msg
#else
#define TASKGOV_JOB_MODIFY_PARAMS \
	job_desc_msg_t *job_desc, job_record_t *job_ptr, uint32_t submit_uid
#define TASKGOV_JOB_MODIFY_ERR_MSG NULL
#endif

#endif
