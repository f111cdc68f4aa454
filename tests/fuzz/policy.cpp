// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: taskgov.json text through the policy parser (json_reader, json_location), and
// every policy it accepts through resolution against the sample inventory, as a reconfigure
// inside slurmctld would do. A refusal must come with a located message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/engine.h"
#include "policy/inventory_file.h"
#include "policy/policy.h"
#include "sample_inventory.h"

using namespace taskgov;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Inventory inventory = fuzz::sample_inventory();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Policy policy;
  PolicyError error;
  if (!parse_policy(text, "fuzz.json", &policy, &error)) {
    if (error.message.empty()) std::abort();
    return 0;
  }
  Engine engine;
  if (!engine.set_policy(std::move(policy), inventory, &error) && error.message.empty()) std::abort();
  return 0;
}
