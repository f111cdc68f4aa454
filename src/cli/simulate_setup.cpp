// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_setup.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <sstream>

namespace taskgov::cli {

Inventory uniform_inventory(int nodes, int gpus_per_node, const std::string& gpu_type) {
  Inventory inventory;
  const std::string gres = gpu_type.empty() ? "gpu" : "gpu:" + gpu_type;
  for (int n = 0; n < nodes; ++n)
    inventory.add_node({"simulated"}, 8 * Amount{gpus_per_node}, 65536 * Amount{gpus_per_node},
                       {{gres, gpus_per_node}});
  return inventory;
}

std::vector<Amount> derived_quotas(const Trace& trace, int capacity, const std::string& rule) {
  const size_t teams = trace.teams.size();
  std::vector<double> weight(teams, 1.0);
  if (rule == "proportional") {
    std::fill(weight.begin(), weight.end(), 0.0);
    for (const TraceJob& job : trace.jobs)
      if (job.team >= 0) weight[static_cast<size_t>(job.team)] += static_cast<double>(job.gpus) * job.duration;
  }
  const double sum = std::accumulate(weight.begin(), weight.end(), 0.0);
  std::vector<Amount> quota(teams, 0);
  if (sum <= 0) return quota;
  std::vector<std::pair<double, size_t>> remainder;
  Amount given = 0;
  for (size_t t = 0; t < teams; ++t) {
    const double exact = capacity * weight[t] / sum;
    quota[t] = static_cast<Amount>(exact);
    given += quota[t];
    remainder.emplace_back(-(exact - static_cast<double>(quota[t])), t);
  }
  std::sort(remainder.begin(), remainder.end());
  for (size_t k = 0; given < capacity && k < remainder.size(); ++k, ++given) ++quota[remainder[k].second];
  return quota;
}

bool parse_quota_csv(const std::string& text, const std::string& file, const Trace& trace,
                     std::vector<Amount>* quotas, std::string* error) {
  std::vector<Amount> out(trace.teams.size(), 0);
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 || line.empty() || line[0] == '#') continue;  // the header
    const size_t comma = line.find(',');
    const std::string team = line.substr(0, comma);
    const std::string count = comma == std::string::npos ? "" : line.substr(comma + 1);
    Amount gpus = -1;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), gpus);
    if (ec != std::errc() || end != count.data() + count.size() || gpus < 0) {
      *error = fmt::format("{}:{}: gpus: '{}': expected a whole number of GPUs >= 0, as in \"{},8\"", file,
                           number, count, team);
      return false;
    }
    auto it = std::find(trace.teams.begin(), trace.teams.end(), team);
    if (it == trace.teams.end()) {
      *error = fmt::format("{}:{}: team: '{}': the trace has no such team; its teams: {}", file, number, team,
                           fmt::join(trace.teams, ", "));
      return false;
    }
    out[static_cast<size_t>(it - trace.teams.begin())] = gpus;
  }
  *quotas = std::move(out);
  return true;
}

Policy policy_for_quotas(const Trace& trace, const std::vector<Amount>& quotas, int borrow_limit_percent,
                         const std::string& gpu_type) {
  Policy policy;
  policy.file = "(derived from the trace)";
  policy.cluster.priority_classes.push_back({"normal", 50});  // a policy has at least one
  for (size_t t = 0; t < trace.teams.size(); ++t) {
    Team team;
    team.name = trace.teams[t];
    team.account = trace.teams[t];
    team.borrow_limit_percent = borrow_limit_percent;
    QuotaEntry entry;
    entry.kind = QuotaEntry::Kind::Gres;
    entry.gres = gpu_type.empty() ? "gpu" : "gpu:" + gpu_type;
    entry.count = quotas[t];
    team.quota.push_back(entry);
    policy.teams.push_back(std::move(team));
  }
  return policy;
}

bool prepare_setup(Policy policy, const Inventory& inventory, const Trace& trace, const std::string& gpu_type,
                   ReplaySetup* setup, std::string* error) {
  std::vector<std::string> types;
  for (const std::string& name : inventory.gres_names())
    if (name == "gpu" || name.compare(0, 4, "gpu:") == 0) types.push_back(name);
  if (types.empty()) {
    *error = "the inventory has no GPUs; give --nodes N --gpus-per-node G or an inventory with GPU nodes";
    return false;
  }
  std::string gres = gpu_type.empty() ? types[0] : "gpu:" + gpu_type;
  if (gpu_type.empty() && types.size() > 1) {
    *error = fmt::format("the inventory has GPUs of types {}; simulate replays one: give --gpu-type TYPE",
                         fmt::join(types, ", "));
    return false;
  }
  if (std::find(types.begin(), types.end(), gres) == types.end()) {
    *error = fmt::format("--gpu-type {}: no node carries {}; the inventory has {}", gpu_type, gres,
                         fmt::join(types, ", "));
    return false;
  }
  setup->gpus_per_node.clear();
  for (const NodeShape& shape : inventory.shapes()) {
    for (const auto& [name, count] : shape.gres)
      if (name == gres && count > 0)
        setup->gpus_per_node.insert(setup->gpus_per_node.end(), static_cast<size_t>(shape.node_count),
                                    static_cast<int>(count));
  }
  setup->cycle_seconds = policy.cluster.cycle_seconds;
  std::vector<int32_t> engine_team(trace.teams.size(), kNoTeam);
  for (size_t t = 0; t < trace.teams.size(); ++t) {
    int found = policy.find_team(trace.teams[t]);
    if (found < 0) found = policy.find_team_by_account(trace.teams[t]);
    engine_team[t] = found;
  }
  PolicyError policy_error;
  std::shared_ptr<const EngineConfig> config;
  if (!build_config(std::move(policy), inventory, &config, &policy_error)) {
    *error = policy_error.to_string();
    return false;
  }
  const int gpu = config->resolved.catalog.find(ResourceCatalog::gres_name(gres));
  setup->quota.assign(trace.teams.size(), 0);
  for (size_t t = 0; t < trace.teams.size(); ++t)
    if (engine_team[t] >= 0) setup->quota[t] = config->resolved.teams[static_cast<size_t>(engine_team[t])].nominal[gpu];
  setup->engine_team = std::move(engine_team);
  setup->gpu_resource = gpu;
  setup->gpu_gres = gres;
  setup->job_class = config->policy.lowest_class();
  setup->config = std::move(config);
  return true;
}

}  // namespace taskgov::cli
