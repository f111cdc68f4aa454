// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit/admin_comment.h"

#include <charconv>

#include "policy/slurm_strings.h"

namespace taskgov::cli {

bool parse_borrowed(std::string_view value, std::vector<std::pair<std::string, Amount>>* out) {
  out->clear();
  for (const std::string& item : split_list(value, '+')) {
    // The amount follows the last colon: GRES names have colons of their own.
    size_t colon = item.rfind(':');
    Amount amount = 0;
    if (colon == std::string::npos || colon == 0 ||
        !parse_memory_mib(std::string_view(item).substr(colon + 1), &amount))
      return false;
    out->emplace_back(item.substr(0, colon), amount);
  }
  return true;
}

AdminRecord parse_admin_comment(std::string_view comment) {
  AdminRecord record;
  constexpr std::string_view kPrefix = "taskgov:";
  if (comment.substr(0, kPrefix.size()) == kPrefix) comment.remove_prefix(kPrefix.size());
  // A victim that had no taskgov record yet (the plugin only appends) starts with
  // preempted_by= directly, so fields are read with or without the prefix.
  for (const std::string& field : split_list(comment, ';')) {
    size_t eq = field.find('=');
    if (eq == std::string::npos) continue;
    std::string_view key = std::string_view(field).substr(0, eq);
    std::string_view value = std::string_view(field).substr(eq + 1);
    if (key == "team") {
      record.team = value;
    } else if (key == "class") {
      record.klass = value;
    } else if (key == "borrowed") {
      if (!parse_borrowed(value, &record.borrowed)) record.borrowed.clear();
    } else if (key == "preempted_by") {
      PreemptionRecord preemption;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), preemption.preemptor);
      if (ec == std::errc() && end == value.data() + value.size())
        record.preemptions.push_back(preemption);
    } else if (key == "reason" && !record.preemptions.empty() &&
               record.preemptions.back().reason.empty()) {
      record.preemptions.back().reason = value;
    }
  }
  return record;
}

}  // namespace taskgov::cli
