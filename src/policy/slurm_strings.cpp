// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/slurm_strings.h"

#include <charconv>

namespace taskgov {

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  int depth = 0;  // Slurm puts socket bindings in parentheses: "gpu:h100:8(S:0-1)"
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size()) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')' && depth > 0) --depth;
      if (text[i] != separator || depth > 0) continue;
    }
    if (i > start) out.emplace_back(text.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

namespace {

// *value is left alone on failure: callers keep their default count there.
bool parse_count(std::string_view text, Amount* value) {
  Amount parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || parsed < 0) return false;
  *value = parsed;
  return true;
}

}  // namespace

std::vector<std::pair<std::string, Amount>> parse_node_gres(std::string_view gres) {
  std::vector<std::pair<std::string, Amount>> out;
  if (gres == "(null)") return out;
  for (std::string item : split_list(gres)) {
    size_t paren = item.find('(');
    if (paren != std::string::npos) item.erase(paren);
    size_t last = item.rfind(':');
    Amount count = 1;
    std::string name = item;
    if (last != std::string::npos && parse_count(std::string_view(item).substr(last + 1), &count))
      name = item.substr(0, last);
    if (!name.empty()) out.emplace_back(name, count);
  }
  return out;
}

bool parse_tres(std::string_view tres, const ResourceCatalog& catalog, ResourceVector* out) {
  *out = ResourceVector{};
  for (const std::string& item : split_list(tres)) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    std::string name = item.substr(0, eq);
    std::string_view value = std::string_view(item).substr(eq + 1);
    int r = catalog.find(name);
    if (r < 0) continue;
    Amount amount = 0;
    if (r == ResourceCatalog::kMem) {
      if (!parse_memory_mib(value, &amount)) return false;
    } else if (!parse_count(value, &amount)) {
      return false;
    }
    // A resource named twice is summed; a sum beyond int64 is no amount Slurm could mean.
    if (!add_amounts((*out)[r], amount, &(*out)[r])) return false;
  }
  return true;
}

}  // namespace taskgov
