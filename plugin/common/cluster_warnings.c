/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "slurm/slurm.h"
#include "slurm/slurmdb.h"
#include "src/common/assoc_mgr.h"
#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "cluster_warnings.h"
#include "compat/list.h"

typedef struct {
	const char **names;
	size_t count;
	size_t capacity;
} names_t;

static void _add(names_t *list, const char *name)
{
	if (list->count == list->capacity) {
		list->capacity = list->capacity ? 2 * list->capacity : 16;
		xrecalloc(list->names, list->capacity, sizeof(char *));
	}
	list->names[list->count++] = name;
}

static int _add_account(void *x, void *arg)
{
	slurmdb_assoc_rec_t *assoc = x;

	if (assoc->acct && !assoc->user)
		_add(arg, assoc->acct);
	return 0;
}

/* "cpu=64,gres/gpu:h100=8": the QOS's GrpTRES by name, as sacctmgr shows it. */
static char *_grp_tres_text(const slurmdb_qos_rec_t *qos)
{
	char *text = NULL;

	for (uint32_t i = 0; qos->grp_tres_ctld && i < g_tres_count; i++) {
		if (qos->grp_tres_ctld[i] == INFINITE64 || !assoc_mgr_tres_name_array[i])
			continue;
		xstrfmtcat(text, "%s%s=%" PRIu64, text ? "," : "",
			   assoc_mgr_tres_name_array[i], qos->grp_tres_ctld[i]);
	}
	return text;
}

static char *_partitions_of(const slurmdb_qos_rec_t *qos)
{
	char *text = NULL;
	part_record_t *part;
	list_itr_t *it = list_iterator_create(part_list);

	while ((part = list_next(it))) {
		if (part->qos_ptr == qos)
			xstrfmtcat(text, "%s%s", text ? "," : "", part->name);
	}
	list_iterator_destroy(it);
	return text;
}

static void _log_warning(const char *warning, void *arg __attribute__((unused)))
{
	error("taskgov: WARNING: %s", warning);
}

extern void taskgov_log_cluster_warnings(tg_engine_t *engine)
{
	assoc_mgr_lock_t locks = { .assoc = READ_LOCK, .qos = READ_LOCK, .tres = READ_LOCK };
	names_t tracked = { 0 }, accounts = { 0 }, qos_names = { 0 }, qos_tres = { 0 },
		qos_parts = { 0 };
	tg_cluster_facts_t facts;
	slurmdb_qos_rec_t *qos;
	list_itr_t *it;

	assoc_mgr_lock(&locks);
	for (uint32_t i = 0; assoc_mgr_tres_name_array && i < g_tres_count; i++)
		if (assoc_mgr_tres_name_array[i])
			_add(&tracked, assoc_mgr_tres_name_array[i]);
	if (assoc_mgr_assoc_list)
		list_for_each(assoc_mgr_assoc_list, _add_account, &accounts);
	if (assoc_mgr_qos_list) {
		it = list_iterator_create(assoc_mgr_qos_list);
		while ((qos = list_next(it))) {
			_add(&qos_names, qos->name);
			_add(&qos_tres, _grp_tres_text(qos));
			_add(&qos_parts, _partitions_of(qos));
		}
		list_iterator_destroy(it);
	}
	facts = (tg_cluster_facts_t) {
		.tracked_tres = tracked.names,
		.tracked_count = tracked.count,
		.enforce_limits = (accounting_enforce & ACCOUNTING_ENFORCE_LIMITS) != 0,
		.accounts = accounts.names,
		.account_count = accounts.count,
		.qos_names = qos_names.names,
		.qos_grp_tres = qos_tres.names,
		.qos_partitions = qos_parts.names,
		.qos_count = qos_names.count,
	};
	/* The names are borrowed from assoc_mgr: warn before unlocking (logging takes no lock
	 * of slurmctld's). */
	tg_cluster_warnings(engine, &facts, _log_warning, NULL);
	assoc_mgr_unlock(&locks);
	for (size_t i = 0; i < qos_tres.count; i++) {
		xfree(qos_tres.names[i]);
		xfree(qos_parts.names[i]);
	}
	xfree(tracked.names);
	xfree(accounts.names);
	xfree(qos_names.names);
	xfree(qos_tres.names);
	xfree(qos_parts.names);
}
