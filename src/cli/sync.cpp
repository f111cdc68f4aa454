// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov sync [--apply] [--prune] [--cluster NAME]
#include "cli/sync.h"

#include <strings.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/subprocess.h"

namespace taskgov::cli {

namespace {

// sacctmgr stores account and QOS names in lower case; the policy may spell them otherwise.
bool same_name(const std::string& a, const std::string& b) { return strcasecmp(a.c_str(), b.c_str()) == 0; }

bool has_name(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return same_name(n, name); });
}

void plan_accounts(const Policy& policy, const std::string& cluster, const std::vector<AssocRow>& assocs,
                   std::vector<SyncChange>* changes) {
  for (const Team& team : policy.teams) {
    bool exists = std::any_of(assocs.begin(), assocs.end(), [&](const AssocRow& row) {
      return row.user.empty() && same_name(row.account, team.account);
    });
    if (exists) continue;
    changes->push_back({fmt::format("account {} of team {} does not exist on cluster {}", team.account, team.name, cluster),
                        {"sacctmgr", "-i", "add", "account", team.account, "Cluster=" + cluster,
                         "Description=taskgov team " + team.name}});
  }
}

// Classes get their policy weight as QOS Priority: the numbers an admin already knows from the
// policy, in the same order, ties kept. Scaling would change nothing: multifactor divides each
// QOS priority by the largest one. Priorities an admin set are kept while they are in class
// order; only when some pair is out of order are all classes reset to their weights.
void plan_qos(const Policy& policy, const std::vector<QosRow>& qos, std::vector<SyncChange>* changes) {
  const auto& classes = policy.cluster.priority_classes;
  std::vector<const QosRow*> existing;
  for (const PriorityClass& c : classes) {
    auto it = std::find_if(qos.begin(), qos.end(), [&](const QosRow& row) { return same_name(row.name, c.name); });
    existing.push_back(it == qos.end() ? nullptr : &*it);
  }
  auto priority = [&](size_t i) { return existing[i] ? existing[i]->priority : int64_t{classes[i].weight}; };
  bool in_order = true;
  for (size_t i = 0; i < classes.size(); ++i)
    for (size_t j = 0; j < classes.size(); ++j)
      if (classes[i].weight > classes[j].weight && priority(i) <= priority(j)) in_order = false;
  for (size_t i = 0; i < classes.size(); ++i) {
    const PriorityClass& c = classes[i];
    std::string weight = std::to_string(c.weight);
    if (existing[i] == nullptr) {
      changes->push_back({fmt::format("QOS {} for priority class {} (weight {}) does not exist", c.name, c.name, c.weight),
                          {"sacctmgr", "-i", "add", "qos", c.name, "Priority=" + weight,
                           std::string("Description=") + kClassQosDescription}});
    } else if (!in_order && existing[i]->priority != c.weight) {
      changes->push_back({fmt::format("QOS priorities are not in class order; QOS {} has priority {}, class {} "
                                      "weighs {}", c.name, existing[i]->priority, c.name, c.weight),
                          {"sacctmgr", "-i", "modify", "qos", "where", "name=" + c.name, "set",
                           "Priority=" + weight}});
    }
  }
}

// One change per (account, user): every class QOS it lacks (with `add`), or every retired
// taskgov QOS it still has (with `remove`).
void plan_access(const Policy& policy, const std::string& cluster, const std::vector<AssocRow>& assocs,
                 const std::vector<QosRow>& qos, bool prune, std::vector<SyncChange>* changes) {
  std::vector<std::string> classes;
  for (const PriorityClass& c : policy.cluster.priority_classes) classes.push_back(c.name);
  std::vector<std::string> retired;
  for (const QosRow& row : qos)
    if (row.description == kClassQosDescription && !has_name(classes, row.name)) retired.push_back(row.name);
  AccountTree tree = account_tree(assocs);
  // A user may have one association per partition: merged, in the order sacctmgr listed them.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<std::string>, std::vector<std::string>>> wanted;
  for (const AssocRow& row : assocs) {
    if (row.user.empty()) continue;
    int team = team_of_lineage(policy, tree.lineage(row.account));
    if (team < 0) continue;
    auto key = std::make_pair(row.account, row.user);
    if (!wanted.count(key)) order.push_back(key);
    auto& [add, remove] = wanted[key];
    for (const std::string& c : classes)
      if (!has_name(row.qos, c) && !has_name(add, c)) add.push_back(c);
    for (const std::string& r : retired)
      if (prune && has_name(row.qos, r) && !has_name(remove, r)) remove.push_back(r);
  }
  for (const auto& key : order) {
    const auto& [account, user] = key;
    const auto& [add, remove] = wanted[key];
    std::vector<std::string> where = {"sacctmgr", "-i", "modify", "user", "where", "name=" + user,
                                      "account=" + account, "cluster=" + cluster, "set"};
    if (!add.empty()) {
      std::vector<std::string> argv = where;
      argv.push_back("qos+=" + join(add, ","));
      changes->push_back({fmt::format("user {} in account {} cannot use class QOS {}", user, account, join(add, ",")),
                          std::move(argv)});
    }
    if (!remove.empty()) {
      std::vector<std::string> argv = where;
      argv.push_back("qos-=" + join(remove, ","));
      changes->push_back({fmt::format("user {} in account {} may still use QOS {}, created by taskgov for a class "
                                      "the policy no longer has", user, account, join(remove, ",")),
                          std::move(argv)});
    }
  }
}

}  // namespace

std::vector<SyncChange> plan_sync(const Policy& policy, const std::string& cluster,
                                  const std::vector<AssocRow>& assocs, const std::vector<QosRow>& qos,
                                  bool prune) {
  std::vector<SyncChange> changes;
  plan_accounts(policy, cluster, assocs, &changes);
  plan_qos(policy, qos, &changes);
  plan_access(policy, cluster, assocs, qos, prune, &changes);
  return changes;
}

namespace {

struct SyncOptions {
  std::string policy_file;
  std::string cluster;
  bool apply = false;
  bool prune = false;
};

int run_sync(const SyncOptions& options) {
  Policy policy;
  if (!load_policy_or_complain(options.policy_file, &policy)) return kExitBadPolicy;
  std::string cluster = options.cluster;
  std::string error;
  if (cluster.empty() && !read_cluster_name(default_slurm_conf_path(), &cluster, &error)) {
    std::fprintf(stderr, "taskgov sync: %s\n", error.c_str());
    return kExitUsage;
  }
  std::vector<AssocRow> assocs;
  std::vector<QosRow> qos;
  if (!load_assoc_rows(cluster, &assocs, &error) || !load_qos_rows(&qos, &error)) {
    std::fprintf(stderr, "taskgov sync: %s\n", error.c_str());
    return kExitNoCluster;
  }
  std::vector<SyncChange> changes = plan_sync(policy, cluster, assocs, qos, options.prune);
  if (changes.empty()) {
    std::printf("slurmdbd is in sync with %s on cluster %s\n", policy.file.c_str(), cluster.c_str());
    return kExitOk;
  }
  for (const SyncChange& change : changes) {
    std::printf("# %s\n%s\n", change.why.c_str(), shell_words(change.argv).c_str());
    std::fflush(stdout);
    if (!options.apply) continue;
    CommandResult result = run_command(change.argv);
    if (!result.started || result.status != 0) {
      std::fprintf(stderr, "taskgov sync: %s\n", describe_failure(change.argv, result).c_str());
      return kExitApplyFailed;
    }
  }
  if (!options.apply)
    std::printf("# %zu change%s; run again with --apply to carry them out\n", changes.size(),
                changes.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

Command add_sync_command(CLI::App* parent) {
  auto options = std::make_shared<SyncOptions>();
  CLI::App* app = parent->add_subcommand(
      "sync", "Show (and with --apply make) the sacctmgr changes the policy needs: team accounts, class QOS, access");
  add_policy_option(app, &options->policy_file);
  app->add_option("--cluster", options->cluster, "Cluster in slurmdbd (default: ClusterName of slurm.conf)")
      ->type_name("NAME");
  app->add_flag("--apply", options->apply, "Run the sacctmgr commands, stopping at the first that fails");
  app->add_flag("--prune", options->prune,
                "Also take back access to QOS that taskgov created for classes the policy no longer has "
                "(nothing is ever deleted)");
  return {app, [options] { return run_sync(*options); }};
}

}  // namespace taskgov::cli
