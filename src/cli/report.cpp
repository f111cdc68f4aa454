// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov report --start DATE --end DATE [--team T] [--format table|json|csv]
#include "cli/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <set>

#include "cli/accounts.h"
#include "audit/admin_comment.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/sacctmgr.h"
#include "cli/table.h"

namespace taskgov::cli {

namespace {

constexpr const char* kUngoverned = "(ungoverned)";

// What a record counts for: cpu and every GRES; an untyped GRES total (gres/gpu) only when no
// typed entry of the same GRES (gres/gpu:h100) already counts those devices.
std::vector<std::pair<std::string, Amount>> counted_resources(const SacctJob& job) {
  std::vector<std::pair<std::string, Amount>> out;
  for (const auto& [name, count] : job.allocated) {
    if (name != "cpu" && name.compare(0, 5, "gres/") != 0) continue;
    bool untyped_total = name != "cpu" && name.find(':') == std::string::npos &&
        std::any_of(job.allocated.begin(), job.allocated.end(),
                    [&](const auto& other) { return other.first.compare(0, name.size() + 1, name + ":") == 0; });
    if (!untyped_total) out.emplace_back(name, count);
  }
  return out;
}

Amount borrowed_amount(const AdminRecord& record, const std::string& resource) {
  for (const auto& [name, amount] : record.borrowed)
    if (name == resource) return amount;
  return 0;
}

std::map<std::string, int> zero_reasons() {
  std::map<std::string, int> out;
  for (PreemptReason reason : kPreemptReasons) out[reason_name(reason)] = 0;
  return out;
}

bool in_window(int64_t t, const Window& window) { return t >= window.start && t < window.end; }

int total_of(const std::map<std::string, int>& counts) {
  int total = 0;
  for (const auto& entry : counts) total += entry.second;
  return total;
}

double hours(int64_t seconds) { return static_cast<double>(seconds) / 3600.0; }

std::optional<double> mean(const std::vector<int64_t>& values) {
  if (values.empty()) return std::nullopt;
  double sum = 0;
  for (int64_t v : values) sum += static_cast<double>(v);
  return sum / static_cast<double>(values.size());
}

std::string team_label(const TeamReport& team) { return team.team.empty() ? kUngoverned : team.team; }

void add_usage_rows(Table* table, const std::string& label, const TeamReport& team) {
  bool first = true;
  for (const auto& [resource, usage] : team.resources) {
    table->add_row({first ? label : "", resource, fmt::format("{:.2f}", hours(usage.seconds)),
                    fmt::format("{:.2f}", hours(usage.within_quota_seconds)),
                    fmt::format("{:.2f}", hours(usage.borrowed_seconds))});
    first = false;
  }
}

json_t* reasons_json(const std::map<std::string, int>& counts) {
  json_t* object = json_object();
  for (const auto& [reason, count] : counts) json_object_set_new(object, reason.c_str(), json_integer(count));
  json_object_set_new(object, "total", json_integer(total_of(counts)));
  return object;
}

json_t* usage_json(int64_t seconds) { return json_real(hours(seconds)); }

json_t* team_json(const TeamReport& team, bool totals) {
  json_t* object = json_object();
  if (!totals) {
    json_object_set_new(object, "team", team.team.empty() ? json_null() : json_string(team.team.c_str()));
    json_object_set_new(object, "governed", json_boolean(!team.team.empty()));
  }
  json_t* resources = json_object();
  for (const auto& [name, usage] : team.resources) {
    json_t* r = json_object();
    json_object_set_new(r, "seconds", json_integer(usage.seconds));
    json_object_set_new(r, "within_quota_seconds", json_integer(usage.within_quota_seconds));
    json_object_set_new(r, "borrowed_seconds", json_integer(usage.borrowed_seconds));
    json_object_set_new(r, "hours", usage_json(usage.seconds));
    json_object_set_new(r, "within_quota_hours", usage_json(usage.within_quota_seconds));
    json_object_set_new(r, "borrowed_hours", usage_json(usage.borrowed_seconds));
    json_object_set_new(resources, name.c_str(), r);
  }
  json_object_set_new(object, "resources", resources);
  json_object_set_new(object, "jobs", json_integer(team.jobs));
  json_object_set_new(object, "started", json_integer(static_cast<json_int_t>(team.waits.size())));
  std::optional<double> wait_mean = mean(team.waits);
  std::optional<int64_t> wait_p95 = percentile_95(team.waits);
  json_object_set_new(object, "wait_mean_seconds", wait_mean ? json_real(*wait_mean) : json_null());
  json_object_set_new(object, "wait_p95_seconds", wait_p95 ? json_integer(*wait_p95) : json_null());
  json_object_set_new(object, "preemptions_suffered", reasons_json(team.preempted));
  json_object_set_new(object, "preemptions_caused", reasons_json(team.caused));
  return object;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void add_csv_rows(std::string* out, const std::string& label, const TeamReport& team) {
  std::optional<double> wait_mean = mean(team.waits);
  std::optional<int64_t> wait_p95 = percentile_95(team.waits);
  std::string tail = fmt::format(",{},{},{},{}", team.jobs, team.waits.size(),
                                 wait_mean ? fmt::format("{:.1f}", *wait_mean) : "",
                                 wait_p95 ? std::to_string(*wait_p95) : "");
  for (const auto* counts : {&team.preempted, &team.caused}) {
    tail += fmt::format(",{}", total_of(*counts));
    for (PreemptReason reason : kPreemptReasons) tail += fmt::format(",{}", counts->at(reason_name(reason)));
  }
  // A team that held nothing still gets its row: its waits and preemptions count.
  std::map<std::string, ResourceUsage> resources = team.resources;
  if (resources.empty()) resources[""] = ResourceUsage{};
  for (const auto& [name, usage] : resources)
    *out += fmt::format("{},{},{:.4f},{:.4f},{:.4f}{}\n", csv_field(label), csv_field(name), hours(usage.seconds),
                        hours(usage.within_quota_seconds), hours(usage.borrowed_seconds), tail);
}

}  // namespace

bool parse_report_time(const std::string& text, int64_t now, int64_t* epoch, std::string* error) {
  if (text == "now") {
    *epoch = now;
    return true;
  }
  for (const char* format : {"%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                             "%Y-%m-%d %H:%M:%S"}) {
    struct tm fields = {};
    const char* end = strptime(text.c_str(), format, &fields);
    if (end == nullptr || *end != '\0') continue;
    struct tm normalized = fields;
    normalized.tm_isdst = -1;
    time_t t = mktime(&normalized);
    // mktime() moves 2026-02-30 to March 2: a date that moved did not exist.
    if (t == static_cast<time_t>(-1) || normalized.tm_mday != fields.tm_mday || normalized.tm_mon != fields.tm_mon)
      break;
    *epoch = t;
    return true;
  }
  *error = fmt::format("'{}' is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (local time) or now", text);
  return false;
}

int64_t overlap_seconds(int64_t start, int64_t end, int64_t now, const Window& window) {
  if (start <= 0) return 0;
  int64_t stop = end > 0 ? end : now;
  return std::max<int64_t>(0, std::min(stop, window.end) - std::max(start, window.start));
}

std::optional<int64_t> percentile_95(std::vector<int64_t> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t rank = (95 * values.size() + 99) / 100;  // ceil(0.95 n), at least 1
  return values[rank - 1];
}

UsageReport compute_usage(const std::vector<SacctJob>& records, const Window& window, int64_t now,
                          const std::map<uint32_t, std::string>& team_of_job,
                          const std::vector<std::string>& teams, const std::string& only_team) {
  UsageReport report;
  report.window = window;
  std::vector<std::string> order = teams;
  std::map<std::string, TeamReport> by_team;
  std::map<std::string, std::set<uint32_t>> jobs;
  auto entry = [&](const std::string& team) -> TeamReport& {
    auto [it, added] = by_team.try_emplace(team);
    if (added) {
      it->second.team = team;
      it->second.preempted = zero_reasons();
      it->second.caused = zero_reasons();
    }
    return it->second;
  };
  for (const std::string& team : teams) entry(team);
  report.totals.preempted = zero_reasons();
  report.totals.caused = zero_reasons();

  for (const SacctJob& job : records) {
    auto known = team_of_job.find(job.id);
    const std::string team = known == team_of_job.end() ? "" : known->second;
    const AdminRecord admin = parse_admin_comment(job.admin_comment);
    // PreemptMode=REQUEUE logs the run a preemption ended as its own PREEMPTED record, with
    // the AdminComment of that moment: its last preempted_by is this preemption.
    bool preempted = job.state == "PREEMPTED" && in_window(job.end, window);
    std::string reason = "unrecorded";
    const std::string* preemptor_team = nullptr;
    if (preempted && !admin.preemptions.empty()) {
      const PreemptionRecord& last = admin.preemptions.back();
      if (!last.reason.empty()) reason = last.reason;
      auto p = team_of_job.find(last.preemptor);
      if (p != team_of_job.end()) preemptor_team = &p->second;
    }
    if (only_team.empty() || team == only_team) {
      TeamReport& t = entry(team);
      int64_t held = overlap_seconds(job.start, job.end, now, window);
      // A job cancelled while pending gets its cancel time as start (and may even list cpu and
      // billing as allocated), but no nodes: it never started.
      bool started = job.start > 0 && job.nodes != kNoNodes && in_window(job.start, window);
      if (held > 0 || started) jobs[team].insert(job.id);
      if (held > 0) {
        for (const auto& [resource, count] : counted_resources(job)) {
          ResourceUsage& usage = t.resources[resource];
          int64_t borrowed = team.empty() ? 0 : std::min(count, borrowed_amount(admin, resource)) * held;
          usage.seconds += count * held;
          usage.borrowed_seconds += borrowed;
          if (!team.empty()) usage.within_quota_seconds += count * held - borrowed;
        }
      }
      if (started) t.waits.push_back(std::max<int64_t>(0, job.start - job.submit));
      if (preempted) ++t.preempted[reason];
    }
    if (preempted && (only_team.empty() || (preemptor_team && *preemptor_team == only_team))) {
      ++report.totals.caused[reason];
      if (preemptor_team) ++entry(*preemptor_team).caused[reason];
    }
  }

  for (const auto& [team, report_entry] : by_team)
    if (!team.empty() && std::find(order.begin(), order.end(), team) == order.end()) order.push_back(team);
  if (by_team.count("") && std::find(order.begin(), order.end(), "") == order.end()) order.push_back("");
  for (const std::string& team : order) {
    TeamReport& t = by_team[team];
    t.jobs = static_cast<int>(jobs[team].size());
    for (const auto& [resource, usage] : t.resources) {
      ResourceUsage& total = report.totals.resources[resource];
      total.seconds += usage.seconds;
      total.within_quota_seconds += usage.within_quota_seconds;
      total.borrowed_seconds += usage.borrowed_seconds;
    }
    report.totals.jobs += t.jobs;
    report.totals.waits.insert(report.totals.waits.end(), t.waits.begin(), t.waits.end());
    for (const auto& [reason, count] : t.preempted) report.totals.preempted[reason] += count;
    report.teams.push_back(std::move(t));
  }
  return report;
}

std::string render_report_table(const UsageReport& report) {
  std::string out = fmt::format("taskgov report from {} to {} ({})\n\n", format_time(report.window.start),
                                format_time(report.window.end),
                                format_duration(report.window.end - report.window.start));
  Table usage({"TEAM", "RESOURCE", "HOURS", "IN QUOTA", "BORROWED"}, 2);
  for (const TeamReport& team : report.teams) add_usage_rows(&usage, team_label(team), team);
  add_usage_rows(&usage, "TOTAL", report.totals);
  Table jobs({"TEAM", "JOBS", "STARTED", "MEAN WAIT", "P95 WAIT", "PREEMPTED", "CAUSED"}, 1);
  // Reasons as columns: the known ones, then any other the records carry ("unrecorded").
  std::vector<std::string> reasons;
  for (PreemptReason reason : kPreemptReasons) reasons.emplace_back(reason_name(reason));
  for (const auto* counts : {&report.totals.preempted, &report.totals.caused})
    for (const auto& entry : *counts)
      if (std::find(reasons.begin(), reasons.end(), entry.first) == reasons.end()) reasons.push_back(entry.first);
  std::vector<std::string> header = {"TEAM"};
  for (const std::string& reason : reasons) header.push_back(reason);
  Table by_reason(header, 1);
  auto add_rows = [&](const std::string& label, const TeamReport& team) {
    std::optional<double> wait_mean = mean(team.waits);
    std::optional<int64_t> wait_p95 = percentile_95(team.waits);
    jobs.add_row({label, std::to_string(team.jobs), std::to_string(team.waits.size()),
                  wait_mean ? format_duration(static_cast<int64_t>(*wait_mean + 0.5)) : "-",
                  wait_p95 ? format_duration(*wait_p95) : "-", std::to_string(total_of(team.preempted)),
                  std::to_string(total_of(team.caused))});
    std::vector<std::string> row = {label};
    for (const std::string& reason : reasons) {
      auto count = [&](const std::map<std::string, int>& counts) {
        auto it = counts.find(reason);
        return it == counts.end() ? 0 : it->second;
      };
      row.push_back(fmt::format("{}/{}", count(team.preempted), count(team.caused)));
    }
    by_reason.add_row(std::move(row));
  };
  for (const TeamReport& team : report.teams) add_rows(team_label(team), team);
  add_rows("TOTAL", report.totals);
  return out + usage.render() + "\n" + jobs.render() + "\npreemptions by reason, suffered/caused:\n" +
         by_reason.render();
}

std::string render_report_json(const UsageReport& report) {
  JsonPtr root(json_object());
  json_t* window = json_object();
  json_object_set_new(window, "start", json_integer(report.window.start));
  json_object_set_new(window, "end", json_integer(report.window.end));
  json_object_set_new(window, "seconds", json_integer(report.window.end - report.window.start));
  json_object_set_new(root.get(), "window", window);
  json_t* teams = json_array();
  for (const TeamReport& team : report.teams) json_array_append_new(teams, team_json(team, false));
  json_object_set_new(root.get(), "teams", teams);
  json_object_set_new(root.get(), "totals", team_json(report.totals, true));
  return dump_json(root.get(), false);
}

std::string render_report_csv(const UsageReport& report) {
  std::string out =
      "team,resource,hours,within_quota_hours,borrowed_hours,jobs,started,wait_mean_seconds,wait_p95_seconds,"
      "preempted,preempted_reclaim,preempted_priority,preempted_fair_share,"
      "caused,caused_reclaim,caused_priority,caused_fair_share\n";
  for (const TeamReport& team : report.teams) add_csv_rows(&out, team_label(team), team);
  add_csv_rows(&out, "TOTAL", report.totals);
  return out;
}

namespace {

struct ReportOptions {
  std::string policy_file;
  std::string start, end, team, cluster;
  std::string format = "table";
};

// The team of every record, and of the preemptors named in their AdminComments (those outside
// the window are asked from sacct in one call).
bool job_teams(const Policy& policy, const AccountTree& accounts, const std::vector<SacctJob>& records,
               std::map<uint32_t, std::string>* teams, std::string* error) {
  std::set<uint32_t> preemptors;
  for (const SacctJob& job : records) {
    AdminRecord admin = parse_admin_comment(job.admin_comment);
    (*teams)[job.id] = team_of_record(policy, accounts, admin.team, job.account);
    for (const PreemptionRecord& p : admin.preemptions) preemptors.insert(p.preemptor);
  }
  std::vector<std::string> missing;
  for (uint32_t id : preemptors)
    if (!teams->count(id)) missing.push_back(std::to_string(id));
  if (missing.empty()) return true;
  std::vector<SacctJob> more;
  if (!run_sacct({"--allusers", "--jobs", join(missing, ",")}, &more, error)) return false;
  for (const SacctJob& job : more)
    (*teams)[job.id] = team_of_record(policy, accounts, parse_admin_comment(job.admin_comment).team, job.account);
  return true;
}

// sacct reads times without a zone as local time, as parse_report_time() does.
std::string sacct_time(int64_t epoch) { return format_time(epoch, "%Y-%m-%dT%H:%M:%S"); }

int run_report(const ReportOptions& options) {
  const int64_t now = std::time(nullptr);
  Window window;
  std::string error;
  if (!parse_report_time(options.start, now, &window.start, &error) ||
      !parse_report_time(options.end, now, &window.end, &error)) {
    std::fprintf(stderr, "taskgov report: %s\n", error.c_str());
    return kExitUsage;
  }
  if (window.end <= window.start) {
    std::fprintf(stderr, "taskgov report: --end %s is not after --start %s\n", options.end.c_str(),
                 options.start.c_str());
    return kExitUsage;
  }
  Policy policy;
  if (!load_policy_or_complain(options.policy_file, &policy)) return kExitBadPolicy;
  std::vector<std::string> teams;
  for (const Team& team : policy.teams) teams.push_back(team.name);
  if (!options.team.empty()) {
    if (policy.find_team(options.team) < 0) {
      std::fprintf(stderr, "taskgov report: no team '%s' in %s; teams: %s\n", options.team.c_str(),
                   policy.file.c_str(), join(teams).c_str());
      return kExitUsage;
    }
    teams = {options.team};
  }
  std::string cluster = options.cluster;
  std::vector<AssocRow> assocs;
  std::vector<SacctJob> records;
  std::map<uint32_t, std::string> team_of_job;
  // --duplicates: every run of a requeued job is its own record, and each held resources.
  if ((cluster.empty() && !read_cluster_name(default_slurm_conf_path(), &cluster, &error)) ||
      !load_assoc_rows(cluster, &assocs, &error) ||
      !run_sacct({"--allusers", "--duplicates", "--clusters", cluster, "--starttime", sacct_time(window.start),
                  "--endtime", sacct_time(window.end)},
                 &records, &error) ||
      !job_teams(policy, account_tree(assocs), records, &team_of_job, &error)) {
    std::fprintf(stderr, "taskgov report: %s\n", error.c_str());
    return kExitNoCluster;
  }
  UsageReport report = compute_usage(records, window, now, team_of_job, teams, options.team);
  std::string text = options.format == "json" ? render_report_json(report)
                   : options.format == "csv"  ? render_report_csv(report)
                                              : render_report_table(report);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App* parent) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* app = parent->add_subcommand(
      "report", "Device-hours and CPU-hours per team within a window, within quota and borrowed, with "
                "preemptions and waits, from slurmdbd");
  add_policy_option(app, &options->policy_file);
  app->add_option("--start", options->start, "Window start: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (local time) or now")
      ->type_name("DATE")
      ->required();
  app->add_option("--end", options->end, "Window end (exclusive), same forms")->type_name("DATE")->required();
  app->add_option("--team", options->team, "Only this team's jobs (and the preemptions they caused)")
      ->type_name("TEAM");
  app->add_option("--format", options->format, "table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app->add_option("--cluster", options->cluster, "Cluster in slurmdbd (default: ClusterName of slurm.conf)")
      ->type_name("NAME");
  return {app, [options] { return run_report(*options); }};
}

}  // namespace taskgov::cli
