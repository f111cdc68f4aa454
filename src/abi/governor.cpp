// SPDX-License-Identifier: GPL-2.0-or-later
#include "abi/governor.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "audit/admin_comment.h"
#include "policy/slurm_strings.h"

namespace taskgov {

namespace {

// A value cut short would be a different request (a GRES list missing items, a stamp missing
// its end): refuses the job rather than hand Slurm a truncated value.
void refuse_what_does_not_fit(const Governor::FieldRoom& room, SubmitDecision* d) {
  if (d->outcome != SubmitOutcome::Accept) return;
  struct Field {
    const char* option;
    const std::string* value;
    size_t room;
    SubmitOutcome outcome;
    const char* fix;
  };
  static const char kGresFix[] = "ask with fewer, larger items (gres:gpu:h100:4 rather than four of gres:gpu:h100:1)";
  auto optional = [](const std::optional<std::string>& v) { return v ? &*v : nullptr; };
  const Field fields[] = {
      {"QOS", &d->qos, room.qos, SubmitOutcome::InvalidQos, "ask your admin for a shorter priority class name"},
      {"AdminComment", &d->admin_comment, room.admin_comment, SubmitOutcome::AccountingPolicy,
       "shorten the job's AdminComment"},
      {"tres_per_job (--gpus)", optional(d->tres_per_job), room.tres_per_job, SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_node (--gres, --gpus-per-node)", optional(d->tres_per_node), room.tres_per_node,
       SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_task (--gpus-per-task)", optional(d->tres_per_task), room.tres_per_task,
       SubmitOutcome::InvalidGres, kGresFix},
      {"tres_per_socket (--gpus-per-socket)", optional(d->tres_per_socket), room.tres_per_socket,
       SubmitOutcome::InvalidGres, kGresFix},
      {"cpus_per_tres (--cpus-per-gpu)", optional(d->cpus_per_tres), room.cpus_per_tres, SubmitOutcome::InvalidGres,
       "give --cpus-per-gpu yourself"},
      {"mem_per_tres (--mem-per-gpu)", optional(d->mem_per_tres), room.mem_per_tres, SubmitOutcome::InvalidGres,
       "give --mem-per-gpu yourself"},
  };
  for (const Field& f : fields) {
    if (!f.value || f.value->size() <= f.room) continue;
    d->outcome = f.outcome;
    d->message = fmt::format("taskgov: the job's {} would become {} characters, more than the {} "
                             "taskgov can set: {}...; {}", f.option, f.value->size(), f.room,
                             f.value->substr(0, 40), f.fix);
    return;
  }
}

}  // namespace

Governor::Governor() {
  audit_.set_reporter([this](bool trouble, const std::string& message) {
    std::lock_guard<std::mutex> lock(reporter_lock_);
    if (reporter_) reporter_(trouble, message);
  });
}

void Governor::defer_record(std::string record) {
  std::lock_guard<std::mutex> lock(audit_lock_);
  deferred_records_.push_back(std::move(record));
}

void Governor::defer_refusal(const std::string& file, const std::string& error) {
  std::lock_guard<std::mutex> lock(audit_lock_);
  deferred_refusals_.push_back({file, error});
}

void Governor::configure_audit(const std::string& slurmctld_log_file, Reporter report) {
  {
    std::lock_guard<std::mutex> lock(audit_lock_);
    default_audit_path_ = default_audit_log_path(slurmctld_log_file);
  }
  std::lock_guard<std::mutex> lock(reporter_lock_);
  reporter_ = std::move(report);
}

std::unique_ptr<Governor::ReadPolicy> Governor::read_policy(const std::string& path, std::string* error) {
  auto read = std::make_unique<ReadPolicy>();
  read->path = path;
  PolicyError failure;
  if (!load_policy_file(path, &read->policy, &failure)) {
    *error = failure.to_string();
    defer_refusal(path, *error);
    return nullptr;
  }
  return read;
}

bool Governor::install_policy(ReadPolicy read, const Inventory& inventory, std::string* error) {
  PolicyError failure;
  if (!engine_.set_policy(std::move(read.policy), inventory, &failure)) {
    *error = failure.to_string();
    defer_refusal(read.path, *error);
    return false;
  }
  std::atomic_store(&config_, engine_.config());
  defer_record(audit::policy_loaded(*engine_.config(), ++generation_));
  return true;
}

void Governor::reopen_audit() {
  const std::shared_ptr<const EngineConfig> in_force = config();
  std::vector<std::string> records;
  std::string path;
  {
    std::lock_guard<std::mutex> lock(audit_lock_);
    for (const Refusal& refusal : deferred_refusals_)
      records.push_back(audit::policy_refused(refusal.file, refusal.error, in_force.get()));
    deferred_refusals_.clear();
    records.insert(records.end(), deferred_records_.begin(), deferred_records_.end());
    deferred_records_.clear();
    path = in_force && !in_force->policy.cluster.audit_log.empty() ? in_force->policy.cluster.audit_log
                                                                   : default_audit_path_;
    // A refusal before any policy goes to the default log; later ones to the log in force.
    if (!in_force && !audit_path_.empty()) path = audit_path_;
    audit_path_ = path;
  }
  audit_.open(path);
  for (const std::string& record : records) audit_.write(record);
}

bool Governor::load_policy(const std::string& path, const Inventory& inventory, std::string* error) {
  std::unique_ptr<ReadPolicy> read = read_policy(path, error);
  bool installed = read && install_policy(std::move(*read), inventory, error);
  reopen_audit();
  return installed;
}

Governor::CycleInput Governor::begin_cycle(int64_t now) const {
  CycleInput input;
  input.config = config();
  input.snapshot.now = now;
  input.previous = last_published_;
  input.audit = audit_.is_open();
  return input;
}

Governor::CycleOutput Governor::compute_cycle(CycleInput input) {
  CycleOutput out;
  out.result = taskgov::compute_cycle(input.config, std::move(input.snapshot));
  // Here, unlocked, rather than at publication under the job lock.
  if (input.audit) out.records = audit::cycle_changes(input.previous.get(), *out.result);
  return out;
}

bool Governor::publish(CycleOutput* cycle) {
  cycle->published = engine_.publish(cycle->result);
  if (cycle->published) last_published_ = cycle->result;
  return cycle->published;
}

void Governor::finish(const CycleOutput& cycle) {
  if (!cycle.published) return;
  for (const std::string& record : cycle.records) audit_.write(record);
}

Governor::Submission Governor::decide_submission(const std::vector<std::string>& lineage, SubmitRequest request,
                                                 const audit::Submitter& who, const FieldRoom& room) const {
  Submission out;
  const std::shared_ptr<const EngineConfig> in_force = config();
  if (!in_force) {
    out.no_policy = true;
    return out;
  }
  out.shadow = in_force->policy.cluster.mode == Mode::Shadow;
  out.team = request.team = engine_.team_for_lineage(lineage);
  if (out.team < 0) {
    out.decision.outcome = unmapped_outcome(*in_force);
    if (out.decision.outcome == SubmitOutcome::InvalidAccount)
      out.decision.message = unmapped_account_message(*in_force, request.account);
    audit_.write(audit::submission(*in_force, who, kNoTeam, nullptr));
    return out;
  }
  out.decision = taskgov::decide_submission(*in_force, engine_.result().get(), request);
  refuse_what_does_not_fit(room, &out.decision);
  audit_.write(audit::submission(*in_force, who, out.team, &out.decision));
  return out;
}

int Governor::association_team(uint32_t assoc_id) const {
  const uint64_t in_force = generation();
  if (!in_force) return AssociationTeams::kUnknown;
  return engine_.shim_memory_view().association_teams.team(assoc_id, in_force);
}

void Governor::remember_association_team(uint32_t assoc_id, int team) {
  engine_.shim_memory().association_teams.remember(assoc_id, generation(), team);
}

bool Governor::shadow_limit_news(int team, std::vector<uint64_t>* limit) {
  const std::shared_ptr<const CycleResult> cycle = engine_.result();
  limit->clear();
  if (!cycle || team < 0 || static_cast<size_t>(team) >= cycle->teams.size()) return false;
  const ResourceVector& amounts = cycle->teams[static_cast<size_t>(team)].limit;
  for (int r = 0; r < cycle->config->resources(); ++r) limit->push_back(static_cast<uint64_t>(std::max<Amount>(0, amounts[r])));
  return engine_.shim_memory().shadow_limits.is_news(team, generation(), *limit);
}

void Governor::record_preemption(uint32_t victim_id, const audit::Preemptor& preemptor, PreemptReason reason,
                                 audit::PreemptionPath path) const {
  const std::shared_ptr<const CycleResult> cycle = engine_.result();
  if (cycle) audit_.write(audit::preemption(*cycle, victim_id, preemptor, reason, path));
}

std::string Governor::borrowed_field(uint32_t job_id) const {
  const std::shared_ptr<const CycleResult> cycle = engine_.result();
  uint32_t i = cycle ? cycle->running_index.find(job_id) : JobIndex::kAbsent;
  if (i == JobIndex::kAbsent) return "";
  const uint32_t mask = cycle->running_verdicts[i].excess_mask;
  std::vector<std::pair<std::string, Amount>> items;
  for (int r = 0; r < cycle->config->resources(); ++r)
    if ((mask & (1u << r)) && cycle->running[i].alloc[r] > 0)
      items.emplace_back(cycle->config->resolved.catalog.name(r), cycle->running[i].alloc[r]);
  return taskgov::borrowed_field(items);
}

}  // namespace taskgov
