// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov check [FILE] [--inventory FILE]: validates a policy against the cluster and shows
// what it resolves to, so an admin sees each team's quota and borrow cap before enforcing it.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cluster_facts.h"
#include "cli/command.h"
#include "policy/inventory_file.h"
#include "cli/live_inventory.h"
#include "policy/policy.h"
#include "policy/policy_warnings.h"
#include "policy/quota.h"
#include "cli/table.h"

namespace taskgov::cli {

namespace {

constexpr const char* kInventoryHint = "pass --inventory FILE to check without the live cluster";

struct CheckOptions {
  std::string policy_file;
  std::string inventory_file;  // empty: the live cluster
};

int node_count(const Inventory& inventory) {
  int nodes = 0;
  for (const NodeShape& shape : inventory.shapes()) nodes += shape.node_count;
  return nodes;
}

std::string class_summary(const Policy& policy) {
  std::string out;
  for (const PriorityClass& klass : policy.cluster.priority_classes) {
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", klass.name, klass.weight);
  }
  return out;
}

// "-" keeps the zeros of a sparse quota table from drowning the numbers that matter.
std::string amount_cell(const ResolvedPolicy& resolved, int r, Amount amount, bool proportional) {
  if (amount == 0) return "-";
  return format_amount(resolved.catalog, r, amount) + (proportional ? "*" : "");
}

std::vector<std::string> amount_row(const ResolvedPolicy& resolved, std::string team,
                                    std::string limit, const ResourceVector& amounts,
                                    uint32_t proportional_mask = 0) {
  std::vector<std::string> row = {std::move(team), std::move(limit)};
  for (int r = 0; r < resolved.catalog.size(); ++r) {
    row.push_back(amount_cell(resolved, r, amounts[r], proportional_mask & (1u << r)));
  }
  return row;
}

std::string settings_report(const Policy& policy, const std::string& inventory_source,
                            const Inventory& inventory) {
  const ClusterSettings& c = policy.cluster;
  Table table({"SETTING", "VALUE"}, 2);
  table.add_row({"priority classes", class_summary(policy)});
  table.add_row({"default class", c.priority_classes[policy.lowest_class()].name});
  table.add_row({"admission", std::string(name_of(c.admission))});
  table.add_row({"idle compute", std::string(name_of(c.idle_compute))});
  table.add_row({"share unassigned", c.share_unassigned ? "true" : "false"});
  table.add_row({"mode", std::string(name_of(c.mode))});
  table.add_row({"unmapped accounts", std::string(name_of(c.unmapped_accounts))});
  table.add_row({"proportional defaults", c.proportional_defaults ? "true" : "false"});
  table.add_row({"enforce derived", c.enforce_derived ? "true" : "false"});
  table.add_row({"preempt mode", std::string(name_of(c.preempt_mode))});
  table.add_row({"cycle", fmt::format("{} s", c.cycle_seconds)});
  table.add_row({"inventory", fmt::format("{}: {} nodes in {} shapes", inventory_source,
                                          node_count(inventory), inventory.shapes().size())});
  return fmt::format("{}: valid\n\n{}", policy.file, table.render());
}

std::string teams_report(const Policy& policy) {
  Table table({"TEAM", "ACCOUNT", "SHARING", "PREEMPT IN TEAM", "BORROW %", "WEIGHT"}, 4);
  for (const Team& team : policy.teams) {
    table.add_row({team.name, team.account, std::string(name_of(team.sharing)),
                   std::string(name_of(team.preempt_team_tasks)),
                   std::to_string(team.borrow_limit_percent),
                   std::to_string(team.fair_share_weight)});
  }
  return table.render();
}

std::string quota_report(const Policy& policy, const ResolvedPolicy& resolved) {
  std::vector<std::string> header = {"TEAM", "LIMIT"};
  for (int r = 0; r < resolved.catalog.size(); ++r) header.push_back(resolved.catalog.name(r));
  Table table(header, 2);
  ResourceVector total;
  uint32_t any_proportional = 0;
  for (size_t t = 0; t < policy.teams.size(); ++t) {
    const ResolvedTeam& team = resolved.teams[t];
    table.add_row(
        amount_row(resolved, policy.teams[t].name, "quota", team.nominal, team.proportional_mask));
    table.add_row(amount_row(resolved, "", "borrow cap", team.borrow_cap));
    total += team.nominal;
    any_proportional |= team.proportional_mask;
  }
  table.add_row(amount_row(resolved, "all teams", "quota", total));
  table.add_row(amount_row(resolved, "cluster", "capacity", resolved.capacity));
  std::string out = table.render();
  if (any_proportional != 0) {
    out +=
        "* set in proportion to the accelerators: their node shapes' CPUs and RealMemory "
        "per accelerator\n";
  }
  return out;
}

std::string warnings_report(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "";
  std::string out = "\nwarnings:\n";
  for (const std::string& warning : warnings) out += "  " + warning + "\n";
  return out;
}

int run_check(const CheckOptions& options) {
  Policy policy;
  if (!load_policy_or_complain(options.policy_file, &policy)) return kExitBadPolicy;
  PolicyError error;
  Inventory inventory;
  std::string inventory_source = "live cluster";
  if (!options.inventory_file.empty()) {
    inventory_source = options.inventory_file;
    if (!load_inventory_file(options.inventory_file, &inventory, &error)) {
      std::fprintf(stderr, "%s\n", error.to_string().c_str());
      return kExitNoCluster;
    }
  } else {
    std::string message;
    if (!connect_slurm(kInventoryHint, &message) || !load_live_inventory(&inventory, &message)) {
      std::fprintf(stderr, "taskgov check: %s; or %s\n", message.c_str(), kInventoryHint);
      return kExitNoCluster;
    }
  }
  ResolvedPolicy resolved;
  if (!resolve_policy(policy, inventory, &resolved, &error)) {
    std::fprintf(stderr, "%s\n", error.to_string().c_str());
    return kExitBadPolicy;
  }
  // Against the live cluster, also how Slurm is set up around the policy: a valid policy can
  // still go unenforced there.
  std::vector<std::string> warnings = resolved.warnings;
  std::vector<std::string> unchecked;
  ClusterFacts facts = options.inventory_file.empty() ? load_cluster_facts(&unchecked) : ClusterFacts{};
  for (std::string& warning : cluster_warnings(policy, resolved, inventory, facts))
    warnings.push_back(std::move(warning));
  for (const std::string& problem : unchecked)
    warnings.push_back("not checked: " + problem);
  fmt::print("{}\n{}\n{}{}", settings_report(policy, inventory_source, inventory),
             teams_report(policy), quota_report(policy, resolved), warnings_report(warnings));
  return kExitOk;
}

}  // namespace

Command add_check_command(CLI::App* parent) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* app = parent->add_subcommand(
      "check", "Validate a policy against the cluster and show each team's resolved quota");
  app->add_option("file", options->policy_file,
                  "Policy file (default: taskgov.json next to slurm.conf, i.e. in the directory "
                  "of $SLURM_CONF, else /etc/slurm/taskgov.json)")
      ->type_name("FILE");
  app->add_option("--inventory", options->inventory_file,
                  "Check against the nodes in this JSON file (see taskgov.json(5)) instead of "
                  "the live cluster")
      ->type_name("FILE");
  return {app, [options] { return run_check(*options); }};
}

}  // namespace taskgov::cli
