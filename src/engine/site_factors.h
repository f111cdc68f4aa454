// SPDX-License-Identifier: GPL-2.0-or-later
// Whose a pending job's site factor is. taskgov writes its governance term into the site factor
// of the jobs it governs; an operator may set one too (scontrol update SiteFactor=), and then
// it is theirs. Remembering what taskgov wrote, rather than guessing from the value, keeps
// taskgov's own terms its own when the PriorityWeight* sum (the unit) changes, and an
// operator's value (0 included) the operator's.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "engine/job_index.h"

namespace taskgov {

class SiteFactorLedger {
 public:
  // May taskgov write the job's term, which is `term` now (site factor less NICE_OFFSET)? A job
  // it wrote before: only while the term is still the one it wrote. A job it has not seen: when
  // the term is one the submit plugin gives (a whole multiple of `unit`, 0 included).
  bool ours(uint32_t job_id, uint64_t term, uint64_t unit) const;
  void wrote(uint32_t job_id, uint64_t term);
  // An operator set the job's site factor: taskgov never writes it again.
  void set_by_operator(uint32_t job_id);
  // After a cycle: taskgov's entries for jobs no longer pending go (a requeued job is judged
  // afresh); an operator's stay, up to kMaxOperatorJobs.
  void keep_pending(const JobIndex& pending);

  size_t size() const { return terms_.size(); }

  static constexpr size_t kMaxOperatorJobs = 100000;

 private:
  static constexpr uint64_t kOperator = UINT64_MAX;
  std::unordered_map<uint32_t, uint64_t> terms_;  // job id -> term written, or kOperator
  size_t operator_jobs_ = 0;
};

}  // namespace taskgov
