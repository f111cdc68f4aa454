// SPDX-License-Identifier: GPL-2.0-or-later
// The local cluster's node shapes (etc/inventory.json) for the fuzz targets that need a
// cluster to resolve policies against.
#pragma once

#include <cstdlib>

#include "policy/inventory_file.h"

namespace taskgov::fuzz {

constexpr const char kSampleInventory[] = R"({"nodes": [
  {"name": "h100", "count": 2, "features": ["p5.48xlarge"], "cpus": 192, "memory": "2T", "gres": {"gpu:h100": 8}},
  {"name": "a100", "count": 2, "features": ["p4d.24xlarge"], "cpus": 128, "memory": "1T", "gres": {"gpu:a100": 4}},
  {"name": "trn", "count": 1, "features": ["trn1.32xlarge"], "cpus": 128, "memory": "512G", "gres": {"neuron": 16}}]})";

inline Inventory sample_inventory() {
  Inventory inventory;
  PolicyError error;
  if (!parse_inventory(kSampleInventory, "sample_inventory.h", &inventory, &error)) std::abort();
  return inventory;
}

}  // namespace taskgov::fuzz
