// SPDX-License-Identifier: GPL-2.0-or-later
// The policy model: taskgov.json as plain data, and the parser's error type.
// Every field keeps its documented default; parse_policy() fills them from the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/resources.h"

namespace taskgov {

enum class Admission { Fcfs, TaskRanking };
enum class IdleCompute { FairShare, Fcfs };
enum class Mode { Enforce, Shadow };
enum class UnmappedAccounts { Reject, Allow };
enum class PreemptMode { Requeue, Cancel };
enum class Sharing { Lend, DontLend, LendAndBorrow };
enum class PreemptTeamTasks { LowerPriority, Never };

// Where a value sits in the policy file, for error messages that point at it.
struct SourceLocation {
  std::string path;  // JSON path: "teams[2].quota[0].count"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based
};

struct PolicyError {
  std::string file;
  SourceLocation where;
  std::string message;  // what was expected and how to fix it
  // "taskgov.json:12:20: teams[0].quota[1].count: expected ..."
  std::string to_string() const;
};

struct PriorityClass {
  std::string name;  // also the name of a Slurm QOS
  int weight = 0;    // 0-100; higher runs and preempts first
};

// One quota (or absolute borrow limit) entry, as written; quota.cpp resolves it against the
// inventory into amounts per resource.
struct QuotaEntry {
  enum class Kind { InstanceCount, InstanceAccelerators, Gres, CpuMemory };
  Kind kind = Kind::CpuMemory;
  std::string instance_type;           // InstanceCount, InstanceAccelerators
  std::string gres;                    // Gres: "gpu:h100", "neuron"
  Amount count = 0;                    // nodes, accelerators or GRES units
  std::optional<Amount> cpus;          // explicit, else proportional for accelerator entries
  std::optional<Amount> memory_mib;    // explicit, else proportional for accelerator entries
  SourceLocation where;
};

struct Team {
  std::string name;
  std::string account;  // Slurm account; its sub-accounts belong to the team too
  int fair_share_weight = 1;
  Sharing sharing = Sharing::LendAndBorrow;
  int borrow_limit_percent = 50;
  std::vector<QuotaEntry> absolute_borrow_limits;  // optional extra caps
  PreemptTeamTasks preempt_team_tasks = PreemptTeamTasks::LowerPriority;
  std::vector<QuotaEntry> quota;
  SourceLocation where;
};

struct ClusterSettings {
  std::vector<PriorityClass> priority_classes;
  Admission admission = Admission::Fcfs;
  IdleCompute idle_compute = IdleCompute::FairShare;
  bool share_unassigned = true;
  Mode mode = Mode::Enforce;
  UnmappedAccounts unmapped_accounts = UnmappedAccounts::Reject;
  bool proportional_defaults = true;
  // Write CPU and memory quotas that the proportional rule derived into GrpTRES too, so that
  // CPU-only jobs of other teams cannot fill the GPU nodes' CPUs and strand their GPUs. Off by
  // default: Slurm then names the CPU limit, not the GPU one, when both hold a job back.
  bool enforce_derived = false;
  PreemptMode preempt_mode = PreemptMode::Requeue;
  int cycle_seconds = 5;
  std::string audit_log;  // empty: next to slurmctld's log (decided by the plugin)
};

struct Policy {
  std::string file;  // where it was read from, for messages
  ClusterSettings cluster;
  std::vector<Team> teams;

  int find_team(std::string_view name) const;                  // -1 when absent
  int find_team_by_account(std::string_view account) const;    // exact account match, -1
  int find_class(std::string_view name) const;                  // -1 when absent
  int lowest_class() const;                                     // class a job without --qos gets
};

// The spelling taskgov.json uses for a setting ("task-ranking", "lend-and-borrow").
std::string_view name_of(Admission value);
std::string_view name_of(IdleCompute value);
std::string_view name_of(Mode value);
std::string_view name_of(UnmappedAccounts value);
std::string_view name_of(PreemptMode value);
std::string_view name_of(Sharing value);
std::string_view name_of(PreemptTeamTasks value);

// Parses taskgov.json text. On failure returns false and fills *error with file, line,
// column, JSON path and a message that says what was expected and how to fix it.
bool parse_policy(std::string_view text, const std::string& file, Policy* policy,
                  PolicyError* error);
// Reads and parses a file; an unreadable file is an error naming the file and errno text.
bool load_policy_file(const std::string& file, Policy* policy, PolicyError* error);

}  // namespace taskgov
