// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov explain: the prose of a job's past, its preemptions with the numbers of their
// decision records.
#include "cli/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "cli/output.h"

namespace taskgov::cli {

namespace {

std::string reason_meaning(const std::string& reason) {
  switch (reason_of_name(reason)) {
    case PreemptReason::Reclaim: return "its team took back quota it had lent";
    case PreemptReason::Priority: return "a higher class of the same team";
    case PreemptReason::FairShare: return "its team had the lower weighted share of the idle compute";
    case PreemptReason::None: break;
  }
  return "no taskgov reason recorded";
}

std::string recorded_amount(const std::string& resource, int64_t amount) {
  return resource == "mem" ? format_memory_mib(amount) + " mem" : fmt::format("{} {}", amount, resource);
}

// The amounts of `resources` in `amounts`, in that order.
std::string recorded_amounts(const RecordedAmounts& amounts, const std::vector<std::string>& resources) {
  std::vector<std::string> parts;
  for (const std::string& r : resources)
    if (auto it = amounts.find(r); it != amounts.end() && it->second > 0) parts.push_back(recorded_amount(r, it->second));
  return join(parts);
}

// The resources a preemption was about: what the preemptor asked for and the victim held,
// accelerators only when there are any (cpu and mem follow them).
std::vector<std::string> contested(const RecordedPreemption& p) {
  std::vector<std::string> all, accelerators;
  for (const RecordedAmounts* amounts : {&p.preemptor_asks, &p.victim_holds})
    for (const auto& [resource, amount] : *amounts)
      if (amount > 0 && std::find(all.begin(), all.end(), resource) == all.end()) all.push_back(resource);
  std::copy_if(all.begin(), all.end(), std::back_inserter(accelerators),
               [](const std::string& r) { return r != "cpu" && r != "mem"; });
  return accelerators.empty() ? all : accelerators;
}

int64_t amount_of(const RecordedAmounts& amounts, const std::string& resource) {
  auto it = amounts.find(resource);
  return it == amounts.end() ? 0 : it->second;
}

// "nlp held 12 gres/gpu:h100 against its quota of 8 (4 borrowed)".
std::string team_moment(const std::string& name, const RecordedTeam& team, const std::vector<std::string>& resources) {
  std::vector<std::string> parts;
  for (const std::string& r : resources) {
    std::string part = fmt::format("{} against its quota of {}", recorded_amount(r, amount_of(team.used, r)),
                                   amount_of(team.quota, r));
    std::vector<std::string> extra;
    if (int64_t b = amount_of(team.borrowed, r)) extra.push_back(fmt::format("{} borrowed", b));
    if (int64_t l = amount_of(team.lent, r)) extra.push_back(fmt::format("{} lent to others", l));
    if (!extra.empty()) part += " (" + join(extra) + ")";
    parts.push_back(part);
  }
  return fmt::format("{} held {}", name, join(parts, " and "));
}

// "2026-11-21T10:00:03.123+00:00" -> "2026-11-21 10:00:03"
std::string record_time(std::string time) {
  std::replace(time.begin(), time.end(), 'T', ' ');
  return time.substr(0, time.find('.'));
}

// "    At 2026-11-21 10:00:03: job 30 asked for 8 gres/gpu:h100; vision held 0 ..." for one record.
std::string recorded_moment(const RecordedPreemption& p) {
  std::vector<std::string> resources = contested(p);
  std::vector<std::string> parts;
  if (std::string asks = recorded_amounts(p.preemptor_asks, resources); !asks.empty())
    parts.push_back(fmt::format("job {} asked for {}", p.preemptor, asks));
  if (std::string holds = recorded_amounts(p.victim_holds, resources); !holds.empty()) {
    std::string borrowed = recorded_amounts(p.victim_borrowed, resources);
    parts.push_back(fmt::format("job {} held {}{}", p.victim, holds,
                                borrowed.empty() ? ", within its team's quota"
                                : borrowed == holds ? ", all of it borrowed"
                                                    : ", of it borrowed " + borrowed));
  }
  // The preemptor's team first: its need is the reason.
  for (const std::string* name : {&p.preemptor_team, &p.victim_team}) {
    auto team = p.teams.find(*name);
    if (team != p.teams.end() && (name == &p.preemptor_team || *name != p.preemptor_team))
      parts.push_back(team_moment(*name, team->second, resources));
  }
  return fmt::format("    At {}{}: {}.\n", record_time(p.time),
                     p.mode == "shadow" ? " (shadow mode: only considered)" : "", join(parts, "; "));
}

}  // namespace

std::string explain_preemptions(const AdminRecord& record, const std::map<uint32_t, std::string>& teams,
                                const std::vector<RecordedPreemption>& recorded,
                                const std::string& missing_numbers) {
  if (record.preemptions.empty()) return "";
  std::string out = fmt::format("It was preempted {}:\n",
                                plural(static_cast<int>(record.preemptions.size()), "time", "times"));
  auto next = recorded.begin();
  for (const PreemptionRecord& p : record.preemptions) {
    auto team = teams.find(p.preemptor);
    std::string of_team = team == teams.end() || team->second.empty()
        ? "of an unknown team" : "of team " + team->second;
    out += fmt::format("  by job {} {}, for {}: {}.\n", p.preemptor, of_team,
                       p.reason.empty() ? "an unrecorded reason" : p.reason, reason_meaning(p.reason));
    // Records and AdminComment list the preemptions in the same order.
    auto match = std::find_if(next, recorded.end(), [&](const RecordedPreemption& r) {
      return r.preemptor == p.preemptor && r.mode != "shadow";
    });
    if (match != recorded.end()) {
      out += recorded_moment(*match);
      next = match + 1;
    }
  }
  if (!missing_numbers.empty())
    out += fmt::format("The numbers at the time are in the decision records, which are not available: {}.\n",
                       missing_numbers);
  return out;
}

}  // namespace taskgov::cli
