// SPDX-License-Identifier: GPL-2.0-or-later
// What the engine remembers for the plugins between slurmctld's calls (shim_memory.h): each
// table answers from what it was told, forgets by its one rule, and stays bounded.
#include <check.h>

#include <string>
#include <vector>

#include "engine/shim_memory.h"
#include "table_cases.h"

using namespace taskgov;
using taskgov::test::count_of;

namespace {

struct TeamCase {
  const char* name;
  uint32_t assoc;
  uint64_t generation;
  int team;          // remembered (AssociationTeams::kUnknown: nothing remembered)
  uint32_t asked;
  uint64_t asked_generation;
  int want;
};

constexpr int kUnknown = AssociationTeams::kUnknown;

const TeamCase kTeamCases[] = {
    {"remembered under the same policy", 7, 3, 2, 7, 3, 2},
    {"ungoverned is remembered too", 7, 3, -1, 7, 3, -1},
    {"a new policy forgets it", 7, 3, 2, 7, 4, kUnknown},
    {"another association in the same slot is not it", 7, 3, 2, 7 + AssociationTeams::kSlots, 3,
     kUnknown},
    {"never remembered", 7, 3, kUnknown, 8, 3, kUnknown},
    {"team 0", 1, 1, 0, 1, 1, 0},
    {"the largest team that packs", 1, 1, AssociationTeams::kMaxTeam, 1, 1,
     AssociationTeams::kMaxTeam},
    {"a team too large to pack is not remembered", 1, 1, AssociationTeams::kMaxTeam + 1, 1, 1,
     kUnknown},
    {"association id 0 with generation 0 is not an empty slot", 0, 0, 5, 0, 0, 5},
};

START_TEST(association_teams_table) {
  const TeamCase& c = kTeamCases[_i];
  AssociationTeams teams;
  if (c.team != kUnknown) teams.remember(c.assoc, c.generation, c.team);
  ck_assert_msg(teams.team(c.asked, c.asked_generation) == c.want, "%s: got %d, want %d", c.name,
                teams.team(c.asked, c.asked_generation), c.want);
}
END_TEST

START_TEST(trail_pushes_each_record_once) {
  TrailPushes pushes;
  ck_assert(pushes.first_push(10, 100));
  ck_assert(!pushes.first_push(10, 100));
  ck_assert(pushes.first_push(10, 101));  // requeued again: a new database record
  ck_assert(pushes.first_push(11, 100));
  for (uint32_t job = 1000; job < 1000 + TrailPushes::kMaxJobs; ++job) pushes.first_push(job, 1);
  // Bounded: past kMaxJobs everything is forgotten, which only costs one more push.
  ck_assert(pushes.first_push(10, 101));
}
END_TEST

START_TEST(settling_preemptors_until_their_time) {
  SettlingPreemptors preemptors;
  ck_assert(!preemptors.settling(5, 100));
  preemptors.acted(5, 130, 100);
  ck_assert(preemptors.settling(5, 129));
  ck_assert(!preemptors.settling(5, 130));
  ck_assert(!preemptors.settling(6, 110));
  preemptors.acted(6, 200, 140);  // forgets 5, whose time is over
  ck_assert(!preemptors.settling(5, 120));
  ck_assert(preemptors.settling(6, 199));
}
END_TEST

START_TEST(shadow_limits_logged_once_per_change) {
  ShadowLimitLog log;
  ck_assert(log.is_news(0, 1, {8, 4}));
  ck_assert(!log.is_news(0, 1, {8, 4}));
  ck_assert(log.is_news(1, 1, {8, 4}));  // another team
  ck_assert(log.is_news(0, 1, {6, 4}));  // changed
  ck_assert(log.is_news(0, 2, {6, 4}));  // a new policy: its teams are new
}
END_TEST

START_TEST(limited_accounts_once_each) {
  LimitedAccounts accounts;
  accounts.add("nlp");
  accounts.add("vision");
  accounts.add("nlp");
  ck_assert_uint_eq(accounts.all().size(), 2);
  accounts.remove("nlp");
  ck_assert(accounts.all() == std::vector<std::string>{"vision"});
  accounts.remove("absent");
  ck_assert_uint_eq(accounts.all().size(), 1);
}
END_TEST

Suite* shim_memory_suite() {
  Suite* s = suite_create("shim_memory");
  TCase* tc = tcase_create("shim_memory");
  tcase_add_loop_test(tc, association_teams_table, 0, count_of(kTeamCases));
  tcase_add_test(tc, trail_pushes_each_record_once);
  tcase_add_test(tc, settling_preemptors_until_their_time);
  tcase_add_test(tc, shadow_limits_logged_once_per_change);
  tcase_add_test(tc, limited_accounts_once_each);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(shim_memory_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
