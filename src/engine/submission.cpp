// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/submission.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <vector>

#include "audit/admin_comment.h"
#include "policy/slurm_strings.h"

namespace taskgov {

namespace {

// One item of a tres_per_* string: "gres:gpu:h100:2" -> {gpu, h100, 2}.
struct GresItem {
  std::string name;
  std::string type;
  Amount count = 1;
  bool is_gres = false;  // items without the gres prefix, and zero counts, are left alone
  std::string raw;
  std::string error;     // why Slurm would refuse this item; empty when it is well formed

  std::string resource() const { return ResourceCatalog::gres_name(type.empty() ? name : name + ":" + type); }
  std::string text() const {
    if (!is_gres) return raw;
    return fmt::format("gres:{}{}:{}", name, type.empty() ? "" : ":" + type, count);
  }
};

// A GRES count as Slurm reads one (suffix_mult): digits, then optionally k/m/g/t/p in either
// case, meaning powers of 1024 alone or with "iB" and powers of 1000 with "B".
enum class Count { Ok, NotANumber, TooLarge };

Count parse_count(std::string_view text, Amount* value) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return Count::NotANumber;
  std::string suffix;
  for (char c : text.substr(digits)) suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Amount scale = 1;
  if (!suffix.empty()) {
    size_t unit = std::string_view("kmgtp").find(suffix[0]);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (unit == std::string_view::npos || !(rest.empty() || rest == "ib" || rest == "b"))
      return Count::NotANumber;
    for (size_t i = 0; i <= unit; ++i) scale *= rest == "b" ? 1000 : 1024;
  }
  Amount number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec == std::errc::result_out_of_range || !multiply_amounts(number, scale, value)) return Count::TooLarge;
  return ec == std::errc() && end == text.data() + digits ? Count::Ok : Count::NotANumber;
}

// Slurm's grammar (_get_next_gres): name, name:count, name:type or name:type:count; a count of
// 0 asks for nothing, and Slurm drops the item.
GresItem parse_item(const std::string& raw) {
  GresItem item;
  item.raw = raw;
  std::string_view rest = raw;
  if (rest.rfind("gres:", 0) == 0 || rest.rfind("gres/", 0) == 0) {
    rest.remove_prefix(5);
    item.is_gres = true;
  } else {
    return item;
  }
  size_t first = rest.find(':');
  item.name = std::string(rest.substr(0, first));
  if (first == std::string_view::npos) {
    item.is_gres = !item.name.empty();  // "gres:" alone asks for nothing
    return item;
  }
  std::string_view after = rest.substr(first + 1);
  size_t second = after.find(':');
  std::string_view count_text = second == std::string_view::npos ? after : after.substr(second + 1);
  if (second != std::string_view::npos) item.type = std::string(after.substr(0, second));
  if (after.empty() || (second != std::string_view::npos && (item.type.empty() || count_text.empty()))) {
    item.error = "a type or count is empty";
    return item;
  }
  Amount count = 0;
  switch (parse_count(count_text, &count)) {
    case Count::Ok: item.count = count; break;
    case Count::TooLarge: item.error = fmt::format("the count {} is too large", count_text); return item;
    case Count::NotANumber:
      if (second == std::string_view::npos) {
        item.type = std::string(after);  // name:type, one unit
      } else {
        item.error = fmt::format("the count '{}' is not a number", count_text);
        return item;
      }
  }
  if (item.count == 0) item.is_gres = false;
  return item;
}

std::vector<GresItem> parse_spec(const std::string& spec) {
  std::vector<GresItem> items;
  for (const std::string& raw : split_list(spec)) items.push_back(parse_item(raw));
  return items;
}

std::string join_items(const std::vector<GresItem>& items) {
  std::string out;
  for (const GresItem& item : items) out += (out.empty() ? "" : ",") + item.text();
  return out;
}

// GPU types the team holds quota for or may borrow: where an untyped request may go.
std::vector<std::string> team_gpu_types(const EngineConfig& config, size_t team) {
  std::vector<std::string> types;
  const ResourceCatalog& catalog = config.resolved.catalog;
  const ResolvedTeam& resolved = config.resolved.teams[team];
  const std::string prefix = "gres/gpu:";
  for (int r = ResourceCatalog::kFirstAccelerator; r < catalog.size(); ++r) {
    const std::string& name = catalog.name(r);
    if (name.rfind(prefix, 0) == 0 && (resolved.nominal[r] > 0 || resolved.borrow_cap[r] > 0))
      types.push_back(name.substr(prefix.size()));
  }
  return types;
}

std::string join(const std::vector<std::string>& words, const char* separator = ", ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

struct Specs {
  std::vector<GresItem> per_job, per_node, per_task, per_socket;
  std::vector<GresItem>* all[4] = {&per_job, &per_node, &per_task, &per_socket};
};

// Total units per GRES the job asks for: per node times nodes, per task times tasks, ...
// Where Slurm takes the largest of several ways to ask, so do we. False, naming the item, when
// a total does not fit an Amount.
bool gres_totals(const Specs& specs, const SubmitRequest& request,
                 std::vector<std::pair<std::string, Amount>>* totals, std::string* too_large) {
  const Amount nodes = std::max<Amount>(1, request.min_nodes);
  const Amount tasks = std::max<Amount>(1, request.num_tasks);
  const Amount multipliers[4] = {1, nodes, tasks, nodes};
  for (int s = 0; s < 4; ++s) {
    for (const GresItem& item : *specs.all[s]) {
      if (!item.is_gres) continue;
      Amount amount = 0;
      if (!multiply_amounts(item.count, multipliers[s], &amount)) {
        *too_large = item.raw;
        return false;
      }
      auto it = std::find_if(totals->begin(), totals->end(),
                             [&](const auto& t) { return t.first == item.resource(); });
      if (it == totals->end())
        totals->emplace_back(item.resource(), amount);
      else
        it->second = std::max(it->second, amount);
    }
  }
  return true;
}

SubmitDecision refuse(SubmitDecision decision, SubmitOutcome outcome, std::string message) {
  decision.outcome = outcome;
  decision.message = std::move(message);
  return decision;
}

// Quota or a borrow cap of GPUs that carry no type (resource gres/gpu).
bool untyped_gpu_quota(const EngineConfig& config, size_t team) {
  const int r = config.resolved.catalog.find("gres/gpu");
  const ResolvedTeam& resolved = config.resolved.teams[team];
  return r >= 0 && (resolved.nominal[r] > 0 || resolved.borrow_cap[r] > 0);
}

// Rewrites untyped GPU items to the team's only GPU type; false (with a message) when the team
// has none or several.
bool type_untyped_gpus(const EngineConfig& config, size_t team, Specs* specs, std::string* chosen,
                       std::string* message) {
  std::vector<std::string> types;
  bool types_known = false;
  for (std::vector<GresItem>* spec : specs->all) {
    for (GresItem& item : *spec) {
      if (!item.is_gres || item.name != "gpu" || !item.type.empty()) continue;
      if (!types_known) {
        types = team_gpu_types(config, team);
        types_known = true;
      }
      const std::string& name = config.policy.teams[team].name;
      // GPUs that carry no type (gres.conf Name=gpu without Type) are the gres/gpu resource: a
      // team with quota of those and of no typed GPU already asks for what its quota counts.
      if (types.empty() && untyped_gpu_quota(config, team)) continue;
      if (types.empty()) {
        *message = fmt::format(
            "taskgov: team {} has no GPU quota, so an untyped GPU request cannot be placed; "
            "ask your admin for a quota", name);
        return false;
      }
      if (types.size() > 1) {
        *message = fmt::format(
            "taskgov: team {} has quota for several GPU types ({}): name one, e.g. "
            "--gres=gpu:{}:{}", name, join(types), types[0], item.count);
        return false;
      }
      item.type = types[0];
      *chosen = types[0];
    }
  }
  return true;
}

// The proportional rule for a job that asks for accelerators only: CPUs and memory per unit as
// the nodes carrying that accelerator have them.
struct Proportional {
  std::string gres;  // "gpu", "neuron"
  Amount cpus_per_unit = 0;
  Amount mib_per_unit = 0;
  std::string accelerator;  // "gpu:h100"
};

std::optional<Proportional> proportional_for(const EngineConfig& config, const Specs& specs) {
  for (const std::vector<GresItem>* spec : specs.all) {
    for (const GresItem& item : *spec) {
      if (!item.is_gres) continue;
      Proportional p;
      p.gres = item.name;
      p.accelerator = item.type.empty() ? item.name : item.name + ":" + item.type;
      if (proportional_share(config.inventory, p.accelerator, 1, &p.cpus_per_unit, &p.mib_per_unit) &&
          p.cpus_per_unit > 0)
        return p;
    }
  }
  return std::nullopt;
}

}  // namespace

GpuTyping type_gpu_spec(const EngineConfig& config, size_t team, const std::string& spec,
                        std::string* typed_spec, std::string* type, std::string* message) {
  Specs specs;
  specs.per_job = parse_spec(spec);
  type->clear();
  if (!type_untyped_gpus(config, team, &specs, type, message)) return GpuTyping::Impossible;
  if (type->empty()) return GpuTyping::Unchanged;
  *typed_spec = join_items(specs.per_job);
  return GpuTyping::Typed;
}

SubmitOutcome unmapped_outcome(const EngineConfig& config) {
  return config.policy.cluster.unmapped_accounts == UnmappedAccounts::Allow ? SubmitOutcome::Ungoverned
                                                                             : SubmitOutcome::InvalidAccount;
}

std::string unmapped_account_message(const EngineConfig& config, const std::string& account) {
  std::vector<std::string> teams;
  for (const Team& t : config.policy.teams) teams.push_back(fmt::format("{} (account {})", t.name, t.account));
  return fmt::format(
      "taskgov: account '{}' belongs to no team, and this cluster only runs team jobs; "
      "submit with -A <account> of one of: {}", account.empty() ? "(default)" : account,
      teams.empty() ? std::string("(no teams defined)") : join(teams));
}

namespace {

// The job as decide_submission()'s steps read and fill it. Each step returns false when it
// refused the job (the decision then says why).
struct Submitted {
  Submitted(const EngineConfig& c, const SubmitRequest& r)
      : config(c), request(r), team(static_cast<size_t>(r.team)), team_name(c.policy.teams[team].name) {}
  Submitted(const Submitted&) = delete;  // Specs points into itself

  const EngineConfig& config;
  const SubmitRequest& request;
  const size_t team;
  const std::string& team_name;
  Specs specs;
  std::string chosen_type;                               // the GPU type set on an untyped request
  std::vector<std::pair<std::string, Amount>> totals;    // units per GRES the job asks for
  std::vector<std::string> added;                        // proportional defaults, for the note
};

bool refused(SubmitDecision* decision, SubmitOutcome outcome, std::string message) {
  *decision = refuse(std::move(*decision), outcome, std::move(message));
  return false;
}

// 1. The class: the lowest when no QOS is named; any other QOS is not a class. Stamps the
//    AdminComment with team and class.
bool choose_class(const Submitted& job, SubmitDecision* decision) {
  const Policy& policy = job.config.policy;
  const auto& classes = policy.cluster.priority_classes;
  if (job.request.qos.empty()) {
    decision->klass = policy.lowest_class();
    decision->qos = classes[static_cast<size_t>(decision->klass)].name;
  } else {
    decision->klass = policy.find_class(job.request.qos);
    if (decision->klass < 0) {
      std::vector<std::string> names;
      for (const PriorityClass& c : classes) names.push_back(c.name);
      // Slurm 24.11 lets a job list several QOS and run under whichever fits first; a governed
      // job has one class, which orders it and decides what it may preempt, so it names one.
      const bool several = job.request.qos.find(',') != std::string::npos;
      return refused(decision, SubmitOutcome::InvalidQos,
                     fmt::format("taskgov: {}; use --qos= one of: {} (no --qos means {})",
                                 several ? fmt::format("--qos='{}' lists several QOS, but a job of a "
                                                       "team has one priority class", job.request.qos)
                                         : fmt::format("QOS '{}' is not a priority class", job.request.qos),
                                 join(names), classes[static_cast<size_t>(policy.lowest_class())].name));
    }
  }
  decision->admin_comment = stamp_admin_comment(job.request.admin_comment, job.team_name,
                                                classes[static_cast<size_t>(decision->klass)].name);
  return true;
}

// 2. The GRES strings: each item valid, untyped GPUs typed to the team's only GPU type.
bool read_gres(Submitted* job, SubmitDecision* decision) {
  Specs& specs = job->specs;
  specs.per_job = parse_spec(job->request.tres_per_job);
  specs.per_node = parse_spec(job->request.tres_per_node);
  specs.per_task = parse_spec(job->request.tres_per_task);
  specs.per_socket = parse_spec(job->request.tres_per_socket);
  for (const std::vector<GresItem>* spec : specs.all)
    for (const GresItem& item : *spec)
      if (!item.error.empty())
        return refused(decision, SubmitOutcome::InvalidGres,
                       fmt::format("taskgov: GRES request '{}' is not valid: {}; write "
                                   "name[:type][:count], e.g. gpu:h100:2", item.raw, item.error));
  std::string message;
  if (!type_untyped_gpus(job->config, job->team, &specs, &job->chosen_type, &message))
    return refused(decision, SubmitOutcome::InvalidGres, message);
  if (!job->chosen_type.empty()) {
    if (!specs.per_job.empty()) decision->tres_per_job = join_items(specs.per_job);
    if (!specs.per_node.empty()) decision->tres_per_node = join_items(specs.per_node);
    if (!specs.per_task.empty()) decision->tres_per_task = join_items(specs.per_task);
    if (!specs.per_socket.empty()) decision->tres_per_socket = join_items(specs.per_socket);
  }
  return true;
}

// 3. What the job asks for in total, per resource of the catalog.
bool count_request(Submitted* job, SubmitDecision* decision) {
  const ResourceCatalog& catalog = job->config.resolved.catalog;
  std::string too_large;
  if (!gres_totals(job->specs, job->request, &job->totals, &too_large))
    return refused(decision, SubmitOutcome::InvalidGres,
                   fmt::format("taskgov: GRES request '{}' for {} nodes and {} tasks is more than "
                               "any cluster has; ask for fewer", too_large,
                               std::max<uint32_t>(1, job->request.min_nodes),
                               std::max<uint32_t>(1, job->request.num_tasks)));
  for (const auto& [resource, amount] : job->totals) {
    int r = catalog.find(resource);
    if (r < 0)
      return refused(decision, SubmitOutcome::AccountingPolicy,
                     fmt::format("taskgov: team {} can never run this job: it asks for {} {} and "
                                 "no team has quota for {}", job->team_name, amount, resource, resource));
    decision->request[r] = amount;
  }
  return true;
}

// 4. CPUs and memory: explicit when the user gave them, else proportional to the accelerators.
bool add_proportional_defaults(Submitted* job, SubmitDecision* decision) {
  const SubmitRequest& request = job->request;
  const bool cpus_given = request.min_cpus > 1 || request.cpus_per_task > 0 || !request.cpus_per_tres.empty();
  const bool memory_given = request.pn_min_memory > 0 || !request.mem_per_tres.empty();
  if (!job->config.policy.cluster.proportional_defaults || cpus_given || memory_given) return true;
  std::optional<Proportional> p = proportional_for(job->config, job->specs);
  if (!p) return true;
  Amount units = 0;
  bool fits = true;
  for (const auto& [resource, amount] : job->totals)
    if (resource.rfind(ResourceCatalog::gres_name(p->gres), 0) == 0) fits = fits && add_amounts(units, amount, &units);
  const Amount nodes = std::max<Amount>(1, request.min_nodes);
  Amount cpus = 0, mib = 0, per_node_mib = 0;
  fits = fits && multiply_amounts(p->cpus_per_unit, units, &cpus) && multiply_amounts(p->mib_per_unit, units, &mib) &&
         multiply_amounts(units / nodes + (units % nodes != 0), p->mib_per_unit, &per_node_mib) &&
         cpus <= std::numeric_limits<uint32_t>::max();
  if (!fits)
    return refused(decision, SubmitOutcome::InvalidGres,
                   fmt::format("taskgov: the job asks for more {} than any cluster has; ask for fewer", p->accelerator));
  decision->request[ResourceCatalog::kCpu] = cpus;
  decision->request[ResourceCatalog::kMem] = mib;
  if (p->gres == "gpu") {
    decision->cpus_per_tres = fmt::format("gres:gpu:{}", p->cpus_per_unit);
    decision->mem_per_tres = fmt::format("gres:gpu:{}", p->mib_per_unit);
    job->added.push_back(fmt::format("--cpus-per-gpu={} --mem-per-gpu={}", p->cpus_per_unit,
                                     format_memory_mib(p->mib_per_unit)));
  } else {
    // Slurm 22.05 takes per-GRES CPUs and memory for GPUs only: other accelerators get the
    // same amounts as the job's CPU count and memory per node.
    decision->min_cpus = static_cast<uint32_t>(cpus);
    decision->pn_min_memory = static_cast<uint64_t>(per_node_mib);
    job->added.push_back(fmt::format("{} CPUs and --mem={}", *decision->min_cpus, format_memory_mib(per_node_mib)));
  }
  return true;
}

// 5. A request above quota + borrow cap on any resource could never run: refused now, naming
//    the first such resource, accelerators first.
bool refuse_beyond_limits(const Submitted& job, SubmitDecision* decision) {
  const ResourceCatalog& catalog = job.config.resolved.catalog;
  const ResolvedTeam& resolved = job.config.resolved.teams[job.team];
  const Sharing sharing = job.config.policy.teams[job.team].sharing;
  for (int k = 0; k < catalog.size(); ++k) {
    const int r = ResourceCatalog::accelerators_first(k, catalog.size());
    if (decision->request[r] <= 0) continue;
    Amount ceiling = resolved.nominal[r] + resolved.borrow_cap[r];
    Amount asked = 0;
    const bool hetjob = job.request.hetjob_earlier[r] > 0;
    if (!add_amounts(decision->request[r], job.request.hetjob_earlier[r], &asked))
      asked = std::numeric_limits<Amount>::max();
    if (asked <= ceiling) continue;
    std::string limit = can_borrow(sharing)
        ? fmt::format("{} (quota {} + borrow cap {})", format_amount(catalog, r, ceiling),
                      format_amount(catalog, r, resolved.nominal[r]), format_amount(catalog, r, resolved.borrow_cap[r]))
        : fmt::format("its quota {} (sharing {}: it does not borrow)", format_amount(catalog, r, resolved.nominal[r]),
                      sharing == Sharing::Lend ? "lend" : "dont-lend");
    return refused(decision, SubmitOutcome::AccountingPolicy,
                   fmt::format("taskgov: team {} can never run this job: it asks for {} {}{} but the "
                               "team's limit is {}; ask for at most {}{}, or ask your admin to raise the quota",
                               job.team_name, format_amount(catalog, r, asked), catalog.name(r),
                               hetjob ? " with the heterogeneous job's earlier components" : "", limit,
                               format_amount(catalog, r, ceiling), hetjob ? " in all its components" : ""));
  }
  return true;
}

// 6. Where the job would stand right now, so that its first priority is right before the
//    next cycle.
void place_in_order(const Submitted& job, const CycleResult* cycle, SubmitDecision* decision) {
  const ResolvedTeam& resolved = job.config.resolved.teams[job.team];
  TeamUsage usage;
  if (cycle && cycle->config.get() == &job.config) {
    usage = cycle->teams[job.team];
  } else {
    usage.nominal = resolved.nominal;
    usage.borrow_cap = resolved.borrow_cap;
    usage.sharing = job.config.policy.teams[job.team].sharing;
    usage.limit = resolved.nominal;  // unknown before the first cycle: assume room
    if (can_borrow(usage.sharing)) usage.limit += resolved.borrow_cap;
  }
  AdmissionCheck check = admission_band(usage, decision->request, job.config.resolved.catalog.size());
  uint8_t class_rank = job.config.class_rank[static_cast<size_t>(decision->klass)];
  decision->tier = governance_tier(check.band, class_rank, 0);
}

// 7. What sbatch tells the user on acceptance.
std::string acceptance_note(const Submitted& job, const SubmitDecision& decision) {
  const auto& classes = job.config.policy.cluster.priority_classes;
  std::string note = fmt::format("taskgov: team {}, class {}", job.team_name, classes[static_cast<size_t>(decision.klass)].name);
  if (!job.chosen_type.empty()) note += fmt::format("; GPU type set to {}, the team's only GPU type", job.chosen_type);
  if (!job.added.empty()) note += fmt::format("; added {} (proportional to the nodes' shape)", join(job.added));
  return note;
}

}  // namespace

SubmitDecision decide_submission(const EngineConfig& config, const CycleResult* cycle,
                                 const SubmitRequest& request) {
  SubmitDecision decision;
  Submitted job(config, request);
  if (!choose_class(job, &decision) || !read_gres(&job, &decision) || !count_request(&job, &decision) ||
      !add_proportional_defaults(&job, &decision) || !refuse_beyond_limits(job, &decision))
    return decision;
  place_in_order(job, cycle, &decision);
  decision.message = acceptance_note(job, decision);
  return decision;
}

}  // namespace taskgov
