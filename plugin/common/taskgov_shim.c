/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "slurm/slurm.h"
#include "slurm/slurmdb.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/plugin.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/interfaces.h"
#include "compat/job_record.h"
#include "compat/list.h"
#include "taskgov_shim.h"

extern char *taskgov_policy_path(void)
{
	char *conf = xstrdup(slurm_conf.slurm_conf ? slurm_conf.slurm_conf : "/etc/slurm/slurm.conf");
	char *path = xstrdup_printf("%s/taskgov.json", dirname(conf));
	xfree(conf);
	return path;
}

extern tg_inventory_t *taskgov_inventory_from_nodes(void)
{
	tg_inventory_t *inventory = tg_inventory_new();
	node_record_t *node_ptr;

	if (!inventory)
		return NULL;
	for (int i = 0; (node_ptr = next_node(&i)); i++) {
		config_record_t *config = node_ptr->config_ptr;
		/* The configured shape, not what a node reported: quotas are planned on slurm.conf. */
		if (!config)
			continue;
		tg_inventory_add_node(inventory, config->feature, config->cpus,
				      config->real_memory, config->gres);
	}
	return inventory;
}

extern plugin_context_t *taskgov_load_delegate(const char *kind, const char *type, void **ops,
				   const char **syms, size_t syms_size)
{
	plugin_context_t *context = plugin_context_create(kind, type, ops, syms, syms_size);

	if (!context)
		error("taskgov: cannot load %s to delegate to; is it installed in PluginDir?", type);
	return context;
}

extern void taskgov_unload_delegate(plugin_context_t *context)
{
	if (context)
		plugin_context_destroy(context);
}

extern uint64_t taskgov_multifactor_max(void)
{
	uint64_t sum = (uint64_t) slurm_conf.priority_weight_age + slurm_conf.priority_weight_assoc +
		       slurm_conf.priority_weight_fs + slurm_conf.priority_weight_js +
		       slurm_conf.priority_weight_part + slurm_conf.priority_weight_qos;
	const char *tres = slurm_conf.priority_weight_tres;

	/* "CPU=1000,Mem=2000,GRES/gpu=3000": each TRES factor adds at most its weight. */
	while (tres && (tres = strchr(tres, '='))) {
		sum += strtoull(tres + 1, NULL, 10);
		tres++;
	}
	return sum;
}

extern int taskgov_account_lineage(const slurmdb_assoc_rec_t *assoc, const char **lineage)
{
	const slurmdb_assoc_rec_t *a = assoc;
	int depth = 0;

	/* A user association and its account's association name the same account: keep one. */
	for (; a && depth < TASKGOV_MAX_LINEAGE; a = a->usage ? a->usage->parent_assoc_ptr : NULL) {
		if (!a->acct || (depth && !strcmp(lineage[depth - 1], a->acct)))
			continue;
		lineage[depth++] = a->acct;
	}
	return depth;
}

extern int taskgov_team_of_job(tg_engine_t *engine, const job_record_t *job_ptr,
			       bool assoc_locked)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];
	assoc_mgr_lock_t locks = { .assoc = READ_LOCK };
	int team = tg_association_team(engine, job_ptr->assoc_id);

	if (team != TG_UNKNOWN)
		return team;
	if (!assoc_locked)
		assoc_mgr_lock(&locks);
	team = job_ptr->assoc_ptr ?
		tg_team_of_lineage(engine, lineage,
				   taskgov_account_lineage(job_ptr->assoc_ptr, lineage)) : -1;
	if (!assoc_locked)
		assoc_mgr_unlock(&locks);
	if (team < -1)
		team = -1;
	tg_association_team_remember(engine, job_ptr->assoc_id, team);
	return team;
}

static int _is_account_assoc(void *x, void *key)
{
	slurmdb_assoc_rec_t *assoc = x;
	return !assoc->user && assoc->acct && !xstrcmp(assoc->acct, key);
}

extern slurmdb_assoc_rec_t *taskgov_account_assoc(const char *account)
{
	if (!assoc_mgr_assoc_list)
		return NULL;
	return list_find_first(assoc_mgr_assoc_list, _is_account_assoc, (void *) account);
}

extern int taskgov_class_of_job(tg_engine_t *engine, const job_record_t *job_ptr)
{
	return job_ptr->qos_ptr ? tg_class_of_qos(engine, job_ptr->qos_ptr->name) : -1;
}

extern void taskgov_push_admin_comment(job_record_t *job_ptr)
{
	slurmdb_job_cond_t job_cond;
	slurmdb_job_rec_t job_rec;
	slurm_selected_step_t step;
	list_t *ret_list;

	if (!job_ptr->details || !taskgov_queue_job_record(job_ptr))
		return;
	memset(&job_cond, 0, sizeof(job_cond));
	memset(&job_rec, 0, sizeof(job_rec));
	memset(&step, 0, sizeof(step));
	step.array_task_id = NO_VAL;
	step.step_id.job_id = job_ptr->job_id;
	step.het_job_offset = NO_VAL;
	step.step_id.step_id = NO_VAL;
	step.step_id.step_het_comp = NO_VAL;
	job_cond.step_list = list_create(NULL);
	list_append(job_cond.step_list, &step);
	/* Asynchronous: slurmctld must not wait on slurmdbd under the job lock. */
	job_cond.flags = JOBCOND_FLAG_NO_WAIT | JOBCOND_FLAG_NO_DEFAULT_USAGE;
	/* Any record flags: zero would ask for records with no flag set, which excludes every
	 * job the scheduler started (sacctmgr sets the same). */
	job_cond.db_flags = SLURMDB_JOB_FLAG_NOTSET;
	job_cond.cluster_list = list_create(NULL);
	list_append(job_cond.cluster_list, slurm_conf.cluster_name);
	job_cond.usage_start = job_ptr->details->submit_time;
	job_rec.admin_comment = job_ptr->admin_comment;
	ret_list = acct_storage_g_modify_job(acct_db_conn, slurm_conf.slurm_user_id, &job_cond,
					     &job_rec);
	FREE_NULL_LIST(job_cond.cluster_list);
	FREE_NULL_LIST(job_cond.step_list);
	FREE_NULL_LIST(ret_list);
}

extern void taskgov_append_to_job(job_record_t *job_ptr, const char *fields)
{
	/* A requeued job may be preempted many times; keep the comment bounded. */
	if (job_ptr->admin_comment && strlen(job_ptr->admin_comment) > 2048)
		return;
	if (job_ptr->admin_comment && job_ptr->admin_comment[0])
		xstrfmtcat(job_ptr->admin_comment, ";%s", fields);
	else
		job_ptr->admin_comment = xstrdup(fields);
}

extern void taskgov_record_on_job(job_record_t *job_ptr, const char *fields)
{
	taskgov_append_to_job(job_ptr, fields);
	taskgov_push_admin_comment(job_ptr);
}
