// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov explain` and what it stands on: the account tree, the AdminComment records, the
// engine inputs built from libslurm's job records (as the plugin builds them), the order of
// pending jobs, and the sentences for pending, running and preempted jobs.
#include <check.h>

#include <string>
#include <vector>

#include "audit/audit_records.h"
#include "builders.h"
#include "cli_world.h"
#include "cli/explain.h"

using namespace taskgov;
using namespace taskgov::cli;
using taskgov::test::borrowing_world;
using taskgov::test::CliWorld;
using taskgov::test::live_job;

namespace {

#define CHECK_CONTAINS(text, part)                                                                     \
  do {                                                                                                 \
    const std::string text_ = (text);                                                                  \
    ck_assert_msg(text_.find(part) != std::string::npos, "missing \"%s\" in:\n%s", part, text_.c_str()); \
  } while (0)

size_t pending_index(const CliWorld& world, uint32_t id) {
  uint32_t i = world.engine.result()->pending_index.find(id);
  ck_assert_msg(i != JobIndex::kAbsent, "job %u not pending in the cycle", id);
  return i;
}

size_t running_index(const CliWorld& world, uint32_t id) {
  uint32_t i = world.engine.result()->running_index.find(id);
  ck_assert_msg(i != JobIndex::kAbsent, "job %u not running in the cycle", id);
  return i;
}

// ---------------------------------------------------------------- accounts
START_TEST(lineage_walks_up_and_stops_at_loops) {
  AccountTree tree;
  tree.set_parent("nlp-interns", "nlp");
  tree.set_parent("nlp", "research");
  tree.set_parent("research", "root");
  std::vector<std::string> want = {"nlp-interns", "nlp", "research", "root"};
  ck_assert_msg(tree.lineage("nlp-interns") == want, "lineage");
  ck_assert_uint_eq(tree.lineage("").size(), 0);
  ck_assert_uint_eq(tree.lineage("alone").size(), 1);
  AccountTree loop;
  loop.set_parent("a", "b");
  loop.set_parent("b", "a");
  ck_assert_uint_eq(loop.lineage("a").size(), 2);
}
END_TEST

START_TEST(team_of_record_prefers_the_stamp) {
  Policy policy = taskgov::test::PolicyBuilder()
                      .team(taskgov::test::TeamBuilder("nlp").quota(taskgov::test::gres_quota("gpu:h100", 8)))
                      .build();
  AccountTree tree;
  tree.set_parent("nlp-interns", "nlp");
  CHECK_STRING(team_of_record(policy, tree, "", "nlp-interns"), "nlp");
  CHECK_STRING(team_of_record(policy, tree, "renamed", "nlp-interns"), "renamed");
  CHECK_STRING(team_of_record(policy, tree, "", "physics"), "");
  ck_assert_int_eq(team_of_lineage(policy, {"x", "nlp"}), 0);
}
END_TEST




// ---------------------------------------------------------------- engine inputs
START_TEST(snapshot_as_the_plugin_takes_it) {
  CliWorld world = borrowing_world();
  AccountTree tree;
  tree.set_parent("nlp-interns", "nlp");
  std::vector<LiveJob> jobs = {
      live_job(1, JobPhase::Running, "nlp-interns", "training", 2, 10),  // sub-account
      live_job(2, JobPhase::Pending, "physics", "normal", 1, 20),         // no team, no class
      live_job(3, JobPhase::Pending, "nlp", "inference", 1, 30),
      live_job(4, JobPhase::Ended, "nlp", "training", 8, 40),
      live_job(5, JobPhase::Running, "vision", "inference", 1, 50),
  };
  jobs[2].held = true;
  jobs[4].tres_alloc = "cpu=4,gres/gpu:h100=oops";  // unreadable: holds nothing, not an error
  Snapshot snapshot = build_snapshot(world.engine, tree, jobs, 99);
  ck_assert_int_eq(snapshot.now, 99);
  ck_assert_uint_eq(snapshot.running.size(), 2);
  ck_assert_uint_eq(snapshot.pending.size(), 1);
  const RunningJob& sub = snapshot.running[0];
  ck_assert_int_eq(sub.team, 0);
  ck_assert_int_eq(sub.klass, 1);
  ck_assert_int_eq(sub.start_time, 10);
  int h100 = world.engine.config()->resolved.catalog.find("gres/gpu:h100");
  ck_assert_int_eq(sub.alloc[h100], 2);  // untyped gres/gpu and billing are not resources
  ck_assert_int_eq(snapshot.running[1].alloc[h100], 0);
  const PendingJob& ungoverned = snapshot.pending[0];
  ck_assert_int_eq(ungoverned.team, kNoTeam);
  ck_assert_int_eq(ungoverned.klass, kNoClass);
  ck_assert_int_eq(ungoverned.submit_time, 20);
}
END_TEST

// ---------------------------------------------------------------- order
START_TEST(jobs_ahead_in_engine_order) {
  CliWorld world = borrowing_world();
  const CycleResult& cycle = *world.engine.result();
  // 30 fits in vision's quota, 20 is blocked: 30 goes first.
  JobsAhead blocked = jobs_ahead(cycle, pending_index(world, 20));
  ck_assert_int_eq(blocked.in_team, 0);
  ck_assert_int_eq(blocked.in_cluster, 1);
  JobsAhead first = jobs_ahead(cycle, pending_index(world, 30));
  ck_assert_int_eq(first.in_cluster, 0);
}
END_TEST

START_TEST(jobs_ahead_ties_by_submit_time_then_id) {
  CliWorld world = borrowing_world();
  world.jobs.push_back(live_job(31, JobPhase::Pending, "vision", "inference", 8, 600));  // as 30
  world.jobs.push_back(live_job(29, JobPhase::Pending, "vision", "inference", 8, 700));
  world.engine.run_cycle(build_snapshot(world.engine, AccountTree(), world.jobs, 1000));
  const CycleResult& cycle = *world.engine.result();
  ck_assert_int_eq(jobs_ahead(cycle, pending_index(world, 30)).in_team, 0);
  ck_assert_int_eq(jobs_ahead(cycle, pending_index(world, 31)).in_team, 1);
  ck_assert_int_eq(jobs_ahead(cycle, pending_index(world, 29)).in_team, 2);
}
END_TEST

// ---------------------------------------------------------------- sentences
START_TEST(blocked_job_names_its_limit_and_victims) {
  CliWorld world = borrowing_world();
  std::string text = explain_pending(world.engine, pending_index(world, 20), world.job(20));
  CHECK_CONTAINS(text, "Job 20 (user alice, account nlp, QOS training) is PENDING.");
  CHECK_CONTAINS(text, "It belongs to team nlp, class training.");
  CHECK_CONTAINS(text, "It asks for gres/gpu:h100=4.");
  CHECK_CONTAINS(text, "Band blocked: blocked on gres/gpu:h100: nlp would hold 16, above quota 8 + borrow cap 4 = 12.");
  // vision's in-quota job 30 claims the idle quota nlp borrows: nlp's limit falls to its quota.
  CHECK_CONTAINS(text, "The limit that holds it: nlp on gres/gpu:h100, use 12 / quota 8 / limit now 8 (quota + borrow cap 12).");
  CHECK_CONTAINS(text, "Ahead of it in taskgov's order: 0 pending jobs of team nlp, 1 in the cluster.");
  CHECK_CONTAINS(text, "It can start once nlp holds at most 4 gres/gpu:h100 without it (now 12; its limit is 8): "
                       "its running jobs must release 8 gres/gpu:h100.");
  // A training job may push out the team's own experimentation jobs, newest first.
  CHECK_CONTAINS(text, "taskgov's cycle preempts jobs 11 (priority), 10 (priority) for it.");
}
END_TEST

START_TEST(in_quota_job_waits_for_nodes_and_may_reclaim) {
  CliWorld world = borrowing_world();
  LiveJob shown = world.job(30);
  shown.reason = "Resources";
  std::string text = explain_pending(world.engine, pending_index(world, 30), shown);
  CHECK_CONTAINS(text, "is PENDING, Slurm's reason Resources.");
  CHECK_CONTAINS(text, "Band in-quota: in quota: vision would hold 8 gres/gpu:h100 of its quota 8.");
  CHECK_CONTAINS(text, "first in line: it starts as soon as the nodes have room for it.");
  CHECK_CONTAINS(text, "When the nodes are full, Slurm may preempt for it: 1 job of team nlp (reclaim).");
}
END_TEST

START_TEST(borrowing_job_says_how_it_would_fit) {
  CliWorld world = borrowing_world();
  // Vision lends 4 more if nlp asks for 2 more while holding 8: let a 2-GPU job borrow.
  world.jobs = {live_job(10, JobPhase::Running, "nlp", "experimentation", 8, 100),
                live_job(40, JobPhase::Pending, "nlp", "training", 2, 500)};
  world.engine.run_cycle(build_snapshot(world.engine, AccountTree(), world.jobs, 1000));
  std::string text = explain_pending(world.engine, pending_index(world, 40), world.job(40));
  CHECK_CONTAINS(text, "Band borrowing: needs to borrow gres/gpu:h100: nlp would hold 10 against a quota of 8");
  CHECK_CONTAINS(text, "it would run within quota once nlp's running jobs release 2 gres/gpu:h100.");
}
END_TEST

START_TEST(ungoverned_job_is_left_alone) {
  CliWorld world = borrowing_world();
  world.jobs.push_back(live_job(50, JobPhase::Pending, "physics", "normal", 1, 900));
  world.engine.run_cycle(build_snapshot(world.engine, AccountTree(), world.jobs, 1000));
  std::string text = explain_pending(world.engine, pending_index(world, 50), world.job(50));
  CHECK_CONTAINS(text, "Its account physics belongs to no team of the policy, so taskgov does not govern it.");
  ck_assert_msg(text.find("Band") == std::string::npos, "%s", text.c_str());
}
END_TEST

START_TEST(borrowed_running_job_names_its_lender) {
  CliWorld world = borrowing_world();
  std::string text = explain_running(world.engine, running_index(world, 11), world.job(11));
  CHECK_CONTAINS(text, "It has run for 13m 20s (since ");
  CHECK_CONTAINS(text, "It runs on borrowed capacity: it is part of nlp's borrowed excess on gres/gpu:h100 "
                       "(nlp holds 12 against a quota of 8, 4 borrowed). The pool it borrows from: vision lends 4.");
  CHECK_CONTAINS(text, "It is number 1 of 3 running jobs in taskgov's victim order");
}
END_TEST

START_TEST(in_quota_running_job_may_only_yield_to_a_higher_class_of_its_team) {
  CliWorld world = borrowing_world();
  std::string text = explain_running(world.engine, running_index(world, 12), world.job(12));
  CHECK_CONTAINS(text, "It runs within its team's quota: nlp holds 12 gres/gpu:h100 against a quota of 8 "
                       "(the 4 above it count on its lower-class or newer jobs).");
  CHECK_CONTAINS(text, "a pending job of a higher class of its own team may");
  // Nothing ranks above inference.
  world.jobs.push_back(live_job(60, JobPhase::Running, "vision", "inference", 2, 900));
  world.engine.run_cycle(build_snapshot(world.engine, AccountTree(), world.jobs, 1000));
  CHECK_CONTAINS(explain_running(world.engine, running_index(world, 60), world.job(60)),
                 "Nothing preempts it while it stays within quota.");
}
END_TEST

START_TEST(preemption_history) {
  AdminRecord record = parse_admin_comment(
      "taskgov:team=nlp;class=training;preempted_by=36;reason=reclaim;preempted_by=41;reason=priority;preempted_by=50");
  std::string text = explain_preemptions(record, {{36, "vision"}, {41, "nlp"}}, {}, "");
  CHECK_CONTAINS(text, "It was preempted 3 times:\n");
  CHECK_CONTAINS(text, "  by job 36 of team vision, for reclaim: its team took back quota it had lent.\n");
  CHECK_CONTAINS(text, "  by job 41 of team nlp, for priority: a higher class of the same team.\n");
  CHECK_CONTAINS(text, "  by job 50 of an unknown team, for an unrecorded reason: no taskgov reason recorded.\n");
  CHECK_STRING(explain_preemptions(AdminRecord{}, {}, {}, "no such file"), "");
}
END_TEST

// The decision record the preempt plugin writes for job 11 (nlp's borrowed excess) taken by
// vision's job 30, as the audit log's writer puts it on a line.
RecordedPreemption recorded_reclaim(const CliWorld& world, const char* mode_note = "") {
  std::string record = audit::preemption(*world.engine.result(), 11, {30, 1, 0, ""}, PreemptReason::Reclaim,
                                         audit::PreemptionPath::Scheduler);
  std::string line = "{\"time\":\"2026-11-21T10:00:03.123+00:00\"," + record.substr(1);
  if (*mode_note) line.replace(line.find("\"enforce\""), 9, mode_note);
  RecordedPreemption p;
  ck_assert_msg(audit::parse_preemption(line, 11, &p), "not a preemption of job 11: %s", line.c_str());
  ck_assert(!audit::parse_preemption(line, 12, &p));
  ck_assert(!audit::parse_preemption("{\"time\":\"x\",\"event\":\"band\",\"job\":11}", 11, &p));
  return p;
}

START_TEST(preemption_numbers_from_the_decision_record) {
  CliWorld world = borrowing_world();
  RecordedPreemption p = recorded_reclaim(world);
  ck_assert_str_eq(p.time.c_str(), "2026-11-21T10:00:03.123+00:00");
  ck_assert_str_eq(p.reason.c_str(), "reclaim");
  ck_assert_str_eq(p.preemptor_team.c_str(), "vision");
  ck_assert_int_eq(p.teams.at("nlp").borrowed.at("gres/gpu:h100"), 4);
  ck_assert_int_eq(p.teams.at("vision").lent.at("gres/gpu:h100"), 4);

  AdminRecord record = parse_admin_comment("taskgov:team=nlp;class=experimentation;preempted_by=30;reason=reclaim");
  std::string text = explain_preemptions(record, {{30, "vision"}}, {p}, "");
  CHECK_CONTAINS(text,
                 "  by job 30 of team vision, for reclaim: its team took back quota it had lent.\n"
                 "    At 2026-11-21 10:00:03: job 30 asked for 8 gres/gpu:h100; job 11 held 4 gres/gpu:h100, all of it "
                 "borrowed; vision held 0 gres/gpu:h100 against its quota of 8 (4 lent to others); "
                 "nlp held 12 gres/gpu:h100 against its quota of 8 (4 borrowed).\n");
}
END_TEST

START_TEST(preemption_without_decision_records_says_why) {
  CliWorld world = borrowing_world();
  AdminRecord record = parse_admin_comment("taskgov:team=nlp;preempted_by=30;reason=reclaim");
  // A shadow-mode record is what taskgov considered, not this preemption.
  std::string text = explain_preemptions(record, {{30, "vision"}}, {recorded_reclaim(world, "\"shadow\"")},
                                         "cannot read the audit log /x: Permission denied");
  ck_assert_msg(text.find("    At ") == std::string::npos, "%s", text.c_str());
  CHECK_CONTAINS(text, "The numbers at the time are in the decision records, which are not available: "
                       "cannot read the audit log /x: Permission denied.\n");
}
END_TEST

Suite* explain_suite() {
  Suite* s = suite_create("cli_explain");
  TCase* tc = tcase_create("explain");
  tcase_add_test(tc, lineage_walks_up_and_stops_at_loops);
  tcase_add_test(tc, team_of_record_prefers_the_stamp);
  tcase_add_test(tc, snapshot_as_the_plugin_takes_it);
  tcase_add_test(tc, jobs_ahead_in_engine_order);
  tcase_add_test(tc, jobs_ahead_ties_by_submit_time_then_id);
  tcase_add_test(tc, blocked_job_names_its_limit_and_victims);
  tcase_add_test(tc, in_quota_job_waits_for_nodes_and_may_reclaim);
  tcase_add_test(tc, borrowing_job_says_how_it_would_fit);
  tcase_add_test(tc, ungoverned_job_is_left_alone);
  tcase_add_test(tc, borrowed_running_job_names_its_lender);
  tcase_add_test(tc, in_quota_running_job_may_only_yield_to_a_higher_class_of_its_team);
  tcase_add_test(tc, preemption_history);
  tcase_add_test(tc, preemption_numbers_from_the_decision_record);
  tcase_add_test(tc, preemption_without_decision_records_says_why);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(explain_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
