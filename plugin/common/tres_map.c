/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "slurm/slurmdb.h"
#include "src/common/assoc_mgr.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "tres_map.h"

extern void taskgov_tres_map(tg_engine_t *engine, int count, bool tres_locked,
			     taskgov_tres_map_t *map)
{
	map->count = count;
	for (int r = 0; r < count; r++) {
		const char *name = tg_resource_name(engine, r);
		slurmdb_tres_rec_t rec = { 0 };
		char *type = xstrdup(name), *slash = strchr(type, '/');

		/* "gres/gpu:h100" -> type "gres", name "gpu:h100"; "cpu" -> type "cpu". */
		if (slash) {
			*slash = '\0';
			rec.name = slash + 1;
		}
		rec.type = type;
		map->pos[r] = assoc_mgr_find_tres_pos(&rec, tres_locked);
		xfree(type);
	}
}

extern void taskgov_tres_amounts(const uint64_t *tres, const taskgov_tres_map_t *map,
				 uint64_t *out)
{
	for (int r = 0; r < map->count; r++)
		out[r] = (tres && map->pos[r] >= 0) ? tres[map->pos[r]] : 0;
}
