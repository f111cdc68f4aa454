// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: tg_decide_submission(), the C ABI job_submit/taskgov calls inside slurmctld for
// every submission and update, with the sample policy loaded and one cycle published. The
// input is the request as "field=value" lines (see corpus/submission/) so that seeds stay
// readable; any field may be missing, empty or absurd. The answer must always be TG_OK with
// every string terminated within its buffer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "sample_inventory.h"
#include "abi/taskgov.h"

namespace {

// Enforce mode, proportional defaults, every sharing mode. The audit log path can never be
// opened (/dev/null is no directory): records are built as in slurmctld, then dropped instead
// of filling the disk over millions of runs.
constexpr const char kPolicy[] = R"({
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100}, {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "proportional_defaults": true, "audit_log": "/dev/null/taskgov-fuzz-audit.log"},
  "teams": [
    {"name": "nlp", "account": "nlp", "borrow_limit_percent": 50,
     "quota": [{"instance_type": "p5.48xlarge", "count": 1}]},
    {"name": "vision", "account": "vision", "absolute_borrow_limits": [{"gres": "gpu:h100", "count": 4}],
     "quota": [{"instance_type": "p5.48xlarge", "accelerators": 8}, {"gres": "gpu:a100", "count": 4}]},
    {"name": "speech", "account": "speech", "sharing": "lend",
     "quota": [{"gres": "gpu:a100", "count": 4, "cpus": 64, "memory": "256G"},
               {"instance_type": "trn1.32xlarge", "count": 1}]},
    {"name": "ops", "account": "ops", "sharing": "dont-lend", "quota": [{"cpus": 64, "memory": "256G"}]}]})";

tg_engine_t* loaded_engine() {
  tg_engine_t* engine = tg_engine_acquire();
  tg_inventory_t* inventory = tg_inventory_new();
  const taskgov::Inventory shapes = taskgov::fuzz::sample_inventory();
  for (const taskgov::NodeShape& shape : shapes.shapes()) {
    std::string gres;
    for (const auto& [name, count] : shape.gres) gres += (gres.empty() ? "" : ",") + name + ":" + std::to_string(count);
    std::string features;
    for (const std::string& f : shape.features) features += (features.empty() ? "" : ",") + f;
    for (int n = 0; n < shape.node_count; ++n)
      tg_inventory_add_node(inventory, features.c_str(), static_cast<uint64_t>(shape.cpus),
                            static_cast<uint64_t>(shape.memory_mib), gres.c_str());
  }
  char path[] = "/tmp/taskgov-fuzz-policy-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, kPolicy, sizeof kPolicy - 1) != static_cast<ssize_t>(sizeof kPolicy - 1)) std::abort();
  close(fd);
  char error[1024];
  int rc = tg_load_policy(engine, path, inventory, error, sizeof error);
  unlink(path);
  tg_inventory_free(inventory);
  if (rc != TG_OK) {
    std::fprintf(stderr, "submission fuzz: policy refused: %s\n", error);
    std::abort();
  }
  // A cycle in which nlp borrows and vision runs in quota, so decisions see team state.
  tg_settings_t settings;
  if (tg_settings(engine, &settings) != TG_OK) std::abort();
  std::vector<uint64_t> amounts(static_cast<size_t>(settings.resources));
  tg_snapshot_t* snapshot = tg_snapshot_new(engine, 1000);
  for (int r = 0; r < settings.resources; ++r)
    if (std::strcmp(tg_resource_name(engine, r), "gres/gpu:h100") == 0) amounts[static_cast<size_t>(r)] = 12;
  tg_snapshot_add_running(snapshot, 1, 0, 1, amounts.data(), 900);
  tg_snapshot_add_pending(snapshot, 2, 1, 0, amounts.data(), 950, 1);
  tg_cycle_t* cycle = tg_cycle_compute(snapshot);
  if (!cycle || tg_cycle_publish(engine, cycle) != TG_OK) std::abort();
  tg_cycle_finish(engine, cycle);
  return engine;
}

template <size_t N>
void check_terminated(const char (&field)[N]) {
  if (!std::memchr(field, '\0', N)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tg_engine_t* engine = loaded_engine();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lineage;
  // Strings stay unset (NULL) unless their line is present.
  std::string fields[10];
  bool present[10] = {};
  static const char* const kStringKeys[10] = {"account", "qos", "tres_per_job", "tres_per_node", "tres_per_task",
                                              "tres_per_socket", "cpus_per_tres", "mem_per_tres",
                                              "admin_comment", "lineage"};
  uint64_t numbers[9] = {};
  static const char* const kNumberKeys[9] = {"min_nodes", "num_tasks", "min_cpus", "cpus_per_task",
                                             "pn_min_memory", "mem_per_cpu", "multifactor_max",
                                             "job_id", "update"};
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    for (int i = 0; i < 10; ++i)
      if (key == kStringKeys[i]) {
        if (i == 9) lineage.emplace_back(value);
        else fields[i] = std::string(value), present[i] = true;
      }
    for (int i = 0; i < 9; ++i)
      if (key == kNumberKeys[i]) numbers[i] = std::strtoull(std::string(value).c_str(), nullptr, 0);
  }
  std::vector<const char*> lineage_ptrs;
  for (const std::string& a : lineage) lineage_ptrs.push_back(a.c_str());
  auto field = [&](int i) { return present[i] ? fields[i].c_str() : nullptr; };
  tg_submit_request_t request{};
  request.lineage = lineage_ptrs.data();
  request.lineage_depth = static_cast<int>(lineage_ptrs.size());
  request.account = field(0);
  request.qos = field(1);
  request.tres_per_job = field(2);
  request.tres_per_node = field(3);
  request.tres_per_task = field(4);
  request.tres_per_socket = field(5);
  request.cpus_per_tres = field(6);
  request.mem_per_tres = field(7);
  request.admin_comment = field(8);
  request.min_nodes = static_cast<uint32_t>(numbers[0]);
  request.num_tasks = static_cast<uint32_t>(numbers[1]);
  request.min_cpus = static_cast<uint32_t>(numbers[2]);
  request.cpus_per_task = static_cast<uint32_t>(numbers[3]);
  request.pn_min_memory = numbers[4];
  request.mem_per_cpu = numbers[5] != 0;
  request.multifactor_max = numbers[6];
  request.job_id = static_cast<uint32_t>(numbers[7]);
  request.update = numbers[8] != 0;

  tg_submit_decision_t decision;
  if (tg_decide_submission(engine, &request, &decision) != TG_OK) std::abort();
  if (decision.outcome < TG_SUBMIT_ACCEPT || decision.outcome > TG_SUBMIT_ACCOUNTING_POLICY) std::abort();
  check_terminated(decision.message);
  check_terminated(decision.qos);
  check_terminated(decision.admin_comment);
  check_terminated(decision.tres_per_job);
  check_terminated(decision.tres_per_node);
  check_terminated(decision.tres_per_task);
  check_terminated(decision.tres_per_socket);
  check_terminated(decision.cpus_per_tres);
  check_terminated(decision.mem_per_tres);
  // A refusal always tells the user why.
  if (decision.outcome >= TG_SUBMIT_INVALID_ACCOUNT && decision.message[0] == '\0') std::abort();
  return 0;
}
