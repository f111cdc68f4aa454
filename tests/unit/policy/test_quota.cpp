// SPDX-License-Identifier: GPL-2.0-or-later
// Quota resolution: entries summed per resource, the proportional CPU/memory rule, whole
// instances, borrow caps (percentage of quota, capped by absolute limits), the catalog, and the
// errors and planning warnings of resolve_policy.
#include <check.h>

#include <functional>
#include <string>
#include <vector>

#include "builders.h"
#include "policy/quota.h"

using namespace taskgov;
using namespace taskgov::test;

namespace {

// Resource indices of the reference cluster's catalog: cpu, mem, then GRES sorted.
constexpr int kCpu = ResourceCatalog::kCpu;
constexpr int kMem = ResourceCatalog::kMem;
constexpr int kA100 = 2;
constexpr int kH100 = 3;
constexpr int kNeuron = 4;
constexpr uint32_t kCpuMemMask = (1u << kCpu) | (1u << kMem);

ResolvedPolicy resolve_ok(const Policy& policy, const Inventory& inventory) {
  ResolvedPolicy resolved;
  PolicyError error;
  ck_assert_msg(resolve_policy(policy, inventory, &resolved, &error), "%s",
                error.to_string().c_str());
  return resolved;
}

PolicyError resolve_error(const Policy& policy, const Inventory& inventory) {
  ResolvedPolicy resolved;
  PolicyError error;
  ck_assert_msg(!resolve_policy(policy, inventory, &resolved, &error), "resolved");
  return error;
}

#define CHECK_AMOUNT(rule, what, got, want)                                  \
  ck_assert_msg((got) == (want), "%s: %s = %lld, want %lld", (rule), (what), \
                static_cast<long long>(got), static_cast<long long>(want))

// ---------------------------------------------------------------- the proportional rule
struct ShareRow {
  const char* rule;
  Inventory (*inventory)();
  const char* gres;
  Amount n;
  Amount cpus;
  Amount memory_mib;
};

const ShareRow kShares[] = {
    {"2 of 8 GPUs on a 192-CPU/2-TiB node", one_eight_gpu_node, "gpu:h100", 2, 48, 512 * kGiB},
    {"2 GPUs over two 1-GPU/8-CPU/32-GiB nodes", two_small_gpu_nodes, "gpu:l4", 2, 16, 64 * kGiB},
    {"same ratio over two identical nodes", reference_inventory, "gpu:h100", 2, 48, 512 * kGiB},
    {"a100 of the reference cluster", reference_inventory, "gpu:a100", 3, 96, 768 * kGiB},
    {"neuron of the reference cluster", reference_inventory, "neuron", 4, 32, 128 * kGiB},
    // 24 GPUs of both types share 640 CPUs and 6 TiB: 26.67 CPUs per GPU, floored.
    {"untyped gpu spans every type", reference_inventory, "gpu", 1, 26, 256 * kGiB},
    {"untyped gpu, three", reference_inventory, "gpu", 3, 80, 768 * kGiB},
    {"planning beyond the cluster", one_eight_gpu_node, "gpu:h100", 16, 384, 4 * kTiB},
    {"zero accelerators", reference_inventory, "gpu:h100", 0, 0, 0},
};

START_TEST(proportional_share_is_n_over_total_accelerators) {
  const ShareRow& row = kShares[_i];
  Amount cpus = -1;
  Amount memory = -1;
  ck_assert_msg(proportional_share(row.inventory(), row.gres, row.n, &cpus, &memory), "%s",
                row.rule);
  CHECK_AMOUNT(row.rule, "cpus", cpus, row.cpus);
  CHECK_AMOUNT(row.rule, "memory", memory, row.memory_mib);
}
END_TEST

START_TEST(proportional_share_needs_a_node_with_the_gres) {
  Amount cpus = -1;
  Amount memory = -1;
  ck_assert(!proportional_share(reference_inventory(), "gpu:b200", 2, &cpus, &memory));
  ck_assert(!proportional_share(Inventory(), "gpu:h100", 2, &cpus, &memory));
  ck_assert_int_eq(cpus, -1);
  ck_assert_int_eq(memory, -1);
}
END_TEST

// ---------------------------------------------------------------- entries
struct EntryRow {
  const char* rule;
  std::vector<QuotaEntry> entries;
  Amount cpu;
  Amount mem;
  Amount a100;
  Amount h100;
  Amount neuron;
  uint32_t proportional_mask;
};

QuotaEntry with_cpus(QuotaEntry entry, Amount cpus) {
  entry.cpus = cpus;
  return entry;
}

const EntryRow kEntries[] = {
    {"gres entry brings proportional CPUs and memory", {gres_quota("gpu:h100", 2)}, 48,
     512 * kGiB, 0, 2, 0, kCpuMemMask},
    {"instance count is whole nodes", {instance_quota("p5.48xlarge", 1)}, 192, 2 * kTiB, 0, 8, 0,
     0},
    {"two instances", {instance_quota("p4d.24xlarge", 2)}, 256, 2 * kTiB, 8, 0, 0, 0},
    {"instance of a neuron node", {instance_quota("trn1.32xlarge", 1)}, 128, 512 * kGiB, 0, 0, 16,
     0},
    {"instance accelerators use that shape's ratio", {accelerator_quota("p4d.24xlarge", 2)}, 64,
     512 * kGiB, 2, 0, 0, kCpuMemMask},
    {"neuron accelerators", {accelerator_quota("trn1.32xlarge", 8)}, 64, 256 * kGiB, 0, 0, 8,
     kCpuMemMask},
    {"explicit cpus and memory override the rule", {gres_quota("gpu:a100", 4, 64, 256 * kGiB)}, 64,
     256 * kGiB, 4, 0, 0, 0},
    {"explicit cpus only: memory stays proportional", {gres_quota("gpu:a100", 4, 10)}, 10,
     1 * kTiB, 4, 0, 0, 1u << kMem},
    {"explicit memory only: cpus stay proportional",
     {gres_quota("gpu:a100", 4, std::nullopt, 100 * kGiB)}, 128, 100 * kGiB, 4, 0, 0, 1u << kCpu},
    {"explicit zeros", {gres_quota("gpu:a100", 4, 0, 0)}, 0, 0, 4, 0, 0, 0},
    {"cpus on instance accelerators", {with_cpus(accelerator_quota("p5.48xlarge", 2), 8)}, 8,
     512 * kGiB, 0, 2, 0, 1u << kMem},
    {"cpus and memory entry adds directly", {cpu_memory_quota(32, 128 * kGiB)}, 32, 128 * kGiB, 0,
     0, 0, 0},
    {"cpus alone", {cpu_memory_quota(32, std::nullopt)}, 32, 0, 0, 0, 0, 0},
    {"entries are summed per resource (the issue's example)",
     {accelerator_quota("p5.48xlarge", 2), gres_quota("gpu:a100", 4, 64, 256 * kGiB),
      instance_quota("trn1.32xlarge", 1), cpu_memory_quota(32, 128 * kGiB)},
     48 + 64 + 128 + 32, 512 * kGiB + 256 * kGiB + 512 * kGiB + 128 * kGiB, 4, 2, 16, kCpuMemMask},
    {"no entries", {}, 0, 0, 0, 0, 0, 0},
};

START_TEST(entries_resolve_to_amounts_per_resource) {
  const EntryRow& row = kEntries[_i];
  TeamBuilder team("nlp");
  for (const QuotaEntry& entry : row.entries) team.quota(entry);
  ResolvedPolicy resolved = resolve_ok(PolicyBuilder().team(team).build(), reference_inventory());
  const ResolvedTeam& nlp = resolved.teams[0];
  CHECK_AMOUNT(row.rule, "cpu", nlp.nominal[kCpu], row.cpu);
  CHECK_AMOUNT(row.rule, "mem", nlp.nominal[kMem], row.mem);
  CHECK_AMOUNT(row.rule, "gpu:a100", nlp.nominal[kA100], row.a100);
  CHECK_AMOUNT(row.rule, "gpu:h100", nlp.nominal[kH100], row.h100);
  CHECK_AMOUNT(row.rule, "neuron", nlp.nominal[kNeuron], row.neuron);
  CHECK_AMOUNT(row.rule, "proportional mask", nlp.proportional_mask, row.proportional_mask);
}
END_TEST

START_TEST(reference_examples_hold_through_resolve) {
  ResolvedPolicy big = resolve_ok(
      PolicyBuilder().team(TeamBuilder("nlp").quota(gres_quota("gpu:h100", 2))).build(),
      one_eight_gpu_node());
  ck_assert_int_eq(big.teams[0].nominal[kCpu], 48);
  ck_assert_int_eq(big.teams[0].nominal[kMem], 524288);
  ck_assert_int_eq(big.teams[0].nominal[2], 2);
  ResolvedPolicy small = resolve_ok(
      PolicyBuilder().team(TeamBuilder("nlp").quota(gres_quota("gpu:l4", 2))).build(),
      two_small_gpu_nodes());
  ck_assert_int_eq(small.teams[0].nominal[kCpu], 16);
  ck_assert_int_eq(small.teams[0].nominal[kMem], 65536);
  ck_assert_int_eq(small.teams[0].nominal[2], 2);
}
END_TEST

// ---------------------------------------------------------------- catalog and capacity
START_TEST(catalog_is_cpu_mem_then_every_gres_sorted) {
  Policy policy = PolicyBuilder()
                      .team(TeamBuilder("vision").quota(gres_quota("gpu:b200", 4, 32, kTiB)))
                      .team(TeamBuilder("nlp").quota(gres_quota("gpu:h100", 2)))
                      .build();
  ResolvedPolicy resolved = resolve_ok(policy, reference_inventory());
  const ResourceCatalog& catalog = resolved.catalog;
  ck_assert_int_eq(catalog.size(), 6);
  const char* names[] = {"cpu", "mem", "gres/gpu:a100", "gres/gpu:b200", "gres/gpu:h100",
                         "gres/neuron"};
  for (int r = 0; r < 6; ++r) CHECK_STRING(catalog.name(r), names[r]);
  const Amount capacity[] = {768, 6656 * kGiB, 8, 0, 16, 16};
  for (int r = 0; r < 6; ++r) CHECK_AMOUNT(names[r], "capacity", resolved.capacity[r], capacity[r]);
  ck_assert_int_eq(resolved.teams.size(), 2);
  ck_assert_int_eq(resolved.teams[0].nominal[3], 4);  // same order as Policy::teams
  ck_assert_int_eq(resolved.teams[1].nominal[4], 2);
}
END_TEST

// Slurm counts a typed GPU in gres/gpu too; when the policy tracks untyped GPUs, typed quotas
// must count there as well or typed jobs would look over quota on gres/gpu.
START_TEST(typed_gres_also_counts_as_its_untyped_name) {
  Policy policy = PolicyBuilder()
                      .admission(Admission::TaskRanking)
                      .team(TeamBuilder("any").quota(gres_quota("gpu", 4)))
                      .team(TeamBuilder("h100")
                                .quota(gres_quota("gpu:h100", 8))
                                .absolute_borrow_limit(gres_quota("gpu:h100", 2, 0, 0)))
                      .build();
  ResolvedPolicy resolved = resolve_ok(policy, reference_inventory());
  int gpu = resolved.catalog.find("gres/gpu");
  int h100 = resolved.catalog.find("gres/gpu:h100");
  ck_assert_int_eq(gpu, 2);
  ck_assert_int_eq(h100, 4);
  ck_assert_int_eq(resolved.capacity[gpu], 24);
  const ResolvedTeam& any = resolved.teams[0];
  ck_assert_int_eq(any.nominal[gpu], 4);
  ck_assert_int_eq(any.nominal[h100], 0);
  ck_assert_int_eq(any.nominal[kCpu], 106);  // 4 x 640 / 24
  ck_assert_int_eq(any.nominal[kMem], 1 * kTiB);
  const ResolvedTeam& typed = resolved.teams[1];
  ck_assert_int_eq(typed.nominal[gpu], 8);
  ck_assert_int_eq(typed.nominal[h100], 8);
  // The absolute limit names gpu:h100 only: gres/gpu keeps its percentage cap.
  ck_assert_int_eq(typed.borrow_cap[h100], 2);
  ck_assert_int_eq(typed.borrow_cap[gpu], 4);
  ck_assert_int_eq(resolved.warnings.size(), 0);
}
END_TEST

// ---------------------------------------------------------------- borrow caps
struct CapRow {
  const char* rule;
  std::function<TeamBuilder()> team;
  Amount cpu;
  Amount mem;
  Amount a100;
  Amount h100;
};

const CapRow kCaps[] = {
    {"percentage of the team's own quota",
     [] { return TeamBuilder("t").quota(gres_quota("gpu:h100", 2)); }, 24, 256 * kGiB, 0, 1},
    {"percentage is floored",
     [] { return TeamBuilder("t").quota(gres_quota("gpu:h100", 3)).borrow_limit_percent(150); },
     108, 1152 * kGiB, 0, 4},
    {"zero percent borrows nothing",
     [] { return TeamBuilder("t").quota(gres_quota("gpu:h100", 3)).borrow_limit_percent(0); }, 0,
     0, 0, 0},
    {"lend does not borrow",
     [] { return TeamBuilder("t").quota(gres_quota("gpu:h100", 4)).sharing(Sharing::Lend); }, 0, 0,
     0, 0},
    {"dont-lend does not borrow",
     [] { return TeamBuilder("t").quota(gres_quota("gpu:h100", 4)).sharing(Sharing::DontLend); },
     0, 0, 0, 0},
    {"absolute limit caps every resource its entry resolves to",
     [] {
       return TeamBuilder("t")
           .quota(instance_quota("p5.48xlarge", 1))
           .borrow_limit_percent(100)
           .absolute_borrow_limit(gres_quota("gpu:h100", 4));
     },
     96, 1 * kTiB, 0, 4},
    {"absolute cpus cap only cpus",
     [] {
       return TeamBuilder("t")
           .quota(instance_quota("p5.48xlarge", 1))
           .borrow_limit_percent(100)
           .absolute_borrow_limit(cpu_memory_quota(10, std::nullopt));
     },
     10, 2 * kTiB, 0, 8},
    {"absolute above the percentage leaves the percentage",
     [] {
       return TeamBuilder("t")
           .quota(instance_quota("p5.48xlarge", 1))
           .absolute_borrow_limit(gres_quota("gpu:h100", 100));
     },
     96, 1 * kTiB, 0, 4},
    {"absolute zero forbids borrowing it",
     [] {
       return TeamBuilder("t")
           .quota(instance_quota("p5.48xlarge", 1))
           .absolute_borrow_limit(gres_quota("gpu:h100", 0));
     },
     0, 0, 0, 0},
    {"absolute limits add up over entries",
     [] {
       return TeamBuilder("t")
           .quota(instance_quota("p5.48xlarge", 1))
           .borrow_limit_percent(500)
           .absolute_borrow_limit(cpu_memory_quota(10, kGiB))
           .absolute_borrow_limit(cpu_memory_quota(5, std::nullopt))
           .absolute_borrow_limit(instance_quota("p4d.24xlarge", 1));
     },
     15 + 128, kGiB + kTiB, 0, 40},
    {"no quota, nothing to borrow", [] { return TeamBuilder("t"); }, 0, 0, 0, 0},
};

START_TEST(borrow_cap_is_percent_of_quota_capped_by_absolute_limits) {
  const CapRow& row = kCaps[_i];
  ResolvedPolicy resolved =
      resolve_ok(PolicyBuilder().team(row.team()).build(), reference_inventory());
  const ResourceVector& cap = resolved.teams[0].borrow_cap;
  CHECK_AMOUNT(row.rule, "cpu", cap[kCpu], row.cpu);
  CHECK_AMOUNT(row.rule, "mem", cap[kMem], row.mem);
  CHECK_AMOUNT(row.rule, "gpu:a100", cap[kA100], row.a100);
  CHECK_AMOUNT(row.rule, "gpu:h100", cap[kH100], row.h100);
  CHECK_AMOUNT(row.rule, "neuron", cap[kNeuron], 0);
}
END_TEST

// DESIGN §1: a quota of 2 instances with BorrowLimit 50 % may hold a 3-instance job.
START_TEST(two_instances_at_fifty_percent_may_hold_three) {
  ResolvedPolicy resolved = resolve_ok(
      PolicyBuilder().team(TeamBuilder("nlp").quota(instance_quota("p4d.24xlarge", 2))).build(),
      reference_inventory());
  ResourceVector most = resolved.teams[0].nominal;
  most += resolved.teams[0].borrow_cap;
  ck_assert_int_eq(most[kCpu], 3 * 128);
  ck_assert_int_eq(most[kMem], 3 * kTiB);
  ck_assert_int_eq(most[kA100], 3 * 4);
}
END_TEST

// ---------------------------------------------------------------- errors
const char* const kUnknownInstance = R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    {"name": "nlp", "account": "nlp",
     "quota": [{"gres": "gpu:h100", "count": 2},
               {"instance_type": "inf2.48xlarge", "count": 1}]}
  ]
})";

START_TEST(unknown_instance_type_points_at_it) {
  PolicyError error = resolve_error(policy_from_json(kUnknownInstance), reference_inventory());
  CHECK_STRING(error.to_string(),
               "taskgov.json:6:34: teams[0].quota[1].instance_type: no node has Feature "
               "\"inf2.48xlarge\", so its node shape is unknown; fix the name, or plan for "
               "missing capacity with a \"gres\" entry (node Features in this cluster: "
               "p4d.24xlarge, p5.48xlarge, trn1.32xlarge)");
}
END_TEST

START_TEST(misspelt_instance_type_gets_a_suggestion) {
  PolicyError error = resolve_error(
      PolicyBuilder().team(TeamBuilder("nlp").quota(instance_quota("p5.48xlarg", 1))).build(),
      reference_inventory());
  CHECK_STRING(error.message,
               "no node has Feature \"p5.48xlarg\", so its node shape is unknown; did you mean "
               "\"p5.48xlarge\"? Or plan for missing capacity with a \"gres\" entry (node "
               "Features in this cluster: p4d.24xlarge, p5.48xlarge, trn1.32xlarge)");
}
END_TEST

START_TEST(unknown_instance_type_in_absolute_limits_points_at_it) {
  Policy policy = policy_from_json(R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [{"name": "nlp", "account": "nlp", "quota": [],
             "absolute_borrow_limits": [{"instance_type": "p5.4xlarge", "accelerators": 1}]}]
})");
  PolicyError error = resolve_error(policy, reference_inventory());
  ck_assert_int_eq(error.where.line, 4);
  ck_assert_int_eq(error.where.column, 59);
  CHECK_STRING(error.where.path, "teams[0].absolute_borrow_limits[0].instance_type");
}
END_TEST

struct ShapeErrorRow {
  const char* rule;
  QuotaEntry entry;
  const char* message;
};

// Nodes that make instance entries ambiguous or empty.
Inventory awkward_inventory() {
  Inventory inventory = reference_inventory();
  inventory.add_node({"p5.48xlarge"}, 192, 1 * kTiB, {{"gpu:h100", 8}});  // a second p5 shape
  inventory.add_node({"c7i.48xlarge"}, 192, 384 * kGiB, {});
  inventory.add_node({"p5e.48xlarge"}, 192, 2 * kTiB, {{"gpu:h200", 8}, {"shard", 64}});
  return inventory;
}

const ShapeErrorRow kShapeErrors[] = {
    {"one instance type, two shapes", instance_quota("p5.48xlarge", 1),
     "nodes with Feature \"p5.48xlarge\" come in 2 different shapes (192 CPUs, 2T, gpu:h100:8; "
     "192 CPUs, 1T, gpu:h100:8); give them one shape in slurm.conf, or use a \"gres\" entry"},
    {"accelerators of a node without GRES", accelerator_quota("c7i.48xlarge", 2),
     "nodes with Feature \"c7i.48xlarge\" have no GRES, so there are no accelerators to count; "
     "use \"count\" for whole nodes or a {\"cpus\", \"memory\"} entry"},
    {"accelerators of a node with two GRES types", accelerator_quota("p5e.48xlarge", 2),
     "nodes with Feature \"p5e.48xlarge\" carry several GRES types (gpu:h200, shard), so "
     "\"accelerators\" is ambiguous; name one with {\"gres\": \"gpu:h200\", \"count\": 2}"},
};

START_TEST(instance_entries_need_one_shape_and_one_accelerator) {
  const ShapeErrorRow& row = kShapeErrors[_i];
  QuotaEntry entry = row.entry;
  entry.where = {"teams[0].quota[0].instance_type", 7, 26};
  PolicyError error = resolve_error(PolicyBuilder().team(TeamBuilder("t").quota(entry)).build(),
                                    awkward_inventory());
  CHECK_STRING(error.file, "taskgov.json");
  ck_assert_int_eq(error.where.line, 7);
  ck_assert_int_eq(error.where.column, 26);
  CHECK_STRING(error.message, row.message);
}
END_TEST

START_TEST(whole_nodes_without_gres_are_fine) {
  ResolvedPolicy resolved = resolve_ok(
      PolicyBuilder().team(TeamBuilder("t").quota(instance_quota("c7i.48xlarge", 2))).build(),
      awkward_inventory());
  ck_assert_int_eq(resolved.teams[0].nominal[kCpu], 384);
  ck_assert_int_eq(resolved.teams[0].nominal[kMem], 768 * kGiB);
}
END_TEST

START_TEST(more_resources_than_tracked_is_an_error_at_the_first_extra_gres) {
  TeamBuilder team("t");
  team.quota(gres_quota("gpu:h100", 1));  // in the cluster: not extra
  for (int i = 0; i < 12; ++i) {
    QuotaEntry entry = gres_quota("x" + std::to_string(10 + i), 1, 0, 0);
    entry.where = {"teams[0].quota[" + std::to_string(i + 1) + "].gres", 10 + i, 20};
    team.quota(entry);
  }
  PolicyError error = resolve_error(PolicyBuilder().team(team).build(), reference_inventory());
  CHECK_STRING(error.to_string(),
               "taskgov.json:10:20: teams[0].quota[1].gres: cpu, mem and 15 GRES types (gpu:a100, "
               "gpu:h100, neuron, x10, x11, x12, x13, x14, x15, x16, x17, x18, x19, x20, x21) are "
               "more than the 16 resources taskgov tracks; govern fewer GRES types");
}
END_TEST

START_TEST(fourteen_gres_types_fit) {
  TeamBuilder team("t");
  for (int i = 0; i < 11; ++i) team.quota(gres_quota("x" + std::to_string(10 + i), 1, 0, 0));
  ResolvedPolicy resolved = resolve_ok(PolicyBuilder().team(team).build(), reference_inventory());
  ck_assert_int_eq(resolved.catalog.size(), kMaxResources);
}
END_TEST

// ---------------------------------------------------------------- warnings
struct WarningRow {
  const char* rule;
  Policy policy;
  std::vector<std::string> warnings;
};

QuotaEntry located(QuotaEntry entry, int line, int column, std::string path) {
  entry.where = {std::move(path), line, column};
  return entry;
}

const WarningRow kWarnings[] = {
    {"a GRES no node has cannot default CPUs and memory",
     PolicyBuilder()
         .admission(Admission::TaskRanking)
         .team(TeamBuilder("nlp").quota(
             located(gres_quota("gpu:b200", 4), 9, 21, "teams[0].quota[0].gres")))
         .build(),
     {"taskgov.json:9:21: teams[0].quota[0].gres: no node has gres/gpu:b200, so the entry's CPUs "
      "and memory could not be set in proportion; add \"cpus\" and \"memory\" to the entry if the "
      "team needs them",
      "taskgov.json: the teams' quotas add up to 4 gres/gpu:b200 but the cluster has 0; jobs "
      "beyond what exists will pend (planning for capacity)"}},
    {"a GRES no node has, with CPUs and memory given",
     PolicyBuilder()
         .admission(Admission::TaskRanking)
         .team(TeamBuilder("nlp").quota(gres_quota("gpu:b200", 4, 16, 64 * kGiB)))
         .build(),
     {"taskgov.json: the teams' quotas add up to 4 gres/gpu:b200 but the cluster has 0; jobs "
      "beyond what exists will pend (planning for capacity)"}},
    {"quotas above capacity",
     PolicyBuilder()
         .admission(Admission::TaskRanking)
         .team(TeamBuilder("nlp").quota(instance_quota("p5.48xlarge", 2)))
         .team(TeamBuilder("vision").quota(instance_quota("p5.48xlarge", 2)))
         .build(),
     {"taskgov.json: the teams' quotas add up to 8T mem but the cluster has 6656G; jobs beyond "
      "what exists will pend (planning for capacity)",
      "taskgov.json: the teams' quotas add up to 32 gres/gpu:h100 but the cluster has 16; jobs "
      "beyond what exists will pend (planning for capacity)"}},
    {"quotas exactly at capacity",
     PolicyBuilder()
         .admission(Admission::TaskRanking)
         .team(TeamBuilder("nlp").quota(instance_quota("p5.48xlarge", 2)))
         .team(TeamBuilder("vision").quota(instance_quota("p4d.24xlarge", 2)))
         .build(),
     {}},
    {"fcfs with in-team preemption",
     PolicyBuilder()
         .team(TeamBuilder("a"))
         .team(TeamBuilder("b").preempt_team_tasks(PreemptTeamTasks::Never))
         .team(TeamBuilder("c"))
         .build(),
     {"taskgov.json: admission is \"fcfs\", where priority classes neither reorder nor preempt, "
      "so preempt_team_tasks \"lower-priority\" has no effect for a, c; set admission to "
      "\"task-ranking\" to use it, or preempt_team_tasks to \"never\""}},
    {"fcfs without in-team preemption",
     PolicyBuilder().team(TeamBuilder("b").preempt_team_tasks(PreemptTeamTasks::Never)).build(),
     {}},
    {"task-ranking with in-team preemption",
     PolicyBuilder().admission(Admission::TaskRanking).team(TeamBuilder("a")).build(), {}},
};

START_TEST(planning_and_settings_warnings) {
  const WarningRow& row = kWarnings[_i];
  ResolvedPolicy resolved = resolve_ok(row.policy, reference_inventory());
  ck_assert_msg(resolved.warnings.size() == row.warnings.size(), "%s: %zu warnings, want %zu",
                row.rule, resolved.warnings.size(), row.warnings.size());
  for (size_t i = 0; i < row.warnings.size(); ++i) {
    CHECK_STRING(resolved.warnings[i], row.warnings[i]);
  }
}
END_TEST

START_TEST(planned_gres_keeps_its_quota) {
  ResolvedPolicy resolved = resolve_ok(
      PolicyBuilder().team(TeamBuilder("nlp").quota(gres_quota("gpu:b200", 4))).build(),
      reference_inventory());
  int b200 = resolved.catalog.find("gres/gpu:b200");
  ck_assert_int_eq(resolved.teams[0].nominal[b200], 4);
  ck_assert_int_eq(resolved.teams[0].nominal[kCpu], 0);
  ck_assert_int_eq(resolved.teams[0].proportional_mask, 0);
  ck_assert_int_eq(resolved.teams[0].borrow_cap[b200], 2);
}
END_TEST

START_TEST(failed_resolve_leaves_the_output_alone) {
  ResolvedPolicy resolved;
  resolved.warnings = {"previous"};
  PolicyError error;
  ck_assert(!resolve_policy(policy_from_json(kUnknownInstance), reference_inventory(), &resolved,
                            &error));
  ck_assert_int_eq(resolved.warnings.size(), 1);
  ck_assert_int_eq(resolved.teams.size(), 0);
}
END_TEST

}  // namespace

int main() {
  Suite* suite = suite_create("quota");
  TCase* proportional = tcase_create("proportional");
  tcase_add_loop_test(proportional, proportional_share_is_n_over_total_accelerators, 0,
                      sizeof kShares / sizeof kShares[0]);
  tcase_add_test(proportional, proportional_share_needs_a_node_with_the_gres);
  tcase_add_test(proportional, reference_examples_hold_through_resolve);
  suite_add_tcase(suite, proportional);

  TCase* entries = tcase_create("entries");
  tcase_add_loop_test(entries, entries_resolve_to_amounts_per_resource, 0,
                      sizeof kEntries / sizeof kEntries[0]);
  tcase_add_test(entries, catalog_is_cpu_mem_then_every_gres_sorted);
  tcase_add_test(entries, typed_gres_also_counts_as_its_untyped_name);
  suite_add_tcase(suite, entries);

  TCase* caps = tcase_create("borrow caps");
  tcase_add_loop_test(caps, borrow_cap_is_percent_of_quota_capped_by_absolute_limits, 0,
                      sizeof kCaps / sizeof kCaps[0]);
  tcase_add_test(caps, two_instances_at_fifty_percent_may_hold_three);
  suite_add_tcase(suite, caps);

  TCase* errors = tcase_create("errors");
  tcase_add_test(errors, unknown_instance_type_points_at_it);
  tcase_add_test(errors, misspelt_instance_type_gets_a_suggestion);
  tcase_add_test(errors, unknown_instance_type_in_absolute_limits_points_at_it);
  tcase_add_loop_test(errors, instance_entries_need_one_shape_and_one_accelerator, 0,
                      sizeof kShapeErrors / sizeof kShapeErrors[0]);
  tcase_add_test(errors, whole_nodes_without_gres_are_fine);
  tcase_add_test(errors, more_resources_than_tracked_is_an_error_at_the_first_extra_gres);
  tcase_add_test(errors, fourteen_gres_types_fit);
  tcase_add_test(errors, failed_resolve_leaves_the_output_alone);
  suite_add_tcase(suite, errors);

  TCase* warnings = tcase_create("warnings");
  tcase_add_loop_test(warnings, planning_and_settings_warnings, 0,
                      sizeof kWarnings / sizeof kWarnings[0]);
  tcase_add_test(warnings, planned_gres_keeps_its_quota);
  suite_add_tcase(suite, warnings);

  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
