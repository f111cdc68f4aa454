// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the plugins' decision records back (taskgov_plugins(8), DECISION RECORDS): the
// preemptions of one job, with both teams' numbers as the plugins saw them at that moment.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace taskgov::cli {

// Amounts by TRES name ("gres/gpu:h100" -> 8).
using RecordedAmounts = std::map<std::string, int64_t>;

struct RecordedTeam {
  RecordedAmounts quota, used, borrowed, lent, limit;
};

struct RecordedPreemption {
  std::string time;  // as the record has it: 2026-11-21T10:00:03.123+00:00
  std::string mode;  // "enforce", or "shadow" (considered only)
  std::string reason, by;
  uint32_t victim = 0, preemptor = 0;
  std::string victim_team, preemptor_team, preemptor_class;
  RecordedAmounts victim_holds, victim_borrowed, preemptor_asks;
  std::map<std::string, RecordedTeam> teams;
};

// The audit log of the plugins: the policy's cluster.audit_log, else taskgov-audit.log next to
// the log file slurmctld reports.
std::string audit_log_path(const Policy& policy);

// The preemptions of `job` recorded in `path` and its rotated copies, oldest first. False
// with a message when `path` itself cannot be read (missing rotated copies are fine).
bool read_recorded_preemptions(const std::string& path, uint32_t job,
                               std::vector<RecordedPreemption>* out, std::string* error);

// One record line, when it is a preemption of `job`.
bool parse_recorded_preemption(const std::string& line, uint32_t job, RecordedPreemption* out);

}  // namespace taskgov::cli
