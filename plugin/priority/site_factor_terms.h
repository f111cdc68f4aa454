/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TASKGOV_SITE_FACTOR_TERMS_H
#define TASKGOV_SITE_FACTOR_TERMS_H

#include <stdint.h>

#include "taskgov.h"

/* Writes the published cycle's governance term into each pending governed job's site factor
 * (and takes it back from jobs that left governance), re-evaluating their priority. Returns
 * how many jobs changed. Caller holds the job write lock. */
extern int site_factor_terms_write(tg_engine_t *engine, uint64_t multifactor_max);

#endif
