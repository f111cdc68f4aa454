/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin interfaces' headers: in src/common/ and src/slurmctld/ up to 22.05, in
 * src/interfaces/ since 23.02 (slurm_accounting_storage.h became accounting_storage.h and
 * slurm_priority.h priority.h on the way).
 */
#ifndef TASKGOV_COMPAT_INTERFACES_H
#define TASKGOV_COMPAT_INTERFACES_H

#include "release.h"

#if TASKGOV_SLURM_AT_LEAST(23, 2)
#include "src/interfaces/accounting_storage.h"
#include "src/interfaces/gres.h"
#include "src/interfaces/preempt.h"
#include "src/interfaces/priority.h"
#include "src/interfaces/select.h"
#else
#include "src/common/gres.h"
#include "src/common/select.h"
#include "src/common/slurm_accounting_storage.h"
#include "src/common/slurm_priority.h"
#include "src/slurmctld/preempt.h"
#endif

#endif
