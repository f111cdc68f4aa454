// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/resources.h"

#include <limits>

namespace taskgov {

namespace {

constexpr Amount kMiBPerGiB = 1024;
constexpr Amount kMiBPerTiB = kMiBPerGiB * 1024;
constexpr Amount kMiBPerPiB = kMiBPerTiB * 1024;

// Slurm's own suffixes (str_to_mbytes, with an optional B; P as Slurm prints large TRES): K
// is rounded up to a whole MiB so that a tiny request never becomes zero.
bool scale_to_mib(Amount value, char suffix, Amount* mib) {
  switch (suffix) {
    case 'K':
    case 'k': *mib = value / 1024 + (value % 1024 != 0); return true;
    case 'M':
    case 'm': *mib = value; return true;
    case 'G':
    case 'g': return multiply_amounts(value, kMiBPerGiB, mib);
    case 'T':
    case 't': return multiply_amounts(value, kMiBPerTiB, mib);
    case 'P':
    case 'p': return multiply_amounts(value, kMiBPerPiB, mib);
    default: return false;
  }
}

}  // namespace

bool add_amounts(Amount a, Amount b, Amount* sum) { return !__builtin_add_overflow(a, b, sum); }

bool multiply_amounts(Amount a, Amount b, Amount* product) {
  return !__builtin_mul_overflow(a, b, product);
}

ResourceCatalog::ResourceCatalog() : names_{"cpu", "mem"} {}

int ResourceCatalog::find(std::string_view name) const {
  for (int r = 0; r < size(); ++r) {
    if (names_[r] == name) return r;
  }
  return -1;
}

int ResourceCatalog::add(std::string_view name) {
  int existing = find(name);
  if (existing >= 0) return existing;
  if (size() >= kMaxResources) return -1;
  names_.emplace_back(name);
  return size() - 1;
}

std::string ResourceCatalog::gres_name(std::string_view gres) {
  return "gres/" + std::string(gres);
}

ResourceVector& ResourceVector::operator+=(const ResourceVector& o) {
  for (int r = 0; r < kMaxResources; ++r) v[r] += o.v[r];
  return *this;
}

ResourceVector& ResourceVector::operator-=(const ResourceVector& o) {
  for (int r = 0; r < kMaxResources; ++r) v[r] -= o.v[r];
  return *this;
}

bool ResourceVector::is_zero() const { return nonzero_mask() == 0; }

uint32_t ResourceVector::nonzero_mask() const {
  uint32_t mask = 0;
  for (int r = 0; r < kMaxResources; ++r) {
    if (v[r] > 0) mask |= 1u << r;
  }
  return mask;
}

bool parse_memory_mib(std::string_view text, Amount* mib) {
  constexpr Amount kMax = std::numeric_limits<Amount>::max();
  size_t digits = 0;
  Amount value = 0;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
    int digit = text[digits] - '0';
    if (value > (kMax - digit) / 10) return false;
    value = value * 10 + digit;
  }
  if (digits == 0) return false;
  std::string_view suffix = text.substr(digits);
  if (suffix.empty()) {
    *mib = value;
    return true;
  }
  if (suffix.size() == 2 && (suffix[1] == 'B' || suffix[1] == 'b')) suffix.remove_suffix(1);
  Amount scaled = 0;
  if (suffix.size() != 1 || !scale_to_mib(value, suffix[0], &scaled)) return false;
  *mib = scaled;
  return true;
}

std::string format_memory_mib(Amount mib) {
  if (mib == 0) return "0";
  if (mib % kMiBPerTiB == 0) return std::to_string(mib / kMiBPerTiB) + "T";
  if (mib % kMiBPerGiB == 0) return std::to_string(mib / kMiBPerGiB) + "G";
  return std::to_string(mib) + "M";
}

std::string format_amount(const ResourceCatalog& /*catalog*/, int r, Amount amount) {
  return r == ResourceCatalog::kMem ? format_memory_mib(amount) : std::to_string(amount);
}

std::string format_vector(const ResourceCatalog& catalog, const ResourceVector& v) {
  std::string out;
  for (int r = 0; r < catalog.size(); ++r) {
    if (v[r] == 0) continue;
    if (!out.empty()) out += ',';
    out += catalog.name(r) + "=" + format_amount(catalog, r, v[r]);
  }
  return out;
}

}  // namespace taskgov
