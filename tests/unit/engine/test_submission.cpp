// SPDX-License-Identifier: GPL-2.0-or-later
// Submit-time rules (job_submit/taskgov): the class a job gets, GPU types for untyped requests,
// proportional CPU/memory defaults, refusal of requests no limit could ever admit, and the
// AdminComment record. Policies come from the sample schema against the reference cluster.
// <fstream> before check.h, whose fail() macro would break std::ios.
#include <fstream>

#include <check.h>
#include <stdlib.h>

#include <memory>
#include <string>

#include "builders.h"
#include "engine/engine.h"
#include "engine/submission.h"
#include "table_cases.h"
#include "abi/taskgov.h"

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

// A QOS that is no class, or a list of QOS (Slurm 24.11's --qos=a,b), is refused with the classes.
const struct {
  const char* qos;
  const char* why;
} kRefusedQos[] = {
    {"normal", "QOS 'normal' is not a priority class"},
    {"training,inference", "--qos='training,inference' lists several QOS, but a job of a team has one priority class"},
};

START_TEST(a_qos_that_is_no_class_is_refused_with_the_classes) {
  SubmitRequest r = request("nlp", "gres:gpu:h100:2");
  r.qos = kRefusedQos[_i].qos;
  SubmitDecision d = decide(r);
  ck_assert_int_eq(static_cast<int>(d.outcome), static_cast<int>(SubmitOutcome::InvalidQos));
  CHECK_CONTAINS(d.message, kRefusedQos[_i].why);
  CHECK_CONTAINS(d.message, "; use --qos= one of: inference, training, experimentation");
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

// A hetjob component is judged with what the earlier components ask of the same team (nlp's
// limit: 8 H100 quota + 4 borrow cap).
struct HetjobRow {
  const char* component;
  Amount earlier_h100;
  bool accepted;
  const char* message;
};

const HetjobRow kHetjobRows[] = {
    {"gres:gpu:h100:4", 0, true, "team nlp, class experimentation"},
    {"gres:gpu:h100:4", 8, true, "team nlp, class experimentation"},
    {"gres:gpu:h100:4", 9, false,
     "asks for 13 gres/gpu:h100 with the heterogeneous job's earlier components but the team's "
     "limit is 12 (quota 8 + borrow cap 4); ask for at most 12 in all its components"},
    {"gres:gpu:h100:1", 12, false, "asks for 13 gres/gpu:h100 with the heterogeneous job's"},
    {"gres:gpu:h100:1", 9223372036854775807, false, "with the heterogeneous job's earlier components"},
};

START_TEST(hetjob_components_are_judged_together) {
  const HetjobRow& row = kHetjobRows[_i];
  auto c = config();
  SubmitRequest r = request("nlp", row.component);
  r.hetjob_earlier[c->resolved.catalog.find("gres/gpu:h100")] = row.earlier_h100;
  SubmitDecision d = decide(r);
  ck_assert_int_eq(static_cast<int>(d.outcome),
                   static_cast<int>(row.accepted ? SubmitOutcome::Accept : SubmitOutcome::AccountingPolicy));
  CHECK_CONTAINS(d.message, row.message);
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


START_TEST(an_idle_team_request_in_quota_gets_the_top_band) {
  SubmitDecision in_quota = decide(request("nlp", "gres:gpu:h100:8"));
  SubmitDecision borrowing = decide(request("nlp", "gres:gpu:h100:12"));
  ck_assert_uint_gt(in_quota.tier, borrowing.tier);
}
END_TEST

// A job that reached its team untyped (shadow mode, no policy yet, moved from an unmapped
// account) is typed at update, release or policy load, one tres_per_* string at a time.
struct TypingCase {
  const char* team;
  const char* spec;
  GpuTyping outcome;
  const char* typed;    // when Typed
  const char* message;  // part of it, when Impossible
};
const TypingCase kTypingCases[] = {
    {"nlp", "gres:gpu:2", GpuTyping::Typed, "gres:gpu:h100:2", ""},
    {"nlp", "gres:gpu:h100:2", GpuTyping::Unchanged, "", ""},
    {"nlp", "", GpuTyping::Unchanged, "", ""},
    {"nlp", "gres:neuron:4,gres:gpu:1", GpuTyping::Typed, "gres:neuron:4,gres:gpu:h100:1", ""},
    {"speech", "gres:gpu", GpuTyping::Typed, "gres:gpu:a100:1", ""},
    {"vision", "gres:gpu:2", GpuTyping::Impossible, "", "several GPU types (a100, h100)"},
    {"vision", "gres:gpu:a100:2", GpuTyping::Unchanged, "", ""},
};

START_TEST(untyped_specs_are_typed_for_the_team) {
  const TypingCase& c = kTypingCases[_i];
  auto cfg = config();
  std::string typed, type, message;
  GpuTyping outcome = type_gpu_spec(*cfg, static_cast<size_t>(cfg->policy.find_team(c.team)), c.spec,
                                    &typed, &type, &message);
  ck_assert_int_eq(static_cast<int>(outcome), static_cast<int>(c.outcome));
  if (c.outcome == GpuTyping::Typed) CHECK_STRING(typed, c.typed);
  CHECK_CONTAINS(message, c.message);
}
END_TEST

// ---------------------------------------------------------------- GRES spellings and sizes
// Slurm's grammar (gres.c _get_next_gres): a count of 0 asks for nothing and the item is
// dropped; counts take k/m/g/t/p (powers of 1024, or of 1000 with "b"); a malformed or huge
// count is refused, never read as one GPU or wrapped into a small or negative number.
struct GresRow {
  const char* team;
  const char* tres_per_node;
  uint32_t min_nodes;
  SubmitOutcome outcome;
  const char* rewritten;  // tres_per_node after typing; nullptr: left as is
  Amount h100;            // gres/gpu:h100 the decision counts
  Amount cpus;            // CPUs it counts (proportional: 24 per H100)
  const char* message;    // part of the message
};

const GresRow kGresRows[] = {
    {"nlp", "gres:gpu:0", 0, SubmitOutcome::Accept, nullptr, 0, 0, "team nlp, class experimentation"},
    {"nlp", "gres:gpu:h100:0", 0, SubmitOutcome::Accept, nullptr, 0, 0, "team nlp"},
    // vision has two GPU types: zero GPUs need no type, so no refusal asking for one.
    {"vision", "gres:gpu:0", 0, SubmitOutcome::Accept, nullptr, 0, 0, "team vision"},
    {"nlp", "gres:gpu:2,gres:gpu:0", 0, SubmitOutcome::Accept, "gres:gpu:h100:2,gres:gpu:0", 2, 48, "GPU type set to h100"},
    {"nlp", "gres:gpu", 0, SubmitOutcome::Accept, "gres:gpu:h100:1", 1, 24, "GPU type set to h100"},
    {"nlp", "gres:gpu:h100", 0, SubmitOutcome::Accept, nullptr, 1, 24, "team nlp"},
    {"nlp", "gres:gpu:h100:4", 3, SubmitOutcome::Accept, nullptr, 12, 288, "team nlp"},
    {"nlp", "gres:gpu:1k", 0, SubmitOutcome::AccountingPolicy, "gres:gpu:h100:1024", 1024, 0, "asks for 1024 gres/gpu:h100"},
    {"nlp", "gres:gpu:h100:1K", 0, SubmitOutcome::AccountingPolicy, nullptr, 1024, 0, "asks for 1024 gres/gpu:h100"},
    {"nlp", "gres:gpu:h100:2kb", 0, SubmitOutcome::AccountingPolicy, nullptr, 2000, 0, "asks for 2000"},
    {"nlp", "gres:gpu:h100:1KiB", 0, SubmitOutcome::AccountingPolicy, nullptr, 1024, 0, "asks for 1024"},
    {"nlp", "gres:gpu:h100:1m", 0, SubmitOutcome::AccountingPolicy, nullptr, 1048576, 0, "asks for 1048576"},
    // 2^50 H100 fit an int64, their proportional memory (256G each) does not.
    {"nlp", "gres:gpu:h100:1p", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0, "asks for more gpu:h100 than any cluster has"},
    {"nlp", "gres:gpu:h100:abc", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "GRES request 'gres:gpu:h100:abc' is not valid: the count 'abc' is not a number"},
    {"nlp", "gres:gpu:h100:-2", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0, "the count '-2' is not a number"},
    {"nlp", "gres:gpu:h100:", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0, "a type or count is empty"},
    {"nlp", "gres:gpu::2", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0, "a type or count is empty"},
    {"nlp", "gres:gpu:", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0, "a type or count is empty"},
    {"nlp", "gres:gpu:h100:99999999999999999999", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "the count 99999999999999999999 is too large"},
    {"nlp", "gres:gpu:h100:10000000000000000k", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "the count 10000000000000000k is too large"},
    // Fits an int64, but not once multiplied by the nodes.
    {"nlp", "gres:gpu:h100:9223372036854775807", 2, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "GRES request 'gres:gpu:h100:9223372036854775807' for 2 nodes and 1 tasks is more than any cluster has"},
    // Fits once multiplied, but not its proportional CPUs (24 per H100).
    {"nlp", "gres:gpu:h100:4611686018427387904", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "asks for more gpu:h100 than any cluster has"},
    {"nlp", "gres:gpu:h100:9223372036854775807", 0, SubmitOutcome::InvalidGres, nullptr, 0, 0,
     "asks for more gpu:h100 than any cluster has"},
};

START_TEST(gres_counts_are_read_as_slurm_reads_them) {
  const GresRow& row = kGresRows[_i];
  SubmitRequest r = request(row.team, row.tres_per_node);
  r.min_nodes = row.min_nodes;
  SubmitDecision d = decide(r);
  ck_assert_msg(d.outcome == row.outcome, "%s: outcome %d, want %d (%s)", row.tres_per_node,
                static_cast<int>(d.outcome), static_cast<int>(row.outcome), d.message.c_str());
  CHECK_CONTAINS(d.message, row.message);
  if (row.outcome == SubmitOutcome::InvalidGres) return;
  ck_assert_msg(d.tres_per_node.has_value() == (row.rewritten != nullptr), "%s: rewritten", row.tres_per_node);
  if (row.rewritten) CHECK_STRING(*d.tres_per_node, row.rewritten);
  ck_assert_int_eq(d.request[config()->resolved.catalog.find("gres/gpu:h100")], row.h100);
  if (row.outcome == SubmitOutcome::Accept) ck_assert_int_eq(d.request[ResourceCatalog::kCpu], row.cpus);
}
END_TEST

// Through the C ABI: tg_submit_decision_t carries rewritten values in fixed buffers (255
// characters of GRES, 2303 of AdminComment). One that does not fit refuses the job; it is
// never cut short.
struct FitRow {
  int gres_items;          // "gres:gpu:1" items in tres_per_node, each rewritten to 15 characters
  size_t comment_length;   // the job's AdminComment, an administrator's note
  int outcome;
  size_t rewritten_length;
  const char* message;
};

const FitRow kFitRows[] = {
    {16, 0, TG_SUBMIT_ACCEPT, 255, "GPU type set to h100"},  // 16 * 15 + 15 commas: exactly full
    {17, 0, TG_SUBMIT_INVALID_GRES, 0,
     "the job's tres_per_node (--gres, --gpus-per-node) would become 271 characters, more than "
     "the 255 taskgov can set: gres:gpu:h100:1,gres:gpu:h100:1,gres:gpu...; ask with fewer"},
    // "taskgov:team=nlp;class=experimentation" (38) + ";" + the note: exactly full.
    {1, 2303 - 39, TG_SUBMIT_ACCEPT, 15, "GPU type set to h100"},
    {1, 2303 - 38, TG_SUBMIT_ACCOUNTING_POLICY, 0,
     "the job's AdminComment would become 2304 characters, more than the 2303 taskgov can set: "
     "taskgov:team=nlp;class=experimentation;x...; shorten the job's AdminComment"},
};

START_TEST(a_rewrite_that_does_not_fit_refuses_the_job) {
  const FitRow& row = kFitRows[_i];
  char dir_pattern[] = "/tmp/taskgov-submission-test-XXXXXX";
  const std::string dir = mkdtemp(dir_pattern);
  const std::string policy_file = dir + "/taskgov.json";
  std::ofstream(policy_file) << R"({"cluster": {"priority_classes": [{"name": "experimentation", "weight": 1}],
    "audit_log": ")" << dir << R"(/audit.log"},
    "teams": [{"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]}]})";
  tg_engine_t* engine = tg_engine_acquire();
  tg_inventory_t* inventory = tg_inventory_new();
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  char error[512];
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof error), TG_OK);
  tg_inventory_free(inventory);

  std::string gres;
  for (int i = 0; i < row.gres_items; ++i) gres += (i ? "," : "") + std::string("gres:gpu:1");
  const std::string comment(row.comment_length, 'x');
  const char* lineage[] = {"nlp"};
  tg_submit_request_t request{};
  request.lineage = lineage;
  request.lineage_depth = 1;
  request.tres_per_node = gres.c_str();
  request.cpus_per_task = 1;
  request.admin_comment = row.comment_length ? comment.c_str() : nullptr;
  tg_submit_decision_t decision;
  ck_assert_int_eq(tg_decide_submission(engine, &request, &decision), TG_OK);
  tg_engine_release(engine);
  ck_assert_int_eq(decision.outcome, row.outcome);
  CHECK_CONTAINS(std::string(decision.message), row.message);
  ck_assert_uint_eq(strlen(decision.tres_per_node), row.rewritten_length);
  if (row.outcome != TG_SUBMIT_ACCEPT) CHECK_STRING(decision.admin_comment, "");
}
END_TEST

int main() {
  Suite* suite = suite_create("submission");
  TCase* tc = tcase_create("rules");
  tcase_add_test(tc, no_qos_gets_the_lowest_class);
  tcase_add_loop_test(tc, a_qos_that_is_no_class_is_refused_with_the_classes, 0, count_of(kRefusedQos));
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
  tcase_add_loop_test(tc, hetjob_components_are_judged_together, 0, count_of(kHetjobRows));
  tcase_add_test(tc, a_team_that_does_not_borrow_is_held_to_its_quota);
  tcase_add_test(tc, above_the_cluster_but_within_quota_pends);
  tcase_add_test(tc, a_gres_no_team_has_is_refused);
  tcase_add_test(tc, unmapped_accounts_name_the_teams);
  tcase_add_test(tc, an_idle_team_request_in_quota_gets_the_top_band);
  tcase_add_loop_test(tc, untyped_specs_are_typed_for_the_team, 0, count_of(kTypingCases));
  tcase_add_loop_test(tc, gres_counts_are_read_as_slurm_reads_them, 0, count_of(kGresRows));
  tcase_add_loop_test(tc, a_rewrite_that_does_not_fit_refuses_the_job, 0, count_of(kFitRows));
  suite_add_tcase(suite, tc);
  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
