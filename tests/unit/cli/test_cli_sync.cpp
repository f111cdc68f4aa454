// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov sync`: reading sacctmgr's parsable output and slurm.conf's ClusterName, and the
// plan: missing team accounts, class QOS and their priority order, users' access to the class
// QOS (sub-accounts included), --prune, and how the commands are printed for a shell.
#include <check.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "builders.h"
#include "cli/subprocess.h"
#include "cli/sync.h"

using namespace taskgov;
using namespace taskgov::cli;
using taskgov::test::gres_quota;
using taskgov::test::PolicyBuilder;
using taskgov::test::TeamBuilder;

namespace {

// Classes inference (100), training (50), experimentation (10); teams nlp and vision.
Policy two_teams() {
  return PolicyBuilder()
      .team(TeamBuilder("nlp").quota(gres_quota("gpu:h100", 8)))
      .team(TeamBuilder("vision").quota(gres_quota("gpu:h100", 8)))
      .build();
}

const char* const kAllClasses = "inference,training,experimentation";
// What kAssocs lacks: dave, in a sub-account of nlp, may not use two of the classes.
const char* const kDaveNeedsAccess =
    "sacctmgr -i modify user where name=dave account=nlp-interns cluster=feas set qos+=inference,experimentation";

// sacctmgr -nP show assoc where cluster=feas format=account,user,parentname,qos
const char* const kAssocs =
    "root|||normal\n"
    "root|root||normal\n"
    "nlp||root|normal\n"
    "nlp|alice||normal,inference,training,experimentation\n"
    "nlp-interns||nlp|normal\n"
    "nlp-interns|dave||normal,training\n"
    "vision||root|normal\n"
    "vision|bob||inference,training,experimentation\n"
    "physics||root|normal\n"
    "physics|erin||normal\n";

// sacctmgr -nP show qos format=name,priority,description
const char* const kQos =
    "normal|0|Normal QOS default\n"
    "inference|100|taskgov priority class\n"
    "training|50|taskgov priority class\n"
    "experimentation|10|taskgov priority class\n";

std::vector<AssocRow> assocs(const char* text = kAssocs) {
  std::vector<AssocRow> rows;
  std::string error;
  ck_assert_msg(parse_assoc_rows(text, &rows, &error), "%s", error.c_str());
  return rows;
}

std::vector<QosRow> qos(const char* text = kQos) {
  std::vector<QosRow> rows;
  std::string error;
  ck_assert_msg(parse_qos_rows(text, &rows, &error), "%s", error.c_str());
  return rows;
}

std::vector<std::string> commands(const std::vector<SyncChange>& changes) {
  std::vector<std::string> out;
  for (const SyncChange& change : changes) out.push_back(shell_words(change.argv));
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

#define CHECK_COMMANDS(changes, ...)                                                               \
  do {                                                                                             \
    const std::string got_ = joined(commands(changes));                                           \
    const std::string want_ = joined({__VA_ARGS__});                                              \
    ck_assert_msg(got_ == want_, "commands:\n%s\nwant:\n%s", got_.c_str(), want_.c_str());        \
  } while (0)

// ---------------------------------------------------------------- parsing
START_TEST(assoc_and_qos_rows) {
  std::vector<AssocRow> rows = assocs();
  ck_assert_uint_eq(rows.size(), 10);
  CHECK_STRING(rows[4].account, "nlp-interns");
  CHECK_STRING(rows[4].parent, "nlp");
  CHECK_STRING(rows[5].user, "dave");
  ck_assert_uint_eq(rows[5].qos.size(), 2);
  std::vector<std::string> lineage = account_tree(rows).lineage("nlp-interns");
  ck_assert_uint_eq(lineage.size(), 3);
  CHECK_STRING(lineage[2], "root");
  std::vector<QosRow> q = qos();
  ck_assert_int_eq(q[1].priority, 100);
  CHECK_STRING(q[1].description, kClassQosDescription);
}
END_TEST

START_TEST(malformed_rows_are_errors) {
  std::vector<AssocRow> rows;
  std::vector<QosRow> q;
  std::string error;
  ck_assert(!parse_assoc_rows("nlp|alice\n", &rows, &error));
  ck_assert_msg(error.find("line 1") != std::string::npos, "%s", error.c_str());
  ck_assert(!parse_qos_rows("fast|high|x\n", &q, &error));
  ck_assert_msg(error.find("fast") != std::string::npos, "%s", error.c_str());
  ck_assert(parse_qos_rows("plain||\n", &q, &error));  // no priority set: 0
  ck_assert_int_eq(q[0].priority, 0);
}
END_TEST

START_TEST(cluster_name_from_slurm_conf) {
  char path[] = "/tmp/taskgov-test-slurm-conf-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  const char text[] = "# ClusterName=commented\n  clustername=Feas # the test cluster\nSlurmUser=slurm\n";
  ck_assert_int_eq(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
  close(fd);
  std::string name, error;
  ck_assert_msg(read_cluster_name(path, &name, &error), "%s", error.c_str());
  CHECK_STRING(name, "feas");  // Slurm lower-cases it
  std::remove(path);
  ck_assert(!read_cluster_name(path, &name, &error));
  ck_assert_msg(error.find("--cluster") != std::string::npos, "%s", error.c_str());
}
END_TEST

// ---------------------------------------------------------------- the plan
START_TEST(in_sync_plans_nothing_but_sub_account_access) {
  // dave in nlp-interns (a sub-account of nlp) lacks inference and experimentation; erin is
  // in an account of no team and is left alone.
  std::vector<SyncChange> changes = plan_sync(two_teams(), "feas", assocs(), qos(), false);
  CHECK_COMMANDS(changes, kDaveNeedsAccess);
  ck_assert_msg(changes[0].why.find("dave") != std::string::npos, "%s", changes[0].why.c_str());
}
END_TEST

START_TEST(missing_account_and_qos) {
  const char* assoc_text =
      "nlp||root|normal\n"
      "nlp|alice||normal\n";
  const char* qos_text = "normal|0|Normal QOS default\ntraining|50|\n";
  std::vector<SyncChange> changes = plan_sync(two_teams(), "feas", assocs(assoc_text), qos(qos_text), false);
  CHECK_COMMANDS(changes,
                 "sacctmgr -i add account vision Cluster=feas Description='taskgov team vision'",
                 "sacctmgr -i add qos inference Priority=100 Description='taskgov priority class'",
                 "sacctmgr -i add qos experimentation Priority=10 Description='taskgov priority class'",
                 std::string("sacctmgr -i modify user where name=alice account=nlp cluster=feas set qos+=") + kAllClasses);
}
END_TEST

START_TEST(admin_priorities_in_order_are_kept) {
  const char* qos_text = "inference|9000|fast\ntraining|500|\nexperimentation|1|\n";
  CHECK_COMMANDS(plan_sync(two_teams(), "feas", assocs(), qos(qos_text), false), kDaveNeedsAccess);
}
END_TEST

START_TEST(priorities_out_of_order_are_reset_to_weights) {
  // training (50) and experimentation (10) already have their weights.
  const char* qos_text = "inference|10|\ntraining|50|\nexperimentation|10|\n";
  CHECK_COMMANDS(plan_sync(two_teams(), "feas", assocs(), qos(qos_text), false),
                 "sacctmgr -i modify qos where name=inference set Priority=100", kDaveNeedsAccess);
}
END_TEST

START_TEST(a_new_class_off_the_admins_scale_resets_all) {
  // A new inference at its weight 100 would rank below the admin's training at 500: every
  // class goes back to its weight.
  const char* qos_text = "training|500|\nexperimentation|1|\n";
  CHECK_COMMANDS(plan_sync(two_teams(), "feas", assocs(), qos(qos_text), false),
                 "sacctmgr -i add qos inference Priority=100 Description='taskgov priority class'",
                 "sacctmgr -i modify qos where name=training set Priority=50",
                 "sacctmgr -i modify qos where name=experimentation set Priority=10", kDaveNeedsAccess);
}
END_TEST

START_TEST(partitions_merge_into_one_change_per_user) {
  const char* assoc_text =
      "vision||root|normal\n"
      "vision|bob||normal\n"
      "vision|bob||normal,training\n"
      "vision|carol||INFERENCE,Training,experimentation\n";
  std::vector<SyncChange> changes = plan_sync(two_teams(), "feas", assocs(assoc_text), qos(), false);
  // nlp's account is missing; bob gets every class once; carol's names differ only in case.
  CHECK_COMMANDS(changes,
                 "sacctmgr -i add account nlp Cluster=feas Description='taskgov team nlp'",
                 std::string("sacctmgr -i modify user where name=bob account=vision cluster=feas set qos+=") + kAllClasses);
}
END_TEST

START_TEST(prune_only_takes_back_retired_taskgov_qos) {
  const char* assoc_text =
      "nlp||root|normal\n"
      "nlp|alice||normal,inference,training,experimentation,batch,research\n"
      "vision||root|normal\n"
      "physics|erin||batch\n";
  const char* qos_text =
      "inference|100|taskgov priority class\ntraining|50|taskgov priority class\n"
      "experimentation|10|taskgov priority class\nbatch|5|taskgov priority class\nresearch|5|the admin's\n";
  ck_assert_uint_eq(plan_sync(two_teams(), "feas", assocs(assoc_text), qos(qos_text), false).size(), 0);
  std::vector<SyncChange> changes = plan_sync(two_teams(), "feas", assocs(assoc_text), qos(qos_text), true);
  // batch was taskgov's and is no class any more; research is the admin's; erin is no team's.
  CHECK_COMMANDS(changes, "sacctmgr -i modify user where name=alice account=nlp cluster=feas set qos-=batch");
}
END_TEST

START_TEST(shell_words_quote_what_needs_it) {
  CHECK_STRING(shell_words({"sacctmgr", "-i", "set", "qos+=a,b", "Description=it's a team"}),
               "sacctmgr -i set qos+=a,b Description='it'\\''s a team'");
  CHECK_STRING(shell_words({"echo", ""}), "echo ''");
}
END_TEST

Suite* sync_suite() {
  Suite* s = suite_create("cli_sync");
  TCase* tc = tcase_create("sync");
  tcase_add_test(tc, assoc_and_qos_rows);
  tcase_add_test(tc, malformed_rows_are_errors);
  tcase_add_test(tc, cluster_name_from_slurm_conf);
  tcase_add_test(tc, in_sync_plans_nothing_but_sub_account_access);
  tcase_add_test(tc, missing_account_and_qos);
  tcase_add_test(tc, admin_priorities_in_order_are_kept);
  tcase_add_test(tc, priorities_out_of_order_are_reset_to_weights);
  tcase_add_test(tc, a_new_class_off_the_admins_scale_resets_all);
  tcase_add_test(tc, partitions_merge_into_one_change_per_user);
  tcase_add_test(tc, prune_only_takes_back_retired_taskgov_qos);
  tcase_add_test(tc, shell_words_quote_what_needs_it);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(sync_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
