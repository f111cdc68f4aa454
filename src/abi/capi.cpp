// SPDX-License-Identifier: GPL-2.0-or-later
// The C ABI: trampolines from the shims' C to the Governor (abi/governor.h) and the engine.
// Every entry point is noexcept and runs its body through guarded(): an exception reaching
// slurmctld's C frames would abort the controller.
#include "abi/taskgov.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "abi/governor.h"
#include "audit/admin_comment.h"
#include "engine/ordering.h"
#include "engine/blocked_teams.h"
#include "policy/policy_warnings.h"
#include "policy/slurm_strings.h"

struct tg_engine {
  taskgov::Governor governor;
  int references = 0;
};
struct tg_policy {
  taskgov::Governor::ReadPolicy read;
};
struct tg_inventory {
  taskgov::Inventory inventory;
};
struct tg_snapshot {
  taskgov::Governor::CycleInput input;
};
struct tg_cycle {
  taskgov::Governor::CycleOutput output;
};

using namespace taskgov;

namespace {

std::mutex g_instance_lock;
tg_engine* g_instance = nullptr;

// The one guard: `body` returns the entry point's value; any exception becomes `on_error`.
template <typename R, typename F>
R guarded(R on_error, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return on_error;
  }
}
template <typename F>
void guarded(F&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

// The text, cut to fit `len` with its NUL; returns the length written.
size_t copy_message(const std::string& text, char* out, size_t len) {
  if (!out || len == 0) return 0;
  size_t n = std::min(text.size(), len - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
  return n;
}

// The whole text or nothing: a record cut short would read back as a different one.
size_t copy_whole(const std::string& text, char* out, size_t len) {
  if (text.empty() || !out || text.size() >= len) return 0;
  return copy_message(text, out, len);
}

std::string text(const char* s) { return s ? s : ""; }

std::vector<std::string> strings(const char* const* items, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n && items; ++i) out.emplace_back(text(items[i]));
  return out;
}

ResourceVector amounts_to_vector(const uint64_t* amounts, int n) {
  ResourceVector v;
  for (int r = 0; r < n && amounts; ++r) v[r] = amount_from_slurm(amounts[r]);
  return v;
}

std::shared_ptr<const EngineConfig> config_of(const tg_engine_t* engine) {
  return engine ? engine->governor.config() : nullptr;
}
std::shared_ptr<const CycleResult> cycle_of(const tg_engine_t* engine) {
  return engine ? engine->governor.engine().result() : nullptr;
}

bool valid_reason(int reason) {
  return std::any_of(std::begin(kPreemptReasons), std::end(kPreemptReasons),
                     [reason](PreemptReason r) { return static_cast<int>(r) == reason; });
}

int to_c(SubmitOutcome outcome) {
  switch (outcome) {
    case SubmitOutcome::Accept: return TG_SUBMIT_ACCEPT;
    case SubmitOutcome::Ungoverned: return TG_SUBMIT_UNGOVERNED;
    case SubmitOutcome::InvalidAccount: return TG_SUBMIT_INVALID_ACCOUNT;
    case SubmitOutcome::InvalidQos: return TG_SUBMIT_INVALID_QOS;
    case SubmitOutcome::InvalidGres: return TG_SUBMIT_INVALID_GRES;
    case SubmitOutcome::AccountingPolicy: return TG_SUBMIT_ACCOUNTING_POLICY;
  }
  return TG_SUBMIT_ACCOUNTING_POLICY;
}

}  // namespace

extern "C" {

const char* tg_version(void) noexcept { return PACKAGE_VERSION; }

tg_engine_t* tg_engine_acquire(void) noexcept {
  return guarded<tg_engine_t*>(nullptr, [] {
    std::lock_guard<std::mutex> lock(g_instance_lock);
    if (!g_instance) g_instance = new tg_engine();
    ++g_instance->references;
    return g_instance;
  });
}

void tg_engine_release(tg_engine_t* engine) noexcept {
  guarded([engine] {
    std::lock_guard<std::mutex> lock(g_instance_lock);
    if (engine && engine == g_instance && --g_instance->references == 0) {
      delete g_instance;
      g_instance = nullptr;
    }
  });
}

tg_inventory_t* tg_inventory_new(void) noexcept {
  return guarded<tg_inventory_t*>(nullptr, [] { return new tg_inventory(); });
}

int tg_inventory_add_node(tg_inventory_t* inventory, const char* features, uint64_t cpus,
                          uint64_t memory_mib, const char* gres) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!inventory) return int{TG_ERROR};
    inventory->inventory.add_node(split_list(text(features)), static_cast<Amount>(cpus),
                                  static_cast<Amount>(memory_mib), parse_node_gres(text(gres)));
    return int{TG_OK};
  });
}

void tg_inventory_free(tg_inventory_t* inventory) noexcept { delete inventory; }

int tg_audit_configure(tg_engine_t* engine, const char* slurmctld_log_file,
                       tg_audit_reporter_t report) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine) return int{TG_ERROR};
    Governor::Reporter reporter;
    if (report) reporter = [report](bool trouble, const std::string& message) { report(trouble ? 1 : 0, message.c_str()); };
    engine->governor.configure_audit(text(slurmctld_log_file), std::move(reporter));
    return int{TG_OK};
  });
}

tg_policy_t* tg_policy_read(tg_engine_t* engine, const char* path, char* error, size_t error_len) noexcept {
  return guarded<tg_policy_t*>(nullptr, [&]() -> tg_policy_t* {
    if (!engine || !path) {
      copy_message("taskgov: internal error: missing engine or policy path", error, error_len);
      return nullptr;
    }
    std::string why;
    std::unique_ptr<Governor::ReadPolicy> read = engine->governor.read_policy(path, &why);
    if (!read) {
      copy_message(why, error, error_len);
      return nullptr;
    }
    return new tg_policy{std::move(*read)};
  });
}

int tg_policy_install(tg_engine_t* engine, tg_policy_t* policy, const tg_inventory_t* inventory,
                      char* error, size_t error_len) noexcept {
  std::unique_ptr<tg_policy_t> owned(policy);
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !owned || !inventory) {
      copy_message("taskgov: internal error: missing engine, policy or inventory", error, error_len);
      return int{TG_ERROR};
    }
    std::string why;
    if (engine->governor.install_policy(std::move(owned->read), inventory->inventory, &why)) return int{TG_OK};
    copy_message(why, error, error_len);
    return int{TG_ERROR};
  });
}

void tg_audit_reopen(tg_engine_t* engine) noexcept {
  guarded([&] {
    if (engine) engine->governor.reopen_audit();
  });
}

int tg_load_policy(tg_engine_t* engine, const char* path, const tg_inventory_t* inventory,
                   char* error, size_t error_len) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !path || !inventory) {
      copy_message("taskgov: internal error: missing engine, policy path or inventory", error, error_len);
      return int{TG_ERROR};
    }
    std::string why;
    if (engine->governor.load_policy(path, inventory->inventory, &why)) return int{TG_OK};
    copy_message(why, error, error_len);
    return int{TG_ERROR};
  });
}

int tg_cluster_warnings(const tg_engine_t* engine, const tg_cluster_facts_t* facts, tg_warning_sink_t sink,
                        void* arg) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    if (!facts || !sink) return int{TG_ERROR};
    ClusterFacts known;
    known.tracked_tres = strings(facts->tracked_tres, facts->tracked_count);
    known.enforce_limits = facts->enforce_limits != 0;
    known.accounts = strings(facts->accounts, facts->account_count);
    std::vector<QosLimits> qos;
    for (size_t i = 0; i < facts->qos_count; ++i)
      qos.push_back({text(facts->qos_names[i]), text(facts->qos_grp_tres[i]), split_list(text(facts->qos_partitions[i]))});
    known.qos = std::move(qos);
    std::vector<std::string> warnings = cluster_warnings(config->policy, config->resolved, config->inventory, known);
    for (const std::string& warning : warnings) sink(warning.c_str(), arg);
    return static_cast<int>(warnings.size());
  });
}

int tg_settings(const tg_engine_t* engine, tg_settings_t* out) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config || !out) return int{TG_NO_POLICY};
    const ClusterSettings& c = config->policy.cluster;
    out->cycle_seconds = c.cycle_seconds;
    out->shadow = c.mode == Mode::Shadow;
    out->preempt_cancel = c.preempt_mode == PreemptMode::Cancel;
    out->teams = static_cast<int>(config->policy.teams.size());
    out->classes = static_cast<int>(c.priority_classes.size());
    out->resources = config->resources();
    return int{TG_OK};
  });
}

// The names live in the config in force, which a reload replaces under the job write lock:
// valid until the next successful load, as the header says.
const char* tg_resource_name(const tg_engine_t* engine, int resource) noexcept {
  return guarded<const char*>(nullptr, [&]() -> const char* {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config || resource < 0 || resource >= config->resources()) return nullptr;
    return config->resolved.catalog.name(resource).c_str();
  });
}

const char* tg_team_name(const tg_engine_t* engine, int team) noexcept {
  return guarded<const char*>(nullptr, [&]() -> const char* {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
    return config->policy.teams[static_cast<size_t>(team)].name.c_str();
  });
}

const char* tg_team_account(const tg_engine_t* engine, int team) noexcept {
  return guarded<const char*>(nullptr, [&]() -> const char* {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config || team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return nullptr;
    return config->policy.teams[static_cast<size_t>(team)].account.c_str();
  });
}

int tg_team_of_lineage(const tg_engine_t* engine, const char* const* lineage, int depth) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !lineage) return int{TG_ERROR};
    return engine->governor.engine().team_for_lineage(strings(lineage, static_cast<size_t>(std::max(0, depth))));
  });
}

int tg_class_of_qos(const tg_engine_t* engine, const char* qos) noexcept {
  return guarded(-1, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    return config && qos ? config->policy.find_class(qos) : -1;
  });
}

tg_snapshot_t* tg_snapshot_new(const tg_engine_t* engine, int64_t now) noexcept {
  return guarded<tg_snapshot_t*>(nullptr, [&]() -> tg_snapshot_t* {
    if (!engine) return nullptr;
    Governor::CycleInput input = engine->governor.begin_cycle(now);
    return input.config ? new tg_snapshot{std::move(input)} : nullptr;
  });
}

int tg_snapshot_add_running(tg_snapshot_t* snapshot, uint32_t job_id, int team, int klass, const uint64_t* amounts,
                            int64_t start_time) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!snapshot) return int{TG_ERROR};
    snapshot->input.snapshot.running.push_back(
        {job_id, team, klass, amounts_to_vector(amounts, snapshot->input.config->resources()), start_time});
    return int{TG_OK};
  });
}

int tg_snapshot_add_pending(tg_snapshot_t* snapshot, uint32_t job_id, int team, int klass, const uint64_t* amounts,
                            int64_t submit_time, int eligible) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!snapshot) return int{TG_ERROR};
    snapshot->input.snapshot.pending.push_back({job_id, team, klass,
                                                amounts_to_vector(amounts, snapshot->input.config->resources()),
                                                submit_time, eligible != 0});
    return int{TG_OK};
  });
}

tg_cycle_t* tg_cycle_compute(tg_snapshot_t* snapshot) noexcept {
  std::unique_ptr<tg_snapshot_t> owned(snapshot);
  return guarded<tg_cycle_t*>(nullptr, [&]() -> tg_cycle_t* {
    if (!owned) return nullptr;
    return new tg_cycle{Governor::compute_cycle(std::move(owned->input))};
  });
}

int tg_cycle_publish(tg_engine_t* engine, tg_cycle_t* cycle) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !cycle || !cycle->output.result) return int{TG_ERROR};
    return engine->governor.publish(&cycle->output) ? int{TG_OK} : int{TG_ERROR};
  });
}

void tg_cycle_finish(tg_engine_t* engine, tg_cycle_t* cycle) noexcept {
  std::unique_ptr<tg_cycle_t> owned(cycle);
  guarded([&] {
    if (engine && owned) engine->governor.finish(owned->output);
  });
}

int tg_pending_verdict(const tg_engine_t* engine, uint32_t job_id, tg_pending_verdict_t* out) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    if (!cycle || !out) return int{TG_NO_POLICY};
    uint32_t i = cycle->pending_index.find(job_id);
    if (i == JobIndex::kAbsent) return int{TG_UNKNOWN};
    out->tier = cycle->pending_verdicts[i].tier;
    return int{TG_OK};
  });
}

uint32_t tg_site_factor(uint32_t tier, uint64_t multifactor_max) noexcept {
  return guarded(uint32_t{0}, [&] { return governance_site_factor(tier, multifactor_max); });
}

uint64_t tg_site_factor_unit(uint64_t multifactor_max) noexcept {
  return guarded(uint64_t{1}, [&] { return governance_unit(multifactor_max); });
}

int tg_site_factor_ours(tg_engine_t* engine, uint32_t job_id, uint64_t term, uint64_t unit) noexcept {
  return guarded(0, [&] { return engine && engine->governor.engine().site_factors().ours(job_id, term, unit) ? 1 : 0; });
}

void tg_site_factor_wrote(tg_engine_t* engine, uint32_t job_id, uint64_t term) noexcept {
  guarded([&] {
    if (engine) engine->governor.engine().site_factors().wrote(job_id, term);
  });
}

void tg_site_factor_set_by_operator(tg_engine_t* engine, uint32_t job_id) noexcept {
  guarded([&] {
    if (engine) engine->governor.engine().site_factors().set_by_operator(job_id);
  });
}

int tg_preemption_note(tg_engine_t* engine, uint32_t victim_id, uint32_t preemptor_id, int preemptor_team,
                       int preemptor_class, int reason) noexcept {
  return guarded(0, [&] {
    if (!engine) return 0;
    return engine->governor.engine().preemption_notes().note(
               {victim_id, preemptor_id, preemptor_team, preemptor_class, static_cast<PreemptReason>(reason)})
               ? 1
               : 0;
  });
}

int tg_preemption_take(tg_engine_t* engine, uint32_t victim_id, uint32_t* preemptor_id, int* preemptor_team,
                       int* preemptor_class, int* reason) noexcept {
  return guarded(0, [&] {
    PreemptionNote note;
    if (!engine || !engine->governor.engine().preemption_notes().take(victim_id, &note)) return 0;
    *preemptor_id = note.preemptor;
    *preemptor_team = note.preemptor_team;
    *preemptor_class = note.preemptor_class;
    *reason = static_cast<int>(note.reason);
    return 1;
  });
}

void tg_preemption_forget(tg_engine_t* engine, uint32_t victim_id) noexcept {
  guarded([&] {
    if (engine) engine->governor.engine().preemption_notes().forget(victim_id);
  });
}

int tg_team_limit(const tg_engine_t* engine, int team, uint64_t* amounts) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    if (!cycle || !amounts) return int{TG_NO_POLICY};
    if (team < 0 || static_cast<size_t>(team) >= cycle->teams.size()) return int{TG_UNKNOWN};
    const ResourceVector& limit = cycle->teams[static_cast<size_t>(team)].limit;
    for (int r = 0; r < cycle->config->resources(); ++r) amounts[r] = static_cast<uint64_t>(std::max<Amount>(0, limit[r]));
    return int{TG_OK};
  });
}

uint32_t tg_team_enforced(const tg_engine_t* engine, int team) noexcept {
  return guarded(uint32_t{0}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config || team < 0 || static_cast<size_t>(team) >= config->resolved.teams.size()) return uint32_t{0};
    return config->enforced_mask(static_cast<size_t>(team));
  });
}

int tg_running_team(const tg_engine_t* engine, uint32_t job_id) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    uint32_t i = cycle ? cycle->running_index.find(job_id) : JobIndex::kAbsent;
    return i == JobIndex::kAbsent ? int{TG_UNKNOWN} : std::max(-1, cycle->running[i].team);
  });
}

int tg_pending_team(const tg_engine_t* engine, uint32_t job_id) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    uint32_t i = cycle ? cycle->pending_index.find(job_id) : JobIndex::kAbsent;
    return i == JobIndex::kAbsent ? int{TG_UNKNOWN} : std::max(-1, cycle->pending[i].team);
  });
}

int tg_may_preempt(const tg_engine_t* engine, uint32_t preemptor_id, int preemptor_team, int preemptor_class,
                   const uint64_t* preemptor_amounts, uint32_t victim_id) noexcept {
  return guarded(int{TG_REASON_NONE}, [&] {
    if (!engine) return int{TG_REASON_NONE};
    const std::shared_ptr<const EngineConfig> config = engine->governor.engine().config();
    ResourceVector request;
    if (preemptor_amounts && config) request = amounts_to_vector(preemptor_amounts, config->resources());
    return static_cast<int>(engine->governor.engine().may_preempt(preemptor_id, preemptor_team, preemptor_class,
                                                                  preemptor_amounts ? &request : nullptr, victim_id));
  });
}

uint32_t tg_victim_rank(const tg_engine_t* engine, uint32_t victim_id) noexcept {
  return guarded(uint32_t{UINT32_MAX}, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    uint32_t i = cycle ? cycle->running_index.find(victim_id) : JobIndex::kAbsent;
    return i == JobIndex::kAbsent ? uint32_t{UINT32_MAX} : cycle->running_verdicts[i].victim_rank;
  });
}

const char* tg_reason_name(int reason) noexcept { return reason_name(static_cast<PreemptReason>(reason)); }

size_t tg_format_preemption(uint32_t preemptor_id, int reason, char* out, size_t len) noexcept {
  return guarded(size_t{0}, [&] {
    if (!valid_reason(reason)) return size_t{0};
    return copy_whole(preemption_fields(preemptor_id, static_cast<PreemptReason>(reason)), out, len);
  });
}

size_t tg_format_borrowed(const tg_engine_t* engine, uint32_t job_id, char* out, size_t len) noexcept {
  return guarded(size_t{0}, [&] { return engine ? copy_whole(engine->governor.borrowed_field(job_id), out, len) : 0; });
}

int tg_admin_comment_has(const char* comment, const char* key) noexcept {
  return guarded(0, [&] { return comment && key && admin_comment_has(comment, key) ? 1 : 0; });
}

void tg_record_preemption(const tg_engine_t* engine, uint32_t victim_id, uint32_t preemptor_id, int preemptor_team,
                          int preemptor_class, const char* preemptor_tres, int reason, int by_cycle) noexcept {
  guarded([&] {
    if (!engine) return;
    engine->governor.record_preemption(victim_id, {preemptor_id, preemptor_team, preemptor_class, text(preemptor_tres)},
                                       static_cast<PreemptReason>(reason),
                                       by_cycle ? audit::PreemptionPath::Cycle : audit::PreemptionPath::Scheduler);
  });
}

size_t tg_preemptors_held_by_limits(const tg_engine_t* engine, uint32_t* preemptors, size_t capacity) noexcept {
  return guarded(size_t{0}, [&] {
    if (!engine || !preemptors) return size_t{0};
    std::vector<uint32_t> ids = engine->governor.engine().preemptors_held_by_limits();
    size_t n = std::min(ids.size(), capacity);
    std::copy(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), preemptors);
    return n;
  });
}

size_t tg_victims_for(const tg_engine_t* engine, uint32_t pending_id, tg_victim_t* victims, size_t capacity) noexcept {
  return guarded(size_t{0}, [&] {
    if (!engine || !victims) return size_t{0};
    const std::vector<Victim> set = engine->governor.engine().victims_for(pending_id);
    if (set.size() > capacity) return size_t{0};  // a partial set would not free enough
    for (size_t v = 0; v < set.size(); ++v) victims[v] = tg_victim_t{set[v].job, static_cast<int>(set[v].reason)};
    return set.size();
  });
}

int tg_association_team(const tg_engine_t* engine, uint32_t assoc_id) noexcept {
  return guarded(int{TG_UNKNOWN}, [&] {
    int team = engine ? engine->governor.association_team(assoc_id) : AssociationTeams::kUnknown;
    return team == AssociationTeams::kUnknown ? int{TG_UNKNOWN} : team;
  });
}

void tg_association_team_remember(tg_engine_t* engine, uint32_t assoc_id, int team) noexcept {
  guarded([&] {
    if (engine) engine->governor.remember_association_team(assoc_id, team);
  });
}

int tg_trail_first_push(tg_engine_t* engine, uint32_t job_id, uint64_t db_index) noexcept {
  return guarded(0, [&] {
    return engine && engine->governor.engine().shim_memory().trail_pushes.first_push(job_id, db_index) ? 1 : 0;
  });
}

int tg_preemptor_settling(tg_engine_t* engine, uint32_t job_id, int64_t now) noexcept {
  return guarded(0, [&] {
    return engine && engine->governor.engine().shim_memory().settling_preemptors.settling(job_id, now) ? 1 : 0;
  });
}

void tg_preemptor_acted(tg_engine_t* engine, uint32_t job_id, int64_t until, int64_t now) noexcept {
  guarded([&] {
    if (engine) engine->governor.engine().shim_memory().settling_preemptors.acted(job_id, until, now);
  });
}

int tg_shadow_limit_news(tg_engine_t* engine, int team, uint64_t* amounts) noexcept {
  return guarded(0, [&] {
    if (!engine || !amounts) return 0;
    std::vector<uint64_t> limit;
    const bool news = engine->governor.shadow_limit_news(team, &limit);
    std::copy(limit.begin(), limit.end(), amounts);
    return news ? 1 : 0;
  });
}

void tg_limited_account_add(tg_engine_t* engine, const char* account) noexcept {
  guarded([&] {
    if (engine && account) engine->governor.engine().shim_memory().limited_accounts.add(account);
  });
}

void tg_limited_account_remove(tg_engine_t* engine, const char* account) noexcept {
  guarded([&] {
    if (engine && account) engine->governor.engine().shim_memory().limited_accounts.remove(account);
  });
}

int tg_limited_account(const tg_engine_t* engine, size_t index, char* out, size_t len) noexcept {
  return guarded(0, [&] {
    if (!engine || !out) return 0;
    const std::vector<std::string> accounts = engine->governor.engine().shim_memory_view().limited_accounts.all();
    if (index >= accounts.size()) return 0;
    copy_message(accounts[index], out, len);
    return 1;
  });
}

int tg_teams_blocked_by_limits(const tg_engine_t* engine, uint8_t* out, int capacity) noexcept {
  return guarded(0, [&] {
    const std::shared_ptr<const CycleResult> cycle = cycle_of(engine);
    if (!cycle || !out) return 0;
    const std::vector<uint8_t> blocked = teams_blocked_by_limits(*cycle);
    const int n = std::min(capacity, static_cast<int>(blocked.size()));
    std::copy(blocked.begin(), blocked.begin() + n, out);
    return n;
  });
}

int tg_held_by_limit(const uint64_t* used, const uint64_t* limit, const uint64_t* request, int n) noexcept {
  return guarded(0, [&] {
    if (!used || !limit || !request || n < 0 || n > TG_MAX_RESOURCES) return 0;
    constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<Amount>::max());
    constexpr uint64_t kHalf = kMax / 2;  // used + asked stays an Amount
    TeamUsage team;
    ResourceVector asked;
    uint32_t limited = 0;
    for (int r = 0; r < n; ++r) {
      team.used[r] = static_cast<Amount>(std::min(used[r], kHalf));
      asked[r] = static_cast<Amount>(std::min(request[r], kHalf));
      if (limit[r] > kMax) continue;
      team.limit[r] = static_cast<Amount>(limit[r]);
      limited |= 1u << r;
    }
    return held_by_team_limit(team, asked, limited, n) ? 1 : 0;
  });
}

void tg_pin_remember(tg_engine_t* engine, const char* account, uint32_t admin, uint32_t pinned) noexcept {
  guarded([&] {
    if (engine && account) engine->governor.engine().shim_memory().pinned_accounts.pin(account, {admin, pinned});
  });
}

int tg_pin_of(const tg_engine_t* engine, const char* account, uint32_t* admin, uint32_t* pinned) noexcept {
  return guarded(0, [&] {
    PinnedAccounts::Pin pin;
    if (!engine || !account || !engine->governor.engine().shim_memory_view().pinned_accounts.find(account, &pin))
      return 0;
    if (admin) *admin = pin.admin;
    if (pinned) *pinned = pin.pinned;
    return 1;
  });
}

void tg_pin_forget(tg_engine_t* engine, const char* account) noexcept {
  guarded([&] {
    if (engine && account) engine->governor.engine().shim_memory().pinned_accounts.unpin(account);
  });
}

int tg_pinned_account(const tg_engine_t* engine, size_t index, char* out, size_t len) noexcept {
  return guarded(0, [&] {
    if (!engine || !out) return 0;
    const std::vector<std::string> accounts = engine->governor.engine().shim_memory_view().pinned_accounts.accounts();
    if (index >= accounts.size()) return 0;
    copy_message(accounts[index], out, len);
    return 1;
  });
}

int tg_pins_any(const tg_engine_t* engine) noexcept {
  return guarded(0, [&] { return engine && engine->governor.engine().shim_memory_view().pinned_accounts.any() ? 1 : 0; });
}

int tg_decide_submission(const tg_engine_t* engine, const tg_submit_request_t* request,
                         tg_submit_decision_t* decision) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    if (!engine || !request || !decision) return int{TG_ERROR};
    *decision = tg_submit_decision_t{};
    decision->team = decision->klass = -1;
    SubmitRequest req;
    req.account = text(request->account);
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
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (request->hetjob_earlier && config)
      req.hetjob_earlier = amounts_to_vector(request->hetjob_earlier, config->resources());
    const audit::Submitter who{request->uid, request->job_id, request->update != 0, req.account};
    const Governor::FieldRoom room{sizeof decision->qos - 1,           sizeof decision->admin_comment - 1,
                                   sizeof decision->tres_per_job - 1,  sizeof decision->tres_per_node - 1,
                                   sizeof decision->tres_per_task - 1, sizeof decision->tres_per_socket - 1,
                                   sizeof decision->cpus_per_tres - 1, sizeof decision->mem_per_tres - 1};
    const Governor::Submission s = engine->governor.decide_submission(
        strings(request->lineage, static_cast<size_t>(std::max(0, request->lineage_depth))), std::move(req), who, room);
    if (s.no_policy) {
      decision->outcome = TG_SUBMIT_NO_POLICY;
      return int{TG_OK};
    }
    const SubmitDecision& d = s.decision;
    decision->outcome = to_c(d.outcome);
    decision->shadow = s.shadow;
    copy_message(d.message, decision->message, sizeof decision->message);
    if (s.team < 0) return int{TG_OK};
    decision->team = s.team;
    decision->klass = d.klass;
    decision->site_factor = governance_site_factor(d.tier, request->multifactor_max);
    if (d.outcome != SubmitOutcome::Accept) return int{TG_OK};
    copy_message(d.qos, decision->qos, sizeof decision->qos);
    copy_message(d.admin_comment, decision->admin_comment, sizeof decision->admin_comment);
    auto set = [](const std::optional<std::string>& value, char* out, size_t len) {
      if (value) copy_message(*value, out, len);
    };
    set(d.tres_per_job, decision->tres_per_job, sizeof decision->tres_per_job);
    set(d.tres_per_node, decision->tres_per_node, sizeof decision->tres_per_node);
    set(d.tres_per_task, decision->tres_per_task, sizeof decision->tres_per_task);
    set(d.tres_per_socket, decision->tres_per_socket, sizeof decision->tres_per_socket);
    set(d.cpus_per_tres, decision->cpus_per_tres, sizeof decision->cpus_per_tres);
    set(d.mem_per_tres, decision->mem_per_tres, sizeof decision->mem_per_tres);
    decision->min_cpus = d.min_cpus.value_or(0);
    decision->pn_min_memory = d.pn_min_memory.value_or(0);
    for (int r = 0; config && r < config->resources(); ++r)
      decision->request[r] = static_cast<uint64_t>(std::max<Amount>(0, d.request[r]));
    return int{TG_OK};
  });
}

int tg_restamp(const tg_engine_t* engine, int team, int klass, const char* existing, char* out,
               size_t out_len) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    const auto& classes = config->policy.cluster.priority_classes;
    if (team < 0 || static_cast<size_t>(team) >= config->policy.teams.size() || klass < 0 ||
        static_cast<size_t>(klass) >= classes.size())
      return int{TG_UNKNOWN};
    const std::string before = text(existing);
    const std::string after = stamp_admin_comment(before, config->policy.teams[static_cast<size_t>(team)].name,
                                                  classes[static_cast<size_t>(klass)].name);
    if (after == before) return 0;
    if (after.size() >= out_len) return int{TG_ERROR};
    copy_message(after, out, out_len);
    return 1;
  });
}

int tg_type_gpus(const tg_engine_t* engine, int team, const char* spec, char* typed, size_t typed_len, char* type,
                 size_t type_len, char* message, size_t message_len) noexcept {
  return guarded(int{TG_ERROR}, [&] {
    const std::shared_ptr<const EngineConfig> config = config_of(engine);
    if (!config) return int{TG_NO_POLICY};
    if (team < 0 || static_cast<size_t>(team) >= config->policy.teams.size()) return int{TG_UNKNOWN};
    std::string out, chosen, why;
    switch (type_gpu_spec(*config, static_cast<size_t>(team), text(spec), &out, &chosen, &why)) {
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
