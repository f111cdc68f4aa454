// SPDX-License-Identifier: GPL-2.0-or-later
// Idle capacity divided at admission (DESIGN.md §2): what each borrowing team may borrow now —
// its dynamic limit — and the rank of its pending jobs follow weighted dominant-resource share,
// computed cumulatively ("water-filling"): a team's k-th job is ranked by the team's share after
// admitting its first k. Bounded by borrow caps and by demand, and work-conserving: what one
// team cannot use goes to the next.
//
// Dividing capacity before it is handed out is what keeps fair sharing free of preemption: a
// team never starts more than its part, so no work has to be thrown away to give the part back.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/borrowing.h"
#include "engine/ordering.h"
#include "policy/resources.h"
#include "engine/snapshot.h"

namespace taskgov {

// One team's claims on the pool, each list in the order the team keeps or gets capacity.
struct TeamDemand {
  int weight = 0;
  // Running jobs of its borrowed excess, the one it keeps longest first (highest class, then
  // oldest). The division re-admits them beside the pending jobs, so a team holding more than
  // its part gets a limit below its use: it cannot re-take what its jobs free, and what a
  // fair-share preemption frees goes to the preemptor.
  std::vector<const ResourceVector*> running;
  // Positions in the cycle's pending list of its jobs that could start now (eligible), in the
  // team's own order: higher class first (task-ranking), then submit time, then job id.
  std::vector<uint32_t> pending;
};

struct Division {
  std::vector<ResourceVector> limit;  // per team: quota + what it may borrow now
  // Per pending position: share_rank() of the job's team's share after admitting the team's
  // jobs up to and including this one, for jobs that compete for the pool; kUnranked for the
  // others. (Ranks, not shares: 2 bytes a job keeps the array in cache.)
  std::vector<uint16_t> share_rank;
  static constexpr uint16_t kUnranked = UINT16_MAX;
};

// `teams` carry quota, borrow cap, use and sharing; `pool` is this cycle's lending pool.
// Three steps: (1) every team's jobs that fit in its own quota are admitted: a lender's demand
// for its own idle quota comes before anyone's borrowing; (2) borrowing jobs, running and
// pending, are admitted one at a time, always the team whose share after its next pending job
// (or without its next running job) is lowest (ties: a pending job first, then the lower team
// index), skipping jobs that do not fit the pool or the team's borrow cap; (3) what is really free — running jobs the division did
// not keep hold theirs until they are preempted or end — is split by weight as headroom, so
// that a job submitted before the next cycle can start at once without taking more than its
// team's part. Weight 0 borrows only what no positive weight wants.
Division divide_idle_capacity(const std::vector<TeamUsage>& teams,
                              const std::vector<TeamDemand>& demand,
                              const std::vector<PendingJob>& pending, const Pool& pool,
                              bool all_weights_zero, int n);

}  // namespace taskgov
