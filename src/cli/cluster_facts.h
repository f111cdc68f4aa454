// SPDX-License-Identifier: GPL-2.0-or-later
// What `taskgov check` asks the live cluster to find the ways a policy would go unenforced:
// slurm.conf as slurmctld runs it (libslurm), the associations and QOS limits of slurmdbd
// (sacctmgr), and each partition's QOS.
#pragma once

#include <string>
#include <vector>

#include "policy/policy_warnings.h"

namespace taskgov::cli {

// Fills what it can; each fact it cannot read adds a line to *problems and stays unchecked.
// Needs connect_slurm() first.
ClusterFacts load_cluster_facts(std::vector<std::string>* problems);

// `sacctmgr -nP show qos format=name,grptres` output; false with a message on a malformed line.
bool parse_qos_grp_tres(const std::string& text, std::vector<QosLimits>* qos, std::string* error);

}  // namespace taskgov::cli
