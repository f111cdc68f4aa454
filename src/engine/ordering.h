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
