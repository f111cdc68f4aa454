// SPDX-License-Identifier: GPL-2.0-or-later
// `taskgov explain JOBID`: why a job waits, runs where it runs, or was preempted, in plain
// sentences with the numbers of the engine's cycle. The sentences are built by pure functions
// over an Engine whose cycle is published, for the unit tests: explain_live.cpp for a job the
// cycle sees, explain_history.cpp for its preemptions; explain.cpp is the command.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "audit/admin_comment.h"
#include "cli/audit_trail.h"
#include "engine/engine.h"
#include "cli/live_snapshot.h"

namespace taskgov::cli {

// "Job 4711 (user ana, account nlp, QOS training) is PENDING<detail>.": every answer's first line.
std::string explain_header(const LiveJob& job, const std::string& detail);

// Pending jobs before pending job #index in the engine's order (runs_before, ordering.h): of
// its own team, and of the whole cluster.
struct JobsAhead {
  int in_team = 0;
  int in_cluster = 0;
};
JobsAhead jobs_ahead(const CycleResult& cycle, size_t index);

// Pending job #index of engine.result(): its band, the limit that holds it, the jobs ahead of
// it, and what would let it start. `job` is what slurmctld shows of it.
std::string explain_pending(const Engine& engine, size_t index, const LiveJob& job);
// Running job #index of engine.result(): within quota or on borrowed capacity, and from whom.
std::string explain_running(const Engine& engine, size_t index, const LiveJob& job);
// The preemptions recorded in a job's AdminComment; `teams` names the preemptors' teams (a
// preemptor missing from it is shown with its team unknown). Each gets the numbers of its
// decision record in `recorded` (the audit log's preemptions of the job, oldest first), or
// `missing_numbers` says why there are none (empty: the log was read).
std::string explain_preemptions(const AdminRecord& record, const std::map<uint32_t, std::string>& teams,
                                const std::vector<RecordedPreemption>& recorded,
                                const std::string& missing_numbers);

}  // namespace taskgov::cli
