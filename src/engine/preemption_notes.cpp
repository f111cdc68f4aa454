// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/preemption_notes.h"

namespace taskgov {

bool PreemptionNotes::note(const PreemptionNote& note) {
  PreemptionNote& slot = slots_[note.victim % kSlots];
  bool repeated = slot.victim == note.victim && slot.preemptor == note.preemptor;
  slot = note;
  return repeated;
}

bool PreemptionNotes::take(uint32_t victim, PreemptionNote* out) {
  PreemptionNote& slot = slots_[victim % kSlots];
  if (victim == 0 || slot.victim != victim) return false;
  *out = slot;
  slot = PreemptionNote{};
  return true;
}

void PreemptionNotes::forget(uint32_t victim) {
  PreemptionNote& slot = slots_[victim % kSlots];
  if (slot.victim == victim) slot = PreemptionNote{};
}

}  // namespace taskgov
