// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>

namespace taskgov {

namespace {

std::string lowercase(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Edits between two words, counting a swap of neighbours as one (the commonest typo).
size_t typo_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

bool looks_like_typo(std::string_view word, std::string_view candidate) {
  std::string a = lowercase(word);
  std::string b = lowercase(candidate);
  size_t shorter = std::min(a.size(), b.size());
  if (shorter >= 3 && (a.compare(0, shorter, b, 0, shorter) == 0)) return true;  // "mem", "memory"
  return typo_distance(a, b) <= (a.size() >= 5 ? 2u : 1u);
}

std::string join_names(const std::vector<std::string_view>& names, bool quoted) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += quoted ? fmt::format("\"{}\"", name) : std::string(name);
  }
  return out;
}

// "10" where 10 was meant.
bool is_integer_text(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string dump_json(json_t* value) {
  std::unique_ptr<char, decltype(&free)> text(json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT),
                                              &free);
  return text ? text.get() : "?";
}

// A suffix spelt as in "512GiB" is the most likely slip (Slurm takes "512GB" but not that);
// name the form that works.
std::string memory_fix(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view unit = text.substr(digits);
  bool byte_suffix =
      unit.size() >= 2 && std::string_view("KMGTPkmgtp").find(unit[0]) != std::string_view::npos;
  std::string_view rest = byte_suffix ? unit.substr(1) : "";
  if (digits > 0 && (rest == "iB" || rest == "ib")) {
    return fmt::format("write \"{}{}\"", text.substr(0, digits),
                       static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
  }
  if (!text.empty() && text[0] == '-') return "memory cannot be negative";
  return "write a whole number with an optional K, M, G, T or P suffix, e.g. \"512G\"";
}

constexpr std::string_view kMemoryExpected =
    "memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB";

}  // namespace

// jansson's syntax messages are precise but terse; for a repeated key the locator can say
// where both copies are.
JsonPtr decode_json(std::string_view text, const std::string& file, PolicyError* error) {
  json_error_t e;
  JsonPtr root(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &e), &json_decref);
  if (root) return root;
  std::optional<JsonLocator::Duplicate> duplicate;
  if (json_error_code(&e) == json_error_duplicate_key) duplicate = JsonLocator(text).duplicate();
  if (duplicate) {
    *error = {file,
              {duplicate->path, duplicate->second.line, duplicate->second.column},
              fmt::format("duplicate key \"{}\", also set at line {}, column {}; keep one",
                          duplicate->key, duplicate->first.line, duplicate->first.column)};
  } else {
    *error = {file, {"", e.line, std::max(e.column, 1)}, fmt::format("invalid JSON: {}", e.text)};
  }
  return JsonPtr(nullptr, &json_decref);
}

bool is_plain_name(std::string_view text, bool lowercase_only) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    bool letter = (c >= 'a' && c <= 'z') || (!lowercase_only && c >= 'A' && c <= 'Z');
    return letter || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

std::string slurm_name_fix(std::string_view name, std::string_view kind) {
  if (is_plain_name(name, true)) return "";
  std::string lower = lowercase(name);
  if (is_plain_name(lower, true)) {
    return fmt::format("Slurm stores {} names in lowercase: write \"{}\"", kind, lower);
  }
  return "use only lowercase letters, digits, '_', '.' and '-'";
}

std::string gres_spelling_fix(std::string_view gres) {
  constexpr std::string_view kPrefix = "gres/";
  if (gres.substr(0, kPrefix.size()) == kPrefix) {
    return fmt::format("drop the prefix: \"{}\"", gres.substr(kPrefix.size()));
  }
  // ':' is not a name character, so a second colon fails the type's check.
  size_t colon = gres.find(':');
  bool typed = colon != std::string_view::npos;
  if (is_plain_name(gres.substr(0, colon), false) &&
      (!typed || is_plain_name(gres.substr(colon + 1), false))) {
    return "";
  }
  size_t last = gres.rfind(':');
  if (typed && last != colon && is_integer_text(gres.substr(last + 1))) {
    return fmt::format("the number is the count, not part of the name: \"{}\"",
                       gres.substr(0, last));
  }
  return "use letters, digits, '_', '.', '-' and at most one ':'";
}

namespace {
// A deleter type rather than decltype(&fclose): glibc declares fclose with attributes that
// newer compilers warn are dropped from a template argument.
struct CloseFile {
  void operator()(FILE* f) const { fclose(f); }
};
}  // namespace

bool read_text_file(const std::string& file, std::string* text) {
  std::unique_ptr<FILE, CloseFile> in(fopen(file.c_str(), "rb"));
  if (!in) return false;
  char buffer[65536];
  size_t got = 0;
  text->clear();
  while ((got = fread(buffer, 1, sizeof buffer, in.get())) > 0) text->append(buffer, got);
  return !ferror(in.get());
}

std::string_view closest_spelling(std::string_view word,
                                  const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view candidate : candidates) {
    if (!looks_like_typo(word, candidate)) continue;
    size_t distance = typo_distance(lowercase(word), lowercase(candidate));
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string describe_json(json_t* value) {
  constexpr size_t kShown = 40;
  switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: {
      std::string text = dump_json(value);
      if (text.size() > kShown) {
        size_t cut = kShown;  // on a character boundary, so the message stays valid UTF-8
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);
        text += "...\"";
      }
      return "string " + text;
    }
    default: return dump_json(value);  // numbers, true, false, null as written
  }
}

JsonReader::JsonReader(std::string_view text, std::string file)
    : file_(std::move(file)), locator_(text) {}

SourceLocation JsonReader::where(const std::string& path) const {
  TextPosition at = locator_.value(path);
  return {path, at.line, at.column};
}

SourceLocation JsonReader::where_key(const std::string& path) const {
  TextPosition at = locator_.key(path);
  return {path, at.line, at.column};
}

bool JsonReader::fail(const SourceLocation& where, std::string message) {
  error_ = PolicyError{file_, where, std::move(message)};
  return false;
}

bool JsonReader::fail_expected(json_t* found, const std::string& path, std::string_view expected,
                               std::string_view fix) {
  return fail(where(path),
              fmt::format("expected {}, found {}; {}", expected, describe_json(found), fix));
}

bool JsonReader::expect_object(json_t* value, const std::string& path, std::string_view expected) {
  return json_is_object(value) || fail_expected(value, path, expected, "write it in { }");
}

bool JsonReader::expect_array(json_t* value, const std::string& path, std::string_view expected) {
  return json_is_array(value) || fail_expected(value, path, expected, "write it in [ ]");
}

bool JsonReader::only_keys(json_t* object, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
  const char* key = nullptr;
  json_t* value = nullptr;
  json_object_foreach(object, key, value) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::vector<std::string_view> names(allowed);
    std::string_view suggestion = closest_spelling(key, names);
    std::string hint = suggestion.empty() ? "" : fmt::format(" did you mean \"{}\"?", suggestion);
    return fail(
        where_key(json_path_member(path, key)),
        fmt::format("unknown key \"{}\";{} allowed keys: {}", key, hint, join_names(names, false)));
  }
  return true;
}

bool JsonReader::require(json_t* object, const std::string& path, const char* key,
                         std::string_view example) {
  return json_object_get(object, key) != nullptr ||
         fail(where(path),
              fmt::format("missing required key \"{}\"; add it, e.g. {}", key, example));
}

bool JsonReader::as_integer(json_t* value, const std::string& path, int64_t min, int64_t max,
                            int64_t* out) {
  std::string expected = fmt::format("an integer {}–{}", min, max);
  if (json_is_integer(value)) {
    json_int_t number = json_integer_value(value);
    if (number >= min && number <= max) {
      *out = number;
      return true;
    }
    return fail_expected(value, path, expected, fmt::format("use a value from {} to {}", min, max));
  }
  if (json_is_string(value) && is_integer_text(json_string_value(value))) {
    return fail_expected(value, path, expected,
                         fmt::format("write it without quotes: {}", json_string_value(value)));
  }
  if (json_is_real(value)) return fail_expected(value, path, expected, "use a whole number");
  return fail_expected(value, path, expected,
                       fmt::format("write a whole number from {} to {}", min, max));
}

bool JsonReader::as_bool(json_t* value, const std::string& path, bool* out) {
  if (json_is_boolean(value)) {
    *out = json_is_true(value);
    return true;
  }
  std::string_view text = json_is_string(value) ? json_string_value(value) : "";
  std::string fix = text == "true" || text == "false"
                        ? fmt::format("write it without quotes: {}", text)
                        : "write true or false";
  return fail_expected(value, path, "true or false", fix);
}

bool JsonReader::as_string(json_t* value, const std::string& path, std::string_view expected,
                           std::string* out) {
  if (json_is_string(value)) {
    *out = json_string_value(value);
    return true;
  }
  std::string fix = json_is_number(value)
                        ? fmt::format("put it in quotes: \"{}\"", dump_json(value))
                        : "write it in quotes";
  return fail_expected(value, path, expected, fix);
}

bool JsonReader::as_memory(json_t* value, const std::string& path, Amount max_mib, Amount* out) {
  std::string too_big =
      fmt::format("that is more than {}; check the unit", format_memory_mib(max_mib));
  if (json_is_integer(value)) {
    json_int_t mib = json_integer_value(value);
    if (mib < 0) return fail_expected(value, path, kMemoryExpected, "memory cannot be negative");
    if (mib > max_mib) return fail_expected(value, path, kMemoryExpected, too_big);
    *out = mib;
    return true;
  }
  if (!json_is_string(value)) {
    return fail_expected(value, path, kMemoryExpected,
                         "write whole MiB or a string with a suffix, e.g. \"512G\"");
  }
  std::string_view text = json_string_value(value);
  Amount mib = 0;
  if (!parse_memory_mib(text, &mib)) {
    return fail_expected(value, path, kMemoryExpected, memory_fix(text));
  }
  if (mib > max_mib) return fail_expected(value, path, kMemoryExpected, too_big);
  *out = mib;
  return true;
}

bool JsonReader::choice_index(json_t* value, const std::string& path,
                              const std::vector<std::string_view>& names, size_t* index) {
  std::string_view text = json_is_string(value) ? json_string_value(value) : "";
  auto found = std::find(names.begin(), names.end(), text);
  if (json_is_string(value) && found != names.end()) {
    *index = static_cast<size_t>(found - names.begin());
    return true;
  }
  std::string_view suggestion = closest_spelling(text, names);
  std::string fix =
      suggestion.empty() ? "use one of those" : fmt::format("did you mean \"{}\"?", suggestion);
  return fail_expected(value, path, "one of " + join_names(names, true), fix);
}

bool JsonReader::read_int(json_t* object, const std::string& path, const char* key, int min,
                          int max, int* out) {
  json_t* value = json_object_get(object, key);
  int64_t number = 0;
  if (value == nullptr) return true;
  if (!as_integer(value, json_path_member(path, key), min, max, &number)) return false;
  *out = static_cast<int>(number);
  return true;
}

bool JsonReader::read_bool(json_t* object, const std::string& path, const char* key, bool* out) {
  json_t* value = json_object_get(object, key);
  return value == nullptr || as_bool(value, json_path_member(path, key), out);
}

}  // namespace taskgov
