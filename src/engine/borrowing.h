// SPDX-License-Identifier: GPL-2.0-or-later
// Lending and borrowing (DESIGN.md §2): the lendable pool, what each team borrows and lends,
// how far each team may go right now, and which band a pending job falls in.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/policy.h"
#include "policy/resources.h"

namespace taskgov {

enum class Band : uint8_t { Blocked = 0, Borrow = 1, InQuota = 2 };
const char* band_name(Band band);  // "blocked", "borrowing", "in-quota"

struct TeamUsage {
  ResourceVector nominal;
  ResourceVector borrow_cap;
  ResourceVector used;
  ResourceVector borrowed;  // max(0, used - nominal)
  ResourceVector lendable;  // idle quota offered to others (0 for dont-lend)
  ResourceVector lent;      // share of the pool's borrowed amount attributed to this team
  ResourceVector limit;     // quota + what it may borrow now: the dynamic GrpTRES (fair_sharing.h)
  Sharing sharing = Sharing::LendAndBorrow;
};

struct Pool {
  ResourceVector unassigned;      // capacity no team owns, less ungoverned use (if shared)
  ResourceVector total;           // Σ lendable + unassigned
  ResourceVector borrowed;        // Σ borrowed over teams
  ResourceVector free;            // total - borrowed; negative while lenders reclaim
  // What the pool holds when every lender is idle: Σ quota of the teams that lend, plus the
  // capacity no team owns (if shared). Shares are measured against it, as Kueue measures them
  // against the cohort's lendable quota: a share that moved with the lenders' own use would let
  // a lender taking back its idle quota turn a fair-share swap around (a preemption back and
  // forth).
  ResourceVector capacity;
};

inline bool can_borrow(Sharing s) { return s == Sharing::LendAndBorrow; }
inline bool can_lend(Sharing s) { return s != Sharing::DontLend; }

ResourceVector borrowed_amount(const ResourceVector& nominal, const ResourceVector& used, int n);
ResourceVector lendable_amount(Sharing sharing, const ResourceVector& nominal,
                               const ResourceVector& used, int n);
// Capacity no team owns; ungoverned jobs draw on it first. Zero unless share_unassigned.
ResourceVector unassigned_amount(bool share_unassigned, const ResourceVector& capacity,
                                 const ResourceVector& nominal_total,
                                 const ResourceVector& ungoverned_use, int n);
// `unassigned` now and `unassigned_capacity` with no ungoverned use (see unassigned_amount).
Pool lending_pool(const std::vector<TeamUsage>& teams, const ResourceVector& unassigned,
                  const ResourceVector& unassigned_capacity, int n);
// Pool borrowing attributed to lenders pro rata to what each offers.
void attribute_lending(std::vector<TeamUsage>* teams, const Pool& pool, int n);
// Resources whose limit goes into Slurm's GrpTRES: every accelerator, and CPUs or memory only
// where the team's quota of them was written out rather than derived by the proportional rule.
// Derived CPUs and memory move in step with the accelerators (jobs get the same proportional
// defaults), so the accelerator limit already bounds them; and Slurm names only the first limit
// a job hits, in TRES order, so a derived CPU limit would hide the GPU reason (AssocGrpGRES)
// behind AssocGrpCpuLimit. The engine still counts CPUs and memory for bands and borrowing.
uint32_t enforced_resources(uint32_t proportional_mask, int n);

struct AdmissionCheck {
  Band band = Band::Blocked;
  // Resource that makes it borrow (Borrow) or blocks it (Blocked); an accelerator when one does.
  int8_t holding = -1;
  // Blocked only by the team's current limit (the pool has no room, or the rest is other teams'
  // fair part): within its borrow caps.
  bool pool_only = false;
  ResourceVector borrowed_after;  // the team's borrowed amounts if the job started now
};
// DESIGN §2 "a team may start a job needing req", against the team's current limit, which the
// division of idle capacity (fair_sharing.h) set from the pool and the other teams' demand.
AdmissionCheck admission_band(const TeamUsage& team, const ResourceVector& req, int n);

}  // namespace taskgov
