// SPDX-License-Identifier: GPL-2.0-or-later
// Whose a job's site factor is (site_factors.h): taskgov's own terms stay its own when the unit
// changes, an operator's value (0 included) stays the operator's, and the ledger forgets jobs
// that are no longer pending.
#include <check.h>

#include <vector>

#include "engine/site_factors.h"
#include "table_cases.h"

using namespace taskgov;
using taskgov::test::count_of;

namespace {

constexpr uint64_t kUnit = 1000;

struct Step {
  enum Kind { Wrote, Operator, Ask } kind;
  uint32_t job;
  uint64_t term;  // written, or the term now for Ask
  uint64_t unit;  // for Ask
  bool ours;      // the answer wanted for Ask
};

struct LedgerCase {
  const char* name;
  std::vector<Step> steps;
};

const LedgerCase kCases[] = {
    {"an unseen job with a whole multiple of the unit is taskgov's (the submit plugin's)",
     {{Step::Ask, 1, 3 * kUnit, kUnit, true}, {Step::Ask, 2, 0, kUnit, true}}},
    {"an unseen job with any other value is an operator's",
     {{Step::Ask, 1, 3 * kUnit + 7, kUnit, false}}},
    {"a term taskgov wrote stays its own when the unit changes (PriorityWeight changed)",
     {{Step::Wrote, 1, 3 * kUnit, 0, false}, {Step::Ask, 1, 3 * kUnit, 7 * kUnit + 1, true}}},
    {"a job whose term moved away from what taskgov wrote was changed by someone else",
     {{Step::Wrote, 1, 3 * kUnit, 0, false}, {Step::Ask, 1, 5 * kUnit, kUnit, false}}},
    {"an operator's SiteFactor=0 stays the operator's, although 0 is a multiple of the unit",
     {{Step::Wrote, 1, 3 * kUnit, 0, false}, {Step::Operator, 1, 0, 0, false},
      {Step::Ask, 1, 0, kUnit, false}}},
    {"an operator's value even when it equals taskgov's last term",
     {{Step::Wrote, 1, 0, 0, false}, {Step::Operator, 1, 0, 0, false},
      {Step::Ask, 1, 0, kUnit, false}}},
    {"taskgov writing again does not take an operator's job back",
     {{Step::Operator, 1, 0, 0, false}, {Step::Wrote, 1, 2 * kUnit, 0, false},
      {Step::Ask, 1, 2 * kUnit, kUnit, false}}},
    {"other jobs are not affected",
     {{Step::Operator, 1, 0, 0, false}, {Step::Ask, 2, 0, kUnit, true}}},
};

START_TEST(ledger_table) {
  const LedgerCase& c = kCases[_i];
  SiteFactorLedger ledger;
  for (const Step& s : c.steps) {
    switch (s.kind) {
      case Step::Wrote: ledger.wrote(s.job, s.term); break;
      case Step::Operator: ledger.set_by_operator(s.job); break;
      case Step::Ask:
        ck_assert_msg(ledger.ours(s.job, s.term, s.unit) == s.ours, "%s: job %u term %llu: %d",
                      c.name, s.job, static_cast<unsigned long long>(s.term), !s.ours);
        break;
    }
  }
}
END_TEST

START_TEST(ledger_forgets_jobs_no_longer_pending_but_not_operators) {
  SiteFactorLedger ledger;
  ledger.wrote(1, 5 * kUnit);
  ledger.wrote(2, 5 * kUnit);
  ledger.set_by_operator(3);
  JobIndex pending;
  pending.build({2});
  ledger.keep_pending(pending);
  ck_assert_uint_eq(ledger.size(), 2);
  // Job 1 is unseen again (requeued and back: judged by its value), job 3 still the operator's.
  ck_assert(ledger.ours(1, 4 * kUnit, kUnit));
  ck_assert(!ledger.ours(3, 0, kUnit));
  ck_assert(ledger.ours(2, 5 * kUnit, kUnit));
}
END_TEST

START_TEST(operator_entries_are_bounded) {
  SiteFactorLedger ledger;
  for (uint32_t id = 1; id <= SiteFactorLedger::kMaxOperatorJobs + 10; ++id) ledger.set_by_operator(id);
  ck_assert_uint_le(ledger.size(), SiteFactorLedger::kMaxOperatorJobs);
  ck_assert(!ledger.ours(SiteFactorLedger::kMaxOperatorJobs + 10, 0, kUnit));  // the newest kept
}
END_TEST

Suite* site_factors_suite() {
  Suite* s = suite_create("site_factors");
  TCase* tc = tcase_create("site_factors");
  tcase_add_loop_test(tc, ledger_table, 0, count_of(kCases));
  tcase_add_test(tc, ledger_forgets_jobs_no_longer_pending_but_not_operators);
  tcase_add_test(tc, operator_entries_are_bounded);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(site_factors_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
