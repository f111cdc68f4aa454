// SPDX-License-Identifier: GPL-2.0-or-later
// What the subcommands share to print: times and durations for people, JSON documents with a
// stable layout for scripts, and files written so that a reader never sees half of one.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace taskgov::cli {

// "2026-11-21 10:03:00" (or another strftime format) in local time; "-" for 0 (Slurm's
// "not yet").
std::string format_time(int64_t epoch, const char* format = "%Y-%m-%d %H:%M:%S");
// "45s", "12m 05s", "3h 02m", "2d 4h".
std::string format_duration(int64_t seconds);

// "a, b, c" (or with another separator).
std::string join(const std::vector<std::string>& parts, const char* separator = ", ");

// "1 job", "3 jobs".
std::string plural(int count, const char* one, const char* many);

struct JsonDeleter {
  void operator()(json_t* value) const { json_decref(value); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

// Keys in insertion order, reals with 12 significant digits (hours print as 1.5, not
// 1.4999999999999998); indented, or one line for JSON Lines output.
std::string dump_json(const json_t* value, bool compact);

// To stdout when `path` is empty, else to a temporary file renamed over `path` (what
// node_exporter's textfile collector asks for). False with a message on failure.
bool write_output(const std::string& path, const std::string& text, std::string* error);

}  // namespace taskgov::cli
