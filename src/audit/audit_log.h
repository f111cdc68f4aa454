// SPDX-License-Identifier: GPL-2.0-or-later
// The decision-record audit log: one JSON object per line, in a file that rotates by size.
//
// Callers sit inside slurmctld under its job lock, so a record is only queued there; one
// background thread writes it. Nothing here may block or throw into a caller: when the queue
// is full the oldest record gives way, and when the file cannot be opened or written (a full
// disk, a missing folder, no permission) records are dropped, the trouble is reported once
// through the reporter, opening is retried now and then, and the recovery is reported once too.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spdlog {
class async_logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace taskgov {

// Where the audit log goes when taskgov.json names none: taskgov-audit.log next to slurmctld's
// log, or in /var/log/slurm when slurmctld logs to syslog only.
std::string default_audit_log_path(const std::string& slurmctld_log_file);

// The files of a log, newest first: PATH, then its rotated copies (taskgov-audit.1.log, ...).
std::vector<std::string> audit_log_files(const std::string& path);

struct AuditLogLimits {
  size_t file_bytes = size_t{64} << 20;  // rotate beyond this
  size_t rotated_files = 4;              // copies kept besides the current file
  size_t queued_records = 8192;          // records waiting for the writer at most
  int retry_seconds = 30;                // between attempts to open a file that failed
};

class AuditLog {
 public:
  // Receives one line per change of health: trouble (true) or recovery (false).
  using Reporter = std::function<void(bool trouble, const std::string& message)>;

  AuditLog();
  ~AuditLog();  // writes what is queued, then stops the writer
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void set_reporter(Reporter reporter);
  // Starts writing to `path` (its folders are created when missing); the records queued for a
  // previous path are written there first. Reopening the current path changes nothing.
  void open(const std::string& path, const AuditLogLimits& limits = {});
  bool is_open() const;

  // Queues one record, a JSON object ("{...}"); the writer puts the time in front. Never
  // blocks on the disk. A no-op until open().
  void write(const std::string& record);
  // Writes what is queued, then stops the writer; open() starts it again.
  void close();

 private:
  mutable std::mutex mutex_;
  std::string path_;
  Reporter reporter_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
};

}  // namespace taskgov
