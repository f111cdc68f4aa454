// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov report`: dates, clipping runs to the window, the 95th percentile, sacct's JSON,
// the within-quota/borrowed split, preemptions suffered and caused, the team filter, and the
// JSON and CSV renderings whose totals must agree with sacct.
#include <check.h>
#include <jansson.h>

#include <ctime>
#include <string>
#include <vector>

#include "builders.h"
#include "cli/output.h"
#include "cli/report.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::cli;

using taskgov::test::count_of;

namespace {

int64_t local_epoch(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  struct tm fields = {};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  fields.tm_isdst = -1;
  return mktime(&fields);
}

// ---------------------------------------------------------------- dates
START_TEST(dates_in_local_time) {
  int64_t t = 0;
  std::string error;
  ck_assert(parse_report_time("2026-01-31", 0, &t, &error));
  ck_assert_int_eq(t, local_epoch(2026, 1, 31));
  ck_assert(parse_report_time("2026-01-31T08:30", 0, &t, &error));
  ck_assert_int_eq(t, local_epoch(2026, 1, 31, 8, 30));
  ck_assert(parse_report_time("2026-01-31 08:30:15", 0, &t, &error));
  ck_assert_int_eq(t, local_epoch(2026, 1, 31, 8, 30, 15));
  ck_assert(parse_report_time("now", 1234, &t, &error));
  ck_assert_int_eq(t, 1234);
}
END_TEST

const char* const kBadDates[] = {"2026-02-30", "2026-13-01", "yesterday", "2026-01-31T25:00", "2026-01-31x", ""};

START_TEST(bad_dates_are_refused) {
  int64_t t = 0;
  std::string error;
  ck_assert_msg(!parse_report_time(kBadDates[_i], 0, &t, &error), "%s accepted", kBadDates[_i]);
  ck_assert_msg(error.find("YYYY-MM-DD") != std::string::npos, "%s", error.c_str());
}
END_TEST

// ---------------------------------------------------------------- clipping and p95
START_TEST(runs_are_clipped_to_the_window) {
  const Window w{1000, 2000};
  ck_assert_int_eq(overlap_seconds(1100, 1200, 0, w), 100);   // inside
  ck_assert_int_eq(overlap_seconds(500, 1500, 0, w), 500);    // starts before
  ck_assert_int_eq(overlap_seconds(1500, 2500, 0, w), 500);   // ends after
  ck_assert_int_eq(overlap_seconds(500, 2500, 0, w), 1000);   // spans it
  ck_assert_int_eq(overlap_seconds(100, 900, 0, w), 0);       // before
  ck_assert_int_eq(overlap_seconds(2000, 2100, 0, w), 0);     // the end is exclusive
  ck_assert_int_eq(overlap_seconds(1800, 0, 1900, w), 100);   // still running at 1900
  ck_assert_int_eq(overlap_seconds(1800, 0, 5000, w), 200);   // still running, clipped
  ck_assert_int_eq(overlap_seconds(0, 0, 5000, w), 0);        // never started
}
END_TEST

START_TEST(nearest_rank_percentile) {
  ck_assert(!percentile_95({}).has_value());
  ck_assert_int_eq(*percentile_95({7}), 7);
  ck_assert_int_eq(*percentile_95({2, 1}), 2);
  std::vector<int64_t> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  ck_assert_int_eq(*percentile_95(hundred), 95);
  std::vector<int64_t> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  ck_assert_int_eq(*percentile_95(twenty), 19);
}
END_TEST

// ---------------------------------------------------------------- sacct --json
const char* const kSacctJson = R"({
  "meta": {"plugin": {"type": "openapi/dbv0.0.38"}},
  "errors": [],
  "jobs": [
    {"job_id": 34, "account": "nlp", "user": "alice", "qos": "training",
     "state": {"current": "PREEMPTED", "reason": "None"},
     "comment": {"administrator": "taskgov:team=nlp;class=training;preempted_by=36;reason=reclaim", "job": null},
     "nodes": "h100-1", "time": {"elapsed": 4, "submission": 1000, "start": 1001, "end": 1005},
     "tres": {"allocated": [{"type": "cpu", "name": null, "id": 1, "count": 96},
                            {"type": "mem", "name": null, "id": 2, "count": 1048576},
                            {"type": "gres", "name": "gpu:h100", "id": 1002, "count": 4}],
              "requested": []}},
    {"job_id": 35, "account": null, "user": "bob", "qos": "normal",
     "state": {"current": "PENDING"}, "comment": {"administrator": null}, "nodes": "None assigned",
     "time": {"submission": 1010, "start": 0, "end": 0}, "tres": {"allocated": []}}
  ]
})";

START_TEST(sacct_json_records) {
  std::vector<SacctJob> jobs;
  std::string error;
  ck_assert_msg(parse_sacct_json(kSacctJson, &jobs, &error), "%s", error.c_str());
  ck_assert_uint_eq(jobs.size(), 2);
  const SacctJob& a = jobs[0];
  ck_assert_uint_eq(a.id, 34);
  CHECK_STRING(a.state, "PREEMPTED");
  CHECK_STRING(a.qos, "training");
  ck_assert_int_eq(a.submit, 1000);
  ck_assert_int_eq(a.start, 1001);
  ck_assert_int_eq(a.end, 1005);
  CHECK_STRING(a.admin_comment, "taskgov:team=nlp;class=training;preempted_by=36;reason=reclaim");
  CHECK_STRING(a.nodes, "h100-1");
  CHECK_STRING(jobs[1].nodes, kNoNodes);
  ck_assert_uint_eq(a.allocated.size(), 3);
  CHECK_STRING(a.allocated[0].first, "cpu");
  CHECK_STRING(a.allocated[2].first, "gres/gpu:h100");
  ck_assert_int_eq(a.allocated[2].second, 4);
  CHECK_STRING(jobs[1].account, "");
  CHECK_STRING(jobs[1].admin_comment, "");
}
END_TEST

// Slurm 24.11 (data_parser v0.0.42) lists the state with its flags.
START_TEST(sacct_json_state_as_a_list) {
  std::vector<SacctJob> jobs;
  std::string error;
  ck_assert_msg(parse_sacct_json(R"({"jobs": [{"job_id": 7, "state": {"current": ["PREEMPTED"], "reason": "None"}},
                                              {"job_id": 8, "state": {"current": []}}]})",
                                 &jobs, &error), "%s", error.c_str());
  ck_assert_uint_eq(jobs.size(), 2);
  CHECK_STRING(jobs[0].state, "PREEMPTED");
  CHECK_STRING(jobs[1].state, "");
}
END_TEST

START_TEST(sacct_json_refused_when_not_a_job_list) {
  std::vector<SacctJob> jobs;
  std::string error;
  ck_assert(!parse_sacct_json("sacct: error: Problem talking to the database", &jobs, &error));
  ck_assert_msg(error.find("no JSON") != std::string::npos, "%s", error.c_str());
  ck_assert(!parse_sacct_json("{\"errors\": []}", &jobs, &error));
  ck_assert_msg(error.find("\"jobs\"") != std::string::npos, "%s", error.c_str());
}
END_TEST

// ---------------------------------------------------------------- usage
SacctJob record(uint32_t id, const std::string& state, int64_t submit, int64_t start, int64_t end,
                std::vector<std::pair<std::string, Amount>> allocated, const std::string& comment) {
  SacctJob job;
  job.id = id;
  job.state = state;
  job.submit = submit;
  job.start = start;
  job.end = end;
  job.allocated = std::move(allocated);
  job.admin_comment = comment;
  return job;
}

// Window [1000, 2000), now 2500.
//  1 nlp     500-1500  10 cpu, 2 h100 (+ untyped gres/gpu, mem, node), borrowed 1 h100 + 4 cpu
//  2 vision  1800-     4 h100, submitted 1700 (running)
//  3 nlp     1100-1200 4 h100, PREEMPTED by 2 (reclaim); then a pending record
//  4 -       1000-1100 1 cpu, 1 neuron (no team)
//  5 nlp     1300-1400 1 cpu, PREEMPTED by 99 (fair-share), whose team nobody knows
//  6 nlp     1900-2100 1 cpu, PREEMPTED after the window: not counted as a preemption
//  7 nlp     cancelled at 1600 while pending: sacct gives start 1600 and cpu, but no nodes
std::vector<SacctJob> window_records() {
  std::vector<SacctJob> records = {
      record(1, "COMPLETED", 400, 500, 1500,
             {{"cpu", 10}, {"mem", 1024}, {"node", 1}, {"gres/gpu", 2}, {"gres/gpu:h100", 2}},
             "taskgov:team=nlp;class=training;borrowed=gres/gpu:h100:1+cpu:4"),
      record(2, "RUNNING", 1700, 1800, 0, {{"gres/gpu:h100", 4}}, ""),
      record(3, "PREEMPTED", 1000, 1100, 1200, {{"gres/gpu:h100", 4}},
             "taskgov:team=nlp;class=training;preempted_by=2;reason=reclaim"),
      record(3, "PENDING", 1200, 0, 0, {}, "taskgov:team=nlp;class=training;preempted_by=2;reason=reclaim"),
      record(4, "COMPLETED", 990, 1000, 1100, {{"cpu", 1}, {"gres/neuron", 1}}, ""),
      record(5, "PREEMPTED", 1250, 1300, 1400, {{"cpu", 1}}, "preempted_by=99;reason=fair-share"),
      record(6, "PREEMPTED", 1850, 1900, 2100, {{"cpu", 1}}, "preempted_by=2;reason=reclaim"),
      record(7, "CANCELLED", 1500, 1600, 1600, {{"cpu", 96}, {"billing", 96}}, "taskgov:team=nlp;class=training"),
  };
  records.back().nodes = kNoNodes;
  return records;
}

const std::map<uint32_t, std::string> kTeams = {{1, "nlp"}, {2, "vision"}, {3, "nlp"}, {4, ""}, {5, "nlp"}, {6, "nlp"}, {7, "nlp"}};

const TeamReport& team(const UsageReport& report, const std::string& name) {
  for (const TeamReport& t : report.teams)
    if (t.team == name) return t;
  ck_abort_msg("no team '%s' in the report", name.c_str());
  return report.totals;
}

START_TEST(usage_split_within_quota_and_borrowed) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  const TeamReport& nlp = team(report, "nlp");
  ck_assert_uint_eq(nlp.resources.count("gres/gpu"), 0);  // typed entries count those devices
  ck_assert_uint_eq(nlp.resources.count("mem"), 0);
  const ResourceUsage& h100 = nlp.resources.at("gres/gpu:h100");
  ck_assert_int_eq(h100.seconds, 2 * 500 + 4 * 100);
  ck_assert_int_eq(h100.borrowed_seconds, 1 * 500);
  ck_assert_int_eq(h100.within_quota_seconds, 1 * 500 + 4 * 100);
  const ResourceUsage& cpu = nlp.resources.at("cpu");
  ck_assert_int_eq(cpu.seconds, 10 * 500 + 1 * 100 + 1 * 100);
  ck_assert_int_eq(cpu.borrowed_seconds, 4 * 500);
  ck_assert_int_eq(team(report, "vision").resources.at("gres/gpu:h100").seconds, 4 * 200);
  // Jobs of no team: held, but neither within a quota nor borrowed.
  const TeamReport& none = team(report, "");
  ck_assert_int_eq(none.resources.at("gres/neuron").seconds, 100);
  ck_assert_int_eq(none.resources.at("cpu").within_quota_seconds, 0);
  // Totals are the sums: what sacct's AllocTRES x clipped run time gives.
  ck_assert_int_eq(report.totals.resources.at("gres/gpu:h100").seconds, 1400 + 800);
  ck_assert_int_eq(report.totals.resources.at("cpu").seconds, 5200 + 100);
  ck_assert_int_eq(report.totals.resources.at("cpu").within_quota_seconds, 5200 - 2000);
  ck_assert_uint_eq(report.teams.size(), 3);  // nlp, vision, then the jobs of no team
  CHECK_STRING(report.teams[2].team, "");
}
END_TEST

START_TEST(jobs_and_waits) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  const TeamReport& nlp = team(report, "nlp");
  ck_assert_int_eq(nlp.jobs, 4);  // 1, 3, 5, 6; not 7, which never ran
  // Runs that started in the window: 3 (100 s), 5 (50 s), 6 (50 s); job 1 started before it.
  std::vector<int64_t> want = {100, 50, 50};
  ck_assert_msg(nlp.waits == want, "waits");
  ck_assert_int_eq(team(report, "vision").waits.at(0), 100);
  ck_assert_int_eq(report.totals.jobs, 4 + 1 + 1);
}
END_TEST

START_TEST(preemptions_suffered_and_caused) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  const TeamReport& nlp = team(report, "nlp");
  ck_assert_int_eq(nlp.preempted.at("reclaim"), 1);     // job 3; job 6 ended after the window
  ck_assert_int_eq(nlp.preempted.at("fair-share"), 1);  // job 5
  ck_assert_int_eq(nlp.caused.at("reclaim"), 0);
  ck_assert_int_eq(team(report, "vision").caused.at("reclaim"), 1);
  ck_assert_int_eq(report.totals.preempted.at("reclaim") + report.totals.preempted.at("fair-share"), 2);
  // Job 99's team is unknown: the preemption it caused counts only in the totals.
  ck_assert_int_eq(report.totals.caused.at("fair-share"), 1);
  ck_assert_int_eq(report.totals.caused.at("reclaim"), 1);
}
END_TEST

START_TEST(team_filter) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"vision"}, "vision");
  ck_assert_uint_eq(report.teams.size(), 1);
  const TeamReport& vision = report.teams[0];
  ck_assert_int_eq(vision.resources.at("gres/gpu:h100").seconds, 800);
  ck_assert_int_eq(vision.caused.at("reclaim"), 1);
  ck_assert_int_eq(report.totals.caused.at("fair-share"), 0);  // not vision's doing
  ck_assert_int_eq(report.totals.preempted.at("reclaim"), 0);
  ck_assert_uint_eq(report.totals.resources.count("cpu"), 0);
}
END_TEST

START_TEST(json_has_exact_totals) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  json_error_t error;
  JsonPtr root(json_loads(render_report_json(report).c_str(), 0, &error));
  ck_assert_msg(root != nullptr, "%s", error.text);
  json_t* totals = json_object_get(root.get(), "totals");
  json_t* h100 = json_object_get(json_object_get(totals, "resources"), "gres/gpu:h100");
  ck_assert_int_eq(json_integer_value(json_object_get(h100, "seconds")), 2200);
  ck_assert_double_eq_tol(json_real_value(json_object_get(h100, "hours")), 2200.0 / 3600, 1e-9);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(totals, "preemptions_suffered"), "total")), 2);
  json_t* teams = json_object_get(root.get(), "teams");
  ck_assert(json_is_null(json_object_get(json_array_get(teams, 2), "team")));
  ck_assert(json_is_false(json_object_get(json_array_get(teams, 2), "governed")));
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root.get(), "window"), "seconds")), 1000);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(teams, 0), "wait_p95_seconds")), 100);
}
END_TEST

START_TEST(csv_rows) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  std::string csv = render_report_csv(report);
  ck_assert_msg(csv.rfind("team,resource,hours,within_quota_hours,borrowed_hours,jobs,started,", 0) == 0, "%s",
                csv.c_str());
  ck_assert_msg(csv.find("\nnlp,gres/gpu:h100,0.3889,0.2500,0.1389,4,3,66.7,100,2,1,0,1,0,0,0,0\n") !=
                    std::string::npos, "%s", csv.c_str());
  ck_assert_msg(csv.find("\n(ungoverned),gres/neuron,") != std::string::npos, "%s", csv.c_str());
  ck_assert_msg(csv.find("\nTOTAL,gres/gpu:h100,0.6111,") != std::string::npos, "%s", csv.c_str());
}
END_TEST

START_TEST(table_has_every_team_and_totals) {
  UsageReport report = compute_usage(window_records(), Window{1000, 2000}, 2500, kTeams, {"nlp", "vision"}, "");
  std::string table = render_report_table(report);
  // nlp suffered a reclaim and a fair-share preemption, vision caused the reclaim.
  for (const char* part : {"(ungoverned)", "TOTAL", "0.39", "TEAM          reclaim  priority  fair-share",
                           "nlp               1/0       0/0         1/0", "vision            0/1"})
    ck_assert_msg(table.find(part) != std::string::npos, "missing %s:\n%s", part, table.c_str());
}
END_TEST

Suite* report_suite() {
  Suite* s = suite_create("cli_report");
  TCase* tc = tcase_create("report");
  tcase_add_test(tc, dates_in_local_time);
  tcase_add_loop_test(tc, bad_dates_are_refused, 0, count_of(kBadDates));
  tcase_add_test(tc, runs_are_clipped_to_the_window);
  tcase_add_test(tc, nearest_rank_percentile);
  tcase_add_test(tc, sacct_json_records);
  tcase_add_test(tc, sacct_json_state_as_a_list);
  tcase_add_test(tc, sacct_json_refused_when_not_a_job_list);
  tcase_add_test(tc, usage_split_within_quota_and_borrowed);
  tcase_add_test(tc, jobs_and_waits);
  tcase_add_test(tc, preemptions_suffered_and_caused);
  tcase_add_test(tc, team_filter);
  tcase_add_test(tc, json_has_exact_totals);
  tcase_add_test(tc, csv_rows);
  tcase_add_test(tc, table_has_every_team_and_totals);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(report_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
