// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/audit_trail.h"

#include <slurm/slurm.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "audit/audit_log.h"

namespace taskgov::cli {

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
      if (audit::parse_preemption(line, job, &p)) out->push_back(std::move(p));
  }
  return true;
}

}  // namespace taskgov::cli
