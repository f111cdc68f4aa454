// SPDX-License-Identifier: GPL-2.0-or-later
// Submit-time rules (job_submit/taskgov): the class a job gets, GPU types for untyped requests,
// proportional CPU/memory defaults, refusal of requests no limit could ever admit, and the
// AdminComment record. Policies come from the sample schema against the reference cluster.
#include <check.h>

#include <memory>
#include <string>

#include "builders.h"
#include "engine.h"
#include "submission.h"

using namespace taskgov;
using namespace taskgov::test;

namespace {

// nlp: one p5 instance (8 h100), lend-and-borrow 50 %; vision: 8 h100 + 4 a100; speech: 4
// a100 + the trn1 node, lends only; big: 32 h100, more than the cluster has (planning).
const char* kPolicy = R"({
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "admission": "task-ranking"},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [{"instance_type": "p5.48xlarge", "count": 1}]},
    {"name": "vision", "account": "vision",
     "quota": [{"gres": "gpu:h100", "count": 8}, {"gres": "gpu:a100", "count": 4}]},
    {"name": "speech", "account": "speech", "sharing": "lend",
     "quota": [{"gres": "gpu:a100", "count": 4}, {"instance_type": "trn1.32xlarge", "count": 1}]},
    {"name": "big", "account": "big", "quota": [{"gres": "gpu:h100", "count": 32}]}
  ]})";

std::shared_ptr<const EngineConfig> config() {
  std::shared_ptr<const EngineConfig> out;
  PolicyError error;
  ck_assert_msg(build_config(policy_from_json(kPolicy), reference_inventory(), &out, &error),
                "%s", error.to_string().c_str());
  return out;
}

SubmitRequest request(const char* team, const char* tres_per_node) {
  auto c = config();
  SubmitRequest r;
  r.team = c->policy.find_team(team);
  r.tres_per_node = tres_per_node;
  return r;
}

SubmitDecision decide(const SubmitRequest& r) {
  auto c = config();
  return decide_submission(*c, nullptr, r);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

#define CHECK_CONTAINS(text, part) \
  ck_assert_msg(contains((text), (part)), "'%s' lacks '%s'", (text).c_str(), (part))

}  // namespace

START_TEST(no_qos_gets_the_lowest_class) {
  SubmitDecision d = decide(request("nlp", "gres:gpu:h100:2"));
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::Accept));
  CHECK_STRING(d.qos, "experimentation");
  CHECK_STRING(d.admin_comment, "taskgov:team=nlp;class=experimentation");
}
END_TEST

START_TEST(a_qos_that_is_no_class_is_refused_with_the_classes) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:2");
  r.qos = "normal";
  SubmitDecision d = decide(r);
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::InvalidQos));
  CHECK_CONTAINS(d.message, "QOS 'normal' is not a priority class");
  CHECK_CONTAINS(d.message, "inference, training, experimentation");
}
END_TEST

START_TEST(a_named_class_is_kept) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:2");
  r.qos = "inference";
  SubmitDecision d = decide(r);
  CHECK_STRING(d.qos, "");
  CHECK_STRING(d.admin_comment, "taskgov:team=nlp;class=inference");
}
END_TEST

START_TEST(untyped_gpus_go_to_the_teams_only_type) {
  SubmitDecision d = decide(request("nlp", "gres:gpu:2"));
  ck_assert(d.tres_per_node.has_value());
  CHECK_STRING(*d.tres_per_node, "gres:gpu:h100:2");
  CHECK_CONTAINS(d.message, "GPU type set to h100");
}
END_TEST

// A cluster whose GPUs carry no type: untyped requests are what the quota counts, kept as they are.
START_TEST(untyped_gpus_on_an_untyped_cluster_are_kept) {
  Inventory inventory;
  for (int n = 0; n < 2; ++n) inventory.add_node({"g8"}, 64, 524288, {{"gpu", 8}});
  std::shared_ptr<const EngineConfig> untyped;
  PolicyError error;
  ck_assert_msg(build_config(policy_from_json(R"({"cluster": {"priority_classes": [{"name": "normal", "weight": 50}]},
      "teams": [{"name": "a", "account": "a", "quota": [{"gres": "gpu", "count": 8}]}]})"),
                             inventory, &untyped, &error),
                "%s", error.to_string().c_str());
  SubmitRequest r;
  r.team = 0;
  r.tres_per_job = "gres:gpu:12";
  SubmitDecision d = decide_submission(*untyped, nullptr, r);
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::Accept));
  ck_assert(!d.tres_per_job.has_value());
  ck_assert_int_eq(d.request[untyped->resolved.catalog.find("gres/gpu")], 12);
  r.tres_per_job = "gres:gpu:13";  // quota 8 + borrow cap 4
  CHECK_CONTAINS(decide_submission(*untyped, nullptr, r).message, "limit is 12 (quota 8 + borrow cap 4)");
}
END_TEST

START_TEST(untyped_gpus_are_refused_when_the_team_has_several_types) {
  SubmitDecision d = decide(request("vision", "gres:gpu:2"));
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::InvalidGres));
  CHECK_CONTAINS(d.message, "several GPU types (a100, h100)");
}
END_TEST

// DESIGN §1: 2 of 8 GPUs on a 192-CPU / 2-TiB node -> 48 CPUs and 512 GiB.
START_TEST(proportional_defaults_follow_the_node_shape) {
  SubmitDecision d = decide(request("nlp", "gres:gpu:h100:2"));
  CHECK_STRING(*d.cpus_per_tres, "gres:gpu:24");
  CHECK_STRING(*d.mem_per_tres, "gres:gpu:262144");
  ck_assert_int_eq(d.request[ResourceCatalog::kCpu], 48);
  ck_assert_int_eq(d.request[ResourceCatalog::kMem], 512 * kGiB);
  CHECK_CONTAINS(d.message, "--cpus-per-gpu=24 --mem-per-gpu=256G");
}
END_TEST

START_TEST(proportional_defaults_cover_neuron) {
  // Slurm 22.05 refuses per-GRES memory for anything but GPUs: job CPUs and memory instead.
  SubmitDecision d = decide(request("speech", "gres:neuron:4"));
  ck_assert(!d.cpus_per_tres.has_value());
  ck_assert(!d.mem_per_tres.has_value());
  ck_assert_uint_eq(*d.min_cpus, 32);
  ck_assert_uint_eq(*d.pn_min_memory, 128 * kGiB);
  ck_assert_int_eq(d.request[ResourceCatalog::kCpu], 32);
  CHECK_CONTAINS(d.message, "32 CPUs and --mem=128G");
}
END_TEST

START_TEST(explicit_cpus_turn_proportional_defaults_off) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:2");
  r.cpus_per_task = 4;
  SubmitDecision d = decide(r);
  ck_assert(!d.cpus_per_tres.has_value());
  ck_assert(!d.mem_per_tres.has_value());
}
END_TEST

START_TEST(per_node_requests_count_every_node) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:8");
  r.min_nodes = 2;
  r.cpus_per_task = 1;
  SubmitDecision d = decide(r);
  auto c = config();
  ck_assert_int_eq(d.request[c->resolved.catalog.find("gres/gpu:h100")], 16);
  ck_assert_int_eq(static_cast<int>(d.outcome),
                   static_cast<int>(SubmitOutcome::AccountingPolicy));
}
END_TEST

START_TEST(beyond_quota_and_borrow_cap_is_refused_with_the_numbers) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:16");
  SubmitDecision d = decide(r);
  ck_assert_int_eq(static_cast<int>(d.outcome),
                   static_cast<int>(SubmitOutcome::AccountingPolicy));
  CHECK_CONTAINS(d.message, "team nlp can never run this job");
  CHECK_CONTAINS(d.message, "asks for 16 gres/gpu:h100");
  CHECK_CONTAINS(d.message, "limit is 12 (quota 8 + borrow cap 4)");
}
END_TEST

START_TEST(within_quota_and_borrow_cap_is_accepted) {
  SubmitDecision d = decide(request("nlp", "gres:gpu:h100:12"));
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::Accept));
}
END_TEST

START_TEST(a_team_that_does_not_borrow_is_held_to_its_quota) {
  SubmitDecision d = decide(request("speech", "gres:gpu:a100:8"));
  ck_assert_int_eq(static_cast<int>(d.outcome),
                   static_cast<int>(SubmitOutcome::AccountingPolicy));
  CHECK_CONTAINS(d.message, "its quota 4 (sharing lend: it does not borrow)");
}
END_TEST

START_TEST(above_the_cluster_but_within_quota_pends) {
  SubmitDecision d = decide(request("big", "gres:gpu:h100:20"));
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::Accept));
}
END_TEST

START_TEST(a_gres_no_team_has_is_refused) {
  SubmitDecision d = decide(request("nlp", "gres:gpu:v100:1"));
  ck_assert_int_eq(static_cast<int>(d.outcome),
                   static_cast<int>(SubmitOutcome::AccountingPolicy));
  CHECK_CONTAINS(d.message, "no team has quota for gres/gpu:v100");
}
END_TEST

START_TEST(unmapped_accounts_name_the_teams) {
  std::string m = unmapped_account_message(*config(), "sandbox");
  CHECK_CONTAINS(m, "account 'sandbox' belongs to no team");
  CHECK_CONTAINS(m, "nlp (account nlp), vision (account vision)");
}
END_TEST

START_TEST(restamping_keeps_the_other_fields) {
  const struct {
    const char* existing;
    const char* want;
  } cases[] = {
      {"", "taskgov:team=nlp;class=training"},
      {"taskgov:team=vision;class=inference;preempted_by=7;reason=reclaim",
       "taskgov:team=nlp;class=training;preempted_by=7;reason=reclaim"},
      {"set by an admin", "taskgov:team=nlp;class=training;set by an admin"},
  };
  for (const auto& c : cases) CHECK_STRING(stamp_admin_comment(c.existing, "nlp", "training"), c.want);
}
END_TEST

START_TEST(an_idle_team_request_in_quota_gets_the_top_band) {
  SubmitDecision in_quota = decide(request("nlp", "gres:gpu:h100:8"));
  SubmitDecision borrowing = decide(request("nlp", "gres:gpu:h100:12"));
  ck_assert_uint_gt(in_quota.tier, borrowing.tier);
}
END_TEST

int main() {
  Suite* suite = suite_create("submission");
  TCase* tc = tcase_create("rules");
  tcase_add_test(tc, no_qos_gets_the_lowest_class);
  tcase_add_test(tc, a_qos_that_is_no_class_is_refused_with_the_classes);
  tcase_add_test(tc, a_named_class_is_kept);
  tcase_add_test(tc, untyped_gpus_go_to_the_teams_only_type);
  tcase_add_test(tc, untyped_gpus_on_an_untyped_cluster_are_kept);
  tcase_add_test(tc, untyped_gpus_are_refused_when_the_team_has_several_types);
  tcase_add_test(tc, proportional_defaults_follow_the_node_shape);
  tcase_add_test(tc, proportional_defaults_cover_neuron);
  tcase_add_test(tc, explicit_cpus_turn_proportional_defaults_off);
  tcase_add_test(tc, per_node_requests_count_every_node);
  tcase_add_test(tc, beyond_quota_and_borrow_cap_is_refused_with_the_numbers);
  tcase_add_test(tc, within_quota_and_borrow_cap_is_accepted);
  tcase_add_test(tc, a_team_that_does_not_borrow_is_held_to_its_quota);
  tcase_add_test(tc, above_the_cluster_but_within_quota_pends);
  tcase_add_test(tc, a_gres_no_team_has_is_refused);
  tcase_add_test(tc, unmapped_accounts_name_the_teams);
  tcase_add_test(tc, restamping_keeps_the_other_fields);
  tcase_add_test(tc, an_idle_team_request_in_quota_gets_the_top_band);
  suite_add_tcase(suite, tc);
  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
