// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_output.h"

#include <fmt/format.h>

#include "cli/output.h"
#include "engine/preemption.h"
#include "cli/table.h"

namespace taskgov::cli {

namespace {

double hours(double seconds) { return seconds / 3600.0; }

std::string gpu_hours(double seconds) { return fmt::format("{:.0f}", hours(seconds)); }

std::string percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

std::string duration_or_dash(std::optional<WaitStats> s, int64_t WaitStats::*field) {
  return s ? format_duration((*s).*field) : "-";
}

std::string mean_or_dash(std::optional<WaitStats> s) {
  return s ? format_duration(static_cast<int64_t>(s->mean + 0.5)) : "-";
}

json_t* wait_json(const std::optional<WaitStats>& s) {
  if (!s) return json_null();
  json_t* o = json_object();
  json_object_set_new(o, "mean", json_real(s->mean));
  json_object_set_new(o, "p50", json_integer(s->p50));
  json_object_set_new(o, "p95", json_integer(s->p95));
  json_object_set_new(o, "max", json_integer(s->max));
  return o;
}

// The fields every level shares, regime totals and teams alike.
void metrics_json(json_t* o, const TeamMetrics& m) {
  json_object_set_new(o, "utilization", json_real(m.utilization));
  json_object_set_new(o, "wait_s", wait_json(wait_stats(m.waits)));
  json_object_set_new(o, "delivered_gpu_hours", json_real(hours(m.delivered_gpu_s)));
  json_object_set_new(o, "held_gpu_hours", json_real(hours(m.held_gpu_s)));
  json_object_set_new(o, "within_quota_gpu_hours", json_real(hours(m.within_quota_gpu_s)));
  json_object_set_new(o, "borrowed_gpu_hours", json_real(hours(m.borrowed_gpu_s)));
  json_object_set_new(o, "preempted_gpu_hours", json_real(hours(m.preempted_gpu_s)));
  json_object_set_new(o, "guarantee_violation_gpu_hours", json_real(hours(m.violation_gpu_s)));
  json_object_set_new(o, "longest_violation_s", json_integer(m.longest_violation_s));
  json_object_set_new(o, "jobs", json_integer(m.jobs));
  json_object_set_new(o, "finished", json_integer(m.finished));
  json_object_set_new(o, "never_started", json_integer(m.never_started));
  json_object_set_new(o, "preemptions", json_integer(m.preemptions));
}

}  // namespace

std::optional<WaitValidation> validate_fifo_waits(const Trace& trace, const RegimeResult& fifo) {
  std::vector<int64_t> simulated, observed;
  WaitValidation v;
  for (size_t j = 0; j < trace.jobs.size() && j < fifo.wait_of_job.size(); ++j) {
    if (!trace.jobs[j].observed_wait || fifo.wait_of_job[j] < 0) continue;
    simulated.push_back(fifo.wait_of_job[j]);
    observed.push_back(*trace.jobs[j].observed_wait);
    if (simulated.back() > observed.back()) ++v.longer;
    if (simulated.back() < observed.back()) ++v.shorter;
  }
  if (simulated.empty()) return std::nullopt;
  v.jobs = simulated.size();
  v.simulated = *wait_stats(std::move(simulated));
  v.observed = *wait_stats(std::move(observed));
  return v;
}

std::string render_simulation_table(const SimulationReport& report, const std::optional<WaitValidation>& check) {
  std::string out = fmt::format("taskgov simulate: {} on {}, cycle {}s\n\n", report.trace, report.cluster,
                                report.cycle_seconds);
  Table regimes({"REGIME", "UTILIZATION", "DELIVERED", "BORROWED", "PREEMPTED", "VIOLATION", "MEAN WAIT",
                 "P50", "P95", "MAX WAIT", "FINISHED", "NEVER RAN", "MAKESPAN", "RUN TIME"},
                1);
  for (const RegimeResult& r : report.regimes) {
    std::optional<WaitStats> w = wait_stats(r.total.waits);
    regimes.add_row({r.regime, percent(r.total.utilization), gpu_hours(r.total.delivered_gpu_s),
                     gpu_hours(r.total.borrowed_gpu_s), gpu_hours(r.total.preempted_gpu_s),
                     gpu_hours(r.total.violation_gpu_s), mean_or_dash(w), duration_or_dash(w, &WaitStats::p50),
                     duration_or_dash(w, &WaitStats::p95), duration_or_dash(w, &WaitStats::max),
                     std::to_string(r.total.finished), std::to_string(r.total.never_started),
                     format_duration(r.makespan), fmt::format("{:.1f}s", r.seconds)});
  }
  out += regimes.render();
  out += "(GPU-hours; utilization over the arrivals; violation: GPU-hours a team waited within its quota "
         "while others borrowed, beyond one cycle)\n";
  for (const RegimeResult& r : report.regimes) {
    if (r.preemptions_by_reason.empty()) continue;
    std::vector<std::string> parts;
    for (const auto& [reason, count] : r.preemptions_by_reason) parts.push_back(fmt::format("{} {}", reason, count));
    out += fmt::format("{} preemptions by reason: {}\n", r.regime, join(parts));
  }
  out += "\n";
  Table teams({"REGIME", "TEAM", "QUOTA", "USE/QUOTA", "DELIVERED", "IN QUOTA", "BORROWED", "PREEMPTED",
               "VIOLATION", "MEAN WAIT", "P95 WAIT", "FINISHED", "NEVER RAN"},
              2);
  for (const RegimeResult& r : report.regimes) {
    bool first = true;
    for (const TeamMetrics& m : r.teams) {
      std::optional<WaitStats> w = wait_stats(m.waits);
      teams.add_row({first ? r.regime : "", m.name, std::to_string(m.quota), m.quota ? percent(m.utilization) : "-",
                     gpu_hours(m.delivered_gpu_s), gpu_hours(m.within_quota_gpu_s), gpu_hours(m.borrowed_gpu_s),
                     gpu_hours(m.preempted_gpu_s), gpu_hours(m.violation_gpu_s), mean_or_dash(w),
                     duration_or_dash(w, &WaitStats::p95), std::to_string(m.finished),
                     std::to_string(m.never_started)});
      first = false;
    }
  }
  out += teams.render();
  if (check) {
    out += fmt::format(
        "\nfifo waits against the trace's observed waits ({} jobs): mean {} vs {}, p50 {} vs {}, p95 {} vs {}; "
        "{} waited longer in the replay, {} shorter\n",
        check->jobs, format_duration(static_cast<int64_t>(check->simulated.mean + 0.5)),
        format_duration(static_cast<int64_t>(check->observed.mean + 0.5)), format_duration(check->simulated.p50),
        format_duration(check->observed.p50), format_duration(check->simulated.p95),
        format_duration(check->observed.p95), check->longer, check->shorter);
  }
  return out;
}

std::string render_simulation_json(const SimulationReport& report, const std::optional<WaitValidation>& check) {
  JsonPtr root(json_object());
  json_object_set_new(root.get(), "trace", json_string(report.trace.c_str()));
  json_object_set_new(root.get(), "cluster", json_string(report.cluster.c_str()));
  json_object_set_new(root.get(), "cycle_seconds", json_integer(report.cycle_seconds));
  json_t* regimes = json_object();
  for (const RegimeResult& r : report.regimes) {
    json_t* o = json_object();
    metrics_json(o, r.total);
    json_object_set_new(o, "capacity_gpus", json_integer(r.capacity));
    json_object_set_new(o, "horizon_s", json_integer(r.horizon));
    json_object_set_new(o, "makespan_s", json_integer(r.makespan));
    json_object_set_new(o, "cycles", json_integer(r.cycles));
    json_t* reasons = json_object();
    for (PreemptReason reason : kPreemptReasons) {
      auto it = r.preemptions_by_reason.find(reason_name(reason));
      json_object_set_new(reasons, reason_name(reason),
                          json_integer(it == r.preemptions_by_reason.end() ? 0 : it->second));
    }
    json_object_set_new(o, "preemptions_by_reason", reasons);
    json_object_set_new(o, "run_seconds", json_real(r.seconds));
    json_t* teams = json_array();
    for (const TeamMetrics& m : r.teams) {
      json_t* t = json_object();
      json_object_set_new(t, "team", json_string(m.name.c_str()));
      json_object_set_new(t, "quota_gpus", json_integer(m.quota));
      metrics_json(t, m);
      json_array_append_new(teams, t);
    }
    json_object_set_new(o, "teams", teams);
    json_object_set_new(regimes, r.regime.c_str(), o);
  }
  json_object_set_new(root.get(), "regimes", regimes);
  if (check) {
    json_t* v = json_object();
    json_object_set_new(v, "jobs", json_integer(static_cast<json_int_t>(check->jobs)));
    json_object_set_new(v, "simulated_wait_s", wait_json(check->simulated));
    json_object_set_new(v, "observed_wait_s", wait_json(check->observed));
    json_object_set_new(v, "longer_in_replay", json_integer(static_cast<json_int_t>(check->longer)));
    json_object_set_new(v, "shorter_in_replay", json_integer(static_cast<json_int_t>(check->shorter)));
    json_object_set_new(root.get(), "fifo_vs_observed", v);
  }
  return dump_json(root.get(), false);
}

std::string render_simulation_csv(const SimulationReport& report) {
  std::string out =
      "regime,team,quota_gpus,utilization,delivered_gpu_hours,within_quota_gpu_hours,borrowed_gpu_hours,"
      "preempted_gpu_hours,guarantee_violation_gpu_hours,wait_mean_s,wait_p50_s,wait_p95_s,wait_max_s,jobs,"
      "finished,never_started,preemptions,makespan_s\n";
  for (const RegimeResult& r : report.regimes) {
    auto row = [&](const TeamMetrics& m, Amount quota) {
      std::optional<WaitStats> w = wait_stats(m.waits);
      out += fmt::format("{},{},{},{:.4f},{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{},{},{},{},{},{},{},{},{}\n", r.regime,
                         m.name, quota, m.utilization, hours(m.delivered_gpu_s), hours(m.within_quota_gpu_s),
                         hours(m.borrowed_gpu_s), hours(m.preempted_gpu_s), hours(m.violation_gpu_s),
                         w ? fmt::format("{:.0f}", w->mean) : "", w ? std::to_string(w->p50) : "",
                         w ? std::to_string(w->p95) : "", w ? std::to_string(w->max) : "", m.jobs, m.finished,
                         m.never_started, m.preemptions, r.makespan);
    };
    for (const TeamMetrics& m : r.teams) row(m, m.quota);
    row(r.total, r.capacity);
  }
  return out;
}

}  // namespace taskgov::cli
