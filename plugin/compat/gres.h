/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Setting a job's requested TRES counts from its parsed GRES request: slurmctld's
 * gres_ctld_set_job_tres_cnt (src/slurmctld/gres_ctld.h) in 22.05, the step manager's
 * gres_stepmgr_set_job_tres_cnt (src/stepmgr/gres_stepmgr.h, exported by libslurmfull) in
 * 24.11, with the same arguments.
 */
#ifndef TASKGOV_COMPAT_GRES_H
#define TASKGOV_COMPAT_GRES_H

#include "interfaces.h"

#if TASKGOV_SLURM_AT_LEAST(24, 5)
#include "src/stepmgr/gres_stepmgr.h"
#define taskgov_gres_set_job_tres_cnt gres_stepmgr_set_job_tres_cnt
#else
#include "src/slurmctld/gres_ctld.h"
#define taskgov_gres_set_job_tres_cnt gres_ctld_set_job_tres_cnt
#endif

#endif
