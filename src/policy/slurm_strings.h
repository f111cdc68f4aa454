// SPDX-License-Identifier: GPL-2.0-or-later
// Slurm's textual forms as plain data: a node's Gres string and TRES strings. Used by the
// plugins (through the C ABI) and by the command (from libslurm's public structs).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/resources.h"

namespace taskgov {

// "gpu:h100:8(S:0-1),neuron:16" -> {{"gpu:h100", 8}, {"neuron", 16}}; a missing count is 1.
std::vector<std::pair<std::string, Amount>> parse_node_gres(std::string_view gres);

// "cpu=4,mem=1G,node=1,gres/gpu:h100=2" -> amounts for the catalog's resources; TRES the
// catalog does not know (node, billing, untyped gres/gpu) are skipped. False on malformed text.
bool parse_tres(std::string_view tres, const ResourceCatalog& catalog, ResourceVector* out);

// "a,b,,c" -> {"a","b","c"}
std::vector<std::string> split_list(std::string_view text, char separator = ',');

}  // namespace taskgov
