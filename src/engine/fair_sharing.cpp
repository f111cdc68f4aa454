// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/fair_sharing.h"

#include <algorithm>
#include <queue>

namespace taskgov {

namespace {

// The teams' use as the division admits jobs, and what the pool has left.
class Fill {
 public:
  Fill(const std::vector<TeamUsage>& teams, const std::vector<TeamDemand>& demand,
       const Pool& pool, bool all_weights_zero, int n)
      : teams_(teams), demand_(demand), pool_(pool), all_zero_(all_weights_zero), n_(n) {
    use_.resize(teams.size());
    for (size_t t = 0; t < teams.size(); ++t) {
      use_[t] = teams[t].used;
      for (const ResourceVector* alloc : demand[t].running) use_[t] -= *alloc;
    }
    free_ = pool.unassigned;
    for (size_t t = 0; t < teams.size(); ++t)
      for (int r = 0; r < n; ++r) free_[r] += lendable(t, r, use_[t][r]) - borrowed(t, r, use_[t][r]);
  }

  bool fits_in_quota(size_t t, const ResourceVector& req) const {
    for (int r = 0; r < n_; ++r)
      if (req[r] > 0 && use_[t][r] + req[r] > teams_[t].nominal[r]) return false;
    return true;
  }

  // Admits the job when the team's borrow cap and the pool allow what it borrows.
  bool admit(size_t t, const ResourceVector& req) {
    const TeamUsage& team = teams_[t];
    for (int r = 0; r < n_; ++r) {
      if (req[r] <= 0) continue;
      Amount before = use_[t][r], after = before + req[r];
      Amount more = borrowed(t, r, after) - borrowed(t, r, before);
      if (more <= 0) continue;
      if (!can_borrow(team.sharing) || borrowed(t, r, after) > team.borrow_cap[r]) return false;
      if (free_[r] + lendable(t, r, after) - lendable(t, r, before) - more < 0) return false;
    }
    for (int r = 0; r < n_; ++r) {
      if (req[r] <= 0) continue;
      Amount before = use_[t][r], after = before + req[r];
      free_[r] += lendable(t, r, after) - lendable(t, r, before) -
                  (borrowed(t, r, after) - borrowed(t, r, before));
      use_[t][r] = after;
    }
    return true;
  }

  // The team's share were it to start `req` on top of what the division gave it so far.
  Share share_with(size_t t, const ResourceVector& req) const {
    ResourceVector b;
    for (int r = 0; r < n_; ++r) b[r] = borrowed(t, r, use_[t][r] + req[r]);
    return weighted_share(b, pool_, demand_[t].weight, all_zero_, n_);
  }

  // What the team may still borrow on r once the division is done: its cap, and what is free
  // apart from its own idle quota (a team fills its quota before it borrows).
  Amount room(size_t t, int r) const {
    const TeamUsage& team = teams_[t];
    if (!can_borrow(team.sharing)) return 0;
    Amount under_cap = team.borrow_cap[r] - borrowed(t, r, use_[t][r]);
    Amount in_pool = free_[r] - lendable(t, r, use_[t][r]);
    return std::max<Amount>(0, std::min(under_cap, in_pool));
  }

  // A running job the division did not keep still holds its resources until it is preempted
  // or ends: they are no room to hand out as headroom.
  void occupy(size_t t, const ResourceVector& alloc) {
    for (int r = 0; r < n_; ++r) {
      Amount before = use_[t][r], after = before + alloc[r];
      free_[r] += lendable(t, r, after) - lendable(t, r, before) -
                  (borrowed(t, r, after) - borrowed(t, r, before));
      use_[t][r] = after;
    }
  }

  Amount free(int r) const { return free_[r]; }
  Amount borrowed_now(size_t t, int r) const { return borrowed(t, r, use_[t][r]); }

 private:
  Amount lendable(size_t t, int r, Amount use) const {
    return can_lend(teams_[t].sharing) ? std::max<Amount>(0, teams_[t].nominal[r] - use) : 0;
  }
  Amount borrowed(size_t t, int r, Amount use) const {
    return std::max<Amount>(0, use - teams_[t].nominal[r]);
  }

  const std::vector<TeamUsage>& teams_;
  const std::vector<TeamDemand>& demand_;
  const Pool& pool_;
  bool all_zero_;
  int n_;
  std::vector<ResourceVector> use_;
  ResourceVector free_;
};

// A team's next job in step 2.
struct Head {
  // A pending job: the team's share after starting it. A running job: the team's share
  // without it, what the team would keep if it lost the job: a pending job of another team
  // goes first exactly when its share with it is no higher than that (Kueue's
  // LessThanOrEqualToFinalShare), the swap the preemption rules allow and that cannot flap.
  Share share;
  bool running;
  size_t team;
  bool known_unfit;  // the same request as the team's last job that did not fit
};

// Lowest share first; on equal shares a pending job before a running one ("no higher than"),
// then the lower team index.
struct LaterHead {
  bool operator()(const Head& a, const Head& b) const {
    if (!(a.share == b.share)) return b.share < a.share;
    if (a.running != b.running) return a.running;
    return a.team > b.team;
  }
};

// Step 3 for one resource: `left` split by weight among the teams with room, each capped by
// its room; positive weights first, weight 0 only with what they leave.
void split_headroom(const Fill& fill, const std::vector<TeamDemand>& demand, bool all_zero, int r,
                    std::vector<ResourceVector>* headroom) {
  Amount left = std::max<Amount>(0, fill.free(r));
  for (int pass = 0; pass < 2 && left > 0; ++pass) {
    const bool zero_pass = pass == 1;
    std::vector<size_t> active;
    for (size_t t = 0; t < demand.size(); ++t) {
      bool zero = demand[t].weight <= 0 && !all_zero;
      if (zero == zero_pass && fill.room(t, r) > 0) active.push_back(t);
    }
    auto weight = [&](size_t t) -> Amount { return zero_pass || all_zero ? 1 : demand[t].weight; };
    auto room_left = [&](size_t t) { return fill.room(t, r) - (*headroom)[t][r]; };
    while (left > 0 && !active.empty()) {
      Amount total = 0;
      for (size_t t : active) total += weight(t);
      const Amount round = left;
      Amount given = 0;
      for (size_t t : active) {
        Amount part = std::min(room_left(t), static_cast<Amount>(static_cast<__int128>(round) * weight(t) / total));
        (*headroom)[t][r] += part;
        given += part;
      }
      left -= given;
      if (given == 0) {
        // Fewer units than teams: one each, the heaviest weights first.
        std::vector<size_t> by_weight = active;
        std::stable_sort(by_weight.begin(), by_weight.end(),
                         [&](size_t a, size_t b) { return weight(a) > weight(b); });
        for (size_t t : by_weight) {
          if (left == 0) break;
          (*headroom)[t][r] += 1;
          left -= 1;
        }
      }
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](size_t t) { return room_left(t) <= 0; }),
                   active.end());
    }
  }
}

}  // namespace

Division divide_idle_capacity(const std::vector<TeamUsage>& teams,
                              const std::vector<TeamDemand>& demand,
                              const std::vector<PendingJob>& pending, const Pool& pool,
                              bool all_weights_zero, int n) {
  Fill fill(teams, demand, pool, all_weights_zero, n);
  Division out;
  out.share_rank.assign(pending.size(), Division::kUnranked);

  // 1. Jobs within their own team's quota.
  std::vector<std::vector<uint32_t>> borrowing(teams.size());
  for (size_t t = 0; t < teams.size(); ++t) {
    const std::vector<uint32_t>& jobs = demand[t].pending;
    for (size_t k = 0; k < jobs.size(); ++k) {
      // The jobs come in the team's order, scattered over the pending list: fetch ahead, or
      // each request costs a cache miss (most of this function's time on 100k jobs).
      if (k + 16 < jobs.size()) __builtin_prefetch(&pending[jobs[k + 16]].req);
      const uint32_t p = jobs[k];
      if (fill.fits_in_quota(t, pending[p].req))
        fill.admit(t, pending[p].req);
      else if (can_borrow(teams[t].sharing))
        borrowing[t].push_back(p);
    }
  }

  // 2. Borrowing jobs, lowest share after admission first.
  std::vector<size_t> next(teams.size(), 0);
  auto item = [&](size_t t, size_t k) -> const ResourceVector& {
    const auto& running = demand[t].running;
    return k < running.size() ? *running[k] : pending[borrowing[t][k - running.size()]].req;
  };
  auto items = [&](size_t t) {
    return can_borrow(teams[t].sharing) ? demand[t].running.size() + borrowing[t].size() : 0;
  };
  std::priority_queue<Head, std::vector<Head>, LaterHead> heads;
  std::vector<std::pair<size_t, const ResourceVector*>> not_kept;
  // Pending jobs repeat their requests (arrays, proportional defaults): once one did not fit,
  // the same request of the same team cannot fit later either (the team's use is unchanged
  // and the pool only shrinks), and its share is the same. Remembered per team until it admits.
  struct Unfit {
    const ResourceVector* req = nullptr;
    Share share;
  };
  std::vector<Unfit> unfit(teams.size());
  auto same = [n](const ResourceVector& a, const ResourceVector& b) {
    for (int r = 0; r < n; ++r)
      if (a[r] != b[r]) return false;
    return true;
  };
  auto push_head = [&](size_t t) {
    if (next[t] >= items(t)) return;
    if (next[t] + 8 < items(t)) __builtin_prefetch(&item(t, next[t] + 8));
    const ResourceVector& req = item(t, next[t]);
    const bool running = next[t] < demand[t].running.size();
    if (!running && unfit[t].req && same(*unfit[t].req, req))
      heads.push({unfit[t].share, running, t, true});
    else
      heads.push({fill.share_with(t, running ? ResourceVector{} : req), running, t, false});
  };
  for (size_t t = 0; t < teams.size(); ++t) {
    push_head(t);
    // A team that may not borrow (its sharing changed at a reload) keeps nothing above quota.
    if (!can_borrow(teams[t].sharing))
      for (const ResourceVector* alloc : demand[t].running) not_kept.emplace_back(t, alloc);
  }
  while (!heads.empty()) {
    Head head = heads.top();
    heads.pop();
    const size_t t = head.team, k = next[t]++;
    const bool admitted = !head.known_unfit && fill.admit(t, item(t, k));
    if (admitted)
      unfit[t] = Unfit{};
    else if (!head.running)
      unfit[t] = Unfit{&item(t, k), head.share};
    if (head.running && !admitted) not_kept.emplace_back(t, &item(t, k));
    if (!head.running) {
      uint32_t p = borrowing[t][k - demand[t].running.size()];
      out.share_rank[p] = share_rank(head.share);
    }
    push_head(t);
  }

  // 3. Headroom out of what is really free, and the limits.
  std::vector<ResourceVector> kept(teams.size());
  for (size_t t = 0; t < teams.size(); ++t)
    for (int r = 0; r < n; ++r) kept[t][r] = fill.borrowed_now(t, r);
  for (const auto& [t, alloc] : not_kept) fill.occupy(t, *alloc);
  std::vector<ResourceVector> headroom(teams.size());
  for (int r = 0; r < n; ++r) split_headroom(fill, demand, all_weights_zero, r, &headroom);
  out.limit.resize(teams.size());
  for (size_t t = 0; t < teams.size(); ++t) {
    out.limit[t] = teams[t].nominal;
    if (!can_borrow(teams[t].sharing)) continue;
    for (int r = 0; r < n; ++r)
      out.limit[t][r] += std::min(teams[t].borrow_cap[r], kept[t][r] + headroom[t][r]);
  }
  return out;
}

}  // namespace taskgov
