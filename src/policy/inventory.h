// SPDX-License-Identifier: GPL-2.0-or-later
// What the cluster has: node shapes (features, CPUs, memory, GRES by type) and how many of each.
// The plugins read it from slurmctld's node table, the command from libslurm, tests build it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "policy/resources.h"

namespace taskgov {

struct NodeShape {
  std::vector<std::string> features;                 // includes the instance type ("p5.48xlarge")
  Amount cpus = 0;
  Amount memory_mib = 0;                             // RealMemory
  std::vector<std::pair<std::string, Amount>> gres;  // {"gpu:h100", 8}, {"neuron", 16}
  int node_count = 0;

  bool has_feature(const std::string& feature) const;
  // 0 when the shape has none. An untyped name ("gpu") counts every type of it, as Slurm's
  // gres/gpu TRES does.
  Amount gres_count(const std::string& gres) const;
};

class Inventory {
 public:
  // Adds one node; nodes of identical shape are grouped.
  void add_node(std::vector<std::string> features, Amount cpus, Amount memory_mib,
                std::vector<std::pair<std::string, Amount>> gres);
  const std::vector<NodeShape>& shapes() const { return shapes_; }
  // Shapes carrying this Feature (an instance type names exactly one shape in a sane cluster).
  std::vector<const NodeShape*> shapes_with_feature(const std::string& feature) const;
  // Every distinct GRES "name[:type]" the cluster has, sorted.
  std::vector<std::string> gres_names() const;
  // Registers cpu, mem and every GRES of the cluster in the catalog; returns the capacity of
  // every resource the catalog then holds (0 for names no node carries).
  ResourceVector capacity(ResourceCatalog* catalog) const;

 private:
  std::vector<NodeShape> shapes_;
};

}  // namespace taskgov
