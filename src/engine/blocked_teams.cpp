// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/blocked_teams.h"

namespace taskgov {

bool held_by_team_limit(const TeamUsage& team, const ResourceVector& request,
                        uint32_t enforced_mask, int n) {
  for (int r = 0; r < n; ++r)
    if ((enforced_mask & (1u << r)) && request[r] > 0 && team.used[r] + request[r] > team.limit[r])
      return true;
  return false;
}

std::vector<uint8_t> teams_blocked_by_limits(const CycleResult& cycle) {
  const EngineConfig& config = *cycle.config;
  const int n = config.resources();
  enum : uint8_t { kNoPending, kAllHeld, kOneFits };
  std::vector<uint8_t> state(cycle.teams.size(), kNoPending);
  for (const PendingJob& job : cycle.pending) {
    if (job.team < 0 || static_cast<size_t>(job.team) >= state.size()) continue;
    uint8_t& s = state[static_cast<size_t>(job.team)];
    if (s == kOneFits) continue;
    const size_t t = static_cast<size_t>(job.team);
    s = held_by_team_limit(cycle.teams[t], job.req, config.enforced_mask(t), n) ? kAllHeld : kOneFits;
  }
  std::vector<uint8_t> blocked(state.size());
  for (size_t t = 0; t < state.size(); ++t) blocked[t] = state[t] == kAllHeld;
  return blocked;
}

}  // namespace taskgov
