// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov status`: each team's quota, use, borrowing and lending, its pending jobs, and the
// cluster's capacity, from one engine cycle over the live cluster. The aggregation and the
// three renderings (table, JSON, Prometheus text) are pure, for the unit tests.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "cli/live_snapshot.h"

namespace taskgov::cli {

struct TeamStatus {
  std::string name;
  std::string account;
  Sharing sharing = Sharing::LendAndBorrow;
  int weight = 0;
  Share share;  // weighted share of the lending pool it borrows now (DESIGN.md §2)
  ResourceVector quota, used, in_quota, borrowed, lent, limit, borrow_cap, pending_requested;
  int running_jobs = 0;
  int pending_jobs = 0;
  std::array<int, 3> pending_by_band{};  // indexed by Band
};

struct StatusReport {
  int64_t now = 0;
  std::string policy_file;
  ClusterSettings settings;
  ResourceCatalog catalog;
  std::vector<int> resources;  // catalog indices shown, in catalog order
  bool all = false;            // also team rows that are zero throughout
  std::vector<TeamStatus> teams;
  ResourceVector capacity, used, idle, ungoverned_used;
  Pool pool;
  int running_jobs = 0, pending_jobs = 0;        // the cycle's, ungoverned included
  int ungoverned_running = 0, ungoverned_pending = 0;
  std::map<std::string, int> preemptions;        // reason -> preempted_by records
};

// A resource is shown when the cluster has some, or some team has quota, a borrow cap, use or
// pending requests of it; `all` shows every resource and every team row.
StatusReport summarize_status(const CycleResult& cycle, bool all);

// preempted_by records in the AdminComments of `jobs`, by reason; reclaim, priority and
// fair-share are always present (a Prometheus series should not appear from nowhere).
std::map<std::string, int> count_preemptions(const std::vector<LiveJob>& jobs);

std::string render_status_table(const StatusReport& report);
std::string render_status_json(const StatusReport& report, bool compact);
std::string render_status_prometheus(const StatusReport& report);

}  // namespace taskgov::cli
