// SPDX-License-Identifier: GPL-2.0-or-later
// The `taskgov` subcommands. Each lives in its own file and registers itself with the app;
// main() runs the one the user chose.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "policy/policy.h"

namespace taskgov::cli {

struct Command {
  CLI::App* app = nullptr;   // the subcommand, to ask whether it was chosen
  std::function<int()> run;  // returns the process exit status
};

// Exit statuses shared by the subcommands (taskgov(1), EXIT STATUS).
constexpr int kExitOk = 0;
constexpr int kExitBadPolicy = 1;    // the policy does not parse or does not resolve
constexpr int kExitUsage = 2;        // the command line was wrong (bad dates, unknown team, ...)
constexpr int kExitNoCluster = 2;    // slurmctld, slurmdbd (sacct, sacctmgr) or an inventory
                                     // file could not be read
constexpr int kExitUnknownJob = 3;   // explain: neither slurmctld nor slurmdbd knows the job
constexpr int kExitApplyFailed = 4;  // sync --apply: a sacctmgr change failed

Command add_check_command(CLI::App* parent);
Command add_status_command(CLI::App* parent);
Command add_explain_command(CLI::App* parent);
Command add_report_command(CLI::App* parent);
Command add_sync_command(CLI::App* parent);
Command add_simulate_command(CLI::App* parent);

// slurm.conf: $SLURM_CONF, else /etc/slurm/slurm.conf.
std::string default_slurm_conf_path();
// taskgov.json next to slurm.conf.
std::string default_policy_path();
// The --policy option every subcommand but check shares.
void add_policy_option(CLI::App* app, std::string* file);
// Loads `file` (default_policy_path() when empty); prints the error, FILE:LINE:COLUMN first,
// and returns false when it does not parse.
bool load_policy_or_complain(const std::string& file, Policy* policy);

}  // namespace taskgov::cli
