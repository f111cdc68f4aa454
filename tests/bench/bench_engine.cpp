// SPDX-License-Identifier: GPL-2.0-or-later
// Engine speed at production scale (issue 3, "Speed"): 2,000 nodes (16,000 GPUs of three
// types plus Trainium), 50 teams, 10,000 running and 100,000 pending jobs.
//
// Targets, on one core: a full cycle (compute_cycle) <= 5 ms; a preempt query
// (Engine::may_preempt) <= 50 ns; parsing a 500-team policy <= 50 ms. Also printed: memory per
// job record, from sizeof and from the resident-set growth of a real snapshot and result, and
// what the decision records add (issue 5): a cycle's change scan and a record's cost to its
// caller (rendering it and queueing it for the audit log's writer).
//
// The world is generated from a fixed seed so that runs compare. Jobs are built directly as
// engine records (scenario.h builds only the cluster and the teams).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_records.h"
#include "scenario.h"

using namespace taskgov;
using namespace taskgov::scenario;

namespace {

constexpr int kTeams = 50;
constexpr int kRunning = 10000;
constexpr int kPending = 100000;
constexpr int64_t kNow = 1'700'000'000;

struct Shape {
  const char* feature;
  const char* gres;  // "gres/..." name
  Amount per_node;
  Amount cpus;
  Amount mem;
  int nodes;
};

// 1,650 GPU nodes: 5,600 H100 + 4,800 A100 + 5,600 L40S = 16,000 GPUs; 350 Trainium nodes
// with 16 Neuron devices each. 2,000 nodes in all.
const Shape kShapes[] = {
    {"p5.48xlarge", "gres/gpu:h100", 8, 192, 2 * kTiB, 700},
    {"p4d.24xlarge", "gres/gpu:a100", 8, 96, 1152 * kGiB, 600},
    {"g6e.96xlarge", "gres/gpu:l40s", 16, 384, 3 * kTiB, 350},
    {"trn1.32xlarge", "gres/neuron", 16, 128, 512 * kGiB, 350},
};
constexpr int kShapeCount = 4;

Amounts node_amounts(const Shape& s) {
  return {{s.gres, s.per_node}, {"cpu", s.cpus}, {"mem", s.mem}};
}

// `n` accelerators of a shape with their proportional CPUs and memory.
Amounts job_amounts(const Shape& s, Amount n) {
  return {{s.gres, n}, {"cpu", s.cpus * n / s.per_node}, {"mem", s.mem * n / s.per_node}};
}

Scenario cluster_and_teams(int teams) {
  Scenario s;
  for (const Shape& shape : kShapes) s.nodes(shape.nodes, node_amounts(shape), {shape.feature});
  s.classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}});
  s.admission(Admission::TaskRanking).idle_compute(IdleCompute::FairShare);
  // Each team owns one accelerator type; the teams of a type share 90 % of it (the rest is
  // unassigned), in unequal parts.
  std::vector<int> per_type(kShapeCount, 0);
  for (int t = 0; t < teams; ++t) ++per_type[t % kShapeCount];
  for (int t = 0; t < teams; ++t) {
    const Shape& shape = kShapes[t % kShapeCount];
    Amount capacity = shape.per_node * shape.nodes;
    Amount share = capacity * 9 / 10 / per_type[t % kShapeCount];
    Amount quota = std::max<Amount>(1, share * (5 + t % 6) / 8);  // 62 %..125 % of equal
    TeamSpec spec;
    spec.name = "team" + std::to_string(t);
    spec.quota = job_amounts(shape, quota);
    spec.sharing = t % 10 == 0   ? Sharing::DontLend
                   : t % 10 <= 2 ? Sharing::Lend
                                 : Sharing::LendAndBorrow;
    spec.weight = t % 7;  // some weight 0
    spec.borrow_percent = 50 + (t % 4) * 50;
    spec.preempt = t % 3 == 0 ? PreemptTeamTasks::Never : PreemptTeamTasks::LowerPriority;
    s.team(spec);
  }
  return s;
}

struct World {
  Scenario scenario;
  std::shared_ptr<const EngineConfig> config;
  Snapshot snapshot;
};

// Accelerators per job: mostly small, some whole nodes.
Amount job_size(std::mt19937& rng, const Shape& shape) {
  static const Amount kSizes[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 4, 8};
  Amount n = kSizes[rng() % 13];
  if (n == 8 && shape.per_node == 16 && rng() % 2) n = 16;
  return n;
}

// Running jobs go to teams in proportion to quota x a load factor, so that the cluster runs
// near full with a realistic mix: a third of the teams well under their quota (lending),
// a third around it, a third borrowing. Pending jobs come from every team alike.
int pick_team(std::mt19937& rng, bool running) {
  if (!running) return static_cast<int>(rng() % kTeams);
  static const std::vector<double> weights = [] {
    std::vector<double> w;
    for (int t = 0; t < kTeams; ++t) {
      const Shape& shape = kShapes[t % kShapeCount];
      double load = t % 3 == 0 ? 0.5 : t % 3 == 1 ? 1.0 : 1.3;
      w.push_back(load * (5 + t % 6) * shape.per_node * shape.nodes);
    }
    return w;
  }();
  std::discrete_distribution<int> dist(weights.begin(), weights.end());
  return dist(rng);
}

template <typename Job>
Job make_job(Scenario& s, std::mt19937& rng, uint32_t id, int64_t time) {
  Job job;
  job.id = id;
  int team = pick_team(rng, std::is_same_v<Job, RunningJob>);
  job.team = rng() % 100 == 0 ? kNoTeam : team;  // 1 % ungoverned
  job.klass = rng() % 20 == 0 ? kNoClass : static_cast<int32_t>(rng() % 3);
  // Nine jobs in ten on the team's own accelerator type.
  int type = rng() % 10 == 0 ? static_cast<int>(rng() % kShapeCount) : team % kShapeCount;
  const Shape& shape = kShapes[type];
  ResourceVector v = s.vec(job_amounts(shape, job_size(rng, shape)));
  if constexpr (std::is_same_v<Job, RunningJob>) {
    job.alloc = v;
    job.start_time = time;
  } else {
    job.req = v;
    job.submit_time = time;
  }
  return job;
}

bool fits(const ResourceVector& free, const ResourceVector& need) {
  for (int r = 0; r < kMaxResources; ++r)
    if (need[r] > free[r]) return false;
  return true;
}

void fill_jobs(World* w, int running, int pending, uint32_t seed) {
  std::mt19937 rng(seed);
  w->snapshot.now = kNow;
  w->snapshot.running.reserve(running);
  w->snapshot.pending.reserve(pending);
  // Running jobs must fit in the cluster: a job that does not is drawn again (the cluster
  // ends up nearly full, as a busy one is).
  ResourceVector free = w->config->resolved.capacity;
  // Job ids as Slurm hands them out: increasing, with gaps, running ones older.
  uint32_t id = 1'000'000;
  for (int i = 0; i < running; ++i) {
    id += 1 + rng() % 3;
    RunningJob job;
    for (int attempt = 0; attempt < 1000; ++attempt) {
      job = make_job<RunningJob>(w->scenario, rng, id, kNow - 7 * 86400 + int64_t{i} * 60);
      if (fits(free, job.alloc)) break;
    }
    // Nearly full: take one accelerator of whichever type still has room.
    for (int type = 0; type < kShapeCount && !fits(free, job.alloc); ++type)
      job.alloc = w->scenario.vec(job_amounts(kShapes[type], 1));
    if (!fits(free, job.alloc)) {
      std::fprintf(stderr, "bench world: running job %d does not fit\n", i);
      std::abort();
    }
    free -= job.alloc;
    w->snapshot.running.push_back(job);
  }
  for (int i = 0; i < pending; ++i) {
    id += 1 + rng() % 3;
    w->snapshot.pending.push_back(
        make_job<PendingJob>(w->scenario, rng, id, kNow - 3 * 86400 + int64_t{i} * 2));
  }
}

World& world() {
  static World* w = [] {
    auto* built = new World{cluster_and_teams(kTeams), nullptr, {}};
    built->config = built->scenario.config();
    fill_jobs(built, kRunning, kPending, 42);
    return built;
  }();
  return *w;
}

// ---------------------------------------------------------------- full cycle
void BM_ComputeCycle(benchmark::State& state) {
  World& w = world();
  std::shared_ptr<const CycleResult> result;
  for (auto _ : state) {
    // The caller builds a fresh snapshot every cycle anyway; its copy is not the engine's
    // cost (BM_SnapshotCopy shows it), nor is freeing the previous result.
    state.PauseTiming();
    Snapshot copy = w.snapshot;
    result.reset();
    state.ResumeTiming();
    result = compute_cycle(w.config, std::move(copy));
    benchmark::DoNotOptimize(result.get());
  }
  state.counters["running"] = static_cast<double>(result->running.size());
  state.counters["pending"] = static_cast<double>(result->pending.size());
}
BENCHMARK(BM_ComputeCycle)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The worst case for the engine's per-request memo: every pending job asks for a different
// amount of memory, so no two share a verdict.
void BM_ComputeCycleAllRequestsDistinct(benchmark::State& state) {
  World& w = world();
  static const Snapshot distinct = [&] {
    Snapshot snap = w.snapshot;
    const int mem = w.scenario.resource("mem");
    for (size_t i = 0; i < snap.pending.size(); ++i) snap.pending[i].req[mem] += static_cast<Amount>(i);
    return snap;
  }();
  std::shared_ptr<const CycleResult> result;
  for (auto _ : state) {
    state.PauseTiming();
    Snapshot copy = distinct;
    result.reset();
    state.ResumeTiming();
    result = compute_cycle(w.config, std::move(copy));
    benchmark::DoNotOptimize(result.get());
  }
}
BENCHMARK(BM_ComputeCycleAllRequestsDistinct)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SnapshotCopy(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    Snapshot copy = w.snapshot;
    benchmark::DoNotOptimize(copy.pending.data());
  }
}
BENCHMARK(BM_SnapshotCopy)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- preempt query
struct QueryWorld {
  Engine engine;
  std::vector<uint32_t> preemptor;  // ids
  std::vector<int32_t> team;
  std::vector<int32_t> klass;
  std::vector<ResourceVector> request;  // the preemptor's own request
  std::vector<uint32_t> victim;
  int yes = 0;  // pairs answered other than None
};

constexpr size_t kPairs = 1 << 16;

// Random pairs of a pending and a running job of the cycle; with `unknown`, preemptor ids the
// cycle has never seen (submitted since), judged by their own request.
QueryWorld* make_queries(bool unknown) {
  World& w = world();
  auto* q = new QueryWorld;
  PolicyError error;
  if (!q->engine.set_policy(w.scenario.policy(), w.scenario.inventory(), &error)) {
    std::fprintf(stderr, "set_policy: %s\n", error.to_string().c_str());
    std::abort();
  }
  q->engine.run_cycle(w.snapshot);
  std::mt19937 rng(unknown ? 9 : 7);
  for (size_t i = 0; i < kPairs; ++i) {
    const PendingJob& p = w.snapshot.pending[rng() % w.snapshot.pending.size()];
    const RunningJob& v = w.snapshot.running[rng() % w.snapshot.running.size()];
    q->preemptor.push_back(unknown ? 4'000'000'000u - static_cast<uint32_t>(i) : p.id);
    q->team.push_back(p.team);
    q->klass.push_back(p.klass);
    q->request.push_back(p.req);
    q->victim.push_back(v.id);
    if (q->engine.may_preempt(q->preemptor.back(), p.team, p.klass, &p.req, v.id) != PreemptReason::None)
      ++q->yes;
  }
  return q;
}

void run_queries(benchmark::State& state, QueryWorld& q) {
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++ & (kPairs - 1);
    benchmark::DoNotOptimize(
        q.engine.may_preempt(q.preemptor[k], q.team[k], q.klass[k], &q.request[k], q.victim[k]));
  }
  state.counters["share_yes"] = static_cast<double>(q.yes) / kPairs;
}

void BM_MayPreempt(benchmark::State& state) {
  static QueryWorld* q = make_queries(false);
  run_queries(state, *q);
}
BENCHMARK(BM_MayPreempt);

void BM_MayPreemptUnknownPreemptor(benchmark::State& state) {
  static QueryWorld* q = make_queries(true);
  run_queries(state, *q);
}
BENCHMARK(BM_MayPreemptUnknownPreemptor);

// ---------------------------------------------------------------- policy parse
// 500 teams in the shape of etc/taskgov.json: instance, accelerator, GRES and cpu/memory
// entries, some absolute borrow limits.
std::string policy_json(int teams) {
  std::string out =
      "{\n  \"cluster\": {\n"
      "    \"priority_classes\": [{\"name\": \"inference\", \"weight\": 100},\n"
      "      {\"name\": \"training\", \"weight\": 50}, {\"name\": \"experimentation\", \"weight\": 10}],\n"
      "    \"admission\": \"task-ranking\", \"idle_compute\": \"fair-share\",\n"
      "    \"share_unassigned\": true, \"cycle_seconds\": 5\n  },\n  \"teams\": [\n";
  static const char* kSharing[] = {"lend", "dont-lend", "lend-and-borrow"};
  for (int t = 0; t < teams; ++t) {
    const Shape& shape = kShapes[t % kShapeCount];
    std::string gres = std::string(shape.gres).substr(5);
    out += "    {\"name\": \"team" + std::to_string(t) + "\", \"account\": \"acct" +
           std::to_string(t) + "\", \"fair_share_weight\": " + std::to_string(t % 101) +
           ", \"sharing\": \"" + kSharing[t % 3] + "\", \"borrow_limit_percent\": " +
           std::to_string(t % 501) + ",\n     \"preempt_team_tasks\": \"" +
           (t % 2 ? "never" : "lower-priority") + "\",\n";
    if (t % 5 == 0)
      out += "     \"absolute_borrow_limits\": [{\"gres\": \"" + gres + "\", \"count\": 4}],\n";
    out += "     \"quota\": [{\"instance_type\": \"" + std::string(shape.feature) +
           "\", \"count\": " + std::to_string(1 + t % 3) + "},\n" +
           "               {\"instance_type\": \"" + shape.feature +
           "\", \"accelerators\": " + std::to_string(1 + t % 7) + "},\n" +
           "               {\"gres\": \"" + gres + "\", \"count\": " + std::to_string(2 + t % 5) +
           ", \"cpus\": 32, \"memory\": \"256G\"},\n" +
           "               {\"cpus\": " + std::to_string(8 * (1 + t % 4)) +
           ", \"memory\": \"" + std::to_string(64 * (1 + t % 4)) + "G\"}]}";
    out += t + 1 < teams ? ",\n" : "\n";
  }
  out += "  ]\n}\n";
  return out;
}

void BM_ParsePolicy(benchmark::State& state) {
  const int teams = static_cast<int>(state.range(0));
  std::string text = policy_json(teams);
  for (auto _ : state) {
    Policy policy;
    PolicyError error;
    if (!parse_policy(text, "bench.json", &policy, &error)) {
      state.SkipWithError(error.to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(policy.teams.data());
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_ParsePolicy)->Arg(500)->Unit(benchmark::kMillisecond);

// Parse + resolve against the inventory + the engine config: what a reconfigure costs.
void BM_ParseAndBuildConfig(benchmark::State& state) {
  const int teams = static_cast<int>(state.range(0));
  std::string text = policy_json(teams);
  Inventory inventory = world().scenario.inventory();
  for (auto _ : state) {
    Policy policy;
    PolicyError error;
    std::shared_ptr<const EngineConfig> config;
    if (!parse_policy(text, "bench.json", &policy, &error) ||
        !build_config(std::move(policy), inventory, &config, &error)) {
      state.SkipWithError(error.to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(config.get());
  }
}
BENCHMARK(BM_ParseAndBuildConfig)->Arg(500)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- decision records
// The common case: between two cycles one job started and one was submitted; the scan over
// 110,000 jobs finds them and the limits that moved. Compare with BM_ComputeCycle.
void BM_CycleChangesFew(benchmark::State& state) {
  World& w = world();
  static const auto previous = compute_cycle(w.config, Snapshot(w.snapshot));
  static const auto current = [&] {
    Snapshot next = w.snapshot;
    next.running.pop_back();  // ended
    RunningJob started{next.pending.front().id, next.pending.front().team, next.pending.front().klass,
                       next.pending.front().req, kNow};
    next.pending.erase(next.pending.begin());
    next.running.push_back(started);
    PendingJob submitted = next.pending.back();
    submitted.id += 10;
    next.pending.push_back(submitted);
    return compute_cycle(w.config, std::move(next));
  }();
  size_t records = 0;
  for (auto _ : state) {
    records = audit::cycle_changes(previous.get(), *current).size();
    benchmark::DoNotOptimize(records);
  }
  state.counters["records"] = static_cast<double>(records);
}
BENCHMARK(BM_CycleChangesFew)->Unit(benchmark::kMillisecond);

// The worst case: every pending job is new to the cycle (100,000 band records at once).
void BM_CycleChangesAllNew(benchmark::State& state) {
  World& w = world();
  static const auto previous = [&] {
    Snapshot none = w.snapshot;
    none.pending.clear();
    return compute_cycle(w.config, std::move(none));
  }();
  static const auto current = compute_cycle(w.config, Snapshot(w.snapshot));
  size_t records = 0;
  for (auto _ : state) {
    records = audit::cycle_changes(previous.get(), *current).size();
    benchmark::DoNotOptimize(records);
  }
  state.counters["records"] = static_cast<double>(records);
  state.counters["per_record"] = benchmark::Counter(static_cast<double>(records),
                                                    benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}
BENCHMARK(BM_CycleChangesAllNew)->Unit(benchmark::kMillisecond);

// What job_submit/taskgov's caller pays per submission for its record: rendering it, and
// queueing it for the writer thread (which writes to a file in /tmp meanwhile).
void BM_SubmitRecord(benchmark::State& state) {
  World& w = world();
  SubmitDecision decision;
  decision.klass = 0;
  decision.request = w.snapshot.pending.front().req;
  decision.message = "taskgov: team t0, class c0 (the lowest: no --qos given)";
  const audit::Submitter who{1001, 0, false, "t0"};
  static AuditLog log;
  static const std::string path = "/tmp/taskgov-bench-audit-" + std::to_string(getpid()) + ".log";
  log.open(path);
  for (auto _ : state) {
    std::string record = audit::submission(*w.config, who, 0, &decision);
    if (state.range(0)) log.write(record);
    benchmark::DoNotOptimize(record.data());
  }
  if (state.range(0)) {
    log.close();
    for (const std::string& file : audit_log_files(path)) std::remove(file.c_str());
  }
}
BENCHMARK(BM_SubmitRecord)->ArgName("queued")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------- memory per job
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

void report_memory() {
  // Per-job bytes the engine keeps for one cycle: the job record, its verdict, its facts
  // for the preemption rules, and its JobIndex slots (two uint32 arrays, load <= 1/2).
  const double index_pending = 8.0 * 262144 / kPending;  // 100k ids -> 2^18 slots
  const double index_running = 8.0 * 32768 / kRunning;   // 10k ids -> 2^15 slots
  std::printf("memory per job record (sizeof):\n");
  std::printf("  RunningJob %zu + RunningVerdict %zu + VictimFacts %zu + index %.1f = %.1f B\n",
              sizeof(RunningJob), sizeof(RunningVerdict), sizeof(VictimFacts), index_running,
              sizeof(RunningJob) + sizeof(RunningVerdict) + sizeof(VictimFacts) + index_running);
  std::printf("  PendingJob %zu + PendingVerdict %zu + PreemptorFacts %zu + index %.1f = %.1f B\n",
              sizeof(PendingJob), sizeof(PendingVerdict), sizeof(PreemptorFacts), index_pending,
              sizeof(PendingJob) + sizeof(PendingVerdict) + sizeof(PreemptorFacts) + index_pending);
  std::printf("  (ResourceVector is %zu B of that: kMaxResources = %d amounts of 8 B)\n",
              sizeof(ResourceVector), kMaxResources);

  // Resident growth of a fresh world: the snapshot, then one cycle's result over it (the
  // snapshot moves into the result, so the second step is what the cycle adds).
  long before = resident_bytes();
  World* w = new World{cluster_and_teams(kTeams), nullptr, {}};
  w->config = w->scenario.config();
  fill_jobs(w, kRunning, kPending, 43);
  long with_snapshot = resident_bytes();
  auto result = compute_cycle(w->config, std::move(w->snapshot));
  long with_result = resident_bytes();
  const double jobs = kRunning + kPending;
  std::printf("memory per job record (RSS, %d running + %d pending):\n", kRunning, kPending);
  std::printf("  snapshot %.1f MiB = %.1f B/job; the cycle adds %.1f MiB = %.1f B/job; total %.1f B/job\n",
              (with_snapshot - before) / 1048576.0, (with_snapshot - before) / jobs,
              (with_result - with_snapshot) / 1048576.0, (with_result - with_snapshot) / jobs,
              (with_result - before) / jobs);
  std::fflush(stdout);
  result.reset();
  delete w;
}

}  // namespace

int main(int argc, char** argv) {
  report_memory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
