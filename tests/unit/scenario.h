// SPDX-License-Identifier: GPL-2.0-or-later
// Engine scenarios built in code: a cluster, teams with their quota and borrow cap given as
// amounts per resource, running and pending jobs, and a cycle over them.
//
// Why not the policy file: the rule tests (borrowing, ordering, preemption, engine) must fail
// only when a rule breaks, not when the JSON parser or the quota resolver changes. So
// Scenario::config() fills EngineConfig directly (the quota *is* the nominal vector, the borrow
// cap is percentage-of-quota capped by absolute amounts, computed here). policy() and
// inventory() give the same scenario as plain Policy/Inventory data for the few tests that need
// an Engine (Engine::set_policy goes through build_config and resolve_policy);
// test_engine.cpp checks that both routes agree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace taskgov::scenario {

constexpr Amount kGiB = 1024;         // memory amounts are MiB
constexpr Amount kTiB = 1024 * 1024;

// Amounts by TRES name: {{"gres/gpu:h100", 4}, {"cpu", 48}, {"mem", 512 * kGiB}}.
using Amounts = std::vector<std::pair<std::string, Amount>>;

// k whole nodes of a shape ("instances"); k may be 0.
Amounts times(const Amounts& shape, Amount k);
// Sum of two amount lists, names merged.
Amounts plus(const Amounts& a, const Amounts& b);

// The accelerator most scenarios count in.
const std::string kGpu = "gres/gpu:h100";
inline Amounts gpus(Amount n) { return {{kGpu, n}}; }

struct TeamSpec {
  std::string name;
  Amounts quota;
  Sharing sharing = Sharing::LendAndBorrow;
  int weight = 1;
  int borrow_percent = 50;  // of the team's own quota, per resource (floored, as Slurm counts)
  // Caps the percentage further on exactly the resources named. (resolve_policy applies the
  // proportional rule to a GRES entry here too, which also caps cpu and mem: name them as
  // well when a scenario must agree with build_config.)
  Amounts absolute_caps;
  PreemptTeamTasks preempt = PreemptTeamTasks::LowerPriority;
};

// A team with a quota of `quota` H100, borrowing `percent` of it.
inline TeamSpec gpu_team(const char* name, Amount quota, int percent, int weight = 1,
                         Sharing sharing = Sharing::LendAndBorrow) {
  TeamSpec t;
  t.name = name;
  t.quota = gpus(quota);
  t.borrow_percent = percent;
  t.weight = weight;
  t.sharing = sharing;
  return t;
}

class Scenario {
 public:
  // ---- the cluster and the policy (invalidate a cached config)
  // `count` nodes of one shape; "cpu", "mem" and "gres/<name[:type]>" entries.
  Scenario& nodes(int count, const Amounts& shape, std::vector<std::string> features = {});
  Scenario& classes(std::vector<PriorityClass> classes);
  Scenario& admission(Admission admission);
  Scenario& idle_compute(IdleCompute idle);
  Scenario& share_unassigned(bool on);
  Scenario& team(TeamSpec spec);

  // ---- the jobs. team "" = ungoverned (kNoTeam); klass "" = no class (kNoClass).
  Scenario& running(uint32_t id, std::string_view team, std::string_view klass,
                    const Amounts& alloc, int64_t start);
  Scenario& pending(uint32_t id, std::string_view team, std::string_view klass,
                    const Amounts& req, int64_t submit);
  // A pending job that could not start now (begin time, dependency): no demand, no preemptor.
  Scenario& ineligible(uint32_t id);
  Scenario& at(int64_t now);  // the cycle's clock
  Scenario& clear_jobs();

  // ---- outputs
  // Hand-built config, cached until the cluster or policy changes (then a new object, so a
  // result computed on the old one is recognisably stale).
  std::shared_ptr<const EngineConfig> config();
  Snapshot snapshot();
  std::shared_ptr<const CycleResult> cycle();  // compute_cycle(config(), snapshot())
  // The same scenario as policy data, for Engine::set_policy and build_config.
  Policy policy() const;
  Inventory inventory() const;

  // ---- lookups
  int resource(std::string_view name);  // catalog index in config(); throws when unknown
  int team_index(std::string_view name) const;   // kNoTeam for ""; throws when unknown
  int class_index(std::string_view name) const;  // kNoClass for ""; throws when unknown
  ResourceVector vec(const Amounts& amounts);    // in config()'s catalog

 private:
  struct Node {
    int count;
    Amounts shape;
    std::vector<std::string> features;
  };
  struct Job {
    uint32_t id;
    std::string team;
    std::string klass;
    Amounts amounts;
    int64_t time;
    bool eligible = true;
  };

  void invalidate() { config_.reset(); }

  std::vector<Node> nodes_;
  std::vector<TeamSpec> teams_;
  ClusterSettings cluster_;
  std::vector<Job> running_;
  std::vector<Job> pending_;
  int64_t now_ = 1'000'000;
  std::shared_ptr<const EngineConfig> config_;
};

// ---- lookups into a cycle by job id; they throw when the id is not in the cycle.
const PendingVerdict& pending_verdict(const CycleResult& cycle, uint32_t id);
const PreemptorFacts& preemptor_facts(const CycleResult& cycle, uint32_t id);
const RunningVerdict& running_verdict(const CycleResult& cycle, uint32_t id);
const VictimFacts& victim_facts(const CycleResult& cycle, uint32_t id);
// preempt_reason() for one pending and one running job of the cycle.
PreemptReason reason(const CycleResult& cycle, uint32_t pending_id, uint32_t running_id);
// Pending job ids in the order Slurm would try them: priority high to low, then submit time,
// then job id.
std::vector<uint32_t> pending_order(const CycleResult& cycle);
// Running job ids, first victim first.
std::vector<uint32_t> victim_order(const CycleResult& cycle);

// "1,2,3" for failure messages.
std::string ids_string(const std::vector<uint32_t>& ids);
std::string ids_string(const std::vector<Victim>& victims);  // their job ids

}  // namespace taskgov::scenario
