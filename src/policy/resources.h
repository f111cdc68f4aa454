// SPDX-License-Identifier: GPL-2.0-or-later
// Resource names and amounts. Names use Slurm's TRES spelling ("cpu", "mem", "gres/gpu:h100",
// "gres/neuron") so the plugins translate job TRES counts without a second vocabulary.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace taskgov {

// Counts for cpu and GRES, MiB for mem (Slurm's unit for RealMemory and TRES mem).
using Amount = int64_t;

// Fixed capacity keeps a job record flat (no heap per job) and the per-resource loops
// unrollable; 16 covers cpu, mem and every accelerator type of any cluster we know.
constexpr int kMaxResources = 16;

class ResourceCatalog {
 public:
  static constexpr int kCpu = 0;
  static constexpr int kMem = 1;

  ResourceCatalog();
  int find(std::string_view name) const;  // -1 when absent
  int add(std::string_view name);         // existing index, new index, or -1 when full
  const std::string& name(int index) const { return names_[index]; }
  int size() const { return static_cast<int>(names_.size()); }
  // cpu and mem lead every catalog; the accelerators (GRES) follow.
  static constexpr int kFirstAccelerator = 2;
  bool is_accelerator(int index) const { return index >= kFirstAccelerator; }
  // The k-th of n resources "accelerators first": the accelerators in catalog order, then cpu,
  // then mem. Where a rule names one resource for a job it looks in this order: accelerators
  // are what a user asked for, CPUs and memory mostly follow them.
  static int accelerators_first(int k, int n) {
    return k + kFirstAccelerator < n ? k + kFirstAccelerator : k + kFirstAccelerator - n;
  }
  // "gpu:h100" -> "gres/gpu:h100"
  static std::string gres_name(std::string_view gres);

 private:
  std::vector<std::string> names_;
};

struct ResourceVector {
  std::array<Amount, kMaxResources> v{};

  Amount& operator[](int r) { return v[r]; }
  Amount operator[](int r) const { return v[r]; }
  ResourceVector& operator+=(const ResourceVector& o);
  ResourceVector& operator-=(const ResourceVector& o);
  bool is_zero() const;
  // Bit r set when v[r] > 0.
  uint32_t nonzero_mask() const;
};

// a + b and a * b; false instead of wrapping when the result does not fit an Amount. Request
// sizes come from users: a huge one must be refused, not turned into a small or negative one.
bool add_amounts(Amount a, Amount b, Amount* sum);
bool multiply_amounts(Amount a, Amount b, Amount* product);

// Parses a plain number of MiB or one with Slurm's suffixes, in either case and optionally
// followed by B: "64K", "1024M", "512G", "2T", "1P", "512GB", "2tb"; false on anything else.
bool parse_memory_mib(std::string_view text, Amount* mib);
// 524288 -> "512G"; keeps the largest unit that divides exactly.
std::string format_memory_mib(Amount mib);
// One amount in the resource's natural unit ("48", "512G").
std::string format_amount(const ResourceCatalog& catalog, int r, Amount amount);
// "cpu=48,mem=512G,gres/gpu:h100=2", zero entries omitted (Slurm's TRES string style).
std::string format_vector(const ResourceCatalog& catalog, const ResourceVector& v);

}  // namespace taskgov
