// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov report`: per team and resource the device-hours and CPU-hours held within a window,
// split into within quota and borrowed, the preemptions suffered and caused, and the waits,
// from slurmdbd's job records (sacct --json). The computation is pure, for the unit tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/sacct.h"

namespace taskgov::cli {

struct Window {
  int64_t start = 0;  // inclusive
  int64_t end = 0;    // exclusive
};

// "now", "2026-01-31", "2026-01-31T08:00", "2026-01-31T08:00:00" (or a space for the T), in
// local time as sacct reads them. False with a message naming the accepted forms.
bool parse_report_time(const std::string& text, int64_t now, int64_t* epoch, std::string* error);

// Seconds of [start, end) inside the window; an end of 0 (still running) counts up to `now`.
int64_t overlap_seconds(int64_t start, int64_t end, int64_t now, const Window& window);

// Nearest-rank 95th percentile: the smallest value with at least 95 % of the values at or
// below it. Empty input has none.
std::optional<int64_t> percentile_95(std::vector<int64_t> values);

// Resource-seconds: the amount held times the seconds it was held.
// seconds = within_quota_seconds + borrowed_seconds for a team's jobs; jobs of no team are
// neither within a quota nor borrowing, so their seconds count only in `seconds`.
struct ResourceUsage {
  int64_t seconds = 0;
  int64_t within_quota_seconds = 0;
  int64_t borrowed_seconds = 0;  // the part its AdminComment's borrowed= lists
};

struct TeamReport {
  std::string team;  // "" for jobs of no team (ungoverned)
  std::map<std::string, ResourceUsage> resources;  // "cpu", "gres/gpu:h100", ...
  int jobs = 0;                    // distinct jobs that ran (or started) in the window
  std::vector<int64_t> waits;      // start - submit of each run that started in the window
  std::map<std::string, int> preempted;  // runs ended by preemption in the window, by reason
  std::map<std::string, int> caused;     // the same preemptions, counted for the preemptor's team
};

struct UsageReport {
  Window window;
  std::vector<TeamReport> teams;
  TeamReport totals;  // sums over `teams`; `caused` also counts preemptors of unknown team
};

// `records` as sacct --duplicates gives them (one per run). `team_of_job` names the team of
// every record's job and of the preemptors ("" for none; a preemptor missing from it is of an
// unknown team). `teams` lists the teams to show, in order, even when they held nothing; with
// `only_team` set, only that team's jobs and the preemptions its jobs caused count.
UsageReport compute_usage(const std::vector<SacctJob>& records, const Window& window, int64_t now,
                          const std::map<uint32_t, std::string>& team_of_job,
                          const std::vector<std::string>& teams, const std::string& only_team);

std::string render_report_table(const UsageReport& report);
std::string render_report_json(const UsageReport& report);
std::string render_report_csv(const UsageReport& report);

}  // namespace taskgov::cli
