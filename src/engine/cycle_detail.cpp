// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/cycle_detail.h"

#include <array>

namespace taskgov::detail {

// Bytes on which every key agrees (most of the class and share-rank bytes) cost no pass. A
// comparison sort of 10k keys spent most of its time on mispredicted branches.
void radix_sort_above_position(std::vector<Key128>* keys) {
  constexpr int kFirstByte = 4, kBytes = 16;
  const size_t count = keys->size();
  auto byte = [](Key128 key, int b) { return static_cast<uint8_t>(static_cast<uint64_t>(key >> (8 * b))); };
  std::vector<std::array<uint32_t, 256>> counts(kBytes - kFirstByte);
  for (auto& c : counts) c.fill(0);
  for (Key128 key : *keys)
    for (int b = kFirstByte; b < kBytes; ++b) ++counts[b - kFirstByte][byte(key, b)];
  std::vector<Key128> buffer(count);
  std::vector<Key128>* from = keys;
  std::vector<Key128>* to = &buffer;
  for (int b = kFirstByte; b < kBytes; ++b) {
    std::array<uint32_t, 256>& c = counts[b - kFirstByte];
    if (count == 0 || c[byte((*from)[0], b)] == count) continue;  // all keys agree here
    uint32_t offset = 0;
    for (uint32_t& slot : c) {
      uint32_t n = slot;
      slot = offset;
      offset += n;
    }
    for (Key128 key : *from) (*to)[c[byte(key, b)]++] = key;
    std::swap(from, to);
  }
  if (from != keys) *keys = std::move(*from);
}

bool pack_victim_key(const VictimRank& rank, uint32_t position, Key128* key) {
  if (rank.start_time < 0 || rank.start_time > int64_t{UINT32_MAX} || rank.class_weight < INT16_MIN ||
      rank.class_weight > INT16_MAX || rank.team_share_rank > UINT16_MAX)
    return false;
  const auto weight = static_cast<uint16_t>(rank.class_weight);
  uint64_t hi = (static_cast<uint64_t>(weight ^ 0x8000u) << 48) | (static_cast<uint64_t>(rank.team_share_rank) << 32) |
                (UINT32_MAX - static_cast<uint32_t>(rank.start_time));
  uint64_t lo = (static_cast<uint64_t>(UINT32_MAX - rank.id) << 32) | position;
  *key = (static_cast<Key128>(hi) << 64) | lo;
  return true;
}

bool pack_team_demand_key(const TeamPendingRank& rank, uint32_t position, Key128* key) {
  if (rank.team < 0 || rank.team >= (1 << 24) || rank.submit_time < 0 || rank.submit_time > int64_t{UINT32_MAX})
    return false;
  uint64_t hi = (static_cast<uint64_t>(rank.team) << 40) | (static_cast<uint64_t>(UINT8_MAX - rank.class_rank) << 32) |
                static_cast<uint32_t>(rank.submit_time);
  uint64_t lo = (static_cast<uint64_t>(rank.id) << 32) | position;
  *key = (static_cast<Key128>(hi) << 64) | lo;
  return true;
}

}  // namespace taskgov::detail
