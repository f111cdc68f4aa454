// SPDX-License-Identifier: GPL-2.0-or-later
// Idle capacity divided at admission (DESIGN.md §2, fair_sharing.h): each row of the table is
// a world and the limits the division must give; then the cumulative order of borrowing jobs,
// and a property test of the fair-share preemption rules over thousands of random worlds.
#include <check.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "engine/reasons.h"
#include "scenario.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;

namespace {



// ---------------------------------------------------------------- the division, by table
// One GPU type on one node of `capacity` GPUs, nothing unassigned unless the quotas leave some.
struct TeamRow {
  const char* name;
  Sharing sharing;
  Amount quota;
  int weight;
  int percent;                   // borrow limit, % of quota
  std::vector<Amount> running;   // one job per entry, oldest first
  std::vector<Amount> pending;   // one job per entry, submitted in this order
  bool pending_eligible = true;  // false: begin time or dependency holds them all
};

struct DivisionCase {
  const char* name;
  Amount capacity;
  std::vector<TeamRow> teams;
  std::vector<Amount> limits;  // per team, in order
};

constexpr Sharing kLab = Sharing::LendAndBorrow;
constexpr Sharing kLend = Sharing::Lend;
constexpr Sharing kDont = Sharing::DontLend;

// Borrowers own 2 GPUs each, busy, and may borrow up to 20 (1000 %).
TeamRow borrower(const char* name, int weight, Amount jobs, Amount size = 1) {
  return {name, kLab, 2, weight, 1000, {2}, std::vector<Amount>(static_cast<size_t>(jobs), size)};
}
// A lender with `idle` GPUs of quota nobody of its own uses.
TeamRow lender(Amount idle) { return {"lender", kLend, idle, 1, 0, {}, {}}; }

Scenario build(const DivisionCase& c) {
  Scenario s;
  s.nodes(1, gpus(c.capacity)).idle_compute(IdleCompute::FairShare).share_unassigned(true);
  for (const TeamRow& t : c.teams) {
    TeamSpec spec;
    spec.name = t.name;
    spec.quota = gpus(t.quota);
    spec.sharing = t.sharing;
    spec.weight = t.weight;
    spec.borrow_percent = t.percent;
    s.team(spec);
  }
  uint32_t id = 1;
  int64_t time = 100;
  for (const TeamRow& t : c.teams)
    for (Amount size : t.running) s.running(id++, t.name, "", gpus(size), time++);
  for (const TeamRow& t : c.teams)
    for (Amount size : t.pending) {
      s.pending(id, t.name, "", gpus(size), time++);
      if (!t.pending_eligible) s.ineligible(id);
      ++id;
    }
  return s;
}

const DivisionCase kDivisionCases[] = {
    {"weights 2:1 split 9 idle GPUs 6:3, without a preemption", 13,
     {borrower("a", 2, 9), borrower("b", 1, 9), lender(9)}, {8, 5, 9}},
    {"weights 3:2:1 split 12 idle GPUs 6:4:2", 18,
     {borrower("a", 3, 12), borrower("b", 2, 12), borrower("c", 1, 12), lender(12)}, {8, 6, 4, 12}},
    {"weights 1:2 split the same way whichever team is listed first", 13,
     {borrower("a", 1, 9), borrower("b", 2, 9), lender(9)}, {5, 8, 9}},
    {"equal weights split evenly", 12, {borrower("a", 1, 9), borrower("b", 1, 9), lender(8)},
     {6, 6, 8}},
    {"whole jobs: 2:1 over 9 with 2-GPU jobs is 6:2, within one job; the odd GPU goes to the "
     "heavier weight as headroom",
     13, {borrower("a", 2, 9, 2), borrower("b", 1, 9, 2), lender(9)}, {9, 4, 9}},
    {"weight 0 borrows only what positive weights leave", 13,
     {borrower("a", 1, 4), borrower("z", 0, 9), lender(9)}, {6, 7, 9}},
    {"weight 0 gets nothing when positive weights want it all", 13,
     {borrower("a", 1, 9), borrower("z", 0, 9), lender(9)}, {11, 2, 9}},
    {"a borrow cap bounds a team and the rest goes to the next (work-conserving)", 13,
     {{"a", kLab, 2, 3, 100, {2}, std::vector<Amount>(9, 1)}, borrower("b", 1, 9), lender(9)},
     {4, 9, 9}},
    {"no demand: the idle pool is headroom split by weight", 13,
     {borrower("a", 2, 0), borrower("b", 1, 0), lender(9)}, {8, 5, 9}},
    {"demand first, then the rest as headroom by weight", 13,
     {borrower("a", 1, 3), borrower("b", 1, 0), lender(9)}, {8, 5, 9}},
    {"a lender's demand for its own idle quota comes before anyone's borrowing", 11,
     {borrower("a", 1, 9), {"lender", kLend, 9, 1, 0, {}, {1, 1, 1, 1, 1, 1}}}, {5, 9}},
    {"a team holding more than its part keeps a limit below its use: it cannot re-take what its "
     "jobs free",
     10, {{"a", kLab, 2, 1, 1000, {2, 1, 1, 1, 1, 1, 1}, {}}, borrower("b", 1, 6), lender(6)},
     {5, 5, 6}},
    {"jobs that cannot start now are no demand", 13,
     {borrower("a", 1, 9), {"b", kLab, 2, 1, 1000, {2}, std::vector<Amount>(9, 1), false},
      lender(9)},
     {11, 2, 9}},
    {"a lend team never borrows, whatever it asks for", 12,
     {{"a", kLend, 2, 5, 1000, {2}, {1, 1, 1}}, borrower("b", 1, 0), lender(8)}, {2, 10, 8}},
    {"a dont-lend team's idle quota is no one's to borrow", 9,
     {borrower("a", 1, 5), {"d", kDont, 5, 1, 0, {}, {}}, borrower("b", 1, 0)}, {2, 5, 2}},
    {"capacity no team owns is divided like lent quota", 11,
     {borrower("a", 2, 9), borrower("b", 1, 9)}, {7, 4}},
};

START_TEST(division_table) {
  const DivisionCase& c = kDivisionCases[_i];
  Scenario s = build(c);
  auto cycle = s.cycle();
  const int gpu = s.resource(kGpu);
  for (size_t t = 0; t < c.teams.size(); ++t)
    ck_assert_msg(cycle->teams[t].limit[gpu] == c.limits[t], "%s: %s's limit %lld, want %lld",
                  c.name, c.teams[t].name, static_cast<long long>(cycle->teams[t].limit[gpu]),
                  static_cast<long long>(c.limits[t]));
}
END_TEST

// ---------------------------------------------------------------- the cumulative order
START_TEST(borrowing_jobs_interleave_by_weight) {
  // a (weight 2) submitted all its jobs before b (weight 1): a's k-th job ranks by a's share
  // after k jobs, so b's first job comes third, not tenth, and the jobs within the 9 idle
  // GPUs are exactly a's first 6 and b's first 3.
  Scenario s = build(kDivisionCases[0]);
  auto cycle = s.cycle();
  std::vector<uint32_t> order = pending_order(*cycle);
  order.resize(9);
  // a's jobs are 3..11, b's 12..20.
  std::string ids = ids_string(order);
  ck_assert_str_eq(ids.c_str(), "3,4,12,5,6,13,7,8,14");
  // Bands are judged job by job (each alone fits a's limit); Slurm's GrpTRES stops a at 8.
  for (uint32_t id : order) ck_assert_str_eq(band_name(pending_verdict(*cycle, id).band), "borrowing");
}
END_TEST

START_TEST(in_quota_jobs_come_before_every_borrowing_job) {
  Scenario s = build(kDivisionCases[10]);  // the lender wants 6 of its own 9
  auto cycle = s.cycle();
  std::vector<uint32_t> order = pending_order(*cycle);
  // The lender's 6 jobs (11..16) first, then a's 3 (2..4) that fit what it leaves.
  order.resize(9);
  std::string ids = ids_string(order);
  ck_assert_str_eq(ids.c_str(), "11,12,13,14,15,16,2,3,4");
}
END_TEST

START_TEST(a_job_beyond_its_teams_part_says_so) {
  // a (weight 2) wants nine 1-GPU jobs, b one 4-GPU job. a's share after k jobs (k/26) stays
  // at or below b's with its job (4/13) until a holds 8, and then 1 GPU is left: b's job gets
  // no room, a gets the 9. b's job is blocked by its limit (2) while the pool still has 9 GPUs
  // free (nothing started yet), and the reason says whose they are.
  DivisionCase c = kDivisionCases[0];
  c.teams[1].pending = {4};
  Scenario s = build(c);
  auto cycle = s.cycle();
  const uint32_t job = 3 + 9;  // b's job, after the two running ones and a's nine
  const PendingVerdict& v = pending_verdict(*cycle, job);
  ck_assert_str_eq(band_name(v.band), "blocked");
  std::string why = pending_reason(*cycle, cycle->pending_index.find(job));
  ck_assert_str_eq(why.c_str(),
                   "blocked on gres/gpu:h100: b would hold 6, above its limit 2 now: the 9 the pool "
                   "has free are other teams' part of it (their fair share, or a lender's own quota "
                   "it waits for)");
}
END_TEST

// ---------------------------------------------------------------- property: no flapping
// Random worlds of 2-4 teams on one or two GPU types. For every pair the rules allow as a
// fair-share preemption: the victim is borrowed excess; after the swap the preemptor's team's
// share is not above the victim team's share before it; and the victim, pending again, cannot
// preempt the preemptor's job back (nor any job of that team).
struct World {
  Scenario scenario;
  std::vector<std::string> types;
};

World random_world(std::mt19937* rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(*rng); };
  World w;
  w.types = {"gres/gpu:h100"};
  if (pick(0, 1)) w.types.push_back("gres/gpu:a100");
  Amounts node;
  for (const std::string& type : w.types) node.push_back({type, 8});
  w.scenario.nodes(pick(2, 4), node).idle_compute(IdleCompute::FairShare).share_unassigned(pick(0, 1));
  const int teams = pick(2, 4);
  const Sharing kinds[] = {kLab, kLab, kLab, kLend, kDont};
  for (int t = 0; t < teams; ++t) {
    TeamSpec spec;
    spec.name = "t" + std::to_string(t);
    for (const std::string& type : w.types) spec.quota.push_back({type, pick(0, 8)});
    spec.sharing = kinds[pick(0, 4)];
    spec.weight = pick(0, 5);
    spec.borrow_percent = pick(0, 300);
    w.scenario.team(spec);
  }
  uint32_t id = 1;
  for (int t = 0; t < teams; ++t) {
    std::string team = "t" + std::to_string(t);
    for (int j = pick(0, 5); j > 0; --j) {
      Amounts a = {{w.types[static_cast<size_t>(pick(0, static_cast<int>(w.types.size()) - 1))], pick(1, 4)}};
      w.scenario.running(id++, team, "", a, pick(1, 900));
    }
    for (int j = pick(0, 3); j > 0; --j) {
      Amounts a = {{w.types[static_cast<size_t>(pick(0, static_cast<int>(w.types.size()) - 1))], pick(1, 4)}};
      w.scenario.pending(id++, team, "", a, pick(1, 900));
    }
  }
  w.scenario.at(1000);
  return w;
}

START_TEST(fair_share_preemptions_never_flap) {
  std::mt19937 rng(20261203);
  int worlds = 0, swaps = 0;
  for (; worlds < 3000; ++worlds) {
    World w = random_world(&rng);
    Scenario& s = w.scenario;
    auto before = s.cycle();
    for (const PendingJob& p : before->pending) {
      for (const RunningJob& v : before->running) {
        PreemptReason why = reason(*before, p.id, v.id);
        if (why == PreemptReason::None || p.team == v.team) continue;
        // Another team's in-quota work is never a victim.
        ck_assert_msg(victim_facts(*before, v.id).excess_mask != 0, "world %d: %u takes in-quota %u",
                      worlds, p.id, v.id);
        if (why != PreemptReason::FairShare) continue;
        ++swaps;
        // Carry it out: v pending again (as requeued), p running.
        Scenario after = s;
        after.clear_jobs();
        for (const RunningJob& r : before->running) {
          if (r.id == v.id) continue;
          Amounts a;
          for (const std::string& type : w.types) a.push_back({type, r.alloc[s.resource(type)]});
          after.running(r.id, before->config->policy.teams[static_cast<size_t>(r.team)].name, "", a,
                        r.start_time);
        }
        Amounts preq, vreq;
        for (const std::string& type : w.types) {
          preq.push_back({type, p.req[s.resource(type)]});
          vreq.push_back({type, v.alloc[s.resource(type)]});
        }
        const std::string& pteam = before->config->policy.teams[static_cast<size_t>(p.team)].name;
        const std::string& vteam = before->config->policy.teams[static_cast<size_t>(v.team)].name;
        after.running(p.id, pteam, "", preq, 1000).pending(v.id, vteam, "", vreq, v.start_time).at(1001);
        auto swapped = after.cycle();
        // The preemptor's team's share now is not above the victim team's share before.
        Share p_after = weighted_share(swapped->teams[static_cast<size_t>(p.team)].borrowed, before->pool,
                                       before->config->policy.teams[static_cast<size_t>(p.team)].fair_share_weight,
                                       before->config->all_weights_zero, before->config->resources());
        ck_assert_msg(p_after <= victim_facts(*before, v.id).team_share_now,
                      "world %d: %u preempting %u leaves its team above the victim's", worlds, p.id, v.id);
        // And nothing of the preemptor's team can be taken back by the victim.
        for (const RunningJob& r : swapped->running) {
          if (r.team != p.team) continue;
          PreemptReason back = reason(*swapped, v.id, r.id);
          ck_assert_msg(back != PreemptReason::FairShare,
                        "world %d: %u preempted %u (fair share), then %u could preempt %u back", worlds,
                        p.id, v.id, v.id, r.id);
        }
      }
    }
  }
  std::printf("fair-share property: %d worlds, %d fair-share swaps checked\n", worlds, swaps);
  ck_assert_int_gt(swaps, 100);  // the worlds do exercise the rule
}
END_TEST

Suite* fair_sharing_suite() {
  Suite* s = suite_create("fair_sharing");
  TCase* tc = tcase_create("fair_sharing");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, division_table, 0, count_of(kDivisionCases));
  tcase_add_test(tc, borrowing_jobs_interleave_by_weight);
  tcase_add_test(tc, in_quota_jobs_come_before_every_borrowing_job);
  tcase_add_test(tc, a_job_beyond_its_teams_part_says_so);
  tcase_add_test(tc, fair_share_preemptions_never_flap);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(fair_sharing_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
