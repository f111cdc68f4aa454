// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov explain JOBID
#include "cli/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <vector>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/sacct.h"

namespace taskgov::cli {

namespace {

struct JobId {
  uint32_t id = 0;
  uint32_t task = UINT32_MAX;  // "1234_5": array task 5 of array job 1234
};

bool parse_job_id(const std::string& text, JobId* out) {
  auto number = [](std::string_view s, uint32_t* value) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  size_t underscore = text.find('_');
  if (underscore == std::string::npos) return number(text, &out->id);
  return number(std::string_view(text).substr(0, underscore), &out->id) &&
         number(std::string_view(text).substr(underscore + 1), &out->task);
}

const LiveJob* find_live_job(const std::vector<LiveJob>& jobs, const JobId& wanted) {
  const LiveJob* pending_tasks = nullptr;
  for (const LiveJob& job : jobs) {
    if (wanted.task == UINT32_MAX && job.id == wanted.id) return &job;
    if (wanted.task == UINT32_MAX || job.array_job_id != wanted.id) continue;
    if (job.array_task_id == wanted.task) return &job;
    // Tasks not started yet share one record: the array's pending part.
    if (job.array_task_id == UINT32_MAX && job.phase == JobPhase::Pending) pending_tasks = &job;
  }
  return pending_tasks;
}

// Teams of the jobs that preempted this one: slurmctld's records first, sacct for the rest.
std::map<uint32_t, std::string> preemptor_teams(const LiveState& state, const AdminRecord& record) {
  const Policy& policy = state.engine.config()->policy;
  std::map<uint32_t, std::string> teams;
  std::vector<std::string> unknown;
  for (const PreemptionRecord& p : record.preemptions) {
    if (teams.count(p.preemptor)) continue;
    auto live = std::find_if(state.jobs.begin(), state.jobs.end(), [&](const LiveJob& j) { return j.id == p.preemptor; });
    if (live == state.jobs.end()) {
      unknown.push_back(std::to_string(p.preemptor));
      teams[p.preemptor] = "";
      continue;
    }
    teams[p.preemptor] = team_of_record(policy, state.accounts, parse_admin_comment(live->admin_comment).team, live->account);
  }
  std::vector<SacctJob> records;
  std::string error;
  // A preemptor's team is a detail: without slurmdbd it is shown as unknown.
  if (!unknown.empty() && run_sacct({"--allusers", "--jobs", join(unknown, ",")}, &records, &error)) {
    for (const SacctJob& r : records)
      teams[r.id] = team_of_record(policy, state.accounts, parse_admin_comment(r.admin_comment).team, r.account);
  }
  return teams;
}

std::string explain_ended(const std::string& what, const AdminRecord& record, const std::string& team,
                          const std::string& klass, int64_t end) {
  std::string out = what;
  if (!team.empty()) out += fmt::format("It belonged to team {}{}.\n", team, klass.empty() ? "" : ", class " + klass);
  if (end > 0) out += fmt::format("It ended at {}; taskgov no longer governs it.\n", format_time(end));
  if (!record.borrowed.empty()) {
    std::vector<std::string> parts;
    for (const auto& [resource, amount] : record.borrowed) parts.push_back(fmt::format("{} {}", resource, amount));
    out += fmt::format("It started on borrowed capacity: {}.\n", join(parts));
  }
  return out;
}

struct ExplainOptions {
  std::string policy_file;
  std::string audit_log;
  std::string job;
};

// The audit log's preemptions of a job that AdminComment says was preempted; `missing` says
// why there are none when the log cannot be read.
std::vector<RecordedPreemption> recorded_preemptions(const ExplainOptions& options, const Policy& policy,
                                                     uint32_t job, const AdminRecord& record,
                                                     std::string* missing) {
  std::vector<RecordedPreemption> recorded;
  if (record.preemptions.empty()) return recorded;
  std::string path = options.audit_log.empty() ? audit_log_path(policy) : options.audit_log;
  if (!read_recorded_preemptions(path, job, &recorded, missing)) return {};
  return recorded;
}

int run_explain(const ExplainOptions& options) {
  JobId wanted;
  if (!parse_job_id(options.job, &wanted)) {
    std::fprintf(stderr, "taskgov explain: '%s' is not a job id (a number, or ARRAYID_TASK)\n", options.job.c_str());
    return kExitUsage;
  }
  LiveState state;
  if (int status = load_live_state(options.policy_file, "explain", &state); status != kExitOk) return status;
  const CycleResult& cycle = *state.cycle;
  const Policy& policy = state.engine.config()->policy;
  std::string out;
  AdminRecord record;
  uint32_t job_id = wanted.id;  // an array task's own id once known
  if (const LiveJob* live = find_live_job(state.jobs, wanted)) {
    job_id = live->id;
    record = parse_admin_comment(live->admin_comment);
    uint32_t pending = cycle.pending_index.find(live->id);
    uint32_t running = cycle.running_index.find(live->id);
    if (pending != JobIndex::kAbsent) {
      out = explain_pending(state.engine, pending, *live);
    } else if (running != JobIndex::kAbsent) {
      out = explain_running(state.engine, running, *live);
    } else if (live->held) {
      out = explain_header(*live, "") + fmt::format(
          "It is held (priority 0): it cannot start until released (scontrol release {}), and taskgov does "
          "not rank it until then.\n", live->id);
    } else {
      out = explain_ended(explain_header(*live, ""), record,
                          team_of_record(policy, state.accounts, record.team, live->account), record.klass, live->end_time);
    }
  } else {
    std::vector<SacctJob> records;
    std::string error;
    if (!run_sacct({"--allusers", "--jobs", options.job}, &records, &error)) {
      std::fprintf(stderr, "taskgov explain: slurmctld does not know job %s, and slurmdbd could not be asked: %s\n",
                   options.job.c_str(), error.c_str());
      return kExitNoCluster;
    }
    if (records.empty()) {
      std::fprintf(stderr, "taskgov explain: job %s is unknown: slurmctld does not know it and slurmdbd (sacct) "
                           "has no record of it\n", options.job.c_str());
      return kExitUnknownJob;
    }
    // Without --duplicates sacct gives one record per job: the latest run, whose AdminComment
    // carries every preemption so far.
    const SacctJob& job = records.back();
    job_id = job.id;
    record = parse_admin_comment(job.admin_comment);
    std::string what = fmt::format(
        "Job {} (user {}, account {}, QOS {}) is no longer known to slurmctld; slurmdbd records it as {}.\n",
        options.job, job.user, job.account.empty() ? "-" : job.account, job.qos.empty() ? "-" : job.qos, job.state);
    out = explain_ended(what, record, team_of_record(policy, state.accounts, record.team, job.account),
                        record.klass, job.end);
  }
  std::string missing;
  std::vector<RecordedPreemption> recorded = recorded_preemptions(options, policy, job_id, record, &missing);
  out += explain_preemptions(record, preemptor_teams(state, record), recorded, missing);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_explain_command(CLI::App* parent) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* app = parent->add_subcommand(
      "explain", "Say in plain sentences why a job waits, where its resources come from, or who preempted it");
  add_policy_option(app, &options->policy_file);
  app->add_option("--audit-log", options->audit_log,
                  "Decision records to read (default: the policy's cluster.audit_log, else "
                  "taskgov-audit.log next to slurmctld's log)")
      ->type_name("FILE");
  app->add_option("jobid", options->job, "Job id (1234, or 1234_5 for an array task)")
      ->type_name("JOBID")
      ->required();
  return {app, [options] { return run_explain(*options); }};
}

}  // namespace taskgov::cli
