// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/inventory.h"

#include <algorithm>
#include <set>

namespace taskgov {

namespace {

using GresList = std::vector<std::pair<std::string, Amount>>;

constexpr std::string_view kGresPrefix = "gres/";

// Slurm lists a type once per socket group on some nodes ("gpu:h100:4(S:0),gpu:h100:4(S:1)"),
// so equal names are summed before shapes are compared.
GresList canonical_gres(GresList gres) {
  std::sort(gres.begin(), gres.end());
  GresList merged;
  for (auto& [name, count] : gres) {
    if (count <= 0) continue;
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second += count;
    } else {
      merged.emplace_back(std::move(name), count);
    }
  }
  return merged;
}

bool same_shape(const NodeShape& a, const NodeShape& b) {
  return a.cpus == b.cpus && a.memory_mib == b.memory_mib && a.features == b.features &&
         a.gres == b.gres;
}

// "gpu:h100" carries "gpu:h100" and, untyped, "gpu".
bool gres_matches(const std::string& carried, const std::string& wanted) {
  if (carried == wanted) return true;
  return wanted.find(':') == std::string::npos && carried.size() > wanted.size() &&
         carried.compare(0, wanted.size(), wanted) == 0 && carried[wanted.size()] == ':';
}

}  // namespace

bool NodeShape::has_feature(const std::string& feature) const {
  return std::find(features.begin(), features.end(), feature) != features.end();
}

Amount NodeShape::gres_count(const std::string& wanted) const {
  Amount total = 0;
  for (const auto& [name, count] : gres) {
    if (gres_matches(name, wanted)) total += count;
  }
  return total;
}

void Inventory::add_node(std::vector<std::string> features, Amount cpus, Amount memory_mib,
                         std::vector<std::pair<std::string, Amount>> gres) {
  NodeShape node;
  std::sort(features.begin(), features.end());
  features.erase(std::unique(features.begin(), features.end()), features.end());
  node.features = std::move(features);
  node.cpus = cpus;
  node.memory_mib = memory_mib;
  node.gres = canonical_gres(std::move(gres));
  for (NodeShape& shape : shapes_) {
    if (same_shape(shape, node)) {
      ++shape.node_count;
      return;
    }
  }
  node.node_count = 1;
  shapes_.push_back(std::move(node));
}

std::vector<const NodeShape*> Inventory::shapes_with_feature(const std::string& feature) const {
  std::vector<const NodeShape*> found;
  for (const NodeShape& shape : shapes_) {
    if (shape.has_feature(feature)) found.push_back(&shape);
  }
  return found;
}

std::vector<std::string> Inventory::gres_names() const {
  std::set<std::string> names;
  for (const NodeShape& shape : shapes_) {
    for (const auto& entry : shape.gres) names.insert(entry.first);
  }
  return {names.begin(), names.end()};
}

ResourceVector Inventory::capacity(ResourceCatalog* catalog) const {
  for (const std::string& gres : gres_names()) catalog->add(ResourceCatalog::gres_name(gres));
  ResourceVector total;
  for (const NodeShape& shape : shapes_) {
    total[ResourceCatalog::kCpu] += shape.cpus * shape.node_count;
    total[ResourceCatalog::kMem] += shape.memory_mib * shape.node_count;
    for (int r = 0; r < catalog->size(); ++r) {
      if (!catalog->is_accelerator(r)) continue;
      total[r] += shape.gres_count(catalog->name(r).substr(kGresPrefix.size())) * shape.node_count;
    }
  }
  return total;
}

}  // namespace taskgov
