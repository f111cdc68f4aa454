// SPDX-License-Identifier: GPL-2.0-or-later
// Rules are pinned by tables of cases: one row per case, run by Check's loop tests
// (tcase_add_loop_test(tc, test, 0, count_of(kCases)), the row being kCases[_i]).
#pragma once

#include <cstddef>

namespace taskgov::test {

template <typename T, size_t N>
constexpr int count_of(const T (&)[N]) {
  return static_cast<int>(N);
}

}  // namespace taskgov::test
