// SPDX-License-Identifier: GPL-2.0-or-later
#include <CLI/CLI.hpp>

#include <vector>

#include "command.h"

int main(int argc, char** argv) {
  CLI::App app{"taskgov: task governance for Slurm GPU clusters", "taskgov"};
  app.require_subcommand(1);
  std::vector<taskgov::cli::Command> commands = {taskgov::cli::add_check_command(&app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help ends here with 0; every real parse error gets the documented status.
    return app.exit(e) == 0 ? taskgov::cli::kExitOk : taskgov::cli::kExitUsage;
  }
  for (const taskgov::cli::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return taskgov::cli::kExitOk;
}
