// SPDX-License-Identifier: GPL-2.0-or-later
// Speed, not rules: how the cycle sorts 100k jobs and judges repeated requests once. The
// orders themselves are the comparators of engine/ordering.h; these keys sort the same way
// (test_ordering checks it).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/ordering.h"
#include "policy/resources.h"

namespace taskgov::detail {

// 96 bits of order above 32 bits of position in the input.
using Key128 = unsigned __int128;
inline uint32_t position_of(Key128 key) { return static_cast<uint32_t>(key); }
inline uint64_t high_half(Key128 key) { return static_cast<uint64_t>(key >> 64); }

// Sorts keys by their upper 96 bits, equal ones keeping input order: an LSD radix sort by
// bytes, stable, so exactly what a full comparison sort of the keys gives.
void radix_sort_above_position(std::vector<Key128>* keys);

// The victim order (preempted_before) packed: class weight (16 bits), share rank (16), start
// time reversed (32), id reversed (32), position. False when a field does not fit (class
// weights outside int16, start times outside 0..2^32-1, 65536 share ranks or more).
bool pack_victim_key(const VictimRank& rank, uint32_t position, Key128* key);

// Each team's own order (team_demand_before) packed: team (24 bits), class rank reversed (8),
// submit time (32), id (32), position. False when a field does not fit.
bool pack_team_demand_key(const TeamPendingRank& rank, uint32_t position, Key128* key);
// The team a packed team-demand key holds, without a trip to the job.
inline int32_t team_of_key(Key128 key) { return static_cast<int32_t>(high_half(key) >> 40); }

// Pending jobs repeat themselves: job arrays and the proportional CPU/memory defaults give
// thousands of jobs the same team and request, hence the same verdict. Judging each distinct
// (team, request) once per cycle instead of once per job was the largest single saving in a
// 100k-job cycle. Bounded: past kMaxEntries distinct requests, the rest are judged one by one.
template <typename Verdict>
class RequestMemo {
 public:
  explicit RequestMemo(int n) : n_(n), slots_(kSlots, kEmpty) {}

  // The cached verdict, or nullptr; *hash is for insert().
  const Verdict* find(int32_t team, const ResourceVector& req, uint64_t* hash) const {
    // Independent products (no chain from one resource to the next), then one mix.
    uint64_t h = static_cast<uint64_t>(static_cast<uint32_t>(team)) * 0x9E3779B97F4A7C15ull;
    for (int r = 0; r < n_; ++r) h += static_cast<uint64_t>(req[r]) * kMultipliers[r];
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    *hash = h;
    for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
      uint32_t e = slots_[i];
      if (e == kEmpty) return nullptr;
      const Entry& entry = entries_[e];
      if (entry.hash == h && entry.team == team && same(e, req)) return &entry.verdict;
    }
  }

  bool full() const { return entries_.size() >= kMaxEntries; }

  void insert(uint64_t hash, int32_t team, const ResourceVector& req, const Verdict& v) {
    if (entries_.size() >= kMaxEntries) return;
    size_t i = hash & (kSlots - 1);
    while (slots_[i] != kEmpty) i = (i + 1) & (kSlots - 1);
    slots_[i] = static_cast<uint32_t>(entries_.size());
    entries_.push_back({hash, team, v});
    for (int r = 0; r < n_; ++r) amounts_.push_back(req[r]);
  }

 private:
  // Odd 64-bit constants (splitmix64 outputs with the low bit set), one per resource.
  static constexpr uint64_t kMultipliers[kMaxResources] = {
      0x97a5a2c59678e789ull, 0x3011f49585619671ull, 0x56a1aa1a79e6428full, 0xcd36ffdd9bc0fde5ull,
      0xf51ae84e6404a241ull, 0x598e013afac575f3ull, 0xc242770ba41eb00dull, 0x6df78e9e6eae66cdull,
      0x58a0e6be5085849full, 0x65e0c8664dd6c137ull, 0xe1980e2e66187ca7ull, 0x4a7cce460c2b9aa7ull,
      0x20f2863eef1e53c9ull, 0xa1fd4df40064294dull, 0x729ddb9d7a8b1965ull, 0x2af63d24ede9a149ull};
  static constexpr size_t kSlots = 8192;
  static constexpr size_t kMaxEntries = kSlots / 2;
  static constexpr uint32_t kEmpty = UINT32_MAX;

  struct Entry {
    uint64_t hash;
    int32_t team;
    Verdict verdict;
  };

  bool same(uint32_t e, const ResourceVector& req) const {
    const Amount* a = &amounts_[static_cast<size_t>(e) * static_cast<size_t>(n_)];
    for (int r = 0; r < n_; ++r)
      if (a[r] != req[r]) return false;
    return true;
  }

  int n_;
  std::vector<uint32_t> slots_;  // entry index or kEmpty
  std::vector<Entry> entries_;
  std::vector<Amount> amounts_;  // n per entry: the request it was judged for
};

}  // namespace taskgov::detail
