// SPDX-License-Identifier: GPL-2.0-or-later
// The C ABI over the engine. Each entry point catches everything: an exception reaching
// slurmctld's C frames would abort the controller.
#include "abi/taskgov.h"

#include <fmt/format.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "audit/audit_log.h"
#include "audit/audit_records.h"
#include "engine/engine.h"
#include "policy/policy_warnings.h"
#include "engine/reasons.h"
#include "engine/submission.h"
#include "policy/slurm_strings.h"

struct tg_engine {
  tg_engine();
  taskgov::Engine engine;
  int references = 0;
  std::atomic<uint64_t> generation{0};
  // The config in force, for readers outside slurmctld's job lock (the cycle thread asks
  // tg_settings() before it locks): std::atomic_load/store on it, and each reader holds its own
  // copy, so a reconfigure swapping the policy cannot free it under them.
  std::shared_ptr<const taskgov::EngineConfig> config;
  // The audit writer thread reports through a function of priority_taskgov.so, which slurmctld
  // unloads on an HA handover while the other plugins keep the engine: that plugin's fini
  // clears it, and this lock makes the clearing wait for a report in progress. Declared before
  // `audit` so that they outlive its writer thread.
  std::mutex reporter_lock;
  tg_audit_reporter_t reporter = nullptr;
  // Internally synchronised: written from readers of the engine (submissions, preemptions).
  mutable taskgov::AuditLog audit;
  // Where the log is open, and records waiting for tg_audit_reopen(): opening a new path
  // joins the old writer thread, which must not happen under slurmctld's locks.
  std::mutex audit_lock;
  std::string audit_path;
  std::string default_audit_path = taskgov::default_audit_log_path("");
  std::vector<std::string> deferred_records;
  // What the next cycle's records compare against. Unlike the engine's result, it survives a
  // policy reload: the limits and bands a reload moves are decisions to record too.
  std::shared_ptr<const taskgov::CycleResult> last_published;
};
struct tg_policy {
  std::string path;
  taskgov::Policy policy;
};
struct tg_inventory {
  taskgov::Inventory inventory;
};
struct tg_snapshot {
  std::shared_ptr<const taskgov::EngineConfig> config;
  taskgov::Snapshot snapshot;
  std::shared_ptr<const taskgov::CycleResult> previous;  // what the records compare against
  bool audit = false;
};
struct tg_cycle {
  std::shared_ptr<const taskgov::CycleResult> result;
  std::vector<std::string> records;
  bool published = false;
};

using namespace taskgov;

namespace {

std::mutex g_instance_lock;
tg_engine* g_instance = nullptr;

void copy_message(const std::string& text, char* out, size_t len) {
  if (!out || len == 0) return;
  size_t n = std::min(text.size(), len - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

std::shared_ptr<const EngineConfig> config_of(const tg_engine_t* engine) {
  return engine ? std::atomic_load(&engine->config) : nullptr;
}

void defer_record(tg_engine_t* engine, std::string record) {
  std::lock_guard<std::mutex> lock(engine->audit_lock);
  engine->deferred_records.push_back(std::move(record));
}

ResourceVector amounts_to_vector(const uint64_t* amounts, int n) {
  ResourceVector v;
  for (int r = 0; r < n && amounts; ++r) v[r] = static_cast<Amount>(amounts[r]);
  return v;
}

// The decision's strings travel in fixed buffers: a value cut short would be a different
// request (a GRES list missing items, a stamp missing its end). Refuses the job rather than
// hand Slurm a truncated value.
void refuse_what_does_not_fit(const tg_submit_decision_t* buffers, SubmitDecision* d) {
  if (d->outcome != SubmitOutcome::Accept) return;
  struct Field {
    const char* option;
    const std::string* value;
    size_t room;
    SubmitOutcome outcome;
    const char* fix;
  };
  static const char kGresFix[] = "ask with fewer, larger items (gres:gpu:h100:4 rather than four of gres:gpu:h100:1)";
  const Field fields[] = {
      {"QOS", &d->qos, sizeof buffers->qos, SubmitOutcome::InvalidQos,
       "ask your admin for a shorter priority class name"},
      {"AdminComment", &d->admin_comment, sizeof buffers->admin_comment, SubmitOutcome::AccountingPolicy,
       "shorten the job's AdminComment"},
      {"tres_per_job (--gpus)", d->tres_per_job ? &*d->tres_per_job : nullptr, sizeof buffers->tres_per_job,
       SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_node (--gres, --gpus-per-node)", d->tres_per_node ? &*d->tres_per_node : nullptr,
       sizeof buffers->tres_per_node, SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_task (--gpus-per-task)", d->tres_per_task ? &*d->tres_per_task : nullptr,
       sizeof buffers->tres_per_task, SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_socket (--gpus-per-socket)", d->tres_per_socket ? &*d->tres_per_socket : nullptr,
       sizeof buffers->tres_per_socket, SubmitOutcome::InvalidGres, kGresFix},
      {"cpus_per_tres (--cpus-per-gpu)", d->cpus_per_tres ? &*d->cpus_per_tres : nullptr,
       sizeof buffers->cpus_per_tres, SubmitOutcome::InvalidGres, "give --cpus-per-gpu yourself"},
      {"mem_per_tres (--mem-per-gpu)", d->mem_per_tres ? &*d->mem_per_tres : nullptr,
       sizeof buffers->mem_per_tres, SubmitOutcome::InvalidGres, "give --mem-per-gpu yourself"},
  };
  for (const Field& f : fields) {
    if (!f.value || f.value->size() < f.room) continue;
    d->outcome = f.outcome;
    d->message = fmt::format("taskgov: the job's {} would become {} characters, more than the {} "
                             "taskgov can set: {}...; {}", f.option, f.value->size(), f.room - 1,
                             f.value->substr(0, 40), f.fix);
    return;
  }
}

template <typename R, typename F>
R guarded(R on_error, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return on_error;
  }
}

}  // namespace

tg_engine::tg_engine() {
  audit.set_reporter([this](bool trouble, const std::string& message) {
    std::lock_guard<std::mutex> lock(reporter_lock);
    if (reporter) reporter(trouble ? 1 : 0, message.c_str());
  });
}

extern "C" {

const char* tg_version(void) { return PACKAGE_VERSION; }

tg_engine_t* tg_engine_acquire(void) {
  return guarded<tg_engine_t*>(nullptr, [] {
    std::lock_guard<std::mutex> lock(g_instance_lock);
    if (!g_instance) g_instance = new tg_engine();
    ++g_instance->references;
    return g_instance;
  });
}

void tg_engine_release(tg_engine_t* engine) {
  guarded(0, [engine] {
    std::lock_guard<std::mutex> lock(g_instance_lock);
    if (engine && engine == g_instance && --g_instance->references == 0) {
      delete g_instance;
      g_instance = nullptr;
    }
    return 0;
  });
}

tg_inventory_t* tg_inventory_new(void) {
  return guarded<tg_inventory_t*>(nullptr, [] { return new tg_inventory(); });
}

int tg_inventory_add_node(tg_inventory_t* inventory, const char* features, uint64_t cpus,
                          uint64_t memory_mib, const char* gres) {
  return guarded(int{TG_ERROR}, [&] {
    if (!inventory) return int{TG_ERROR};
    inventory->inventory.add_node(split_list(features ? features : ""), static_cast<Amount>(cpus),
                                  static_cast<Amount>(memory_mib),
                                  parse_node_gres(gres ? gres : ""));
    return int{TG_OK};
  });
}

void tg_inventory_free(tg_inventory_t* inventory) { delete inventory; }

int tg_audit_configure(tg_engine_t* engine, const char* slurmctld_log_file,
                       tg_audit_reporter_t report) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine) return int{TG_ERROR};
    {
      std::lock_guard<std::mutex> lock(engine->audit_lock);
      engine->default_audit_path =
          default_audit_log_path(slurmctld_log_file ? slurmctld_log_file : "");
    }
    std::lock_guard<std::mutex> lock(engine->reporter_lock);
    engine->reporter = report;
    return int{TG_OK};
  });
}

tg_policy_t* tg_policy_read(tg_engine_t* engine, const char* path, char* error, size_t error_len) {
  return guarded<tg_policy_t*>(nullptr, [&]() -> tg_policy_t* {
    if (!engine || !path) {
      copy_message("taskgov: internal error: missing engine or policy path", error, error_len);
      return nullptr;
    }
    auto read = std::make_unique<tg_policy>();
    read->path = path;
    PolicyError failure;
    if (!load_policy_file(path, &read->policy, &failure)) {
      copy_message(failure.to_string(), error, error_len);
      defer_record(engine, audit::policy_refused(path, failure.to_string(), config_of(engine).get()));
      return nullptr;
    }
    return read.release();
  });
}

void tg_policy_free(tg_policy_t* policy) { delete policy; }

int tg_policy_install(tg_engine_t* engine, tg_policy_t* policy, const tg_inventory_t* inventory,
                      char* error, size_t error_len) {
  std::unique_ptr<tg_policy_t> owned(policy);
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !owned || !inventory) {
      copy_message("taskgov: internal error: missing engine, policy or inventory", error,
                   error_len);
      return int{TG_ERROR};
    }
    PolicyError failure;
    if (!engine->engine.set_policy(std::move(owned->policy), inventory->inventory, &failure)) {
      copy_message(failure.to_string(), error, error_len);
      defer_record(engine, audit::policy_refused(owned->path, failure.to_string(),
                                                 config_of(engine).get()));
      return int{TG_ERROR};
    }
    std::atomic_store(&engine->config, engine->engine.config());
    const uint64_t generation = ++engine->generation;
    defer_record(engine, audit::policy_loaded(*engine->engine.config(), generation));
    return int{TG_OK};
  });
}

void tg_audit_reopen(tg_engine_t* engine) {
  guarded(0, [&] {
    if (!engine) return 0;
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    std::vector<std::string> records;
    std::string path;
    {
      std::lock_guard<std::mutex> lock(engine->audit_lock);
      records.swap(engine->deferred_records);
      path = config && !config->policy.cluster.audit_log.empty() ? config->policy.cluster.audit_log
                                                                 : engine->default_audit_path;
      // A refusal before any policy goes to the default log; later ones to the log in force.
      if (!config && !engine->audit_path.empty()) path = engine->audit_path;
      engine->audit_path = path;
    }
    engine->audit.open(path);
    for (const std::string& record : records) engine->audit.write(record);
    return 0;
  });
}

int tg_load_policy(tg_engine_t* engine, const char* path, const tg_inventory_t* inventory,
                   char* error, size_t error_len) {
  return guarded(int{TG_ERROR}, [&] {
    tg_policy_t* read = tg_policy_read(engine, path, error, error_len);
    int rc = read ? tg_policy_install(engine, read, inventory, error, error_len) : int{TG_ERROR};
    tg_audit_reopen(engine);
    return rc;
  });
}

int tg_cluster_warnings(const tg_engine_t* engine, const tg_cluster_facts_t* facts,
                        tg_warning_sink_t sink, void* arg) {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    if (!facts || !sink) return int{TG_ERROR};
    auto strings = [](const char* const* items, size_t n) {
      std::vector<std::string> out;
      for (size_t i = 0; i < n && items; ++i) out.emplace_back(items[i] ? items[i] : "");
      return out;
    };
    ClusterFacts known;
    known.tracked_tres = strings(facts->tracked_tres, facts->tracked_count);
    known.enforce_limits = facts->enforce_limits != 0;
    known.accounts = strings(facts->accounts, facts->account_count);
    std::vector<QosLimits> qos;
    for (size_t i = 0; i < facts->qos_count; ++i) {
      QosLimits q;
      q.name = facts->qos_names[i] ? facts->qos_names[i] : "";
      q.grp_tres = facts->qos_grp_tres[i] ? facts->qos_grp_tres[i] : "";
      q.partitions = split_list(facts->qos_partitions[i] ? facts->qos_partitions[i] : "");
      qos.push_back(std::move(q));
    }
    known.qos = std::move(qos);
    std::vector<std::string> warnings =
        cluster_warnings(config->policy, config->resolved, config->inventory, known);
    for (const std::string& warning : warnings) sink(warning.c_str(), arg);
    return static_cast<int>(warnings.size());
  });
}

uint64_t tg_policy_generation(const tg_engine_t* engine) { return engine ? engine->generation.load() : 0; }

int tg_settings(const tg_engine_t* engine, tg_settings_t* out) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || !out) return TG_NO_POLICY;
  const ClusterSettings& c = config->policy.cluster;
  out->cycle_seconds = c.cycle_seconds;
  out->shadow = c.mode == Mode::Shadow;
  out->allow_unmapped = c.unmapped_accounts == UnmappedAccounts::Allow;
  out->preempt_cancel = c.preempt_mode == PreemptMode::Cancel;
  out->proportional_defaults = c.proportional_defaults;
  out->teams = static_cast<int>(config->policy.teams.size());
  out->classes = static_cast<int>(c.priority_classes.size());
  out->resources = config->resources();
  return TG_OK;
}

const char* tg_resource_name(const tg_engine_t* engine, int resource) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || resource < 0 || resource >= config->resources()) return nullptr;
  return config->resolved.catalog.name(resource).c_str();
}

const char* tg_team_name(const tg_engine_t* engine, int team) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
  return config->policy.teams[static_cast<size_t>(team)].name.c_str();
}

const char* tg_team_account(const tg_engine_t* engine, int team) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
  return config->policy.teams[static_cast<size_t>(team)].account.c_str();
}

const char* tg_class_name(const tg_engine_t* engine, int klass) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  const auto* classes = config ? &config->policy.cluster.priority_classes : nullptr;
  if (!classes || klass < 0 || static_cast<size_t>(klass) >= classes->size()) return nullptr;
  return (*classes)[static_cast<size_t>(klass)].name.c_str();
}

int tg_team_of_lineage(const tg_engine_t* engine, const char* const* lineage, int depth) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !lineage) return int{TG_ERROR};
    std::vector<std::string> accounts;
    for (int i = 0; i < depth; ++i)
      if (lineage[i]) accounts.emplace_back(lineage[i]);
    return engine->engine.team_for_lineage(accounts);
  });
}

int tg_class_of_qos(const tg_engine_t* engine, const char* qos) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || !qos) return -1;
  return config->policy.find_class(qos);
}

int tg_lowest_class(const tg_engine_t* engine) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  return config ? config->policy.lowest_class() : -1;
}

tg_snapshot_t* tg_snapshot_new(const tg_engine_t* engine, int64_t now) {
  return guarded<tg_snapshot_t*>(nullptr, [&]() -> tg_snapshot_t* {
    std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return nullptr;
    auto* snapshot = new tg_snapshot();
    snapshot->config = std::move(config);
    snapshot->snapshot.now = now;
    snapshot->previous = engine->last_published;
    snapshot->audit = engine->audit.is_open();
    return snapshot;
  });
}

int tg_snapshot_add_running(tg_snapshot_t* snapshot, uint32_t job_id, int team, int klass,
                            const uint64_t* amounts, int64_t start_time) {
  return guarded(int{TG_ERROR}, [&] {
    if (!snapshot) return int{TG_ERROR};
    snapshot->snapshot.running.push_back(
        {job_id, team, klass, amounts_to_vector(amounts, snapshot->config->resources()), start_time});
    return int{TG_OK};
  });
}

int tg_snapshot_add_pending(tg_snapshot_t* snapshot, uint32_t job_id, int team, int klass,
                            const uint64_t* amounts, int64_t submit_time, int eligible) {
  return guarded(int{TG_ERROR}, [&] {
    if (!snapshot) return int{TG_ERROR};
    snapshot->snapshot.pending.push_back(
        {job_id, team, klass, amounts_to_vector(amounts, snapshot->config->resources()), submit_time,
         eligible != 0});
    return int{TG_OK};
  });
}

void tg_snapshot_free(tg_snapshot_t* snapshot) { delete snapshot; }

tg_cycle_t* tg_cycle_compute(tg_snapshot_t* snapshot) {
  std::unique_ptr<tg_snapshot_t> owned(snapshot);
  return guarded<tg_cycle_t*>(nullptr, [&]() -> tg_cycle_t* {
    if (!owned) return nullptr;
    auto cycle = std::make_unique<tg_cycle>();
    cycle->result = compute_cycle(owned->config, std::move(owned->snapshot));
    // Here, unlocked, rather than at publication under the job lock.
    if (owned->audit) cycle->records = audit::cycle_changes(owned->previous.get(), *cycle->result);
    return cycle.release();
  });
}

int tg_cycle_publish(tg_engine_t* engine, tg_cycle_t* cycle) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !cycle || !cycle->result) return int{TG_ERROR};
    cycle->published = engine->engine.publish(cycle->result);
    if (cycle->published) engine->last_published = cycle->result;
    return cycle->published ? int{TG_OK} : int{TG_ERROR};
  });
}

void tg_cycle_finish(tg_engine_t* engine, tg_cycle_t* cycle) {
  std::unique_ptr<tg_cycle_t> owned(cycle);
  guarded(0, [&] {
    if (engine && owned && owned->published)
      for (const std::string& record : owned->records) engine->audit.write(record);
    return 0;
  });
}

int tg_pending_verdict(const tg_engine_t* engine, uint32_t job_id, tg_pending_verdict_t* out) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  if (!cycle || !out) return TG_NO_POLICY;
  uint32_t i = cycle->pending_index.find(job_id);
  if (i == JobIndex::kAbsent) return TG_UNKNOWN;
  const PendingVerdict& v = cycle->pending_verdicts[i];
  out->band = static_cast<int>(v.band);
  out->holding = v.holding;
  out->tier = v.tier;
  out->priority = v.priority;
  return TG_OK;
}

int tg_pending_reason(const tg_engine_t* engine, uint32_t job_id, char* reason, size_t len) {
  return guarded(int{TG_ERROR}, [&] {
    const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
    if (!cycle) return int{TG_NO_POLICY};
    uint32_t i = cycle->pending_index.find(job_id);
    if (i == JobIndex::kAbsent) return int{TG_UNKNOWN};
    copy_message(pending_reason(*cycle, i), reason, len);
    return int{TG_OK};
  });
}

uint32_t tg_site_factor(uint32_t tier, uint64_t multifactor_max) {
  return governance_site_factor(tier, multifactor_max);
}

uint64_t tg_site_factor_unit(uint64_t multifactor_max) { return governance_unit(multifactor_max); }

int tg_site_factor_ours(tg_engine_t* engine, uint32_t job_id, uint64_t term, uint64_t unit) {
  return guarded(0, [&] { return engine && engine->engine.site_factors().ours(job_id, term, unit) ? 1 : 0; });
}

void tg_site_factor_wrote(tg_engine_t* engine, uint32_t job_id, uint64_t term) {
  guarded(0, [&] {
    if (engine) engine->engine.site_factors().wrote(job_id, term);
    return 0;
  });
}

int tg_preemption_note(tg_engine_t* engine, uint32_t victim_id, uint32_t preemptor_id, int preemptor_team,
                       int preemptor_class, int reason) {
  return guarded(0, [&] {
    if (!engine) return 0;
    return engine->engine.preemption_notes().note(
               {victim_id, preemptor_id, preemptor_team, preemptor_class, static_cast<PreemptReason>(reason)})
               ? 1
               : 0;
  });
}

int tg_preemption_take(tg_engine_t* engine, uint32_t victim_id, uint32_t* preemptor_id, int* preemptor_team,
                       int* preemptor_class, int* reason) {
  return guarded(0, [&] {
    PreemptionNote note;
    if (!engine || !engine->engine.preemption_notes().take(victim_id, &note)) return 0;
    *preemptor_id = note.preemptor;
    *preemptor_team = note.preemptor_team;
    *preemptor_class = note.preemptor_class;
    *reason = static_cast<int>(note.reason);
    return 1;
  });
}

void tg_preemption_forget(tg_engine_t* engine, uint32_t victim_id) {
  guarded(0, [&] {
    if (engine) engine->engine.preemption_notes().forget(victim_id);
    return 0;
  });
}

void tg_site_factor_set_by_operator(tg_engine_t* engine, uint32_t job_id) {
  guarded(0, [&] {
    if (engine) engine->engine.site_factors().set_by_operator(job_id);
    return 0;
  });
}

int tg_team_limit(const tg_engine_t* engine, int team, uint64_t* amounts) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  if (!cycle || !amounts) return TG_NO_POLICY;
  if (team < 0 || static_cast<size_t>(team) >= cycle->teams.size()) return TG_UNKNOWN;
  const ResourceVector& limit = cycle->teams[static_cast<size_t>(team)].limit;
  for (int r = 0; r < cycle->config->resources(); ++r)
    amounts[r] = static_cast<uint64_t>(std::max<Amount>(0, limit[r]));
  return TG_OK;
}

uint32_t tg_team_enforced(const tg_engine_t* engine, int team) {
  const std::shared_ptr<const EngineConfig> config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->resolved.teams.size()) return 0;
  const uint32_t derived = config->policy.cluster.enforce_derived
      ? 0 : config->resolved.teams[static_cast<size_t>(team)].proportional_mask;
  return enforced_resources(derived, config->resources());
}

uint32_t tg_running_borrowed(const tg_engine_t* engine, uint32_t job_id, uint64_t* amounts) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  uint32_t i = cycle ? cycle->running_index.find(job_id) : JobIndex::kAbsent;
  if (i == JobIndex::kAbsent || !amounts) return 0;
  uint32_t mask = cycle->running_verdicts[i].excess_mask;
  for (int r = 0; r < cycle->config->resources(); ++r)
    amounts[r] = (mask & (1u << r)) ? static_cast<uint64_t>(cycle->running[i].alloc[r]) : 0;
  return mask;
}

int tg_running_team(const tg_engine_t* engine, uint32_t job_id) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  uint32_t i = cycle ? cycle->running_index.find(job_id) : JobIndex::kAbsent;
  return i == JobIndex::kAbsent ? int{TG_UNKNOWN} : std::max(-1, cycle->running[i].team);
}

int tg_pending_team(const tg_engine_t* engine, uint32_t job_id) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  uint32_t i = cycle ? cycle->pending_index.find(job_id) : JobIndex::kAbsent;
  return i == JobIndex::kAbsent ? int{TG_UNKNOWN} : std::max(-1, cycle->pending[i].team);
}

int tg_may_preempt(const tg_engine_t* engine, uint32_t preemptor_id, int preemptor_team,
                   int preemptor_class, const uint64_t* preemptor_amounts, uint32_t victim_id) {
  return guarded(int{TG_REASON_NONE}, [&] {
    if (!engine) return int{TG_REASON_NONE};
    std::shared_ptr<const EngineConfig> config = engine->engine.config();
    ResourceVector request;
    if (preemptor_amounts && config) request = amounts_to_vector(preemptor_amounts, config->resources());
    return static_cast<int>(engine->engine.may_preempt(preemptor_id, preemptor_team, preemptor_class,
                                                       preemptor_amounts ? &request : nullptr, victim_id));
  });
}

uint32_t tg_victim_rank(const tg_engine_t* engine, uint32_t victim_id) {
  const CycleResult* cycle = engine ? engine->engine.result().get() : nullptr;
  if (!cycle) return UINT32_MAX;
  uint32_t i = cycle->running_index.find(victim_id);
  return i == JobIndex::kAbsent ? UINT32_MAX : cycle->running_verdicts[i].victim_rank;
}

const char* tg_reason_name(int reason) {
  return taskgov::reason_name(static_cast<PreemptReason>(reason));
}

void tg_record_preemption(const tg_engine_t* engine, uint32_t victim_id, uint32_t preemptor_id,
                          int preemptor_team, int preemptor_class, const char* preemptor_tres,
                          int reason, int by_cycle) {
  guarded(0, [&] {
    const std::shared_ptr<const CycleResult> cycle = engine ? engine->engine.result() : nullptr;
    if (!cycle) return 0;
    engine->audit.write(audit::preemption(
        *cycle, victim_id, {preemptor_id, preemptor_team, preemptor_class, preemptor_tres ? preemptor_tres : ""},
        static_cast<PreemptReason>(reason),
        by_cycle ? audit::PreemptionPath::Cycle : audit::PreemptionPath::Scheduler));
    return 0;
  });
}

size_t tg_preemptors_held_by_limits(const tg_engine_t* engine, uint32_t* preemptors,
                                    size_t capacity) {
  return guarded(size_t{0}, [&] {
    if (!engine || !preemptors) return size_t{0};
    std::vector<uint32_t> ids = engine->engine.preemptors_held_by_limits();
    size_t n = std::min(ids.size(), capacity);
    std::copy(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), preemptors);
    return n;
  });
}

size_t tg_victims_for(const tg_engine_t* engine, uint32_t pending_id, tg_victim_t* victims,
                      size_t capacity) {
  return guarded(size_t{0}, [&] {
    if (!engine || !victims) return size_t{0};
    const std::vector<Victim> set = engine->engine.victims_for(pending_id);
    if (set.size() > capacity) return size_t{0};  // a partial set would not free enough
    for (size_t v = 0; v < set.size(); ++v)
      victims[v] = tg_victim_t{set[v].job, static_cast<int>(set[v].reason)};
    return set.size();
  });
}

int tg_association_team(const tg_engine_t* engine, uint32_t assoc_id) {
  if (!engine) return TG_UNKNOWN;
  const uint64_t generation = engine->generation.load();
  int team = engine->engine.shim_memory_view().association_teams.team(assoc_id, generation);
  return (team == AssociationTeams::kUnknown || !generation) ? int{TG_UNKNOWN} : team;
}

void tg_association_team_remember(tg_engine_t* engine, uint32_t assoc_id, int team) {
  if (engine)
    engine->engine.shim_memory().association_teams.remember(assoc_id, engine->generation.load(),
                                                             team);
}

int tg_trail_first_push(tg_engine_t* engine, uint32_t job_id, uint64_t db_index) {
  return guarded(0, [&] {
    return engine && engine->engine.shim_memory().trail_pushes.first_push(job_id, db_index) ? 1 : 0;
  });
}

int tg_preemptor_settling(tg_engine_t* engine, uint32_t job_id, int64_t now) {
  return guarded(0, [&] {
    return engine && engine->engine.shim_memory().settling_preemptors.settling(job_id, now) ? 1 : 0;
  });
}

void tg_preemptor_acted(tg_engine_t* engine, uint32_t job_id, int64_t until, int64_t now) {
  guarded(0, [&] {
    if (engine) engine->engine.shim_memory().settling_preemptors.acted(job_id, until, now);
    return 0;
  });
}

int tg_shadow_limit_news(tg_engine_t* engine, int team, uint64_t* amounts) {
  return guarded(0, [&] {
    if (!engine || !amounts || tg_team_limit(engine, team, amounts) != TG_OK) return 0;
    const CycleResult* cycle = engine->engine.result().get();
    std::vector<uint64_t> limit(amounts, amounts + cycle->config->resources());
    return engine->engine.shim_memory().shadow_limits.is_news(team, engine->generation.load(),
                                                              limit) ? 1 : 0;
  });
}

void tg_limited_account_add(tg_engine_t* engine, const char* account) {
  guarded(0, [&] {
    if (engine && account) engine->engine.shim_memory().limited_accounts.add(account);
    return 0;
  });
}

void tg_limited_account_remove(tg_engine_t* engine, const char* account) {
  guarded(0, [&] {
    if (engine && account) engine->engine.shim_memory().limited_accounts.remove(account);
    return 0;
  });
}

int tg_limited_account(const tg_engine_t* engine, size_t index, char* out, size_t len) {
  return guarded(0, [&] {
    if (!engine || !out) return 0;
    const std::vector<std::string> accounts =
        engine->engine.shim_memory_view().limited_accounts.all();
    if (index >= accounts.size()) return 0;
    copy_message(accounts[index], out, len);
    return 1;
  });
}

int tg_decide_submission(const tg_engine_t* engine, const tg_submit_request_t* request,
                         tg_submit_decision_t* decision) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !request || !decision) return int{TG_ERROR};
    *decision = tg_submit_decision_t{};
    decision->team = decision->klass = -1;
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) {
      decision->outcome = TG_SUBMIT_NO_POLICY;
      return int{TG_OK};
    }
    decision->shadow = config->policy.cluster.mode == Mode::Shadow;
    std::vector<std::string> lineage;
    for (int i = 0; i < request->lineage_depth && request->lineage; ++i)
      if (request->lineage[i]) lineage.emplace_back(request->lineage[i]);
    SubmitRequest req;
    req.team = engine->engine.team_for_lineage(lineage);
    req.account = request->account ? request->account : "";
    const audit::Submitter who{request->uid, request->job_id, request->update != 0, req.account};
    if (req.team < 0) {
      bool allow = config->policy.cluster.unmapped_accounts == UnmappedAccounts::Allow;
      decision->outcome = allow ? TG_SUBMIT_UNGOVERNED : TG_SUBMIT_INVALID_ACCOUNT;
      if (!allow) copy_message(unmapped_account_message(*config, req.account), decision->message,
                               sizeof(decision->message));
      engine->audit.write(audit::submission(*config, who, kNoTeam, nullptr));
      return int{TG_OK};
    }
    auto text = [](const char* s) { return std::string(s ? s : ""); };
    req.qos = text(request->qos);
    req.tres_per_job = text(request->tres_per_job);
    req.tres_per_node = text(request->tres_per_node);
    req.tres_per_task = text(request->tres_per_task);
    req.tres_per_socket = text(request->tres_per_socket);
    req.cpus_per_tres = text(request->cpus_per_tres);
    req.mem_per_tres = text(request->mem_per_tres);
    req.min_nodes = request->min_nodes;
    req.num_tasks = request->num_tasks;
    req.min_cpus = request->min_cpus;
    req.cpus_per_task = request->cpus_per_task;
    req.pn_min_memory = request->pn_min_memory;
    req.mem_per_cpu = request->mem_per_cpu != 0;
    req.admin_comment = text(request->admin_comment);

    SubmitDecision d = decide_submission(*config, engine->engine.result().get(), req);
    refuse_what_does_not_fit(decision, &d);
    engine->audit.write(audit::submission(*config, who, req.team, &d));
    static const int outcomes[] = {TG_SUBMIT_ACCEPT, TG_SUBMIT_INVALID_ACCOUNT, TG_SUBMIT_INVALID_QOS,
                                   TG_SUBMIT_INVALID_GRES, TG_SUBMIT_ACCOUNTING_POLICY};
    decision->outcome = outcomes[static_cast<int>(d.outcome)];
    decision->team = req.team;
    decision->klass = d.klass;
    decision->site_factor = governance_site_factor(d.tier, request->multifactor_max);
    copy_message(d.message, decision->message, sizeof(decision->message));
    if (d.outcome != SubmitOutcome::Accept) return int{TG_OK};
    copy_message(d.qos, decision->qos, sizeof(decision->qos));
    copy_message(d.admin_comment, decision->admin_comment, sizeof(decision->admin_comment));
    auto set = [](const std::optional<std::string>& value, char* out, size_t len) {
      if (value) copy_message(*value, out, len);
    };
    set(d.tres_per_job, decision->tres_per_job, sizeof(decision->tres_per_job));
    set(d.tres_per_node, decision->tres_per_node, sizeof(decision->tres_per_node));
    set(d.tres_per_task, decision->tres_per_task, sizeof(decision->tres_per_task));
    set(d.tres_per_socket, decision->tres_per_socket, sizeof(decision->tres_per_socket));
    set(d.cpus_per_tres, decision->cpus_per_tres, sizeof(decision->cpus_per_tres));
    set(d.mem_per_tres, decision->mem_per_tres, sizeof(decision->mem_per_tres));
    decision->min_cpus = d.min_cpus.value_or(0);
    decision->pn_min_memory = d.pn_min_memory.value_or(0);
    return int{TG_OK};
  });
}

int tg_restamp(const tg_engine_t* engine, int team, int klass, const char* existing, char* out,
               size_t out_len) {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    const auto& classes = config->policy.cluster.priority_classes;
    if (team < 0 || static_cast<size_t>(team) >= config->policy.teams.size() || klass < 0 ||
        static_cast<size_t>(klass) >= classes.size())
      return int{TG_UNKNOWN};
    const std::string before = existing ? existing : "";
    const std::string after = stamp_admin_comment(before, config->policy.teams[static_cast<size_t>(team)].name,
                                                  classes[static_cast<size_t>(klass)].name);
    if (after == before) return 0;
    if (after.size() >= out_len) return int{TG_ERROR};
    copy_message(after, out, out_len);
    return 1;
  });
}

int tg_type_gpus(const tg_engine_t* engine, int team, const char* spec, char* typed,
                 size_t typed_len, char* type, size_t type_len, char* message,
                 size_t message_len) {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    if (team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return int{TG_UNKNOWN};
    std::string out, chosen, why;
    switch (type_gpu_spec(*config, static_cast<size_t>(team), spec ? spec : "", &out, &chosen, &why)) {
      case GpuTyping::Unchanged: return 0;
      case GpuTyping::Impossible: copy_message(why, message, message_len); return int{TG_ERROR};
      case GpuTyping::Typed: break;
    }
    // A rewritten string Slurm would get cut short must not be half applied.
    if (out.size() >= typed_len || chosen.size() >= type_len) {
      copy_message("taskgov: the typed GPU request is too long to store", message, message_len);
      return int{TG_ERROR};
    }
    copy_message(out, typed, typed_len);
    copy_message(chosen, type, type_len);
    return 1;
  });
}

}  // extern "C"
