// SPDX-License-Identifier: GPL-2.0-or-later
// An inventory written by hand, for `taskgov check --inventory` and for planning without a
// live cluster (format in taskgov.json(5), INVENTORY FILES):
//   {"nodes": [{"name": "h100", "count": 2, "features": ["p5.48xlarge"],
//               "cpus": 192, "memory": "2T", "gres": {"gpu:h100": 8}}]}
#pragma once

#include <string>
#include <string_view>

#include "policy/inventory.h"
#include "policy/policy.h"

namespace taskgov {

// Errors use the policy's error type and format: file, line, column, JSON path, message.
bool parse_inventory(std::string_view text, const std::string& file, Inventory* inventory,
                     PolicyError* error);
bool load_inventory_file(const std::string& file, Inventory* inventory, PolicyError* error);

}  // namespace taskgov
