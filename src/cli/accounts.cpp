// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/accounts.h"

#include <algorithm>

namespace taskgov::cli {

void AccountTree::set_parent(const std::string& account, const std::string& parent) {
  if (!account.empty() && !parent.empty() && account != parent) parent_[account] = parent;
}

std::vector<std::string> AccountTree::lineage(const std::string& account) const {
  std::vector<std::string> out;
  if (account.empty()) return out;
  out.push_back(account);
  for (auto it = parent_.find(account); it != parent_.end(); it = parent_.find(it->second)) {
    // slurmdbd never stores a loop, but a damaged or hand-made tree must not hang the command.
    if (std::find(out.begin(), out.end(), it->second) != out.end()) break;
    out.push_back(it->second);
  }
  return out;
}

int team_of_lineage(const Policy& policy, const std::vector<std::string>& lineage) {
  for (const std::string& account : lineage) {
    int team = policy.find_team_by_account(account);
    if (team >= 0) return team;
  }
  return -1;
}

std::string team_of_record(const Policy& policy, const AccountTree& accounts,
                           const std::string& stamped_team, const std::string& account) {
  if (!stamped_team.empty()) return stamped_team;
  int team = team_of_lineage(policy, accounts.lineage(account));
  return team >= 0 ? policy.teams[static_cast<size_t>(team)].name : "";
}

}  // namespace taskgov::cli
