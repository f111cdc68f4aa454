// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/audit_trail.h"

#include <jansson.h>
#include <slurm/slurm.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "cli/output.h"

namespace taskgov::cli {

namespace {

std::string text_of(const json_t* object, const char* key) {
  const char* value = json_string_value(json_object_get(object, key));
  return value ? value : "";
}

RecordedAmounts amounts_of(const json_t* object) {
  RecordedAmounts out;
  const char* name;
  json_t* value;
  json_object_foreach(const_cast<json_t*>(object), name, value) {
    if (json_is_integer(value)) out[name] = json_integer_value(value);
  }
  return out;
}

RecordedAmounts member_amounts(const json_t* object, const char* key) {
  return amounts_of(json_object_get(object, key));
}

}  // namespace

std::string audit_log_path(const Policy& policy) {
  if (!policy.cluster.audit_log.empty()) return policy.cluster.audit_log;
  slurm_conf_t* conf = nullptr;
  std::string log_file;
  if (slurm_load_ctl_conf(0, &conf) == SLURM_SUCCESS && conf) {
    if (conf->slurmctld_logfile) log_file = conf->slurmctld_logfile;
    slurm_free_ctl_conf(conf);
  }
  return default_audit_log_path(log_file);
}

bool parse_recorded_preemption(const std::string& line, uint32_t job, RecordedPreemption* out) {
  // Most lines are other records: skip them before decoding.
  if (line.find("\"preemption\"") == std::string::npos) return false;
  JsonPtr record(json_loads(line.c_str(), 0, nullptr));
  if (!record || text_of(record.get(), "event") != "preemption") return false;
  const json_t* victim = json_object_get(record.get(), "victim");
  const json_t* preemptor = json_object_get(record.get(), "preemptor");
  if (static_cast<uint32_t>(json_integer_value(json_object_get(victim, "job"))) != job) return false;
  RecordedPreemption p;
  p.time = text_of(record.get(), "time");
  p.mode = text_of(record.get(), "mode");
  p.reason = text_of(record.get(), "reason");
  p.by = text_of(record.get(), "by");
  p.victim = job;
  p.victim_team = text_of(victim, "team");
  p.victim_holds = member_amounts(victim, "holds");
  p.victim_borrowed = member_amounts(victim, "borrowed");
  p.preemptor = static_cast<uint32_t>(json_integer_value(json_object_get(preemptor, "job")));
  p.preemptor_team = text_of(preemptor, "team");
  p.preemptor_class = text_of(preemptor, "class");
  p.preemptor_asks = member_amounts(preemptor, "asks");
  const char* name;
  json_t* numbers;
  json_object_foreach(json_object_get(record.get(), "teams"), name, numbers) {
    RecordedTeam& team = p.teams[name];
    team.quota = member_amounts(numbers, "quota");
    team.used = member_amounts(numbers, "used");
    team.borrowed = member_amounts(numbers, "borrowed");
    team.lent = member_amounts(numbers, "lent");
    team.limit = member_amounts(numbers, "limit");
  }
  *out = std::move(p);
  return true;
}

bool read_recorded_preemptions(const std::string& path, uint32_t job,
                               std::vector<RecordedPreemption>* out, std::string* error) {
  std::vector<std::string> files = audit_log_files(path);
  out->clear();
  // Oldest copy first, so the records come out in the order they were written.
  for (auto file = files.rbegin(); file != files.rend(); ++file) {
    std::ifstream in(*file);
    if (!in) {
      if (*file != path) continue;
      *error = fmt::format("cannot read the audit log {}: {}", path, std::strerror(errno));
      return false;
    }
    RecordedPreemption p;
    for (std::string line; std::getline(in, line);)
      if (parse_recorded_preemption(line, job, &p)) out->push_back(std::move(p));
  }
  return true;
}

}  // namespace taskgov::cli
