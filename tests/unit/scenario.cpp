// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenario.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

namespace taskgov::scenario {

namespace {

constexpr std::string_view kGres = "gres/";

// Throws rather than asserting: the builders serve Check tests (where an exception fails the
// forked test with its message) and the benchmark (no Check context at all).
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("scenario: " + what); }

ResourceVector to_vector(const ResourceCatalog& catalog, const Amounts& amounts) {
  ResourceVector v;
  for (const auto& [name, amount] : amounts) {
    int r = catalog.find(name);
    if (r < 0) fail("resource " + name + " is neither in the cluster nor in any quota");
    v[r] += amount;
  }
  return v;
}

bool is_gres(const std::string& name) { return name.compare(0, kGres.size(), kGres) == 0; }

// Amounts as the policy file would write them: one GRES entry per accelerator with explicit
// zero CPUs and memory (so the proportional rule adds nothing), then one cpus/memory entry.
std::vector<QuotaEntry> to_entries(const Amounts& amounts) {
  std::vector<QuotaEntry> entries;
  QuotaEntry cpu_mem;
  cpu_mem.kind = QuotaEntry::Kind::CpuMemory;
  bool has_cpu_mem = false;
  for (const auto& [name, amount] : amounts) {
    if (name == "cpu") {
      cpu_mem.cpus = cpu_mem.cpus.value_or(0) + amount;
      has_cpu_mem = true;
    } else if (name == "mem") {
      cpu_mem.memory_mib = cpu_mem.memory_mib.value_or(0) + amount;
      has_cpu_mem = true;
    } else if (is_gres(name)) {
      QuotaEntry e;
      e.kind = QuotaEntry::Kind::Gres;
      e.gres = name.substr(kGres.size());
      e.count = amount;
      e.cpus = 0;
      e.memory_mib = 0;
      entries.push_back(e);
    } else {
      fail("resource " + name + " is not cpu, mem or gres/...");
    }
  }
  if (has_cpu_mem) entries.push_back(cpu_mem);
  return entries;
}

}  // namespace

Amounts times(const Amounts& shape, Amount k) {
  Amounts out = shape;
  for (auto& entry : out) entry.second *= k;
  return out;
}

std::string ids_string(const std::vector<Victim>& victims) {
  std::vector<uint32_t> ids;
  for (const Victim& v : victims) ids.push_back(v.job);
  return ids_string(ids);
}

Amounts plus(const Amounts& a, const Amounts& b) {
  Amounts out = a;
  for (const auto& entry : b) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& e) { return e.first == entry.first; });
    if (it != out.end())
      it->second += entry.second;
    else
      out.push_back(entry);
  }
  return out;
}

Scenario& Scenario::nodes(int count, const Amounts& shape, std::vector<std::string> features) {
  if (features.empty()) features.push_back("shape" + std::to_string(nodes_.size()));
  nodes_.push_back({count, shape, std::move(features)});
  invalidate();
  return *this;
}

Scenario& Scenario::classes(std::vector<PriorityClass> classes) {
  cluster_.priority_classes = std::move(classes);
  invalidate();
  return *this;
}

Scenario& Scenario::admission(Admission admission) {
  cluster_.admission = admission;
  invalidate();
  return *this;
}

Scenario& Scenario::idle_compute(IdleCompute idle) {
  cluster_.idle_compute = idle;
  invalidate();
  return *this;
}

Scenario& Scenario::share_unassigned(bool on) {
  cluster_.share_unassigned = on;
  invalidate();
  return *this;
}

Scenario& Scenario::team(TeamSpec spec) {
  teams_.push_back(std::move(spec));
  invalidate();
  return *this;
}

Scenario& Scenario::running(uint32_t id, std::string_view team, std::string_view klass,
                            const Amounts& alloc, int64_t start) {
  running_.push_back({id, std::string(team), std::string(klass), alloc, start});
  return *this;
}

Scenario& Scenario::pending(uint32_t id, std::string_view team, std::string_view klass,
                            const Amounts& req, int64_t submit) {
  pending_.push_back({id, std::string(team), std::string(klass), req, submit});
  return *this;
}

Scenario& Scenario::ineligible(uint32_t id) {
  for (Job& job : pending_)
    if (job.id == id) job.eligible = false;
  return *this;
}

Scenario& Scenario::at(int64_t now) {
  now_ = now;
  return *this;
}

Scenario& Scenario::clear_jobs() {
  running_.clear();
  pending_.clear();
  return *this;
}

Inventory Scenario::inventory() const {
  Inventory inventory;
  for (const Node& node : nodes_) {
    Amount cpus = 0, mem = 0;
    std::vector<std::pair<std::string, Amount>> gres;
    for (const auto& [name, amount] : node.shape) {
      if (name == "cpu")
        cpus += amount;
      else if (name == "mem")
        mem += amount;
      else if (is_gres(name))
        gres.emplace_back(name.substr(kGres.size()), amount);
      else
        fail("node resource " + name + " is not cpu, mem or gres/...");
    }
    for (int i = 0; i < node.count; ++i) inventory.add_node(node.features, cpus, mem, gres);
  }
  return inventory;
}

Policy Scenario::policy() const {
  Policy policy;
  policy.file = "scenario.json";
  policy.cluster = cluster_;
  for (const TeamSpec& spec : teams_) {
    Team team;
    team.name = spec.name;
    team.account = spec.name;
    team.fair_share_weight = spec.weight;
    team.sharing = spec.sharing;
    team.borrow_limit_percent = spec.borrow_percent;
    team.absolute_borrow_limits = to_entries(spec.absolute_caps);
    team.preempt_team_tasks = spec.preempt;
    team.quota = to_entries(spec.quota);
    policy.teams.push_back(std::move(team));
  }
  return policy;
}

std::shared_ptr<const EngineConfig> Scenario::config() {
  if (config_) return config_;
  auto config = std::make_shared<EngineConfig>();
  config->policy = policy();
  config->inventory = inventory();
  ResolvedPolicy& resolved = config->resolved;
  // cpu, mem, then every GRES of the cluster and of the quotas sorted by name, as
  // resolve_policy() numbers them. Quota on a resource the cluster lacks today is planning,
  // not an error (DESIGN §1).
  std::set<std::string> gres;
  for (const std::string& name : config->inventory.gres_names())
    gres.insert(ResourceCatalog::gres_name(name));
  for (const TeamSpec& spec : teams_)
    for (const Amounts* list : {&spec.quota, &spec.absolute_caps})
      for (const auto& entry : *list)
        if (is_gres(entry.first)) gres.insert(entry.first);
  for (const std::string& name : gres)
    if (resolved.catalog.add(name) < 0) fail("more than kMaxResources resources");
  resolved.capacity = config->inventory.capacity(&resolved.catalog);

  // What build_config derives besides resolve_policy(); kept in step with engine.cpp (the
  // engine test "config_builders_agree" compares the two routes).
  config->rules.task_ranking = cluster_.admission == Admission::TaskRanking;
  config->rules.fair_share = cluster_.idle_compute == IdleCompute::FairShare;
  config->all_weights_zero = true;
  for (size_t t = 0; t < teams_.size(); ++t) {
    const TeamSpec& spec = teams_[t];
    ResolvedTeam team;
    team.nominal = to_vector(resolved.catalog, spec.quota);
    ResourceVector absolute = to_vector(resolved.catalog, spec.absolute_caps);
    uint32_t capped = 0;
    for (const auto& entry : spec.absolute_caps) capped |= 1u << resolved.catalog.find(entry.first);
    // Only lend-and-borrow teams get a cap; the engine also checks the strategy itself.
    for (int r = 0; r < resolved.catalog.size() && spec.sharing == Sharing::LendAndBorrow; ++r) {
      team.borrow_cap[r] = team.nominal[r] * spec.borrow_percent / 100;
      if (capped & (1u << r)) team.borrow_cap[r] = std::min(team.borrow_cap[r], absolute[r]);
    }
    resolved.teams.push_back(team);
    config->rules.teams.push_back(TeamRules{spec.preempt == PreemptTeamTasks::LowerPriority});
    config->team_by_account.emplace(spec.name, static_cast<int>(t));
    if (spec.weight > 0) config->all_weights_zero = false;
  }
  for (const PriorityClass& c : cluster_.priority_classes) config->class_weight.push_back(c.weight);
  config->class_rank = class_ranks(cluster_);
  config_ = std::move(config);
  return config_;
}

int Scenario::resource(std::string_view name) {
  int r = config()->resolved.catalog.find(name);
  if (r < 0) fail("unknown resource " + std::string(name));
  return r;
}

int Scenario::team_index(std::string_view name) const {
  if (name.empty()) return kNoTeam;
  for (size_t t = 0; t < teams_.size(); ++t)
    if (teams_[t].name == name) return static_cast<int>(t);
  fail("unknown team " + std::string(name));
}

int Scenario::class_index(std::string_view name) const {
  if (name.empty()) return kNoClass;
  const auto& classes = cluster_.priority_classes;
  for (size_t c = 0; c < classes.size(); ++c)
    if (classes[c].name == name) return static_cast<int>(c);
  fail("unknown class " + std::string(name));
}

ResourceVector Scenario::vec(const Amounts& amounts) {
  return to_vector(config()->resolved.catalog, amounts);
}

Snapshot Scenario::snapshot() {
  const ResourceCatalog& catalog = config()->resolved.catalog;
  Snapshot snapshot;
  snapshot.now = now_;
  for (const Job& job : running_) {
    snapshot.running.push_back(RunningJob{job.id, team_index(job.team), class_index(job.klass),
                                          to_vector(catalog, job.amounts), job.time});
  }
  for (const Job& job : pending_) {
    snapshot.pending.push_back(PendingJob{job.id, team_index(job.team), class_index(job.klass),
                                          to_vector(catalog, job.amounts), job.time, job.eligible});
  }
  return snapshot;
}

std::shared_ptr<const CycleResult> Scenario::cycle() { return compute_cycle(config(), snapshot()); }

namespace {

uint32_t pending_pos(const CycleResult& cycle, uint32_t id) {
  uint32_t p = cycle.pending_index.find(id);
  if (p == JobIndex::kAbsent) fail("pending job " + std::to_string(id) + " not in the cycle");
  return p;
}

uint32_t running_pos(const CycleResult& cycle, uint32_t id) {
  uint32_t v = cycle.running_index.find(id);
  if (v == JobIndex::kAbsent) fail("running job " + std::to_string(id) + " not in the cycle");
  return v;
}

}  // namespace

const PendingVerdict& pending_verdict(const CycleResult& cycle, uint32_t id) {
  return cycle.pending_verdicts[pending_pos(cycle, id)];
}

const PreemptorFacts& preemptor_facts(const CycleResult& cycle, uint32_t id) {
  return cycle.preemptors[pending_pos(cycle, id)];
}

const RunningVerdict& running_verdict(const CycleResult& cycle, uint32_t id) {
  return cycle.running_verdicts[running_pos(cycle, id)];
}

const VictimFacts& victim_facts(const CycleResult& cycle, uint32_t id) {
  return cycle.victims[running_pos(cycle, id)];
}

PreemptReason reason(const CycleResult& cycle, uint32_t pending_id, uint32_t running_id) {
  return preempt_reason(cycle.config->rules, preemptor_facts(cycle, pending_id),
                        victim_facts(cycle, running_id));
}

std::vector<uint32_t> pending_order(const CycleResult& cycle) {
  std::vector<size_t> order(cycle.pending.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return runs_before(pending_rank(cycle, a), pending_rank(cycle, b)); });
  std::vector<uint32_t> ids;
  for (size_t i : order) ids.push_back(cycle.pending[i].id);
  return ids;
}

std::vector<uint32_t> victim_order(const CycleResult& cycle) {
  std::vector<uint32_t> ids(cycle.running.size());
  for (size_t i = 0; i < cycle.running.size(); ++i)
    ids[cycle.running_verdicts[i].victim_rank] = cycle.running[i].id;
  return ids;
}

std::string ids_string(const std::vector<uint32_t>& ids) {
  std::string out;
  for (uint32_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

}  // namespace taskgov::scenario
