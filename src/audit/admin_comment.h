// SPDX-License-Identifier: GPL-2.0-or-later
// The records the plugins leave in a job's AdminComment (taskgov_plugins(8)), written and read
// here only:
//   taskgov:team=nlp;class=training;borrowed=gres/gpu:h100:4+cpu:96;preempted_by=57;reason=reclaim
// "taskgov:" then key=value fields separated by ";". A job preempted several times carries one
// preempted_by/reason pair per preemption, oldest first. borrowed= lists what the job started
// on borrowed capacity as "+"-separated resource:amount items (TRES names; mem in MiB, read
// back also with a K/M/G/T suffix). Text that is no taskgov field (an administrator's note) is
// kept when stamping and ignored when reading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/preemption.h"
#include "policy/resources.h"

namespace taskgov {

// `existing` stamped with the team and class at submit or update: "taskgov:team=...;class=..."
// first, its other fields kept after it.
std::string stamp_admin_comment(const std::string& existing, const std::string& team,
                                const std::string& klass);

// "preempted_by=57;reason=reclaim", appended to a victim's AdminComment.
std::string preemption_fields(uint32_t preemptor, PreemptReason reason);

// "borrowed=gres/gpu:h100:4+cpu:96", appended once to a job started on borrowed capacity;
// empty when `items` is.
std::string borrowed_field(const std::vector<std::pair<std::string, Amount>>& items);

// True when the ;-separated comment has a field `key` ("preempted_by", "borrowed"), with or
// without the "taskgov:" prefix before the first field.
bool admin_comment_has(std::string_view comment, std::string_view key);

struct PreemptionRecord {
  uint32_t preemptor = 0;
  std::string reason;  // a reason_name(); empty when none was recorded
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

}  // namespace taskgov
