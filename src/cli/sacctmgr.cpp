// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/sacctmgr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "policy/slurm_strings.h"
#include "cli/subprocess.h"

namespace taskgov::cli {

namespace {

// sacctmgr -P separates fields with '|' and prints no trailing one when asked for no header.
std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t bar = line.find('|'); bar != std::string_view::npos; bar = line.find('|', start)) {
    fields.emplace_back(line.substr(start, bar - start));
    start = bar + 1;
  }
  fields.emplace_back(line.substr(start));
  return fields;
}

// Calls `row` with the fields of each non-empty line; false when a line has too few fields.
template <typename Row>
bool for_each_line(std::string_view text, size_t count, const char* what, std::string* error, Row row) {
  int number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++number;
    if (line.empty()) continue;
    std::vector<std::string> fields = fields_of(line);
    if (fields.size() < count) {
      *error = fmt::format("sacctmgr show {}: line {} has {} fields, expected {}: {}", what, number,
                           fields.size(), count, line);
      return false;
    }
    row(fields);
  }
  return true;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool sacctmgr_show(const std::vector<std::string>& arguments, std::string* out, std::string* error) {
  std::vector<std::string> argv = {"sacctmgr", "-nP", "show"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  CommandResult result = run_command(argv);
  if (!result.started || result.status != 0) {
    *error = describe_failure(argv, result);
    return false;
  }
  *out = std::move(result.out);
  return true;
}

}  // namespace

bool parse_assoc_rows(std::string_view text, std::vector<AssocRow>* rows, std::string* error) {
  rows->clear();
  return for_each_line(text, 4, "assoc", error, [&](const std::vector<std::string>& f) {
    rows->push_back(AssocRow{f[0], f[1], f[2], split_list(f[3])});
  });
}

bool parse_qos_rows(std::string_view text, std::vector<QosRow>* rows, std::string* error) {
  rows->clear();
  bool ok = true;
  bool parsed = for_each_line(text, 3, "qos", error, [&](const std::vector<std::string>& f) {
    QosRow row{f[0], 0, f[2]};
    auto [end, ec] = std::from_chars(f[1].data(), f[1].data() + f[1].size(), row.priority);
    if (!f[1].empty() && (ec != std::errc() || end != f[1].data() + f[1].size()) && ok) {
      *error = fmt::format("sacctmgr show qos: QOS {} has priority '{}', expected a number", f[0], f[1]);
      ok = false;
    }
    rows->push_back(std::move(row));
  });
  return parsed && ok;
}

AccountTree account_tree(const std::vector<AssocRow>& rows) {
  AccountTree tree;
  for (const AssocRow& row : rows)
    if (row.user.empty()) tree.set_parent(row.account, row.parent);
  return tree;
}

bool read_cluster_name(const std::string& slurm_conf, std::string* name, std::string* error) {
  std::ifstream in(slurm_conf);
  if (!in) {
    *error = fmt::format("cannot read {}: {}; pass --cluster NAME", slurm_conf, std::strerror(errno));
    return false;
  }
  constexpr std::string_view kKey = "clustername=";
  for (std::string line; std::getline(in, line);) {
    line = lower(line.substr(std::min(line.find_first_not_of(" \t"), line.size())));
    if (line.compare(0, kKey.size(), kKey) != 0) continue;
    std::string value = line.substr(kKey.size());
    value.erase(std::min(value.find_first_of(" \t#"), value.size()));
    if (!value.empty()) {
      *name = value;
      return true;
    }
  }
  *error = fmt::format("{} sets no ClusterName; pass --cluster NAME", slurm_conf);
  return false;
}

bool load_assoc_rows(const std::string& cluster, std::vector<AssocRow>* rows, std::string* error) {
  std::string out;
  if (!sacctmgr_show({"assoc", "where", "cluster=" + cluster, "format=account,user,parentname,qos"}, &out,
                     error) ||
      !parse_assoc_rows(out, rows, error))
    return false;
  // Every cluster slurmdbd knows has its root association; sacctmgr is silent about others.
  if (rows->empty()) {
    *error = fmt::format("slurmdbd knows no cluster '{}' (sacctmgr show cluster lists those it knows); "
                         "pass --cluster NAME", cluster);
    return false;
  }
  return true;
}

bool load_qos_rows(std::vector<QosRow>* rows, std::string* error) {
  std::string out;
  return sacctmgr_show({"qos", "format=name,priority,description"}, &out, error) &&
         parse_qos_rows(out, rows, error);
}

}  // namespace taskgov::cli
