// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov simulate`: the trace and quota readers, whole-GPU placement, the metrics, and a
// trace small enough to schedule by hand, replayed exactly in each regime (fifo, static quotas,
// the engine's cycle with reclaim, requeue and lost progress), and a fair-share preemption for a
// job its own team's limit holds back.
#include <check.h>
#include <jansson.h>

#include <string>
#include <vector>

#include "policy/inventory.h"
#include "cli/output.h"
#include "cli/simulate_cluster.h"
#include "cli/simulate_output.h"
#include "cli/simulate_replay.h"
#include "cli/simulate_setup.h"
#include "cli/simulate_trace.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::cli;

using taskgov::test::count_of;

namespace {

// ---------------------------------------------------------------- the trace
START_TEST(trace_csv_sorted_with_teams_indexed) {
  const char* text =
      "job_id,submit_s,duration_s,gpus,gpu_type,team,cpus,mem_gib,status\n"
      "a,30,100,8,,vision,,,COMPLETED\n"
      "b,0,50,0.5,,nlp,,,COMPLETED\n"
      "c,10,0,4,,nlp,,,FAILED\n"  // no run time: left out
      "d,10,20,2,,,,,COMPLETED\n";
  Trace trace;
  std::string error;
  ck_assert_msg(parse_trace_csv(text, "t.csv", &trace, &error), "%s", error.c_str());
  ck_assert_int_eq(trace.teams.size(), 2);
  ck_assert_str_eq(trace.teams[0].c_str(), "nlp");
  ck_assert_int_eq(trace.jobs.size(), 3);
  ck_assert_str_eq(trace.jobs[0].name.c_str(), "b");
  ck_assert_int_eq(trace.jobs[0].gpus, 1);  // a GPU-sharing pod still takes a device
  ck_assert_int_eq(trace.jobs[0].team, 0);
  ck_assert_str_eq(trace.jobs[1].name.c_str(), "d");
  ck_assert_int_eq(trace.jobs[1].team, -1);
  ck_assert_int_eq(trace.jobs[2].team, 1);
  ck_assert_int_eq(trace.jobs[2].duration, 100);

  ck_assert(parse_trace_extra("job_id,user,observed_wait_s\na,u,16\nzz,u,5\n", "t_extra.csv", &trace, &error));
  ck_assert_int_eq(*trace.jobs[2].observed_wait, 16);
  ck_assert(!trace.jobs[0].observed_wait);
  const std::string extra = extra_path_for("dir.v/philly.csv");
  ck_assert_str_eq(extra.c_str(), "dir.v/philly_extra.csv");
}
END_TEST

struct BadTrace {
  const char* text;
  const char* message;
};
const BadTrace kBadTraces[] = {
    {"job_id,submit_s,gpus,team\n", "t.csv:1: no column 'duration_s'"},
    {"job_id,submit_s,duration_s,gpus,team\nx,-5,10,1,a\n", "t.csv:2: submit_s: '-5': expected whole seconds"},
    {"job_id,submit_s,duration_s,gpus,team\nx,5,1h,1,a\n", "t.csv:2: duration_s: '1h'"},
    {"job_id,submit_s,duration_s,gpus,team\nx,5,10,many,a\n", "t.csv:2: gpus: 'many'"},
    {"job_id,submit_s,duration_s,gpus,team\nx,5,10\n", "t.csv:2: 3 fields"},
    {"", "t.csv: empty file"},
};

START_TEST(bad_traces_name_line_column_and_value) {
  Trace trace;
  std::string error;
  ck_assert(!parse_trace_csv(kBadTraces[_i].text, "t.csv", &trace, &error));
  ck_assert_msg(error.find(kBadTraces[_i].message) == 0, "%s", error.c_str());
}
END_TEST

START_TEST(sacct_history_becomes_a_trace) {
  auto record = [](uint32_t id, const std::string& account, int64_t submit, int64_t start, int64_t end,
                   std::vector<std::pair<std::string, Amount>> tres) {
    SacctJob job;
    job.id = id;
    job.account = account;
    job.submit = submit;
    job.start = start;
    job.end = end;
    job.allocated = std::move(tres);
    return job;
  };
  std::vector<SacctJob> records = {
      // Requeued once: submitted at 1000, the last run 1300-1500.
      record(7, "nlp", 1000, 1010, 1100, {{"cpu", 8}, {"gres/gpu", 2}, {"gres/gpu:h100", 2}}),
      record(7, "nlp", 1100, 1300, 1500, {{"cpu", 8}, {"gres/gpu", 2}, {"gres/gpu:h100", 2}}),
      record(8, "vision", 1200, 1200, 1260, {{"gres/gpu:a100", 1}, {"gres/gpu:h100", 3}}),
      record(9, "vision", 1250, 0, 0, {}),                // never ran
      record(10, "vision", 1250, 1250, 1300, {{"cpu", 4}}),  // no GPU
  };
  Trace trace = trace_from_sacct(records, {{7, "nlp"}, {8, "vision"}});
  ck_assert_int_eq(trace.jobs.size(), 2);
  ck_assert_str_eq(trace.jobs[0].name.c_str(), "7");
  ck_assert_int_eq(trace.jobs[0].submit, 0);
  ck_assert_int_eq(trace.jobs[0].duration, 200);
  ck_assert_int_eq(trace.jobs[0].gpus, 2);
  ck_assert_int_eq(*trace.jobs[0].observed_wait, 300);
  ck_assert_int_eq(trace.jobs[1].submit, 200);
  ck_assert_int_eq(trace.jobs[1].gpus, 4);
  ck_assert_str_eq(trace.teams[static_cast<size_t>(trace.jobs[1].team)].c_str(), "vision");
}
END_TEST

// ---------------------------------------------------------------- quotas
START_TEST(quotas_by_largest_remainder) {
  Trace trace;
  trace.teams = {"a", "b", "c"};
  // GPU-seconds 500, 300, 200 over 9 GPUs: 4.5, 2.7, 1.8 -> 4, 3, 2 (remainders .7 and .8 first).
  trace.jobs = {{"1", 0, 100, 5, 0, {}}, {"2", 0, 100, 3, 1, {}}, {"3", 0, 100, 2, 2, {}}};
  ck_assert(derived_quotas(trace, 9, "proportional") == (std::vector<Amount>{4, 3, 2}));
  ck_assert(derived_quotas(trace, 10, "equal") == (std::vector<Amount>{4, 3, 3}));

  std::vector<Amount> quotas;
  std::string error;
  ck_assert(parse_quota_csv("team,gpus\nb,16\n\na,8\n", "q.csv", trace, &quotas, &error));
  ck_assert(quotas == (std::vector<Amount>{8, 16, 0}));
  ck_assert(!parse_quota_csv("team,gpus\nz,8\n", "q.csv", trace, &quotas, &error));
  ck_assert_msg(error.find("q.csv:2: team: 'z': the trace has no such team; its teams: a, b, c") == 0, "%s",
                error.c_str());
  ck_assert(!parse_quota_csv("team,gpus\na,eight\n", "q.csv", trace, &quotas, &error));
  ck_assert_msg(error.find("q.csv:2: gpus: 'eight'") == 0, "%s", error.c_str());
}
END_TEST

// One GPU type is replayed, on the nodes carrying it.
struct SetupCase {
  const char* gpu_type;
  bool ok;
  std::vector<int> nodes;
  const char* message;
};
const SetupCase kSetups[] = {
    {"h100", true, {8, 8}, ""},
    {"a100", true, {4, 4, 4}, ""},
    {"", false, {}, "the inventory has GPUs of types gpu:a100, gpu:h100; simulate replays one: give --gpu-type TYPE"},
    {"b200", false, {}, "--gpu-type b200: no node carries gpu:b200; the inventory has gpu:a100, gpu:h100"},
};

START_TEST(one_gpu_type_replayed) {
  const SetupCase& c = kSetups[_i];
  Trace trace;
  trace.teams = {"a"};
  trace.jobs = {{"1", 0, 10, 2, 0, {}}};
  Inventory inventory;
  for (int n = 0; n < 2; ++n) inventory.add_node({"p5"}, 192, 2097152, {{"gpu:h100", 8}});
  for (int n = 0; n < 3; ++n) inventory.add_node({"p4d"}, 96, 1048576, {{"gpu:a100", 4}});
  inventory.add_node({"trn1"}, 128, 524288, {{"neuron", 16}});
  ReplaySetup setup;
  std::string error;
  ck_assert_int_eq(prepare_setup(policy_for_quotas(trace, {4}, 50, c.gpu_type), inventory, trace, c.gpu_type,
                                 &setup, &error),
                   c.ok);
  ck_assert_str_eq(error.c_str(), c.message);
  if (!c.ok) return;
  ck_assert(setup.gpus_per_node == c.nodes);
  ck_assert_int_eq(setup.quota[0], 4);
  const std::string resource = std::string("gres/gpu:") + c.gpu_type;
  ck_assert_str_eq(setup.config->resolved.catalog.name(setup.gpu_resource).c_str(), resource.c_str());
}
END_TEST

// ---------------------------------------------------------------- placement
struct PlacementCase {
  std::vector<int> nodes;
  std::vector<int> running;  // placed first, in order
  int gpus;
  bool fits;
  int footprint;
  std::vector<int> nodes_got;  // node of each slice
};
const PlacementCase kPlacements[] = {
    // Best fit: 3 and then 5 fill node 0; the next jobs go to the lowest idle node.
    {{8, 8, 8}, {3, 5}, 2, true, 2, {1}},
    {{8, 8, 8}, {3, 5}, 6, true, 6, {1}},
    {{8, 8, 8}, {3, 5}, 8, true, 8, {1}},
    // Larger than a node: whole idle nodes only.
    {{8, 8, 8}, {3}, 12, true, 16, {1, 2}},
    {{8, 8, 8}, {3}, 4, true, 4, {0}},  // the fullest node that holds it, not an idle one
    {{8, 8, 8}, {8, 3}, 12, false, 16, {}},
    {{8, 8, 8}, {}, 32, false, 25, {}},  // more than the cluster: never
    // Not split over nodes when it fits one: 1+1 free is not 2.
    {{4, 4}, {3, 3}, 2, false, 2, {}},
    {{4, 8}, {}, 10, true, 12, {1, 0}},  // largest nodes first
};

START_TEST(whole_gpus_per_node) {
  const PlacementCase& c = kPlacements[_i];
  Placement cluster(c.nodes);
  std::vector<Slice> slices;
  for (int r : c.running) ck_assert(cluster.place(r, &slices));
  ck_assert_int_eq(cluster.footprint(c.gpus), c.footprint);
  ck_assert_int_eq(cluster.fits(c.gpus), c.fits);
  const int free_before = cluster.free();
  ck_assert_int_eq(cluster.place(c.gpus, &slices), c.fits);
  ck_assert_int_eq(slices.size(), c.nodes_got.size());
  int held = 0;
  for (size_t k = 0; k < slices.size(); ++k) {
    ck_assert_int_eq(slices[k].node, c.nodes_got[k]);
    held += slices[k].gpus;
  }
  ck_assert_int_eq(cluster.free(), free_before - held);
  cluster.release(slices);
  ck_assert_int_eq(cluster.free(), free_before);
}
END_TEST

// ---------------------------------------------------------------- the hand-computed replay
// 2 nodes of 4 GPUs; teams a and b, quota 4 each, borrow limit 100 %; cycle 5 s, requeue
// delay 20 s. Jobs (id: team, submit, GPUs, run time):
//   1: a, 0, 4, 100    2: a, 0, 4, 100    3: b, 10, 4, 50    4: a, 20, 4, 30
// fifo:    1 and 2 take both nodes at 0; 3 and 4 wait for them and start at 100.
// static:  a is capped at 4: 1 at 0, 3 at 10 on the other node, 2 at 100 when 1 ends, 4 only
//          when 2 ends, at 200.
// taskgov: 1 and 2 start at 0 (a borrows b's idle quota; 2 is the borrowed excess, the younger
//          by id). At 10, 3 is within b's quota and no node is free: it reclaims 2 (preempted
//          after 10 s: 40 GPU-seconds lost) and starts. 2 may start again at 30 but a's limit
//          is its quota (b lends nothing); at 60 3 ends, b lends 4, and 2 comes back ahead of 4
//          (same request, so the same share after admission; requeued at 10, before 4's 20).
//          4 starts when 1 ends, at 100.
struct ReplayCase {
  Regime regime;
  std::vector<int64_t> starts, waits;  // per job, the last start; completion - submit - run time
  double preempted_gpu_s;
  double violation_gpu_s;  // b waits within quota while a borrows: fifo from 10 to 100, less one cycle
  int64_t makespan;
};
const ReplayCase kReplays[] = {
    {Regime::Fifo, {0, 0, 100, 100}, {0, 0, 90, 80}, 0, 4 * (100 - 10 - 5), 150},
    {Regime::Static, {0, 100, 10, 200}, {0, 100, 0, 180}, 0, 0, 230},
    {Regime::Taskgov, {0, 60, 10, 100}, {0, 60, 0, 80}, 40, 0, 160},
};

Trace hand_trace() {
  Trace trace;
  trace.teams = {"a", "b"};
  trace.jobs = {{"1", 0, 100, 4, 0, {}}, {"2", 0, 100, 4, 0, {}}, {"3", 10, 50, 4, 1, {}}, {"4", 20, 30, 4, 0, {}}};
  return trace;
}

START_TEST(hand_computed_schedule) {
  const ReplayCase& c = kReplays[_i];
  Trace trace = hand_trace();
  ReplaySetup setup;
  setup.trace = &trace;
  setup.requeue_delay = 20;
  setup.bucket_seconds = 50;
  std::string error;
  ck_assert_msg(prepare_setup(policy_for_quotas(trace, {4, 4}, 100), uniform_inventory(2, 4), trace, "", &setup, &error),
                "%s", error.c_str());
  ck_assert_int_eq(setup.cycle_seconds, 5);
  RegimeResult r = replay(setup, c.regime, nullptr);
  for (size_t j = 0; j < 4; ++j) {
    ck_assert_msg(r.start_of_job[j] == c.starts[j], "%s: job %zu started at %ld, not %ld", r.regime.c_str(), j + 1,
                  static_cast<long>(r.start_of_job[j]), static_cast<long>(c.starts[j]));
    ck_assert_int_eq(r.wait_of_job[j], c.waits[j]);
  }
  ck_assert_double_eq(r.total.preempted_gpu_s, c.preempted_gpu_s);
  ck_assert_double_eq_tol(r.total.violation_gpu_s, c.violation_gpu_s, 1e-9);
  ck_assert_int_eq(r.makespan, c.makespan);
  ck_assert_int_eq(r.total.finished, 4);
  // Every job's work is delivered once, whatever the regime: 4*100*2 + 4*50 + 4*30.
  ck_assert_double_eq(r.total.delivered_gpu_s, 1120);
  // GPUs held over the arrivals [0, 20): fifo and taskgov hold 8 (b's 4 replacing a's second 4
  // at 10), static 4 and then 8 from 10.
  ck_assert_double_eq_tol(r.total.utilization, c.regime == Regime::Static ? 0.75 : 1.0, 1e-9);
  ck_assert_int_eq(r.cycles > 0, c.regime == Regime::Taskgov);
}
END_TEST

// A team held back by its own limit (Slurm never looks for victims for it) takes a fair-share
// victim through the cycle. 5 nodes of 4 GPUs; quotas a 4, b 4, c 12 (idle, lends 12); borrow
// limit 300 %. At 0, a starts jobs 1-4 (4 GPUs each, 1000 s: 12 borrowed, all of c's idle
// quota) and b job 5 (its quota): the cluster is full. At 10, b submits job 6 (4 GPUs, 100 s):
// b's limit is its quota (the pool is used up), so the job is held by it. a's borrowed share is
// 12/12, b's would be 4/12 after admission, below a's 8/12 after losing one job: the engine
// gives job 4 (a's youngest) as the victim; its node lets job 6 start at 10. Job 4 may start
// again at 30 but a is then at its limit (b borrows the 4); it starts when 6 ends, at 110.
START_TEST(held_by_its_limit_takes_a_fair_share_victim) {
  Trace trace;
  trace.teams = {"a", "b", "c"};
  trace.jobs = {{"1", 0, 1000, 4, 0, {}}, {"2", 0, 1000, 4, 0, {}}, {"3", 0, 1000, 4, 0, {}},
                {"4", 0, 1000, 4, 0, {}}, {"5", 0, 1000, 4, 1, {}}, {"6", 10, 100, 4, 1, {}}};
  ReplaySetup setup;
  setup.trace = &trace;
  setup.requeue_delay = 20;
  std::string error;
  ck_assert_msg(prepare_setup(policy_for_quotas(trace, {4, 4, 12}, 300), uniform_inventory(5, 4), trace, "",
                              &setup, &error),
                "%s", error.c_str());
  RegimeResult r = replay(setup, Regime::Taskgov, nullptr);
  const std::vector<int64_t> starts = {0, 0, 0, 110, 0, 10};
  for (size_t j = 0; j < starts.size(); ++j)
    ck_assert_msg(r.start_of_job[j] == starts[j], "job %zu started at %ld, not %ld", j + 1,
                  static_cast<long>(r.start_of_job[j]), static_cast<long>(starts[j]));
  ck_assert_int_eq(r.wait_of_job[3], 110);
  ck_assert_int_eq(r.wait_of_job[5], 0);
  ck_assert_double_eq(r.total.preempted_gpu_s, 4 * 10);
  ck_assert_int_eq(r.total.preemptions, 1);
  ck_assert_int_eq(r.preemptions_by_reason["fair-share"], 1);
  ck_assert_double_eq(r.total.violation_gpu_s, 0);
}
END_TEST

// In static, a request above its team's quota can never run: rejected at submit, never waits.
START_TEST(requests_above_every_limit_never_run) {
  Trace trace = hand_trace();
  trace.jobs.push_back({"5", 30, 10, 8, 1, {}});  // b asks for 8: over its quota, within quota + borrow
  ReplaySetup setup;
  setup.trace = &trace;
  std::string error;
  ck_assert(prepare_setup(policy_for_quotas(trace, {4, 4}, 100), uniform_inventory(2, 4), trace, "", &setup, &error));
  RegimeResult fixed = replay(setup, Regime::Static, nullptr);
  ck_assert_int_eq(fixed.teams[1].never_started, 1);
  ck_assert_int_eq(fixed.wait_of_job[4], -1);
  RegimeResult governed = replay(setup, Regime::Taskgov, nullptr);
  ck_assert_int_eq(governed.total.never_started, 0);
  ck_assert_int_eq(governed.total.finished, 5);
}
END_TEST

// ---------------------------------------------------------------- metrics and output
START_TEST(wait_statistics_nearest_rank) {
  std::vector<int64_t> waits;
  for (int64_t w = 1; w <= 20; ++w) waits.push_back(w * 10);
  WaitStats s = *wait_stats(waits);
  ck_assert_double_eq(s.mean, 105);
  ck_assert_int_eq(s.p50, 100);
  ck_assert_int_eq(s.p95, 190);
  ck_assert_int_eq(s.max, 200);
  ck_assert(!wait_stats({}));
}
END_TEST

START_TEST(json_and_csv_carry_every_regime_and_team) {
  Trace trace = hand_trace();
  trace.jobs[2].observed_wait = 30;
  trace.jobs[3].observed_wait = 300;
  ReplaySetup setup;
  setup.trace = &trace;
  setup.requeue_delay = 20;
  std::string error;
  ck_assert(prepare_setup(policy_for_quotas(trace, {4, 4}, 100), uniform_inventory(2, 4), trace, "", &setup, &error));
  SimulationReport report;
  report.trace = "hand";
  report.cluster = "2 nodes x 4 GPUs";
  for (Regime r : {Regime::Fifo, Regime::Static, Regime::Taskgov}) report.regimes.push_back(replay(setup, r, nullptr));
  std::optional<WaitValidation> check = validate_fifo_waits(trace, report.regimes[0]);
  ck_assert(check);
  ck_assert_int_eq(check->jobs, 2);
  ck_assert_int_eq(check->longer, 1);   // job 3: 90 s against 30 s
  ck_assert_int_eq(check->shorter, 1);  // job 4: 80 s against 300 s

  std::string text = render_simulation_json(report, check);
  json_error_t parse_error;
  JsonPtr root(json_loads(text.c_str(), 0, &parse_error));
  ck_assert_msg(root != nullptr, "%s", parse_error.text);
  json_t* taskgov = json_object_get(json_object_get(root.get(), "regimes"), "taskgov");
  ck_assert_double_eq_tol(json_real_value(json_object_get(taskgov, "preempted_gpu_hours")), 40.0 / 3600, 1e-12);
  ck_assert_double_eq_tol(json_real_value(json_object_get(taskgov, "delivered_gpu_hours")), 1120.0 / 3600, 1e-12);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(taskgov, "wait_s"), "max")), 80);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(taskgov, "preemptions_by_reason"), "reclaim")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(taskgov, "preemptions_by_reason"), "fair-share")),
                   0);
  json_t* team_a = json_array_get(json_object_get(taskgov, "teams"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(team_a, "team")), "a");
  ck_assert_int_eq(json_integer_value(json_object_get(team_a, "quota_gpus")), 4);
  ck_assert_ptr_nonnull(json_object_get(team_a, "guarantee_violation_gpu_hours"));
  json_t* fifo = json_object_get(json_object_get(root.get(), "regimes"), "fifo");
  ck_assert_double_eq_tol(json_real_value(json_object_get(fifo, "guarantee_violation_gpu_hours")), 340.0 / 3600,
                          1e-12);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root.get(), "fifo_vs_observed"), "jobs")), 2);

  std::string csv = render_simulation_csv(report);
  ck_assert_int_eq(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 3);
  ck_assert_msg(csv.find("\ntaskgov,TOTAL,8,1.0000,0.31,") != std::string::npos, "%s", csv.c_str());
}
END_TEST

Suite* simulate_suite() {
  Suite* s = suite_create("cli_simulate");
  TCase* tc = tcase_create("simulate");
  tcase_add_test(tc, trace_csv_sorted_with_teams_indexed);
  tcase_add_loop_test(tc, bad_traces_name_line_column_and_value, 0, count_of(kBadTraces));
  tcase_add_test(tc, sacct_history_becomes_a_trace);
  tcase_add_test(tc, quotas_by_largest_remainder);
  tcase_add_loop_test(tc, one_gpu_type_replayed, 0, count_of(kSetups));
  tcase_add_loop_test(tc, whole_gpus_per_node, 0, count_of(kPlacements));
  tcase_add_loop_test(tc, hand_computed_schedule, 0, count_of(kReplays));
  tcase_add_test(tc, held_by_its_limit_takes_a_fair_share_victim);
  tcase_add_test(tc, requests_above_every_limit_never_run);
  tcase_add_test(tc, wait_statistics_nearest_rank);
  tcase_add_test(tc, json_and_csv_carry_every_regime_and_team);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(simulate_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
