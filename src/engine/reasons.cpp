// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/reasons.h"

#include <fmt/format.h>

namespace taskgov {

namespace {

// The resource to talk about for an in-quota job: the accelerator it asks most of, else cpu.
int headline_resource(const ResourceVector& req, int n) {
  int best = ResourceCatalog::kCpu;
  for (int r = ResourceCatalog::kFirstAccelerator; r < n; ++r)
    if (req[r] > 0 && (best == ResourceCatalog::kCpu || req[r] > req[best])) best = r;
  return best;
}

}  // namespace

std::string pending_reason(const CycleResult& cycle, size_t index) {
  const PendingJob& job = cycle.pending[index];
  if (job.team < 0) return "ungoverned: its account belongs to no team";
  const EngineConfig& config = *cycle.config;
  const ResourceCatalog& catalog = config.resolved.catalog;
  const int n = config.resources();
  const PendingVerdict& verdict = cycle.pending_verdicts[index];
  const TeamUsage& team = cycle.teams[static_cast<size_t>(job.team)];
  const std::string& name = config.policy.teams[static_cast<size_t>(job.team)].name;
  int r = verdict.holding >= 0 ? verdict.holding : headline_resource(job.req, n);
  auto amount = [&](Amount a) { return format_amount(catalog, r, a); };
  const std::string& resource = catalog.name(r);
  Amount after = team.used[r] + job.req[r];

  switch (verdict.band) {
    case Band::InQuota:
      return fmt::format("in quota: {} would hold {} {} of its quota {}", name, amount(after),
                         resource, amount(team.nominal[r]));
    case Band::Borrow:
      return fmt::format(
          "needs to borrow {}: {} would hold {} against a quota of {} (borrow cap {}, pool {} free)",
          resource, name, amount(after), amount(team.nominal[r]), amount(team.borrow_cap[r]),
          amount(std::max<Amount>(0, cycle.pool.free[r])));
    case Band::Blocked:
      break;
  }
  if (!can_borrow(team.sharing))
    return fmt::format("blocked on {}: {} would hold {} against a quota of {} and does not borrow",
                       resource, name, amount(after), amount(team.nominal[r]));
  Amount ceiling = team.nominal[r] + team.borrow_cap[r];
  if (after > ceiling)
    return fmt::format("blocked on {}: {} would hold {}, above quota {} + borrow cap {} = {}",
                       resource, name, amount(after), amount(team.nominal[r]),
                       amount(team.borrow_cap[r]), amount(ceiling));
  const Amount more = after - team.nominal[r] - team.borrowed[r];
  const Amount free = std::max<Amount>(0, cycle.pool.free[r]);
  if (more > free)
    return fmt::format("blocked on {}: {} would borrow {} more but the pool has {} free", resource,
                       name, amount(more), amount(free));
  return fmt::format(
      "blocked on {}: {} would hold {}, above its limit {} now: the {} the pool has free are other "
      "teams' part of it (their fair share, or a lender's own quota it waits for)",
      resource, name, amount(after), amount(team.limit[r]), amount(free));
}

}  // namespace taskgov
