// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli_world.h"

#include <fmt/format.h>

#include <stdexcept>

namespace taskgov::test {

using cli::JobPhase;
using cli::LiveJob;

const LiveJob& CliWorld::job(uint32_t id) const {
  for (const LiveJob& j : jobs)
    if (j.id == id) return j;
  throw std::invalid_argument("no job " + std::to_string(id));
}

LiveJob live_job(uint32_t id, JobPhase phase, const std::string& account, const std::string& qos, int gpus,
                 int64_t time) {
  LiveJob job;
  job.id = id;
  job.phase = phase;
  job.state = phase == JobPhase::Running ? "RUNNING" : phase == JobPhase::Pending ? "PENDING" : "COMPLETED";
  job.user = "alice";
  job.account = account;
  job.qos = qos;
  std::string tres = fmt::format("node=1,billing={},gres/gpu={},gres/gpu:h100={}", gpus, gpus, gpus);
  (phase == JobPhase::Running ? job.tres_alloc : job.tres_req) = tres;
  (phase == JobPhase::Running ? job.start_time : job.submit_time) = time;
  return job;
}

CliWorld borrowing_world() {
  using scenario::TeamSpec;
  CliWorld world;
  scenario::Scenario& s = world.scenario;
  s.nodes(2, {{"cpu", 192}, {"mem", 2 * scenario::kTiB}, {"gres/gpu:h100", 8}}, {"p5.48xlarge"})
      .classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}})
      .admission(Admission::TaskRanking)
      .at(1000);
  s.team(TeamSpec{"nlp", {{"gres/gpu:h100", 8}}, Sharing::LendAndBorrow, 10, 50, {}, PreemptTeamTasks::LowerPriority});
  s.team(TeamSpec{"vision", {{"gres/gpu:h100", 8}}, Sharing::Lend, 10, 50, {}, PreemptTeamTasks::LowerPriority});
  world.jobs = {
      live_job(10, JobPhase::Running, "nlp", "experimentation", 4, 100),
      live_job(11, JobPhase::Running, "nlp", "experimentation", 4, 200),
      live_job(12, JobPhase::Running, "nlp", "training", 4, 300),
      live_job(20, JobPhase::Pending, "nlp", "training", 4, 500),
      live_job(30, JobPhase::Pending, "vision", "inference", 8, 600),
      live_job(21, JobPhase::Pending, "nlp", "training", 4, 400),
  };
  world.jobs.back().held = true;
  PolicyError error;
  if (!world.engine.set_policy(s.policy(), s.inventory(), &error)) throw std::invalid_argument(error.to_string());
  world.engine.run_cycle(cli::build_snapshot(world.engine, cli::AccountTree(), world.jobs, 1000));
  return world;
}

}  // namespace taskgov::test
