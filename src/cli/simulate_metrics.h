// SPDX-License-Identifier: GPL-2.0-or-later
// What one regime of `taskgov simulate` measured: GPU-time per team within quota and borrowed,
// work lost to preemption, waits, guarantee violations, and the time series the charts draw.
// The replay tells the recorder what changed; the recorder integrates between changes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/resources.h"

namespace taskgov::cli {

struct WaitStats {
  double mean = 0;
  int64_t p50 = 0, p95 = 0, max = 0;
};
// Nearest-rank percentiles; nullopt for no values.
std::optional<WaitStats> wait_stats(std::vector<int64_t> waits);

struct TeamMetrics {
  std::string name;
  Amount quota = 0;
  double held_gpu_s = 0;           // GPUs held times seconds, useful or later lost
  double horizon_held_gpu_s = 0;   // the part of it before the horizon
  // Held GPU-seconds before the horizon / (capacity or quota * horizon), 0 for a quota of 0.
  double utilization = 0;
  double within_quota_gpu_s = 0;   // the part of held up to the quota
  double borrowed_gpu_s = 0;       // the part above it
  double delivered_gpu_s = 0;      // work of runs that completed
  double preempted_gpu_s = 0;      // work of runs ended by preemption (lost)
  double violation_gpu_s = 0;      // guarantee violations beyond the grace (see recorder)
  int64_t longest_violation_s = 0;
  int jobs = 0, finished = 0, preemptions = 0, never_started = 0;
  std::vector<int64_t> waits;      // per finished job: completion - submit - duration
};

struct RegimeResult {
  std::string regime;
  int capacity = 0;
  int64_t horizon = 0;        // utilization is measured over [0, horizon): the arrivals
  int64_t makespan = 0;       // last completion
  int64_t cycles = 0;         // engine cycles run (taskgov only)
  std::map<std::string, int> preemptions_by_reason;  // "reclaim", "priority", "fair-share"
  double seconds = 0;         // wall-clock time of the replay
  TeamMetrics total;
  std::vector<TeamMetrics> teams;
  // Means per bucket of bucket_s seconds, from 0 to the makespan.
  int64_t bucket_s = 0;
  std::vector<double> busy;                   // GPUs held
  std::vector<std::vector<double>> in_quota;  // [team][bucket] GPUs held within quota
  std::vector<std::vector<double>> borrowed;  // [team][bucket] GPUs held above quota
  std::vector<int64_t> wait_of_job;           // per trace job; -1 when it never finished
  std::vector<int64_t> start_of_job;          // per trace job: its last start; -1 for none
};

// Integrates the cluster's state between changes. A guarantee violation is time during which
// a team has a pending job that fits within its quota (held + job <= quota) while other teams
// hold GPUs above theirs; it counts min(quota - held, what the others borrow) GPUs, and only
// after the first `grace_s` seconds of each episode (one engine cycle: the cycle must see a
// change before it can act on it).
class MetricsRecorder {
 public:
  MetricsRecorder(const std::vector<std::string>& teams, const std::vector<Amount>& quota, int capacity,
                  int64_t horizon, int64_t bucket_s, int64_t grace_s, size_t jobs);

  // Moves time forward to `now` under the state as it has been since the last call.
  void advance(int64_t now);
  void start(size_t job, int team, int gpus);
  void stop(int team, int gpus);
  void pend(int team, int footprint);
  void unpend(int team, int footprint);
  void completed(size_t job, int team, int gpus, int64_t duration, int64_t wait);
  void preempted(int team, int gpus, int64_t ran, const std::string& reason);
  void never_started(int team);
  void submitted(int team);

  RegimeResult finish(std::string regime, int64_t cycles);

 private:
  TeamMetrics& team(int t) { return t >= 0 ? result_.teams[static_cast<size_t>(t)] : ungoverned_; }
  void add_to_buckets(int64_t from, int64_t to);

  RegimeResult result_;
  TeamMetrics ungoverned_;
  std::vector<Amount> quota_;
  std::vector<int> held_;                   // per team
  int held_ungoverned_ = 0;
  std::vector<std::multiset<int>> pending_;  // per team: footprints of pending jobs
  std::vector<int64_t> episode_start_;       // per team: -1 when not in violation
  int64_t grace_s_;
  int64_t now_ = 0;
};

}  // namespace taskgov::cli
