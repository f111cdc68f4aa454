/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "cluster_warnings.h"
#include "gpu_typing.h"
#include "policy_load.h"
#include "taskgov_shim.h"

/* Reads a policy file and installs it against the node table: the file is read and parsed
 * before any lock; the job write lock covers only the install, which keeps the other two plugins
 * (they read the engine under the job lock) out while the policy is swapped. */
static int _read_and_install(tg_engine_t *engine, const char *path, char *message, size_t message_len)
{
	slurmctld_lock_t lock = { .job = WRITE_LOCK, .node = READ_LOCK };
	slurmctld_lock_t part_read = { .part = READ_LOCK };
	tg_inventory_t *inventory = NULL;
	tg_policy_t *policy;
	int rc = TG_ERROR;

	policy = tg_policy_read(engine, path, message, message_len);
	if (policy) {
		lock_slurmctld(lock);
		inventory = taskgov_inventory_from_nodes();
		rc = tg_policy_install(engine, policy, inventory, message, message_len);
		/* Jobs that reached a team untyped (shadow mode, no policy yet) are typed, or held,
		 * before the scheduler sees them under the new policy. */
		if (rc == TG_OK)
			taskgov_type_pending_jobs(engine);
		unlock_slurmctld(lock);
	}
	if (rc == TG_OK) {
		lock_slurmctld(part_read);
		taskgov_log_cluster_warnings(engine);
		unlock_slurmctld(part_read);
	}
	tg_inventory_free(inventory);
	return rc;
}

/* A copy of the last policy that loaded, in StateSaveLocation: slurmctld may restart with a bad
 * taskgov.json (and on 24.11 every `scontrol reconfigure` restarts it), and the last good policy
 * must stay in force then too. */
static char *_last_good_path(void)
{
	return xstrdup_printf("%s/taskgov-last-good.json", slurm_conf.state_save_location);
}

static void _save_last_good(const char *path)
{
	char *saved = _last_good_path(), *tmp = xstrdup_printf("%s.new", saved);
	char buf[65536];
	FILE *in = fopen(path, "r"), *out = in ? fopen(tmp, "w") : NULL;
	size_t n;
	bool ok = in && out;

	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	ok = ok && !ferror(in);
	if (in)
		fclose(in);
	if (out && fclose(out))
		ok = false;
	if (ok && rename(tmp, saved))
		ok = false;
	if (!ok) {
		error("%s: cannot keep a copy of %s in %s (%m): a restart with a bad file would run "
		      "without a policy", "priority/taskgov", path, saved);
		unlink(tmp);
	}
	xfree(tmp);
	xfree(saved);
}

/* Reads taskgov.json. A bad file is logged with file, line, column and reason, and the last good
 * policy stays in force: the one the engine holds, or after a restart the copy in
 * StateSaveLocation. The audit log is reopened after the unlock: a changed path joins the old
 * writer thread. */
extern void policy_load(tg_engine_t *engine, const char *why)
{
	char *path = taskgov_policy_path(), *saved = NULL;
	char message[1024] = "", saved_message[1024] = "";
	tg_settings_t settings;
	int rc;

	rc = _read_and_install(engine, path, message, sizeof(message));
	if (rc == TG_OK) {
		_save_last_good(path);
	} else if (tg_settings(engine, &settings) != TG_OK) {
		saved = _last_good_path();
		if (access(saved, R_OK) ||
		    _read_and_install(engine, saved, saved_message, sizeof(saved_message)) != TG_OK)
			xfree(saved);
	}
	tg_audit_reopen(engine);
	if (rc != TG_OK) {
		error("%s: %s: policy refused: %s; %s%s%s", "priority/taskgov", why, message,
		      tg_settings(engine, &settings) == TG_OK ?
		      "the last good policy stays in force" :
		      "no policy in force: taskgov governs nothing until the file is fixed",
		      saved ? ", from its copy " : "", saved ? saved : "");
	} else if (tg_settings(engine, &settings) == TG_OK) {
		info("%s: %s: policy %s loaded: %d teams, %d classes, %d resources, mode %s",
		     "priority/taskgov", why, path, settings.teams, settings.classes,
		     settings.resources, settings.shadow ? "shadow" : "enforce");
	}
	xfree(saved);
	xfree(path);
}
