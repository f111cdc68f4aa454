// SPDX-License-Identifier: GPL-2.0-or-later
// One cycle's inputs: the running and pending jobs as plain data.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/resources.h"

namespace taskgov {

constexpr int32_t kNoTeam = -1;   // job of an account no team owns (ungoverned)
constexpr int32_t kNoClass = -1;  // job whose QOS is not a priority class

struct RunningJob {
  uint32_t id = 0;
  int32_t team = kNoTeam;
  int32_t klass = kNoClass;
  ResourceVector alloc;
  int64_t start_time = 0;
};

struct PendingJob {
  uint32_t id = 0;
  int32_t team = kNoTeam;
  int32_t klass = kNoClass;
  ResourceVector req;
  int64_t submit_time = 0;
  // It could start now if resources and limits allowed: its begin time has come and no
  // dependency holds it. Only such jobs are demand when idle capacity is divided, and only
  // they may preempt.
  bool eligible = true;
};

// Which side of a snapshot a job enters, the plugin's cycle and the command's live view alike:
// running (or suspended) jobs with what they hold; pending jobs unless held (priority 0: a held
// job cannot start, so it neither competes nor gets a site factor); nothing else.
enum class SnapshotSide { None, Running, Pending };
inline SnapshotSide snapshot_side(bool running_or_suspended, bool pending, bool held) {
  if (running_or_suspended) return SnapshotSide::Running;
  return pending && !held ? SnapshotSide::Pending : SnapshotSide::None;
}

struct Snapshot {
  int64_t now = 0;
  std::vector<RunningJob> running;  // ungoverned jobs included: they use capacity too
  std::vector<PendingJob> pending;
};

}  // namespace taskgov
