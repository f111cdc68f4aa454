// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/command.h"

namespace taskgov::cli {

std::string default_slurm_conf_path() {
  const char* slurm_conf = std::getenv("SLURM_CONF");
  if (slurm_conf == nullptr || *slurm_conf == '\0') return "/etc/slurm/slurm.conf";
  return slurm_conf;
}

std::string default_policy_path() {
  std::string conf = default_slurm_conf_path();
  size_t slash = conf.rfind('/');
  if (slash == std::string::npos) return "taskgov.json";
  return conf.substr(0, slash + 1) + "taskgov.json";
}

void add_policy_option(CLI::App* app, std::string* file) {
  app->add_option("--policy", *file,
                  "Policy file (default: taskgov.json next to slurm.conf, i.e. in the directory "
                  "of $SLURM_CONF, else /etc/slurm/taskgov.json)")
      ->type_name("FILE");
}

bool load_policy_or_complain(const std::string& file, Policy* policy) {
  PolicyError error;
  if (load_policy_file(file.empty() ? default_policy_path() : file, policy, &error)) return true;
  std::fprintf(stderr, "%s\n", error.to_string().c_str());
  return false;
}

}  // namespace taskgov::cli
