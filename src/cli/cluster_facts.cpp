// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/cluster_facts.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include <fmt/format.h>

#include <cerrno>

#include "cli/sacctmgr.h"
#include "policy/slurm_strings.h"
#include "cli/subprocess.h"

namespace taskgov::cli {

namespace {

// AccountingStorageEnforce's "limits" bit (ACCOUNTING_ENFORCE_LIMITS in Slurm's read_config.h).
constexpr uint16_t kEnforceLimits = 1u << 1;

// Slurm tracks these whether or not AccountingStorageTRES names them.
const char* const kDefaultTres[] = {"cpu", "mem", "energy", "node", "billing", "fs/disk", "vmem", "pages"};

bool load_qos(std::vector<QosLimits>* qos, std::string* error) {
  const std::vector<std::string> argv = {"sacctmgr", "-nP", "show", "qos", "format=name,grptres"};
  CommandResult result = run_command(argv);
  if (!result.started || result.status != 0) {
    *error = describe_failure(argv, result);
    return false;
  }
  return parse_qos_grp_tres(result.out, qos, error);
}

void add_partition_qos(std::vector<QosLimits>* qos) {
  partition_info_msg_t* parts = nullptr;
  if (slurm_load_partitions(0, &parts, SHOW_ALL) != SLURM_SUCCESS) return;
  for (uint32_t i = 0; i < parts->record_count; ++i) {
    const partition_info_t& p = parts->partition_array[i];
    if (!p.qos_char || !p.name) continue;
    for (QosLimits& q : *qos)
      if (q.name == p.qos_char) q.partitions.emplace_back(p.name);
  }
  slurm_free_partition_info_msg(parts);
}

}  // namespace

bool parse_qos_grp_tres(const std::string& text, std::vector<QosLimits>* qos, std::string* error) {
  qos->clear();
  int number = 0;
  for (const std::string& line : split_list(text, '\n')) {
    ++number;
    if (line.empty()) continue;
    std::vector<std::string> fields = split_list(line, '|');
    if (line.back() == '|') fields.emplace_back();
    if (fields.size() != 2) {
      *error = fmt::format("sacctmgr show qos: line {} has {} fields, expected 2: {}", number,
                           fields.size(), line);
      return false;
    }
    qos->push_back(QosLimits{fields[0], fields[1], {}});
  }
  return true;
}

ClusterFacts load_cluster_facts(std::vector<std::string>* problems) {
  ClusterFacts facts;
  slurm_conf_t* conf = nullptr;
  if (slurm_load_ctl_conf(0, &conf) != SLURM_SUCCESS) {
    problems->push_back(fmt::format("cannot read slurmctld's configuration: {}",
                                    slurm_strerror(errno)));
  } else {
    std::vector<std::string> tracked(std::begin(kDefaultTres), std::end(kDefaultTres));
    for (const std::string& name : split_list(conf->accounting_storage_tres ? conf->accounting_storage_tres : ""))
      tracked.push_back(name);
    facts.tracked_tres = std::move(tracked);
    facts.enforce_limits = (conf->accounting_storage_enforce & kEnforceLimits) != 0;
    std::vector<AssocRow> rows;
    std::string error;
    if (!conf->cluster_name || !load_assoc_rows(conf->cluster_name, &rows, &error)) {
      problems->push_back(conf->cluster_name ? error : "slurmctld reports no ClusterName");
    } else {
      std::vector<std::string> accounts;
      for (const AssocRow& row : rows)
        if (row.user.empty()) accounts.push_back(row.account);
      facts.accounts = std::move(accounts);
    }
    slurm_free_ctl_conf(conf);
  }
  std::vector<QosLimits> qos;
  std::string error;
  if (!load_qos(&qos, &error)) {
    problems->push_back(error);
  } else {
    add_partition_qos(&qos);
    facts.qos = std::move(qos);
  }
  return facts;
}

}  // namespace taskgov::cli
