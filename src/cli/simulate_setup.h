// SPDX-License-Identifier: GPL-2.0-or-later
// What a replay needs besides the jobs: the nodes, each team's quota and the policy the engine
// runs. Quotas come from a policy file (its teams matched to the trace's by name or account),
// or are derived from the trace (--quotas proportional|equal) or read from a CSV (team,gpus).
#pragma once

#include <string>
#include <vector>

#include "policy/inventory.h"
#include "policy/policy.h"
#include "cli/simulate_replay.h"
#include "cli/simulate_trace.h"

namespace taskgov::cli {

// N nodes of G GPUs ("gpu", or "gpu:TYPE" when a type is given), with 8 CPUs and 64 GiB per
// GPU (only GPUs are replayed).
Inventory uniform_inventory(int nodes, int gpus_per_node, const std::string& gpu_type = "");

// Quotas over `capacity` GPUs: proportional to each team's GPU-hours in the trace, or equal;
// whole GPUs by largest remainder, so they sum to the capacity.
std::vector<Amount> derived_quotas(const Trace& trace, int capacity, const std::string& rule);

// team,gpus lines (a header line first); teams of the trace missing from it get 0. False with
// "FILE:LINE: ..." on a bad line or a team the trace does not have.
bool parse_quota_csv(const std::string& text, const std::string& file, const Trace& trace,
                     std::vector<Amount>* quotas, std::string* error);

// A policy with one team per trace team (name and account = the trace's team), the given GPU
// quotas (of `gpu_type`, or untyped) and borrow limit, every other setting at its
// taskgov.json(5) default.
Policy policy_for_quotas(const Trace& trace, const std::vector<Amount>& quotas, int borrow_limit_percent,
                         const std::string& gpu_type = "");

// Builds the engine config and fills everything of `setup` but the trace: nodes, quotas (the
// policy's GPU quota of each trace team's policy team), team mapping, GPU resource, cycle
// seconds. One GPU type is replayed: `gpu_type` ("h100"), or the inventory's only one; the
// nodes are those carrying it. False with a message when the policy does not resolve against
// the inventory, or the inventory has no GPUs, several types and no `gpu_type`, or not that type.
bool prepare_setup(Policy policy, const Inventory& inventory, const Trace& trace, const std::string& gpu_type,
                   ReplaySetup* setup, std::string* error);

}  // namespace taskgov::cli
