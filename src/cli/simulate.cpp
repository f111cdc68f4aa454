// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov simulate (--trace FILE | --from-sacct --start DATE --end DATE)
//                  [--policy FILE | --quotas proportional|equal|FILE [--borrow-limit PERCENT]]
//                  [--nodes N --gpus-per-node G | --inventory FILE]
//                  [--regimes fifo,static,taskgov] [--format table|json|csv] [--plot DIR]
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/accounts.h"
#include "audit/admin_comment.h"
#include "cli/command.h"
#include "policy/inventory_file.h"
#include "cli/live_inventory.h"
#include "cli/output.h"
#include "cli/report.h"
#include "cli/sacctmgr.h"
#include "cli/simulate_output.h"
#include "cli/simulate_plot.h"
#include "cli/simulate_replay.h"
#include "cli/simulate_setup.h"

namespace taskgov::cli {

namespace {

struct SimulateOptions {
  std::string trace, policy_file, quotas, inventory, gpu_type, format = "table", plot,
      regimes = "fifo,static,taskgov";
  bool from_sacct = false;
  std::string start, end, cluster;
  int nodes = 0, gpus_per_node = 0;
  int borrow_limit = Team{}.borrow_limit_percent;
  int64_t requeue_delay = ReplaySetup{}.requeue_delay;
};

void complain(const std::string& message) { std::fprintf(stderr, "taskgov simulate: %s\n", message.c_str()); }

bool read_file(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot read {}: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

// The trace's _extra side file is read when it sits next to the trace.
bool load_trace(const std::string& file, Trace* trace, std::string* error) {
  std::string text;
  if (!read_file(file, &text, error) || !parse_trace_csv(text, file, trace, error)) return false;
  const std::string extra = extra_path_for(file);
  if (access(extra.c_str(), R_OK) != 0) return true;
  return read_file(extra, &text, error) && parse_trace_extra(text, extra, trace, error);
}

bool load_sacct_trace(const SimulateOptions& options, const Policy* policy, Trace* trace, std::string* error) {
  const int64_t now = std::time(nullptr);
  int64_t start = 0, end = 0;
  if (!parse_report_time(options.start, now, &start, error) || !parse_report_time(options.end, now, &end, error))
    return false;
  std::string cluster = options.cluster;
  std::vector<AssocRow> assocs;
  std::vector<SacctJob> records;
  if ((cluster.empty() && !read_cluster_name(default_slurm_conf_path(), &cluster, error)) ||
      !load_assoc_rows(cluster, &assocs, error) ||
      !run_sacct({"--allusers", "--duplicates", "--clusters", cluster, "--starttime",
                  format_time(start, "%Y-%m-%dT%H:%M:%S"), "--endtime", format_time(end, "%Y-%m-%dT%H:%M:%S")},
                 &records, error))
    return false;
  // Under a policy, a job's team is the one report gives it; with --quotas, its account.
  AccountTree accounts = account_tree(assocs);
  std::map<uint32_t, std::string> team_of_job;
  for (const SacctJob& job : records)
    team_of_job[job.id] = policy ? team_of_record(*policy, accounts, parse_admin_comment(job.admin_comment).team,
                                                  job.account)
                                 : job.account;
  *trace = trace_from_sacct(records, team_of_job);
  return true;
}

bool load_inventory(const SimulateOptions& options, Inventory* inventory, std::string* label, std::string* error) {
  if (options.nodes > 0) {
    *inventory = uniform_inventory(options.nodes, options.gpus_per_node, options.gpu_type);
    *label = fmt::format("{} nodes x {} GPUs", options.nodes, options.gpus_per_node);
    return true;
  }
  if (!options.inventory.empty()) {
    PolicyError policy_error;
    if (!load_inventory_file(options.inventory, inventory, &policy_error)) {
      *error = policy_error.to_string();
      return false;
    }
    *label = options.inventory;
    return true;
  }
  *label = "the live cluster's nodes";
  return connect_slurm("give --nodes N --gpus-per-node G or --inventory FILE to simulate without a cluster",
                       error) &&
         load_live_inventory(inventory, error);
}

std::vector<Regime> chosen_regimes(const std::string& list) {
  std::vector<Regime> out;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ','))
    for (Regime r : {Regime::Fifo, Regime::Static, Regime::Taskgov})
      if (name == regime_name(r)) out.push_back(r);
  return out;
}

// A bar on stderr while it is a terminal, redrawn in place; nothing for a pipe or a file.
Progress progress_bar(const char* regime) {
  if (!isatty(STDERR_FILENO)) return nullptr;
  return [regime, shown = -1](double fraction) mutable {
    const int percent = static_cast<int>(fraction * 100);
    if (percent == shown) return;
    shown = percent;
    const int filled = percent * 30 / 100;
    std::fprintf(stderr, "\r%-8s [%s%s] %3d%%", regime, std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(30 - filled), '.').c_str(), percent);
    if (percent >= 100) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  };
}

int run_simulate(const SimulateOptions& options) {
  std::string error;
  if (options.trace.empty() == !options.from_sacct) {
    complain("give either --trace FILE or --from-sacct --start DATE --end DATE");
    return kExitUsage;
  }
  if (options.from_sacct && (options.start.empty() || options.end.empty())) {
    complain("--from-sacct needs --start DATE and --end DATE (YYYY-MM-DD[THH:MM[:SS]] or now)");
    return kExitUsage;
  }
  if ((options.nodes > 0) != (options.gpus_per_node > 0)) {
    complain("--nodes and --gpus-per-node go together, e.g. --nodes 100 --gpus-per-node 8");
    return kExitUsage;
  }
  std::vector<Regime> regimes = chosen_regimes(options.regimes);
  if (regimes.empty()) {
    complain(fmt::format("--regimes {}: expected a comma-separated list of fifo, static, taskgov", options.regimes));
    return kExitUsage;
  }
  std::unique_ptr<Policy> policy;
  if (options.quotas.empty()) {
    policy = std::make_unique<Policy>();
    if (!load_policy_or_complain(options.policy_file, policy.get())) return kExitBadPolicy;
  }
  Trace trace;
  const bool loaded = options.from_sacct ? load_sacct_trace(options, policy.get(), &trace, &error)
                                         : load_trace(options.trace, &trace, &error);
  if (!loaded) {
    complain(error);
    return options.from_sacct ? kExitNoCluster : kExitUsage;
  }
  Inventory inventory;
  std::string cluster;
  if (!load_inventory(options, &inventory, &cluster, &error)) {
    complain(error);
    return kExitNoCluster;
  }
  if (!policy) {
    std::vector<Amount> quotas;
    int capacity = 0;
    const std::string gres = options.gpu_type.empty() ? "gpu" : "gpu:" + options.gpu_type;
    for (const NodeShape& shape : inventory.shapes()) capacity += static_cast<int>(shape.gres_count(gres)) * shape.node_count;
    if (options.quotas == "proportional" || options.quotas == "equal") {
      quotas = derived_quotas(trace, capacity, options.quotas);
    } else {
      std::string text;
      if (!read_file(options.quotas, &text, &error) || !parse_quota_csv(text, options.quotas, trace, &quotas, &error)) {
        complain(error);
        return kExitUsage;
      }
    }
    policy = std::make_unique<Policy>(policy_for_quotas(trace, quotas, options.borrow_limit, options.gpu_type));
  }
  ReplaySetup setup;
  setup.trace = &trace;
  setup.requeue_delay = options.requeue_delay;
  if (!prepare_setup(std::move(*policy), inventory, trace, options.gpu_type, &setup, &error)) {
    complain(error);
    return kExitBadPolicy;
  }
  std::vector<std::string> unmatched;
  for (size_t t = 0; t < trace.teams.size(); ++t)
    if (setup.engine_team[t] == kNoTeam) unmatched.push_back(trace.teams[t]);
  if (!unmatched.empty())
    complain(fmt::format("no team of the policy has the name or account of {}: their jobs are replayed as "
                         "ungoverned", join(unmatched)));
  SimulationReport report;
  report.trace = options.from_sacct ? fmt::format("slurmdbd {} to {}", options.start, options.end) : options.trace;
  report.trace += fmt::format(" ({} jobs, {} teams)", trace.jobs.size(), trace.teams.size());
  report.cluster = fmt::format("{} ({} GPUs)", cluster, [&] {
    int gpus = 0;
    for (int g : setup.gpus_per_node) gpus += g;
    return gpus;
  }());
  report.cycle_seconds = setup.cycle_seconds;
  for (Regime regime : regimes) report.regimes.push_back(replay(setup, regime, progress_bar(regime_name(regime))));
  std::optional<WaitValidation> check;
  for (const RegimeResult& r : report.regimes)
    if (r.regime == regime_name(Regime::Fifo)) check = validate_fifo_waits(trace, r);
  if (!options.plot.empty() && !write_charts(options.plot, simulation_charts(report.regimes, trace), &error)) {
    complain(error);
    return kExitUsage;
  }
  std::string text = options.format == "json" ? render_simulation_json(report, check)
                   : options.format == "csv"  ? render_simulation_csv(report)
                                              : render_simulation_table(report, check);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_simulate_command(CLI::App* parent) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* app = parent->add_subcommand(
      "simulate", "Replay a job trace (or slurmdbd's history) under fifo, static quotas and the policy, on the "
                  "engine the plugins run, and compare utilization, waits, preemption and guarantees");
  app->add_option("--trace", options->trace, "Job CSV (job_id,submit_s,duration_s,gpus,team,...); a FILE_extra.csv "
                                             "beside it adds observed waits")
      ->type_name("FILE");
  app->add_flag("--from-sacct", options->from_sacct, "Replay slurmdbd's job history between --start and --end");
  app->add_option("--start", options->start, "With --from-sacct: window start, as for report")->type_name("DATE");
  app->add_option("--end", options->end, "With --from-sacct: window end (exclusive)")->type_name("DATE");
  app->add_option("--cluster", options->cluster, "With --from-sacct: cluster in slurmdbd (default: ClusterName)")
      ->type_name("NAME");
  add_policy_option(app, &options->policy_file);
  app->add_option("--quotas", options->quotas,
                  "Instead of a policy: team GPU quotas proportional to the trace's GPU-hours, equal, or from a "
                  "CSV file (team,gpus), with every other setting at its default")
      ->type_name("proportional|equal|FILE");
  app->add_option("--borrow-limit", options->borrow_limit, "With --quotas: each team's borrow limit, % of its quota")
      ->type_name("PERCENT")
      ->check(CLI::Range(0, 500));
  app->add_option("--nodes", options->nodes, "Simulated nodes (with --gpus-per-node)")->check(CLI::PositiveNumber);
  app->add_option("--gpus-per-node", options->gpus_per_node, "GPUs of each simulated node")
      ->check(CLI::PositiveNumber);
  app->add_option("--inventory", options->inventory, "Nodes from an inventory file (taskgov.json(5))")
      ->type_name("FILE");
  app->add_option("--gpu-type", options->gpu_type,
                  "The GPU type replayed, on the nodes carrying it (needed when the cluster has several)")
      ->type_name("TYPE");
  app->add_option("--regimes", options->regimes, "Which to replay, comma-separated (default fifo,static,taskgov)")
      ->type_name("LIST");
  app->add_option("--requeue-delay", options->requeue_delay,
                  "Seconds a preempted job waits before it may start again (Slurm: 1201)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--format", options->format, "table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app->add_option("--plot", options->plot, "Write SVG charts into this directory")->type_name("DIR");
  app->get_option("--quotas")->excludes(app->get_option("--policy"));
  app->get_option("--borrow-limit")->needs(app->get_option("--quotas"));
  for (const char* name : {"--start", "--end", "--cluster"}) app->get_option(name)->needs(app->get_option("--from-sacct"));
  app->get_option("--nodes")->excludes(app->get_option("--inventory"));
  return {app, [options] { return run_simulate(*options); }};
}

}  // namespace taskgov::cli
