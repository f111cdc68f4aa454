// SPDX-License-Identifier: GPL-2.0-or-later
// When a pending job may preempt a running one, and which running jobs go first
// (DESIGN.md §2): reclaim of lent quota, priority inside a team, fair sharing of idle compute.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/ordering.h"
#include "policy/policy.h"
#include "policy/resources.h"

namespace taskgov {

enum class PreemptReason : uint8_t { None = 0, Reclaim, Priority, FairShare };
// The reasons a preemption is recorded with, in the order reports list them.
constexpr PreemptReason kPreemptReasons[] = {PreemptReason::Reclaim, PreemptReason::Priority,
                                             PreemptReason::FairShare};
const char* reason_name(PreemptReason reason);  // "none", "reclaim", "priority", "fair-share"
// The reason a name stands for; None for any other text.
PreemptReason reason_of_name(std::string_view name);

// What the rules need to know about a pending job, computed once per cycle.
struct PreemptorFacts {
  int32_t team = -1;
  int class_weight = -1;
  bool fits_in_quota = false;  // its team stays within quota after admitting it
  bool borrows = false;        // it would start on borrowed capacity
  uint32_t need_mask = 0;      // resources it requests
  Share share_after;           // its team's weighted share after admitting it
};

// What the rules need to know about a running job, computed once per cycle.
struct VictimFacts {
  int32_t team = -1;
  int class_weight = -1;
  uint32_t excess_mask = 0;     // resources on which it is part of its team's borrowed excess
  Share team_share_now;         // its team's weighted share before any preemption
  Share team_share_after_loss;  // its team's weighted share if it stopped
};

struct TeamRules {
  bool lower_priority_preempts = false;  // preempt_team_tasks == lower-priority
};

struct PreemptionRules {
  bool task_ranking = false;  // classes order and preempt only under task-ranking
  bool fair_share = false;    // idle compute split by fair share
  std::vector<TeamRules> teams;
};

// O(1): may this pending job preempt this running job, and why. Never another team's
// in-quota work. Fair share follows Kueue's two strategies, in order: the preemptor's team's
// share with the job is no higher than the victim team's share without the victim
// (LessThanOrEqualToFinalShare), or strictly below the victim team's share now
// (LessThanInitialShare). Neither can flap: for the victim's team to take the job back it would
// need a share that the preemption itself ruled out (DESIGN.md §2).
PreemptReason preempt_reason(const PreemptionRules& rules, const PreemptorFacts& p,
                             const VictimFacts& v);

struct RunningForExcess {
  int class_weight;
  int64_t start_time;
  uint32_t id;
  const ResourceVector* alloc;
};
// The team's borrowed excess: its running jobs sorted lowest class first, newest first; for
// each resource the team is over quota on, the prefix whose holdings cover use - quota.
// Returns one excess mask per job, in the order given.
std::vector<uint32_t> borrowed_excess(const std::vector<RunningForExcess>& jobs,
                                      const ResourceVector& borrowed, int n);

// A job to preempt and the rule that allows it.
struct Victim {
  uint32_t job;
  PreemptReason reason;
};

struct VictimCandidate {
  uint32_t id;
  uint32_t rank;  // victim order, lowest preempted first
  const ResourceVector* alloc;
};
// Victims taken in victim order until their holdings cover `shortfall` on every resource
// where it is positive, then pruned so that no victim in the result can be dropped without
// uncovering the shortfall; empty when even all candidates do not cover it. The set is
// irreducible, not always the fewest: a later job that alone would cover the shortfall does not
// displace earlier ones, because the victim order (lowest class, most over share, youngest)
// comes first, as in Slurm's and Kueue's own victim selection.
std::vector<uint32_t> minimal_victim_set(std::vector<VictimCandidate> candidates,
                                         const ResourceVector& shortfall, int n);

}  // namespace taskgov
