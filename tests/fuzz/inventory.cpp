// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: inventory files (`taskgov check --inventory`) through their parser, and every
// inventory it accepts as the cluster the sample policy (etc/taskgov.json) resolves against:
// odd node shapes (no CPUs, huge counts) must give a refusal or sane numbers, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/engine.h"
#include "policy/inventory_file.h"
#include "policy/policy.h"

using namespace taskgov;

namespace {

constexpr const char kSamplePolicy[] = R"({
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100}, {"name": "training", "weight": 50}]},
  "teams": [
    {"name": "nlp", "account": "nlp", "borrow_limit_percent": 50,
     "quota": [{"instance_type": "p5.48xlarge", "count": 1}]},
    {"name": "vision", "account": "vision", "absolute_borrow_limits": [{"gres": "gpu:h100", "count": 4}],
     "quota": [{"instance_type": "p5.48xlarge", "accelerators": 8}, {"gres": "gpu:a100", "count": 4}]},
    {"name": "speech", "account": "speech", "sharing": "lend",
     "quota": [{"gres": "gpu:a100", "count": 4, "cpus": 64, "memory": "256G"},
               {"instance_type": "trn1.32xlarge", "count": 1}]}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Policy policy = [] {
    Policy p;
    PolicyError error;
    if (!parse_policy(kSamplePolicy, "inventory.cpp", &p, &error)) std::abort();
    return p;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Inventory inventory;
  PolicyError error;
  if (!parse_inventory(text, "fuzz.json", &inventory, &error)) {
    if (error.message.empty()) std::abort();
    return 0;
  }
  ResourceCatalog catalog;
  ResourceVector capacity = inventory.capacity(&catalog);
  for (int r = 0; r < catalog.size(); ++r)
    if (capacity[r] < 0) std::abort();
  Engine engine;
  if (!engine.set_policy(policy, std::move(inventory), &error) && error.message.empty()) std::abort();
  return 0;
}
