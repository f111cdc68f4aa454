// SPDX-License-Identifier: GPL-2.0-or-later
// Builders for the policy-side unit tests (resources, inventory, policy file, quotas): the
// reference clusters of DESIGN.md, quota entries and teams in code, and policies from JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/inventory.h"
#include "policy/policy.h"
#include "policy/resources.h"

// ck_assert_str_eq keeps only a pointer into its argument, so a temporary std::string must
// outlive the comparison.
#define CHECK_STRING(got, want)                              \
  do {                                                       \
    const std::string check_got_ = (got);                    \
    const std::string check_want_ = (want);                  \
    ck_assert_str_eq(check_got_.c_str(), check_want_.c_str()); \
  } while (0)

namespace taskgov::test {

constexpr Amount kGiB = 1024;  // memory amounts are MiB
constexpr Amount kTiB = 1024 * 1024;

// The local test cluster (DESIGN.md §4):
//   h100-[1-2]  8 gpu:h100, 192 CPUs, 2 TiB,   Feature p5.48xlarge
//   a100-[1-2]  4 gpu:a100, 128 CPUs, 1 TiB,   Feature p4d.24xlarge
//   trn-1       16 neuron,  128 CPUs, 512 GiB, Feature trn1.32xlarge
Inventory reference_inventory();
// DESIGN.md §1's first worked example: one node of 8 gpu:h100, 192 CPUs, 2 TiB (p5.48xlarge).
Inventory one_eight_gpu_node();
// DESIGN.md §1's second worked example: two nodes of 1 gpu:l4, 8 CPUs, 32 GiB (g6.2xlarge).
Inventory two_small_gpu_nodes();

QuotaEntry gres_quota(std::string gres, Amount count, std::optional<Amount> cpus = std::nullopt,
                      std::optional<Amount> memory_mib = std::nullopt);
QuotaEntry instance_quota(std::string instance_type, Amount nodes);
QuotaEntry accelerator_quota(std::string instance_type, Amount accelerators);
QuotaEntry cpu_memory_quota(std::optional<Amount> cpus, std::optional<Amount> memory_mib);

// A team with the schema's defaults; the account is the team's name.
class TeamBuilder {
 public:
  explicit TeamBuilder(std::string name);
  TeamBuilder& quota(QuotaEntry entry);
  TeamBuilder& sharing(Sharing sharing);
  TeamBuilder& borrow_limit_percent(int percent);
  TeamBuilder& absolute_borrow_limit(QuotaEntry entry);
  TeamBuilder& preempt_team_tasks(PreemptTeamTasks preempt);
  Team build() const { return team_; }

 private:
  Team team_;
};

// A policy with the schema's defaults, file "taskgov.json" and the classes
// inference (100), training (50), experimentation (10).
class PolicyBuilder {
 public:
  PolicyBuilder();
  PolicyBuilder& admission(Admission admission);
  PolicyBuilder& team(const TeamBuilder& team);
  Policy build() const { return policy_; }

 private:
  Policy policy_;
};

// Parses `text` as "taskgov.json" and fails the running test, with the error, when it does
// not parse.
Policy policy_from_json(std::string_view text);

}  // namespace taskgov::test
