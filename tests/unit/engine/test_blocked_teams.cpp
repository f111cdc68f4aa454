// SPDX-License-Identifier: GPL-2.0-or-later
// Teams whose every pending job its own limit holds back (blocked_teams.h): the teams whose
// GrpJobs the priority plugin pins so that Slurm skips their jobs before node selection.
#include <check.h>

#include <string>
#include <vector>

#include "abi/taskgov.h"
#include "engine/blocked_teams.h"
#include "scenario.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;
using taskgov::test::count_of;

namespace {

const char kGpu[] = "gres/gpu:h100";
Amounts gpus(Amount n) { return {{kGpu, n}}; }

TeamSpec team(const char* name, Amount quota, int percent) {
  TeamSpec t;
  t.name = name;
  t.quota = gpus(quota);
  t.borrow_percent = percent;
  t.sharing = Sharing::DontLend;
  return t;
}

struct Job {
  uint32_t id;
  const char* team;
  Amount gpus;
  bool running;
  bool eligible;
};

struct BlockedCase {
  const char* name;
  std::vector<Job> jobs;
  std::string want;  // one character per team: 1 blocked, 0 not
};

// Two teams of quota 8 each, no borrowing (limit = quota) on 16 GPUs.
const BlockedCase kCases[] = {
    {"no pending job: nothing to skip", {{1, "a", 8, true, true}}, "00"},
    {"at its limit, every pending job held back", {{1, "a", 8, true, true}, {2, "a", 1, false, true}},
     "10"},
    {"one job that fits keeps the team unpinned",
     {{1, "a", 6, true, true}, {2, "a", 4, false, true}, {3, "a", 2, false, true}}, "00"},
    {"a big job alone over the limit blocks it",
     {{1, "a", 6, true, true}, {2, "a", 4, false, true}}, "10"},
    {"a job waiting for its begin time that would fit keeps it unpinned",
     {{1, "a", 6, true, true}, {2, "a", 4, false, true}, {3, "a", 1, false, false}}, "00"},
    {"teams are judged apart",
     {{1, "a", 8, true, true}, {2, "a", 1, false, true}, {3, "b", 1, false, true}}, "10"},
    {"both at their limits", {{1, "a", 8, true, true}, {2, "a", 1, false, true},
                              {3, "b", 8, true, true}, {4, "b", 2, false, true}}, "11"},
    {"a request larger than the limit itself", {{2, "b", 9, false, true}}, "01"},
    {"ungoverned jobs block no team", {{1, "", 8, true, true}, {2, "", 8, false, true}}, "00"},
};

START_TEST(blocked_teams_table) {
  const BlockedCase& c = kCases[_i];
  Scenario s;
  s.nodes(2, gpus(8));
  s.team(team("a", 8, 0)).team(team("b", 8, 0));
  for (const Job& j : c.jobs) {
    if (j.running)
      s.running(j.id, j.team, "", gpus(j.gpus), 100);
    else
      s.pending(j.id, j.team, "", gpus(j.gpus), 200);
    if (!j.eligible) s.ineligible(j.id);
  }
  std::vector<uint8_t> blocked = teams_blocked_by_limits(*s.cycle());
  std::string got;
  for (uint8_t b : blocked) got += b ? '1' : '0';
  ck_assert_msg(got == c.want, "%s: got %s, want %s", c.name, got.c_str(), c.want.c_str());
}
END_TEST

struct HeldCase {
  const char* name;
  Amount used, limit, request;
  uint32_t enforced;
  bool held;
};

const HeldCase kHeldCases[] = {
    {"fits exactly", 6, 8, 2, 1, false},
    {"one over", 6, 8, 3, 1, true},
    {"over on a resource the limit does not enforce", 6, 8, 3, 0, false},
    {"asks nothing of it", 9, 8, 0, 1, false},
};

START_TEST(held_by_team_limit_table) {
  const HeldCase& c = kHeldCases[_i];
  TeamUsage team;
  team.used[0] = c.used;
  team.limit[0] = c.limit;
  ResourceVector request;
  request[0] = c.request;
  ck_assert_msg(held_by_team_limit(team, request, c.enforced, 1) == c.held, "%s", c.name);
}
END_TEST

// The same rule on the GrpTRES in force at submit (tg_held_by_limit, for the GrpJobs pin): Slurm's
// "no limit" values and a used count near the top of uint64 must not read as a small limit.
struct InForceCase {
  const char* name;
  uint64_t used, limit, request;
  bool held;
};

const InForceCase kInForceCases[] = {
    {"fits exactly", 6, 8, 2, false},
    {"one over", 6, 8, 3, true},
    {"no limit (INFINITE64)", 6, UINT64_MAX, 3, false},
    {"no limit (NO_VAL64)", 6, UINT64_MAX - 1, 3, false},
    {"limit 0", 0, 0, 1, true},
    {"used near the top of uint64", UINT64_MAX - 5, 8, 1, true},
    {"asks nothing", 9, 8, 0, false},
};

START_TEST(held_by_limit_in_force_table) {
  const InForceCase& c = kInForceCases[_i];
  const uint64_t used[2] = {0, c.used}, limit[2] = {UINT64_MAX, c.limit}, request[2] = {4, c.request};
  ck_assert_msg(tg_held_by_limit(used, limit, request, 2) == (c.held ? 1 : 0), "%s", c.name);
}
END_TEST

START_TEST(held_by_limit_refuses_bad_arguments) {
  const uint64_t v[1] = {1};
  ck_assert_int_eq(tg_held_by_limit(nullptr, v, v, 1), 0);
  ck_assert_int_eq(tg_held_by_limit(v, v, v, TG_MAX_RESOURCES + 1), 0);
  ck_assert_int_eq(tg_held_by_limit(v, v, v, -1), 0);
}
END_TEST

Suite* blocked_teams_suite() {
  Suite* s = suite_create("blocked_teams");
  TCase* tc = tcase_create("blocked_teams");
  tcase_add_loop_test(tc, blocked_teams_table, 0, count_of(kCases));
  tcase_add_loop_test(tc, held_by_team_limit_table, 0, count_of(kHeldCases));
  tcase_add_loop_test(tc, held_by_limit_in_force_table, 0, count_of(kInForceCases));
  tcase_add_test(tc, held_by_limit_refuses_bad_arguments);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(blocked_teams_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
