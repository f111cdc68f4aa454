// SPDX-License-Identifier: GPL-2.0-or-later
// Order of pending jobs (DESIGN.md §2): band first, then class (task-ranking only), then the
// fair share of idle compute among borrowing jobs, then submit time, then job id.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/borrowing.h"
#include "policy/policy.h"
#include "policy/resources.h"

namespace taskgov {

// A team's weighted share of the pool: max over resources of borrowed / the pool's capacity
// (Pool::capacity: the pool with every lender idle), divided by its fair-share weight. Weight 0 ranks after every positive weight (it borrows only what nobody
// else wants and is reclaimed first); all-zero weights count as equal.
//
// Kept as an exact fraction: the fair-share rules compare shares for equality ("no higher
// than"), and 1/9 against 3/27 must be equal, which doubles do not promise.
struct Share {
  bool zero_weight = false;
  Amount num = 0;
  Amount den = 1;
  double value() const { return static_cast<double>(num) / static_cast<double>(den); }
};
bool operator<(const Share& a, const Share& b);
bool operator==(const Share& a, const Share& b);
inline bool operator<=(const Share& a, const Share& b) { return !(b < a); }

Share weighted_share(const ResourceVector& borrowed, const Pool& pool, int weight,
                     bool all_weights_zero, int n);

// Rank of a class among the policy's classes by weight: 1 for the lowest .. N for the
// highest; 0 for a job without a class. Under fcfs admission every job gets 0.
std::vector<uint8_t> class_ranks(const ClusterSettings& cluster);

// 0..1023, higher = smaller share after admission = runs earlier. Only borrowing jobs under
// fair-share idle compute get a non-zero rank.
uint16_t share_rank(const Share& share_after);

// The governance part of a job's order, packed (band, class rank, share rank) so that a
// larger tier always runs first. At most kTierCount distinct values.
constexpr uint32_t kShareRanks = 1024;
constexpr uint32_t kClassRanks = 11;
constexpr uint32_t kTierCount = 3 * kClassRanks * kShareRanks;
// Inline: it runs for each of 100k+ pending jobs every cycle.
inline uint32_t governance_tier(Band band, uint8_t class_rank, uint16_t share_rank) {
  uint32_t c = std::min<uint32_t>(class_rank, kClassRanks - 1);
  uint32_t s = std::min<uint32_t>(share_rank, kShareRanks - 1);
  return (static_cast<uint32_t>(band) * kClassRanks + c) * kShareRanks + s;
}

// The engine's own uint32 priority (>= 1): the tier in the high bits, the wait time in minutes
// (saturating) in the low 16, so FCFS decides inside a tier; equal values tie by job id.
inline uint32_t pending_priority(uint32_t tier, int64_t submit_time, int64_t now) {
  int64_t minutes = std::clamp<int64_t>((now - submit_time) / 60, 0, 0xffff);
  uint64_t p = (static_cast<uint64_t>(tier) << 16) | static_cast<uint64_t>(minutes);
  return static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(p, 0xffffffffu)));
}

// ---------------------------------------------------------------- the orders
// Each order is written here once, as numbered criteria. The engine sorts by packed keys for
// speed (engine/cycle_detail.h); test_ordering checks the keys against these comparators.

// Pending jobs cluster-wide, first to run first (DESIGN.md §2, and Slurm's own tie-break):
//   1. the engine's priority (pending_priority(): tier, then minutes waited), larger first;
//   2. submit time, earlier first;
//   3. job id, smaller first.
struct PendingRank {
  uint32_t priority;
  int64_t submit_time;
  uint32_t id;
};
inline bool runs_before(const PendingRank& a, const PendingRank& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.submit_time != b.submit_time) return a.submit_time < b.submit_time;
  return a.id < b.id;
}

// Pending jobs team by team, each team's own order for the fair share of idle compute
// (fair_sharing.h):
//   1. team index, ascending (each team's jobs together);
//   2. class rank (class_ranks()), higher first;
//   3. submit time, earlier first;
//   4. job id, smaller first.
struct TeamPendingRank {
  int32_t team;
  uint8_t class_rank;
  int64_t submit_time;
  uint32_t id;
};
inline bool team_demand_before(const TeamPendingRank& a, const TeamPendingRank& b) {
  if (a.team != b.team) return a.team < b.team;
  if (a.class_rank != b.class_rank) return a.class_rank > b.class_rank;
  if (a.submit_time != b.submit_time) return a.submit_time < b.submit_time;
  return a.id < b.id;
}

// Running jobs, first victim first (DESIGN.md §2):
//   1. class weight, lowest first;
//   2. the team's share rank, the team most over its share first (0);
//   3. start time, newest first (least work lost);
//   4. job id, larger first.
// A team's borrowed excess is the same order inside one team (equal share ranks).
struct VictimRank {
  int32_t class_weight;
  uint32_t team_share_rank;
  int64_t start_time;
  uint32_t id;
};
inline bool preempted_before(const VictimRank& a, const VictimRank& b) {
  if (a.class_weight != b.class_weight) return a.class_weight < b.class_weight;
  if (a.team_share_rank != b.team_share_rank) return a.team_share_rank < b.team_share_rank;
  if (a.start_time != b.start_time) return a.start_time > b.start_time;
  return a.id > b.id;
}

// Slurm keeps a job's site factor biased by NICE_OFFSET (2^31; the shim adds it), so the term
// taskgov contributes stays below 2^31.
constexpr uint64_t kSiteTermMax = 0x7fffffff;

// One step of the governance term: larger than anything multifactor can add (the sum of its
// PriorityWeight* values), so the term dominates and multifactor only breaks ties. Above about
// 65 million of weights the step is capped to fit, and dominance is no longer strict.
uint64_t governance_unit(uint64_t multifactor_max);

// The site-factor term for a tier: the tier times the unit, with share ranks coarsened when
// the unit leaves too little room below 2^31. Always a whole multiple of the unit.
uint32_t governance_site_factor(uint32_t tier, uint64_t multifactor_max);

}  // namespace taskgov
