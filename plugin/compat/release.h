/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which Slurm release the shims are compiled for. A plugin loads only into the exact release it
 * was built for (plugin_version is SLURM_VERSION_NUMBER, micro number included), so the choice is
 * made at compile time, from the headers of the source tree configure was given; the headers in
 * this folder, one per API difference, test it. Supported: 22.05 and 24.11.
 */
#ifndef TASKGOV_COMPAT_RELEASE_H
#define TASKGOV_COMPAT_RELEASE_H

#include "slurm/slurm_version.h"

#define TASKGOV_SLURM_AT_LEAST(major, minor) \
	(SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(major, minor, 0))

#if !TASKGOV_SLURM_AT_LEAST(22, 5)
#error "taskgov needs Slurm 22.05 or later"
#endif

#endif
