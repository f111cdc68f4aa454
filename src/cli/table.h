// SPDX-License-Identifier: GPL-2.0-or-later
// Plain-text tables for the command's reports: text columns left-aligned, amounts right-aligned.
#pragma once

#include <string>
#include <vector>

namespace taskgov::cli {

class Table {
 public:
  // The first `text_columns` columns hold names and are left-aligned; the rest hold amounts.
  Table(std::vector<std::string> header, size_t text_columns);
  void add_row(std::vector<std::string> cells);  // missing trailing cells print empty
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
  size_t text_columns_;
};

}  // namespace taskgov::cli
