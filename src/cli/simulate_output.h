// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov simulate`'s results as a table for people, JSON for scripts (one object per
// regime, per team the same fields) or CSV (one row per regime and team, TOTAL rows included),
// and the check of the fifo replay's waits against the waits the trace observed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/simulate_metrics.h"
#include "cli/simulate_trace.h"

namespace taskgov::cli {

struct SimulationReport {
  std::string trace;      // where the jobs came from
  std::string cluster;    // "100 nodes x 8 GPUs"
  int64_t cycle_seconds = 0;
  std::vector<RegimeResult> regimes;
};

// Over the jobs that finished in the fifo replay and whose observed wait the trace gives: both
// waits' statistics, and how many jobs waited longer in the replay than in production.
struct WaitValidation {
  size_t jobs = 0;
  WaitStats simulated, observed;
  size_t longer = 0, shorter = 0;
};
std::optional<WaitValidation> validate_fifo_waits(const Trace& trace, const RegimeResult& fifo);

std::string render_simulation_table(const SimulationReport& report, const std::optional<WaitValidation>& check);
std::string render_simulation_json(const SimulationReport& report, const std::optional<WaitValidation>& check);
std::string render_simulation_csv(const SimulationReport& report);

}  // namespace taskgov::cli
