// SPDX-License-Identifier: GPL-2.0-or-later
// Shares written as decimals in test tables (0.1, 5.0), held as the engine holds them: exact
// fractions, here over 10^9.
#pragma once

#include <cmath>

#include "engine/ordering.h"

namespace taskgov::test {

inline Share share_of(double value, bool zero_weight = false) {
  return Share{zero_weight, static_cast<Amount>(std::llround(value * 1e9)), 1'000'000'000};
}

}  // namespace taskgov::test
