// SPDX-License-Identifier: GPL-2.0-or-later
// Rules applied to a job at submit and update time (job_submit/taskgov): its class, a GPU type
// for untyped requests, proportional CPU/memory defaults, and the refusal of requests that no
// limit of the team could ever admit. Works on plain copies of the request's fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/engine.h"

namespace taskgov {

// The fields of Slurm's job_desc_msg_t that matter, with "unset" as empty/0.
struct SubmitRequest {
  int32_t team = kNoTeam;
  std::string account;               // for messages
  std::string qos;                   // empty: the user named no QOS
  std::string tres_per_job, tres_per_node, tres_per_task, tres_per_socket;
  std::string cpus_per_tres, mem_per_tres;
  uint32_t min_nodes = 0, num_tasks = 0, min_cpus = 0, cpus_per_task = 0;
  uint64_t pn_min_memory = 0;  // MiB per node, or per CPU when mem_per_cpu
  bool mem_per_cpu = false;
  std::string admin_comment;   // what the job already carries (an update restamps it)
  // What the earlier components of the same heterogeneous job ask of this team: Slurm starts
  // a hetjob's components together, so a team's limit must hold them all (zero otherwise).
  ResourceVector hetjob_earlier;
};

// Ungoverned: an account no team owns, let through as it is (unmapped_accounts = allow).
enum class SubmitOutcome { Accept, Ungoverned, InvalidAccount, InvalidQos, InvalidGres, AccountingPolicy };

struct SubmitDecision {
  SubmitOutcome outcome = SubmitOutcome::Accept;
  std::string message;  // for the user: the refusal, or what taskgov added on acceptance
  int32_t klass = kNoClass;
  std::string qos;      // set when taskgov chose the class (no --qos given)
  // Replacement values for request fields taskgov rewrote; unset = leave as is.
  std::optional<std::string> tres_per_job, tres_per_node, tres_per_task, tres_per_socket;
  std::optional<std::string> cpus_per_tres, mem_per_tres;
  std::optional<uint32_t> min_cpus;       // job total, for non-GPU accelerators
  std::optional<uint64_t> pn_min_memory;  // MiB per node, for non-GPU accelerators
  std::string admin_comment;  // "taskgov:team=nlp;class=training"
  ResourceVector request;     // what the job asks for, as far as known at submit
  uint32_t tier = 0;          // governance tier against the last cycle's team state
};

// `cycle` may be null (no cycle yet): the tier is then computed against an idle team.
SubmitDecision decide_submission(const EngineConfig& config, const CycleResult* cycle,
                                 const SubmitRequest& request);

// Rewrites the untyped GPU items of one tres_per_* string ("gres:gpu:2") to the team's only
// GPU type, for a job that reached the team without the rewrite at submit (submitted in shadow
// mode or before a policy loaded, or moved from an unmapped account).
enum class GpuTyping { Unchanged, Typed, Impossible };
GpuTyping type_gpu_spec(const EngineConfig& config, size_t team, const std::string& spec,
                        std::string* typed_spec, std::string* type, std::string* message);

// What happens to a job of an account no team owns: Ungoverned or InvalidAccount, by the
// policy's unmapped_accounts. The one place that rule is read.
SubmitOutcome unmapped_outcome(const EngineConfig& config);

// Message for an account no team owns: names the account and the teams.
std::string unmapped_account_message(const EngineConfig& config, const std::string& account);

}  // namespace taskgov
