// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov sync`: what slurmdbd must gain so that the policy can be enforced: an account per
// team, a QOS per priority class with priorities in class order, and access to every class
// QOS for every user association under a team's account. The plan is pure, for the tests.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "cli/sacctmgr.h"

namespace taskgov::cli {

// QOS that sync creates carry this description, so --prune knows which QOS are taskgov's.
constexpr const char* kClassQosDescription = "taskgov priority class";

struct SyncChange {
  std::string why;                // "account nlp of team nlp does not exist"
  std::vector<std::string> argv;  // "sacctmgr", "-i", ...
};

// Changes in the order they must run: accounts, QOS, then access. With `prune`, access to QOS
// that taskgov created and the policy no longer names is also taken back; nothing is deleted.
std::vector<SyncChange> plan_sync(const Policy& policy, const std::string& cluster,
                                  const std::vector<AssocRow>& assocs, const std::vector<QosRow>& qos,
                                  bool prune);

}  // namespace taskgov::cli
