// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/live_inventory.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/command.h"
#include "policy/slurm_strings.h"

namespace taskgov::cli {

namespace {

// slurm_init() ends the process when it finds no configuration; this says what to do then
// and keeps the exit status the command documents for an unreachable cluster.
bool g_inside_slurm_init = false;
const char* g_hint = "";
void explain_failed_slurm_init() {
  if (!g_inside_slurm_init) return;
  std::fprintf(stderr, "taskgov: Slurm's configuration could not be loaded: set SLURM_CONF%s%s\n",
               *g_hint ? ", or " : "", g_hint);
  std::_Exit(kExitNoCluster);
}

// An explicit SLURM_CONF that does not exist would make libslurm retry for a minute.
bool slurm_conf_readable(std::string* error) {
  const char* conf = std::getenv("SLURM_CONF");
  struct stat info;
  if (conf == nullptr || *conf == '\0' || stat(conf, &info) == 0) return true;
  *error = fmt::format("SLURM_CONF={}: {}; point it at slurm.conf", conf, std::strerror(errno));
  return false;
}

}  // namespace

bool connect_slurm(const char* hint, std::string* error) {
  static bool connected = false;
  if (connected) return true;
  if (!slurm_conf_readable(error)) return false;
  static const bool explained = std::atexit(explain_failed_slurm_init) == 0;
  (void)explained;
  g_hint = hint;
  g_inside_slurm_init = true;
  slurm_init(nullptr);
  g_inside_slurm_init = false;
  connected = true;
  return true;
}

bool load_live_inventory(Inventory* inventory, std::string* error) {
  node_info_msg_t* nodes = nullptr;
  // SHOW_ALL includes nodes of hidden partitions; FUTURE nodes stay out (not capacity yet).
  if (slurm_load_node(0, &nodes, SHOW_ALL) != SLURM_SUCCESS) {
    *error = fmt::format("cannot read the cluster's nodes from slurmctld: {}; is slurmctld running?",
                         slurm_strerror(errno));
    return false;
  }
  Inventory loaded;
  for (uint32_t i = 0; i < nodes->record_count; ++i) {
    const node_info_t& node = nodes->node_array[i];
    if (node.name == nullptr) continue;  // a slot freed by a deleted dynamic node
    loaded.add_node(split_list(node.features ? node.features : ""), node.cpus,
                    static_cast<Amount>(node.real_memory),
                    parse_node_gres(node.gres ? node.gres : ""));
  }
  slurm_free_node_info_msg(nodes);
  *inventory = std::move(loaded);
  return true;
}

}  // namespace taskgov::cli
