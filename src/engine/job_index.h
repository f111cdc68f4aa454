// SPDX-License-Identifier: GPL-2.0-or-later
// Job id -> position in a cycle's job list, rebuilt every cycle for 100k+ jobs. A flat array
// when the ids are dense (the usual case), else an open-addressing table in one flat array:
// built in well under a millisecond and looked up in a few nanoseconds, where a node-based
// std::unordered_map allocates once per job each cycle.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace taskgov {

class JobIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  void build(const std::vector<uint32_t>& ids) {
    dense_.clear();
    slots_.clear();
    if (ids.empty()) return;
    // Slurm hands out job ids in increasing order, so a cycle's ids usually sit in a range
    // not much wider than their count: then a flat array indexed by id - lowest is built by
    // sequential writes and answers with one load. Sparse ids fall back to the hash table.
    auto [lo, hi] = std::minmax_element(ids.begin(), ids.end());
    uint64_t range = uint64_t{*hi} - *lo + 1;
    if (range <= 4 * uint64_t{ids.size()} + 64) {
      base_ = *lo;
      dense_.assign(range, kAbsent);
      for (uint32_t pos = 0; pos < ids.size(); ++pos) dense_[ids[pos] - base_] = pos;
      return;
    }
    size_t size = 16;
    while (size < ids.size() * 2) size <<= 1;
    mask_ = size - 1;
    slots_.assign(size, Slot{0, kAbsent});
    for (uint32_t pos = 0; pos < ids.size(); ++pos) {
      size_t i = home(ids[pos]);
      while (slots_[i].pos != kAbsent && slots_[i].id != ids[pos]) i = (i + 1) & mask_;
      slots_[i] = Slot{ids[pos], pos};
    }
  }

  uint32_t find(uint32_t id) const {
    if (!dense_.empty()) {
      uint32_t k = id - base_;  // ids below base_ wrap past the end
      return k < dense_.size() ? dense_[k] : kAbsent;
    }
    if (slots_.empty()) return kAbsent;
    for (size_t i = home(id);; i = (i + 1) & mask_) {
      if (slots_[i].pos == kAbsent) return kAbsent;
      if (slots_[i].id == id) return slots_[i].pos;
    }
  }

 private:
  // Key and position side by side: a probe costs one cache miss, not one per array.
  struct Slot {
    uint32_t id;
    uint32_t pos;
  };

  // Multiplying by an odd constant permutes the low bits: consecutive job ids never collide.
  size_t home(uint32_t id) const { return (id * 2654435769u) & mask_; }

  uint32_t base_ = 0;
  std::vector<uint32_t> dense_;  // position by id - base_, when the ids are dense
  size_t mask_ = 0;
  std::vector<Slot> slots_;      // open addressing otherwise
};

}  // namespace taskgov
