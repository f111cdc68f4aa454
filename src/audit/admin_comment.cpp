// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit/admin_comment.h"

#include <fmt/format.h>

#include <charconv>

#include "policy/slurm_strings.h"

namespace taskgov {

namespace {

constexpr std::string_view kPrefix = "taskgov:";
constexpr std::string_view kTeam = "team";
constexpr std::string_view kClass = "class";
constexpr std::string_view kBorrowed = "borrowed";
constexpr std::string_view kPreemptedBy = "preempted_by";
constexpr std::string_view kReason = "reason";

// A victim that had no taskgov record yet (the plugins only append) starts with preempted_by=
// directly, so fields are read with or without the prefix.
std::string_view without_prefix(std::string_view comment) {
  if (comment.substr(0, kPrefix.size()) == kPrefix) comment.remove_prefix(kPrefix.size());
  return comment;
}

std::string_view key_of(std::string_view field) {
  size_t eq = field.find('=');
  return eq == std::string_view::npos ? std::string_view() : field.substr(0, eq);
}

}  // namespace

std::string stamp_admin_comment(const std::string& existing, const std::string& team,
                                const std::string& klass) {
  std::string out = fmt::format("{}{}={};{}={}", kPrefix, kTeam, team, kClass, klass);
  if (std::string_view(existing).substr(0, kPrefix.size()) != kPrefix)
    return existing.empty() ? out : out + ";" + existing;
  for (const std::string& field : split_list(without_prefix(existing), ';')) {
    std::string_view key = key_of(field);
    if (key == kTeam || key == kClass) continue;
    out += ";" + field;
  }
  return out;
}

std::string preemption_fields(uint32_t preemptor, PreemptReason reason) {
  return fmt::format("{}={};{}={}", kPreemptedBy, preemptor, kReason, reason_name(reason));
}

std::string borrowed_field(const std::vector<std::pair<std::string, Amount>>& items) {
  std::string out;
  for (const auto& [name, amount] : items)
    out += fmt::format("{}{}:{}", out.empty() ? fmt::format("{}=", kBorrowed) : "+", name, amount);
  return out;
}

bool admin_comment_has(std::string_view comment, std::string_view key) {
  if (key.empty()) return false;
  for (const std::string& field : split_list(without_prefix(comment), ';'))
    if (key_of(field) == key) return true;
  return false;
}

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
  for (const std::string& field : split_list(without_prefix(comment), ';')) {
    size_t eq = field.find('=');
    if (eq == std::string::npos) continue;
    std::string_view key = std::string_view(field).substr(0, eq);
    std::string_view value = std::string_view(field).substr(eq + 1);
    if (key == kTeam) {
      record.team = value;
    } else if (key == kClass) {
      record.klass = value;
    } else if (key == kBorrowed) {
      if (!parse_borrowed(value, &record.borrowed)) record.borrowed.clear();
    } else if (key == kPreemptedBy) {
      PreemptionRecord preemption;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), preemption.preemptor);
      if (ec == std::errc() && end == value.data() + value.size())
        record.preemptions.push_back(preemption);
    } else if (key == kReason && !record.preemptions.empty() &&
               record.preemptions.back().reason.empty()) {
      record.preemptions.back().reason = value;
    }
  }
  return record;
}

}  // namespace taskgov
