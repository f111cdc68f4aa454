// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_cluster.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace taskgov::cli {

Placement::Placement(std::vector<int> gpus_per_node) : size_(std::move(gpus_per_node)), idle_(size_) {
  largest_ = size_.empty() ? 0 : *std::max_element(size_.begin(), size_.end());
  capacity_ = std::accumulate(size_.begin(), size_.end(), 0);
  free_ = capacity_;
  whole_idle_gpus_ = capacity_;
  nodes_with_idle_.assign(static_cast<size_t>(largest_) + 1, 0);
  whole_idle_largest_ = largest_;
}

void Placement::set_idle(int node, int idle) {
  const auto n = static_cast<size_t>(node);
  const int before = idle_[n];
  const bool was_whole = before == size_[n];
  if (!was_whole) --nodes_with_idle_[static_cast<size_t>(before)];
  else whole_idle_gpus_ -= size_[n];
  idle_[n] = idle;
  free_ += idle - before;
  if (idle == size_[n]) whole_idle_gpus_ += size_[n];
  else ++nodes_with_idle_[static_cast<size_t>(idle)];
  if (was_whole != (idle == size_[n])) refresh_largest_whole();
}

void Placement::refresh_largest_whole() {
  whole_idle_largest_ = 0;
  for (size_t n = 0; n < size_.size() && whole_idle_largest_ < largest_; ++n)
    if (idle_[n] == size_[n]) whole_idle_largest_ = std::max(whole_idle_largest_, size_[n]);
}

int Placement::footprint(int gpus) const {
  if (gpus <= largest_) return gpus;
  std::vector<int> sizes = size_;
  std::sort(sizes.begin(), sizes.end(), std::greater<int>());
  int held = 0;
  for (int size : sizes) {
    if (held >= gpus) break;
    held += size;
  }
  return held >= gpus ? held : capacity_ + 1;
}

bool Placement::fits(int gpus) const {
  if (gpus > free_) return false;
  if (gpus > largest_) return gpus <= whole_idle_gpus_;
  if (gpus <= whole_idle_largest_) return true;
  for (int k = gpus; k <= largest_; ++k)
    if (nodes_with_idle_[static_cast<size_t>(k)] > 0) return true;
  return false;
}

bool Placement::place(int gpus, std::vector<Slice>* slices) {
  slices->clear();
  if (!fits(gpus)) return false;
  if (gpus <= largest_) {
    // Best fit: the node with the fewest free GPUs that still holds it; lowest index on ties.
    int best = -1;
    for (size_t n = 0; n < size_.size(); ++n) {
      if (idle_[n] < gpus) continue;
      if (best < 0 || idle_[n] < idle_[static_cast<size_t>(best)]) best = static_cast<int>(n);
      if (idle_[n] == gpus) break;
    }
    slices->push_back({best, gpus});
    set_idle(best, idle_[static_cast<size_t>(best)] - gpus);
    return true;
  }
  std::vector<int> whole;
  for (size_t n = 0; n < size_.size(); ++n)
    if (idle_[n] == size_[n]) whole.push_back(static_cast<int>(n));
  std::stable_sort(whole.begin(), whole.end(),
                   [&](int a, int b) { return size_[static_cast<size_t>(a)] > size_[static_cast<size_t>(b)]; });
  int left = gpus;
  for (int n : whole) {
    if (left <= 0) break;
    const int take = size_[static_cast<size_t>(n)];
    slices->push_back({n, take});
    left -= take;
  }
  for (const Slice& s : *slices) set_idle(s.node, 0);
  return true;
}

void Placement::release(const std::vector<Slice>& slices) {
  for (const Slice& s : slices) set_idle(s.node, idle_[static_cast<size_t>(s.node)] + s.gpus);
}

}  // namespace taskgov::cli
