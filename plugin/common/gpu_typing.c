/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "compat/gres.h"
#include "compat/tres_strings.h"
#include "gpu_typing.h"
#include "taskgov_shim.h"

static int _is_untyped_gpu(void *x, void *arg __attribute__((unused)))
{
	gres_state_t *state = x;
	gres_job_state_t *js = state->gres_data;

	return state->gres_name && !strcmp(state->gres_name, "gpu") && js && !js->type_name;
}

extern bool taskgov_job_has_untyped_gpus(const job_record_t *job_ptr)
{
	return job_ptr->gres_list_req &&
	       list_find_first(job_ptr->gres_list_req, _is_untyped_gpu, NULL);
}

typedef struct {
	const char *type;
	uint32_t type_id;
	bool clash; /* the job also has an item of that type: two entries would have to merge */
} typing_t;

static int _find_clash(void *x, void *arg)
{
	gres_state_t *state = x;
	gres_job_state_t *js = state->gres_data;
	typing_t *typing = arg;

	if (state->gres_name && !strcmp(state->gres_name, "gpu") && js && js->type_name &&
	    js->type_id == typing->type_id)
		typing->clash = true;
	return 0;
}

static int _set_type(void *x, void *arg)
{
	gres_state_t *state = x;
	gres_job_state_t *js = state->gres_data;
	typing_t *typing = arg;

	if (_is_untyped_gpu(x, NULL)) {
		js->type_name = xstrdup(typing->type);
		js->type_id = typing->type_id;
	}
	return 0;
}

extern int taskgov_type_job_gpus(tg_engine_t *engine, job_record_t *job_ptr, int team,
				 char *message, size_t message_len)
{
	char **fields[] = { &job_ptr->tres_per_job, &job_ptr->tres_per_node,
			    &job_ptr->tres_per_task, &job_ptr->tres_per_socket };
	char typed[4][1024], type[64] = "";
	bool changed[4] = { false };
	typing_t typing;

	if (!IS_JOB_PENDING(job_ptr) || !job_ptr->details || !taskgov_job_has_untyped_gpus(job_ptr))
		return 0;
	for (int i = 0; i < 4; i++) {
		int rc = tg_type_gpus(engine, team, *fields[i], typed[i], sizeof(typed[i]), type,
				      sizeof(type), message, message_len);
		if (rc < 0) {
			if (rc != TG_ERROR)
				snprintf(message, message_len,
					 "taskgov: cannot type the GPU request (no policy or team)");
			return -1;
		}
		changed[i] = rc == 1;
	}
	if (!type[0]) /* untyped in the parsed request only: nothing the strings say to fix */
		return 0;
	typing = (typing_t) { .type = type, .type_id = gres_build_id(type) };
	list_for_each(job_ptr->gres_list_req, _find_clash, &typing);
	if (typing.clash) {
		snprintf(message, message_len,
			 "taskgov: the job asks for untyped GPUs and gpu:%s side by side; cancel it "
			 "and resubmit with one --gres=gpu:%s:N", type, type);
		return -1;
	}
	list_for_each(job_ptr->gres_list_req, _set_type, &typing);
	for (int i = 0; i < 4; i++) {
		if (!changed[i])
			continue;
		xfree(*fields[i]);
		taskgov_tres_string_for_slurm(typed[i]);
		*fields[i] = xstrdup(typed[i]);
	}
	/* The counts Slurm limits the job by (gres/gpu:<type> now holds its GPUs too). */
	taskgov_gres_set_job_tres_cnt(job_ptr->gres_list_req, job_ptr->details->min_nodes,
				   job_ptr->tres_req_cnt, false);
	set_job_tres_req_str(job_ptr, false);
	last_job_update = time(NULL);
	info("taskgov: %pJ: untyped GPU request typed to gpu:%s, team %s's only GPU type",
	     job_ptr, type, tg_team_name(engine, team));
	return 1;
}

static int _type_or_hold(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	tg_engine_t *engine = arg;
	char message[512] = "";
	int team;

	if (!IS_JOB_PENDING(job_ptr) || !taskgov_job_has_untyped_gpus(job_ptr))
		return 0;
	team = taskgov_team_of_job(engine, job_ptr, false);
	if (team < 0 || taskgov_type_job_gpus(engine, job_ptr, team, message, sizeof(message)) >= 0)
		return 0;
	/* A user hold: the user may release it, and the release tries the typing again. */
	job_ptr->priority = 0;
	job_ptr->direct_set_prio = 1;
	job_ptr->state_reason = WAIT_HELD_USER;
	xfree(job_ptr->state_desc);
	job_ptr->state_desc = xstrdup_printf(
		"%s (held: an untyped GPU request from before the policy was enforced)", message);
	last_job_update = time(NULL);
	error("taskgov: held %pJ: %s", job_ptr, message);
	return 0;
}

extern void taskgov_type_pending_jobs(tg_engine_t *engine)
{
	tg_settings_t settings;

	if (tg_settings(engine, &settings) != TG_OK || settings.shadow || !job_list)
		return;
	list_for_each(job_list, _type_or_hold, engine);
}
