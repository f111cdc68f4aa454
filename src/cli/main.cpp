// SPDX-License-Identifier: GPL-2.0-or-later
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <slurm/slurm_version.h>

#include <vector>

#include "cli/command.h"

int main(int argc, char** argv) {
  namespace cli = taskgov::cli;
  CLI::App app{"taskgov: task governance for Slurm GPU clusters", "taskgov"};
  app.require_subcommand(1);
  // The plugins load only into the Slurm release they were built for: the version says which.
  app.set_version_flag("--version", fmt::format("taskgov {} for Slurm {}.{:02}.{}", PACKAGE_VERSION,
                                                SLURM_VERSION_MAJOR(SLURM_VERSION_NUMBER),
                                                SLURM_VERSION_MINOR(SLURM_VERSION_NUMBER),
                                                SLURM_VERSION_MICRO(SLURM_VERSION_NUMBER)));
  std::vector<cli::Command> commands = {
      cli::add_check_command(&app),
      cli::add_status_command(&app),
      cli::add_explain_command(&app),
      cli::add_report_command(&app),
      cli::add_sync_command(&app),
      cli::add_simulate_command(&app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help ends here with 0; every real parse error gets the documented status.
    return app.exit(e) == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  for (const cli::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return cli::kExitOk;
}
