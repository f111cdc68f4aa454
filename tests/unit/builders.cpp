// SPDX-License-Identifier: GPL-2.0-or-later
#include "builders.h"

#include <check.h>

namespace taskgov::test {

Inventory reference_inventory() {
  Inventory inventory;
  for (int i = 0; i < 2; ++i) inventory.add_node({"p5.48xlarge"}, 192, 2 * kTiB, {{"gpu:h100", 8}});
  for (int i = 0; i < 2; ++i)
    inventory.add_node({"p4d.24xlarge"}, 128, 1 * kTiB, {{"gpu:a100", 4}});
  inventory.add_node({"trn1.32xlarge"}, 128, 512 * kGiB, {{"neuron", 16}});
  return inventory;
}

Inventory one_eight_gpu_node() {
  Inventory inventory;
  inventory.add_node({"p5.48xlarge"}, 192, 2 * kTiB, {{"gpu:h100", 8}});
  return inventory;
}

Inventory two_small_gpu_nodes() {
  Inventory inventory;
  for (int i = 0; i < 2; ++i) inventory.add_node({"g6.2xlarge"}, 8, 32 * kGiB, {{"gpu:l4", 1}});
  return inventory;
}

QuotaEntry gres_quota(std::string gres, Amount count, std::optional<Amount> cpus,
                      std::optional<Amount> memory_mib) {
  QuotaEntry entry;
  entry.kind = QuotaEntry::Kind::Gres;
  entry.gres = std::move(gres);
  entry.count = count;
  entry.cpus = cpus;
  entry.memory_mib = memory_mib;
  return entry;
}

QuotaEntry instance_quota(std::string instance_type, Amount nodes) {
  QuotaEntry entry;
  entry.kind = QuotaEntry::Kind::InstanceCount;
  entry.instance_type = std::move(instance_type);
  entry.count = nodes;
  return entry;
}

QuotaEntry accelerator_quota(std::string instance_type, Amount accelerators) {
  QuotaEntry entry = instance_quota(std::move(instance_type), accelerators);
  entry.kind = QuotaEntry::Kind::InstanceAccelerators;
  return entry;
}

QuotaEntry cpu_memory_quota(std::optional<Amount> cpus, std::optional<Amount> memory_mib) {
  QuotaEntry entry;
  entry.kind = QuotaEntry::Kind::CpuMemory;
  entry.cpus = cpus;
  entry.memory_mib = memory_mib;
  return entry;
}

TeamBuilder::TeamBuilder(std::string name) {
  team_.account = name;
  team_.name = std::move(name);
}

TeamBuilder& TeamBuilder::quota(QuotaEntry entry) {
  team_.quota.push_back(std::move(entry));
  return *this;
}

TeamBuilder& TeamBuilder::sharing(Sharing sharing) {
  team_.sharing = sharing;
  return *this;
}

TeamBuilder& TeamBuilder::borrow_limit_percent(int percent) {
  team_.borrow_limit_percent = percent;
  return *this;
}

TeamBuilder& TeamBuilder::absolute_borrow_limit(QuotaEntry entry) {
  team_.absolute_borrow_limits.push_back(std::move(entry));
  return *this;
}

TeamBuilder& TeamBuilder::preempt_team_tasks(PreemptTeamTasks preempt) {
  team_.preempt_team_tasks = preempt;
  return *this;
}

PolicyBuilder::PolicyBuilder() {
  policy_.file = "taskgov.json";
  policy_.cluster.priority_classes = {
      {"inference", 100}, {"training", 50}, {"experimentation", 10}};
}

PolicyBuilder& PolicyBuilder::admission(Admission admission) {
  policy_.cluster.admission = admission;
  return *this;
}

PolicyBuilder& PolicyBuilder::team(const TeamBuilder& team) {
  policy_.teams.push_back(team.build());
  return *this;
}

Policy policy_from_json(std::string_view text) {
  Policy policy;
  PolicyError error;
  bool parsed = parse_policy(text, "taskgov.json", &policy, &error);
  ck_assert_msg(parsed, "test policy does not parse: %s", error.to_string().c_str());
  return policy;
}

}  // namespace taskgov::test
