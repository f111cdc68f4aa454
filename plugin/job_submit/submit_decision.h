/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_SUBMIT_DECISION_H
#define TASKGOV_SUBMIT_DECISION_H

#include <stdbool.h>
#include <stdint.h>

#include "taskgov.h"

/* The engine failed on a job whose account a team owns, or the association of such an account
 * cannot be found: the caller refuses it, so that no governed job gets past unchecked. */
#define OUTCOME_INTERNAL_ERROR (-1)

/* Resolves the association the way slurmctld will (with the job's partition; "QOS=" empty on
 * update meaning the association's default QOS when default_qos) and asks the engine. The
 * account names are borrowed from assoc_mgr, so its lock is held until the engine has looked
 * them up. Returns the decision's tg_submit_outcome, or OUTCOME_INTERNAL_ERROR (in shadow mode
 * only logged, and TG_SUBMIT_NO_POLICY returned). Caller holds the partition read lock. */
extern int submit_decide(tg_engine_t *engine, tg_submit_request_t *req,
			 tg_submit_decision_t *decision, const char **lineage, const char *account,
			 uint32_t uid, const char *partitions, bool default_qos);

#endif
