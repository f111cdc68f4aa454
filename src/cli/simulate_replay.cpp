// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_replay.h"

#include <algorithm>
#include <chrono>
#include <queue>
#include <set>

#include "cli/simulate_cluster.h"
#include "engine/submission.h"

namespace taskgov::cli {

const char* regime_name(Regime regime) {
  switch (regime) {
    case Regime::Fifo: return "fifo";
    case Regime::Static: return "static";
    case Regime::Taskgov: return "taskgov";
  }
  return "?";
}

namespace {

constexpr int64_t kNever = INT64_MAX;

enum class Status : uint8_t { Future, Pending, Running, Done, Rejected };

struct JobState {
  Status status = Status::Future;
  bool eligible = true;      // false between a requeue and its BeginTime
  int64_t queued_at = 0;     // submit time, or the requeue time (Slurm resets it)
  int64_t started = 0;
  uint32_t run = 0;          // which run this is; an end event of an older run is stale
  int footprint = 0;
  std::vector<Slice> slices;
};

struct Event {
  int64_t time;
  enum Kind : uint8_t { End, Eligible } kind;
  uint32_t job;
  uint32_t run;
  bool operator>(const Event& o) const {
    if (time != o.time) return time > o.time;
    if (kind != o.kind) return kind > o.kind;
    return job > o.job;
  }
};

class Replay {
 public:
  Replay(const ReplaySetup& setup, Regime regime)
      : setup_(setup), trace_(*setup.trace), regime_(regime), cluster_(setup.gpus_per_node),
        jobs_(trace_.jobs.size()), team_held_(trace_.teams.size(), 0),
        engine_held_(setup.config ? setup.config->policy.teams.size() : 0, 0),
        recorder_(trace_.teams, setup.quota, cluster_.capacity(), horizon(trace_),
                  setup.bucket_seconds, setup.cycle_seconds, trace_.jobs.size()) {
    PolicyError error;  // the config was built from this policy already: it resolves
    if (regime_ == Regime::Taskgov) engine_.set_policy(setup.config->policy, setup.config->inventory, &error);
    for (size_t j = 0; j < jobs_.size(); ++j) jobs_[j].footprint = cluster_.footprint(trace_.jobs[j].gpus);
  }

  RegimeResult run(const Progress& progress) {
    size_t next = 0;
    uint64_t steps = 0;
    const double span = static_cast<double>(std::max<int64_t>(1, horizon(trace_)));
    while (true) {
      int64_t t = kNever;
      if (next < jobs_.size()) t = trace_.jobs[next].submit;
      if (!events_.empty()) t = std::min(t, events_.top().time);
      if (cycle_due_ != kNever) t = std::min(t, cycle_due_);
      if (t == kNever) break;
      recorder_.advance(t);
      bool changed = false;
      while (!events_.empty() && events_.top().time == t) {
        Event e = events_.top();
        events_.pop();
        changed |= handle(e, t);
      }
      for (; next < jobs_.size() && trace_.jobs[next].submit == t; ++next) changed |= submit(next, t);
      if (changed) request_cycle(t);
      // The scheduler runs after every change and every cycle; its starts ask for a cycle, which
      // runs now only when the last one is cycle_seconds old, so this ends.
      for (bool pass = changed; pass || cycle_due_ == t;) {
        if (cycle_due_ == t) cycle(t);
        pass = false;
        if (schedule(t)) request_cycle(t);
      }
      if (progress && (++steps & 1023) == 0) progress(std::min(1.0, static_cast<double>(t) / span));
    }
    for (size_t j = 0; j < jobs_.size(); ++j)
      if (jobs_[j].status == Status::Pending) recorder_.never_started(trace_.jobs[j].team);
    if (progress) progress(1.0);
    return recorder_.finish(regime_name(regime_), cycles_);
  }

 private:
  static int64_t horizon(const Trace& trace) { return trace.jobs.empty() ? 0 : trace.jobs.back().submit; }

  static uint32_t id_of(size_t job) { return static_cast<uint32_t>(job + 1); }

  int32_t engine_team(size_t job) const {
    int team = trace_.jobs[job].team;
    return team < 0 || setup_.engine_team.empty() ? kNoTeam : setup_.engine_team[static_cast<size_t>(team)];
  }

  int32_t class_of(size_t job) const { return engine_team(job) < 0 ? kNoClass : setup_.job_class; }

  // A request no limit of its regime could ever admit, or no node set could hold: Slurm rejects
  // it at submit (the association's GrpTRES, or job_submit/taskgov's own rule), it never pends.
  bool never_fits(size_t job) const {
    const int fp = jobs_[job].footprint;
    if (fp > cluster_.capacity()) return true;
    const int team = trace_.jobs[job].team;
    if (regime_ == Regime::Static) return team >= 0 && fp > setup_.quota[static_cast<size_t>(team)];
    if (regime_ != Regime::Taskgov || engine_team(job) < 0) return false;
    SubmitRequest request;
    request.team = engine_team(job);
    request.tres_per_job = "gres:" + setup_.gpu_gres + ":" + std::to_string(fp);
    return decide_submission(*setup_.config, engine_.result().get(), request).outcome != SubmitOutcome::Accept;
  }

  bool submit(size_t job, int64_t t) {
    JobState& s = jobs_[job];
    const int team = trace_.jobs[job].team;
    recorder_.submitted(team);
    if (never_fits(job)) {
      s.status = Status::Rejected;
      recorder_.never_started(team);
      return false;
    }
    s.status = Status::Pending;
    s.queued_at = t;
    pending_.insert(job);
    recorder_.pend(team, s.footprint);
    return true;
  }

  bool handle(const Event& e, int64_t t) {
    JobState& s = jobs_[e.job];
    if (e.run != s.run) return false;
    const TraceJob& job = trace_.jobs[e.job];
    if (e.kind == Event::Eligible) {
      s.eligible = true;
      recorder_.pend(job.team, s.footprint);
      return true;
    }
    release(e.job);
    s.status = Status::Done;
    recorder_.completed(e.job, job.team, s.footprint, job.duration, t - job.submit - job.duration);
    return true;
  }

  void release(size_t job) {
    JobState& s = jobs_[job];
    cluster_.release(s.slices);
    hold(job, -s.footprint);
    recorder_.stop(trace_.jobs[job].team, s.footprint);
    running_.erase(job);
  }

  void hold(size_t job, int gpus) {
    const int team = trace_.jobs[job].team;
    if (team >= 0) team_held_[static_cast<size_t>(team)] += gpus;
    const int32_t et = engine_team(job);
    if (et >= 0 && !engine_held_.empty()) engine_held_[static_cast<size_t>(et)] += gpus;
  }

  void start(size_t job, int64_t t, std::vector<Slice> slices) {
    JobState& s = jobs_[job];
    s.status = Status::Running;
    s.started = t;
    s.slices = std::move(slices);
    ++s.run;
    pending_.erase(job);
    running_.insert(job);
    hold(job, s.footprint);
    recorder_.unpend(trace_.jobs[job].team, s.footprint);
    recorder_.start(job, trace_.jobs[job].team, s.footprint);
    events_.push({t + trace_.jobs[job].duration, Event::End, static_cast<uint32_t>(job), s.run});
  }

  // Requeued: its progress is lost, it pends again from now, and Slurm holds it until BeginTime.
  void preempt(size_t job, size_t preemptor, int64_t t) {
    JobState& s = jobs_[job];
    const ResourceVector request = request_of(preemptor);
    const PreemptReason reason = engine_.may_preempt(id_of(preemptor), engine_team(preemptor),
                                                     class_of(preemptor), &request, id_of(job));
    release(job);
    recorder_.preempted(trace_.jobs[job].team, s.footprint, t - s.started, reason_name(reason));
    s.status = Status::Pending;
    s.queued_at = t;
    s.eligible = false;
    ++s.run;
    pending_.insert(job);
    events_.push({t + setup_.requeue_delay, Event::Eligible, static_cast<uint32_t>(job), s.run});
  }

  // The cycle runs soon after a change, at most once per cycle_seconds.
  void request_cycle(int64_t t) {
    if (regime_ != Regime::Taskgov || cycle_due_ != kNever) return;
    cycle_due_ = last_cycle_ == kNever ? t : std::max(t, last_cycle_ + setup_.cycle_seconds);
  }

  // What the job asks of the engine's resources: its GPUs.
  ResourceVector request_of(size_t job) const {
    ResourceVector req;
    req[setup_.gpu_resource] = jobs_[job].footprint;
    return req;
  }

  void run_engine(int64_t t) {
    Snapshot snapshot;
    snapshot.now = t;
    const int r = setup_.gpu_resource;
    for (size_t job : running_) {
      RunningJob rj;
      rj.id = id_of(job);
      rj.team = engine_team(job);
      rj.klass = class_of(job);
      rj.alloc[r] = jobs_[job].footprint;
      rj.start_time = jobs_[job].started;
      snapshot.running.push_back(rj);
    }
    for (size_t job : pending_) {
      PendingJob pj;
      pj.id = id_of(job);
      pj.team = engine_team(job);
      pj.klass = class_of(job);
      pj.req = request_of(job);
      pj.submit_time = jobs_[job].queued_at;
      pj.eligible = jobs_[job].eligible;  // a requeued job waits for its BeginTime
      snapshot.pending.push_back(pj);
    }
    engine_.run_cycle(std::move(snapshot));
    ++cycles_;
    last_cycle_ = t;
  }

  // One cycle as the priority plugin runs it: new limits and order, then the preemptions for
  // jobs their own team's limit holds back (Slurm never looks for victims for those). A
  // preemption only serves its preemptor: the victims' nodes must let it start. The victims'
  // nodes are released before the scheduler runs again, and the cycle that follows their end
  // sees it first (requeue and epilog take longer than a cycle).
  void cycle(int64_t t) {
    cycle_due_ = kNever;
    run_engine(t);
    bool preempted = false;
    for (uint32_t id : engine_.preemptors_held_by_limits()) {
      const size_t job = id - 1;
      if (jobs_[job].status != Status::Pending) continue;
      const std::vector<Victim> victims = engine_.victims_for(id);
      // Another preemptor of this cycle may have taken some of them already.
      if (std::any_of(victims.begin(), victims.end(),
                      [&](const Victim& v) { return jobs_[v.job - 1].status != Status::Running; }))
        continue;
      Placement trial = cluster_;
      for (const Victim& v : victims) trial.release(jobs_[v.job - 1].slices);
      if (!trial.fits(jobs_[job].footprint)) continue;
      for (const Victim& v : victims) preempt(v.job - 1, job, t);
      preempted = true;
    }
    if (preempted) run_engine(t);
  }

  bool within_limit(size_t job) const {
    const int fp = jobs_[job].footprint;
    if (regime_ == Regime::Fifo) return true;
    if (regime_ == Regime::Static) {
      const int team = trace_.jobs[job].team;
      return team < 0 || team_held_[static_cast<size_t>(team)] + fp <= setup_.quota[static_cast<size_t>(team)];
    }
    const int32_t et = engine_team(job);
    if (et < 0) return true;
    return engine_held_[static_cast<size_t>(et)] + fp <=
           engine_.result()->teams[static_cast<size_t>(et)].limit[setup_.gpu_resource];
  }

  // Pending jobs in the order the scheduler tries them: submit order (fifo, static), or the
  // engine's priority (jobs the last cycle has not seen yet come last, as their site factor
  // is still 0), ties by job id.
  std::vector<size_t> queue_order() const {
    std::vector<std::pair<uint64_t, size_t>> keyed;
    keyed.reserve(pending_.size());
    const CycleResult* cycle = regime_ == Regime::Taskgov ? engine_.result().get() : nullptr;
    for (size_t job : pending_) {
      if (!jobs_[job].eligible) continue;
      uint64_t priority = 0;
      if (cycle) {
        uint32_t p = cycle->pending_index.find(id_of(job));
        if (p != JobIndex::kAbsent) priority = cycle->pending_verdicts[p].priority;
      }
      keyed.emplace_back(priority, job);
    }
    if (!cycle) {
      std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        const int64_t qa = jobs_[a.second].queued_at, qb = jobs_[b.second].queued_at;
        return qa != qb ? qa < qb : a.second < b.second;
      });
    } else {
      std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
    }
    std::vector<size_t> out;
    out.reserve(keyed.size());
    for (const auto& k : keyed) out.push_back(k.second);
    return out;
  }

  // Slurm's preemption for a job within its limit that no node set can hold: the running jobs
  // the engine lets it preempt, in victim order, until their nodes would hold it; of those,
  // only the ones on the nodes it then gets are preempted.
  bool preempt_for(size_t job, int64_t t) {
    const uint32_t id = id_of(job);
    const int32_t et = engine_team(job);
    const CycleResult& cycle = *engine_.result();
    const ResourceVector request = request_of(job);
    std::vector<std::pair<uint32_t, size_t>> candidates;
    for (size_t v : running_) {
      if (engine_.may_preempt(id, et, class_of(job), &request, id_of(v)) == PreemptReason::None)
        continue;
      uint32_t at = cycle.running_index.find(id_of(v));
      candidates.emplace_back(cycle.running_verdicts[at].victim_rank, v);
    }
    if (candidates.empty()) return false;
    std::sort(candidates.begin(), candidates.end());
    Placement trial = cluster_;
    size_t used = 0;
    const int fp = jobs_[job].footprint;
    while (used < candidates.size() && !trial.fits(fp)) trial.release(jobs_[candidates[used++].second].slices);
    std::vector<Slice> slices;
    if (!trial.place(fp, &slices)) return false;
    std::set<int> nodes;
    for (const Slice& s : slices) nodes.insert(s.node);
    for (size_t k = 0; k < used; ++k) {
      const size_t v = candidates[k].second;
      bool there = std::any_of(jobs_[v].slices.begin(), jobs_[v].slices.end(),
                               [&](const Slice& s) { return nodes.count(s.node) > 0; });
      if (there) preempt(v, job, t);
    }
    if (!cluster_.place(fp, &slices)) return false;
    start(job, t, std::move(slices));
    return true;
  }

  // One scheduler pass; true when a job started.
  bool schedule(int64_t t) {
    bool started = false;
    // Requests that found no victims in this pass; cleared when anything starts.
    std::set<std::pair<int32_t, int>> no_victims;
    std::vector<Slice> slices;
    for (size_t job : queue_order()) {
      if (jobs_[job].status != Status::Pending) continue;
      if (!within_limit(job)) continue;
      if (cluster_.place(jobs_[job].footprint, &slices)) {
        start(job, t, std::move(slices));
        started = true;
        no_victims.clear();
        continue;
      }
      if (regime_ != Regime::Taskgov) continue;
      const bool known = engine_.result()->pending_index.find(id_of(job)) != JobIndex::kAbsent;
      const auto key = std::make_pair(known ? engine_team(job) : -2 - engine_team(job), jobs_[job].footprint);
      if (no_victims.count(key)) continue;
      if (preempt_for(job, t)) {
        started = true;
        no_victims.clear();
      } else {
        no_victims.insert(key);
      }
    }
    return started;
  }

  const ReplaySetup& setup_;
  const Trace& trace_;
  Regime regime_;
  Placement cluster_;
  std::vector<JobState> jobs_;
  std::set<size_t> pending_, running_;
  std::vector<int> team_held_;    // per trace team
  std::vector<int> engine_held_;  // per policy team
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  Engine engine_;
  int64_t cycle_due_ = kNever, last_cycle_ = kNever;
  int64_t cycles_ = 0;
  MetricsRecorder recorder_;
};

}  // namespace

RegimeResult replay(const ReplaySetup& setup, Regime regime, const Progress& progress) {
  const auto began = std::chrono::steady_clock::now();
  Replay run(setup, regime);
  RegimeResult result = run.run(progress);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return result;
}

}  // namespace taskgov::cli
