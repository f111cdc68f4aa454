// SPDX-License-Identifier: GPL-2.0-or-later
// The engine context: JobIndex, compute_cycle's outputs, the hand-built test config against
// build_config, publish() and stale results, Engine::may_preempt (known and unknown jobs),
// victims_for and team_for_lineage.
#include <check.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "scenario.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;

namespace {

// For assertions inside loops of thousands: Check's own macros record a mark point per call
// (a write to its pipe in fork mode), which made these tests slow under the sanitizers.
#define CHECK_IN_LOOP(cond, ...)                  \
  do {                                            \
    if (!(cond)) ck_abort_msg(__VA_ARGS__);       \
  } while (0)

#define CHECK_IDS(ids, want)                                                          \
  do {                                                                                \
    std::string got_ = ids_string(ids);                                               \
    ck_assert_msg(got_ == (want), "%s = {%s}, want {%s}", #ids, got_.c_str(), (want)); \
  } while (0)

// ---------------------------------------------------------------- JobIndex
struct IndexCase {
  const char* name;
  std::vector<uint32_t> ids;
  std::vector<uint32_t> absent;
};

std::vector<uint32_t> sequence(uint32_t first, uint32_t count, uint32_t step = 1) {
  std::vector<uint32_t> ids;
  for (uint32_t k = 0; k < count; ++k) ids.push_back(first + k * step);
  return ids;
}

const IndexCase kIndexCases[] = {
    {"built from no ids finds nothing", {}, {0, 1, UINT32_MAX}},
    {"one id", {42}, {0, 41, 43}},
    {"sequential ids", sequence(1, 1000), {0, 1001, 5000}},
    // Sparse ids take the hash table: 16 slots for 8 ids, and ids a multiple of 16 apart
    // share their home slot, so the probe must walk past all of them.
    {"colliding ids all found", sequence(5, 8, 1u << 20), {5 + (8u << 20), 5 + (9u << 20), 6}},
    {"dense ids: a flat array", sequence(1000, 500, 3), {999, 1001, 1000 + 500 * 3, 0}},
    {"dense ids at the top of the id space", sequence(UINT32_MAX - 99, 100),
     {UINT32_MAX - 100, 0, 1}},
    {"sparse ids beside a dense run", {1, 2, 3, 4, 4000000000u}, {5, 3999999999u}},
    {"id 0 and the largest id", {0, UINT32_MAX, 7}, {1, UINT32_MAX - 1}},
    {"a table exactly half full", sequence(100, 16), {99, 116}},
};

START_TEST(job_index_table) {
  const IndexCase& c = kIndexCases[_i];
  JobIndex index;
  index.build(c.ids);
  for (uint32_t pos = 0; pos < c.ids.size(); ++pos)
    ck_assert_msg(index.find(c.ids[pos]) == pos, "%s: id %u at %u, want %u", c.name, c.ids[pos],
                  index.find(c.ids[pos]), pos);
  for (uint32_t id : c.absent)
    ck_assert_msg(index.find(id) == JobIndex::kAbsent, "%s: absent id %u found", c.name, id);
}
END_TEST

START_TEST(job_index_collisions_are_real) {
  // Guard for the table above: the "colliding" ids do share one home slot in a 16-slot table
  // (the multiplicative hash keeps ids a multiple of 16 apart on the same low bits).
  for (uint32_t id : sequence(5, 8, 1u << 20))
    ck_assert_uint_eq((id * 2654435769u) & 15u, (5u * 2654435769u) & 15u);
}
END_TEST

START_TEST(job_index_empty_and_rebuilt) {
  JobIndex index;
  ck_assert_uint_eq(index.find(0), JobIndex::kAbsent);  // never built
  index.build({1, 2, 3});
  ck_assert_uint_eq(index.find(3), 2);
  index.build({4});
  ck_assert_uint_eq(index.find(1), JobIndex::kAbsent);  // a rebuild forgets the old ids
  ck_assert_uint_eq(index.find(4), 0);
}
END_TEST

START_TEST(job_index_large_random) {
  std::mt19937 rng(7);
  std::vector<uint32_t> ids;
  std::vector<bool> seen(1u << 24, false);  // ids below 2^24 so that uniqueness is cheap
  while (ids.size() < 110000) {
    uint32_t id = rng() & 0xffffffu;
    if (!seen[id]) {
      seen[id] = true;
      ids.push_back(id);
    }
  }
  JobIndex index;
  index.build(ids);
  for (uint32_t pos = 0; pos < ids.size(); ++pos)
    CHECK_IN_LOOP(index.find(ids[pos]) == pos, "id %u not at %u", ids[pos], pos);
  int absent = 0;
  for (uint32_t id = 0; id < (1u << 24) && absent < 100000; ++id)
    if (!seen[id]) {
      CHECK_IN_LOOP(index.find(id) == JobIndex::kAbsent, "absent id %u found", id);
      ++absent;
    }
}
END_TEST

// ---------------------------------------------------------------- scenarios
const Amounts kP5 = {{"gres/gpu:h100", 8}, {"cpu", 192}, {"mem", 2 * kTiB}};


// n and v own 16 GPUs each; v borrows n's 6 idle ones (105, 106 are its excess).
Scenario reclaim_world() {
  Scenario s;
  s.nodes(4, gpus(8)).idle_compute(IdleCompute::Fcfs);
  s.team(gpu_team("n", 16, 50)).team(gpu_team("v", 16, 50));
  for (uint32_t id = 101; id <= 105; ++id) s.running(id, "v", "", gpus(4), int64_t{id - 100} * 100);
  s.running(106, "v", "", gpus(2), 600).running(201, "n", "", gpus(10), 100);
  s.pending(301, "n", "", gpus(4), 700).pending(303, "n", "", gpus(8), 700);
  return s;
}

// Team a (dont-lend) at its quota with a training and an experimentation job; task-ranking.
Scenario priority_world(PreemptTeamTasks preempt = PreemptTeamTasks::LowerPriority) {
  Scenario s;
  s.nodes(2, gpus(8)).admission(Admission::TaskRanking);
  s.classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}});
  TeamSpec a = gpu_team("a", 8, 50, 1, Sharing::DontLend);
  a.preempt = preempt;
  s.team(a).team(gpu_team("b", 8, 50, 1, Sharing::DontLend));
  s.running(401, "a", "training", gpus(4), 100).running(402, "a", "experimentation", gpus(4), 200);
  s.pending(501, "a", "inference", gpus(4), 300).pending(502, "a", "training", gpus(4), 300);
  s.pending(503, "a", "experimentation", gpus(4), 300);
  return s;
}

// a (weight 3) waits for 4 GPUs of an empty pool that b (weight 1) holds 8 of.
Scenario swap_world() {
  Scenario s;
  s.nodes(1, gpus(20)).idle_compute(IdleCompute::FairShare);
  s.team(gpu_team("a", 4, 200, 3)).team(gpu_team("b", 4, 200, 1));
  s.running(601, "b", "", gpus(4), 100).running(602, "b", "", gpus(4), 200);
  s.running(603, "b", "", gpus(4), 300);
  s.running(701, "a", "", gpus(4), 100).running(702, "a", "", gpus(4), 250);
  s.pending(801, "a", "", gpus(4), 400);
  return s;
}

Engine engine_for(Scenario& s) {
  Engine engine;
  PolicyError error;
  bool ok = engine.set_policy(s.policy(), s.inventory(), &error);
  ck_assert_msg(ok, "set_policy: %s", error.to_string().c_str());
  return engine;
}

// ---------------------------------------------------------------- compute_cycle
START_TEST(cycle_keeps_jobs_and_verdicts_by_id) {
  Scenario s = reclaim_world();
  auto cycle = s.cycle();
  ck_assert_ptr_eq(cycle->config.get(), s.config().get());
  ck_assert_uint_eq(cycle->running.size(), 7);
  ck_assert_uint_eq(cycle->running_verdicts.size(), 7);
  ck_assert_uint_eq(cycle->victims.size(), 7);
  ck_assert_uint_eq(cycle->pending.size(), 2);
  ck_assert_uint_eq(cycle->pending_verdicts.size(), 2);
  ck_assert_uint_eq(cycle->preemptors.size(), 2);
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 301).band), "in-quota");
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 303).band), "blocked");
  ck_assert_int_eq(preemptor_facts(*cycle, 303).team, 0);
  ck_assert_uint_eq(preemptor_facts(*cycle, 301).need_mask, 1u << s.resource(kGpu));
  ck_assert_int_eq(victim_facts(*cycle, 106).team, 1);
  ck_assert_int_eq(cycle->teams[0].used[s.resource(kGpu)], 10);
  ck_assert_int_eq(cycle->teams[1].used[s.resource(kGpu)], 22);
}
END_TEST

START_TEST(jobs_of_no_or_unknown_team_are_ungoverned) {
  Scenario s;
  s.nodes(4, gpus(8)).team(gpu_team("a", 8, 50));
  Snapshot snap;
  snap.now = 1000;
  RunningJob r1{1, kNoTeam, kNoClass, s.vec(gpus(3)), 10};
  RunningJob r2{2, 7, kNoClass, s.vec(gpus(2)), 10};  // team index the policy does not have
  snap.running = {r1, r2};
  PendingJob p1{3, 7, kNoClass, s.vec(gpus(1)), 10};
  snap.pending = {p1};
  auto cycle = compute_cycle(s.config(), snap);
  const int gpu = s.resource(kGpu);
  ck_assert_int_eq(cycle->ungoverned_use[gpu], 5);
  ck_assert_int_eq(cycle->teams[0].used[gpu], 0);
  // 32 - 8 owned - 5 ungoverned
  ck_assert_int_eq(cycle->pool.unassigned[gpu], 19);
  ck_assert_int_eq(victim_facts(*cycle, 2).team, kNoTeam);
  ck_assert_int_eq(preemptor_facts(*cycle, 3).team, kNoTeam);
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 3).band), "in-quota");
  ck_assert_uint_ge(pending_verdict(*cycle, 3).priority, 1);
}
END_TEST

// ---------------------------------------------------------------- config builders agree
Scenario rich_world() {
  Scenario s;
  s.nodes(4, kP5, {"p5.48xlarge"}).nodes(2, {{"cpu", 128}, {"mem", 512 * kGiB}, {"gres/neuron", 16}},
                                        {"trn1.32xlarge"});
  s.classes({{"inference", 100}, {"training", 50}}).admission(Admission::TaskRanking);
  s.idle_compute(IdleCompute::Fcfs).share_unassigned(false);
  TeamSpec a;
  a.name = "a";
  a.quota = times(kP5, 2);
  a.borrow_percent = 150;
  a.absolute_caps = {{"gres/gpu:h100", 4}, {"cpu", 100}, {"mem", 100 * kGiB}};
  TeamSpec b;
  b.name = "b";
  b.quota = {{"gres/neuron", 16}, {"cpu", 64}, {"mem", 256 * kGiB}};
  b.sharing = Sharing::Lend;
  b.weight = 0;
  b.preempt = PreemptTeamTasks::Never;
  TeamSpec c;
  c.name = "c";
  c.quota = {{"gres/gpu:a100", 4}};  // planning: no a100 node yet
  c.sharing = Sharing::DontLend;
  s.team(a).team(b).team(c);
  return s;
}

START_TEST(config_builders_agree) {
  for (Scenario s : {rich_world(), reclaim_world(), priority_world(), swap_world()}) {
    std::shared_ptr<const EngineConfig> built;
    PolicyError error;
    ck_assert_msg(build_config(s.policy(), s.inventory(), &built, &error), "build_config: %s",
                  error.to_string().c_str());
    auto hand = s.config();
    const ResourceCatalog& cat = built->resolved.catalog;
    ck_assert_int_eq(cat.size(), hand->resolved.catalog.size());
    for (int r = 0; r < cat.size(); ++r) {
      ck_assert_str_eq(cat.name(r).c_str(), hand->resolved.catalog.name(r).c_str());
      ck_assert_int_eq(built->resolved.capacity[r], hand->resolved.capacity[r]);
    }
    ck_assert_uint_eq(built->resolved.teams.size(), hand->resolved.teams.size());
    for (size_t t = 0; t < built->resolved.teams.size(); ++t)
      for (int r = 0; r < kMaxResources; ++r) {
        ck_assert_msg(built->resolved.teams[t].nominal[r] == hand->resolved.teams[t].nominal[r],
                      "team %zu nominal[%d]: %lld vs %lld", t, r,
                      static_cast<long long>(built->resolved.teams[t].nominal[r]),
                      static_cast<long long>(hand->resolved.teams[t].nominal[r]));
        ck_assert_msg(
            built->resolved.teams[t].borrow_cap[r] == hand->resolved.teams[t].borrow_cap[r],
            "team %zu borrow_cap[%d]: %lld vs %lld", t, r,
            static_cast<long long>(built->resolved.teams[t].borrow_cap[r]),
            static_cast<long long>(hand->resolved.teams[t].borrow_cap[r]));
      }
    ck_assert_int_eq(built->rules.task_ranking, hand->rules.task_ranking);
    ck_assert_int_eq(built->rules.fair_share, hand->rules.fair_share);
    ck_assert_uint_eq(built->rules.teams.size(), hand->rules.teams.size());
    for (size_t t = 0; t < built->rules.teams.size(); ++t)
      ck_assert_int_eq(built->rules.teams[t].lower_priority_preempts,
                       hand->rules.teams[t].lower_priority_preempts);
    ck_assert(built->class_weight == hand->class_weight);
    ck_assert(built->class_rank == hand->class_rank);
    ck_assert_int_eq(built->all_weights_zero, hand->all_weights_zero);
    ck_assert(built->team_by_account == hand->team_by_account);
    ck_assert_int_eq(built->policy.cluster.share_unassigned, hand->policy.cluster.share_unassigned);
  }
}
END_TEST

START_TEST(rich_world_resolves_to_the_stated_numbers) {
  // Pins the hand-built side of the comparison above with concrete numbers.
  Scenario s = rich_world();
  auto config = s.config();
  const ResolvedPolicy& rp = config->resolved;
  ck_assert_int_eq(rp.catalog.size(), 5);  // cpu mem gres/gpu:a100 gres/gpu:h100 gres/neuron
  ck_assert_str_eq(rp.catalog.name(2).c_str(), "gres/gpu:a100");
  ck_assert_int_eq(rp.capacity[s.resource("gres/gpu:h100")], 32);
  ck_assert_int_eq(rp.capacity[s.resource("gres/neuron")], 32);
  ck_assert_int_eq(rp.capacity[s.resource("gres/gpu:a100")], 0);
  ck_assert_int_eq(rp.capacity[s.resource("cpu")], 4 * 192 + 2 * 128);
  ck_assert_int_eq(rp.teams[0].nominal[s.resource("cpu")], 384);
  ck_assert_int_eq(rp.teams[0].borrow_cap[s.resource("gres/gpu:h100")], 4);  // min(24, 4)
  ck_assert_int_eq(rp.teams[0].borrow_cap[s.resource("cpu")], 100);         // min(576, 100)
  ck_assert_int_eq(rp.teams[1].borrow_cap[s.resource("gres/neuron")], 0);   // lend: no borrowing
  ck_assert(!config->all_weights_zero);
  ck_assert_int_eq(config->class_rank[0], 2);
}
END_TEST

// ---------------------------------------------------------------- publish
START_TEST(publish_drops_a_result_of_a_replaced_policy) {
  Scenario s = reclaim_world();
  Engine engine = engine_for(s);
  auto old_result = compute_cycle(engine.config(), s.snapshot());
  ck_assert(engine.publish(old_result));
  ck_assert_ptr_eq(engine.result().get(), old_result.get());

  // A computation started before a reconfigure finishes after it: its team and class indices
  // may not match the new policy, so it must not be installed.
  auto stale = compute_cycle(engine.config(), s.snapshot());
  Scenario changed = reclaim_world();
  changed.team(gpu_team("w", 2, 50));
  PolicyError error;
  ck_assert(engine.set_policy(changed.policy(), changed.inventory(), &error));
  ck_assert_ptr_null(engine.result().get());  // the old result goes with the old policy
  ck_assert(!engine.publish(stale));
  ck_assert_ptr_null(engine.result().get());
  ck_assert(engine.may_preempt(301, 0, kNoClass, nullptr, 106) == PreemptReason::None);

  // A result of a config that is not the engine's (even an equal one) is refused too.
  ck_assert(!engine.publish(changed.cycle()));
  ck_assert(!engine.publish(nullptr));
  // And a fresh one is taken.
  auto fresh = engine.run_cycle(changed.snapshot());
  ck_assert_ptr_nonnull(fresh.get());
  ck_assert_ptr_eq(engine.result().get(), fresh.get());
}
END_TEST

START_TEST(failed_set_policy_keeps_the_old_one) {
  Scenario s = reclaim_world();
  Engine engine = engine_for(s);
  engine.run_cycle(s.snapshot());
  auto config = engine.config();
  Policy bad = s.policy();
  QuotaEntry missing;
  missing.kind = QuotaEntry::Kind::InstanceCount;
  missing.instance_type = "no-such-instance";
  missing.count = 1;
  bad.teams[0].quota.push_back(missing);
  PolicyError error;
  ck_assert(!engine.set_policy(bad, s.inventory(), &error));
  ck_assert_ptr_eq(engine.config().get(), config.get());
  ck_assert_ptr_nonnull(engine.result().get());
  ck_assert(engine.may_preempt(301, 0, kNoClass, nullptr, 106) == PreemptReason::Reclaim);
}
END_TEST

// ---------------------------------------------------------------- may_preempt
START_TEST(may_preempt_agrees_with_the_rules_for_known_jobs) {
  for (Scenario s : {reclaim_world(), priority_world(), swap_world()}) {
    Engine engine = engine_for(s);
    auto cycle = engine.run_cycle(s.snapshot());
    for (const PendingJob& p : cycle->pending)
      for (const RunningJob& v : cycle->running) {
        // The team and class arguments are ignored for a known preemptor: the cycle knows.
        PreemptReason got = engine.may_preempt(p.id, kNoTeam, kNoClass, nullptr, v.id);
        ck_assert_msg(got == reason(*cycle, p.id, v.id), "%u vs %u: %s", p.id, v.id,
                      reason_name(got));
      }
  }
}
END_TEST

START_TEST(may_preempt_before_any_cycle_says_none) {
  Scenario s = reclaim_world();
  Engine engine = engine_for(s);
  ck_assert(engine.may_preempt(301, 0, kNoClass, nullptr, 106) == PreemptReason::None);
  ck_assert(engine.victims_for(301).empty());
  Engine no_policy;
  ck_assert(!no_policy.has_policy());
  ck_assert(no_policy.may_preempt(1, 0, 0, nullptr, 2) == PreemptReason::None);
  ck_assert_ptr_null(no_policy.run_cycle(Snapshot{}).get());
}
END_TEST

struct UnknownCase {
  const char* name;
  Scenario (*build)();
  uint32_t preemptor;  // not in the cycle unless stated
  int32_t team;        // as the caller resolves it
  const char* klass;
  Amount gpus;         // its own request; -1: none given
  uint32_t victim;
  PreemptReason want;
};

const UnknownCase kUnknownCases[] = {
    {"a victim unknown to the cycle is never preempted", reclaim_world, 301, 0, "", 4, 999,
     PreemptReason::None},
    {"unknown preemptor that fits in its quota by its own request: may reclaim", reclaim_world,
     999, 0, "", 6, 106, PreemptReason::Reclaim},
    {"unknown preemptor whose own request goes past its quota: no reclaim", reclaim_world, 999, 0,
     "", 7, 106, PreemptReason::None},
    {"unknown preemptor without a request: none", reclaim_world, 999, 0, "", -1, 106,
     PreemptReason::None},
    {"unknown preemptor still never takes in-quota work", reclaim_world, 999, 0, "", 4, 101,
     PreemptReason::None},
    {"unknown preemptor of the borrowing team vs the lender's quota: none", reclaim_world, 999,
     1, "", 4, 201, PreemptReason::None},
    {"unknown preemptor of no team: never", reclaim_world, 999, kNoTeam, "", 4, 106,
     PreemptReason::None},
    {"unknown preemptor of a team index out of range: never", reclaim_world, 999, 57, "", 4, 106,
     PreemptReason::None},
    {"unknown preemptor of a higher class in the team: priority", [] { return priority_world(); },
     999, 0, "inference", 4, 402, PreemptReason::Priority},
    {"unknown preemptor of an equal class: none", [] { return priority_world(); }, 999, 0,
     "experimentation", 4, 402, PreemptReason::None},
    {"unknown preemptor with a class index out of range counts as no class",
     [] { return priority_world(); }, 999, 0, "?", 4, 402, PreemptReason::None},
    {"unknown preemptor of a borrowing team: fair share by its own request (8/12/3 <= 4/12/1)",
     swap_world, 999, 0, "", 4, 603, PreemptReason::FairShare},
    {"the same pair with the preemptor known to the cycle: fair-share", swap_world, 801, 0, "", -1,
     603, PreemptReason::FairShare},
};

START_TEST(may_preempt_unknown_jobs) {
  const UnknownCase& c = kUnknownCases[_i];
  Scenario s = c.build();
  Engine engine = engine_for(s);
  engine.run_cycle(s.snapshot());
  int32_t klass = std::string(c.klass) == "?" ? 42 : s.class_index(c.klass);
  ResourceVector request = s.vec(gpus(std::max<Amount>(c.gpus, 0)));
  PreemptReason got =
      engine.may_preempt(c.preemptor, c.team, klass, c.gpus < 0 ? nullptr : &request, c.victim);
  ck_assert_msg(got == c.want, "%s: %s, want %s", c.name, reason_name(got), reason_name(c.want));
}
END_TEST

// ---------------------------------------------------------------- victims_for
START_TEST(victims_for_limit_blocked_jobs) {
  {
    // In-team priority: a is at its quota and cannot borrow; the inference job needs 4 GPUs
    // of the team's own lower-class work: the experimentation job goes first.
    Scenario s = priority_world();
    Engine engine = engine_for(s);
    engine.run_cycle(s.snapshot());
    CHECK_IDS(engine.victims_for(501), "402");
    CHECK_IDS(engine.victims_for(502), "402");
    ck_assert(engine.victims_for(501).front().reason == PreemptReason::Priority);
    CHECK_IDS(engine.victims_for(503), "");  // nothing of a lower class
    CHECK_IDS(engine.victims_for(12345), "");  // unknown job
  }
  {
    Scenario s = priority_world(PreemptTeamTasks::Never);
    Engine engine = engine_for(s);
    engine.run_cycle(s.snapshot());
    CHECK_IDS(engine.victims_for(501), "");
  }
  {
    // A fair-share swap is never limit-blocked: dividing the pool (12) by weight 3:1 gives a
    // 4 + 8 and b 4 + 4, so 801 is within a's limit and Slurm's own placement-aware path
    // preempts b's youngest excess job for it; b cannot take that room back.
    Scenario s = swap_world();
    Engine engine = engine_for(s);
    auto cycle = engine.run_cycle(s.snapshot());
    ck_assert_int_eq(cycle->teams[0].limit[s.resource(kGpu)], 12);
    ck_assert_int_eq(cycle->teams[1].limit[s.resource(kGpu)], 8);
    CHECK_IDS(engine.victims_for(801), "");
    ck_assert(engine.may_preempt(801, 0, kNoClass, nullptr, 603) == PreemptReason::FairShare);
  }
  {
    // Reclaim is resource-blocked, not limit-blocked: Slurm's own path finds the victims.
    Scenario s = reclaim_world();
    Engine engine = engine_for(s);
    engine.run_cycle(s.snapshot());
    CHECK_IDS(engine.victims_for(301), "");
  }
}
END_TEST

START_TEST(team_for_lineage_takes_the_nearest_named_account) {
  Scenario s = reclaim_world();
  Engine engine = engine_for(s);
  ck_assert_int_eq(engine.team_for_lineage({"n-interns", "n", "root"}), 0);
  ck_assert_int_eq(engine.team_for_lineage({"v", "n", "root"}), 1);
  ck_assert_int_eq(engine.team_for_lineage({"other", "root"}), -1);
  ck_assert_int_eq(engine.team_for_lineage({}), -1);
  ck_assert_int_eq(Engine().team_for_lineage({"n"}), -1);
}
END_TEST

const struct {
  bool running_or_suspended, pending, held;
  SnapshotSide want;
} kSideCases[] = {
    {true, false, false, SnapshotSide::Running},
    {false, true, false, SnapshotSide::Pending},
    {false, true, true, SnapshotSide::None},  // held: priority 0
    {false, false, false, SnapshotSide::None},  // ended
};

START_TEST(which_jobs_enter_a_snapshot) {
  const auto& c = kSideCases[_i];
  ck_assert_int_eq(static_cast<int>(snapshot_side(c.running_or_suspended, c.pending, c.held)),
                   static_cast<int>(c.want));
}
END_TEST

Suite* engine_suite() {
  Suite* s = suite_create("engine");
  TCase* tc = tcase_create("engine");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, job_index_table, 0, count_of(kIndexCases));
  tcase_add_test(tc, job_index_collisions_are_real);
  tcase_add_test(tc, job_index_empty_and_rebuilt);
  tcase_add_test(tc, job_index_large_random);
  tcase_add_test(tc, cycle_keeps_jobs_and_verdicts_by_id);
  tcase_add_test(tc, jobs_of_no_or_unknown_team_are_ungoverned);
  tcase_add_test(tc, config_builders_agree);
  tcase_add_test(tc, rich_world_resolves_to_the_stated_numbers);
  tcase_add_test(tc, publish_drops_a_result_of_a_replaced_policy);
  tcase_add_test(tc, failed_set_policy_keeps_the_old_one);
  tcase_add_test(tc, may_preempt_agrees_with_the_rules_for_known_jobs);
  tcase_add_test(tc, may_preempt_before_any_cycle_says_none);
  tcase_add_loop_test(tc, may_preempt_unknown_jobs, 0, count_of(kUnknownCases));
  tcase_add_test(tc, victims_for_limit_blocked_jobs);
  tcase_add_test(tc, team_for_lineage_takes_the_nearest_named_account);
  tcase_add_loop_test(tc, which_jobs_enter_a_snapshot, 0, count_of(kSideCases));
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(engine_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
