// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

namespace taskgov::cli {

namespace {

// The traces are plain CSV: no quoted commas (ids and hashes only).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t from = 0;
  while (true) {
    size_t comma = line.find(',', from);
    out.push_back(line.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
    if (comma == std::string_view::npos) break;
    from = comma + 1;
  }
  return out;
}

class CsvReader {
 public:
  CsvReader(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  // Reads the header and finds the columns; false with a message naming the missing one.
  bool header(const std::vector<std::string>& required, std::string* error) {
    std::string_view line;
    if (!next(&line)) {
      *error = fmt::format("{}: empty file; expected a header line naming {}", file_, fmt::join(required, ", "));
      return false;
    }
    std::vector<std::string_view> names = split_fields(line);
    for (const std::string& want : required) {
      auto it = std::find(names.begin(), names.end(), want);
      if (it == names.end()) {
        *error = fmt::format("{}:1: no column '{}' in the header; the job CSV needs {}", file_, want,
                             fmt::join(required, ", "));
        return false;
      }
      columns_.push_back(static_cast<size_t>(it - names.begin()));
    }
    return true;
  }

  // The next non-empty row's required fields, in the order header() was given them.
  bool row(std::vector<std::string_view>* fields, std::string* error) {
    std::string_view line;
    do {
      if (!next(&line)) return false;
    } while (line.empty());
    std::vector<std::string_view> all = split_fields(line);
    fields->clear();
    for (size_t c : columns_) {
      if (c >= all.size()) {
        *error = fmt::format("{}:{}: {} fields, the header has more", file_, line_, all.size());
        fields->clear();
        return false;
      }
      fields->push_back(all[c]);
    }
    return true;
  }

  int line() const { return line_; }

 private:
  bool next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    *line = text_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    ++line_;
    return true;
  }

  std::string_view text_;
  const std::string& file_;
  size_t pos_ = 0;
  int line_ = 0;
  std::vector<size_t> columns_;
};

bool read_seconds(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

// GPUs may be fractional (GPU sharing): a fraction still takes a whole device here.
bool read_gpus(std::string_view text, int* out) {
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || *end != '\0' || !(value >= 0) || value > 1e6) return false;
  *out = static_cast<int>(std::ceil(value - 1e-9));
  return true;
}

void sort_jobs(std::vector<TraceJob>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.submit < b.submit; });
}

// Teams sorted by name, the jobs' indices rewritten to match.
void index_teams(const std::vector<std::string>& team_of_job, Trace* trace) {
  std::set<std::string> names;
  for (const std::string& t : team_of_job)
    if (!t.empty()) names.insert(t);
  trace->teams.assign(names.begin(), names.end());
  for (size_t i = 0; i < trace->jobs.size(); ++i) {
    if (team_of_job[i].empty()) continue;
    trace->jobs[i].team = static_cast<int>(
        std::lower_bound(trace->teams.begin(), trace->teams.end(), team_of_job[i]) - trace->teams.begin());
  }
}

}  // namespace

bool parse_trace_csv(std::string_view text, const std::string& file, Trace* trace, std::string* error) {
  CsvReader csv(text, file);
  if (!csv.header({"job_id", "submit_s", "duration_s", "gpus", "team"}, error)) return false;
  Trace out;
  std::vector<std::string> team_of_job;
  std::vector<std::string_view> f;
  error->clear();
  while (csv.row(&f, error)) {
    TraceJob job;
    job.name = std::string(f[0]);
    if (!read_seconds(f[1], &job.submit) || !read_seconds(f[2], &job.duration)) {
      bool submit_bad = !read_seconds(f[1], &job.submit);
      *error = fmt::format("{}:{}: {}: '{}': expected whole seconds >= 0", file, csv.line(),
                           submit_bad ? "submit_s" : "duration_s", submit_bad ? f[1] : f[2]);
      return false;
    }
    if (!read_gpus(f[3], &job.gpus)) {
      *error = fmt::format("{}:{}: gpus: '{}': expected a number of GPUs >= 0", file, csv.line(), f[3]);
      return false;
    }
    if (job.gpus == 0 || job.duration == 0) continue;
    out.jobs.push_back(std::move(job));
    team_of_job.emplace_back(f[4]);
  }
  if (!error->empty()) return false;
  index_teams(team_of_job, &out);
  sort_jobs(&out.jobs);
  *trace = std::move(out);
  return true;
}

bool parse_trace_extra(std::string_view text, const std::string& file, Trace* trace, std::string* error) {
  CsvReader csv(text, file);
  if (!csv.header({"job_id", "observed_wait_s"}, error)) return false;
  std::unordered_map<std::string, size_t> by_name;
  for (size_t i = 0; i < trace->jobs.size(); ++i) by_name.emplace(trace->jobs[i].name, i);
  std::vector<std::string_view> f;
  error->clear();
  while (csv.row(&f, error)) {
    auto it = by_name.find(std::string(f[0]));
    if (it == by_name.end() || f[1].empty()) continue;
    int64_t wait = 0;
    if (!read_seconds(f[1], &wait)) {
      *error = fmt::format("{}:{}: observed_wait_s: '{}': expected whole seconds >= 0", file, csv.line(), f[1]);
      return false;
    }
    trace->jobs[it->second].observed_wait = wait;
  }
  return error->empty();
}

std::string extra_path_for(const std::string& trace_file) {
  size_t dot = trace_file.rfind('.');
  size_t slash = trace_file.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return trace_file + "_extra";
  return trace_file.substr(0, dot) + "_extra" + trace_file.substr(dot);
}

Trace trace_from_sacct(const std::vector<SacctJob>& records, const std::map<uint32_t, std::string>& team_of_job) {
  struct Runs {
    int64_t submit = 0;
    int64_t last_start = 0, last_end = 0;
    Amount gpus = 0;
  };
  std::map<uint32_t, Runs> jobs;
  for (const SacctJob& record : records) {
    // Never ran (cancelled while pending gets start = end and no nodes), or runs still.
    if (record.start == 0 || record.end <= record.start || record.nodes == kNoNodes) continue;
    Amount gpus = 0, typed = 0;
    for (const auto& [name, count] : record.allocated) {
      if (name == "gres/gpu") gpus = count;
      else if (name.compare(0, 9, "gres/gpu:") == 0) typed += count;
    }
    gpus = std::max(gpus, typed);
    if (gpus <= 0) continue;
    auto [it, fresh] = jobs.try_emplace(record.id);
    Runs& runs = it->second;
    if (fresh || record.submit < runs.submit) runs.submit = record.submit;
    if (fresh || record.start >= runs.last_start) {
      runs.last_start = record.start;
      runs.last_end = record.end;
      runs.gpus = gpus;
    }
  }
  Trace trace;
  std::vector<std::string> teams;
  int64_t first = INT64_MAX;
  for (const auto& [id, runs] : jobs) first = std::min(first, runs.submit);
  for (const auto& [id, runs] : jobs) {
    TraceJob job;
    job.name = std::to_string(id);
    job.submit = runs.submit - first;
    job.duration = runs.last_end - runs.last_start;
    job.gpus = static_cast<int>(runs.gpus);
    job.observed_wait = runs.last_start - runs.submit;
    trace.jobs.push_back(std::move(job));
    auto team = team_of_job.find(id);
    teams.push_back(team == team_of_job.end() ? "" : team->second);
  }
  index_teams(teams, &trace);
  sort_jobs(&trace.jobs);
  return trace;
}

}  // namespace taskgov::cli
