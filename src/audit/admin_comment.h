// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the records the plugins leave in a job's AdminComment (taskgov_plugins(8)):
//   taskgov:team=nlp;class=training;borrowed=gres/gpu:h100:4+cpu:96;preempted_by=57;reason=reclaim
// "taskgov:" then key=value fields separated by ";". A job preempted several times carries one
// preempted_by/reason pair per preemption, oldest first. borrowed= lists what the job started
// on borrowed capacity as "+"-separated resource:amount items (TRES names; mem in MiB or with
// a K/M/G/T suffix). Text that is no taskgov field (an administrator's note) is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/resources.h"

namespace taskgov::cli {

struct PreemptionRecord {
  uint32_t preemptor = 0;
  std::string reason;  // "reclaim", "priority", "fair-share"; empty when none was recorded
};

struct AdminRecord {
  std::string team;
  std::string klass;
  std::vector<std::pair<std::string, Amount>> borrowed;  // TRES name -> amount
  std::vector<PreemptionRecord> preemptions;             // oldest first
};

AdminRecord parse_admin_comment(std::string_view comment);

// "gres/gpu:h100:4+cpu:96" -> {{"gres/gpu:h100", 4}, {"cpu", 96}}; false on a malformed item.
bool parse_borrowed(std::string_view value, std::vector<std::pair<std::string, Amount>>* out);

}  // namespace taskgov::cli
