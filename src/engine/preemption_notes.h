// SPDX-License-Identifier: GPL-2.0-or-later
// Why Slurm's scheduler may preempt a running job: noted when preempt/taskgov allows the pair,
// read back when Slurm carries the preemption out (it asks the victim's grace time exactly
// once then), moments later in the same scheduling pass. Kept in the engine, not in a plugin,
// because the priority plugin's cycle preempts through the same Slurm call and must be able to
// say "this one is mine": it forgets the note first and records the preemption itself.
#pragma once

#include <array>
#include <cstdint>

#include "engine/preemption.h"

namespace taskgov {

struct PreemptionNote {
  uint32_t victim = 0;
  uint32_t preemptor = 0;
  int32_t preemptor_team = -1;
  int32_t preemptor_class = -1;
  PreemptReason reason = PreemptReason::None;
};

// Direct-mapped by victim id: a note overwritten before it is read only loses that record.
class PreemptionNotes {
 public:
  // True when this very pair was noted already (Slurm asks again within a pass).
  bool note(const PreemptionNote& note);
  // The victim's note, removed; false when there is none.
  bool take(uint32_t victim, PreemptionNote* out);
  void forget(uint32_t victim);

 private:
  static constexpr size_t kSlots = 256;
  std::array<PreemptionNote, kSlots> slots_{};
};

}  // namespace taskgov
