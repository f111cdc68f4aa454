// SPDX-License-Identifier: GPL-2.0-or-later
// The decision records of the audit log, one JSON object each (taskgov_plugins(8) documents
// the fields). Pure functions of the engine's data: the plugins decide what happened, these
// say it with the numbers the engine decided on.
//
// Amounts are in Slurm's TRES units (counts; MiB for mem), keyed by TRES name; a team's
// numbers are those of the last cycle: quota, used, borrowed, lent and limit per resource.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/submission.h"

namespace taskgov::audit {

// A policy file installed; `generation` counts successful loads since slurmctld started.
std::string policy_loaded(const EngineConfig& config, uint64_t generation);
// A policy file refused; `in_force` is the policy that stays, null when there is none.
std::string policy_refused(const std::string& file, const std::string& error,
                           const EngineConfig* in_force);

// Who asked, at submit or update time (the job id is 0 at submit: Slurm assigns it after).
struct Submitter {
  uint32_t uid = 0;
  uint32_t job_id = 0;
  bool update = false;
  std::string account;
};
// job_submit/taskgov's decision; `team` is the job's team, -1 when its account has none
// (then `decision` is null and the record says whether unmapped accounts pass).
std::string submission(const EngineConfig& config, const Submitter& who, int32_t team,
                       const SubmitDecision* decision);

// What a cycle changed against the previous one: pending jobs entering a band (from none when
// new), governed jobs starting (on borrowed capacity or not), and teams whose enforced limit
// moved. Nothing when there is no previous cycle: after a restart everything would be "new".
std::vector<std::string> cycle_changes(const CycleResult* previous, const CycleResult& current);

enum class PreemptionPath { Scheduler, Cycle };
// The preempting job as the caller knows it: a job submitted since the cycle is not in it.
struct Preemptor {
  uint32_t id = 0;
  int32_t team = kNoTeam;
  int32_t klass = kNoClass;
  std::string tres;  // what it asks for, in Slurm's TRES names; used when the cycle lacks it
};
// A preemption carried out now, with both teams' numbers from the last cycle.
std::string preemption(const CycleResult& cycle, uint32_t victim_id, const Preemptor& preemptor,
                       PreemptReason reason, PreemptionPath path);

// A preemption record read back (taskgov explain): amounts by TRES name ("gres/gpu:h100" -> 8).
using RecordedAmounts = std::map<std::string, int64_t>;
struct RecordedTeam {
  RecordedAmounts quota, used, borrowed, lent, limit;
};
struct RecordedPreemption {
  std::string time;  // as the record has it: 2026-11-21T10:00:03.123+00:00
  std::string mode;  // "enforce", or "shadow" (considered only)
  std::string reason, by;
  uint32_t victim = 0, preemptor = 0;
  std::string victim_team, preemptor_team, preemptor_class;
  RecordedAmounts victim_holds, victim_borrowed, preemptor_asks;
  std::map<std::string, RecordedTeam> teams;
};
// One record line (as the audit log's writer stamps it), when it is a preemption of `job`.
bool parse_preemption(const std::string& line, uint32_t job, RecordedPreemption* out);

}  // namespace taskgov::audit
