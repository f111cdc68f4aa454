// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov simulate --plot DIR`: SVG charts of the replay. utilization.svg (busy GPUs over time,
// one line per regime), teams-REGIME.svg (GPUs held per team over time, stacked, each team's
// part within its quota solid and its borrowed part pale), wait-cdf.svg (waits of all jobs per
// regime, and the trace's observed waits when it has them) and wait-cdf-REGIME.svg (per team).
#pragma once

#include <string>
#include <vector>

#include "cli/simulate_metrics.h"
#include "cli/simulate_trace.h"

namespace taskgov::cli {

struct Chart {
  std::string name;  // file name, "utilization.svg"
  std::string svg;
};

std::vector<Chart> simulation_charts(const std::vector<RegimeResult>& regimes, const Trace& trace);

// Writes each chart to DIR/name (creating DIR); false with a message naming the file that failed.
bool write_charts(const std::string& dir, const std::vector<Chart>& charts, std::string* error);

}  // namespace taskgov::cli
