/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where each engine resource sits in slurmctld's TRES arrays, so a shim can hand a job's
 * tres_req_cnt or tres_alloc_cnt to the engine in the engine's resource order.
 */
#ifndef TASKGOV_TRES_MAP_H
#define TASKGOV_TRES_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "taskgov.h"

typedef struct {
	int count;
	int pos[TG_MAX_RESOURCES]; /* -1: not accounted (AccountingStorageTRES lacks it) */
} taskgov_tres_map_t;

/* The positions of the engine's `count` resources; tres_locked: the caller holds assoc_mgr's
 * TRES read lock (else it is taken here). */
extern void taskgov_tres_map(tg_engine_t *engine, int count, bool tres_locked,
			     taskgov_tres_map_t *map);

/* out[r] = tres[map->pos[r]] (0 where not accounted or tres is NULL). */
extern void taskgov_tres_amounts(const uint64_t *tres, const taskgov_tres_map_t *map,
				 uint64_t *out);

#endif
