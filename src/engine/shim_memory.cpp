// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/shim_memory.h"

#include <algorithm>

namespace taskgov {

uint64_t AssociationTeams::pack(uint32_t assoc_id, uint64_t generation, int team) {
  return (uint64_t{assoc_id} << 32) | ((generation & 0xFFFFF) << 12) |
         static_cast<uint64_t>(team + 2);
}

int AssociationTeams::team(uint32_t assoc_id, uint64_t generation) const {
  uint64_t slot = slots_[assoc_id % kSlots].load(std::memory_order_relaxed);
  int team = static_cast<int>(slot & 0xFFF) - 2;
  if (team < -1 || slot != pack(assoc_id, generation, team)) return kUnknown;
  return team;
}

void AssociationTeams::remember(uint32_t assoc_id, uint64_t generation, int team) {
  if (team < -1 || team > kMaxTeam) return;
  slots_[assoc_id % kSlots].store(pack(assoc_id, generation, team), std::memory_order_relaxed);
}

bool TrailPushes::first_push(uint32_t job_id, uint64_t db_index) {
  std::lock_guard<std::mutex> guard(lock_);
  auto it = pushed_.find(job_id);
  if (it != pushed_.end() && it->second == db_index) return false;
  if (it == pushed_.end() && pushed_.size() >= kMaxJobs) pushed_.clear();
  pushed_[job_id] = db_index;
  return true;
}

bool SettlingPreemptors::settling(uint32_t job_id, int64_t now) {
  std::lock_guard<std::mutex> guard(lock_);
  auto it = until_.find(job_id);
  return it != until_.end() && now < it->second;
}

void SettlingPreemptors::acted(uint32_t job_id, int64_t until, int64_t now) {
  std::lock_guard<std::mutex> guard(lock_);
  for (auto it = until_.begin(); it != until_.end();)
    it = (it->second <= now) ? until_.erase(it) : std::next(it);
  until_[job_id] = until;
}

bool ShadowLimitLog::is_news(int team, uint64_t generation, const std::vector<uint64_t>& limit) {
  std::lock_guard<std::mutex> guard(lock_);
  // Team indices belong to one policy: a new policy's limits are all news.
  if (generation != generation_) {
    logged_.clear();
    generation_ = generation;
  }
  auto& logged = logged_[team];
  if (logged == limit) return false;
  logged = limit;
  return true;
}

void LimitedAccounts::add(const std::string& account) {
  std::lock_guard<std::mutex> guard(lock_);
  if (std::find(accounts_.begin(), accounts_.end(), account) == accounts_.end())
    accounts_.push_back(account);
}

void LimitedAccounts::remove(const std::string& account) {
  std::lock_guard<std::mutex> guard(lock_);
  accounts_.erase(std::remove(accounts_.begin(), accounts_.end(), account), accounts_.end());
}

std::vector<std::string> LimitedAccounts::all() const {
  std::lock_guard<std::mutex> guard(lock_);
  return accounts_;
}

void PinnedAccounts::pin(const std::string& account, Pin pin) {
  std::lock_guard<std::mutex> guard(lock_);
  pins_[account] = pin;
  count_.store(pins_.size(), std::memory_order_relaxed);
}

bool PinnedAccounts::find(const std::string& account, Pin* out) const {
  std::lock_guard<std::mutex> guard(lock_);
  auto it = pins_.find(account);
  if (it == pins_.end()) return false;
  *out = it->second;
  return true;
}

void PinnedAccounts::unpin(const std::string& account) {
  std::lock_guard<std::mutex> guard(lock_);
  pins_.erase(account);
  count_.store(pins_.size(), std::memory_order_relaxed);
}

std::vector<std::string> PinnedAccounts::accounts() const {
  std::lock_guard<std::mutex> guard(lock_);
  std::vector<std::string> out;
  for (const auto& [account, pin] : pins_) out.push_back(account);
  return out;
}

}  // namespace taskgov
