// SPDX-License-Identifier: GPL-2.0-or-later
#include <CLI/CLI.hpp>

#include <vector>

#include "cli/command.h"

int main(int argc, char** argv) {
  namespace cli = taskgov::cli;
  CLI::App app{"taskgov: task governance for Slurm GPU clusters", "taskgov"};
  app.require_subcommand(1);
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
