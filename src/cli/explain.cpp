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
#include "engine/reasons.h"
#include "cli/sacct.h"

namespace taskgov::cli {

namespace {

std::string plural(int count, const char* one, const char* many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string header(const LiveJob& job, const std::string& detail) {
  return fmt::format("Job {} (user {}, account {}, QOS {}) is {}{}.\n", job.id, job.user,
                     job.account.empty() ? "-" : job.account, job.qos.empty() ? "-" : job.qos,
                     job.state, detail);
}

// "It belongs to team nlp, class training." or why taskgov leaves the job alone.
std::string identity(const EngineConfig& config, int32_t team, int32_t klass, const LiveJob& job) {
  if (team < 0)
    return fmt::format("Its account {} belongs to no team of the policy, so taskgov does not govern it.\n",
                       job.account.empty() ? "(none)" : job.account);
  std::string class_text = klass >= 0
      ? config.policy.cluster.priority_classes[static_cast<size_t>(klass)].name
      : fmt::format("none (QOS {} is not a priority class)", job.qos);
  return fmt::format("It belongs to team {}, class {}.\n", config.policy.teams[static_cast<size_t>(team)].name,
                     class_text);
}

// Running jobs Slurm may preempt for this pending job when the nodes are full (preempt/taskgov
// answers from the same cycle): "3 jobs of vision (reclaim)".
std::string preemptable_summary(const Engine& engine, const PendingJob& job) {
  const CycleResult& cycle = *engine.result();
  std::map<std::pair<std::string, std::string>, int> groups;
  for (const RunningJob& victim : cycle.running) {
    PreemptReason reason = engine.may_preempt(job.id, job.team, job.klass, &job.req, victim.id);
    if (reason == PreemptReason::None || victim.team < 0) continue;
    const std::string& team = cycle.config->policy.teams[static_cast<size_t>(victim.team)].name;
    ++groups[{team, reason_name(reason)}];
  }
  std::vector<std::string> parts;
  for (const auto& [key, count] : groups)
    parts.push_back(fmt::format("{} of team {} ({})", plural(count, "job", "jobs"), key.first, key.second));
  return join(parts);
}

std::string reason_meaning(const std::string& reason) {
  if (reason == "reclaim") return "its team took back quota it had lent";
  if (reason == "priority") return "a higher class of the same team";
  if (reason == "fair-share") return "its team had the lower weighted share of the idle compute";
  return "no taskgov reason recorded";
}

// What would let a pending job that borrows or is blocked start, on the resource that holds it.
std::string start_condition(const EngineConfig& config, const TeamUsage& team, const std::string& name,
                            const PendingJob& job, const PendingVerdict& verdict, const CycleResult& cycle) {
  const ResourceCatalog& catalog = config.resolved.catalog;
  const int r = verdict.holding;
  auto amount = [&](Amount a) { return format_amount(catalog, r, a); };
  const std::string& resource = catalog.name(r);
  const Amount after = team.used[r] + job.req[r];
  if (verdict.band == Band::Borrow)
    return fmt::format(
        "It starts on borrowed capacity as soon as the nodes have room for it; it would run within "
        "quota once {}'s running jobs release {} {}.\n",
        name, amount(after - team.nominal[r]), resource);

  const bool borrows = can_borrow(team.sharing);
  const Amount ceiling = team.nominal[r] + (borrows ? team.borrow_cap[r] : 0);
  if (job.req[r] > ceiling)
    return fmt::format(
        "It can never start under this policy: it asks for {} {}, more than {}'s quota {}{}.\n", amount(job.req[r]),
        resource, name, amount(team.nominal[r]), borrows ? " + borrow cap " + amount(team.borrow_cap[r]) : "");
  const Amount release = after - team.limit[r];
  std::string how;
  if (!borrows)
    how = fmt::format(" ({} does not borrow: sharing {})", name, name_of(team.sharing));
  else if (after <= ceiling)
    how = fmt::format(", or other teams must leave as much more idle for it to borrow (the pool has {} free)",
                      amount(std::max<Amount>(0, cycle.pool.free[r])));
  return fmt::format(
      "It can start once {} holds at most {} {} without it (now {}; its limit is {}): its running "
      "jobs must release {} {}{}.\n",
      name, amount(team.limit[r] - job.req[r]), resource, amount(team.used[r]), amount(team.limit[r]),
      amount(release), resource, how);
}

// The resources a running job's team is measured on in sentences: its accelerators, else cpu.
std::vector<int> held_resources(const ResourceVector& alloc, int n) {
  std::vector<int> out;
  for (int r = 2; r < n; ++r)
    if (alloc[r] > 0) out.push_back(r);
  if (out.empty()) out.push_back(ResourceCatalog::kCpu);
  return out;
}

// "vision lends 4, capacity no team owns 2" for one resource of the pool.
std::string lenders(const EngineConfig& config, const CycleResult& cycle, int r) {
  std::vector<std::string> parts;
  for (size_t t = 0; t < cycle.teams.size(); ++t)
    if (cycle.teams[t].lent[r] > 0)
      parts.push_back(fmt::format("{} lends {}", config.policy.teams[t].name,
                                  format_amount(config.resolved.catalog, r, cycle.teams[t].lent[r])));
  if (cycle.pool.unassigned[r] > 0)
    parts.push_back(fmt::format("capacity no team owns {}", format_amount(config.resolved.catalog, r, cycle.pool.unassigned[r])));
  return parts.empty() ? "nobody lends it any more (a lender is reclaiming)" : join(parts);
}

}  // namespace

JobsAhead jobs_ahead(const CycleResult& cycle, size_t index) {
  const PendingJob& job = cycle.pending[index];
  const uint32_t priority = cycle.pending_verdicts[index].priority;
  JobsAhead ahead;
  for (size_t i = 0; i < cycle.pending.size(); ++i) {
    const PendingJob& other = cycle.pending[i];
    const uint32_t p = cycle.pending_verdicts[i].priority;
    bool before = p != priority ? p > priority
                : other.submit_time != job.submit_time ? other.submit_time < job.submit_time
                                                       : other.id < job.id;
    if (!before) continue;
    ++ahead.in_cluster;
    if (other.team == job.team) ++ahead.in_team;
  }
  return ahead;
}

std::string explain_pending(const Engine& engine, size_t index, const LiveJob& live) {
  const CycleResult& cycle = *engine.result();
  const EngineConfig& config = *cycle.config;
  const PendingJob& job = cycle.pending[index];
  // Slurm says "None" until its scheduler first looks at the job.
  bool has_reason = !live.reason.empty() && live.reason != "None";
  std::string out = header(live, has_reason ? ", Slurm's reason " + live.reason : "");
  out += identity(config, job.team, job.klass, live);
  out += fmt::format("It asks for {}.\n", format_vector(config.resolved.catalog, job.req));
  if (job.team < 0) return out;

  const PendingVerdict& verdict = cycle.pending_verdicts[index];
  const TeamUsage& team = cycle.teams[static_cast<size_t>(job.team)];
  const std::string& name = config.policy.teams[static_cast<size_t>(job.team)].name;
  out += fmt::format("Band {}: {}.\n", band_name(verdict.band), pending_reason(cycle, index));
  if (verdict.holding >= 0) {
    const int r = verdict.holding;
    auto amount = [&](Amount a) { return format_amount(config.resolved.catalog, r, a); };
    out += fmt::format(
        "The limit that holds it: {} on {}, use {} / quota {} / limit now {} (quota + borrow cap {}).\n",
        name, config.resolved.catalog.name(r), amount(team.used[r]), amount(team.nominal[r]),
        amount(team.limit[r]), amount(team.nominal[r] + team.borrow_cap[r]));
  }
  JobsAhead ahead = jobs_ahead(cycle, index);
  out += fmt::format("Ahead of it in taskgov's order: {} of team {}, {} in the cluster.\n",
                     plural(ahead.in_team, "pending job", "pending jobs"), name, ahead.in_cluster);
  if (verdict.band == Band::InQuota) {
    out += ahead.in_cluster == 0
        ? "It fits in its team's quota and is first in line: it starts as soon as the nodes have room for it.\n"
        : fmt::format("It fits in its team's quota: it starts as soon as the nodes have room for it and "
                      "the {} ahead of it have started.\n", plural(ahead.in_cluster, "job", "jobs"));
  } else {
    out += start_condition(config, team, name, job, verdict, cycle);
  }
  std::vector<Victim> victims = engine.victims_for(job.id);
  if (!victims.empty()) {
    std::vector<std::string> parts;
    for (const Victim& v : victims) parts.push_back(fmt::format("{} ({})", v.job, reason_name(v.reason)));
    out += fmt::format(
        "Its own team's limit holds it back, so Slurm offers it no victims: taskgov's cycle preempts "
        "job{} {} for it.\n", victims.size() == 1 ? "" : "s", join(parts));
  } else if (verdict.band != Band::Blocked) {
    std::string preemptable = preemptable_summary(engine, job);
    if (!preemptable.empty())
      out += fmt::format("When the nodes are full, Slurm may preempt for it: {}.\n", preemptable);
  }
  return out;
}

std::string explain_running(const Engine& engine, size_t index, const LiveJob& live) {
  const CycleResult& cycle = *engine.result();
  const EngineConfig& config = *cycle.config;
  const ResourceCatalog& catalog = config.resolved.catalog;
  const RunningJob& job = cycle.running[index];
  std::string out = header(live, "");
  out += identity(config, job.team, job.klass, live);
  out += fmt::format("It has run for {} (since {}) on {}.\n", format_duration(cycle.now - job.start_time),
                     format_time(job.start_time), format_vector(catalog, job.alloc));
  if (job.team < 0) return out;

  const RunningVerdict& verdict = cycle.running_verdicts[index];
  const TeamUsage& team = cycle.teams[static_cast<size_t>(job.team)];
  const std::string& name = config.policy.teams[static_cast<size_t>(job.team)].name;
  if (!verdict.borrowed()) {
    std::vector<std::string> held;
    for (int r : held_resources(job.alloc, config.resources())) {
      auto amount = [&](Amount a) { return format_amount(catalog, r, a); };
      held.push_back(fmt::format("{} {} against a quota of {}", amount(team.used[r]), catalog.name(r),
                                 amount(team.nominal[r])));
      if (team.borrowed[r] > 0)
        held.back() += fmt::format(" (the {} above it count on its lower-class or newer jobs)", amount(team.borrowed[r]));
    }
    out += fmt::format("It runs within its team's quota: {} holds {}.\n", name, join(held));
    const int weight = config.weight_of_class(job.klass);
    bool higher_class = std::any_of(config.class_weight.begin(), config.class_weight.end(),
                                    [&](int w) { return w > weight; });
    bool in_team = higher_class && config.rules.task_ranking &&
                   config.rules.teams[static_cast<size_t>(job.team)].lower_priority_preempts;
    out += in_team ? "No other team may preempt it; a pending job of a higher class of its own team may "
                     "(preempt_team_tasks lower-priority).\n"
                   : "Nothing preempts it while it stays within quota.\n";
    return out;
  }
  for (int r = 0; r < config.resources(); ++r) {
    if (!(verdict.excess_mask & (1u << r))) continue;
    auto amount = [&](Amount a) { return format_amount(catalog, r, a); };
    out += fmt::format(
        "It runs on borrowed capacity: it is part of {}'s borrowed excess on {} ({} holds {} against a "
        "quota of {}, {} borrowed). The pool it borrows from: {}.\n",
        name, catalog.name(r), name, amount(team.used[r]), amount(team.nominal[r]), amount(team.borrowed[r]),
        lenders(config, cycle, r));
  }
  out += fmt::format(
      "It is number {} of {} running jobs in taskgov's victim order (lowest class, most over its share, "
      "newest first): a lender reclaiming its quota takes borrowed jobs back in that order.\n",
      verdict.victim_rank + 1, cycle.running.size());
  return out;
}

namespace {

std::string recorded_amount(const std::string& resource, int64_t amount) {
  return resource == "mem" ? format_memory_mib(amount) + " mem" : fmt::format("{} {}", amount, resource);
}

// The amounts of `resources` in `amounts`, in that order.
std::string recorded_amounts(const RecordedAmounts& amounts, const std::vector<std::string>& resources) {
  std::vector<std::string> parts;
  for (const std::string& r : resources)
    if (auto it = amounts.find(r); it != amounts.end() && it->second > 0) parts.push_back(recorded_amount(r, it->second));
  return join(parts);
}

// The resources a preemption was about: what the preemptor asked for and the victim held,
// accelerators only when there are any (cpu and mem follow them).
std::vector<std::string> contested(const RecordedPreemption& p) {
  std::vector<std::string> all, accelerators;
  for (const RecordedAmounts* amounts : {&p.preemptor_asks, &p.victim_holds})
    for (const auto& [resource, amount] : *amounts)
      if (amount > 0 && std::find(all.begin(), all.end(), resource) == all.end()) all.push_back(resource);
  std::copy_if(all.begin(), all.end(), std::back_inserter(accelerators),
               [](const std::string& r) { return r != "cpu" && r != "mem"; });
  return accelerators.empty() ? all : accelerators;
}

int64_t amount_of(const RecordedAmounts& amounts, const std::string& resource) {
  auto it = amounts.find(resource);
  return it == amounts.end() ? 0 : it->second;
}

// "nlp held 12 gres/gpu:h100 against its quota of 8 (4 borrowed)".
std::string team_moment(const std::string& name, const RecordedTeam& team, const std::vector<std::string>& resources) {
  std::vector<std::string> parts;
  for (const std::string& r : resources) {
    std::string part = fmt::format("{} against its quota of {}", recorded_amount(r, amount_of(team.used, r)),
                                   amount_of(team.quota, r));
    std::vector<std::string> extra;
    if (int64_t b = amount_of(team.borrowed, r)) extra.push_back(fmt::format("{} borrowed", b));
    if (int64_t l = amount_of(team.lent, r)) extra.push_back(fmt::format("{} lent to others", l));
    if (!extra.empty()) part += " (" + join(extra) + ")";
    parts.push_back(part);
  }
  return fmt::format("{} held {}", name, join(parts, " and "));
}

// "2026-11-21T10:00:03.123+00:00" -> "2026-11-21 10:00:03"
std::string record_time(std::string time) {
  std::replace(time.begin(), time.end(), 'T', ' ');
  return time.substr(0, time.find('.'));
}

// "    At 2026-11-21 10:00:03: job 30 asked for 8 gres/gpu:h100; vision held 0 ..." for one record.
std::string recorded_moment(const RecordedPreemption& p) {
  std::vector<std::string> resources = contested(p);
  std::vector<std::string> parts;
  if (std::string asks = recorded_amounts(p.preemptor_asks, resources); !asks.empty())
    parts.push_back(fmt::format("job {} asked for {}", p.preemptor, asks));
  if (std::string holds = recorded_amounts(p.victim_holds, resources); !holds.empty()) {
    std::string borrowed = recorded_amounts(p.victim_borrowed, resources);
    parts.push_back(fmt::format("job {} held {}{}", p.victim, holds,
                                borrowed.empty() ? ", within its team's quota"
                                : borrowed == holds ? ", all of it borrowed"
                                                    : ", of it borrowed " + borrowed));
  }
  // The preemptor's team first: its need is the reason.
  for (const std::string* name : {&p.preemptor_team, &p.victim_team}) {
    auto team = p.teams.find(*name);
    if (team != p.teams.end() && (name == &p.preemptor_team || *name != p.preemptor_team))
      parts.push_back(team_moment(*name, team->second, resources));
  }
  return fmt::format("    At {}{}: {}.\n", record_time(p.time),
                     p.mode == "shadow" ? " (shadow mode: only considered)" : "", join(parts, "; "));
}

}  // namespace

std::string explain_preemptions(const AdminRecord& record, const std::map<uint32_t, std::string>& teams,
                                const std::vector<RecordedPreemption>& recorded,
                                const std::string& missing_numbers) {
  if (record.preemptions.empty()) return "";
  std::string out = fmt::format("It was preempted {}:\n",
                                plural(static_cast<int>(record.preemptions.size()), "time", "times"));
  auto next = recorded.begin();
  for (const PreemptionRecord& p : record.preemptions) {
    auto team = teams.find(p.preemptor);
    std::string of_team = team == teams.end() || team->second.empty()
        ? "of an unknown team" : "of team " + team->second;
    out += fmt::format("  by job {} {}, for {}: {}.\n", p.preemptor, of_team,
                       p.reason.empty() ? "an unrecorded reason" : p.reason, reason_meaning(p.reason));
    // Records and AdminComment list the preemptions in the same order.
    auto match = std::find_if(next, recorded.end(), [&](const RecordedPreemption& r) {
      return r.preemptor == p.preemptor && r.mode != "shadow";
    });
    if (match != recorded.end()) {
      out += recorded_moment(*match);
      next = match + 1;
    }
  }
  if (!missing_numbers.empty())
    out += fmt::format("The numbers at the time are in the decision records, which are not available: {}.\n",
                       missing_numbers);
  return out;
}

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
      out = header(*live, "") + fmt::format(
          "It is held (priority 0): it cannot start until released (scontrol release {}), and taskgov does "
          "not rank it until then.\n", live->id);
    } else {
      out = explain_ended(header(*live, ""), record,
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
