// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/ordering.h"

#include <algorithm>
#include <limits>

namespace taskgov {

namespace {

// a/b against c/d for positive denominators, exactly: the products fit in 128 bits.
int compare_fractions(Amount a, Amount b, Amount c, Amount d) {
  __int128 left = static_cast<__int128>(a) * d, right = static_cast<__int128>(c) * b;
  return left < right ? -1 : (left > right ? 1 : 0);
}

}  // namespace

bool operator<(const Share& a, const Share& b) {
  if (a.zero_weight != b.zero_weight) return !a.zero_weight;
  return compare_fractions(a.num, a.den, b.num, b.den) < 0;
}

bool operator==(const Share& a, const Share& b) {
  return a.zero_weight == b.zero_weight && compare_fractions(a.num, a.den, b.num, b.den) == 0;
}

Share weighted_share(const ResourceVector& borrowed, const Pool& pool, int weight,
                     bool all_weights_zero, int n) {
  Share s;
  for (int r = 0; r < n; ++r) {
    if (borrowed[r] <= 0) continue;
    // A team can hold more than the pool's capacity (quotas shrank at a reload); count it
    // against at least what it holds so the share stays finite and ordered.
    Amount denominator = std::max(pool.capacity[r], borrowed[r]);
    if (compare_fractions(borrowed[r], denominator, s.num, s.den) > 0) {
      s.num = borrowed[r];
      s.den = denominator;
    }
  }
  if (weight > 0) {
    s.den *= weight;
  } else if (!all_weights_zero) {
    s.zero_weight = true;
  }
  return s;
}

std::vector<uint8_t> class_ranks(const ClusterSettings& cluster) {
  const auto& classes = cluster.priority_classes;
  std::vector<uint8_t> ranks(classes.size(), 0);
  if (cluster.admission != Admission::TaskRanking) return ranks;
  for (size_t i = 0; i < classes.size(); ++i) {
    uint8_t below = 0;
    for (const PriorityClass& other : classes)
      if (other.weight < classes[i].weight) ++below;
    ranks[i] = static_cast<uint8_t>(below + 1);
  }
  return ranks;
}

uint16_t share_rank(const Share& share_after) {
  if (share_after.zero_weight) return 0;
  // s/(1+s) maps [0, inf) onto [0, 1) keeping resolution where shares are small and close.
  double value = share_after.value();
  double squashed = value / (1.0 + value);
  auto q = static_cast<uint32_t>(squashed * (kShareRanks - 1));
  return static_cast<uint16_t>(kShareRanks - 1 - std::min(q, kShareRanks - 2));
}

uint64_t governance_unit(uint64_t multifactor_max) {
  // Clamped first: multifactor_max + 1 wraps to 0 for UINT64_MAX, which zeroed every factor.
  uint64_t unit = std::min<uint64_t>(multifactor_max, kSiteTermMax) + 1;
  return std::min<uint64_t>(unit, kSiteTermMax / (uint64_t{3} * kClassRanks));
}

uint32_t governance_site_factor(uint32_t tier, uint64_t multifactor_max) {
  const uint64_t unit = governance_unit(multifactor_max);
  uint32_t share = tier % kShareRanks;
  uint32_t band_class = tier / kShareRanks;
  // Keep band and class exact; give the share as many levels as still fit below 2^31.
  uint64_t levels = kShareRanks;
  while (levels > 1 && (uint64_t{3} * kClassRanks * levels) * unit > kSiteTermMax) levels /= 2;
  uint64_t coarse_share = share * levels / kShareRanks;
  uint64_t factor = (band_class * levels + coarse_share) * unit;
  return static_cast<uint32_t>(std::min(factor, kSiteTermMax));
}

}  // namespace taskgov
