// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/live_snapshot.h"

#include <pwd.h>
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "cli/command.h"
#include "cli/live_inventory.h"
#include "policy/slurm_strings.h"

// libslurm exports these under the slurm_ prefix (squeue's STATE and REASON columns) although
// slurm.h does not declare them.
extern "C" char* slurm_job_state_string(uint32_t state);
// 24.11's libslurm names the second one slurm_job_state_reason_string.
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 11, 0)
extern "C" char* slurm_job_state_reason_string(enum job_state_reason reason);
#define slurm_job_reason_string slurm_job_state_reason_string
#else
extern "C" char* slurm_job_reason_string(enum job_state_reason reason);
#endif

namespace taskgov::cli {

int32_t team_of_account(const Engine& engine, const AccountTree& accounts,
                        const std::string& account) {
  return engine.team_for_lineage(accounts.lineage(account));
}

Snapshot build_snapshot(const Engine& engine, const AccountTree& accounts,
                        const std::vector<LiveJob>& jobs, int64_t now) {
  const EngineConfig& config = *engine.config();
  const ResourceCatalog& catalog = config.resolved.catalog;
  Snapshot snapshot;
  snapshot.now = now;
  for (const LiveJob& job : jobs) {
    const SnapshotSide side =
        snapshot_side(job.phase == JobPhase::Running, job.phase == JobPhase::Pending, job.held);
    if (side == SnapshotSide::None) continue;
    const bool running = side == SnapshotSide::Running;
    ResourceVector amounts;
    // Slurm writes these strings itself; should one ever not parse, the job counts as holding
    // nothing rather than stopping the whole view.
    if (!parse_tres(running ? job.tres_alloc : job.tres_req, catalog, &amounts)) amounts = {};
    int32_t team = team_of_account(engine, accounts, job.account);
    int32_t klass = config.policy.find_class(job.qos);
    if (running)
      snapshot.running.push_back(RunningJob{job.id, team, klass, amounts, job.start_time});
    else
      snapshot.pending.push_back(PendingJob{job.id, team, klass, amounts, job.submit_time});
  }
  return snapshot;
}

namespace {

std::string text(const char* value) { return value ? value : ""; }

std::string user_name(const slurm_job_info_t& job) {
  if (job.user_name) return job.user_name;
  struct passwd* entry = getpwuid(job.user_id);
  return entry ? entry->pw_name : std::to_string(job.user_id);
}

LiveJob copy_job(const slurm_job_info_t& job) {
  LiveJob out;
  out.id = job.job_id;
  out.array_job_id = job.array_job_id;
  out.array_task_id = job.array_task_id == NO_VAL ? UINT32_MAX : job.array_task_id;
  uint32_t base = job.job_state & JOB_STATE_BASE;
  if (base == JOB_PENDING) {
    out.phase = JobPhase::Pending;
  } else if (base == JOB_RUNNING || base == JOB_SUSPENDED) {
    out.phase = JobPhase::Running;
  }
  out.held = out.phase == JobPhase::Pending && job.priority == 0;
  out.state = text(slurm_job_state_string(job.job_state));
  out.reason = text(slurm_job_reason_string(static_cast<enum job_state_reason>(job.state_reason)));
  out.user = user_name(job);
  out.account = text(job.account);
  out.qos = text(job.qos);
  out.admin_comment = text(job.admin_comment);
  out.tres_alloc = text(job.tres_alloc_str);
  out.tres_req = text(job.tres_req_str);
  out.submit_time = job.submit_time;
  out.start_time = job.start_time;
  out.end_time = job.end_time;
  return out;
}

bool load_jobs(std::vector<LiveJob>* jobs, std::string* error) {
  job_info_msg_t* message = nullptr;
  // SHOW_ALL: jobs of hidden partitions count against quotas too.
  if (slurm_load_jobs(0, &message, SHOW_ALL) != SLURM_SUCCESS) {
    *error = fmt::format("cannot read the jobs from slurmctld: {}; is slurmctld running?",
                         slurm_strerror(errno));
    return false;
  }
  jobs->clear();
  jobs->reserve(message->record_count);
  for (uint32_t i = 0; i < message->record_count; ++i) jobs->push_back(copy_job(message->job_array[i]));
  slurm_free_job_info_msg(message);
  return true;
}

// The parent links of slurmctld's association manager: the tree the plugins walk. Without it
// (an old slurmctld, PrivateData hiding other accounts) jobs still map by their own account.
AccountTree load_account_tree(const char* command) {
  AccountTree tree;
  assoc_mgr_info_request_msg_t request = {};
  request.flags = ASSOC_MGR_INFO_FLAG_ASSOC;
  assoc_mgr_info_msg_t* message = nullptr;
  if (slurm_load_assoc_mgr_info(&request, &message) != SLURM_SUCCESS || message == nullptr) {
    std::fprintf(stderr,
                 "taskgov %s: warning: cannot read slurmctld's associations (%s); jobs of "
                 "sub-accounts are shown as ungoverned\n",
                 command, slurm_strerror(errno));
    return tree;
  }
  if (message->assoc_list) {
    auto* it = slurm_list_iterator_create(message->assoc_list);  // ListIterator, list_itr_t* since 23.11
    while (auto* assoc = static_cast<slurmdb_assoc_rec_t*>(slurm_list_next(it))) {
      // Account associations carry the parent; user associations only repeat their account.
      if ((assoc->user == nullptr || *assoc->user == '\0') && assoc->acct && assoc->parent_acct)
        tree.set_parent(assoc->acct, assoc->parent_acct);
    }
    slurm_list_iterator_destroy(it);
  }
  slurm_free_assoc_mgr_info_msg(message);
  return tree;
}

}  // namespace

int load_live_state(const std::string& policy_file, const char* command, LiveState* state) {
  Policy policy;
  if (!load_policy_or_complain(policy_file, &policy)) return kExitBadPolicy;
  std::string error;
  Inventory inventory;
  std::vector<LiveJob> jobs;
  if (!connect_slurm("", &error) || !load_live_inventory(&inventory, &error) ||
      !load_jobs(&jobs, &error)) {
    std::fprintf(stderr, "taskgov %s: %s\n", command, error.c_str());
    return kExitNoCluster;
  }
  state->policy_file = policy.file;
  PolicyError policy_error;
  if (!state->engine.set_policy(std::move(policy), std::move(inventory), &policy_error)) {
    std::fprintf(stderr, "%s\n", policy_error.to_string().c_str());
    return kExitBadPolicy;
  }
  state->accounts = load_account_tree(command);
  state->jobs = std::move(jobs);
  state->cycle = state->engine.run_cycle(
      build_snapshot(state->engine, state->accounts, state->jobs, std::time(nullptr)));
  return kExitOk;
}

}  // namespace taskgov::cli
