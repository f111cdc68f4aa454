// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit/audit_log.h"

#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

#include <chrono>
#include <utility>

#include <fmt/format.h>

namespace taskgov {

namespace {

using Clock = std::chrono::steady_clock;

std::string records_dropped(size_t count) {
  return fmt::format("{} decision {} dropped", count, count == 1 ? "record was" : "records were");
}

// The file behind the queue. It runs on the writer thread only, so it may take its time; it
// must not let an exception out (spdlog would print it on slurmctld's stderr) and must not
// retry a failing file on every record.
class GuardedFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // A plain pointer to the pool: this sink runs only on the pool's own thread, which the pool
  // joins before it goes. Holding a shared_ptr here, even for a moment, could make that thread
  // the pool's last owner, destroying the pool from inside its own thread.
  GuardedFileSink(std::string path, AuditLogLimits limits, AuditLog::Reporter reporter,
                  spdlog::details::thread_pool* pool)
      : path_(std::move(path)), limits_(limits), reporter_(std::move(reporter)), pool_(pool) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    note_overruns();
    if (!file_ && !reopen()) {
      ++dropped_;
      return;
    }
    try {
      file_->log(msg);
      // One record at a time reaches the disk: `taskgov explain` reads the file while
      // slurmctld runs, and a crash must not lose the last decisions.
      file_->flush();
    } catch (const std::exception& e) {
      file_.reset();
      retry_at_ = Clock::now() + std::chrono::seconds(limits_.retry_seconds);
      ++dropped_;
      trouble(fmt::format("cannot write: {}", e.what()));
      return;
    }
    if (troubled_) {
      troubled_ = false;
      report(false, fmt::format("writing again; {} meanwhile", records_dropped(dropped_)));
      dropped_ = 0;
    }
  }

  void flush_() override {}

 private:
  bool reopen() {
    if (Clock::now() < retry_at_) return false;
    try {
      file_ = std::make_unique<spdlog::sinks::rotating_file_sink_st>(
          path_, limits_.file_bytes, limits_.rotated_files);
      // The logger's pattern (time, then the record) was given to this sink: pass it on.
      file_->set_formatter(formatter_->clone());
      return true;
    } catch (const std::exception& e) {
      retry_at_ = Clock::now() + std::chrono::seconds(limits_.retry_seconds);
      trouble(fmt::format("cannot open: {}", e.what()));
      return false;
    }
  }

  void trouble(const std::string& what) {
    if (troubled_) return;
    troubled_ = true;
    report(true, fmt::format("{}; decision records are dropped until it can be written "
                             "(tried again every {} s)", what, limits_.retry_seconds));
  }

  // The queue gives way to new records when the writer falls behind (overrun_oldest).
  void note_overruns() {
    size_t overruns = pool_->overrun_counter();
    if (overruns == reported_overruns_ || Clock::now() < next_overrun_report_) return;
    report(true, fmt::format("{}: more than {} waited for the writer",
                             records_dropped(overruns - reported_overruns_),
                             limits_.queued_records));
    reported_overruns_ = overruns;
    next_overrun_report_ = Clock::now() + std::chrono::minutes(1);
  }

  void report(bool trouble, const std::string& what) {
    if (!reporter_) return;
    try {
      reporter_(trouble, fmt::format("audit log {}: {}", path_, what));
    } catch (...) {
    }
  }

  std::string path_;
  AuditLogLimits limits_;
  AuditLog::Reporter reporter_;
  spdlog::details::thread_pool* pool_;
  std::unique_ptr<spdlog::sinks::rotating_file_sink_st> file_;
  Clock::time_point retry_at_{};
  bool troubled_ = false;
  size_t dropped_ = 0;
  size_t reported_overruns_ = 0;
  Clock::time_point next_overrun_report_{};
};

}  // namespace

std::string default_audit_log_path(const std::string& slurmctld_log_file) {
  size_t slash = slurmctld_log_file.rfind('/');
  if (slurmctld_log_file.empty() || slash == std::string::npos)
    return "/var/log/slurm/taskgov-audit.log";
  return slurmctld_log_file.substr(0, slash + 1) + "taskgov-audit.log";
}

std::vector<std::string> audit_log_files(const std::string& path) {
  std::vector<std::string> files{path};
  for (size_t i = 1; i <= AuditLogLimits{}.rotated_files; ++i)
    files.push_back(spdlog::sinks::rotating_file_sink_st::calc_filename(path, i));
  return files;
}

AuditLog::AuditLog() = default;

AuditLog::~AuditLog() { close(); }

void AuditLog::set_reporter(Reporter reporter) {
  std::lock_guard<std::mutex> lock(mutex_);
  reporter_ = std::move(reporter);
}

void AuditLog::open(const std::string& path, const AuditLogLimits& limits) {
  std::shared_ptr<spdlog::details::thread_pool> old_pool;
  std::shared_ptr<spdlog::async_logger> old_logger;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (logger_ && path == path_) return;
    auto pool = std::make_shared<spdlog::details::thread_pool>(limits.queued_records, 1, [] {
      pthread_setname_np(pthread_self(), "taskgov-audit");
    });
    auto sink = std::make_shared<GuardedFileSink>(path, limits, reporter_, pool.get());
    // Not registered with spdlog: slurmctld may hold other users of the library.
    auto logger = std::make_shared<spdlog::async_logger>(
        "taskgov-audit", std::move(sink), pool, spdlog::async_overflow_policy::overrun_oldest);
    // The record is a JSON object; the time goes in as its first member.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z",%v)");
    logger->set_level(spdlog::level::info);
    old_pool = std::exchange(pool_, std::move(pool));
    old_logger = std::exchange(logger_, std::move(logger));
    path_ = path;
  }
  // Outside the lock: the old writer drains its queue to the old file before it stops.
  old_logger.reset();
  old_pool.reset();
}

bool AuditLog::is_open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return logger_ != nullptr;
}

void AuditLog::write(const std::string& record) {
  std::shared_ptr<spdlog::async_logger> logger;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    logger = logger_;
  }
  if (!logger || record.size() < 2 || record.front() != '{') return;
  // The pattern opened the object and wrote the time: the record goes on after its brace.
  logger->info(std::string_view(record).substr(1));
}

void AuditLog::close() {
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pool = std::move(pool_);
    logger = std::move(logger_);
    path_.clear();
  }
  logger.reset();
  pool.reset();
}

}  // namespace taskgov
