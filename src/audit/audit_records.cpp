// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit/audit_records.h"

#include <jansson.h>

#include <cstdlib>
#include <memory>

#include "engine/borrowing.h"
#include "policy/json_reader.h"
#include "engine/reasons.h"
#include "policy/slurm_strings.h"

namespace taskgov::audit {

namespace {

// The keys of the preemption record, shared by its writer and its reader.
constexpr const char kEvent[] = "event", kMode[] = "mode", kTime[] = "time", kReason[] = "reason",
                     kBy[] = "by", kVictim[] = "victim", kPreemptor[] = "preemptor", kTeams[] = "teams",
                     kJob[] = "job", kTeam[] = "team", kClass[] = "class", kHolds[] = "holds",
                     kBorrowed[] = "borrowed", kAsks[] = "asks", kQuota[] = "quota", kUsed[] = "used",
                     kLent[] = "lent", kLimit[] = "limit";
constexpr const char kPreemptionEvent[] = "preemption";

JsonPtr object() { return JsonPtr(json_object(), &json_decref); }

void set(json_t* object, const char* key, json_t* value) { json_object_set_new(object, key, value); }
json_t* text(const std::string& value) { return json_stringn(value.data(), value.size()); }
json_t* text_or_null(const std::string& value) { return value.empty() ? json_null() : text(value); }
json_t* number(int64_t value) { return json_integer(value); }

std::string dump(const JsonPtr& record) {
  std::unique_ptr<char, decltype(&free)> out(json_dumps(record.get(), JSON_COMPACT), &free);
  return out ? std::string(out.get()) : std::string();
}

// Every record opens with what it is and under which mode it was decided: in shadow mode a
// refusal, a limit or a preemption is what taskgov would have done.
JsonPtr record(const char* event, const EngineConfig& config) {
  JsonPtr r = object();
  set(r.get(), kEvent, json_string(event));
  set(r.get(), kMode, text(std::string(name_of(config.policy.cluster.mode))));
  return r;
}

const std::string& team_name(const EngineConfig& config, int32_t team) {
  static const std::string none;
  return team >= 0 && static_cast<size_t>(team) < config.policy.teams.size()
             ? config.policy.teams[static_cast<size_t>(team)].name
             : none;
}

const std::string& class_name(const EngineConfig& config, int32_t klass) {
  static const std::string none;
  const auto& classes = config.policy.cluster.priority_classes;
  return klass >= 0 && static_cast<size_t>(klass) < classes.size()
             ? classes[static_cast<size_t>(klass)].name
             : none;
}

json_t* amounts(const ResourceCatalog& catalog, const ResourceVector& v, uint32_t mask) {
  json_t* out = json_object();
  for (int r = 0; r < catalog.size(); ++r)
    if (mask & (1u << r)) set(out, catalog.name(r).c_str(), number(v[r]));
  return out;
}

json_t* nonzero_amounts(const ResourceCatalog& catalog, const ResourceVector& v) {
  return amounts(catalog, v, v.nonzero_mask());
}

// A team's numbers on the resources it has a quota of or touches.
json_t* team_numbers(const CycleResult& cycle, int32_t team) {
  const ResourceCatalog& catalog = cycle.config->resolved.catalog;
  const TeamUsage& usage = cycle.teams[static_cast<size_t>(team)];
  uint32_t mask = usage.nominal.nonzero_mask() | usage.used.nonzero_mask() |
                  usage.borrowed.nonzero_mask() | usage.lent.nonzero_mask();
  json_t* out = json_object();
  set(out, kQuota, amounts(catalog, usage.nominal, mask));
  set(out, kUsed, amounts(catalog, usage.used, mask));
  set(out, kBorrowed, amounts(catalog, usage.borrowed, mask));
  set(out, kLent, amounts(catalog, usage.lent, mask));
  set(out, kLimit, amounts(catalog, usage.limit, mask));
  return out;
}

json_t* teams_numbers(const CycleResult& cycle, std::initializer_list<int32_t> teams) {
  json_t* out = json_object();
  for (int32_t team : teams)
    if (team >= 0 && static_cast<size_t>(team) < cycle.teams.size())
      set(out, team_name(*cycle.config, team).c_str(), team_numbers(cycle, team));
  return out;
}

json_t* job_identity(const EngineConfig& config, uint32_t id, int32_t team, int32_t klass) {
  json_t* out = json_object();
  set(out, kJob, number(id));
  set(out, kTeam, text_or_null(team_name(config, team)));
  set(out, kClass, text_or_null(class_name(config, klass)));
  return out;
}

void set_identity(json_t* r, const EngineConfig& config, uint32_t id, int32_t team, int32_t klass) {
  JsonPtr identity(job_identity(config, id, team, klass), &json_decref);
  json_object_update(r, identity.get());
}

const char* outcome_rule(SubmitOutcome outcome) {
  switch (outcome) {
    case SubmitOutcome::Accept: return nullptr;
    case SubmitOutcome::Ungoverned: return "unmapped_accounts=allow";
    case SubmitOutcome::InvalidAccount: return "unmapped-account";
    case SubmitOutcome::InvalidQos: return "qos-not-a-class";
    case SubmitOutcome::InvalidGres: return "gres-type";
    case SubmitOutcome::AccountingPolicy: return "beyond-quota-and-borrow-cap";
  }
  return nullptr;
}

// The enforced limits of team #t in `cycle`, by resource name: what goes into GrpTRES.
json_t* enforced_limits(const CycleResult& cycle, size_t t) {
  const EngineConfig& config = *cycle.config;
  uint32_t derived = config.policy.cluster.enforce_derived ? 0 : config.resolved.teams[t].proportional_mask;
  uint32_t mask = enforced_resources(derived, config.resources());
  return amounts(config.resolved.catalog, cycle.teams[t].limit, mask);
}

void add_band_changes(const CycleResult& previous, const CycleResult& current,
                      std::vector<std::string>* out) {
  const EngineConfig& config = *current.config;
  for (size_t i = 0; i < current.pending.size(); ++i) {
    const PendingJob& job = current.pending[i];
    if (job.team < 0) continue;
    const PendingVerdict& verdict = current.pending_verdicts[i];
    uint32_t before = previous.pending_index.find(job.id);
    if (before != JobIndex::kAbsent && previous.pending_verdicts[before].band == verdict.band)
      continue;
    JsonPtr r = record("band", config);
    set_identity(r.get(), config, job.id, job.team, job.klass);
    set(r.get(), "from", before == JobIndex::kAbsent
                             ? json_null()
                             : json_string(band_name(previous.pending_verdicts[before].band)));
    set(r.get(), "to", json_string(band_name(verdict.band)));
    set(r.get(), "holding", verdict.holding >= 0 ? text(config.resolved.catalog.name(verdict.holding))
                                                 : json_null());
    set(r.get(), "asks", nonzero_amounts(config.resolved.catalog, job.req));
    set(r.get(), "why", text(pending_reason(current, i)));
    out->push_back(dump(r));
  }
}

void add_starts(const CycleResult& previous, const CycleResult& current,
                std::vector<std::string>* out) {
  const EngineConfig& config = *current.config;
  for (size_t i = 0; i < current.running.size(); ++i) {
    const RunningJob& job = current.running[i];
    if (job.team < 0 || previous.running_index.find(job.id) != JobIndex::kAbsent) continue;
    const RunningVerdict& verdict = current.running_verdicts[i];
    JsonPtr r = record("start", config);
    set_identity(r.get(), config, job.id, job.team, job.klass);
    set(r.get(), "holds", nonzero_amounts(config.resolved.catalog, job.alloc));
    set(r.get(), "borrowed", amounts(config.resolved.catalog, job.alloc, verdict.excess_mask));
    set(r.get(), "teams", teams_numbers(current, {job.team}));
    out->push_back(dump(r));
  }
}

// Limits are compared by team name: a reload may renumber the teams.
void add_limit_changes(const CycleResult& previous, const CycleResult& current,
                       std::vector<std::string>* out) {
  const EngineConfig& config = *current.config;
  const bool same_policy = previous.config == current.config;
  for (size_t t = 0; t < current.teams.size(); ++t) {
    const Team& team = config.policy.teams[t];
    JsonPtr to(enforced_limits(current, t), &json_decref);
    JsonPtr from(nullptr, &json_decref);
    int before = same_policy ? static_cast<int>(t) : previous.config->policy.find_team(team.name);
    if (before >= 0 && static_cast<size_t>(before) < previous.teams.size())
      from.reset(enforced_limits(previous, static_cast<size_t>(before)));
    if (from && json_equal(from.get(), to.get())) continue;
    JsonPtr r = record("limit", config);
    set(r.get(), "team", text(team.name));
    set(r.get(), "account", text(team.account));
    set(r.get(), "from", from ? json_incref(from.get()) : json_null());
    set(r.get(), "to", json_incref(to.get()));
    set(r.get(), "pool_free", nonzero_amounts(config.resolved.catalog, current.pool.free));
    set(r.get(), "teams", teams_numbers(current, {static_cast<int32_t>(t)}));
    out->push_back(dump(r));
  }
}

}  // namespace

std::string policy_loaded(const EngineConfig& config, uint64_t generation) {
  JsonPtr r = record("policy", config);
  set(r.get(), "outcome", json_string("loaded"));
  set(r.get(), "file", text(config.policy.file));
  set(r.get(), "generation", number(static_cast<int64_t>(generation)));
  set(r.get(), "teams", number(static_cast<int64_t>(config.policy.teams.size())));
  set(r.get(), "classes", number(static_cast<int64_t>(config.policy.cluster.priority_classes.size())));
  json_t* resources = json_array();
  for (int i = 0; i < config.resources(); ++i)
    json_array_append_new(resources, text(config.resolved.catalog.name(i)));
  set(r.get(), "resources", resources);
  return dump(r);
}

std::string policy_refused(const std::string& file, const std::string& error,
                           const EngineConfig* in_force) {
  JsonPtr r = object();
  set(r.get(), "event", json_string("policy"));
  set(r.get(), "mode", in_force ? text(std::string(name_of(in_force->policy.cluster.mode))) : json_null());
  set(r.get(), "outcome", json_string("refused"));
  set(r.get(), "file", text(file));
  set(r.get(), "error", text(error));
  set(r.get(), "in_force", in_force ? text(in_force->policy.file) : json_null());
  return dump(r);
}

std::string submission(const EngineConfig& config, const Submitter& who, int32_t team,
                       const SubmitDecision* decision) {
  JsonPtr r = record(who.update ? "update" : "submit", config);
  set(r.get(), "job", who.job_id ? number(who.job_id) : json_null());
  set(r.get(), "uid", number(who.uid));
  set(r.get(), "account", text_or_null(who.account));
  set(r.get(), "team", text_or_null(team_name(config, team)));
  if (!decision) {
    const SubmitOutcome outcome = unmapped_outcome(config);
    set(r.get(), "outcome", json_string(outcome == SubmitOutcome::Ungoverned ? "ungoverned" : "refused"));
    set(r.get(), "rule", json_string(outcome_rule(outcome)));
    return dump(r);
  }
  const char* rule = outcome_rule(decision->outcome);
  set(r.get(), "outcome", json_string(rule ? "refused" : "accepted"));
  set(r.get(), "rule", rule ? json_string(rule) : json_null());
  set(r.get(), "class", text_or_null(class_name(config, decision->klass)));
  set(r.get(), "asks", nonzero_amounts(config.resolved.catalog, decision->request));
  set(r.get(), "message", text_or_null(decision->message));
  return dump(r);
}

std::vector<std::string> cycle_changes(const CycleResult* previous, const CycleResult& current) {
  std::vector<std::string> out;
  if (!previous) return out;
  add_band_changes(*previous, current, &out);
  add_starts(*previous, current, &out);
  add_limit_changes(*previous, current, &out);
  return out;
}

std::string preemption(const CycleResult& cycle, uint32_t victim_id, const Preemptor& by,
                       PreemptReason reason, PreemptionPath path) {
  const EngineConfig& config = *cycle.config;
  const ResourceCatalog& catalog = config.resolved.catalog;
  JsonPtr r = record(kPreemptionEvent, config);
  set(r.get(), kReason, json_string(reason_name(reason)));
  set(r.get(), kBy, json_string(path == PreemptionPath::Cycle ? "cycle" : "scheduler"));

  int32_t victim_team = kNoTeam;
  json_t* victim;
  uint32_t v = cycle.running_index.find(victim_id);
  if (v != JobIndex::kAbsent) {
    const RunningJob& job = cycle.running[v];
    victim_team = job.team;
    victim = job_identity(config, job.id, job.team, job.klass);
    set(victim, kHolds, nonzero_amounts(catalog, job.alloc));
    set(victim, kBorrowed, amounts(catalog, job.alloc, cycle.running_verdicts[v].excess_mask));
  } else {
    victim = job_identity(config, victim_id, kNoTeam, kNoClass);
  }
  set(r.get(), kVictim, victim);

  json_t* preemptor = job_identity(config, by.id, by.team, by.klass);
  uint32_t p = cycle.pending_index.find(by.id);
  ResourceVector asks;
  if (p != JobIndex::kAbsent)
    set(preemptor, kAsks, nonzero_amounts(catalog, cycle.pending[p].req));
  else if (!by.tres.empty() && parse_tres(by.tres, catalog, &asks))
    set(preemptor, kAsks, nonzero_amounts(catalog, asks));
  set(r.get(), kPreemptor, preemptor);
  set(r.get(), kTeams, teams_numbers(cycle, {victim_team, by.team}));
  return dump(r);
}

namespace {

std::string text_of(const json_t* object, const char* key) {
  const char* value = json_string_value(json_object_get(object, key));
  return value ? value : "";
}

RecordedAmounts member_amounts(const json_t* object, const char* key) {
  RecordedAmounts out;
  const char* name;
  json_t* value;
  json_object_foreach(json_object_get(object, key), name, value) {
    if (json_is_integer(value)) out[name] = json_integer_value(value);
  }
  return out;
}

}  // namespace

bool parse_preemption(const std::string& line, uint32_t job, RecordedPreemption* out) {
  // Most lines are other records: skip them before decoding.
  if (line.find(std::string("\"") + kPreemptionEvent + "\"") == std::string::npos) return false;
  JsonPtr record(json_loads(line.c_str(), 0, nullptr), &json_decref);
  if (!record || text_of(record.get(), kEvent) != kPreemptionEvent) return false;
  const json_t* victim = json_object_get(record.get(), kVictim);
  const json_t* preemptor = json_object_get(record.get(), kPreemptor);
  if (static_cast<uint32_t>(json_integer_value(json_object_get(victim, kJob))) != job) return false;
  RecordedPreemption p;
  p.time = text_of(record.get(), kTime);
  p.mode = text_of(record.get(), kMode);
  p.reason = text_of(record.get(), kReason);
  p.by = text_of(record.get(), kBy);
  p.victim = job;
  p.victim_team = text_of(victim, kTeam);
  p.victim_holds = member_amounts(victim, kHolds);
  p.victim_borrowed = member_amounts(victim, kBorrowed);
  p.preemptor = static_cast<uint32_t>(json_integer_value(json_object_get(preemptor, kJob)));
  p.preemptor_team = text_of(preemptor, kTeam);
  p.preemptor_class = text_of(preemptor, kClass);
  p.preemptor_asks = member_amounts(preemptor, kAsks);
  const char* name;
  json_t* numbers;
  json_object_foreach(json_object_get(record.get(), kTeams), name, numbers) {
    RecordedTeam& team = p.teams[name];
    team.quota = member_amounts(numbers, kQuota);
    team.used = member_amounts(numbers, kUsed);
    team.borrowed = member_amounts(numbers, kBorrowed);
    team.lent = member_amounts(numbers, kLent);
    team.limit = member_amounts(numbers, kLimit);
  }
  *out = std::move(p);
  return true;
}

}  // namespace taskgov::audit
