// SPDX-License-Identifier: GPL-2.0-or-later
// Resolves each team's quota entries against the inventory into one amount per resource,
// applying the proportional CPU/memory rule for accelerator-only entries, and derives each
// team's borrow cap (percentage of its own quota, capped by absolute limits).
#pragma once

#include <string>
#include <vector>

#include "policy/inventory.h"
#include "policy/policy.h"
#include "policy/resources.h"

namespace taskgov {

struct ResolvedTeam {
  ResourceVector nominal;     // the quota
  ResourceVector borrow_cap;  // most it may hold above its quota, per resource
  uint32_t proportional_mask = 0;  // bit r: some of nominal[r] came from the proportional rule
};

struct ResolvedPolicy {
  ResourceCatalog catalog;
  ResourceVector capacity;          // what the cluster has today
  std::vector<ResolvedTeam> teams;  // same order as Policy::teams
  std::vector<std::string> warnings;  // e.g. quotas above capacity (planning), fcfs + lower-priority
};

// Fails (with the entry's location) when an entry cannot be resolved at all, e.g. an
// instance type no node carries as a Feature; quotas above capacity are only warnings.
bool resolve_policy(const Policy& policy, const Inventory& inventory, ResolvedPolicy* out,
                    PolicyError* error);

// The proportional rule for one accelerator amount: n/total accelerators of the shapes
// carrying `gres`, times their CPUs and RealMemory (floored). False when no node carries it.
bool proportional_share(const Inventory& inventory, const std::string& gres, Amount n,
                        Amount* cpus, Amount* memory_mib);

}  // namespace taskgov
