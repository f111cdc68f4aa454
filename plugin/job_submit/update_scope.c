/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which updates job_submit/taskgov has a say in: it must change nothing for an update Slurm
 * will refuse after job_modify, because a team restamped here would outlive the refusal.
 */
#include "config.h"

#include <sys/param.h>
#include <string.h>

#include "slurm/slurm.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "update_scope.h"

/* Whether each partition named exists: an update naming one that does not fails in Slurm after
 * job_modify, so taskgov changes nothing for it. */
extern bool update_partitions_exist(const char *partitions)
{
	char *list = xstrdup(partitions), *save = NULL, *name;
	bool all = true;

	for (name = list ? strtok_r(list, ",", &save) : NULL; name && all;
	     name = strtok_r(NULL, ",", &save))
		all = find_part_record(name) != NULL;
	xfree(list);
	return all;
}

/* Whether an update touches what taskgov governs; other updates (time limit, name, ...) pass. */
extern bool update_touches_governance(const job_desc_msg_t *d)
{
	return d->account || d->qos || d->partition || d->tres_per_job || d->tres_per_node ||
	       d->tres_per_task || d->tres_per_socket || d->cpus_per_tres || d->mem_per_tres ||
	       d->min_cpus != NO_VAL || d->min_nodes != NO_VAL || d->num_tasks != NO_VAL ||
	       d->cpus_per_task != NO_VAL16 || d->pn_min_memory != NO_VAL64;
}

/* Slurm refuses an update with an over-long string right after job_modify, with no call that
 * would let priority/taskgov correct a stamp made here (_test_job_desc_fields in job_mgr.c):
 * such an update changes nothing of the job, so taskgov leaves it alone too. */
extern bool update_refused_for_lengths(const job_desc_msg_t *d)
{
	const struct {
		const char *text;
		size_t max;
	} fields[] = {
		{ d->account, 1024 },	     { d->comment, 1024 },	  { d->cpus_per_tres, 1024 },
		{ d->features, 1024 },	     { d->licenses, 1024 },	  { d->mail_user, 1024 },
		{ d->mcs_label, 1024 },	     { d->mem_per_tres, 1024 },	  { d->name, 1024 },
		{ d->network, 1024 },	     { d->partition, 1024 },	  { d->prefer, 1024 },
		{ d->qos, 1024 },	     { d->reservation, 1024 },	  { d->tres_bind, 1024 },
		{ d->tres_freq, 1024 },	     { d->tres_per_job, 1024 },	  { d->tres_per_node, 1024 },
		{ d->tres_per_socket, 1024 }, { d->tres_per_task, 1024 }, { d->wckey, 1024 },
		{ d->array_inx, 4096 },	     { d->burst_buffer, 8192 },	  { d->dependency, 131072 },
		{ d->cpu_bind, 131072 },     { d->mem_bind, 131072 },	  { d->std_err, MAXPATHLEN },
		{ d->std_in, MAXPATHLEN },   { d->std_out, MAXPATHLEN },  { d->work_dir, MAXPATHLEN },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].text && strlen(fields[i].text) > fields[i].max)
			return true;
	return false;
}
