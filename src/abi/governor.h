// SPDX-License-Identifier: GPL-2.0-or-later
// The process-wide service the three plugins share inside slurmctld: the engine, the audit log
// its decisions go to, the policy generation and the last published cycle. src/abi/capi.cpp
// is a thin C face over it; everything here may throw, the C face catches.
//
// Locking is the caller's (see taskgov.h): the engine is read under slurmctld's job lock and
// written under its write lock; config() and generation() may be read with no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_records.h"
#include "engine/engine.h"
#include "engine/submission.h"

namespace taskgov {

class Governor {
 public:
  Governor();

  Engine& engine() { return engine_; }
  const Engine& engine() const { return engine_; }

  // ---- policy: read with no lock, install under the job write lock, reopen with no lock.
  struct ReadPolicy {
    std::string path;
    Policy policy;
  };
  // Null with `error` ("FILE:LINE:COLUMN: PATH: message") when the file is refused.
  std::unique_ptr<ReadPolicy> read_policy(const std::string& path, std::string* error);
  // Resolves and installs; no file I/O, no thread joined. The last good policy stays on failure.
  bool install_policy(ReadPolicy read, const Inventory& inventory, std::string* error);
  // Opens the log the policy in force names and writes the records the two steps above queued.
  void reopen_audit();
  // The three steps, for a caller that holds no lock.
  bool load_policy(const std::string& path, const Inventory& inventory, std::string* error);
  // The config in force, safe to keep while a reconfigure swaps it; null before the first load.
  std::shared_ptr<const EngineConfig> config() const { return std::atomic_load(&config_); }
  // Increases with every successful install.
  uint64_t generation() const { return generation_.load(); }

  // ---- the audit log
  using Reporter = std::function<void(bool trouble, const std::string& message)>;
  // Where the log goes when the policy names none, and who hears of its trouble (an empty
  // `report` clears it, waiting for a report in progress).
  void configure_audit(const std::string& slurmctld_log_file, Reporter report);

  // ---- a cycle: begin under the job lock, compute unlocked, publish under the write lock,
  // finish unlocked.
  struct CycleInput {
    std::shared_ptr<const EngineConfig> config;  // null: no policy, no cycle
    Snapshot snapshot;
    std::shared_ptr<const CycleResult> previous;  // what the records compare against
    bool audit = false;
  };
  struct CycleOutput {
    std::shared_ptr<const CycleResult> result;
    std::vector<std::string> records;
    bool published = false;
  };
  CycleInput begin_cycle(int64_t now) const;
  static CycleOutput compute_cycle(CycleInput input);
  // False when the policy changed since the snapshot: the decisions are dropped.
  bool publish(CycleOutput* cycle);
  // Writes a published cycle's records.
  void finish(const CycleOutput& cycle);

  // ---- submit and update time
  // How long each value the plugin sets on the job may be (its buffers, less the NUL).
  struct FieldRoom {
    size_t qos, admin_comment, tres_per_job, tres_per_node, tres_per_task, tres_per_socket,
        cpus_per_tres, mem_per_tres;
  };
  struct Submission {
    bool no_policy = false;  // nothing loaded: leave the job alone
    bool shadow = false;
    int32_t team = kNoTeam;
    SubmitDecision decision;
  };
  // Decides and records. An account no team owns gets unmapped_outcome(); a value longer
  // than its room refuses the job rather than reach Slurm cut short.
  Submission decide_submission(const std::vector<std::string>& lineage, SubmitRequest request,
                               const audit::Submitter& who, const FieldRoom& room) const;

  // ---- what the shims remember between slurmctld's calls (engine/shim_memory.h), keyed on
  // the policy generation where team indices matter.
  // The team remembered for an association under the policy in force, else
  // AssociationTeams::kUnknown (also before any policy).
  int association_team(uint32_t assoc_id) const;
  void remember_association_team(uint32_t assoc_id, int team);
  // Shadow mode: true when the team's limit in the last cycle differs from the one last
  // logged. `limit` gets that limit whenever the last cycle knows the team.
  bool shadow_limit_news(int team, std::vector<uint64_t>* limit);

  // ---- preemptions
  void record_preemption(uint32_t victim_id, const audit::Preemptor& preemptor, PreemptReason reason,
                         audit::PreemptionPath path) const;
  // "borrowed=..." for a running job of the last cycle; empty when it borrows nothing.
  std::string borrowed_field(uint32_t job_id) const;

 private:
  void defer_record(std::string record);
  void defer_refusal(const std::string& file, const std::string& error);

  Engine engine_;
  std::atomic<uint64_t> generation_{0};
  // Each reader holds its own copy, so a reconfigure swapping the policy cannot free it under
  // readers outside the job lock (the cycle thread asks before it locks).
  std::shared_ptr<const EngineConfig> config_;
  // The audit writer thread reports through a function of priority_taskgov.so, which slurmctld
  // unloads on an HA handover while the other plugins keep the engine: that plugin's fini
  // clears it, and this lock makes the clearing wait for a report in progress. Declared before
  // `audit_` so that they outlive its writer thread.
  std::mutex reporter_lock_;
  Reporter reporter_;
  // Internally synchronised: written from readers of the engine (submissions, preemptions).
  mutable AuditLog audit_;
  // Where the log is open, and records waiting for reopen_audit(): opening a new path joins
  // the old writer thread, which must not happen under slurmctld's locks.
  std::mutex audit_lock_;
  std::string audit_path_;
  std::string default_audit_path_ = default_audit_log_path("");
  std::vector<std::string> deferred_records_;
  // A refusal's record names the policy that stays in force, known only once the load is over:
  // a slurmctld that restarts with a bad file falls back on the last good copy after the refusal.
  struct Refusal {
    std::string file, error;
  };
  std::vector<Refusal> deferred_refusals_;
  // Unlike the engine's result, it survives a policy reload: the limits and bands a reload
  // moves are decisions to record too.
  std::shared_ptr<const CycleResult> last_published_;
};

}  // namespace taskgov
