// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/site_factors.h"

namespace taskgov {

bool SiteFactorLedger::ours(uint32_t job_id, uint64_t term, uint64_t unit) const {
  auto it = terms_.find(job_id);
  if (it == terms_.end()) return unit > 0 && term % unit == 0;
  return it->second != kOperator && it->second == term;
}

void SiteFactorLedger::wrote(uint32_t job_id, uint64_t term) {
  auto [it, inserted] = terms_.try_emplace(job_id, term);
  if (!inserted && it->second != kOperator) it->second = term;
}

void SiteFactorLedger::set_by_operator(uint32_t job_id) {
  auto [it, inserted] = terms_.try_emplace(job_id, kOperator);
  if (!inserted && it->second == kOperator) return;
  if (operator_jobs_ >= kMaxOperatorJobs) {
    // Bounded: past this many, the oldest knowledge is not kept; drop every operator entry
    // rather than grow without end (a job then counts as unseen again).
    for (auto e = terms_.begin(); e != terms_.end();)
      e = e->second == kOperator ? terms_.erase(e) : std::next(e);
    operator_jobs_ = 0;
    it = terms_.try_emplace(job_id, kOperator).first;
  }
  it->second = kOperator;
  ++operator_jobs_;
}

void SiteFactorLedger::keep_pending(const JobIndex& pending) {
  for (auto e = terms_.begin(); e != terms_.end();) {
    if (e->second != kOperator && pending.find(e->first) == JobIndex::kAbsent)
      e = terms_.erase(e);
    else
      ++e;
  }
}

}  // namespace taskgov
