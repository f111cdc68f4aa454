// SPDX-License-Identifier: GPL-2.0-or-later
// What slurmdbd holds about accounts and QOS, read through `sacctmgr -nP show ...` (the
// parsable, headerless form), for `taskgov sync` and for the account tree of `taskgov report`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/accounts.h"

namespace taskgov::cli {

// One association: an account's own (user empty) or a user's in an account.
struct AssocRow {
  std::string account;
  std::string user;
  std::string parent;             // the parent account, for an account's own association
  std::vector<std::string> qos;   // the QOS it may use (inherited ones included)
};

struct QosRow {
  std::string name;
  int64_t priority = 0;
  std::string description;
};

// `sacctmgr -nP show assoc where cluster=C format=account,user,parentname,qos` output.
bool parse_assoc_rows(std::string_view text, std::vector<AssocRow>* rows, std::string* error);
// `sacctmgr -nP show qos format=name,priority,description` output.
bool parse_qos_rows(std::string_view text, std::vector<QosRow>* rows, std::string* error);

AccountTree account_tree(const std::vector<AssocRow>& rows);

// ClusterName from slurm.conf (Slurm lower-cases it); false with a message when the file
// cannot be read or names none.
bool read_cluster_name(const std::string& slurm_conf, std::string* name, std::string* error);

// Run sacctmgr and parse; false with a message when it fails.
bool load_assoc_rows(const std::string& cluster, std::vector<AssocRow>* rows, std::string* error);
bool load_qos_rows(std::vector<QosRow>* rows, std::string* error);

}  // namespace taskgov::cli
