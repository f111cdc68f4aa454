// SPDX-License-Identifier: GPL-2.0-or-later
// The discrete-event replay of `taskgov simulate`: jobs arrive, wait, start on nodes, end or
// are preempted, under one of three regimes. Slurm's part is modelled here (the scheduler
// starts jobs in priority order whenever they fit on nodes and within their team's limit;
// preemption frees victims' nodes for a job that cannot be placed); every governance rule
// comes from the engine the plugins run: each team's limit, the order of pending jobs, which
// running job may be preempted for which pending one and in what order, and the victims of jobs
// held back by their own team's limit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "cli/simulate_metrics.h"
#include "cli/simulate_trace.h"

namespace taskgov::cli {

enum class Regime {
  Fifo,     // one queue in submit order, no quotas
  Static,   // each team capped at its quota (static GrpTRES), no borrowing
  Taskgov,  // the policy, through the engine's cycle
};
const char* regime_name(Regime regime);  // "fifo", "static", "taskgov"

struct ReplaySetup {
  const Trace* trace = nullptr;
  std::vector<int> gpus_per_node;
  std::vector<Amount> quota;                   // per trace team, GPUs: the static cap, and the
                                               // guarantee the metrics check in every regime
  std::shared_ptr<const EngineConfig> config;  // the policy (taskgov regime)
  std::vector<int32_t> engine_team;            // per trace team: its policy team, or kNoTeam
  int gpu_resource = -1;                       // the GPUs' index in config's resource catalog
  std::string gpu_gres;                        // "gpu" or "gpu:h100": what jobs ask for
  int32_t job_class = kNoClass;                // what job_submit gives a job without --qos
  int64_t cycle_seconds = 5;                   // the cycle runs at most this often, soon after a change
  int64_t requeue_delay = 1201;                // a requeued job's BeginTime: Slurm's credential
                                               // expiry window (1200 s) + 1
  int64_t bucket_seconds = 3600;               // resolution of the time series
};

// Called now and then with the share of the arrivals replayed so far (0..1).
using Progress = std::function<void(double)>;

RegimeResult replay(const ReplaySetup& setup, Regime regime, const Progress& progress);

}  // namespace taskgov::cli
