// SPDX-License-Identifier: GPL-2.0-or-later
// Order of pending jobs (DESIGN.md §2): weighted share (weight 0 and all-zero semantics), class
// ranks, share rank, governance tier, the engine's pending priority, the site factor handed to
// priority/multifactor, and the order whole cycles produce under fcfs / task-ranking admission
// and fair-share / fcfs idle compute.
#include <check.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/cycle_detail.h"
#include "scenario.h"
#include "shares.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;
using taskgov::test::share_of;

namespace {

constexpr double kEps = 1e-12;

// For assertions inside loops of thousands: Check's own macros record a mark point per call
// (a write to its pipe in fork mode), which made these tests slow under the sanitizers.
#define CHECK_IN_LOOP(cond, ...)                  \
  do {                                            \
    if (!(cond)) ck_abort_msg(__VA_ARGS__);       \
  } while (0)

// ---------------------------------------------------------------- weighted share
// Two resources, indices 0 and 1 (think cpu and one GPU type).
struct ShareCase {
  const char* name;
  Amount borrowed0, borrowed1;
  Amount pool0, pool1;
  int weight;
  bool all_zero;
  bool zero_weight;
  double value;
};

const ShareCase kShareCases[] = {
    {"share is borrowed over pool, divided by weight 1", 0, 4, 0, 16, 1, false, false, 0.25},
    {"weight 10 divides the share by 10", 0, 4, 0, 16, 10, false, false, 0.025},
    {"weight 100 (the maximum)", 0, 8, 0, 16, 100, false, false, 0.005},
    {"the dominant resource decides", 64, 2, 128, 16, 1, false, false, 0.5},
    {"nothing borrowed is share 0", 0, 0, 128, 16, 3, false, false, 0.0},
    {"weight 0 is ranked apart, keeping its fraction", 0, 4, 0, 16, 0, false, true, 0.25},
    {"all weights zero count as equal weights", 0, 4, 0, 16, 0, true, false, 0.25},
    {"holding more than the pool has now counts as the whole pool", 0, 4, 0, 2, 1, false, false,
     1.0},
    {"an empty pool with something borrowed is share 1", 0, 3, 0, 0, 2, false, false, 0.5},
};

START_TEST(weighted_shares) {
  const ShareCase& c = kShareCases[_i];
  ResourceVector borrowed;
  borrowed[0] = c.borrowed0;
  borrowed[1] = c.borrowed1;
  Pool pool;
  pool.capacity[0] = c.pool0;
  pool.capacity[1] = c.pool1;
  Share s = weighted_share(borrowed, pool, c.weight, c.all_zero, 2);
  ck_assert_msg(s.zero_weight == c.zero_weight, "%s: zero_weight %d", c.name, s.zero_weight);
  ck_assert_msg(s.value() > c.value - kEps && s.value() < c.value + kEps, "%s: value %g, want %g",
                c.name, s.value(), c.value);
}
END_TEST

START_TEST(share_order_puts_weight_zero_last) {
  Share small = share_of(0.01), big = share_of(50.0), zero_small = share_of(0.0, true),
        zero_big = share_of(0.9, true);
  ck_assert(small < big && !(big < small));
  ck_assert(big < zero_small);  // any positive weight before weight 0, whatever the amounts
  ck_assert(!(zero_small < big));
  ck_assert(zero_small < zero_big);  // among weight 0: the smaller fraction first
  ck_assert((small == share_of(0.01)) && !(small == share_of(0.01, true)));
}
END_TEST

// ---------------------------------------------------------------- class ranks
struct ClassRankCase {
  const char* name;
  Admission admission;
  std::vector<int> weights;
  std::vector<uint8_t> ranks;
};

const ClassRankCase kClassRankCases[] = {
    {"fcfs: classes do not rank", Admission::Fcfs, {100, 50, 10}, {0, 0, 0}},
    {"task-ranking: heaviest class ranks highest", Admission::TaskRanking, {100, 50, 10}, {3, 2, 1}},
    {"task-ranking: declaration order does not matter", Admission::TaskRanking, {10, 100, 50},
     {1, 3, 2}},
    {"task-ranking: equal weights share a rank", Admission::TaskRanking, {50, 50, 10}, {2, 2, 1}},
    {"task-ranking: a single class of weight 0 still ranks above no class", Admission::TaskRanking,
     {0}, {1}},
    {"task-ranking: ten classes rank 1..10", Admission::TaskRanking,
     {90, 80, 70, 60, 50, 40, 30, 20, 10, 0}, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
};

START_TEST(class_rank_table) {
  const ClassRankCase& c = kClassRankCases[_i];
  ClusterSettings cluster;
  cluster.admission = c.admission;
  for (size_t k = 0; k < c.weights.size(); ++k)
    cluster.priority_classes.push_back({"c" + std::to_string(k), c.weights[k]});
  std::vector<uint8_t> ranks = class_ranks(cluster);
  ck_assert_uint_eq(ranks.size(), c.ranks.size());
  for (size_t k = 0; k < ranks.size(); ++k)
    ck_assert_msg(ranks[k] == c.ranks[k], "%s: class %zu rank %u, want %u", c.name, k, ranks[k],
                  c.ranks[k]);
}
END_TEST

// ---------------------------------------------------------------- share rank and tier
struct ShareRankCase {
  const char* name;
  Share share;
  uint16_t rank;
};

const ShareRankCase kShareRankCases[] = {
    {"weight 0 gets the lowest share rank", share_of(0.0, true), 0},
    {"share 0 gets the highest", share_of(0.0), 1023},
    {"share 0.25 -> 0.2 of the range", share_of(0.25), 819},
    {"share 1 -> the middle", share_of(1.0), 512},
    {"share 3 -> 0.75 of the range", share_of(3.0), 256},
    {"a huge share stays above weight 0", Share{false, 1'000'000'000'000, 1}, 1},
};

START_TEST(share_rank_table) {
  const ShareRankCase& c = kShareRankCases[_i];
  ck_assert_msg(share_rank(c.share) == c.rank, "%s: rank %u, want %u", c.name,
                share_rank(c.share), c.rank);
}
END_TEST

START_TEST(share_rank_is_monotone_and_positive) {
  uint16_t previous = share_rank(share_of(0.0));
  for (int step = 0; step < 2800; ++step) {  // shares 1e-6 .. 1e6, 1 % apart
    const double v = 1e-6 * std::pow(1.01, step);
    uint16_t rank = share_rank(share_of(v));
    CHECK_IN_LOOP(rank <= previous, "share %g rank %u above the smaller share's %u", v, rank,
                  previous);
    CHECK_IN_LOOP(rank >= 1, "share %g: positive weights must rank above weight 0", v);
    previous = rank;
  }
}
END_TEST

struct TierCase {
  const char* name;
  Band band;
  uint8_t klass;
  uint16_t share;
  uint32_t tier;
};

const TierCase kTierCases[] = {
    {"blocked, no class, no share is tier 0", Band::Blocked, 0, 0, 0},
    {"in quota, no class", Band::InQuota, 0, 0, 2 * 11 * 1024},
    {"borrowing, class 3, best share", Band::Borrow, 3, 1023, (11 + 3) * 1024 + 1023},
    {"the highest tier", Band::InQuota, 10, 1023, kTierCount - 1},
    {"class rank clamps at 10", Band::InQuota, 200, 0, (22 + 10) * 1024},
    {"share rank clamps at 1023", Band::Blocked, 0, 5000, 1023},
};

START_TEST(tier_table) {
  const TierCase& c = kTierCases[_i];
  uint32_t tier = governance_tier(c.band, c.klass, c.share);
  ck_assert_msg(tier == c.tier, "%s: tier %u, want %u", c.name, tier, c.tier);
}
END_TEST

START_TEST(tier_band_before_class_before_share) {
  ck_assert_uint_gt(governance_tier(Band::InQuota, 0, 0), governance_tier(Band::Borrow, 10, 1023));
  ck_assert_uint_gt(governance_tier(Band::Borrow, 0, 0), governance_tier(Band::Blocked, 10, 1023));
  ck_assert_uint_gt(governance_tier(Band::Borrow, 2, 0), governance_tier(Band::Borrow, 1, 1023));
  ck_assert_uint_gt(governance_tier(Band::Borrow, 2, 5), governance_tier(Band::Borrow, 2, 4));
}
END_TEST

// ---------------------------------------------------------------- pending priority
struct PriorityCase {
  const char* name;
  uint32_t tier;
  int64_t waited;  // seconds since submit (negative: submitted "in the future", clock skew)
  uint32_t priority;
};

const PriorityCase kPriorityCases[] = {
    {"tier 0 just submitted is 1, never 0", 0, 0, 1},
    {"under a minute counts no minutes", 0, 59, 1},
    {"two minutes of waiting", 0, 120, 2},
    {"submitted in the future counts as just submitted", 0, -600, 1},
    {"the wait saturates at 65535 minutes", 0, int64_t{1} << 40, 65535},
    {"tier 1 outranks any wait in tier 0", 1, 0, 65536},
    {"the highest tier with the longest wait fits in 32 bits", kTierCount - 1, int64_t{1} << 40,
     (kTierCount - 1) * 65536u + 65535u},
};

START_TEST(pending_priority_table) {
  const PriorityCase& c = kPriorityCases[_i];
  const int64_t now = 10'000'000'000;
  uint32_t p = pending_priority(c.tier, now - c.waited, now);
  ck_assert_msg(p == c.priority, "%s: priority %u, want %u", c.name, p, c.priority);
}
END_TEST

// ---------------------------------------------------------------- site factor
// The governance term priority/multifactor adds as the site factor: band >> class >> share,
// each step larger than all multifactor can add (multifactor_max) while that fits, and the term
// never above kSiteTermMax (2^31 - 1: Slurm biases the site factor by NICE_OFFSET = 2^31).
struct SiteFactorCase {
  const char* name;
  uint64_t multifactor_max;
  uint64_t unit;            // governance_unit()
  uint32_t share_levels;    // distinct share levels kept per band and class
  uint32_t top_factor;      // factor of the highest tier
  bool dominates;           // every step larger than multifactor_max
};

constexpr uint64_t kU32Max = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kCappedUnit = kSiteTermMax / 33;  // 33 band x class levels below 2^31

const SiteFactorCase kSiteFactorCases[] = {
    {"multifactor off: the tier itself", 0, 1, 1024, kTierCount - 1, true},
    {"multifactor up to 1e5: share coarsened to 512 levels", 100000, 100001, 512,
     (32u * 512 + 511) * 100001u, true},
    {"multifactor up to 1e6: share coarsened to 64 levels", 1000000, 1000001, 64,
     (32u * 64 + 63) * 1000001u, true},
    {"the largest multifactor still dominated: share dropped", kCappedUnit - 1, kCappedUnit, 1,
     32u * kCappedUnit, true},
    // Pinned limit: 33 band x class steps of more than 1e8 do not fit below 2^31, so the step
    // is capped at 65,075,262; band and class keep their order, multifactor can overturn it.
    {"multifactor up to 1e8: the step is capped, dominance no longer strict", 100000000,
     kCappedUnit, 1, 32u * kCappedUnit, false},
};

START_TEST(site_factor_table) {
  const SiteFactorCase& c = kSiteFactorCases[_i];
  const uint64_t mf = c.multifactor_max;
  ck_assert_msg(governance_unit(mf) == c.unit, "%s: unit %llu, want %llu", c.name,
                static_cast<unsigned long long>(governance_unit(mf)),
                static_cast<unsigned long long>(c.unit));
  uint32_t top = governance_site_factor(kTierCount - 1, mf);
  ck_assert_msg(top == c.top_factor, "%s: top factor %u, want %u", c.name, top, c.top_factor);
  ck_assert_uint_eq(governance_site_factor(0, mf), 0);
  uint32_t previous = 0;
  uint32_t levels_in_first_class = 1;
  for (uint32_t tier = 0; tier < kTierCount; ++tier) {
    uint32_t f = governance_site_factor(tier, mf);
    CHECK_IN_LOOP(f <= kSiteTermMax, "%s: tier %u: factor %u above 2^31 - 1", c.name, tier, f);
    CHECK_IN_LOOP(f + mf <= kU32Max, "%s: tier %u: factor %u + multifactor %llu overflows",
                  c.name, tier, f, static_cast<unsigned long long>(mf));
    CHECK_IN_LOOP(f >= previous, "%s: tier %u: factor %u below the lower tier's %u", c.name,
                  tier, f, previous);
    CHECK_IN_LOOP(f % c.unit == 0, "%s: tier %u: factor %u not a multiple of the unit", c.name,
                  tier, f);
    if (tier > 0 && f != previous) {
      // Every step, share steps included, is larger than all multifactor can add.
      CHECK_IN_LOOP(!c.dominates || f - previous > mf, "%s: tier %u: step %u <= multifactor %llu",
                    c.name, tier, f - previous, static_cast<unsigned long long>(mf));
      if (tier < kShareRanks) ++levels_in_first_class;
    }
    if (tier % kShareRanks == 0 && tier > 0) {
      // A band or class boundary: always a strict step.
      CHECK_IN_LOOP(f > previous, "%s: tier %u: band/class step lost", c.name, tier);
    }
    previous = f;
  }
  ck_assert_msg(levels_in_first_class == c.share_levels, "%s: %u share levels, want %u", c.name,
                levels_in_first_class, c.share_levels);
}
END_TEST

START_TEST(site_factor_never_wraps_for_huge_multifactor) {
  // Multifactor weights beyond what 31 bits can dominate: the band and class order must still
  // hold and nothing may wrap (multifactor_max + 1 used to overflow to 0 for UINT64_MAX,
  // collapsing every factor to 0).
  for (uint64_t mf : {uint64_t{1'000'000'000}, uint64_t{1'000'000'000'000},
                      std::numeric_limits<uint64_t>::max()}) {
    uint32_t previous = 0;
    for (uint32_t tier = 0; tier < kTierCount; tier += kShareRanks) {
      uint32_t f = governance_site_factor(tier + kShareRanks - 1, mf);
      uint32_t g = governance_site_factor(tier, mf);
      ck_assert_msg(tier == 0 || g > previous, "mf %llu: band/class order lost at tier %u",
                    static_cast<unsigned long long>(mf), tier);
      ck_assert_uint_ge(f, g);
      ck_assert_uint_le(f, kSiteTermMax);
      previous = f;
    }
  }
}
END_TEST

// ---------------------------------------------------------------- cycles: the order
constexpr int64_t kNow = 1'000'000;
constexpr int64_t kMinute = 60;


TeamSpec team(const char* name, int weight, Amount quota = 8, int percent = 100) {
  TeamSpec t;
  t.name = name;
  t.quota = gpus(quota);
  t.weight = weight;
  t.borrow_percent = percent;
  return t;
}

// 64 GPUs; teams of quota 8 that may borrow 100 % (by default).
Scenario idle_world(const std::vector<TeamSpec>& teams, IdleCompute idle) {
  Scenario s;
  s.nodes(8, gpus(8)).idle_compute(idle).at(kNow);
  for (const TeamSpec& t : teams) s.team(t);
  return s;
}

int64_t ago(int minutes) { return kNow - minutes * kMinute; }

Scenario classes_world(Admission admission) {
  Scenario s;
  s.nodes(8, gpus(8)).admission(admission).at(kNow);
  s.classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}});
  s.team(team("a", 1));
  return s;
}

struct OrderCase {
  const char* name;
  Scenario (*build)();
  std::vector<uint32_t> order;
};

const OrderCase kOrderCases[] = {
    {"fair-share: the heavier weight borrows first",
     [] {
       // a (weight 10) and c (weight 1) both at quota and both asking 2 more; c asked first.
       Scenario s = idle_world({team("a", 10), team("c", 1)}, IdleCompute::FairShare);
       s.running(1, "a", "", gpus(8), 0).running(2, "c", "", gpus(8), 0);
       s.pending(10, "c", "", gpus(2), ago(30)).pending(11, "a", "", gpus(2), ago(10));
       return s;
     },
     {11, 10}},
    {"fcfs idle compute: first come, whatever the weight",
     [] {
       Scenario s = idle_world({team("a", 10), team("c", 1)}, IdleCompute::Fcfs);
       s.running(1, "a", "", gpus(8), 0).running(2, "c", "", gpus(8), 0);
       s.pending(10, "c", "", gpus(2), ago(30)).pending(11, "a", "", gpus(2), ago(10));
       return s;
     },
     {10, 11}},
    {"fair-share: what a team already borrows counts, not only its weight",
     [] {
       // a (weight 2, may borrow 200 %) already borrows 8 of the 48-GPU pool: after 2 more
       // its share is 10/48/2 = 0.104, above c's 2/48/1 = 0.042.
       Scenario s = idle_world({team("a", 2, 8, 200), team("c", 1)}, IdleCompute::FairShare);
       s.running(1, "a", "", gpus(16), 0).running(2, "c", "", gpus(8), 0);
       s.pending(11, "a", "", gpus(2), ago(30)).pending(10, "c", "", gpus(2), ago(10));
       return s;
     },
     {10, 11}},
    {"fair-share: weight 0 borrows after every positive weight",
     [] {
       Scenario s = idle_world({team("z", 0), team("c", 1)}, IdleCompute::FairShare);
       s.running(1, "z", "", gpus(8), 0).running(2, "c", "", gpus(8), 0);
       s.pending(20, "z", "", gpus(1), ago(60)).pending(21, "c", "", gpus(8), ago(1));
       return s;
     },
     {21, 20}},
    {"fcfs idle compute: weight 0 waits its turn only",
     [] {
       Scenario s = idle_world({team("z", 0), team("c", 1)}, IdleCompute::Fcfs);
       s.running(1, "z", "", gpus(8), 0).running(2, "c", "", gpus(8), 0);
       s.pending(20, "z", "", gpus(1), ago(60)).pending(21, "c", "", gpus(8), ago(1));
       return s;
     },
     {20, 21}},
    {"fair-share: all weights zero behave as equal weights",
     [] {
       // x already borrows 4: its share after is larger, so y goes first although x asked
       // first. (Were all-zero treated as "weight 0", both would tie and x would go first.)
       Scenario s = idle_world({team("x", 0), team("y", 0)}, IdleCompute::FairShare);
       s.running(1, "x", "", gpus(12), 0).running(2, "y", "", gpus(8), 0);
       s.pending(30, "x", "", gpus(2), ago(60)).pending(31, "y", "", gpus(2), ago(1));
       return s;
     },
     {31, 30}},
    {"fair-share: equal shares fall back to first come",
     [] {
       Scenario s = idle_world({team("x", 0), team("y", 0)}, IdleCompute::FairShare);
       s.running(1, "x", "", gpus(8), 0).running(2, "y", "", gpus(8), 0);
       s.pending(31, "y", "", gpus(2), ago(1)).pending(30, "x", "", gpus(2), ago(60));
       return s;
     },
     {30, 31}},
    {"fcfs admission: classes do not reorder",
     [] {
       Scenario s = classes_world(Admission::Fcfs);
       s.pending(40, "a", "training", gpus(2), ago(30)).pending(41, "a", "inference", gpus(2), ago(10));
       return s;
     },
     {40, 41}},
    {"task-ranking: the higher class first",
     [] {
       Scenario s = classes_world(Admission::TaskRanking);
       s.pending(40, "a", "training", gpus(2), ago(30)).pending(41, "a", "inference", gpus(2), ago(10));
       return s;
     },
     {41, 40}},
    {"task-ranking: in quota before borrowing, whatever the class",
     [] {
       Scenario s = classes_world(Admission::TaskRanking);
       s.running(1, "a", "training", gpus(6), 0);
       s.pending(42, "a", "inference", gpus(4), ago(30))
           .pending(43, "a", "experimentation", gpus(2), ago(10));
       return s;
     },
     {43, 42}},
    {"task-ranking: a job without a class ranks below the lowest class",
     [] {
       Scenario s = classes_world(Admission::TaskRanking);
       s.pending(44, "a", "", gpus(1), ago(30)).pending(45, "a", "experimentation", gpus(1), ago(10));
       return s;
     },
     {45, 44}},
    {"borrowing before blocked, however long blocked waits",
     [] {
       Scenario s = classes_world(Admission::Fcfs);
       s.running(1, "a", "", gpus(8), 0);
       s.pending(50, "a", "", gpus(20), ago(600)).pending(51, "a", "", gpus(2), ago(1));
       return s;
     },
     {51, 50}},
    {"same tier: longer wait first, then the lower job id",
     [] {
       Scenario s = classes_world(Admission::Fcfs);
       s.pending(62, "a", "", gpus(1), ago(5)).pending(61, "a", "", gpus(1), ago(5));
       s.pending(63, "a", "", gpus(1), ago(50));
       return s;
     },
     {63, 61, 62}},
};

START_TEST(cycle_order) {
  const OrderCase& c = kOrderCases[_i];
  Scenario s = c.build();
  auto cycle = s.cycle();
  std::string got = ids_string(pending_order(*cycle));
  std::string want = ids_string(c.order);
  ck_assert_msg(got == want, "%s: order %s, want %s", c.name, got.c_str(), want.c_str());
  for (const PendingVerdict& v : cycle->pending_verdicts)
    ck_assert_msg(v.priority >= 1, "%s: priority 0", c.name);
}
END_TEST

START_TEST(fair_share_ranks_only_borrowing_jobs) {
  Scenario s = idle_world({team("a", 10), team("c", 1)}, IdleCompute::FairShare);
  s.running(2, "c", "", gpus(8), 0);
  s.pending(10, "a", "", gpus(2), ago(5)).pending(11, "c", "", gpus(2), ago(5));
  auto cycle = s.cycle();
  // a's job fits in a's quota: in-quota tier, no share part. c's borrows 2 of a pool whose
  // capacity is 64 GPUs (both teams lend: 8 + 8, and 48 unassigned): share 2/64, squashed
  // 0.0303 -> rank 1023 - 31 = 992.
  ck_assert_uint_eq(pending_verdict(*cycle, 10).tier, governance_tier(Band::InQuota, 0, 0));
  ck_assert_uint_eq(pending_verdict(*cycle, 11).tier, governance_tier(Band::Borrow, 0, 992));
}
END_TEST

START_TEST(blocked_jobs_get_no_share_rank) {
  Scenario s = idle_world({team("a", 10)}, IdleCompute::FairShare);
  s.pending(10, "a", "", gpus(17), ago(5));  // past quota 8 + cap 8
  auto cycle = s.cycle();
  ck_assert_uint_eq(pending_verdict(*cycle, 10).tier, 0);
  ck_assert_uint_eq(pending_verdict(*cycle, 10).priority, 5);  // tier 0, 5 minutes
}
END_TEST

START_TEST(priority_at_least_one_everywhere) {
  // Blocked, no class, submitted after "now": the lowest possible priority is still 1 (0
  // would mean "held" to Slurm). Ungoverned jobs too.
  Scenario s = idle_world({team("a", 1)}, IdleCompute::FairShare);
  s.pending(1, "a", "", gpus(100), kNow + 3600).pending(2, "", "", gpus(1), kNow + 3600);
  auto cycle = s.cycle();
  ck_assert_uint_eq(pending_verdict(*cycle, 1).priority, 1);
  ck_assert_uint_ge(pending_verdict(*cycle, 2).priority, 1);
}
END_TEST

// ---------------------------------------------------------------- packed keys vs comparators
// Ties on every criterion but the last, the extremes each field packs, and negative weights.
const VictimRank kVictims[] = {
    {0, 0, 100, 7},      {0, 0, 100, 8},        {0, 1, 100, 9},      {-5, 3, 50, 1},
    {100, 0, 0, 2},      {0, 0, UINT32_MAX, 3}, {0, 0, 0, 4},        {INT16_MIN, 65535, 1, 5},
    {INT16_MAX, 0, 1, 6}, {0, 2, 100, UINT32_MAX}, {0, 2, 100, 0},   {1, 0, 100, 10},
};
const TeamPendingRank kTeamPending[] = {
    {0, 3, 100, 7}, {0, 3, 100, 6}, {0, 4, 200, 5}, {1, 0, 0, 1},           {1, 255, UINT32_MAX, 2},
    {0, 0, 50, 9},  {2, 1, 10, 3},  {1, 255, 0, 4}, {(1 << 24) - 1, 0, 0, 8}, {0, 3, 99, UINT32_MAX},
};

template <typename Rank, typename Pack, typename Before>
void check_packed_order(const std::vector<Rank>& ranks, Pack pack, Before before) {
  std::vector<detail::Key128> keys(ranks.size());
  for (size_t i = 0; i < ranks.size(); ++i) ck_assert(pack(ranks[i], static_cast<uint32_t>(i), &keys[i]));
  detail::radix_sort_above_position(&keys);
  std::vector<uint32_t> want(ranks.size());
  for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<uint32_t>(i);
  std::sort(want.begin(), want.end(), [&](uint32_t a, uint32_t b) { return before(ranks[a], ranks[b]); });
  for (size_t k = 0; k < keys.size(); ++k)
    ck_assert_msg(detail::position_of(keys[k]) == want[k], "place %zu: key order has %u, comparator %u", k,
                  detail::position_of(keys[k]), want[k]);
}

START_TEST(packed_victim_keys_sort_as_preempted_before) {
  check_packed_order(std::vector<VictimRank>(std::begin(kVictims), std::end(kVictims)), detail::pack_victim_key,
                     preempted_before);
  detail::Key128 key;
  ck_assert(!detail::pack_victim_key({INT16_MAX + 1, 0, 0, 1}, 0, &key));
  ck_assert(!detail::pack_victim_key({0, 65536, 0, 1}, 0, &key));
  ck_assert(!detail::pack_victim_key({0, 0, -1, 1}, 0, &key));
  ck_assert(!detail::pack_victim_key({0, 0, int64_t{UINT32_MAX} + 1, 1}, 0, &key));
}
END_TEST

START_TEST(packed_team_demand_keys_sort_as_team_demand_before) {
  check_packed_order(std::vector<TeamPendingRank>(std::begin(kTeamPending), std::end(kTeamPending)),
                     detail::pack_team_demand_key, team_demand_before);
  detail::Key128 key;
  ck_assert(detail::pack_team_demand_key({12, 0, 0, 1}, 0, &key));
  ck_assert_int_eq(detail::team_of_key(key), 12);
  ck_assert(!detail::pack_team_demand_key({1 << 24, 0, 0, 1}, 0, &key));
  ck_assert(!detail::pack_team_demand_key({0, 0, -1, 1}, 0, &key));
}
END_TEST

// Equal priorities: the earlier submit runs first even with the larger id (DESIGN.md §2).
START_TEST(pending_ties_by_submit_time_then_id) {
  ck_assert(runs_before({7, 100, 9}, {7, 101, 2}));
  ck_assert(runs_before({7, 100, 2}, {7, 100, 9}));
  ck_assert(runs_before({8, 500, 9}, {7, 100, 2}));
  ck_assert(!runs_before({7, 100, 2}, {7, 100, 2}));
}
END_TEST

Suite* ordering_suite() {
  Suite* s = suite_create("ordering");
  TCase* tc = tcase_create("rules");
  tcase_add_loop_test(tc, weighted_shares, 0, count_of(kShareCases));
  tcase_add_test(tc, share_order_puts_weight_zero_last);
  tcase_add_loop_test(tc, class_rank_table, 0, count_of(kClassRankCases));
  tcase_add_loop_test(tc, share_rank_table, 0, count_of(kShareRankCases));
  tcase_add_test(tc, share_rank_is_monotone_and_positive);
  tcase_add_loop_test(tc, tier_table, 0, count_of(kTierCases));
  tcase_add_test(tc, tier_band_before_class_before_share);
  tcase_add_loop_test(tc, pending_priority_table, 0, count_of(kPriorityCases));
  tcase_add_loop_test(tc, site_factor_table, 0, count_of(kSiteFactorCases));
  tcase_add_test(tc, site_factor_never_wraps_for_huge_multifactor);
  tcase_add_loop_test(tc, cycle_order, 0, count_of(kOrderCases));
  tcase_add_test(tc, fair_share_ranks_only_borrowing_jobs);
  tcase_add_test(tc, blocked_jobs_get_no_share_rank);
  tcase_add_test(tc, priority_at_least_one_everywhere);
  tcase_add_test(tc, packed_victim_keys_sort_as_preempted_before);
  tcase_add_test(tc, packed_team_demand_keys_sort_as_team_demand_before);
  tcase_add_test(tc, pending_ties_by_submit_time_then_id);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(ordering_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
