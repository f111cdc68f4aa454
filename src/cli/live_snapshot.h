// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster as slurmctld shows it through libslurm (slurm_load_jobs, slurm_load_node, the
// association manager), turned into the engine's inputs exactly as priority/taskgov's cycle
// does, so that `taskgov status` and `taskgov explain` show what the plugins decide.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/accounts.h"
#include "engine/engine.h"

namespace taskgov::cli {

enum class JobPhase : uint8_t { Pending, Running, Ended };  // Running includes suspended

// One job of slurm_load_jobs(), copied.
struct LiveJob {
  uint32_t id = 0;
  uint32_t array_job_id = 0;            // 0 unless part of an array
  uint32_t array_task_id = UINT32_MAX;  // UINT32_MAX for the record of an array's pending tasks
  JobPhase phase = JobPhase::Ended;
  bool held = false;   // pending with priority 0: it cannot start, so the plugin skips it
  std::string state;   // Slurm's name: "PENDING", "RUNNING", "PREEMPTED", ...
  std::string reason;  // Slurm's pending reason: "Resources", "AssocGrpGRES", ...
  std::string user, account, qos, admin_comment;
  std::string tres_alloc;  // "cpu=96,mem=1T,node=1,gres/gpu:h100=4"
  std::string tres_req;
  int64_t submit_time = 0, start_time = 0, end_time = 0;
};

// The team of an account as the plugins resolve it (account, then its ancestors).
int32_t team_of_account(const Engine& engine, const AccountTree& accounts,
                        const std::string& account);

// The engine's inputs from copied jobs, as priority/taskgov snapshots job_list: running and
// suspended jobs with their allocated TRES, pending jobs that are not held with their
// requested TRES, team from the account's lineage, class from the QOS name.
Snapshot build_snapshot(const Engine& engine, const AccountTree& accounts,
                        const std::vector<LiveJob>& jobs, int64_t now);

struct LiveState {
  std::string policy_file;
  Engine engine;  // policy + live inventory, with the cycle over `jobs` published
  std::shared_ptr<const CycleResult> cycle;
  std::vector<LiveJob> jobs;  // every job slurmctld still knows, finished ones included
  AccountTree accounts;
};

// Reads the policy, the nodes, the jobs and the account tree, and runs one engine cycle over
// them. On failure prints why (prefixed with `command`) and returns kExitBadPolicy or
// kExitNoCluster; kExitOk otherwise.
int load_live_state(const std::string& policy_file, const char* command, LiveState* state);

}  // namespace taskgov::cli
