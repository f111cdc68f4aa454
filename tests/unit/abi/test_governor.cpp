// SPDX-License-Identifier: GPL-2.0-or-later
// The Governor (abi/governor.h) in C++: policy generations, the unmapped-account rule, a
// cycle's publication, and the records it formats for the shims.
// <fstream> before <check.h>, whose fail() macro breaks it.
#include <fstream>
#include <string>
#include <vector>

#include <check.h>
#include <stdlib.h>

#include "abi/governor.h"
#include "builders.h"
#include "table_cases.h"

using namespace taskgov;
using taskgov::test::count_of;

namespace {

std::string policy_file(const char* unmapped) {
  char pattern[] = "/tmp/taskgov-governor-test-XXXXXX";
  const char* dir = mkdtemp(pattern);
  ck_assert_ptr_nonnull(dir);
  std::string file = std::string(dir) + "/taskgov.json";
  std::ofstream(file) << R"({"cluster": {"priority_classes": [{"name": "normal", "weight": 1}],
    "unmapped_accounts": ")" << unmapped << R"(", "audit_log": ")" << dir << R"(/decisions.log"},
  "teams": [{"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
            {"name": "vision", "account": "vision", "quota": [{"gres": "gpu:h100", "count": 8}]}]})";
  return file;
}

Inventory two_h100_nodes() {
  Inventory inventory;
  for (int i = 0; i < 2; ++i) inventory.add_node({}, 192, 2 * 1024 * 1024, {{"gpu:h100", 8}});
  return inventory;
}

const Governor::FieldRoom kRoom{63, 2303, 255, 255, 255, 255, 127, 127};

START_TEST(generation_counts_successful_installs) {
  Governor governor;
  std::string error;
  ck_assert_uint_eq(governor.generation(), 0);
  ck_assert_ptr_null(governor.config().get());
  const std::string file = policy_file("reject");
  ck_assert_msg(governor.load_policy(file, two_h100_nodes(), &error), "%s", error.c_str());
  ck_assert_uint_eq(governor.generation(), 1);
  ck_assert(!governor.load_policy(file + ".missing", two_h100_nodes(), &error));
  ck_assert_uint_eq(governor.generation(), 1);
  ck_assert_ptr_nonnull(governor.config().get());
  ck_assert_msg(governor.load_policy(file, two_h100_nodes(), &error), "%s", error.c_str());
  ck_assert_uint_eq(governor.generation(), 2);
}
END_TEST

// slurmctld restarting with a bad file falls back on the last good copy: the refusal's record
// names that copy as the policy in force, not null (24.11 restarts at every reconfigure).
START_TEST(a_refusal_names_the_policy_in_force_after_the_load) {
  const std::string good = policy_file("reject");
  const std::string log = good.substr(0, good.rfind('/')) + "/decisions.log";
  {
    Governor governor;
    std::string error;
    ck_assert_ptr_null(governor.read_policy(good + ".missing", &error).get());
    ck_assert_msg(governor.load_policy(good, two_h100_nodes(), &error), "%s", error.c_str());
  }
  std::ifstream in(log);
  std::string line, refusal;
  while (std::getline(in, line))
    if (line.find("\"refused\"") != std::string::npos) refusal = line;
  ck_assert_msg(refusal.find("\"in_force\":\"" + good + "\"") != std::string::npos, "%s", refusal.c_str());
}
END_TEST

const struct {
  const char* unmapped;
  std::vector<std::string> lineage;
  SubmitOutcome want;
  int32_t team;
} kUnmappedCases[] = {
    {"reject", {"physics"}, SubmitOutcome::InvalidAccount, kNoTeam},
    {"allow", {"physics"}, SubmitOutcome::Ungoverned, kNoTeam},
    {"reject", {"nlp-interns", "nlp"}, SubmitOutcome::Accept, 0},
    {"allow", {"vision"}, SubmitOutcome::Accept, 1},
};

START_TEST(unmapped_accounts_follow_the_policy) {
  const auto& c = kUnmappedCases[_i];
  Governor governor;
  std::string error;
  ck_assert_msg(governor.load_policy(policy_file(c.unmapped), two_h100_nodes(), &error), "%s", error.c_str());
  SubmitRequest request;
  request.account = c.lineage.front();
  request.tres_per_node = "gres:gpu:h100:2";
  Governor::Submission s = governor.decide_submission(c.lineage, request, {1000, 0, false, request.account}, kRoom);
  ck_assert(!s.no_policy);
  ck_assert_int_eq(static_cast<int>(s.decision.outcome), static_cast<int>(c.want));
  ck_assert_int_eq(s.team, c.team);
  ck_assert((c.want == SubmitOutcome::InvalidAccount) == (s.decision.message.find("physics") != std::string::npos));
}
END_TEST

START_TEST(no_policy_leaves_submissions_alone) {
  Governor governor;
  Governor::Submission s = governor.decide_submission({"nlp"}, SubmitRequest{}, {}, kRoom);
  ck_assert(s.no_policy);
}
END_TEST

START_TEST(a_value_longer_than_its_room_refuses_the_job) {
  Governor governor;
  std::string error;
  ck_assert_msg(governor.load_policy(policy_file("reject"), two_h100_nodes(), &error), "%s", error.c_str());
  SubmitRequest request;
  request.account = "nlp";
  request.tres_per_node = "gres:gpu:h100:2";
  request.admin_comment = std::string(40, 'x');
  Governor::FieldRoom room = kRoom;
  room.admin_comment = 40;  // the stamp goes in front of the 40 characters
  Governor::Submission s = governor.decide_submission({"nlp"}, request, {}, room);
  ck_assert_int_eq(static_cast<int>(s.decision.outcome), static_cast<int>(SubmitOutcome::AccountingPolicy));
  CHECK_STRING(s.decision.message.substr(0, 65), "taskgov: the job's AdminComment would become 70 characters, more ");
}
END_TEST

// nlp runs 12 H100 against its quota of 8: job 2 (the later start) holds the 4 borrowed.
START_TEST(a_published_cycle_answers_borrowed) {
  Governor governor;
  std::string error;
  ck_assert_msg(governor.load_policy(policy_file("reject"), two_h100_nodes(), &error), "%s", error.c_str());
  Governor::CycleInput input = governor.begin_cycle(1000);
  ck_assert_ptr_nonnull(input.config.get());
  const int h100 = input.config->resolved.catalog.find("gres/gpu:h100");
  ck_assert_int_ge(h100, 0);
  ResourceVector eight, four;
  eight[h100] = 8;
  four[h100] = 4;
  input.snapshot.running.push_back({1, 0, 0, eight, 100});
  input.snapshot.running.push_back({2, 0, 0, four, 200});
  Governor::CycleOutput cycle = Governor::compute_cycle(std::move(input));
  CHECK_STRING(governor.borrowed_field(2), "");  // not published yet
  ck_assert(governor.publish(&cycle));
  governor.finish(cycle);
  CHECK_STRING(governor.borrowed_field(2), "borrowed=gres/gpu:h100:4");
  CHECK_STRING(governor.borrowed_field(1), "");
  CHECK_STRING(governor.borrowed_field(99), "");
}
END_TEST

Suite* governor_suite() {
  Suite* s = suite_create("governor");
  TCase* tc = tcase_create("governor");
  tcase_add_test(tc, generation_counts_successful_installs);
  tcase_add_test(tc, a_refusal_names_the_policy_in_force_after_the_load);
  tcase_add_loop_test(tc, unmapped_accounts_follow_the_policy, 0, count_of(kUnmappedCases));
  tcase_add_test(tc, no_policy_leaves_submissions_alone);
  tcase_add_test(tc, a_value_longer_than_its_room_refuses_the_job);
  tcase_add_test(tc, a_published_cycle_answers_borrowed);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(governor_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
