// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace taskgov::cli {

std::string format_time(int64_t epoch, const char* format) {
  if (epoch <= 0) return "-";
  time_t t = static_cast<time_t>(epoch);
  struct tm local;
  localtime_r(&t, &local);
  char text[64];
  std::strftime(text, sizeof(text), format, &local);
  return text;
}

std::string format_duration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m {:02}s", seconds / 60, seconds % 60);
  if (seconds < 86400) return fmt::format("{}h {:02}m", seconds / 3600, seconds % 3600 / 60);
  return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

std::string plural(int count, const char* one, const char* many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string dump_json(const json_t* value, bool compact) {
  size_t flags = JSON_REAL_PRECISION(12);  // jansson keeps insertion order since 2.8
  flags |= compact ? JSON_COMPACT : JSON_INDENT(2);
  char* text = json_dumps(value, flags);
  std::string out = text ? text : "null";
  std::free(text);
  return out + "\n";
}

bool write_output(const std::string& path, const std::string& text, std::string* error) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  // The temporary file sits next to the target so that rename() stays on one file system.
  std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  FILE* file = std::fopen(temporary.c_str(), "w");
  bool ok = file != nullptr && std::fwrite(text.data(), 1, text.size(), file) == text.size();
  int saved = errno;
  if (file != nullptr && std::fclose(file) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && std::rename(temporary.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::remove(temporary.c_str());
    *error = fmt::format("cannot write {}: {}", path, std::strerror(saved));
  }
  return ok;
}

}  // namespace taskgov::cli
