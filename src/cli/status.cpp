// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov status [--json|--prometheus] [--all] [--watch SECONDS] [--output FILE]
#include "cli/status.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "audit/admin_comment.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/table.h"

namespace taskgov::cli {

namespace {

// One per-resource vector of the report, with its name in each output.
struct Field {
  const char* key;     // JSON
  const char* label;   // table column
  const char* metric;  // Prometheus
  const char* help;
};

struct TeamField : Field {
  ResourceVector TeamStatus::*member;
};

const TeamField kTeamFields[] = {
    {{"quota", "QUOTA", "taskgov_team_quota", "Team quota"}, &TeamStatus::quota},
    {{"used", "USED", "taskgov_team_used",
      "Held by the team's running jobs, within quota and borrowed"},
     &TeamStatus::used},
    {{"used_in_quota", "IN QUOTA", "taskgov_team_used_in_quota",
      "Held by the team's running jobs within its quota"},
     &TeamStatus::in_quota},
    {{"borrowed", "BORROWED", "taskgov_team_borrowed",
      "Held above the team's quota, borrowed from the lending pool"},
     &TeamStatus::borrowed},
    {{"lent", "LENT", "taskgov_team_lent",
      "The team's idle quota that other teams borrow now"},
     &TeamStatus::lent},
    {{"limit", "LIMIT", "taskgov_team_limit",
      "Most the team may hold now: quota plus what it may borrow (the GrpTRES taskgov sets)"},
     &TeamStatus::limit},
    {{"borrow_cap", "BORROW CAP", "taskgov_team_borrow_cap",
      "Most the team may ever hold above its quota"},
     &TeamStatus::borrow_cap},
    {{"pending_requested", "PENDING", "taskgov_team_pending_requested",
      "Requested by the team's pending jobs (held jobs excluded)"},
     &TeamStatus::pending_requested},
};

struct ClusterField : Field {
  const ResourceVector& (*get)(const StatusReport&);
};

const ClusterField kClusterFields[] = {
    {{"capacity", "CAPACITY", "taskgov_cluster_capacity", "What the cluster's nodes have"},
     [](const StatusReport& r) -> const ResourceVector& { return r.capacity; }},
    {{"used", "USED", "taskgov_cluster_used", "Held by running jobs, ungoverned ones included"},
     [](const StatusReport& r) -> const ResourceVector& { return r.used; }},
    {{"idle", "IDLE", "taskgov_cluster_idle", "Capacity no running job holds"},
     [](const StatusReport& r) -> const ResourceVector& { return r.idle; }},
    {{"ungoverned_used", "UNGOVERNED", "taskgov_cluster_ungoverned_used",
      "Held by jobs of accounts that belong to no team"},
     [](const StatusReport& r) -> const ResourceVector& { return r.ungoverned_used; }},
    {{"pool_total", "POOL", "taskgov_pool_total",
      "Lending pool: idle quota of lending teams plus capacity no team owns"},
     [](const StatusReport& r) -> const ResourceVector& { return r.pool.total; }},
    {{"pool_borrowed", "BORROWED", "taskgov_pool_borrowed", "Borrowed from the pool by all teams"},
     [](const StatusReport& r) -> const ResourceVector& { return r.pool.borrowed; }},
    {{"pool_free", "POOL FREE", "taskgov_pool_free",
      "Pool not yet borrowed; negative while lenders reclaim"},
     [](const StatusReport& r) -> const ResourceVector& { return r.pool.free; }},
};

bool team_row_is_zero(const TeamStatus& team, int r) {
  for (const TeamField& field : kTeamFields)
    if ((team.*field.member)[r] != 0) return false;
  return true;
}

std::string share_text(const Share& share) { return fmt::format("{:.3f}", share.value()); }

std::string settings_text(const StatusReport& report) {
  const ClusterSettings& s = report.settings;
  std::string mode = s.mode == Mode::Shadow ? "shadow: decided and logged, not enforced"
                                            : std::string(name_of(s.mode));
  return fmt::format("{}, admission {}, idle compute {}", mode, name_of(s.admission),
                     name_of(s.idle_compute));
}

std::string cluster_table(const StatusReport& report) {
  std::vector<std::string> header = {"RESOURCE"};
  for (const ClusterField& field : kClusterFields) header.push_back(field.label);
  Table table(header, 1);
  for (int r : report.resources) {
    std::vector<std::string> row = {report.catalog.name(r)};
    for (const ClusterField& field : kClusterFields)
      row.push_back(format_amount(report.catalog, r, field.get(report)[r]));
    table.add_row(std::move(row));
  }
  return table.render();
}

std::string teams_table(const StatusReport& report) {
  Table table({"TEAM", "ACCOUNT", "SHARING", "WEIGHT", "SHARE", "RUNNING", "PENDING",
               "IN-QUOTA", "BORROWING", "BLOCKED"},
              3);
  for (const TeamStatus& team : report.teams) {
    table.add_row({team.name, team.account, std::string(name_of(team.sharing)),
                   std::to_string(team.weight), share_text(team.share),
                   std::to_string(team.running_jobs), std::to_string(team.pending_jobs),
                   std::to_string(team.pending_by_band[static_cast<int>(Band::InQuota)]),
                   std::to_string(team.pending_by_band[static_cast<int>(Band::Borrow)]),
                   std::to_string(team.pending_by_band[static_cast<int>(Band::Blocked)])});
  }
  return table.render();
}

std::string team_resources_table(const StatusReport& report) {
  std::vector<std::string> header = {"TEAM", "RESOURCE"};
  for (const TeamField& field : kTeamFields) header.push_back(field.label);
  Table table(header, 2);
  for (const TeamStatus& team : report.teams) {
    bool first = true;
    for (int r : report.resources) {
      if (!report.all && team_row_is_zero(team, r)) continue;
      std::vector<std::string> row = {first ? team.name : "", report.catalog.name(r)};
      for (const TeamField& field : kTeamFields)
        row.push_back(format_amount(report.catalog, r, (team.*field.member)[r]));
      table.add_row(std::move(row));
      first = false;
    }
  }
  return table.render();
}

std::string preemptions_text(const std::map<std::string, int>& preemptions) {
  std::string out;
  for (const auto& [reason, count] : preemptions)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", reason, count);
  return out;
}

json_t* json_text(std::string_view text) { return json_stringn(text.data(), text.size()); }

json_t* amounts_json(const StatusReport& report, const ResourceVector& v) {
  json_t* object = json_object();
  for (int r : report.resources) json_object_set_new(object, report.catalog.name(r).c_str(), json_integer(v[r]));
  return object;
}

// Prometheus wants base units: memory in bytes.
int64_t metric_value(int r, Amount amount) {
  return r == ResourceCatalog::kMem ? amount * 1024 * 1024 : amount;
}

std::string label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void metric_header(std::string* out, const char* name, const std::string& help) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

}  // namespace

StatusReport summarize_status(const CycleResult& cycle, bool all) {
  const EngineConfig& config = *cycle.config;
  const int n = config.resources();
  StatusReport out;
  out.now = cycle.now;
  out.policy_file = config.policy.file;
  out.settings = config.policy.cluster;
  out.catalog = config.resolved.catalog;
  out.all = all;
  out.capacity = config.resolved.capacity;
  out.pool = cycle.pool;
  out.ungoverned_used = cycle.ungoverned_use;
  out.used = cycle.ungoverned_use;
  for (size_t t = 0; t < cycle.teams.size(); ++t) {
    const TeamUsage& usage = cycle.teams[t];
    const Team& team = config.policy.teams[t];
    TeamStatus status;
    status.name = team.name;
    status.account = team.account;
    status.sharing = team.sharing;
    status.weight = team.fair_share_weight;
    status.share = weighted_share(usage.borrowed, cycle.pool, team.fair_share_weight,
                                  config.all_weights_zero, n);
    status.quota = usage.nominal;
    status.used = usage.used;
    status.borrowed = usage.borrowed;
    status.lent = usage.lent;
    status.limit = usage.limit;
    status.borrow_cap = usage.borrow_cap;
    for (int r = 0; r < n; ++r) status.in_quota[r] = std::min(usage.used[r], usage.nominal[r]);
    out.used += usage.used;
    out.teams.push_back(std::move(status));
  }
  for (int r = 0; r < n; ++r) out.idle[r] = std::max<Amount>(0, out.capacity[r] - out.used[r]);

  auto team_of = [&](int32_t team) -> TeamStatus* {
    return team >= 0 && static_cast<size_t>(team) < out.teams.size() ? &out.teams[static_cast<size_t>(team)]
                                                                      : nullptr;
  };
  for (const RunningJob& job : cycle.running) {
    if (TeamStatus* team = team_of(job.team))
      ++team->running_jobs;
    else
      ++out.ungoverned_running;
  }
  for (size_t i = 0; i < cycle.pending.size(); ++i) {
    const PendingJob& job = cycle.pending[i];
    TeamStatus* team = team_of(job.team);
    if (team == nullptr) {
      ++out.ungoverned_pending;
      continue;
    }
    ++team->pending_jobs;
    ++team->pending_by_band[static_cast<size_t>(cycle.pending_verdicts[i].band)];
    team->pending_requested += job.req;
  }
  out.running_jobs = static_cast<int>(cycle.running.size());
  out.pending_jobs = static_cast<int>(cycle.pending.size());

  for (int r = 0; r < n; ++r) {
    bool shown = all || out.capacity[r] != 0;
    for (const TeamStatus& team : out.teams)
      shown = shown || team.quota[r] || team.borrow_cap[r] || team.used[r] || team.pending_requested[r];
    if (shown) out.resources.push_back(r);
  }
  return out;
}

std::map<std::string, int> count_preemptions(const std::vector<LiveJob>& jobs) {
  std::map<std::string, int> counts;
  for (PreemptReason reason : kPreemptReasons) counts[reason_name(reason)] = 0;
  for (const LiveJob& job : jobs) {
    for (const PreemptionRecord& p : parse_admin_comment(job.admin_comment).preemptions)
      ++counts[p.reason.empty() ? "unrecorded" : p.reason];
  }
  return counts;
}

std::string render_status_table(const StatusReport& report) {
  std::string out = fmt::format("taskgov status at {}: {} ({})\n\n", format_time(report.now),
                                report.policy_file, settings_text(report));
  out += cluster_table(report) + "\n" + teams_table(report) + "\n" + team_resources_table(report);
  if (report.ungoverned_running || report.ungoverned_pending)
    out += fmt::format("\nungoverned jobs (accounts of no team): {} running, {} pending\n",
                       report.ungoverned_running, report.ungoverned_pending);
  out += fmt::format("\npreemptions recorded on the jobs slurmctld still knows: {}\n",
                     preemptions_text(report.preemptions));
  return out;
}

std::string render_status_json(const StatusReport& report, bool compact) {
  JsonPtr root(json_object());
  json_t* settings = json_object();
  json_object_set_new(settings, "mode", json_text(name_of(report.settings.mode)));
  json_object_set_new(settings, "admission", json_text(name_of(report.settings.admission)));
  json_object_set_new(settings, "idle_compute", json_text(name_of(report.settings.idle_compute)));
  json_object_set_new(root.get(), "time", json_integer(report.now));
  json_object_set_new(root.get(), "policy", json_string(report.policy_file.c_str()));
  json_object_set_new(root.get(), "settings", settings);
  json_t* resources = json_array();
  for (int r : report.resources) json_array_append_new(resources, json_string(report.catalog.name(r).c_str()));
  json_object_set_new(root.get(), "resources", resources);

  json_t* cluster = json_object();
  for (const ClusterField& field : kClusterFields)
    json_object_set_new(cluster, field.key, amounts_json(report, field.get(report)));
  json_object_set_new(cluster, "running_jobs", json_integer(report.running_jobs));
  json_object_set_new(cluster, "pending_jobs", json_integer(report.pending_jobs));
  json_object_set_new(cluster, "ungoverned_running_jobs", json_integer(report.ungoverned_running));
  json_object_set_new(cluster, "ungoverned_pending_jobs", json_integer(report.ungoverned_pending));
  json_object_set_new(root.get(), "cluster", cluster);

  json_t* teams = json_array();
  for (const TeamStatus& team : report.teams) {
    json_t* object = json_object();
    json_object_set_new(object, "name", json_string(team.name.c_str()));
    json_object_set_new(object, "account", json_string(team.account.c_str()));
    json_object_set_new(object, "sharing", json_text(name_of(team.sharing)));
    json_object_set_new(object, "fair_share_weight", json_integer(team.weight));
    json_object_set_new(object, "weighted_share", json_real(team.share.value()));
    json_object_set_new(object, "running_jobs", json_integer(team.running_jobs));
    json_object_set_new(object, "pending_jobs", json_integer(team.pending_jobs));
    json_t* bands = json_object();
    for (Band band : {Band::InQuota, Band::Borrow, Band::Blocked})
      json_object_set_new(bands, band_name(band), json_integer(team.pending_by_band[static_cast<size_t>(band)]));
    json_object_set_new(object, "pending_by_band", bands);
    for (const TeamField& field : kTeamFields)
      json_object_set_new(object, field.key, amounts_json(report, team.*field.member));
    json_array_append_new(teams, object);
  }
  json_object_set_new(root.get(), "teams", teams);

  json_t* preemptions = json_object();
  for (const auto& [reason, count] : report.preemptions)
    json_object_set_new(preemptions, reason.c_str(), json_integer(count));
  json_object_set_new(root.get(), "preemptions", preemptions);
  return dump_json(root.get(), compact);
}

std::string render_status_prometheus(const StatusReport& report) {
  std::string out;
  const char* units = "; per resource: cpu in CPUs, mem in bytes, GRES in devices";
  for (const TeamField& field : kTeamFields) {
    metric_header(&out, field.metric, std::string(field.help) + units);
    for (const TeamStatus& team : report.teams)
      for (int r : report.resources)
        out += fmt::format("{}{{team=\"{}\",resource=\"{}\"}} {}\n", field.metric, label_value(team.name),
                           label_value(report.catalog.name(r)), metric_value(r, (team.*field.member)[r]));
  }
  struct TeamCount {
    const char* metric;
    const char* help;
    int TeamStatus::*member;
  };
  for (const TeamCount& count :
       {TeamCount{"taskgov_team_running_jobs", "Running jobs of the team", &TeamStatus::running_jobs},
        TeamCount{"taskgov_team_pending_jobs", "Pending jobs of the team (held jobs excluded)",
                  &TeamStatus::pending_jobs}}) {
    metric_header(&out, count.metric, count.help);
    for (const TeamStatus& team : report.teams)
      out += fmt::format("{}{{team=\"{}\"}} {}\n", count.metric, label_value(team.name), team.*count.member);
  }
  metric_header(&out, "taskgov_team_weighted_share",
                "Borrowed share of the lending pool (largest over resources) divided by the fair-share "
                "weight; the lowest borrows next");
  for (const TeamStatus& team : report.teams)
    out += fmt::format("taskgov_team_weighted_share{{team=\"{}\"}} {}\n", label_value(team.name), team.share.value());
  for (const ClusterField& field : kClusterFields) {
    metric_header(&out, field.metric, std::string(field.help) + units);
    for (int r : report.resources)
      out += fmt::format("{}{{resource=\"{}\"}} {}\n", field.metric, label_value(report.catalog.name(r)),
                         metric_value(r, field.get(report)[r]));
  }
  metric_header(&out, "taskgov_preemptions_total",
                "Preemptions recorded (preempted_by= in AdminComment) on the jobs slurmctld still "
                "knows: pending, running and recently ended ones. Not a counter: it drops when "
                "slurmctld purges ended jobs (MinJobAge); use taskgov report for history");
  for (const auto& [reason, count] : report.preemptions)
    out += fmt::format("taskgov_preemptions_total{{reason=\"{}\"}} {}\n", label_value(reason), count);
  return out;
}

namespace {

enum class Format { Table, Json, Prometheus };

struct StatusOptions {
  std::string policy_file;
  bool json = false;
  bool prometheus = false;
  bool all = false;
  int watch = 0;
  std::string output;
};

// One refresh: load, decide, render, write. Returns the exit status.
int show_status(const StatusOptions& options, Format format) {
  LiveState state;
  if (int status = load_live_state(options.policy_file, "status", &state); status != kExitOk) return status;
  StatusReport report = summarize_status(*state.cycle, options.all);
  report.preemptions = count_preemptions(state.jobs);
  std::string text;
  switch (format) {
    case Format::Table: text = render_status_table(report); break;
    case Format::Json: text = render_status_json(report, options.watch > 0); break;
    case Format::Prometheus: text = render_status_prometheus(report); break;
  }
  // Redraw in place on a terminal; a pipe gets one table after another.
  if (format == Format::Table && options.watch > 0 && options.output.empty())
    text = (isatty(STDOUT_FILENO) ? "\033[H\033[2J" : "\n") + text;
  std::string error;
  if (!write_output(options.output, text, &error)) {
    std::fprintf(stderr, "taskgov status: %s\n", error.c_str());
    return kExitUsage;
  }
  return kExitOk;
}

int run_status(const StatusOptions& options) {
  Format format = options.json ? Format::Json : options.prometheus ? Format::Prometheus : Format::Table;
  if (options.watch == 0) return show_status(options, format);
  if (format == Format::Prometheus && options.output.empty()) {
    std::fprintf(stderr, "taskgov status: --watch with --prometheus needs --output FILE (the file "
                         "node_exporter's textfile collector reads)\n");
    return kExitUsage;
  }
  // A failed refresh (slurmctld restarting) is reported and retried: a watch outlives it.
  for (;;) {
    show_status(options, format);
    std::this_thread::sleep_for(std::chrono::seconds(options.watch));
  }
}

}  // namespace

Command add_status_command(CLI::App* parent) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* app = parent->add_subcommand(
      "status", "Show each team's quota, use, borrowing, lending and pending jobs, and the cluster's capacity");
  add_policy_option(app, &options->policy_file);
  CLI::Option* json = app->add_flag("--json", options->json, "Print JSON (JSON Lines under --watch)");
  app->add_flag("--prometheus", options->prometheus,
                "Print Prometheus text exposition format, for node_exporter's textfile collector")
      ->excludes(json);
  app->add_flag("--all", options->all, "Also show resources and team rows that are zero throughout");
  app->add_option("--watch", options->watch, "Refresh every SECONDS until interrupted")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
  app->add_option("--output", options->output,
                  "Write to FILE (replaced atomically at each refresh) instead of stdout")
      ->type_name("FILE");
  return {app, [options] { return run_status(*options); }};
}

}  // namespace taskgov::cli
