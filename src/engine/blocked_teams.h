// SPDX-License-Identifier: GPL-2.0-or-later
// Teams whose every pending job its own limit holds back. Slurm checks an association's GrpTRES
// only after it has selected nodes for a job, and does not stop at the first job refused for
// it: when every team sits at its limit on a full cluster, each scheduling pass pays node
// selection and a preemption search for every such job, for nothing. For these teams the
// priority plugin pins the account's GrpJobs at its running count, a limit Slurm checks before
// node selection, until one of the team's jobs ends or a job arrives that may fit.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace taskgov {

// Whether the pending job cannot start under its team's limit: on some resource the limit
// enforces, what the team uses plus what the job asks is more than the limit.
bool held_by_team_limit(const TeamUsage& team, const ResourceVector& request,
                        uint32_t enforced_mask, int n);

// By team index: 1 when the team has pending jobs and its limit holds back every one of them
// (eligible or not: a job whose dependency or begin time has not come yet may become one that
// fits, so it keeps its team unpinned).
std::vector<uint8_t> teams_blocked_by_limits(const CycleResult& cycle);

}  // namespace taskgov
