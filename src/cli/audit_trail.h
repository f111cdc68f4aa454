// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the plugins' decision records back (taskgov_plugins(8), DECISION RECORDS): the
// preemptions of one job, with both teams' numbers as the plugins saw them at that moment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit_records.h"
#include "policy/policy.h"

namespace taskgov::cli {

using audit::RecordedAmounts;
using audit::RecordedPreemption;
using audit::RecordedTeam;

// The audit log of the plugins: the policy's cluster.audit_log, else taskgov-audit.log next to
// the log file slurmctld reports.
std::string audit_log_path(const Policy& policy);

// The preemptions of `job` recorded in `path` and its rotated copies, oldest first. False
// with a message when `path` itself cannot be read (missing rotated copies are fine).
bool read_recorded_preemptions(const std::string& path, uint32_t job,
                               std::vector<RecordedPreemption>* out, std::string* error);

}  // namespace taskgov::cli
