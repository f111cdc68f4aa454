// SPDX-License-Identifier: GPL-2.0-or-later
// Job records from slurmdbd through `sacct --json` (Slurm 22.05: openapi dbv0.0.38 layout),
// for `taskgov report` and for jobs slurmctld has forgotten in `taskgov explain`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/resources.h"

namespace taskgov::cli {

// sacct's node list of a record that got no nodes: it is pending, or it ended before it ran.
constexpr const char* kNoNodes = "None assigned";

// One record of a job: a requeued job has one per run when sacct is given --duplicates.
struct SacctJob {
  uint32_t id = 0;
  std::string account, user, qos;
  std::string state;          // state.current: "COMPLETED", "PREEMPTED", "RUNNING", ...
  std::string admin_comment;  // comment.administrator
  std::string nodes;          // the node list; kNoNodes for a run that never started
  int64_t submit = 0;         // time.submission
  int64_t start = 0;          // time.start; 0 when it never started
  int64_t end = 0;            // time.end; 0 while it runs
  // tres.allocated as TRES names ("cpu", "mem", "gres/gpu:h100") -> count (mem in MiB).
  std::vector<std::pair<std::string, Amount>> allocated;
};

// jobs[]: job_id, account, user, qos, state.current, comment.administrator, nodes,
// time.{submission,start,end}, tres.allocated[{type,name,count}]. False with a message when the
// text is no such document.
bool parse_sacct_json(std::string_view text, std::vector<SacctJob>* jobs, std::string* error);

// Runs `sacct --json <arguments>`; false with a message when sacct fails or prints no JSON.
bool run_sacct(const std::vector<std::string>& arguments, std::vector<SacctJob>* jobs,
               std::string* error);

}  // namespace taskgov::cli
