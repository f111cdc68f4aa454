// SPDX-License-Identifier: GPL-2.0-or-later
// Where jobs run in `taskgov simulate`: Slurm's whole-GPU allocation per node. A job that fits
// on one node gets GPUs of one node (the fullest node that still fits, so whole nodes stay free
// for large jobs, as cons_tres' best fit does); a job larger than any node gets whole idle
// nodes, largest first.
#pragma once

#include <cstdint>
#include <vector>

namespace taskgov::cli {

struct Slice {
  int node = 0;
  int gpus = 0;
};

class Placement {
 public:
  explicit Placement(std::vector<int> gpus_per_node);

  // The slices it would get now; false (and nothing placed) when it does not fit.
  bool place(int gpus, std::vector<Slice>* slices);
  void release(const std::vector<Slice>& slices);
  // Could it be placed now, without placing it (O(GPUs per node)).
  bool fits(int gpus) const;
  // GPUs it holds once placed: the request, or for a job larger than any node the whole
  // nodes it takes on an idle cluster. Larger than capacity() when it can never be placed.
  int footprint(int gpus) const;

  int capacity() const { return capacity_; }
  int free() const { return free_; }

 private:
  std::vector<int> size_;  // GPUs of each node
  std::vector<int> idle_;  // free GPUs of each node
  std::vector<int> nodes_with_idle_;  // how many nodes have exactly k free GPUs (not whole)
  int largest_ = 0;
  int capacity_ = 0;
  int free_ = 0;
  int whole_idle_gpus_ = 0;  // GPUs of nodes entirely free
  int whole_idle_largest_ = 0;  // size of the largest entirely free node, 0 for none

  void set_idle(int node, int idle);
  void refresh_largest_whole();
};

}  // namespace taskgov::cli
