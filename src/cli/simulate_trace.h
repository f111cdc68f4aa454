// SPDX-License-Identifier: GPL-2.0-or-later
// The jobs `taskgov simulate` replays: the common job CSV of ../traces (job_id, submit_s,
// duration_s, gpus, team, ...), its optional _extra side file (observed_wait_s), or slurmdbd's
// records of the site's own history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/sacct.h"

namespace taskgov::cli {

struct TraceJob {
  std::string name;      // the source's job id
  int64_t submit = 0;    // seconds from the trace's first submission
  int64_t duration = 0;  // service time when it runs undisturbed
  int gpus = 0;          // whole devices (fractional requests rounded up)
  int team = -1;         // index into Trace::teams; -1 for a job of no team
  std::optional<int64_t> observed_wait;  // what production waited, when the trace says
};

struct Trace {
  std::vector<std::string> teams;  // sorted
  std::vector<TraceJob> jobs;      // sorted by submit time, then input order
};

// Columns by name (any order; extra columns ignored): job_id, submit_s, duration_s, gpus and
// team are required, team may be empty. Rows with 0 GPUs or a duration of 0 are skipped: they
// hold no GPU time. False with "FILE:LINE: column: value: what was expected" on bad input.
bool parse_trace_csv(std::string_view text, const std::string& file, Trace* trace, std::string* error);

// The side file's job_id and observed_wait_s, attached to the trace's jobs of the same id.
bool parse_trace_extra(std::string_view text, const std::string& file, Trace* trace, std::string* error);

// "DIR/x.csv" -> "DIR/x_extra.csv".
std::string extra_path_for(const std::string& trace_file);

// Jobs from sacct --duplicates records: one job per id, submitted at its first record's
// submission, running as long as its last run took, with the GPUs its runs were allocated
// (every gres/gpu TRES summed, typed or not counted once). Jobs that never ran, or ran
// without GPUs, are left out. `team_of_job` gives each id its team name ("" for none); times
// become relative to the first submission.
Trace trace_from_sacct(const std::vector<SacctJob>& records, const std::map<uint32_t, std::string>& team_of_job);

}  // namespace taskgov::cli
