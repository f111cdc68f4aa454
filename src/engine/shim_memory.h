// SPDX-License-Identifier: GPL-2.0-or-later
// What the plugins did or saw between two of slurmctld's calls, remembered here so that each
// plugin stays as stateless as Slurm's own (preempt/qos keeps nothing between calls): one place
// for each table's size and forgetting rule, testable without slurmctld. Every member is safe
// to call from several slurmctld threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace taskgov {

// The team of an association under one policy generation. Finding it walks slurmctld's
// association tree; the answer holds until the policy changes. Lock-free, because every job
// of every cycle and every submission asks: one packed word per slot, direct-mapped by
// association id (ids are small consecutive integers), so a collision only costs a walk.
class AssociationTeams {
 public:
  static constexpr int kUnknown = INT32_MIN;
  int team(uint32_t assoc_id, uint64_t generation) const;  // kUnknown when not remembered
  void remember(uint32_t assoc_id, uint64_t generation, int team);

  // Packing: association id (32 bits), generation modulo 2^20, team + 2 (12 bits; 0 = empty).
  static constexpr int kMaxTeam = (1 << 12) - 3;
  static constexpr size_t kSlots = 4096;

 private:
  static uint64_t pack(uint32_t assoc_id, uint64_t generation, int team);
  std::atomic<uint64_t> slots_[kSlots] = {};
};

// Database records of a job whose AdminComment was sent. slurmctld sends AdminComment to
// slurmdbd only when a job ends, and a requeued job starts a new record without it.
class TrailPushes {
 public:
  // True the first time (job, record) is asked: send it now.
  bool first_push(uint32_t job_id, uint64_t db_index);
  // A second push of a forgotten record only sends the same comment again: bounded by
  // forgetting everything past this many jobs.
  static constexpr size_t kMaxJobs = 65536;

 private:
  std::mutex lock_;
  std::unordered_map<uint32_t, uint64_t> pushed_;
};

// Preemptors the cycle preempted for: until their victims have had their grace time and
// released their nodes, more victims for the same job would be wasted.
class SettlingPreemptors {
 public:
  bool settling(uint32_t job_id, int64_t now);
  void acted(uint32_t job_id, int64_t until, int64_t now);

 private:
  std::mutex lock_;
  std::unordered_map<uint32_t, int64_t> until_;
};

// A team's limit as last logged in shadow mode: each change is logged once, not every cycle.
class ShadowLimitLog {
 public:
  // True when `limit` differs from what was last logged for the team under this generation.
  bool is_news(int team, uint64_t generation, const std::vector<uint64_t>& limit);

 private:
  std::mutex lock_;
  uint64_t generation_ = 0;
  std::unordered_map<int, std::vector<uint64_t>> logged_;
};

// Accounts whose GrpTRES taskgov changed, so it can give the administrator's values back
// (policy no longer naming the account, plugin unloaded).
class LimitedAccounts {
 public:
  void add(const std::string& account);
  void remove(const std::string& account);
  std::vector<std::string> all() const;

 private:
  mutable std::mutex lock_;
  std::vector<std::string> accounts_;
};

// Team accounts whose GrpJobs taskgov pinned at their running count (engine/blocked_teams.h),
// with the administrator's value to give back.
class PinnedAccounts {
 public:
  struct Pin {
    uint32_t admin = 0;   // GrpJobs before the pin (INFINITE for none)
    uint32_t pinned = 0;  // the value taskgov wrote
  };
  void pin(const std::string& account, Pin pin);
  bool find(const std::string& account, Pin* out) const;
  void unpin(const std::string& account);
  std::vector<std::string> accounts() const;
  // Lock-free: asked at every job's end.
  bool any() const { return count_.load(std::memory_order_relaxed) != 0; }

 private:
  mutable std::mutex lock_;
  std::unordered_map<std::string, Pin> pins_;
  std::atomic<size_t> count_{0};
};

struct ShimMemory {
  AssociationTeams association_teams;
  TrailPushes trail_pushes;
  SettlingPreemptors settling_preemptors;
  ShadowLimitLog shadow_limits;
  LimitedAccounts limited_accounts;
  PinnedAccounts pinned_accounts;
};

}  // namespace taskgov
