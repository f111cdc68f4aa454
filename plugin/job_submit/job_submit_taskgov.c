/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_submit/taskgov: maps a job's account to its team, gives it its class (the lowest when it
 * names none), types untyped GPU requests, fills proportional CPU/memory defaults, refuses what
 * no limit of the team could ever admit, and stamps AdminComment with team and class.
 *
 * The rules live in libtaskgov (src/submission.cpp); this shim copies job_desc's fields in and
 * the decision's changes back. The engine instance is shared with priority/taskgov, which loads
 * the policy: until it has, every job passes untouched.
 */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/job_record.h"
#include "compat/job_submit.h"
#include "compat/tres_strings.h"
#include "gpu_typing.h"
#include "hetjob_sums.h"
#include "submit_decision.h"
#include "taskgov_shim.h"
#include "team_pins.h"
#include "update_scope.h"

const char plugin_name[] = "taskgov job submit plugin (teams, classes, request checks)";
const char plugin_type[] = "job_submit/taskgov";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

static tg_engine_t *engine = NULL;

extern int init(void)
{
	engine = tg_engine_acquire();
	if (!engine) {
		error("%s: cannot create the taskgov engine", plugin_type);
		return SLURM_ERROR;
	}
	info("%s: init: taskgov %s", plugin_type, tg_version());
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	tg_engine_release(engine);
	engine = NULL;
	return SLURM_SUCCESS;
}

static uint32_t _value32(uint32_t v)
{
	return (v == NO_VAL) ? 0 : v;
}

static int _error_code(int outcome)
{
	switch (outcome) {
	case TG_SUBMIT_INVALID_ACCOUNT: return ESLURM_INVALID_ACCOUNT;
	case TG_SUBMIT_INVALID_QOS: return ESLURM_INVALID_QOS;
	case TG_SUBMIT_INVALID_GRES: return ESLURM_INVALID_GRES;
	case TG_SUBMIT_ACCOUNTING_POLICY: return ESLURM_ACCOUNTING_POLICY;
	default: return SLURM_SUCCESS;
	}
}

static void _replace(char **field, const char *value)
{
	if (!value[0])
		return;
	xfree(*field);
	*field = xstrdup(value);
}

/* A request string the engine wrote, in the spelling of the Slurm release (compat/tres_strings.h). */
static void _replace_tres(char **field, char *value)
{
	taskgov_tres_string_for_slurm(value);
	_replace(field, value);
}

/* An earlier plugin in JobSubmitPlugins may have left a message: keep it, add ours. */
static void _add_err_msg(char **err_msg, const char *text)
{
	if (!text[0])
		return;
	if (*err_msg && (*err_msg)[0])
		xstrfmtcat(*err_msg, "\n%s", text);
	else {
		xfree(*err_msg);
		*err_msg = xstrdup(text);
	}
}

static const char internal_error[] =
	"taskgov: this job could not be checked against its team's rules (see slurmctld.log), so "
	"it is refused rather than let past its team's quota; check the account and partition "
	"(sacctmgr show assoc user=$USER), or ask your admin";

extern int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];
	tg_submit_request_t req = {
		.qos = job_desc->qos,
		.tres_per_job = job_desc->tres_per_job,
		.tres_per_node = job_desc->tres_per_node,
		.tres_per_task = job_desc->tres_per_task,
		.tres_per_socket = job_desc->tres_per_socket,
		.cpus_per_tres = job_desc->cpus_per_tres,
		.mem_per_tres = job_desc->mem_per_tres,
		.min_nodes = _value32(job_desc->min_nodes),
		.num_tasks = _value32(job_desc->num_tasks),
		.min_cpus = _value32(job_desc->min_cpus),
		.cpus_per_task = (job_desc->cpus_per_task == NO_VAL16) ? 0 : job_desc->cpus_per_task,
		.pn_min_memory = (job_desc->pn_min_memory == NO_VAL64) ?
			0 : (job_desc->pn_min_memory & ~MEM_PER_CPU),
		.mem_per_cpu = (job_desc->pn_min_memory != NO_VAL64) &&
			(job_desc->pn_min_memory & MEM_PER_CPU),
		.admin_comment = job_desc->admin_comment,
		.uid = submit_uid,
		.job_id = (job_desc->job_id == NO_VAL) ? 0 : job_desc->job_id,
	};
	tg_submit_decision_t decision;
	bool het = job_desc->het_job_offset != NO_VAL;
	int outcome;
	uint64_t *sum;

	if (!het || job_desc->het_job_offset == 0)
		hetjob_sums_start();
	outcome = submit_decide(engine, &req, &decision, lineage, job_desc->account,
				job_desc->user_id, job_desc->partition, false, het);
	if (outcome == OUTCOME_HETJOB_TEAMS) {
		_add_err_msg(err_msg, "taskgov: a heterogeneous job may span at most 8 teams; "
				      "submit it as several jobs");
		return ESLURM_ACCOUNTING_POLICY;
	}
	if (het && outcome == TG_SUBMIT_ACCEPT && !decision.shadow &&
	    (sum = hetjob_sums_of(decision.team)))
		for (int r = 0; r < TG_MAX_RESOURCES; r++)
			sum[r] += decision.request[r];

	if (outcome == TG_SUBMIT_NO_POLICY || outcome == TG_SUBMIT_UNGOVERNED)
		return SLURM_SUCCESS;
	if (outcome == OUTCOME_INTERNAL_ERROR) {
		error("%s: refused a job of uid %u (account %s, partition %s): the association or "
		      "the engine's decision failed", plugin_type, submit_uid,
		      job_desc->account ? job_desc->account : "(default)",
		      job_desc->partition ? job_desc->partition : "(default)");
		_add_err_msg(err_msg, internal_error);
		return ESLURM_INVALID_ACCOUNT;
	}
	if (decision.shadow) {
		info("%s: shadow mode: uid %u account %s: would %s: %s", plugin_type, submit_uid,
		     job_desc->account ? job_desc->account : "(default)",
		     outcome == TG_SUBMIT_ACCEPT ? "accept" : "refuse", decision.message);
		return SLURM_SUCCESS;
	}
	if (outcome != TG_SUBMIT_ACCEPT) {
		_add_err_msg(err_msg, decision.message);
		return _error_code(outcome);
	}

	if (!job_desc->qos)
		_replace(&job_desc->qos, decision.qos);
	_replace_tres(&job_desc->tres_per_job, decision.tres_per_job);
	_replace_tres(&job_desc->tres_per_node, decision.tres_per_node);
	_replace_tres(&job_desc->tres_per_task, decision.tres_per_task);
	_replace_tres(&job_desc->tres_per_socket, decision.tres_per_socket);
	_replace_tres(&job_desc->cpus_per_tres, decision.cpus_per_tres);
	_replace_tres(&job_desc->mem_per_tres, decision.mem_per_tres);
	if (decision.min_cpus)
		job_desc->min_cpus = decision.min_cpus;
	if (decision.pn_min_memory)
		job_desc->pn_min_memory = decision.pn_min_memory;
	_replace(&job_desc->admin_comment, decision.admin_comment);
	/* Slurm stores the site factor biased by NICE_OFFSET, like nice values. */
	if (job_desc->site_factor == NO_VAL)
		job_desc->site_factor = NICE_OFFSET + decision.site_factor;
	_add_err_msg(err_msg, decision.message);
	/* A job that fits its team's limit must not wait for the cycle behind a GrpJobs pin. */
	if (job_desc->priority != 0)
		team_pins_release_team(engine, decision.team, decision.request);
	return SLURM_SUCCESS;
}

#define PICK(field) (job_desc->field ? job_desc->field : job_ptr->field)

/* A refusal is logged, and told to the user where Slurm passes job_modify a message (err_msg,
 * NULL before 23.02: then only the error code reaches scontrol). */
static int _refuse_update(job_record_t *job_ptr, uint32_t submit_uid, int code, const char *why,
			  char **err_msg)
{
	error("%s: refused update of %pJ by uid %u: %s", plugin_type, job_ptr, submit_uid, why);
	if (err_msg)
		_add_err_msg(err_msg, why);
	return code;
}

/* Refusals: see _refuse_update.
 *
 * Besides updates of what taskgov governs, any update of a pending job that still asks for
 * untyped GPUs (moved here from an unmapped account, submitted in shadow mode or before a
 * policy loaded) types it, a release included: no governed job starts untyped. Nothing is
 * changed for an update naming a partition that does not exist: Slurm refuses it after this
 * call, and a team restamped here would outlive the refusal. */
extern int job_modify(TASKGOV_JOB_MODIFY_PARAMS)
{
	const char *lineage[TASKGOV_MAX_LINEAGE];
	job_details_t *details = job_ptr->details;
	tg_submit_request_t req;
	tg_submit_decision_t decision;
	char message[512] = "";
	const char *current_class = NULL;
	bool untyped;
	int outcome;

	/* An operator's SiteFactor is theirs: the priority cycle stops writing taskgov's term. */
	if (job_desc->site_factor != NO_VAL && validate_operator(submit_uid))
		tg_site_factor_set_by_operator(engine, job_ptr->job_id);
	if (!IS_JOB_PENDING(job_ptr) || !details)
		return SLURM_SUCCESS;
	/* Released, resized, moved: it may fit now; the next cycle pins its team again if not. */
	team_pins_release_job(engine, job_ptr);
	untyped = taskgov_job_has_untyped_gpus(job_ptr);
	if (!update_touches_governance(job_desc) && !untyped)
		return SLURM_SUCCESS;
	if ((job_desc->partition && !update_partitions_exist(job_desc->partition)) ||
	    update_refused_for_lengths(job_desc) ||
	    (job_desc->qos && !job_desc->qos[0] && !TASKGOV_EMPTY_QOS_UPDATE_IS_DEFAULT))
		return SLURM_SUCCESS;
	/* A job that enters a team from an unmapped account has a QOS that is no class: it gets
	 * the lowest class, as at submit, unless the update names one. */
	if (taskgov_class_of_job(engine, job_ptr) >= 0)
		current_class = job_ptr->qos_ptr->name;
	req = (tg_submit_request_t) {
		.qos = job_desc->qos ? job_desc->qos : current_class,
		.tres_per_job = PICK(tres_per_job),
		.tres_per_node = PICK(tres_per_node),
		.tres_per_task = PICK(tres_per_task),
		.tres_per_socket = PICK(tres_per_socket),
		.cpus_per_tres = PICK(cpus_per_tres),
		.mem_per_tres = PICK(mem_per_tres),
		.min_nodes = _value32(job_desc->min_nodes != NO_VAL ?
				      job_desc->min_nodes : details->min_nodes),
		.num_tasks = _value32(job_desc->num_tasks != NO_VAL ?
				      job_desc->num_tasks : details->num_tasks),
		.min_cpus = _value32(job_desc->min_cpus != NO_VAL ?
				     job_desc->min_cpus : details->min_cpus),
		.admin_comment = job_ptr->admin_comment,
		.uid = submit_uid,
		.job_id = job_ptr->job_id,
		.update = 1,
	};
	/* "QOS=" (empty) asks Slurm for the association's default QOS: judge that one. */
	outcome = submit_decide(engine, &req, &decision, lineage, PICK(account),
				job_ptr->user_id, PICK(partition), job_desc->qos && !job_desc->qos[0],
				false);
	if (outcome == TG_SUBMIT_NO_POLICY || outcome == TG_SUBMIT_UNGOVERNED)
		return SLURM_SUCCESS;
	if (outcome == OUTCOME_INTERNAL_ERROR)
		return _refuse_update(job_ptr, submit_uid, ESLURM_INVALID_ACCOUNT,
				      "the association or the engine's decision failed",
				      TASKGOV_JOB_MODIFY_ERR_MSG);
	if (outcome != TG_SUBMIT_ACCEPT) {
		if (decision.shadow) {
			info("%s: shadow mode: would refuse update of %pJ by uid %u: %s",
			     plugin_type, job_ptr, submit_uid, decision.message);
			return SLURM_SUCCESS;
		}
		return _refuse_update(job_ptr, submit_uid, _error_code(outcome), decision.message,
				      TASKGOV_JOB_MODIFY_ERR_MSG);
	}
	if (decision.shadow)
		return SLURM_SUCCESS;
	/* The job's own request first: a typed item in the update must find a typed one to
	 * replace, or Slurm refuses the pair as overlapping. */
	if (untyped && taskgov_type_job_gpus(engine, job_ptr, decision.team, message,
					     sizeof(message)) < 0)
		return _refuse_update(job_ptr, submit_uid, ESLURM_INVALID_GRES, message,
				      TASKGOV_JOB_MODIFY_ERR_MSG);
	_replace_tres(&job_desc->tres_per_job, job_desc->tres_per_job ? decision.tres_per_job : "");
	_replace_tres(&job_desc->tres_per_node, job_desc->tres_per_node ? decision.tres_per_node : "");
	_replace_tres(&job_desc->tres_per_task, job_desc->tres_per_task ? decision.tres_per_task : "");
	_replace(&job_desc->tres_per_socket,
		 job_desc->tres_per_socket ? decision.tres_per_socket : "");
	if (!job_desc->qos && !current_class)
		_replace(&job_desc->qos, decision.qos);
	/* job_modify holds the job write lock: the record can be restamped directly. */
	_replace(&job_ptr->admin_comment, decision.admin_comment);
	return SLURM_SUCCESS;
}
