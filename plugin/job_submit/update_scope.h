/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_UPDATE_SCOPE_H
#define TASKGOV_UPDATE_SCOPE_H

#include <stdbool.h>

#include "slurm/slurm.h"

/* Whether an update touches what taskgov governs (account, QOS, partition, GRES/TRES, counts,
 * memory); other updates (time limit, name, ...) pass untouched. */
extern bool update_touches_governance(const job_desc_msg_t *d);

/* Whether every partition named exists (Slurm refuses the update otherwise). Caller holds the
 * partition read lock. */
extern bool update_partitions_exist(const char *partitions);

/* Whether Slurm will refuse the update for an over-long string, right after job_modify, with
 * no call that would let taskgov undo a stamp (_test_job_desc_fields in job_mgr.c). */
extern bool update_refused_for_lengths(const job_desc_msg_t *d);

#endif
