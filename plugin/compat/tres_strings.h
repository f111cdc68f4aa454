/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a job's GRES requests are spelled in job_desc and the job record (tres_per_job,
 * tres_per_node, tres_per_task, tres_per_socket, cpus_per_tres, mem_per_tres): "gres:gpu:h100:2"
 * in 22.05, "gres/gpu:h100:2" in 24.11, which refuses the older form ("Invalid Trackable
 * RESource (TRES) specification", seen for cpus_per_tres). libtaskgov reads both and writes the
 * older; a string it wrote goes through taskgov_tres_string_for_slurm before it reaches Slurm.
 * The two forms have the same length: the change is made in place.
 */
#ifndef TASKGOV_COMPAT_TRES_STRINGS_H
#define TASKGOV_COMPAT_TRES_STRINGS_H

#include <string.h>

#include "release.h"

#define TASKGOV_TRES_GRES_SLASH TASKGOV_SLURM_AT_LEAST(23, 2)

static inline void taskgov_tres_string_for_slurm(char *text)
{
	if (!TASKGOV_TRES_GRES_SLASH || !text)
		return;
	for (char *p = text; (p = strstr(p, "gres:")); p += 5)
		if (p == text || p[-1] == ',')
			p[4] = '/';
}

#endif
