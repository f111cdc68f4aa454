/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slurm's list types. The shims use the names of 23.11 and later (list_t *, list_itr_t *);
 * 24.11 removed the older List and ListIterator pointer typedefs, and 22.05 has only those.
 */
#ifndef TASKGOV_COMPAT_LIST_H
#define TASKGOV_COMPAT_LIST_H

#include "release.h"
#include "src/common/list.h"

#if !TASKGOV_SLURM_AT_LEAST(23, 11)
typedef struct xlist list_t;
typedef struct listIterator list_itr_t;
#endif

#endif
