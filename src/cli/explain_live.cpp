// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov explain: the prose of a job the last cycle saw, pending or running.
#include "cli/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "cli/output.h"
#include "engine/blocked_teams.h"
#include "engine/reasons.h"

namespace taskgov::cli {

std::string explain_header(const LiveJob& job, const std::string& detail) {
  return fmt::format("Job {} (user {}, account {}, QOS {}) is {}{}.\n", job.id, job.user,
                     job.account.empty() ? "-" : job.account, job.qos.empty() ? "-" : job.qos,
                     job.state, detail);
}

namespace {

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
  for (int r = ResourceCatalog::kFirstAccelerator; r < n; ++r)
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
  const PendingRank rank = pending_rank(cycle, index);
  JobsAhead ahead;
  for (size_t i = 0; i < cycle.pending.size(); ++i) {
    if (!runs_before(pending_rank(cycle, i), rank)) continue;
    ++ahead.in_cluster;
    if (cycle.pending[i].team == cycle.pending[index].team) ++ahead.in_team;
  }
  return ahead;
}

std::string explain_pending(const Engine& engine, size_t index, const LiveJob& live) {
  const CycleResult& cycle = *engine.result();
  const EngineConfig& config = *cycle.config;
  const PendingJob& job = cycle.pending[index];
  // Slurm says "None" until its scheduler first looks at the job.
  bool has_reason = !live.reason.empty() && live.reason != "None";
  std::string reason = has_reason ? ", Slurm's reason " + live.reason : "";
  // Slurm names the GrpJobs pin (engine/blocked_teams.h), not the limit behind it, named below.
  if (live.reason == "AssocGrpJobsLimit" && job.team >= 0 &&
      teams_blocked_by_limits(cycle)[static_cast<size_t>(job.team)])
    reason += " (taskgov pinned the team's GrpJobs: its own limit holds back every job it has waiting)";
  std::string out = explain_header(live, reason);
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
  std::string out = explain_header(live, "");
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

}  // namespace taskgov::cli
