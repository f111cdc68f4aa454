/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hetjob_sums.h"

#include <string.h>

/* Per thread: RPCs validating jobs under the job read lock run side by side. */
static __thread struct {
	int count;
	int team[HETJOB_TEAMS];
	uint64_t sum[HETJOB_TEAMS][TG_MAX_RESOURCES];
} sums;

extern void hetjob_sums_start(void)
{
	sums.count = 0;
}

extern uint64_t *hetjob_sums_of(int team)
{
	for (int i = 0; i < sums.count; i++)
		if (sums.team[i] == team)
			return sums.sum[i];
	if (sums.count == HETJOB_TEAMS)
		return NULL;
	sums.team[sums.count] = team;
	memset(sums.sum[sums.count], 0, sizeof(sums.sum[0]));
	return sums.sum[sums.count++];
}
