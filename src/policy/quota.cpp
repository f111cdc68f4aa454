// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/quota.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "policy/json_reader.h"  // closest_spelling

namespace taskgov {

namespace {

// One list of entries (a quota or absolute borrow limits), summed per resource.
struct Resolved {
  ResourceVector amounts;
  uint32_t mentioned = 0;     // resources some entry sets, even to 0: the ones a cap applies to
  uint32_t proportional = 0;  // resources that got an amount from the proportional rule
};

// floor(n x total / accelerators): what n of `accelerators` bring along of `total`. The
// product is taken in 128 bits: n may be a planning quota far beyond the cluster.
Amount in_proportion(Amount n, Amount total, Amount accelerators) {
  return static_cast<Amount>(static_cast<__int128>(n) * total / accelerators);
}

std::string shape_summary(const NodeShape& shape) {
  std::string out = fmt::format("{} CPUs, {}", shape.cpus, format_memory_mib(shape.memory_mib));
  for (const auto& [name, count] : shape.gres) out += fmt::format(", {}:{}", name, count);
  return out;
}

std::vector<std::string> all_features(const Inventory& inventory) {
  std::set<std::string> features;
  for (const NodeShape& shape : inventory.shapes()) {
    features.insert(shape.features.begin(), shape.features.end());
  }
  return {features.begin(), features.end()};
}

std::string unknown_instance_type(const std::string& instance_type, const Inventory& inventory) {
  std::vector<std::string> features = all_features(inventory);
  std::string list;
  for (const std::string& feature : features) list += (list.empty() ? "" : ", ") + feature;
  std::string_view typo = closest_spelling(instance_type, {features.begin(), features.end()});
  std::string fix =
      typo.empty() ? "fix the name, or plan" : fmt::format("did you mean \"{}\"? Or plan", typo);
  return fmt::format(
      "no node has Feature \"{}\", so its node shape is unknown; {} for missing capacity with a "
      "\"gres\" entry (node Features in this cluster: {})",
      instance_type, fix, list.empty() ? "none" : list);
}

// The GRES a policy names directly, in file order.
std::vector<const QuotaEntry*> gres_entries(const Policy& policy) {
  std::vector<const QuotaEntry*> out;
  for (const Team& team : policy.teams) {
    for (const auto* list : {&team.quota, &team.absolute_borrow_limits}) {
      for (const QuotaEntry& entry : *list) {
        if (entry.kind == QuotaEntry::Kind::Gres) out.push_back(&entry);
      }
    }
  }
  return out;
}

// cpu, mem, then every GRES of the cluster and of the policy, sorted, so that resource
// indices do not depend on the order teams are written in.
bool build_catalog(const Policy& policy, const Inventory& inventory, ResourceCatalog* catalog,
                   PolicyError* error) {
  std::vector<std::string> cluster_gres = inventory.gres_names();
  std::set<std::string> names(cluster_gres.begin(), cluster_gres.end());
  const QuotaEntry* first_extra = nullptr;
  for (const QuotaEntry* entry : gres_entries(policy)) {
    if (names.insert(entry->gres).second && first_extra == nullptr) first_extra = entry;
  }
  if (names.size() + 2 <= static_cast<size_t>(kMaxResources)) {
    for (const std::string& name : names) catalog->add(ResourceCatalog::gres_name(name));
    return true;
  }
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  *error = {policy.file, first_extra ? first_extra->where : SourceLocation{},
            fmt::format("cpu, mem and {} GRES types ({}) are more than the {} resources taskgov "
                        "tracks; govern fewer GRES types",
                        names.size(), list, kMaxResources)};
  return false;
}

class QuotaResolver {
 public:
  QuotaResolver(const Policy& policy, const Inventory& inventory, const ResourceCatalog& catalog,
                std::vector<std::string>* warnings)
      : policy_(policy), inventory_(inventory), catalog_(catalog), warnings_(warnings) {}

  bool resolve(const std::vector<QuotaEntry>& entries, Resolved* out, PolicyError* error) {
    for (const QuotaEntry& entry : entries) {
      if (!resolve_entry(entry, out, error)) return false;
    }
    return true;
  }

 private:
  bool resolve_entry(const QuotaEntry& entry, Resolved* out, PolicyError* error) {
    switch (entry.kind) {
      case QuotaEntry::Kind::InstanceCount: return whole_instances(entry, out, error);
      case QuotaEntry::Kind::InstanceAccelerators: return instance_accelerators(entry, out, error);
      case QuotaEntry::Kind::Gres: gres_units(entry, out); return true;
      case QuotaEntry::Kind::CpuMemory: add_explicit_cpu_memory(entry, out); return true;
    }
    return true;
  }

  bool whole_instances(const QuotaEntry& entry, Resolved* out, PolicyError* error) {
    const NodeShape* shape = nullptr;
    if (!instance_shape(entry, &shape, error)) return false;
    add(out, ResourceCatalog::kCpu, entry.count * shape->cpus);
    add(out, ResourceCatalog::kMem, entry.count * shape->memory_mib);
    for (const auto& [gres, count] : shape->gres) add_gres(out, gres, entry.count * count);
    return true;
  }

  // In proportion to the one shape, not to every node with that accelerator: the entry asks
  // for accelerators of that instance type.
  bool instance_accelerators(const QuotaEntry& entry, Resolved* out, PolicyError* error) {
    const NodeShape* shape = nullptr;
    std::string accelerator;
    if (!instance_shape(entry, &shape, error) ||
        !only_accelerator(entry, *shape, &accelerator, error)) {
      return false;
    }
    Amount per_node = shape->gres_count(accelerator);
    add_gres(out, accelerator, entry.count);
    add_cpu_memory(entry, in_proportion(entry.count, shape->cpus, per_node),
                   in_proportion(entry.count, shape->memory_mib, per_node), out);
    return true;
  }

  void gres_units(const QuotaEntry& entry, Resolved* out) {
    add_gres(out, entry.gres, entry.count);
    Amount cpus = 0;
    Amount memory = 0;
    if (proportional_share(inventory_, entry.gres, entry.count, &cpus, &memory)) {
      add_cpu_memory(entry, cpus, memory, out);
    } else {
      add_explicit_cpu_memory(entry, out);
    }
  }

  static void add(Resolved* out, int r, Amount amount) {
    out->amounts[r] += amount;
    out->mentioned |= 1u << r;
  }

  // A typed GRES also counts as its untyped name when the catalog tracks that too, as in
  // Slurm's TRES (a job on 2 gpu:h100 holds gres/gpu=2 and gres/gpu:h100=2). Only the named
  // type is "mentioned": an absolute limit on h100 must not cap the team's other GPUs.
  void add_gres(Resolved* out, const std::string& gres, Amount amount) const {
    add(out, catalog_.find(ResourceCatalog::gres_name(gres)), amount);
    size_t colon = gres.find(':');
    int untyped = colon == std::string::npos
                      ? -1
                      : catalog_.find(ResourceCatalog::gres_name(gres.substr(0, colon)));
    if (untyped >= 0) out->amounts[untyped] += amount;
  }

  // Explicit cpus/memory win; the proportional amounts fill whichever is absent.
  static void add_cpu_memory(const QuotaEntry& entry, Amount proportional_cpus,
                             Amount proportional_memory, Resolved* out) {
    add(out, ResourceCatalog::kCpu, entry.cpus.value_or(proportional_cpus));
    add(out, ResourceCatalog::kMem, entry.memory_mib.value_or(proportional_memory));
    if (!entry.cpus) out->proportional |= 1u << ResourceCatalog::kCpu;
    if (!entry.memory_mib) out->proportional |= 1u << ResourceCatalog::kMem;
  }

  // No node carries the GRES (planning for capacity): only what the entry states is known.
  void add_explicit_cpu_memory(const QuotaEntry& entry, Resolved* out) {
    if (entry.cpus) add(out, ResourceCatalog::kCpu, *entry.cpus);
    if (entry.memory_mib) add(out, ResourceCatalog::kMem, *entry.memory_mib);
    if (entry.kind == QuotaEntry::Kind::Gres && !(entry.cpus && entry.memory_mib)) {
      warn(entry.where,
           fmt::format("no node has {}, so the entry's CPUs and memory could not be set in "
                       "proportion; add \"cpus\" and \"memory\" to the entry if the team needs "
                       "them",
                       ResourceCatalog::gres_name(entry.gres)));
    }
  }

  bool instance_shape(const QuotaEntry& entry, const NodeShape** shape, PolicyError* error) const {
    std::vector<const NodeShape*> shapes = inventory_.shapes_with_feature(entry.instance_type);
    if (shapes.size() == 1) {
      *shape = shapes.front();
      return true;
    }
    std::string message;
    if (shapes.empty()) {
      message = unknown_instance_type(entry.instance_type, inventory_);
    } else {
      std::string summaries;
      for (const NodeShape* s : shapes) {
        summaries += (summaries.empty() ? "" : "; ") + shape_summary(*s);
      }
      message = fmt::format(
          "nodes with Feature \"{}\" come in {} different shapes ({}); give them one shape in "
          "slurm.conf, or use a \"gres\" entry",
          entry.instance_type, shapes.size(), summaries);
    }
    *error = {policy_.file, entry.where, std::move(message)};
    return false;
  }

  bool only_accelerator(const QuotaEntry& entry, const NodeShape& shape, std::string* accelerator,
                        PolicyError* error) const {
    if (shape.gres.size() == 1) {
      *accelerator = shape.gres.front().first;
      return true;
    }
    std::string message;
    if (shape.gres.empty()) {
      message = fmt::format(
          "nodes with Feature \"{}\" have no GRES, so there are no accelerators to count; use "
          "\"count\" for whole nodes or a {{\"cpus\", \"memory\"}} entry",
          entry.instance_type);
    } else {
      std::string types;
      for (const auto& gres : shape.gres) types += (types.empty() ? "" : ", ") + gres.first;
      message = fmt::format(
          "nodes with Feature \"{}\" carry several GRES types ({}), so \"accelerators\" is "
          "ambiguous; name one with {{\"gres\": \"{}\", \"count\": {}}}",
          entry.instance_type, types, shape.gres.front().first, entry.count);
    }
    *error = {policy_.file, entry.where, std::move(message)};
    return false;
  }

  void warn(const SourceLocation& where, std::string message) {
    warnings_->push_back(PolicyError{policy_.file, where, std::move(message)}.to_string());
  }

  const Policy& policy_;
  const Inventory& inventory_;
  const ResourceCatalog& catalog_;
  std::vector<std::string>* warnings_;
};

ResourceVector borrow_cap(const Team& team, const Resolved& quota, const Resolved& absolute) {
  ResourceVector cap;
  if (team.sharing != Sharing::LendAndBorrow) return cap;
  for (int r = 0; r < kMaxResources; ++r) {
    cap[r] = quota.amounts[r] * team.borrow_limit_percent / 100;
    if (absolute.mentioned & (1u << r)) cap[r] = std::min(cap[r], absolute.amounts[r]);
  }
  return cap;
}

std::string file_warning(const Policy& policy, std::string message) {
  return PolicyError{policy.file, {}, std::move(message)}.to_string();
}

// Quotas may exceed the cluster on purpose (planning for capacity), so this only warns.
void warn_above_capacity(const Policy& policy, const ResolvedPolicy& resolved,
                         std::vector<std::string>* warnings) {
  ResourceVector total;
  for (const ResolvedTeam& team : resolved.teams) total += team.nominal;
  for (int r = 0; r < resolved.catalog.size(); ++r) {
    if (total[r] <= resolved.capacity[r]) continue;
    warnings->push_back(file_warning(
        policy, fmt::format("the teams' quotas add up to {} {} but the cluster has {}; jobs "
                            "beyond what exists will pend (planning for capacity)",
                            format_amount(resolved.catalog, r, total[r]), resolved.catalog.name(r),
                            format_amount(resolved.catalog, r, resolved.capacity[r]))));
  }
}

// DESIGN §2: under fcfs admission classes neither reorder nor preempt.
void warn_fcfs_preemption(const Policy& policy, std::vector<std::string>* warnings) {
  if (policy.cluster.admission != Admission::Fcfs) return;
  std::string teams;
  for (const Team& team : policy.teams) {
    if (team.preempt_team_tasks != PreemptTeamTasks::LowerPriority) continue;
    teams += (teams.empty() ? "" : ", ") + team.name;
  }
  if (teams.empty()) return;
  warnings->push_back(file_warning(
      policy, fmt::format("admission is \"fcfs\", where priority classes neither reorder nor "
                          "preempt, so preempt_team_tasks \"lower-priority\" has no effect for "
                          "{}; set admission to \"task-ranking\" to use it, or "
                          "preempt_team_tasks to \"never\"",
                          teams)));
}

}  // namespace

bool proportional_share(const Inventory& inventory, const std::string& gres, Amount n, Amount* cpus,
                        Amount* memory_mib) {
  Amount accelerators = 0;
  Amount total_cpus = 0;
  Amount total_memory = 0;
  for (const NodeShape& shape : inventory.shapes()) {
    Amount per_node = shape.gres_count(gres);
    if (per_node == 0) continue;
    accelerators += per_node * shape.node_count;
    total_cpus += shape.cpus * shape.node_count;
    total_memory += shape.memory_mib * shape.node_count;
  }
  if (accelerators == 0) return false;
  *cpus = in_proportion(n, total_cpus, accelerators);
  *memory_mib = in_proportion(n, total_memory, accelerators);
  return true;
}

bool resolve_policy(const Policy& policy, const Inventory& inventory, ResolvedPolicy* out,
                    PolicyError* error) {
  ResolvedPolicy resolved;
  if (!build_catalog(policy, inventory, &resolved.catalog, error)) return false;
  resolved.capacity = inventory.capacity(&resolved.catalog);
  QuotaResolver resolver(policy, inventory, resolved.catalog, &resolved.warnings);
  for (const Team& team : policy.teams) {
    Resolved quota;
    Resolved absolute;
    if (!resolver.resolve(team.quota, &quota, error) ||
        !resolver.resolve(team.absolute_borrow_limits, &absolute, error)) {
      return false;
    }
    resolved.teams.push_back(
        {quota.amounts, borrow_cap(team, quota, absolute), quota.proportional});
  }
  warn_above_capacity(policy, resolved, &resolved.warnings);
  warn_fcfs_preemption(policy, &resolved.warnings);
  *out = std::move(resolved);
  return true;
}

}  // namespace taskgov
