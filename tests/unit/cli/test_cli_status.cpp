// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov status`: the aggregation of a cycle into team and cluster numbers, which resources
// and rows are shown, the preemption count from AdminComments, and the three renderings
// (table, JSON read back with jansson, Prometheus text exposition format).
// <sstream> before <check.h>: Check defines a macro `fail` that breaks std::ios::fail().
#include <sstream>

#include <check.h>
#include <jansson.h>

#include <map>
#include <set>
#include <string>

#include "builders.h"
#include "cli_world.h"
#include "cli/output.h"
#include "cli/status.h"

using namespace taskgov;
using namespace taskgov::cli;
using taskgov::test::borrowing_world;
using taskgov::test::CliWorld;

namespace {

constexpr Amount kTiBInMiB = 1024 * 1024;

StatusReport world_report(bool all) {
  CliWorld world = borrowing_world();
  return summarize_status(*world.engine.result(), all);
}

int resource_index(const StatusReport& report, const char* name) {
  int r = report.catalog.find(name);
  ck_assert_msg(r >= 0, "resource %s not in the catalog", name);
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------- aggregation
START_TEST(teams_hold_borrow_and_lend) {
  StatusReport report = world_report(false);
  const int h100 = resource_index(report, "gres/gpu:h100");
  ck_assert_uint_eq(report.teams.size(), 2);
  const TeamStatus& nlp = report.teams[0];
  const TeamStatus& vision = report.teams[1];
  CHECK_STRING(nlp.name, "nlp");
  ck_assert_int_eq(nlp.quota[h100], 8);
  ck_assert_int_eq(nlp.used[h100], 12);
  ck_assert_int_eq(nlp.in_quota[h100], 8);
  ck_assert_int_eq(nlp.borrowed[h100], 4);
  ck_assert_int_eq(nlp.lent[h100], 0);
  ck_assert_int_eq(nlp.limit[h100], 8);  // vision claims back what nlp borrows
  ck_assert_int_eq(nlp.borrow_cap[h100], 4);
  ck_assert_int_eq(nlp.pending_requested[h100], 4);  // job 20; the held job 21 does not count
  ck_assert_int_eq(nlp.running_jobs, 3);
  ck_assert_int_eq(nlp.pending_jobs, 1);
  ck_assert_int_eq(nlp.pending_by_band[static_cast<int>(Band::Blocked)], 1);
  // 4 borrowed of the pool's capacity of 16 (both teams lend their idle quota), by weight 10.
  ck_assert_double_eq_tol(nlp.share.value(), 0.025, 1e-12);

  ck_assert_int_eq(vision.used[h100], 0);
  ck_assert_int_eq(vision.lent[h100], 4);
  ck_assert_int_eq(vision.limit[h100], 8);
  ck_assert_int_eq(vision.pending_by_band[static_cast<int>(Band::InQuota)], 1);
  ck_assert_double_eq(vision.share.value(), 0.0);
}
END_TEST

START_TEST(cluster_capacity_use_and_pool) {
  StatusReport report = world_report(false);
  const int h100 = resource_index(report, "gres/gpu:h100");
  ck_assert_int_eq(report.capacity[h100], 16);
  ck_assert_int_eq(report.used[h100], 12);
  ck_assert_int_eq(report.idle[h100], 4);
  ck_assert_int_eq(report.pool.total[h100], 8);
  ck_assert_int_eq(report.pool.borrowed[h100], 4);
  ck_assert_int_eq(report.pool.free[h100], 4);
  ck_assert_int_eq(report.capacity[ResourceCatalog::kMem], 4 * kTiBInMiB);
  ck_assert_int_eq(report.running_jobs, 3);
  ck_assert_int_eq(report.pending_jobs, 2);
  ck_assert_int_eq(report.ungoverned_running, 0);
}
END_TEST

START_TEST(zero_rows_are_skipped_unless_all) {
  // Nobody has CPU quota or use: the cpu row of each team is zero throughout; the cluster
  // still has CPUs, so the resource itself is shown.
  StatusReport report = world_report(false);
  std::string table = render_status_table(report);
  ck_assert_msg(!contains(table, "nlp     cpu"), "zero row shown:\n%s", table.c_str());
  ck_assert_msg(contains(table, "nlp     gres/gpu:h100"), "%s", table.c_str());
  ck_assert_msg(contains(table, "cpu                 384"), "cluster cpu row missing:\n%s", table.c_str());
  std::string all = render_status_table(world_report(true));
  ck_assert_msg(contains(all, "nlp     cpu"), "--all hides a row:\n%s", all.c_str());
}
END_TEST

START_TEST(preemptions_are_counted_by_reason) {
  std::vector<LiveJob> jobs(4);
  jobs[0].admin_comment = "taskgov:team=a;class=b;preempted_by=5;reason=reclaim;preempted_by=7;reason=fair-share";
  jobs[1].admin_comment = "preempted_by=9";
  jobs[2].admin_comment = "taskgov:team=a;class=b";
  jobs[3].admin_comment = "an admin's note";
  std::map<std::string, int> counts = count_preemptions(jobs);
  std::map<std::string, int> want = {{"reclaim", 1}, {"fair-share", 1}, {"priority", 0}, {"unrecorded", 1}};
  ck_assert_msg(counts == want, "counts differ");
}
END_TEST

// ---------------------------------------------------------------- JSON
START_TEST(json_reads_back_with_the_numbers) {
  StatusReport report = world_report(false);
  report.preemptions = {{"reclaim", 2}};
  std::string text = render_status_json(report, true);
  ck_assert_msg(text.find('\n') == text.size() - 1, "compact JSON is one line");
  json_error_t error;
  JsonPtr root(json_loads(text.c_str(), 0, &error));
  ck_assert_msg(root != nullptr, "%s", error.text);
  json_t* nlp = json_array_get(json_object_get(root.get(), "teams"), 0);
  CHECK_STRING(json_string_value(json_object_get(nlp, "name")), "nlp");
  auto amount = [](json_t* object, const char* field, const char* resource) {
    return json_integer_value(json_object_get(json_object_get(object, field), resource));
  };
  ck_assert_int_eq(amount(nlp, "borrowed", "gres/gpu:h100"), 4);
  ck_assert_int_eq(amount(nlp, "used_in_quota", "gres/gpu:h100"), 8);
  ck_assert_int_eq(amount(nlp, "limit", "gres/gpu:h100"), 8);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nlp, "pending_by_band"), "blocked")), 1);
  json_t* cluster = json_object_get(root.get(), "cluster");
  ck_assert_int_eq(amount(cluster, "capacity", "mem"), 4 * kTiBInMiB);  // MiB, Slurm's unit
  ck_assert_int_eq(amount(cluster, "pool_free", "gres/gpu:h100"), 4);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root.get(), "preemptions"), "reclaim")), 2);
  CHECK_STRING(json_string_value(json_object_get(json_object_get(root.get(), "settings"), "admission")),
               "task-ranking");
}
END_TEST

// ---------------------------------------------------------------- Prometheus
START_TEST(prometheus_samples_have_help_and_type) {
  StatusReport report = world_report(false);
  report.preemptions = {{"fair-share", 0}, {"priority", 0}, {"reclaim", 3}};
  std::string text = render_status_prometheus(report);
  std::istringstream lines(text);
  std::set<std::string> helped, typed;
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      ck_assert_msg(helped.insert(name).second, "HELP for %s twice", name.c_str());
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      ck_assert_msg(line == "# TYPE " + name + " gauge", "%s", line.c_str());
      ck_assert_msg(helped.count(name), "TYPE before HELP for %s", name.c_str());
      typed.insert(name);
      continue;
    }
    std::string name = line.substr(0, line.find_first_of("{ "));
    ck_assert_msg(typed.count(name), "sample of %s without TYPE: %s", name.c_str(), line.c_str());
    ck_assert_msg(name.rfind("taskgov_", 0) == 0, "%s", line.c_str());
    ++samples;
  }
  for (const char* metric : {"taskgov_team_quota", "taskgov_team_used", "taskgov_team_borrowed", "taskgov_team_lent",
                             "taskgov_team_limit", "taskgov_team_pending_jobs", "taskgov_cluster_capacity",
                             "taskgov_cluster_used", "taskgov_preemptions_total"})
    ck_assert_msg(typed.count(metric), "no %s", metric);
  ck_assert_int_gt(samples, 0);
  ck_assert_msg(text.back() == '\n', "the exposition format ends with a newline");
}
END_TEST

START_TEST(prometheus_values_and_units) {
  std::string text = render_status_prometheus(world_report(false));
  for (const char* line : {
           "taskgov_team_quota{team=\"nlp\",resource=\"gres/gpu:h100\"} 8\n",
           "taskgov_team_used{team=\"nlp\",resource=\"gres/gpu:h100\"} 12\n",
           "taskgov_team_borrowed{team=\"nlp\",resource=\"gres/gpu:h100\"} 4\n",
           "taskgov_team_lent{team=\"vision\",resource=\"gres/gpu:h100\"} 4\n",
           "taskgov_team_limit{team=\"nlp\",resource=\"gres/gpu:h100\"} 8\n",
           "taskgov_team_pending_jobs{team=\"vision\"} 1\n",
           "taskgov_team_weighted_share{team=\"nlp\"} 0.025\n",
           "taskgov_cluster_capacity{resource=\"gres/gpu:h100\"} 16\n",
           "taskgov_cluster_used{resource=\"gres/gpu:h100\"} 12\n",
           // Prometheus wants bytes: 4 TiB.
           "taskgov_cluster_capacity{resource=\"mem\"} 4398046511104\n",
       })
    ck_assert_msg(contains(text, line), "missing: %s", line);
}
END_TEST

START_TEST(prometheus_escapes_label_values) {
  StatusReport report = world_report(false);
  report.teams[0].name = "a\"b\\c\nd";
  std::string text = render_status_prometheus(report);
  ck_assert_msg(contains(text, "team=\"a\\\"b\\\\c\\nd\""), "%s", text.c_str());
}
END_TEST

START_TEST(table_shows_the_numbers) {
  std::string table = render_status_table(world_report(false));
  // Cluster row: capacity, used, idle, ungoverned, pool, borrowed, pool free.
  ck_assert_msg(contains(table, "gres/gpu:h100        16    12     4           0     8         4          4"),
                "%s", table.c_str());
  // nlp: quota, used, in quota, borrowed, lent, limit, cap, pending.
  ck_assert_msg(contains(table, "nlp     gres/gpu:h100      8    12         8         4     0      8           4        4"),
                "%s", table.c_str());
  ck_assert_msg(contains(table, "task-ranking"), "%s", table.c_str());
}
END_TEST

Suite* status_suite() {
  Suite* s = suite_create("cli_status");
  TCase* tc = tcase_create("status");
  tcase_add_test(tc, teams_hold_borrow_and_lend);
  tcase_add_test(tc, cluster_capacity_use_and_pool);
  tcase_add_test(tc, zero_rows_are_skipped_unless_all);
  tcase_add_test(tc, preemptions_are_counted_by_reason);
  tcase_add_test(tc, json_reads_back_with_the_numbers);
  tcase_add_test(tc, prometheus_samples_have_help_and_type);
  tcase_add_test(tc, prometheus_values_and_units);
  tcase_add_test(tc, prometheus_escapes_label_values);
  tcase_add_test(tc, table_shows_the_numbers);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(status_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
