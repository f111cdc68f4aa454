// SPDX-License-Identifier: GPL-2.0-or-later
// The live cluster through libslurm: the connection every live subcommand opens first, and the
// nodes read from slurmctld.
#pragma once

#include <string>

#include "policy/inventory.h"

namespace taskgov::cli {

// Reads Slurm's configuration once per process (slurm_init). False with a message when
// $SLURM_CONF names a file that does not exist. libslurm ends the process itself when it finds
// no configuration at all; the message printed then says to set SLURM_CONF, or `hint`.
bool connect_slurm(const char* hint, std::string* error);

// False with a message for the user when slurmctld cannot be reached. Needs connect_slurm().
bool load_live_inventory(Inventory* inventory, std::string* error);

}  // namespace taskgov::cli
