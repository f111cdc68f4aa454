// SPDX-License-Identifier: GPL-2.0-or-later
// One-line, numbered reasons for a cycle's decisions, made on demand (never per job per
// cycle: 100k strings a cycle would cost more than the cycle itself).
#pragma once

#include <cstddef>
#include <string>

#include "engine/engine.h"

namespace taskgov {

// Why pending job #index of the cycle sits in its band, e.g.
// "needs to borrow gres/gpu:h100: nlp would hold 12 against a quota of 8 (borrow cap 4, pool 6 free)".
std::string pending_reason(const CycleResult& cycle, size_t index);

}  // namespace taskgov
