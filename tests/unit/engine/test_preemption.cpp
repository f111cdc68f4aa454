// SPDX-License-Identifier: GPL-2.0-or-later
// Preemption (DESIGN.md §2): the three reasons and their guards (reclaim, priority inside a
// team, fair sharing), the deterministic borrowed excess, the victim order and the victim set;
// then whole cycles: reclaim that stops at the victim team's quota, no reclaim for a
// borrowing preemptor, in-team priority on/off/fcfs, and a fair-share swap that cannot flap.
#include <check.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "engine/preemption_notes.h"
#include "scenario.h"
#include "shares.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;
using taskgov::test::share_of;

namespace {

// Job id lists compared as "1,2,3" (a std::string, not a c_str() of a temporary: Check's
// string macros keep the pointer past the full expression).
#define CHECK_IDS(ids, want)                                                          \
  do {                                                                                \
    std::string got_ = ids_string(ids);                                               \
    ck_assert_msg(got_ == (want), "%s = {%s}, want {%s}", #ids, got_.c_str(), (want)); \
  } while (0)

// ---------------------------------------------------------------- preempt_reason
constexpr uint32_t kA100 = 1u << 2;
constexpr uint32_t kH100 = 1u << 3;

PreemptorFacts P(int32_t team, int weight, bool fits, bool borrows, uint32_t need, Share after) {
  PreemptorFacts p;
  p.team = team;
  p.class_weight = weight;
  p.fits_in_quota = fits;
  p.borrows = borrows;
  p.need_mask = need;
  p.share_after = after;
  return p;
}

// The victim's team's share now defaults to its share after the loss: only the first strategy
// (no higher than the final share) can then allow a swap.
VictimFacts V(int32_t team, int weight, uint32_t excess, Share after_loss,
              std::optional<Share> now = std::nullopt) {
  VictimFacts v;
  v.team = team;
  v.class_weight = weight;
  v.excess_mask = excess;
  v.team_share_after_loss = after_loss;
  v.team_share_now = now.value_or(after_loss);
  return v;
}

const Share kNoShare = share_of(0.0);
// A preemptor of team 0 that fits in its quota / that would borrow.
const PreemptorFacts kInQuota = P(0, 10, true, false, kH100, kNoShare);
const PreemptorFacts kBorrowing = P(0, 10, false, true, kH100, share_of(0.1));

struct ReasonCase {
  const char* name;
  bool task_ranking;
  bool fair_share;
  PreemptorFacts p;
  VictimFacts v;
  PreemptReason want;
};

// Teams: 0 and 2 allow lower-priority preemption, 1 says never.
const ReasonCase kReasonCases[] = {
    {"reclaim: an in-quota job takes back another team's borrowed excess", false, false,
     kInQuota, V(2, 10, kH100, kNoShare), PreemptReason::Reclaim},
    {"reclaim: whatever the classes", true, true, P(0, 10, true, false, kH100, kNoShare),
     V(2, 100, kH100, kNoShare), PreemptReason::Reclaim},
    {"reclaim: the excess must be on a resource the preemptor needs", false, false, kInQuota,
     V(2, 10, kA100, kNoShare), PreemptReason::None},
    {"reclaim: never another team's in-quota work", true, true, kInQuota, V(2, 0, 0, kNoShare),
     PreemptReason::None},
    {"reclaim: not when the preemptor would itself borrow", false, false, kBorrowing,
     V(2, 10, kH100, share_of(0.5)), PreemptReason::None},
    {"reclaim: not inside the preemptor's own team", false, false, kInQuota,
     V(0, 10, kH100, kNoShare), PreemptReason::None},
    {"priority: a higher class preempts a lower one in its team", true, false,
     P(0, 100, false, false, kH100, kNoShare), V(0, 10, 0, kNoShare), PreemptReason::Priority},
    {"priority: an equal class never", true, false, P(0, 100, false, false, kH100, kNoShare),
     V(0, 100, 0, kNoShare), PreemptReason::None},
    {"priority: a lower class never", true, false, P(0, 10, false, false, kH100, kNoShare),
     V(0, 100, 0, kNoShare), PreemptReason::None},
    {"priority: not when the team says never", true, false, P(1, 100, false, false, kH100, kNoShare),
     V(1, 10, 0, kNoShare), PreemptReason::None},
    {"priority: off under fcfs admission", false, true, P(0, 100, false, false, kH100, kNoShare),
     V(0, 10, 0, kNoShare), PreemptReason::None},
    {"priority: a job without a class is below every class", true, false,
     P(0, 0, false, false, kH100, kNoShare), V(0, -1, 0, kNoShare), PreemptReason::Priority},
    {"priority: only inside the team", true, false, P(0, 100, false, false, kH100, kNoShare),
     V(2, 10, 0, kNoShare), PreemptReason::None},
    {"fair-share: a smaller share than the victim's team keeps preempts", false, true, kBorrowing,
     V(2, 10, kH100, share_of(0.2)), PreemptReason::FairShare},
    {"fair-share: no higher than the victim's team keeps preempts (LessThanOrEqualToFinalShare)",
     false, true, kBorrowing, V(2, 10, kH100, share_of(0.1)), PreemptReason::FairShare},
    {"fair-share: above what the victim's team keeps and not below its share now: never", false,
     true, kBorrowing, V(2, 10, kH100, share_of(0.05)), PreemptReason::None},
    {"fair-share: below the victim's team's share now preempts (LessThanInitialShare)", false,
     true, kBorrowing, V(2, 10, kH100, share_of(0.05), share_of(0.15)), PreemptReason::FairShare},
    {"fair-share: equal to the victim's team's share now, above what it keeps: never", false, true,
     kBorrowing, V(2, 10, kH100, share_of(0.05), share_of(0.1)), PreemptReason::None},
    {"fair-share: off under fcfs idle compute", true, false, kBorrowing,
     V(2, 10, kH100, share_of(0.2)), PreemptReason::None},
    {"fair-share: the victim must be borrowed excess", false, true, kBorrowing,
     V(2, 10, 0, share_of(0.2)), PreemptReason::None},
    {"fair-share: the excess must be on a needed resource", false, true, kBorrowing,
     V(2, 10, kA100, share_of(0.2)), PreemptReason::None},
    {"fair-share: the preemptor must be borrowing (not blocked by its cap)", false, true,
     P(0, 10, false, false, kH100, share_of(0.1)), V(2, 10, kH100, share_of(0.2)),
     PreemptReason::None},
    {"fair-share: weight 0 never preempts a positive weight", false, true,
     P(0, 10, false, true, kH100, share_of(0.0, true)), V(2, 10, kH100, share_of(5.0)),
     PreemptReason::None},
    {"fair-share: a positive weight preempts weight 0's excess", false, true,
     P(0, 10, false, true, kH100, share_of(5.0)), V(2, 10, kH100, share_of(0.0, true)),
     PreemptReason::FairShare},
    {"fair-share: between weight-0 teams the smaller share after wins", false, true,
     P(0, 10, false, true, kH100, share_of(0.1, true)), V(2, 10, kH100, share_of(0.3, true)),
     PreemptReason::FairShare},
    {"fair-share: not inside the preemptor's own team", false, true, kBorrowing,
     V(0, 10, kH100, share_of(0.2)), PreemptReason::None},
    {"ungoverned preemptor: never", true, true, P(-1, 100, true, false, kH100, kNoShare),
     V(2, 10, kH100, kNoShare), PreemptReason::None},
    {"ungoverned victim: never", true, true, kInQuota, V(-1, -1, kH100, kNoShare),
     PreemptReason::None},
};

START_TEST(reason_table) {
  const ReasonCase& c = kReasonCases[_i];
  PreemptionRules rules;
  rules.task_ranking = c.task_ranking;
  rules.fair_share = c.fair_share;
  rules.teams = {TeamRules{true}, TeamRules{false}, TeamRules{true}};
  PreemptReason got = preempt_reason(rules, c.p, c.v);
  ck_assert_msg(got == c.want, "%s: %s, want %s", c.name, reason_name(got), reason_name(c.want));
}
END_TEST

START_TEST(reason_names) {
  ck_assert_str_eq(reason_name(PreemptReason::None), "none");
  ck_assert_str_eq(reason_name(PreemptReason::Reclaim), "reclaim");
  ck_assert_str_eq(reason_name(PreemptReason::Priority), "priority");
  ck_assert_str_eq(reason_name(PreemptReason::FairShare), "fair-share");
}
END_TEST

// ---------------------------------------------------------------- borrowed excess
// Resource 0 = GPUs, 1 = CPUs.
constexpr uint32_t G = 1u << 0;
constexpr uint32_t C = 1u << 1;

struct ExcessJob {
  int class_weight;
  int64_t start;
  uint32_t id;
  Amount gpu, cpu;
};

struct ExcessCase {
  const char* name;
  std::vector<ExcessJob> jobs;
  Amount borrowed_gpu, borrowed_cpu;
  std::vector<uint32_t> masks;  // per job, in the order given
};

const ExcessCase kExcessCases[] = {
    {"newest job first within a class",
     {{10, 100, 1, 2, 0}, {10, 200, 2, 2, 0}, {10, 300, 3, 2, 0}}, 2, 0, {0, 0, G}},
    {"the prefix covers use - quota and stops",
     {{10, 100, 1, 2, 0}, {10, 200, 2, 2, 0}, {10, 300, 3, 2, 0}}, 4, 0, {0, G, G}},
    {"the input order does not matter",
     {{10, 300, 3, 2, 0}, {10, 100, 1, 2, 0}, {10, 200, 2, 2, 0}}, 2, 0, {G, 0, 0}},
    {"a job straddling the quota line belongs to the excess",
     {{10, 100, 1, 2, 0}, {10, 200, 2, 3, 0}}, 1, 0, {0, G}},
    {"lowest class first, even when older", {{50, 300, 1, 2, 0}, {10, 100, 2, 2, 0}}, 2, 0,
     {0, G}},
    {"a job without a class goes before every class", {{-1, 100, 1, 2, 0}, {0, 300, 2, 2, 0}},
     2, 0, {G, 0}},
    {"equal start times: the higher job id first", {{10, 100, 5, 1, 0}, {10, 100, 6, 1, 0}}, 1,
     0, {0, G}},
    {"jobs holding none of the resource are skipped", {{10, 300, 1, 0, 8}, {10, 200, 2, 2, 0}},
     2, 0, {0, G}},
    {"each resource has its own prefix",
     {{10, 100, 1, 2, 32}, {10, 200, 2, 0, 32}, {10, 300, 3, 2, 16}}, 2, 64, {C, C, G | C}},
    {"nothing borrowed, no excess", {{10, 100, 1, 2, 0}, {10, 200, 2, 2, 0}}, 0, 0, {0, 0}},
};

START_TEST(excess_table) {
  const ExcessCase& c = kExcessCases[_i];
  std::vector<ResourceVector> allocs(c.jobs.size());
  std::vector<RunningForExcess> jobs;
  for (size_t i = 0; i < c.jobs.size(); ++i) {
    allocs[i][0] = c.jobs[i].gpu;
    allocs[i][1] = c.jobs[i].cpu;
    jobs.push_back({c.jobs[i].class_weight, c.jobs[i].start, c.jobs[i].id, &allocs[i]});
  }
  ResourceVector borrowed;
  borrowed[0] = c.borrowed_gpu;
  borrowed[1] = c.borrowed_cpu;
  std::vector<uint32_t> masks = borrowed_excess(jobs, borrowed, 2);
  ck_assert_uint_eq(masks.size(), c.masks.size());
  for (size_t i = 0; i < masks.size(); ++i)
    ck_assert_msg(masks[i] == c.masks[i], "%s: job %u mask %u, want %u", c.name, c.jobs[i].id,
                  masks[i], c.masks[i]);
}
END_TEST

// ---------------------------------------------------------------- minimal victim set
struct Candidate {
  uint32_t id;
  uint32_t rank;
  Amount gpu, cpu;
};

struct VictimSetCase {
  const char* name;
  std::vector<Candidate> candidates;
  Amount short_gpu, short_cpu;
  std::vector<uint32_t> want;
};

const VictimSetCase kVictimSetCases[] = {
    {"a smaller set suffices: 1 + 1 + 4 for 4 is {4}",
     {{1, 0, 1, 0}, {2, 1, 1, 0}, {3, 2, 4, 0}}, 4, 0, {3}},
    {"a later larger pick drops every earlier small one",
     {{1, 0, 1, 0}, {2, 1, 2, 0}, {3, 2, 4, 0}}, 4, 0, {3}},
    {"victim order decides between equals", {{1, 0, 2, 0}, {2, 1, 2, 0}, {3, 2, 2, 0}}, 2, 0,
     {1}},
    {"candidates are taken in victim order, not input order",
     {{3, 2, 2, 0}, {1, 0, 2, 0}, {2, 1, 2, 0}}, 2, 0, {1}},
    {"two victims when one is not enough", {{1, 0, 3, 0}, {2, 1, 2, 0}, {3, 2, 1, 0}}, 5, 0,
     {1, 2}},
    {"the earlier of two interchangeable victims stays",
     {{1, 0, 1, 0}, {2, 1, 1, 0}, {3, 2, 3, 0}}, 4, 0, {1, 3}},
    {"not enough in all candidates: nobody", {{1, 0, 1, 0}, {2, 1, 1, 0}}, 4, 0, {}},
    {"no shortfall: nobody", {{1, 0, 1, 0}}, 0, 0, {}},
    {"candidates holding none of the shortfall are skipped", {{1, 0, 0, 64}, {2, 1, 2, 0}}, 2,
     0, {2}},
    {"every short resource must be covered", {{1, 0, 2, 0}, {2, 1, 0, 32}, {3, 2, 2, 32}}, 2,
     32, {1, 2}},
    // Pinned decision: victims are taken in victim order (lowest class, most over share,
    // youngest) and then pruned, as Slurm and Kueue do; a later single job that alone would
    // cover the shortfall does not replace an irreducible earlier set.
    {"victim order before count: 2 + 1 + 1 rather than a later 4",
     {{1, 0, 2, 0}, {2, 1, 1, 0}, {3, 2, 1, 0}, {4, 3, 4, 0}}, 4, 0, {1, 2, 3}},
};

START_TEST(victim_set_table) {
  const VictimSetCase& c = kVictimSetCases[_i];
  std::vector<ResourceVector> allocs(c.candidates.size());
  std::vector<VictimCandidate> candidates;
  for (size_t i = 0; i < c.candidates.size(); ++i) {
    allocs[i][0] = c.candidates[i].gpu;
    allocs[i][1] = c.candidates[i].cpu;
    candidates.push_back({c.candidates[i].id, c.candidates[i].rank, &allocs[i]});
  }
  ResourceVector shortfall;
  shortfall[0] = c.short_gpu;
  shortfall[1] = c.short_cpu;
  std::string got = ids_string(minimal_victim_set(candidates, shortfall, 2));
  std::string want = ids_string(c.want);
  ck_assert_msg(got == want, "%s: {%s}, want {%s}", c.name, got.c_str(), want.c_str());
}
END_TEST

// ---------------------------------------------------------------- whole cycles


// 32 GPUs owned half by n, half by v. v borrows n's 6 idle GPUs: jobs 101-104 (4 each) are
// its quota, 105 (4) and 106 (2) its borrowed excess. n runs 201 (10).
Scenario reclaim_world(IdleCompute idle) {
  Scenario s;
  s.nodes(4, gpus(8)).idle_compute(idle);
  s.team(gpu_team("n", 16, 50)).team(gpu_team("v", 16, 50));
  s.running(101, "v", "", gpus(4), 100).running(102, "v", "", gpus(4), 200);
  s.running(103, "v", "", gpus(4), 300).running(104, "v", "", gpus(4), 400);
  s.running(105, "v", "", gpus(4), 500).running(106, "v", "", gpus(2), 600);
  s.running(201, "n", "", gpus(10), 100);
  return s;
}

const char* why(const CycleResult& cycle, uint32_t p, uint32_t v) {
  return reason_name(reason(cycle, p, v));
}

START_TEST(reclaim_stops_at_the_victim_teams_quota) {
  Scenario s = reclaim_world(IdleCompute::Fcfs);
  s.pending(301, "n", "", gpus(4), 700).pending(302, "n", "", gpus(6), 700);
  auto cycle = s.cycle();
  ck_assert_int_eq(cycle->teams[1].borrowed[s.resource(kGpu)], 6);
  for (uint32_t p : {301u, 302u}) {
    ck_assert_str_eq(band_name(pending_verdict(*cycle, p).band), "in-quota");
    ck_assert_str_eq(why(*cycle, p, 106), "reclaim");
    ck_assert_str_eq(why(*cycle, p, 105), "reclaim");
    for (uint32_t v : {101u, 102u, 103u, 104u}) ck_assert_str_eq(why(*cycle, p, v), "none");
    ck_assert_str_eq(why(*cycle, p, 201), "none");  // its own team
  }
  ck_assert_uint_eq(running_verdict(*cycle, 106).excess_mask, 1u << s.resource(kGpu));
  ck_assert_uint_eq(running_verdict(*cycle, 104).excess_mask, 0);
}
END_TEST

START_TEST(reclaim_repeated_never_pushes_the_victim_below_quota) {
  // Preempt whatever reclaim allows, one victim per cycle, until nothing is reclaimable: v
  // loses exactly its two excess jobs and keeps its 16-GPU quota.
  Scenario s = reclaim_world(IdleCompute::Fcfs);
  std::vector<uint32_t> v_jobs = {101, 102, 103, 104, 105, 106};
  std::vector<uint32_t> taken;
  for (int round = 0; round < 10; ++round) {
    s.clear_jobs().pending(301, "n", "", gpus(2), 700).running(201, "n", "", gpus(10), 100);
    for (uint32_t id : v_jobs)
      s.running(id, "v", "", gpus(id == 106 ? 2 : 4), int64_t{id - 100} * 100);
    auto cycle = s.cycle();
    uint32_t victim = 0;
    for (uint32_t id : victim_order(*cycle))
      if (reason(*cycle, 301, id) == PreemptReason::Reclaim) {
        victim = id;
        break;
      }
    if (victim == 0) break;
    taken.push_back(victim);
    v_jobs.erase(std::find(v_jobs.begin(), v_jobs.end(), victim));
  }
  CHECK_IDS(taken, "106,105");
  ck_assert_uint_eq(v_jobs.size(), 4);  // 16 GPUs: its quota, untouched
}
END_TEST

START_TEST(no_reclaim_when_the_preemptor_would_borrow) {
  Scenario s = reclaim_world(IdleCompute::Fcfs);
  s.pending(303, "n", "", gpus(8), 700);  // 10 + 8 > 16: n would borrow
  auto cycle = s.cycle();
  ck_assert(!preemptor_facts(*cycle, 303).fits_in_quota);
  for (uint32_t v : {101u, 102u, 103u, 104u, 105u, 106u, 201u})
    ck_assert_msg(reason(*cycle, 303, v) == PreemptReason::None, "victim %u: %s", v,
                  why(*cycle, 303, v));
}
END_TEST

START_TEST(borrowing_preemptor_under_fair_share_and_the_division) {
  // Same, with fair share: n would hold 2 of the 6-GPU pool (share 1/3); v holds all 6 (share
  // 1), 4 after losing 106, 2 after losing 105. By the rules either excess job may go (1/3 is
  // below v's share now). But 303 can never run without pushing v below its own quota (the
  // cluster's 32 GPUs would have to hold n's 18 and v's 16), so the division gives n no room:
  // its limit stays its quota, Slurm never asks for victims, and no work is thrown away.
  Scenario s = reclaim_world(IdleCompute::FairShare);
  s.pending(303, "n", "", gpus(8), 700);
  auto cycle = s.cycle();
  ck_assert_str_eq(why(*cycle, 303, 106), "fair-share");
  ck_assert_str_eq(why(*cycle, 303, 105), "fair-share");
  for (uint32_t v : {101u, 102u, 103u, 104u}) ck_assert_str_eq(why(*cycle, 303, v), "none");
  ck_assert_int_eq(cycle->teams[0].limit[s.resource(kGpu)], 16);
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 303).band), "blocked");
}
END_TEST

// Team a: 8 GPUs, dont-lend, at its quota with a training and an experimentation job.
Scenario priority_world(Admission admission, PreemptTeamTasks preempt) {
  Scenario s;
  s.nodes(2, gpus(8)).admission(admission);
  s.classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}});
  TeamSpec a = gpu_team("a", 8, 50, 1, Sharing::DontLend);
  a.preempt = preempt;
  s.team(a).team(gpu_team("b", 8, 50, 1, Sharing::DontLend));
  s.running(401, "a", "training", gpus(4), 100).running(402, "a", "experimentation", gpus(4), 200);
  s.pending(501, "a", "inference", gpus(4), 300).pending(502, "a", "training", gpus(4), 300);
  s.pending(503, "a", "experimentation", gpus(4), 300).pending(504, "b", "inference", gpus(4), 300);
  return s;
}

struct PriorityCase {
  const char* name;
  Admission admission;
  PreemptTeamTasks preempt;
  // reasons of 501 vs 401, 501 vs 402, 502 vs 401, 502 vs 402, 503 vs 402, 504 vs 402
  const char* want[6];
};

const PriorityCase kPriorityCases[] = {
    {"in-team priority on: higher classes preempt lower ones", Admission::TaskRanking,
     PreemptTeamTasks::LowerPriority,
     {"priority", "priority", "none", "priority", "none", "none"}},
    {"in-team priority off: never", Admission::TaskRanking, PreemptTeamTasks::Never,
     {"none", "none", "none", "none", "none", "none"}},
    {"fcfs admission: classes do not preempt", Admission::Fcfs, PreemptTeamTasks::LowerPriority,
     {"none", "none", "none", "none", "none", "none"}},
};

START_TEST(in_team_priority) {
  const PriorityCase& c = kPriorityCases[_i];
  Scenario s = priority_world(c.admission, c.preempt);
  auto cycle = s.cycle();
  const uint32_t pairs[6][2] = {{501, 401}, {501, 402}, {502, 401}, {502, 402}, {503, 402}, {504, 402}};
  for (int k = 0; k < 6; ++k) {
    const char* got = why(*cycle, pairs[k][0], pairs[k][1]);
    ck_assert_msg(std::string(got) == c.want[k], "%s: %u vs %u: %s, want %s", c.name,
                  pairs[k][0], pairs[k][1], got, c.want[k]);
  }
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 501).band), "blocked");
}
END_TEST

// Fair-share swap. 20 GPUs: a (weight 3) and b (weight 1) own 4 each and may borrow 200 %;
// 12 are unassigned and all borrowed: b holds 8 of them (602, 603), a 4 (702).
Scenario swap_world(int a_weight) {
  Scenario s;
  s.nodes(1, gpus(20)).idle_compute(IdleCompute::FairShare).at(2000);
  s.team(gpu_team("a", 4, 200, a_weight)).team(gpu_team("b", 4, 200, 1));
  s.running(601, "b", "", gpus(4), 100).running(602, "b", "", gpus(4), 200);
  s.running(701, "a", "", gpus(4), 100).running(702, "a", "", gpus(4), 250);
  return s;
}

START_TEST(fair_share_swap_cannot_flap) {
  // Cycle 1: a's 801 waits on an empty pool. a after admission: 8/12/3 = 0.22; b after losing
  // 603: 4/12 = 0.33. 801 may preempt b's excess, never b's quota. Dividing the pool 3:1 gives
  // a 8 of the 12 and b 4: 801 is within a's limit (Slurm's own path preempts for it) and b's
  // limit is below its use, so b cannot re-take what 603 frees.
  Scenario s = swap_world(3);
  s.running(603, "b", "", gpus(4), 300).pending(801, "a", "", gpus(4), 400);
  auto c1 = s.cycle();
  ck_assert_str_eq(band_name(pending_verdict(*c1, 801).band), "borrowing");
  ck_assert_int_eq(c1->teams[0].limit[s.resource(kGpu)], 12);
  ck_assert_int_eq(c1->teams[1].limit[s.resource(kGpu)], 8);
  ck_assert(preemptor_facts(*c1, 801).borrows);
  ck_assert_str_eq(why(*c1, 801, 603), "fair-share");
  ck_assert_str_eq(why(*c1, 801, 602), "fair-share");
  ck_assert_str_eq(why(*c1, 801, 601), "none");
  ck_assert_str_eq(why(*c1, 801, 702), "none");

  // Between: 603 requeued while 801 has not started yet. 801 ranks first although 603 was
  // submitted earlier: a's share after admission (0.22) is below b's (8/12 = 0.67); and the
  // free 4 GPUs are a's part, so 603 is held by b's limit, not merely ranked lower.
  s = swap_world(3);
  s.pending(603, "b", "", gpus(4), 300).pending(801, "a", "", gpus(4), 400);
  auto mid = s.cycle();
  CHECK_IDS(pending_order(*mid), "801,603");
  ck_assert_uint_gt(pending_verdict(*mid, 801).tier, pending_verdict(*mid, 603).tier);
  ck_assert_str_eq(band_name(pending_verdict(*mid, 801).band), "borrowing");
  ck_assert_str_eq(band_name(pending_verdict(*mid, 603).band), "blocked");

  // Cycle 2: the swap done. 603 (b's share after: 0.67) cannot preempt 801 or any a job
  // (a's share after losing one: 4/12/3 = 0.11).
  s = swap_world(3);
  s.running(801, "a", "", gpus(4), 1000).pending(603, "b", "", gpus(4), 300);
  auto c2 = s.cycle();
  ck_assert(preemptor_facts(*c2, 603).borrows);
  ck_assert(running_verdict(*c2, 801).borrowed());
  for (uint32_t v : {801u, 702u, 701u, 601u, 602u})
    ck_assert_msg(reason(*c2, 603, v) == PreemptReason::None, "603 vs %u: %s", v, why(*c2, 603, v));
  // Its priority: blocked now (its borrow room is gone), below where 801 stood as borrower.
  ck_assert_str_eq(band_name(pending_verdict(*c2, 603).band), "blocked");
  ck_assert_uint_lt(pending_verdict(*c2, 603).priority, pending_verdict(*mid, 801).priority);
}
END_TEST

START_TEST(fair_share_equal_shares_after_the_swap_preempt) {
  // With weight 2, a's share after admission is 8/12/2 = 0.33: equal to b's after losing 603
  // (4/12), so the swap is allowed ("no higher than"), and it cannot be undone: for 603 to come
  // back, b's share with it (0.67) would have to be no higher than a's after losing a job
  // (4/12/2 = 0.17). The division agrees: a 8, b 4 of the 12.
  Scenario s = swap_world(2);
  s.running(603, "b", "", gpus(4), 300).pending(801, "a", "", gpus(4), 400);
  auto cycle = s.cycle();
  ck_assert_str_eq(why(*cycle, 801, 603), "fair-share");
  ck_assert_int_eq(cycle->teams[0].limit[s.resource(kGpu)], 12);
  ck_assert_int_eq(cycle->teams[1].limit[s.resource(kGpu)], 8);

  s = swap_world(2);
  s.running(801, "a", "", gpus(4), 1000).pending(603, "b", "", gpus(4), 300);
  auto after = s.cycle();
  for (uint32_t v : {801u, 702u, 701u, 601u, 602u})
    ck_assert_msg(reason(*after, 603, v) == PreemptReason::None, "603 vs %u: %s", v,
                  why(*after, 603, v));
}
END_TEST

START_TEST(victim_order_class_then_share_then_youngest) {
  // 64 GPUs, task-ranking. y borrows 8 (share 8/48), x borrows 4 (4/48).
  Scenario s;
  s.nodes(8, gpus(8)).admission(Admission::TaskRanking);
  s.classes({{"inference", 100}, {"training", 50}});
  s.team(gpu_team("x", 8, 200)).team(gpu_team("y", 8, 200));
  s.running(1, "x", "training", gpus(4), 100).running(2, "x", "training", gpus(4), 200);
  s.running(3, "x", "inference", gpus(4), 300);
  s.running(11, "y", "training", gpus(4), 150).running(12, "y", "training", gpus(4), 250);
  s.running(13, "y", "training", gpus(4), 350).running(14, "y", "inference", gpus(4), 50);
  auto cycle = s.cycle();
  CHECK_IDS(victim_order(*cycle), "13,12,11,2,1,14,3");
  ck_assert_uint_eq(running_verdict(*cycle, 13).victim_rank, 0);
}
END_TEST

START_TEST(victim_order_weight_zero_team_first) {
  // Weight 0 is reclaimed first under fair sharing: z's job goes before c's although z
  // borrows less and its job is older.
  Scenario s;
  s.nodes(8, gpus(8));
  s.team(gpu_team("z", 8, 200, 0)).team(gpu_team("c", 8, 200, 1));
  s.running(1, "z", "", gpus(9), 100).running(2, "c", "", gpus(16), 200);
  auto cycle = s.cycle();
  CHECK_IDS(victim_order(*cycle), "1,2");
}
END_TEST

// ---------------------------------------------------------------- preemption notes
START_TEST(notes_are_read_back_once_and_can_be_forgotten) {
  PreemptionNotes notes;
  ck_assert(!notes.note({11, 30, 1, 2, PreemptReason::Reclaim}));
  ck_assert(notes.note({11, 30, 1, 2, PreemptReason::Reclaim}));  // the same pass asks again
  PreemptionNote got;
  ck_assert(notes.take(11, &got));
  ck_assert_uint_eq(got.preemptor, 30);
  ck_assert(got.reason == PreemptReason::Reclaim);
  ck_assert(!notes.take(11, &got));  // one record per preemption
  notes.note({12, 31, 1, 2, PreemptReason::Priority});
  notes.forget(12);  // the cycle carries this one out and records it itself
  ck_assert(!notes.take(12, &got));
  // A later victim in the same slot replaces the note: only that record is lost.
  notes.note({13, 32, 1, 2, PreemptReason::FairShare});
  notes.note({13 + 256, 33, 1, 2, PreemptReason::FairShare});
  ck_assert(!notes.take(13, &got));
  ck_assert(notes.take(13 + 256, &got));
  ck_assert(!notes.take(0, &got));  // an empty slot is no note for job 0
}
END_TEST

Suite* preemption_suite() {
  Suite* s = suite_create("preemption");
  TCase* tc = tcase_create("rules");
  tcase_add_loop_test(tc, reason_table, 0, count_of(kReasonCases));
  tcase_add_test(tc, reason_names);
  tcase_add_loop_test(tc, excess_table, 0, count_of(kExcessCases));
  tcase_add_loop_test(tc, victim_set_table, 0, count_of(kVictimSetCases));
  tcase_add_test(tc, reclaim_stops_at_the_victim_teams_quota);
  tcase_add_test(tc, reclaim_repeated_never_pushes_the_victim_below_quota);
  tcase_add_test(tc, no_reclaim_when_the_preemptor_would_borrow);
  tcase_add_test(tc, borrowing_preemptor_under_fair_share_and_the_division);
  tcase_add_loop_test(tc, in_team_priority, 0, count_of(kPriorityCases));
  tcase_add_test(tc, fair_share_swap_cannot_flap);
  tcase_add_test(tc, fair_share_equal_shares_after_the_swap_preempt);
  tcase_add_test(tc, victim_order_class_then_share_then_youngest);
  tcase_add_test(tc, victim_order_weight_zero_team_first);
  tcase_add_test(tc, notes_are_read_back_once_and_can_be_forgotten);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(preemption_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
