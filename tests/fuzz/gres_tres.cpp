// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: Slurm's textual forms as slurmctld and libslurm hand them to taskgov — a node's
// Gres string, TRES strings, memory amounts — with the properties the engine relies on: no
// negative amounts, and what taskgov formats reads back as the same numbers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/resources.h"
#include "policy/slurm_strings.h"

using namespace taskgov;

namespace {

void check_memory(std::string_view text) {
  Amount mib = -1;
  if (!parse_memory_mib(text, &mib)) return;
  if (mib < 0) std::abort();
  Amount again = -1;
  if (!parse_memory_mib(format_memory_mib(mib), &again) || again != mib) std::abort();
}

void check_tres(std::string_view text) {
  static const ResourceCatalog catalog = [] {
    ResourceCatalog c;
    c.add("gres/gpu:h100");
    c.add("gres/gpu:a100");
    c.add("gres/neuron");
    return c;
  }();
  ResourceVector amounts;
  if (!parse_tres(text, catalog, &amounts)) return;
  for (int r = 0; r < kMaxResources; ++r)
    if (amounts[r] < 0) std::abort();
  ResourceVector again;
  if (!parse_tres(format_vector(catalog, amounts), catalog, &again) || again.v != amounts.v)
    std::abort();
}

void check_node_gres(std::string_view text) {
  for (const auto& [name, count] : parse_node_gres(text))
    if (name.empty() || count < 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string& item : split_list(text))
    if (item.empty()) std::abort();
  check_memory(text);
  check_tres(text);
  check_node_gres(text);
  return 0;
}
