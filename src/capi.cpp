// SPDX-License-Identifier: GPL-2.0-or-later
// The C ABI over the engine. Each entry point catches everything: an exception reaching
// slurmctld's C frames would abort the controller.
#include "taskgov.h"

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "audit_log.h"
#include "audit_records.h"
#include "engine.h"
#include "reasons.h"
#include "submission.h"
#include "slurm_strings.h"

struct tg_engine {
  taskgov::Engine engine;
  int references = 0;
  uint64_t generation = 0;
  // Internally synchronised: written from readers of the engine (submissions, preemptions).
  mutable taskgov::AuditLog audit;
  std::string default_audit_path = taskgov::default_audit_log_path("");
  // What the next cycle's records compare against. Unlike the engine's result, it survives a
  // policy reload: the limits and bands a reload moves are decisions to record too.
  std::shared_ptr<const taskgov::CycleResult> last_published;
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

const EngineConfig* config_of(const tg_engine_t* engine) {
  return engine ? engine->engine.config().get() : nullptr;
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
    engine->default_audit_path = default_audit_log_path(slurmctld_log_file ? slurmctld_log_file : "");
    if (report)
      engine->audit.set_reporter([report](bool trouble, const std::string& message) {
        report(trouble ? 1 : 0, message.c_str());
      });
    return int{TG_OK};
  });
}

int tg_load_policy(tg_engine_t* engine, const char* path, const tg_inventory_t* inventory,
                   char* error, size_t error_len) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !path || !inventory) {
      copy_message("taskgov: internal error: missing engine, policy path or inventory", error,
                   error_len);
      return int{TG_ERROR};
    }
    Policy policy;
    PolicyError failure;
    if (!load_policy_file(path, &policy, &failure) ||
        !engine->engine.set_policy(std::move(policy), inventory->inventory, &failure)) {
      copy_message(failure.to_string(), error, error_len);
      // Refused at start, there is no policy to name a log: the refusal goes to the default.
      if (!engine->audit.is_open()) engine->audit.open(engine->default_audit_path);
      engine->audit.write(audit::policy_refused(path, failure.to_string(), engine->engine.config().get()));
      return int{TG_ERROR};
    }
    ++engine->generation;
    const EngineConfig& config = *engine->engine.config();
    const std::string& named = config.policy.cluster.audit_log;
    engine->audit.open(named.empty() ? engine->default_audit_path : named);
    engine->audit.write(audit::policy_loaded(config, engine->generation));
    return int{TG_OK};
  });
}

uint64_t tg_policy_generation(const tg_engine_t* engine) { return engine ? engine->generation : 0; }

int tg_settings(const tg_engine_t* engine, tg_settings_t* out) {
  const EngineConfig* config = config_of(engine);
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
  const EngineConfig* config = config_of(engine);
  if (!config || resource < 0 || resource >= config->resources()) return nullptr;
  return config->resolved.catalog.name(resource).c_str();
}

const char* tg_team_name(const tg_engine_t* engine, int team) {
  const EngineConfig* config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
  return config->policy.teams[static_cast<size_t>(team)].name.c_str();
}

const char* tg_team_account(const tg_engine_t* engine, int team) {
  const EngineConfig* config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
  return config->policy.teams[static_cast<size_t>(team)].account.c_str();
}

const char* tg_class_name(const tg_engine_t* engine, int klass) {
  const EngineConfig* config = config_of(engine);
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
  const EngineConfig* config = config_of(engine);
  if (!config || !qos) return -1;
  return config->policy.find_class(qos);
}

int tg_lowest_class(const tg_engine_t* engine) {
  const EngineConfig* config = config_of(engine);
  return config ? config->policy.lowest_class() : -1;
}

tg_snapshot_t* tg_snapshot_new(const tg_engine_t* engine, int64_t now) {
  return guarded<tg_snapshot_t*>(nullptr, [&]() -> tg_snapshot_t* {
    if (!engine || !engine->engine.has_policy()) return nullptr;
    auto* snapshot = new tg_snapshot();
    snapshot->config = engine->engine.config();
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
                            const uint64_t* amounts, int64_t submit_time) {
  return guarded(int{TG_ERROR}, [&] {
    if (!snapshot) return int{TG_ERROR};
    snapshot->snapshot.pending.push_back(
        {job_id, team, klass, amounts_to_vector(amounts, snapshot->config->resources()), submit_time});
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
  const EngineConfig* config = config_of(engine);
  if (!config || team < 0 || static_cast<size_t>(team) >= config->resolved.teams.size()) return 0;
  return enforced_resources(config->resolved.teams[static_cast<size_t>(team)].proportional_mask,
                            config->resources());
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
                   int preemptor_class, uint32_t victim_id) {
  if (!engine) return TG_REASON_NONE;
  return static_cast<int>(
      engine->engine.may_preempt(preemptor_id, preemptor_team, preemptor_class, victim_id));
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

size_t tg_victims_for(const tg_engine_t* engine, uint32_t pending_id, uint32_t* victims,
                      size_t capacity) {
  return guarded(size_t{0}, [&] {
    if (!engine || !victims) return size_t{0};
    std::vector<uint32_t> ids = engine->engine.victims_for(pending_id);
    if (ids.size() > capacity) return size_t{0};  // a partial set would not free enough
    std::copy(ids.begin(), ids.end(), victims);
    return ids.size();
  });
}

int tg_decide_submission(const tg_engine_t* engine, const tg_submit_request_t* request,
                         tg_submit_decision_t* decision) {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !request || !decision) return int{TG_ERROR};
    *decision = tg_submit_decision_t{};
    decision->team = decision->klass = -1;
    const std::shared_ptr<const EngineConfig> config = engine->engine.config();
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

}  // extern "C"
