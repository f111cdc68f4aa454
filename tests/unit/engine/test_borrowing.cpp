// SPDX-License-Identifier: GPL-2.0-or-later
// Lending and borrowing (DESIGN.md §2): the pool, borrowed and lendable amounts, what is lent,
// each team's current limit, and the admission band of a pending job. Every case is a row of a
// table named for the rule it pins; scenarios are built in code (scenario.h), so a change to
// the parser or the quota resolver cannot make these fail.
#include <check.h>

#include <cstdio>
#include <string>
#include <vector>

#include "scenario.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;

namespace {


#define CHECK_AMOUNT(name, what, got, want)                                                  \
  ck_assert_msg((got) == (want), "%s: %s = %lld, want %lld", (name), (what),                \
                static_cast<long long>(got), static_cast<long long>(want))

// ---------------------------------------------------------------- one-resource worlds
// One GPU type. Each team's use is one running job of that many GPUs.
struct TeamRow {
  const char* name;
  Sharing sharing;
  Amount quota;
  Amount used;
  int percent = 50;
};

struct World {
  Amount capacity;
  bool share_unassigned;
  Amount ungoverned;  // GPUs held by jobs of no team
  std::vector<TeamRow> teams;
};

Scenario build(const World& world) {
  Scenario s;
  s.nodes(1, {{kGpu, world.capacity}}).share_unassigned(world.share_unassigned);
  for (const TeamRow& t : world.teams) {
    TeamSpec spec;
    spec.name = t.name;
    spec.quota = {{kGpu, t.quota}};
    spec.sharing = t.sharing;
    spec.borrow_percent = t.percent;
    s.team(spec);
  }
  uint32_t id = 1;
  for (const TeamRow& t : world.teams)
    if (t.used > 0) s.running(id++, t.name, "", {{kGpu, t.used}}, 100);
  if (world.ungoverned > 0) s.running(id++, "", "", {{kGpu, world.ungoverned}}, 100);
  return s;
}

constexpr Sharing kLend = Sharing::Lend;
constexpr Sharing kDont = Sharing::DontLend;
constexpr Sharing kLab = Sharing::LendAndBorrow;

struct TeamExpect {
  Amount borrowed, lendable, lent, limit;
};

struct PoolCase {
  const char* name;
  World world;
  Amount unassigned, total, borrowed, free;
  std::vector<TeamExpect> teams;  // same order as world.teams
};

// Unless a row says otherwise: 32 GPUs, three teams of quota 8 (24 owned, 8 unassigned), a
// borrow limit of 50 % (4 GPUs).
const PoolCase kPoolCases[] = {
    {"lend: idle quota joins the pool, a lender never borrows",
     {32, true, 0, {{"a", kLend, 8, 2}, {"b", kLab, 8, 12}, {"c", kDont, 8, 0}}},
     // pool = a's 6 idle + 8 unassigned; b borrows 4 of it; a is credited 4*6/14 = 1
     8, 14, 4, 10,
     {{0, 6, 1, 8}, {4, 0, 0, 12}, {0, 0, 0, 8}}},
    {"dont-lend: idle quota stays out of the pool",
     {32, true, 0, {{"a", kDont, 8, 2}, {"b", kLab, 8, 12}, {"c", kDont, 8, 0}}},
     8, 8, 4, 4,
     {{0, 0, 0, 8}, {4, 0, 0, 12}, {0, 0, 0, 8}}},
    {"lend-and-borrow: lends its idle quota and may borrow up to its cap",
     {32, true, 0, {{"a", kLab, 8, 2}, {"b", kLab, 8, 12}, {"c", kDont, 8, 0}}},
     // a's room = free 10 - its own 6 idle = 4 = its cap
     8, 14, 4, 10,
     {{0, 6, 1, 12}, {4, 0, 0, 12}, {0, 0, 0, 8}}},
    {"lend-and-borrow while borrowing: nothing to lend",
     {32, true, 0, {{"a", kLab, 8, 10}, {"b", kLab, 8, 12}, {"c", kDont, 8, 0}}},
     8, 8, 6, 2,
     {{2, 0, 0, 12}, {4, 0, 0, 12}, {0, 0, 0, 8}}},
    {"borrow room shrinks to what the pool still has, split by weight",
     {32, false, 0, {{"a", kLab, 8, 9}, {"b", kLab, 8, 8}, {"c", kLend, 8, 5}}},
     // pool = c's 3 idle; a holds 1 of it; the 2 left are headroom, 1:1 by weight
     0, 3, 1, 2,
     {{1, 0, 0, 10}, {0, 0, 0, 9}, {0, 3, 1, 8}}},
    {"lender reclaims: an overdrawn pool pulls the borrower's limit below its use",
     {32, false, 0, {{"a", kLab, 8, 12}, {"b", kLab, 8, 8}, {"c", kLend, 8, 6}}},
     // c now offers only 2 of the 4 a borrowed with its one 12-GPU job: that job no longer
     // fits the pool, so a's limit falls to its quota, below its 12
     0, 2, 4, -2,
     {{4, 0, 0, 8}, {0, 0, 0, 8}, {0, 2, 2, 8}}},
    {"a team never borrows its own idle quota",
     {16, true, 0, {{"a", kLab, 8, 0}, {"c", kDont, 8, 0}}},
     // the pool is a's own 8 idle GPUs: filling its quota empties it, nothing to borrow
     0, 8, 0, 8,
     {{0, 8, 0, 8}, {0, 0, 0, 8}}},
    {"borrow room excludes the team's own idle quota",
     {24, true, 0, {{"a", kLab, 8, 6}, {"b", kLend, 8, 5}, {"c", kDont, 8, 0}}},
     // pool 2 (a) + 3 (b); after filling its quota a can borrow b's 3, not 5
     0, 5, 0, 5,
     {{0, 2, 0, 11}, {0, 3, 0, 8}, {0, 0, 0, 8}}},
    {"unassigned on: capacity no team owns is borrowable",
     {32, true, 0, {{"a", kLab, 8, 8}, {"b", kDont, 8, 8}}},
     16, 16, 0, 16,
     {{0, 0, 0, 12}, {0, 0, 0, 8}}},
    {"unassigned off: capacity no team owns is not lent",
     {32, false, 0, {{"a", kLab, 8, 8}, {"b", kDont, 8, 8}}},
     0, 0, 0, 0,
     {{0, 0, 0, 8}, {0, 0, 0, 8}}},
    {"ungoverned jobs draw on unassigned capacity first",
     {32, true, 14, {{"a", kLab, 8, 8}, {"b", kDont, 8, 8}}},
     2, 2, 0, 2,
     {{0, 0, 0, 10}, {0, 0, 0, 8}}},
    {"ungoverned use beyond the unassigned capacity leaves none",
     {32, true, 20, {{"a", kLab, 8, 8}, {"b", kDont, 8, 8}}},
     0, 0, 0, 0,
     {{0, 0, 0, 8}, {0, 0, 0, 8}}},
    {"quotas above capacity (planning) leave nothing unassigned",
     {16, true, 0, {{"a", kLab, 16, 0}, {"b", kDont, 16, 0}}},
     0, 16, 0, 16,
     {{0, 16, 0, 16}, {0, 0, 0, 16}}},
    {"borrow limit 0 % never borrows",
     {32, true, 0, {{"a", kLab, 8, 8, 0}, {"b", kDont, 8, 8}}},
     16, 16, 0, 16,
     {{0, 0, 0, 8}, {0, 0, 0, 8}}},
    {"borrow limit 500 % of a small quota",
     {32, true, 0, {{"a", kLab, 2, 0, 500}, {"b", kDont, 8, 8}}},
     // cap 10; room = free 24 - own idle 2 = 22, capped at 10
     22, 24, 0, 24,
     {{0, 2, 0, 12}, {0, 0, 0, 8}}},
    {"what borrowers draw is credited to lenders pro rata",
     {24, false, 0, {{"a", kLend, 8, 2}, {"b", kLend, 8, 6}, {"c", kLab, 8, 12}}},
     // 4 drawn from 6 + 2 offered: a 4*6/8 = 3, b 4*2/8 = 1
     0, 8, 4, 4,
     {{0, 6, 3, 8}, {0, 2, 1, 8}, {4, 0, 0, 12}}},
};

START_TEST(pool_and_limits) {
  const PoolCase& c = kPoolCases[_i];
  Scenario s = build(c.world);
  auto cycle = s.cycle();
  const int gpu = s.resource(kGpu);
  CHECK_AMOUNT(c.name, "pool.unassigned", cycle->pool.unassigned[gpu], c.unassigned);
  CHECK_AMOUNT(c.name, "pool.total", cycle->pool.total[gpu], c.total);
  CHECK_AMOUNT(c.name, "pool.borrowed", cycle->pool.borrowed[gpu], c.borrowed);
  CHECK_AMOUNT(c.name, "pool.free", cycle->pool.free[gpu], c.free);
  ck_assert_uint_eq(cycle->teams.size(), c.teams.size());
  for (size_t t = 0; t < c.teams.size(); ++t) {
    const TeamUsage& u = cycle->teams[t];
    const TeamExpect& e = c.teams[t];
    std::string team = c.world.teams[t].name;
    CHECK_AMOUNT(c.name, (team + ".borrowed").c_str(), u.borrowed[gpu], e.borrowed);
    CHECK_AMOUNT(c.name, (team + ".lendable").c_str(), u.lendable[gpu], e.lendable);
    CHECK_AMOUNT(c.name, (team + ".lent").c_str(), u.lent[gpu], e.lent);
    CHECK_AMOUNT(c.name, (team + ".limit").c_str(), u.limit[gpu], e.limit);
    CHECK_AMOUNT(c.name, (team + ".used").c_str(), u.used[gpu], c.world.teams[t].used);
  }
}
END_TEST

// ---------------------------------------------------------------- admission band
struct BandCase {
  const char* name;
  World world;  // the pending job belongs to the first team
  Amount request;
  Band band;
  bool pool_only;
  Amount borrowed_after;
};

const World kStd = {32, true, 0, {{"a", kLab, 8, 2}, {"b", kLend, 8, 0}, {"c", kDont, 8, 0}}};
World with_a(World w, Sharing sharing, Amount used) {
  w.teams[0].sharing = sharing;
  w.teams[0].used = used;
  return w;
}
// Pool spent but for 2: b lends 2, nothing unassigned; a is at its quota.
const World kTight = {32, false, 0, {{"a", kLab, 8, 8}, {"b", kLend, 8, 6}, {"c", kDont, 8, 0}}};
// a has 2 idle of its own, b lends 3.
const World kOwnIdle = {24, true, 0, {{"a", kLab, 8, 6}, {"b", kLend, 8, 5}, {"c", kDont, 8, 0}}};

const BandCase kBandCases[] = {
    {"fits in quota", kStd, 5, Band::InQuota, false, 0},
    {"exactly up to the quota line is in quota", kStd, 6, Band::InQuota, false, 0},
    {"one over the quota line borrows", kStd, 7, Band::Borrow, false, 1},
    {"borrows up to the borrow cap", with_a(kStd, kLab, 8), 4, Band::Borrow, false, 4},
    {"past the borrow cap is blocked (by the cap, not the pool)", with_a(kStd, kLab, 8), 5,
     Band::Blocked, false, 5},
    {"larger than quota + cap is blocked however idle the cluster", with_a(kStd, kLab, 0), 13,
     Band::Blocked, false, 5},
    {"lend never borrows", with_a(kStd, kLend, 0), 9, Band::Blocked, false, 1},
    {"dont-lend never borrows", with_a(kStd, kDont, 0), 9, Band::Blocked, false, 1},
    {"lend still runs in its own quota", with_a(kStd, kLend, 0), 8, Band::InQuota, false, 0},
    {"within the cap but the pool is spent: blocked by the pool only", kTight, 3, Band::Blocked,
     true, 3},
    {"the pool's last units can be borrowed", kTight, 2, Band::Borrow, false, 2},
    {"own idle quota is not borrowable from itself",
     {16, true, 0, {{"a", kLab, 8, 0}, {"c", kDont, 8, 0}}}, 10, Band::Blocked, true, 2},
    {"borrows others' idle quota after filling its own", kOwnIdle, 5, Band::Borrow, false, 3},
    {"others' idle quota is all it can borrow", kOwnIdle, 6, Band::Blocked, true, 4},
    {"a request of nothing fits", kStd, 0, Band::InQuota, false, 0},
};

START_TEST(admission_bands) {
  const BandCase& c = kBandCases[_i];
  Scenario s = build(c.world);
  s.pending(100, c.world.teams[0].name, "", {{kGpu, c.request}}, 50);
  auto cycle = s.cycle();
  const int gpu = s.resource(kGpu);
  const PendingVerdict& v = pending_verdict(*cycle, 100);
  ck_assert_msg(v.band == c.band, "%s: band %s, want %s", c.name, band_name(v.band),
                band_name(c.band));
  ck_assert_msg(v.holding == (c.band == Band::InQuota ? -1 : gpu), "%s: holding %d", c.name,
                v.holding);
  // Re-derive the check itself for pool_only and borrowed_after.
  AdmissionCheck check =
      admission_band(cycle->teams[0], s.vec({{kGpu, c.request}}), s.config()->resources());
  ck_assert_msg(check.pool_only == c.pool_only, "%s: pool_only %d", c.name, check.pool_only);
  CHECK_AMOUNT(c.name, "borrowed_after", check.borrowed_after[gpu], c.borrowed_after);
  const PreemptorFacts& f = preemptor_facts(*cycle, 100);
  ck_assert_msg(f.fits_in_quota == (c.band == Band::InQuota), "%s: fits_in_quota", c.name);
  ck_assert_msg(f.borrows == (c.band == Band::Borrow || c.pool_only), "%s: borrows", c.name);
}
END_TEST

// ---------------------------------------------------------------- several resources
// cpu 0, mem 1, gres/gpu:a100 2, gres/gpu:h100 3. Team a (lend-and-borrow) and b (dont-lend,
// idle) own h100 8, a100 4, cpu 128 each; the rest is unassigned: h100 16, a100 8, cpu 768.
struct MultiCase {
  const char* name;
  int percent;
  Amounts absolute_caps;
  Amounts limit;  // team a's current limit
};

const Amounts kTeamQuota = {{"gres/gpu:h100", 8}, {"gres/gpu:a100", 4}, {"cpu", 128}};

const MultiCase kMultiCases[] = {
    {"borrow limit is a percentage of each resource's own quota", 50, {},
     {{"gres/gpu:h100", 12}, {"gres/gpu:a100", 6}, {"cpu", 192}}},
    {"absolute cap lowers the resource it names only", 50, {{"gres/gpu:h100", 1}},
     {{"gres/gpu:h100", 9}, {"gres/gpu:a100", 6}, {"cpu", 192}}},
    {"absolute cap above the percentage changes nothing", 50, {{"gres/gpu:h100", 100}},
     {{"gres/gpu:h100", 12}, {"gres/gpu:a100", 6}, {"cpu", 192}}},
    {"absolute cap of 0 forbids borrowing that resource", 50, {{"gres/gpu:a100", 0}},
     {{"gres/gpu:h100", 12}, {"gres/gpu:a100", 4}, {"cpu", 192}}},
    {"absolute caps on cpu and a GPU together", 50, {{"cpu", 10}, {"gres/gpu:h100", 2}},
     {{"gres/gpu:h100", 10}, {"gres/gpu:a100", 6}, {"cpu", 138}}},
    {"borrow limit 150 %", 150, {},
     {{"gres/gpu:h100", 20}, {"gres/gpu:a100", 10}, {"cpu", 320}}},
    {"borrow limit 300 % is bounded by the pool per resource", 300, {},
     {{"gres/gpu:h100", 24}, {"gres/gpu:a100", 12}, {"cpu", 512}}},
};

Scenario multi_world(int percent, const Amounts& caps) {
  Scenario s;
  s.nodes(1, {{"cpu", 1024}, {"gres/gpu:h100", 32}, {"gres/gpu:a100", 16}});
  TeamSpec a;
  a.name = "a";
  a.quota = kTeamQuota;
  a.borrow_percent = percent;
  a.absolute_caps = caps;
  TeamSpec b;
  b.name = "b";
  b.quota = kTeamQuota;
  b.sharing = kDont;
  s.team(a).team(b);
  return s;
}

START_TEST(limits_per_resource) {
  const MultiCase& c = kMultiCases[_i];
  Scenario s = multi_world(c.percent, c.absolute_caps);
  auto cycle = s.cycle();
  for (const auto& [name, want] : c.limit) {
    CHECK_AMOUNT(c.name, ("a.limit " + name).c_str(), cycle->teams[0].limit[s.resource(name)], want);
  }
  CHECK_AMOUNT(c.name, "b.limit h100", cycle->teams[1].limit[s.resource("gres/gpu:h100")], 8);
}
END_TEST

struct MultiBandCase {
  const char* name;
  Amounts absolute_caps;
  Amounts request;
  Band band;
  const char* holding;  // resource that makes it borrow or blocks it; "" for in quota
};

const MultiBandCase kMultiBandCases[] = {
    {"in quota on every resource", {}, {{"gres/gpu:h100", 8}, {"gres/gpu:a100", 4}, {"cpu", 128}},
     Band::InQuota, ""},
    {"borrowing one GPU type only", {}, {{"gres/gpu:h100", 10}, {"gres/gpu:a100", 2}, {"cpu", 100}},
     Band::Borrow, "gres/gpu:h100"},
    {"borrowing the other GPU type", {}, {{"gres/gpu:h100", 4}, {"gres/gpu:a100", 6}, {"cpu", 64}},
     Band::Borrow, "gres/gpu:a100"},
    {"cpu past its cap blocks a job whose GPUs could borrow", {},
     {{"gres/gpu:h100", 12}, {"cpu", 200}}, Band::Blocked, "cpu"},
    {"blocked on GPUs and cpu: the GPUs are named", {},
     {{"gres/gpu:h100", 13}, {"cpu", 200}}, Band::Blocked, "gres/gpu:h100"},
    {"borrowing GPUs and cpu: the GPUs are named", {},
     {{"gres/gpu:h100", 10}, {"cpu", 140}}, Band::Borrow, "gres/gpu:h100"},
    {"absolute cap blocks what the percentage allows", {{"gres/gpu:h100", 1}},
     {{"gres/gpu:h100", 10}}, Band::Blocked, "gres/gpu:h100"},
    {"absolute cap allows up to itself", {{"gres/gpu:h100", 1}}, {{"gres/gpu:h100", 9}},
     Band::Borrow, "gres/gpu:h100"},
};

START_TEST(bands_per_resource) {
  const MultiBandCase& c = kMultiBandCases[_i];
  Scenario s = multi_world(50, c.absolute_caps);
  s.pending(7, "a", "", c.request, 10);
  auto cycle = s.cycle();
  const PendingVerdict& v = pending_verdict(*cycle, 7);
  ck_assert_msg(v.band == c.band, "%s: band %s, want %s", c.name, band_name(v.band),
                band_name(c.band));
  int holding = *c.holding ? s.resource(c.holding) : -1;
  ck_assert_msg(v.holding == holding, "%s: holding %d, want %d", c.name, v.holding, holding);
}
END_TEST

// ---------------------------------------------------------------- the reference example
// "A team with a quota of 2 instances and BorrowLimit 50 % can run a 3-instance job while
// others are idle": p5.48xlarge = 8 H100, 192 CPUs, 2 TiB.
const Amounts kP5 = {{"gres/gpu:h100", 8}, {"cpu", 192}, {"mem", 2 * kTiB}};

Scenario instances_world() {
  Scenario s;
  s.nodes(4, kP5, {"p5.48xlarge"});
  TeamSpec a;
  a.name = "a";
  a.quota = times(kP5, 2);
  a.borrow_percent = 50;
  TeamSpec b;
  b.name = "b";
  b.quota = times(kP5, 2);
  s.team(a).team(b);
  return s;
}

START_TEST(reference_two_instances_run_three_while_others_idle) {
  Scenario s = instances_world();
  s.pending(1, "a", "", times(kP5, 3), 10);
  auto cycle = s.cycle();
  const PendingVerdict& v = pending_verdict(*cycle, 1);
  ck_assert_str_eq(band_name(v.band), "borrowing");
  // The limit is exactly three instances on every resource.
  for (const auto& [name, per_node] : kP5)
    CHECK_AMOUNT("limit", name.c_str(), cycle->teams[0].limit[s.resource(name)], 3 * per_node);

  // Running it: a borrows one instance of b's idle quota; the job straddles a's quota line, so
  // all of it is borrowed excess, and b's own 2-instance job may reclaim it.
  s.clear_jobs().running(1, "a", "", times(kP5, 3), 100).pending(2, "b", "", times(kP5, 2), 200);
  cycle = s.cycle();
  for (const auto& [name, per_node] : kP5) {
    int r = s.resource(name);
    CHECK_AMOUNT("borrowed", name.c_str(), cycle->teams[0].borrowed[r], per_node);
    CHECK_AMOUNT("lent", name.c_str(), cycle->teams[1].lent[r], per_node);
    CHECK_AMOUNT("b limit", name.c_str(), cycle->teams[1].limit[r], 2 * per_node);
  }
  ck_assert(running_verdict(*cycle, 1).borrowed());
  ck_assert_str_eq(band_name(pending_verdict(*cycle, 2).band), "in-quota");
  ck_assert_str_eq(reason_name(reason(*cycle, 2, 1)), "reclaim");
}
END_TEST

START_TEST(reference_three_instances_wait_while_others_busy) {
  // Same team, but b runs its own two instances: nothing is idle to borrow.
  Scenario s = instances_world();
  s.running(5, "b", "", times(kP5, 2), 10).pending(1, "a", "", times(kP5, 3), 10);
  auto cycle = s.cycle();
  const PendingVerdict& v = pending_verdict(*cycle, 1);
  ck_assert_str_eq(band_name(v.band), "blocked");
  ck_assert(preemptor_facts(*cycle, 1).borrows);  // within its cap: blocked by the pool only
  for (const auto& [name, per_node] : kP5)
    CHECK_AMOUNT("limit", name.c_str(), cycle->teams[0].limit[s.resource(name)], 2 * per_node);
}
END_TEST

START_TEST(band_names) {
  ck_assert_str_eq(band_name(Band::InQuota), "in-quota");
  ck_assert_str_eq(band_name(Band::Borrow), "borrowing");
  ck_assert_str_eq(band_name(Band::Blocked), "blocked");
  ck_assert(can_borrow(kLab) && !can_borrow(kLend) && !can_borrow(kDont));
  ck_assert(can_lend(kLab) && can_lend(kLend) && !can_lend(kDont));
}
END_TEST

Suite* borrowing_suite() {
  Suite* s = suite_create("borrowing");
  TCase* tc = tcase_create("rules");
  tcase_add_loop_test(tc, pool_and_limits, 0, count_of(kPoolCases));
  tcase_add_loop_test(tc, admission_bands, 0, count_of(kBandCases));
  tcase_add_loop_test(tc, limits_per_resource, 0, count_of(kMultiCases));
  tcase_add_loop_test(tc, bands_per_resource, 0, count_of(kMultiBandCases));
  tcase_add_test(tc, reference_two_instances_run_three_while_others_idle);
  tcase_add_test(tc, reference_three_instances_wait_while_others_busy);
  tcase_add_test(tc, band_names);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(borrowing_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
