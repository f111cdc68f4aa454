/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_SACCT_TRAIL_H
#define TASKGOV_SACCT_TRAIL_H

#include "taskgov.h"

/* Makes sacct show what taskgov wrote on jobs while they wait and run: sends the AdminComment
 * of requeued victims to their new database record, and records "borrowed=…" on jobs the
 * published cycle sees running on borrowed quota. Caller holds the job write lock. */
extern void sacct_trail_write(tg_engine_t *engine);

#endif
