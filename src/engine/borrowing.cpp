// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/borrowing.h"

#include <algorithm>

namespace taskgov {

const char* band_name(Band band) {
  switch (band) {
    case Band::InQuota: return "in-quota";
    case Band::Borrow: return "borrowing";
    case Band::Blocked: break;
  }
  return "blocked";
}

ResourceVector borrowed_amount(const ResourceVector& nominal, const ResourceVector& used, int n) {
  ResourceVector out;
  for (int r = 0; r < n; ++r) out[r] = std::max<Amount>(0, used[r] - nominal[r]);
  return out;
}

ResourceVector lendable_amount(Sharing sharing, const ResourceVector& nominal,
                               const ResourceVector& used, int n) {
  ResourceVector out;
  if (!can_lend(sharing)) return out;
  for (int r = 0; r < n; ++r) out[r] = std::max<Amount>(0, nominal[r] - used[r]);
  return out;
}

ResourceVector unassigned_amount(bool share_unassigned, const ResourceVector& capacity,
                                 const ResourceVector& nominal_total,
                                 const ResourceVector& ungoverned_use, int n) {
  ResourceVector out;
  if (!share_unassigned) return out;
  for (int r = 0; r < n; ++r)
    out[r] = std::max<Amount>(0, capacity[r] - nominal_total[r] - ungoverned_use[r]);
  return out;
}

Pool lending_pool(const std::vector<TeamUsage>& teams, const ResourceVector& unassigned,
                  const ResourceVector& unassigned_capacity, int n) {
  Pool pool;
  pool.unassigned = unassigned;
  pool.total = unassigned;
  pool.capacity = unassigned_capacity;
  for (const TeamUsage& t : teams) {
    pool.total += t.lendable;
    pool.borrowed += t.borrowed;
    if (can_lend(t.sharing)) pool.capacity += t.nominal;
  }
  for (int r = 0; r < n; ++r) pool.free[r] = pool.total[r] - pool.borrowed[r];
  return pool;
}

void attribute_lending(std::vector<TeamUsage>* teams, const Pool& pool, int n) {
  for (TeamUsage& t : *teams) {
    for (int r = 0; r < n; ++r) {
      if (pool.total[r] <= 0) continue;
      Amount drawn = std::min(pool.borrowed[r], pool.total[r]);
      // 128-bit product: GPU counts are small but memory in MiB times MiB is not.
      t.lent[r] = static_cast<Amount>(static_cast<__int128>(drawn) * t.lendable[r] / pool.total[r]);
    }
  }
}

uint32_t enforced_resources(uint32_t proportional_mask, int n) {
  uint32_t all = n >= 32 ? ~0u : (1u << n) - 1;
  return all & ~(proportional_mask & ((1u << ResourceCatalog::kCpu) | (1u << ResourceCatalog::kMem)));
}

AdmissionCheck admission_band(const TeamUsage& team, const ResourceVector& req, int n) {
  AdmissionCheck out;
  out.band = Band::InQuota;
  out.borrowed_after = team.borrowed;
  bool within_caps = can_borrow(team.sharing);
  // Accelerators first, so that the resource named is the one Slurm names (AssocGrpGRES):
  // derived CPU and memory limits are not in GrpTRES, and a job's CPU request before
  // scheduling (often 1) can tip them over while its GPUs are what really block it.
  for (int k = 0; k < n; ++k) {
    const int r = ResourceCatalog::accelerators_first(k, n);
    if (req[r] == 0) continue;
    Amount after = team.used[r] + req[r];
    if (after <= team.nominal[r]) continue;
    Amount excess = after - team.nominal[r];
    out.borrowed_after[r] = excess;
    bool within_cap = can_borrow(team.sharing) && excess <= team.borrow_cap[r];
    within_caps = within_caps && within_cap;
    if (!within_cap || after > team.limit[r]) {
      if (out.band != Band::Blocked) out.holding = static_cast<int8_t>(r);
      out.band = Band::Blocked;
    } else if (out.band == Band::InQuota) {
      out.band = Band::Borrow;
      out.holding = static_cast<int8_t>(r);
    }
  }
  out.pool_only = out.band == Band::Blocked && within_caps;
  return out;
}

}  // namespace taskgov
