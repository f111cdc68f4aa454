// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster the command's unit tests look at, with an Engine whose cycle is published (as
// load_live_state() leaves it) and the jobs as libslurm would show them:
//   2 nodes of 8 H100; classes inference (100) > training (50) > experimentation (10),
//   task-ranking. nlp: quota 8 H100, lend-and-borrow 50 % (cap 4). vision: quota 8 H100, lend.
//   nlp runs 10 (experimentation, 4 GPUs, start 100), 11 (experimentation, 4, start 200) and
//   12 (training, 4, start 300): 12 held, 4 borrowed from vision's idle quota; job 11 is the
//   borrowed excess. Pending: nlp 20 (training, 4: blocked above quota + cap), vision 30
//   (inference, 8: in quota, may reclaim job 11), and nlp 21 (held, priority 0).
#pragma once

#include <string>
#include <vector>

#include "cli/live_snapshot.h"
#include "scenario.h"

namespace taskgov::test {

struct CliWorld {
  scenario::Scenario scenario;
  Engine engine;
  std::vector<cli::LiveJob> jobs;

  const cli::LiveJob& job(uint32_t id) const;
};

CliWorld borrowing_world();

// A job as libslurm shows it: account = team name, QOS = class, TRES strings Slurm's way.
cli::LiveJob live_job(uint32_t id, cli::JobPhase phase, const std::string& account, const std::string& qos,
                      int gpus, int64_t time);

}  // namespace taskgov::test
