// SPDX-License-Identifier: GPL-2.0-or-later
// The engine context: one policy resolved against one inventory, and the last cycle's
// decisions. One instance serves all three plugins inside slurmctld (and the command).
//
// Not internally synchronised: inside slurmctld every call runs under slurmctld's job lock
// (writes under the write lock), except compute_cycle(), which is pure and runs unlocked on a
// snapshot and a config pointer taken under the lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/borrowing.h"
#include "policy/inventory.h"
#include "engine/job_index.h"
#include "engine/ordering.h"
#include "policy/policy.h"
#include "engine/preemption.h"
#include "engine/preemption_notes.h"
#include "policy/quota.h"
#include "engine/shim_memory.h"
#include "engine/site_factors.h"
#include "engine/snapshot.h"

namespace taskgov {

// Everything derived from one policy + inventory; immutable once built.
struct EngineConfig {
  Policy policy;
  Inventory inventory;
  ResolvedPolicy resolved;
  PreemptionRules rules;
  std::vector<int> class_weight;     // by class index
  std::vector<uint8_t> class_rank;   // by class index, 0 under fcfs
  bool all_weights_zero = false;
  std::unordered_map<std::string, int> team_by_account;

  int resources() const { return resolved.catalog.size(); }
  int weight_of_class(int32_t klass) const;  // -1 for a job without a class
  // Resources whose limit goes into the team's GrpTRES (enforced_resources in borrowing.h).
  uint32_t enforced_mask(size_t team) const;
};

// Builds a config; false with *error filled when the policy does not resolve.
bool build_config(Policy policy, Inventory inventory, std::shared_ptr<const EngineConfig>* out,
                  PolicyError* error);

struct PendingVerdict {
  Band band = Band::Blocked;
  int8_t holding = -1;   // resource that makes it borrow or blocks it
  uint32_t tier = 0;     // governance_tier()
  uint32_t priority = 1; // pending_priority()
};

struct RunningVerdict {
  uint32_t excess_mask = 0;  // resources on which it is part of its team's borrowed excess
  uint32_t victim_rank = 0;  // 0 = first to go
  bool borrowed() const { return excess_mask != 0; }
};

struct CycleResult {
  std::shared_ptr<const EngineConfig> config;
  int64_t now = 0;
  std::vector<TeamUsage> teams;
  Pool pool;
  ResourceVector ungoverned_use;

  std::vector<PendingJob> pending;
  std::vector<PendingVerdict> pending_verdicts;
  std::vector<PreemptorFacts> preemptors;
  JobIndex pending_index;

  std::vector<RunningJob> running;
  std::vector<RunningVerdict> running_verdicts;
  std::vector<VictimFacts> victims;
  JobIndex running_index;
};

// Pending job i's place in the cluster-wide order (runs_before, ordering.h).
inline PendingRank pending_rank(const CycleResult& cycle, size_t i) {
  return {cycle.pending_verdicts[i].priority, cycle.pending[i].submit_time, cycle.pending[i].id};
}

// One cycle: pure function of its inputs.
std::shared_ptr<const CycleResult> compute_cycle(std::shared_ptr<const EngineConfig> config,
                                                 Snapshot snapshot);

class Engine {
 public:
  // Builds and installs a config; on error the current one stays in force.
  bool set_policy(Policy policy, Inventory inventory, PolicyError* error);
  std::shared_ptr<const EngineConfig> config() const { return config_; }
  bool has_policy() const { return config_ != nullptr; }

  // Team owning the first account of `lineage` (the account, its parent, ...) that a team
  // names; -1 when none does.
  int team_for_lineage(const std::vector<std::string>& lineage) const;

  // Installs a result computed on the current config; a result computed on a config that has
  // since been replaced is dropped (its team and class indices may no longer match).
  bool publish(std::shared_ptr<const CycleResult> result);
  std::shared_ptr<const CycleResult> result() const { return result_; }
  // compute_cycle + publish, for callers that need no unlocked phase.
  std::shared_ptr<const CycleResult> run_cycle(Snapshot snapshot);

  // O(1) from the last cycle. A victim unknown to the cycle is never preempted; a preemptor
  // unknown to it (submitted since) is judged by its own `request` against its team's state
  // in the cycle (none without a request).
  PreemptReason may_preempt(uint32_t preemptor_id, int32_t preemptor_team,
                            int32_t preemptor_class, const ResourceVector* request,
                            uint32_t victim_id) const;

  // The victim set for an eligible pending job that its own team's limit holds back while
  // lower classes of the same team run (Slurm never offers it victims). Empty when none or
  // not enough.
  std::vector<Victim> victims_for(uint32_t pending_id) const;

  // Per team, its first eligible pending job in order when its own limit holds it back and
  // lower classes of its team can make room: the jobs the plugin preempts for, as Slurm never
  // will.
  std::vector<uint32_t> preemptors_held_by_limits() const;

  // Whose each pending job's site factor is; publish() forgets jobs no longer pending.
  SiteFactorLedger& site_factors() { return site_factors_; }
  PreemptionNotes& preemption_notes() { return preemption_notes_; }
  ShimMemory& shim_memory() { return *shim_memory_; }
  const ShimMemory& shim_memory_view() const { return *shim_memory_; }

 private:
  std::shared_ptr<const EngineConfig> config_;
  std::shared_ptr<const CycleResult> result_;
  SiteFactorLedger site_factors_;
  PreemptionNotes preemption_notes_;
  // Behind a pointer: its locks and atomics cannot move, and an Engine can.
  std::unique_ptr<ShimMemory> shim_memory_ = std::make_unique<ShimMemory>();
};

}  // namespace taskgov
