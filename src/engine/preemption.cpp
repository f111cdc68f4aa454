// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/preemption.h"

#include <algorithm>
#include <iterator>

namespace taskgov {

namespace {

// Indexed by PreemptReason: the one place the names are spelled.
constexpr const char* kReasonNames[] = {"none", "reclaim", "priority", "fair-share"};

}  // namespace

const char* reason_name(PreemptReason reason) {
  size_t i = static_cast<size_t>(reason);
  return i < std::size(kReasonNames) ? kReasonNames[i] : kReasonNames[0];
}

PreemptReason reason_of_name(std::string_view name) {
  for (PreemptReason reason : kPreemptReasons)
    if (name == reason_name(reason)) return reason;
  return PreemptReason::None;
}

namespace {

bool is_reclaim(const PreemptorFacts& p, const VictimFacts& v) {
  return p.team != v.team && p.fits_in_quota && (v.excess_mask & p.need_mask) != 0;
}

bool is_priority(const PreemptionRules& rules, const PreemptorFacts& p, const VictimFacts& v) {
  return rules.task_ranking && p.team == v.team &&
         rules.teams[static_cast<size_t>(p.team)].lower_priority_preempts &&
         v.class_weight < p.class_weight;
}

bool less_or_equal_to_final_share(const PreemptorFacts& p, const VictimFacts& v) {
  return p.share_after <= v.team_share_after_loss;
}

bool less_than_initial_share(const PreemptorFacts& p, const VictimFacts& v) {
  return p.share_after < v.team_share_now;
}

bool is_fair_share(const PreemptionRules& rules, const PreemptorFacts& p, const VictimFacts& v) {
  return rules.fair_share && p.team != v.team && p.borrows && v.excess_mask != 0 &&
         (v.excess_mask & p.need_mask) != 0 &&
         (less_or_equal_to_final_share(p, v) || less_than_initial_share(p, v));
}

}  // namespace

PreemptReason preempt_reason(const PreemptionRules& rules, const PreemptorFacts& p,
                             const VictimFacts& v) {
  if (p.team < 0 || v.team < 0) return PreemptReason::None;
  if (is_reclaim(p, v)) return PreemptReason::Reclaim;
  if (is_priority(rules, p, v)) return PreemptReason::Priority;
  if (is_fair_share(rules, p, v)) return PreemptReason::FairShare;
  return PreemptReason::None;
}

std::vector<uint32_t> borrowed_excess(const std::vector<RunningForExcess>& jobs,
                                      const ResourceVector& borrowed, int n) {
  std::vector<uint32_t> masks(jobs.size(), 0);
  if (borrowed.is_zero()) return masks;
  // Sorted as compact keys, not as indices into `jobs`, so that comparisons read
  // neighbouring memory; the engine passes each team's jobs already in this order, which the
  // sort then confirms cheaply.
  struct Key {
    int class_weight;
    int64_t start_time;
    uint32_t id;
    uint32_t pos;
  };
  std::vector<Key> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = {jobs[i].class_weight, jobs[i].start_time, jobs[i].id, static_cast<uint32_t>(i)};
  // The victim order inside one team: every job has the same share rank.
  std::sort(order.begin(), order.end(), [](const Key& x, const Key& y) {
    return preempted_before({x.class_weight, 0, x.start_time, x.id}, {y.class_weight, 0, y.start_time, y.id});
  });
  for (int r = 0; r < n; ++r) {
    Amount covered = 0;
    for (size_t i = 0; i < order.size() && covered < borrowed[r]; ++i) {
      Amount held = (*jobs[order[i].pos].alloc)[r];
      if (held <= 0) continue;
      covered += held;
      masks[order[i].pos] |= 1u << r;
    }
  }
  return masks;
}

namespace {

bool covers(const ResourceVector& freed, const ResourceVector& shortfall, int n) {
  for (int r = 0; r < n; ++r)
    if (shortfall[r] > 0 && freed[r] < shortfall[r]) return false;
  return true;
}

bool helps(const ResourceVector& alloc, const ResourceVector& shortfall, int n) {
  for (int r = 0; r < n; ++r)
    if (shortfall[r] > 0 && alloc[r] > 0) return true;
  return false;
}

}  // namespace

std::vector<uint32_t> minimal_victim_set(std::vector<VictimCandidate> candidates,
                                         const ResourceVector& shortfall, int n) {
  std::sort(candidates.begin(), candidates.end(),
            [](const VictimCandidate& a, const VictimCandidate& b) { return a.rank < b.rank; });
  std::vector<const VictimCandidate*> chosen;
  ResourceVector freed;
  for (const VictimCandidate& c : candidates) {
    if (covers(freed, shortfall, n)) break;
    if (!helps(*c.alloc, shortfall, n)) continue;
    chosen.push_back(&c);
    freed += *c.alloc;
  }
  if (!covers(freed, shortfall, n)) return {};
  // Greedy order can pick small jobs that a later, larger pick made redundant. Try dropping
  // the latest-chosen first, so that when either of two would do, the cheaper one stays.
  for (size_t i = chosen.size(); i-- > 0;) {
    ResourceVector without = freed;
    without -= *chosen[i]->alloc;
    if (covers(without, shortfall, n)) {
      freed = without;
      chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  std::vector<uint32_t> ids;
  for (const VictimCandidate* c : chosen) ids.push_back(c->id);
  return ids;
}

}  // namespace taskgov
