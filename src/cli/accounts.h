// SPDX-License-Identifier: GPL-2.0-or-later
// Which team a Slurm account belongs to: the account, or the nearest ancestor a team names.
// libslurm's job records carry only the account's name, so the parent links come from
// slurmctld's association manager (status, explain) or from sacctmgr (report, sync).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "policy/policy.h"

namespace taskgov::cli {

class AccountTree {
 public:
  void set_parent(const std::string& account, const std::string& parent);
  // The account, its parent, its grandparent, ... up to the root (stops at a loop).
  std::vector<std::string> lineage(const std::string& account) const;

 private:
  std::unordered_map<std::string, std::string> parent_;
};

// Index of the team owning the first account of the lineage a team names; -1 when none does.
// The same walk as Engine::team_for_lineage, for the subcommands that need no engine.
int team_of_lineage(const Policy& policy, const std::vector<std::string>& lineage);

// The team of a job record: the one its AdminComment was stamped with at submit (what the
// plugins decided then), else its account's under the current policy; "" for neither.
std::string team_of_record(const Policy& policy, const AccountTree& accounts,
                           const std::string& stamped_team, const std::string& account);

}  // namespace taskgov::cli
