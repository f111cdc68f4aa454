// SPDX-License-Identifier: GPL-2.0-or-later
// Ways a valid policy can go silently unenforced because of how Slurm is set up around it: a
// governed TRES Slurm does not track, AccountingStorageEnforce without `limits`, a team account
// with no association, a QOS whose own GrpTRES makes Slurm skip the association limit, and
// CPU-only jobs that can strand GPUs. Said at load in slurmctld.log and by `taskgov check`,
// from facts each gathers its own way (assoc_mgr there, sacctmgr and libslurm here).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy/quota.h"

namespace taskgov {

struct QosLimits {
  std::string name;
  std::string grp_tres;                 // as sacctmgr prints it: "cpu=64,gres/gpu:h100=8"
  std::vector<std::string> partitions;  // partitions that use it as their partition QOS
};

// What is known about the cluster; an unset field is not checked.
struct ClusterFacts {
  std::optional<std::vector<std::string>> tracked_tres;   // "cpu", "mem", "gres/gpu:h100", ...
  std::optional<bool> enforce_limits;                      // AccountingStorageEnforce has limits
  std::optional<std::vector<std::string>> accounts;        // accounts with an association
  std::optional<std::vector<QosLimits>> qos;
};

// One line per problem, each naming what is wrong, what it costs and the fix.
std::vector<std::string> cluster_warnings(const Policy& policy, const ResolvedPolicy& resolved,
                                          const Inventory& inventory, const ClusterFacts& facts);

}  // namespace taskgov
