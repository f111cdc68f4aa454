/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_submit/taskgov asks the engine about a submission or an update with the association
 * slurmctld itself will use, and fails closed for a team's accounts.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "slurm/slurm.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "hetjob_sums.h"
#include "submit_decision.h"
#include "taskgov_shim.h"

/* The association slurmctld will use: with the job's partition (a user may have associations
 * for some partitions only: sacctmgr add user ... partition=gpu), the first partition of a
 * list that has one, else the default partition; then without one, as for a reservation's.
 * Caller holds assoc READ and the partition read lock. */
static slurmdb_assoc_rec_t *_find_assoc(const char *account, uint32_t uid, const char *partitions,
					const char **lineage_account)
{
	slurmdb_assoc_rec_t rec, *assoc = NULL;
	char *list = xstrdup(partitions), *save = NULL, *name;

	if (!partitions && default_part_loc)
		list = xstrdup(default_part_loc->name);
	for (name = list ? strtok_r(list, ",", &save) : NULL; name && !assoc;
	     name = strtok_r(NULL, ",", &save)) {
		memset(&rec, 0, sizeof(rec));
		rec.acct = (char *) account;
		rec.uid = uid;
		rec.partition = name;
		if (assoc_mgr_fill_in_assoc(acct_db_conn, &rec, accounting_enforce, &assoc, true) !=
		    SLURM_SUCCESS)
			assoc = NULL;
	}
	xfree(list);
	if (!assoc) {
		memset(&rec, 0, sizeof(rec));
		rec.acct = (char *) account;
		rec.uid = uid;
		if (assoc_mgr_fill_in_assoc(acct_db_conn, &rec, accounting_enforce, &assoc, true) !=
		    SLURM_SUCCESS)
			assoc = NULL;
	}
	*lineage_account = assoc ? assoc->acct : NULL;
	return assoc;
}

/* Slurm's choice for "QOS=" (empty) on update: the association's default QOS. Caller holds
 * assoc and QOS READ. */
static void _default_qos(slurmdb_assoc_rec_t *assoc, char *out, size_t len)
{
	slurmdb_qos_rec_t rec;
	slurmdb_qos_rec_t *qos = NULL;

	memset(&rec, 0, sizeof(rec));
	assoc_mgr_get_default_qos_info(assoc, &rec);
	if (!rec.name && assoc_mgr_fill_in_qos(acct_db_conn, &rec, accounting_enforce, &qos, true) ==
	    SLURM_SUCCESS && qos)
		rec.name = qos->name;
	snprintf(out, len, "%s", rec.name ? rec.name : "normal");
}

static bool _shadow(tg_engine_t *engine)
{
	tg_settings_t settings;
	return tg_settings(engine, &settings) == TG_OK && settings.shadow;
}

/* Since 23.02 Slurm runs submit and modify calls side by side (compat/job_submit.h); the
 * engine's submission path and its audit records are taken one call at a time. */
static pthread_mutex_t decide_lock = PTHREAD_MUTEX_INITIALIZER;

extern int submit_decide(tg_engine_t *engine, tg_submit_request_t *req,
			 tg_submit_decision_t *decision, const char **lineage, const char *account,
			 uint32_t uid, const char *partitions, bool default_qos, bool hetjob)
{
	slurmdb_assoc_rec_t *assoc;
	assoc_mgr_lock_t locks = { .assoc = READ_LOCK, .qos = READ_LOCK, .user = READ_LOCK };
	const char *assoc_account = NULL;
	char qos[256] = "";
	int outcome = TG_SUBMIT_NO_POLICY; /* no association: Slurm itself refuses the job */
	int team;

	req->lineage = lineage;
	req->account = account;
	req->multifactor_max = taskgov_multifactor_max();
	memset(decision, 0, sizeof(*decision));
	slurm_mutex_lock(&decide_lock);
	assoc_mgr_lock(&locks);
	assoc = _find_assoc(account, uid, partitions, &assoc_account);
	if (assoc) {
		req->lineage_depth = taskgov_account_lineage(assoc, lineage);
		if (!req->account)
			req->account = assoc_account;
		if (default_qos) {
			_default_qos(assoc, qos, sizeof(qos));
			req->qos = qos;
		}
		team = tg_team_of_lineage(engine, lineage, req->lineage_depth);
		if (hetjob && team >= 0 && !(req->hetjob_earlier = hetjob_sums_of(team)))
			outcome = OUTCOME_HETJOB_TEAMS;
		else if (tg_decide_submission(engine, req, decision) == TG_OK)
			outcome = decision->outcome;
		else if (team != -1)
			outcome = OUTCOME_INTERNAL_ERROR;
	} else if (account) {
		/* No association: if slurmctld does not refuse the job for it (associations not
		 * enforced), a team's account must not run unchecked. */
		lineage[0] = account;
		team = tg_team_of_lineage(engine, lineage, 1);
		if (team >= 0 && !(accounting_enforce & ACCOUNTING_ENFORCE_ASSOCS))
			outcome = OUTCOME_INTERNAL_ERROR;
	}
	assoc_mgr_unlock(&locks);
	slurm_mutex_unlock(&decide_lock);
	if ((outcome == OUTCOME_INTERNAL_ERROR || outcome == OUTCOME_HETJOB_TEAMS) &&
	    _shadow(engine)) {
		info("%s: shadow mode: would refuse a job of uid %u (account %s): %s", "job_submit/taskgov",
		     uid, account ? account : "(default)", outcome == OUTCOME_HETJOB_TEAMS ?
		     "its hetjob spans more than 8 teams" : "the association or the engine's decision failed");
		outcome = TG_SUBMIT_NO_POLICY;
	}
	return outcome;
}

