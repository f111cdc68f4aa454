/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_CYCLE_SNAPSHOT_H
#define TASKGOV_CYCLE_SNAPSHOT_H

#include <time.h>

#include "taskgov.h"
#include "tres_map.h"

/* Every running job and every pending job that could compete (not held), with its team,
 * class and request in the engine's resource order. NULL when there is no policy. Caller
 * holds the job lock and assoc_mgr's assoc, QOS and TRES read locks. */
extern tg_snapshot_t *cycle_snapshot_take(tg_engine_t *engine, const taskgov_tres_map_t *map,
					  time_t now);

#endif
