/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_POLICY_LOAD_H
#define TASKGOV_POLICY_LOAD_H

#include "taskgov.h"

/* Reads taskgov.json next to slurm.conf and installs it (`why`: "init", "reconfigure", for the
 * log). A bad file is logged with file, line, column and reason, and the last good policy stays
 * in force: the engine's, or after a restart its copy in StateSaveLocation. Caller holds no
 * slurmctld lock. */
extern void policy_load(tg_engine_t *engine, const char *why);

#endif
