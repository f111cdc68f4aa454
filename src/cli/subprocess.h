// SPDX-License-Identifier: GPL-2.0-or-later
// Running Slurm's own client commands (sacct, sacctmgr) and collecting what they print.
#pragma once

#include <string>
#include <vector>

namespace taskgov::cli {

struct CommandResult {
  bool started = false;  // false: the program could not be run at all (see `out`)
  int status = -1;       // exit status; 128 + N when killed by signal N
  std::string out;       // stdout, or why it could not start
  std::string err;       // stderr
};

// Runs argv[0] found on PATH, without a shell, with stdin from /dev/null.
CommandResult run_command(const std::vector<std::string>& argv);

// "sacctmgr -i add account nlp Description='taskgov team nlp'": how to type argv in a shell.
std::string shell_words(const std::vector<std::string>& argv);

// One line for an error message: the command, its status and the first line it complained with.
std::string describe_failure(const std::vector<std::string>& argv, const CommandResult& result);

}  // namespace taskgov::cli
