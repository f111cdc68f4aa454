// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/policy_warnings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "policy/resources.h"
#include "policy/slurm_strings.h"

namespace taskgov {

namespace {

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return n.size() == name.size() &&
           std::equal(n.begin(), n.end(), name.begin(),
                      [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
  });
}

// Slurm tracks these whatever AccountingStorageTRES says.
bool always_tracked(const std::string& name) { return name == "cpu" || name == "mem"; }

void untracked_tres(const ResolvedPolicy& resolved, const std::vector<std::string>& tracked,
                    std::vector<std::string>* out) {
  for (int r = 0; r < resolved.catalog.size(); ++r) {
    const std::string& name = resolved.catalog.name(r);
    if (always_tracked(name) || contains(tracked, name)) continue;
    out->push_back(fmt::format(
        "{} is governed but not in AccountingStorageTRES: Slurm counts no job against it, so no "
        "team's limit on it is enforced; add {} to AccountingStorageTRES in slurm.conf and "
        "restart slurmctld", name, name));
  }
}

void missing_associations(const Policy& policy, const std::vector<std::string>& accounts,
                          std::vector<std::string>* out) {
  for (const Team& team : policy.teams) {
    if (contains(accounts, team.account)) continue;
    out->push_back(fmt::format(
        "team {}: account '{}' has no association in slurmdbd: taskgov cannot set its GrpTRES, "
        "so the team's quota is not enforced; create it (sacctmgr add account {}) and add its "
        "users", team.name, team.account, team.account));
  }
}

// Slurm checks a TRES against the association only when neither the job's QOS nor its
// partition's QOS limits it (acct_policy.c, _validate_tres_usage_limits).
void qos_overrides(const ResolvedPolicy& resolved, const std::vector<QosLimits>& qos,
                   std::vector<std::string>* out) {
  for (const QosLimits& q : qos) {
    std::vector<std::string> governed;
    for (const std::string& item : split_list(q.grp_tres)) {
      const std::string name = item.substr(0, item.find('='));
      if (resolved.catalog.find(name) >= 0) governed.push_back(item);
    }
    if (governed.empty()) continue;
    std::string used = q.partitions.empty()
        ? std::string()
        : fmt::format(" (the partition QOS of {})", joined(q.partitions, ", "));
    std::string clear;
    for (const std::string& item : governed)
      clear += (clear.empty() ? "" : ",") + item.substr(0, item.find('=')) + "=-1";
    out->push_back(fmt::format(
        "QOS '{}'{} sets GrpTRES {}: for jobs in it Slurm checks that limit instead of their "
        "team's association limit on the same TRES, so they can run past the team's quota; "
        "remove it (sacctmgr modify qos {} set GrpTRES={}) or keep such jobs out of taskgov's "
        "teams", q.name, used, joined(governed, ","), q.name, clear));
  }
}

void stranded_gpus(const Policy& policy, const ResolvedPolicy& resolved, const Inventory& inventory,
                   std::vector<std::string>* out) {
  if (policy.cluster.enforce_derived) return;
  const uint32_t derived = (1u << ResourceCatalog::kCpu) | (1u << ResourceCatalog::kMem);
  bool any_derived = std::any_of(resolved.teams.begin(), resolved.teams.end(),
                                 [&](const ResolvedTeam& t) { return t.proportional_mask & derived; });
  bool accelerator_nodes = std::any_of(inventory.shapes().begin(), inventory.shapes().end(),
                                       [](const NodeShape& s) { return !s.gres.empty(); });
  if (!any_derived || !accelerator_nodes) return;
  out->push_back(
      "CPU and memory quotas derived from accelerators are not written to GrpTRES "
      "(cluster.enforce_derived is false): CPU-only jobs of any team can fill the accelerator "
      "nodes' CPUs or memory and leave their GPUs idle; set \"enforce_derived\": true in the "
      "cluster section, or keep CPU-only jobs off accelerator nodes with a partition per node "
      "shape");
}

}  // namespace

std::vector<std::string> cluster_warnings(const Policy& policy, const ResolvedPolicy& resolved,
                                          const Inventory& inventory, const ClusterFacts& facts) {
  std::vector<std::string> out;
  if (facts.enforce_limits && !*facts.enforce_limits)
    out.push_back(
        "AccountingStorageEnforce lacks 'limits': Slurm enforces no GrpTRES, so no team's quota "
        "is enforced; set AccountingStorageEnforce=associations,limits,qos in slurm.conf and "
        "restart slurmctld");
  if (facts.tracked_tres) untracked_tres(resolved, *facts.tracked_tres, &out);
  if (facts.accounts) missing_associations(policy, *facts.accounts, &out);
  if (facts.qos) qos_overrides(resolved, *facts.qos, &out);
  stranded_gpus(policy, resolved, inventory, &out);
  return out;
}

}  // namespace taskgov
