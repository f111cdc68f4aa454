// SPDX-License-Identifier: GPL-2.0-or-later
// Set-ups under which a valid policy goes unenforced (policy_warnings.h): each case gives what
// is known of the cluster and the warnings expected, by a phrase each must contain.
#include <check.h>

#include <cstdio>
#include <string>
#include <vector>

#include "builders.h"
#include "policy/policy_warnings.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::test;

namespace {

// nlp: 8 H100, so CPUs and memory derived from them (192 and 2 TiB); speech: A100 with CPUs and
// memory written out.
const char* kPolicy = R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]%s},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "speech", "account": "speech",
     "quota": [{"gres": "gpu:a100", "count": 4, "cpus": 64, "memory": "256G"}]}
  ]})";

const std::vector<std::string> kAllTracked = {"cpu", "mem", "gres/gpu", "gres/gpu:h100", "gres/gpu:a100",
                                              "gres/neuron"};

struct WarningCase {
  const char* name;
  const char* cluster_extra;  // JSON members added to the cluster section
  ClusterFacts facts;
  std::vector<const char*> expected;  // one phrase per warning, in order
};

ClusterFacts facts(std::vector<std::string> tracked, bool limits, std::vector<std::string> accounts,
                   std::vector<QosLimits> qos) {
  ClusterFacts f;
  f.tracked_tres = std::move(tracked);
  f.enforce_limits = limits;
  f.accounts = std::move(accounts);
  f.qos = std::move(qos);
  return f;
}

const WarningCase kCases[] = {
    {"a sound set-up with enforce_derived says nothing", R"(, "enforce_derived": true)",
     facts(kAllTracked, true, {"nlp", "speech"}, {{"normal", "", {}}}), {}},
    {"derived CPUs not in GrpTRES strand GPUs", "",
     facts(kAllTracked, true, {"nlp", "speech"}, {}),
     {"CPU-only jobs of any team can fill the accelerator nodes' CPUs"}},
    {"nothing known of the cluster: only the policy's own risk", "", ClusterFacts{},
     {"set \"enforce_derived\": true"}},
    {"AccountingStorageEnforce without limits", R"(, "enforce_derived": true)",
     facts(kAllTracked, false, {"nlp", "speech"}, {}),
     {"AccountingStorageEnforce lacks 'limits'"}},
    {"a governed GPU type Slurm does not track", R"(, "enforce_derived": true)",
     facts({"cpu", "mem", "gres/gpu", "gres/gpu:h100", "gres/neuron"}, true, {"nlp", "speech"}, {}),
     {"gres/gpu:a100 is governed but not in AccountingStorageTRES"}},
    {"TRES names match without regard to case", R"(, "enforce_derived": true)",
     facts({"CPU", "MEM", "GRES/GPU:H100", "gres/gpu:A100", "Gres/Neuron"}, true, {"nlp", "speech"}, {}), {}},
    {"a team account without association", R"(, "enforce_derived": true)",
     facts(kAllTracked, true, {"nlp"}, {}),
     {"team speech: account 'speech' has no association in slurmdbd"}},
    {"a QOS GrpTRES on a governed GPU type, as partition QOS", R"(, "enforce_derived": true)",
     facts(kAllTracked, true, {"nlp", "speech"},
           {{"gpuq", "cpu=64,gres/gpu:h100=16,gres/gpu=20", {"gpu"}}}),
     {"QOS 'gpuq' (the partition QOS of gpu) sets GrpTRES cpu=64,gres/gpu:h100=16: for jobs in it "
      "Slurm checks that limit instead of their team's association limit on the same TRES"}},
    {"the fix names every governed TRES to clear", R"(, "enforce_derived": true)",
     facts(kAllTracked, true, {"nlp", "speech"}, {{"training", "gres/gpu:a100=4,mem=1T", {}}}),
     {"sacctmgr modify qos training set GrpTRES=gres/gpu:a100=-1,mem=-1"}},
    {"a QOS GrpTRES on ungoverned TRES only says nothing", R"(, "enforce_derived": true)",
     facts(kAllTracked, true, {"nlp", "speech"}, {{"debug", "node=2,gres/gpu=4", {"debug"}}}), {}},
    {"several problems, in order", "",
     facts({"cpu", "mem"}, false, {}, {}),
     {"AccountingStorageEnforce lacks 'limits'", "gres/gpu:a100 is governed", "gres/gpu:h100 is governed",
      "gres/neuron is governed", "team nlp:", "team speech:", "CPU-only jobs"}},
};

START_TEST(warnings_table) {
  const WarningCase& c = kCases[_i];
  char text[2048];
  std::snprintf(text, sizeof(text), kPolicy, c.cluster_extra);
  Policy policy = policy_from_json(text);
  Inventory inventory = reference_inventory();
  ResolvedPolicy resolved;
  PolicyError error;
  ck_assert_msg(resolve_policy(policy, inventory, &resolved, &error), "%s", error.to_string().c_str());
  std::vector<std::string> warnings = cluster_warnings(policy, resolved, inventory, c.facts);
  std::string all;
  for (const std::string& w : warnings) all += "\n  " + w;
  ck_assert_msg(warnings.size() == c.expected.size(), "%s: %zu warnings, expected %zu:%s", c.name,
                warnings.size(), c.expected.size(), all.c_str());
  for (size_t i = 0; i < warnings.size(); ++i)
    ck_assert_msg(warnings[i].find(c.expected[i]) != std::string::npos, "%s: warning %zu '%s' lacks '%s'",
                  c.name, i, warnings[i].c_str(), c.expected[i]);
}
END_TEST

}  // namespace

int main() {
  Suite* suite = suite_create("policy_warnings");
  TCase* tc = tcase_create("warnings");
  tcase_add_loop_test(tc, warnings_table, 0, count_of(kCases));
  suite_add_tcase(suite, tc);
  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
