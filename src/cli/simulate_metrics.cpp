// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_metrics.h"

#include <algorithm>

namespace taskgov::cli {

std::optional<WaitStats> wait_stats(std::vector<int64_t> waits) {
  if (waits.empty()) return std::nullopt;
  std::sort(waits.begin(), waits.end());
  auto rank = [&](int percent) {
    size_t k = (waits.size() * static_cast<size_t>(percent) + 99) / 100;
    return waits[std::max<size_t>(k, 1) - 1];
  };
  WaitStats s;
  double sum = 0;
  for (int64_t w : waits) sum += static_cast<double>(w);
  s.mean = sum / static_cast<double>(waits.size());
  s.p50 = rank(50);
  s.p95 = rank(95);
  s.max = waits.back();
  return s;
}

MetricsRecorder::MetricsRecorder(const std::vector<std::string>& teams, const std::vector<Amount>& quota,
                                 int capacity, int64_t horizon, int64_t bucket_s, int64_t grace_s, size_t jobs)
    : quota_(quota), held_(teams.size(), 0), pending_(teams.size()), episode_start_(teams.size(), -1),
      grace_s_(grace_s) {
  result_.capacity = capacity;
  result_.horizon = horizon;
  result_.bucket_s = bucket_s;
  result_.teams.resize(teams.size());
  for (size_t t = 0; t < teams.size(); ++t) {
    result_.teams[t].name = teams[t];
    result_.teams[t].quota = quota[t];
  }
  result_.in_quota.resize(teams.size());
  result_.borrowed.resize(teams.size());
  result_.wait_of_job.assign(jobs, -1);
  result_.start_of_job.assign(jobs, -1);
}

void MetricsRecorder::add_to_buckets(int64_t from, int64_t to) {
  const int64_t b = result_.bucket_s;
  const auto last = static_cast<size_t>((to - 1) / b);
  if (result_.busy.size() <= last) {
    result_.busy.resize(last + 1, 0.0);
    for (auto& series : result_.in_quota) series.resize(last + 1, 0.0);
    for (auto& series : result_.borrowed) series.resize(last + 1, 0.0);
  }
  int busy = held_ungoverned_;
  for (int h : held_) busy += h;
  for (int64_t at = from; at < to;) {
    const auto k = static_cast<size_t>(at / b);
    const int64_t end = std::min<int64_t>(to, static_cast<int64_t>(k + 1) * b);
    const double part = static_cast<double>(end - at) / static_cast<double>(b);
    result_.busy[k] += busy * part;
    for (size_t t = 0; t < held_.size(); ++t) {
      const Amount within = std::min<Amount>(held_[t], quota_[t]);
      result_.in_quota[t][k] += static_cast<double>(within) * part;
      result_.borrowed[t][k] += static_cast<double>(held_[t] - within) * part;
    }
    at = end;
  }
}

void MetricsRecorder::advance(int64_t now) {
  if (now <= now_) return;
  const auto span = static_cast<double>(now - now_);
  Amount borrowed_total = 0;
  for (size_t t = 0; t < held_.size(); ++t) borrowed_total += std::max<Amount>(0, held_[t] - quota_[t]);
  for (size_t t = 0; t < held_.size(); ++t) {
    TeamMetrics& m = result_.teams[t];
    const Amount within = std::min<Amount>(held_[t], quota_[t]);
    m.held_gpu_s += held_[t] * span;
    m.within_quota_gpu_s += static_cast<double>(within) * span;
    m.borrowed_gpu_s += static_cast<double>(held_[t] - within) * span;
    const Amount others = borrowed_total - std::max<Amount>(0, held_[t] - quota_[t]);
    const bool starved = !pending_[t].empty() && held_[t] + *pending_[t].begin() <= quota_[t] && others > 0;
    if (!starved) {
      episode_start_[t] = -1;
      continue;
    }
    if (episode_start_[t] < 0) episode_start_[t] = now_;
    const int64_t counted_from = std::max(now_, episode_start_[t] + grace_s_);
    if (counted_from < now) {
      const Amount gpus = std::min<Amount>(quota_[t] - held_[t], others);
      m.violation_gpu_s += static_cast<double>(gpus) * static_cast<double>(now - counted_from);
    }
    m.longest_violation_s = std::max(m.longest_violation_s, now - episode_start_[t]);
  }
  ungoverned_.held_gpu_s += held_ungoverned_ * span;
  const auto in_horizon = static_cast<double>(std::max<int64_t>(0, std::min(now, result_.horizon) - now_));
  for (size_t t = 0; t < held_.size(); ++t) result_.teams[t].horizon_held_gpu_s += held_[t] * in_horizon;
  ungoverned_.horizon_held_gpu_s += held_ungoverned_ * in_horizon;
  add_to_buckets(now_, now);
  now_ = now;
}

void MetricsRecorder::start(size_t job, int t, int gpus) {
  (t >= 0 ? held_[static_cast<size_t>(t)] : held_ungoverned_) += gpus;
  result_.start_of_job[job] = now_;
}
void MetricsRecorder::stop(int t, int gpus) { (t >= 0 ? held_[static_cast<size_t>(t)] : held_ungoverned_) -= gpus; }

void MetricsRecorder::pend(int t, int footprint) {
  if (t >= 0) pending_[static_cast<size_t>(t)].insert(footprint);
}

void MetricsRecorder::unpend(int t, int footprint) {
  if (t < 0) return;
  auto& set = pending_[static_cast<size_t>(t)];
  set.erase(set.find(footprint));
}

void MetricsRecorder::completed(size_t job, int t, int gpus, int64_t duration, int64_t wait) {
  TeamMetrics& m = team(t);
  m.delivered_gpu_s += static_cast<double>(gpus) * static_cast<double>(duration);
  ++m.finished;
  m.waits.push_back(wait);
  result_.wait_of_job[job] = wait;
  result_.makespan = std::max(result_.makespan, now_);
}

void MetricsRecorder::preempted(int t, int gpus, int64_t ran, const std::string& reason) {
  ++result_.preemptions_by_reason[reason];
  TeamMetrics& m = team(t);
  m.preempted_gpu_s += static_cast<double>(gpus) * static_cast<double>(ran);
  ++m.preemptions;
}

void MetricsRecorder::never_started(int t) { ++team(t).never_started; }
void MetricsRecorder::submitted(int t) { ++team(t).jobs; }

RegimeResult MetricsRecorder::finish(std::string regime, int64_t cycles) {
  result_.regime = std::move(regime);
  result_.cycles = cycles;
  TeamMetrics& total = result_.total;
  total.name = "TOTAL";
  std::vector<const TeamMetrics*> all;
  for (const TeamMetrics& m : result_.teams) all.push_back(&m);
  if (ungoverned_.jobs > 0) {
    ungoverned_.name = "(ungoverned)";
    result_.teams.push_back(ungoverned_);
    all.clear();
    for (const TeamMetrics& m : result_.teams) all.push_back(&m);
  }
  for (const TeamMetrics* m : all) {
    total.quota += m->quota;
    total.held_gpu_s += m->held_gpu_s;
    total.horizon_held_gpu_s += m->horizon_held_gpu_s;
    total.within_quota_gpu_s += m->within_quota_gpu_s;
    total.borrowed_gpu_s += m->borrowed_gpu_s;
    total.delivered_gpu_s += m->delivered_gpu_s;
    total.preempted_gpu_s += m->preempted_gpu_s;
    total.violation_gpu_s += m->violation_gpu_s;
    total.longest_violation_s = std::max(total.longest_violation_s, m->longest_violation_s);
    total.jobs += m->jobs;
    total.finished += m->finished;
    total.preemptions += m->preemptions;
    total.never_started += m->never_started;
    total.waits.insert(total.waits.end(), m->waits.begin(), m->waits.end());
  }
  auto utilization = [&](const TeamMetrics& m, Amount of) {
    if (of <= 0 || result_.horizon <= 0) return 0.0;
    return m.horizon_held_gpu_s / (static_cast<double>(of) * static_cast<double>(result_.horizon));
  };
  for (TeamMetrics& m : result_.teams) m.utilization = utilization(m, m.quota);
  total.utilization = utilization(total, result_.capacity);
  return std::move(result_);
}

}  // namespace taskgov::cli
