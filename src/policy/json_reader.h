// SPDX-License-Identifier: GPL-2.0-or-later
// Typed reads of jansson values for the policy and inventory file parsers. Every failure
// leaves one PolicyError that names the file, line, column and JSON path, what was expected,
// what was found and how to fix it, so both parsers speak with one voice.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/json_location.h"
#include "policy/policy.h"
#include "policy/resources.h"

namespace taskgov {

// One spelling of an enumerated setting.
template <class E>
struct Choice {
  const char* name;
  E value;
};

class JsonReader {
 public:
  // `text` must be what jansson decoded; positions are looked up in it.
  JsonReader(std::string_view text, std::string file);

  SourceLocation where(const std::string& path) const;      // the value at path
  SourceLocation where_key(const std::string& path) const;  // the key naming it

  // Each check returns false after filling error().
  bool fail(const SourceLocation& where, std::string message);
  // "expected <expected>, found <what value is>; <fix>"
  bool fail_expected(json_t* found, const std::string& path, std::string_view expected,
                     std::string_view fix);
  bool expect_object(json_t* value, const std::string& path, std::string_view expected);
  bool expect_array(json_t* value, const std::string& path, std::string_view expected);
  // Unknown keys are errors: a misspelt key must not silently fall back to a default.
  bool only_keys(json_t* object, const std::string& path,
                 std::initializer_list<std::string_view> allowed);
  // `example` shows the missing member written out, e.g. "\"account\": \"nlp\"".
  bool require(json_t* object, const std::string& path, const char* key, std::string_view example);

  bool as_integer(json_t* value, const std::string& path, int64_t min, int64_t max, int64_t* out);
  bool as_bool(json_t* value, const std::string& path, bool* out);
  bool as_string(json_t* value, const std::string& path, std::string_view expected,
                 std::string* out);
  // "512G", "2T", "1024M", "64K" or a number of MiB, at most `max_mib`.
  bool as_memory(json_t* value, const std::string& path, Amount max_mib, Amount* out);
  template <class E>
  bool as_choice(json_t* value, const std::string& path, const std::vector<Choice<E>>& choices,
                 E* out) {
    std::vector<std::string_view> names;
    for (const Choice<E>& choice : choices) names.push_back(choice.name);
    size_t index = 0;
    if (!choice_index(value, path, names, &index)) return false;
    *out = choices[index].value;
    return true;
  }

  // Optional members: an absent key leaves *out alone, i.e. at its documented default.
  bool read_int(json_t* object, const std::string& path, const char* key, int min, int max,
                int* out);
  bool read_bool(json_t* object, const std::string& path, const char* key, bool* out);
  template <class E>
  bool read_choice(json_t* object, const std::string& path, const char* key,
                   const std::vector<Choice<E>>& choices, E* out) {
    json_t* value = json_object_get(object, key);
    return value == nullptr || as_choice(value, json_path_member(path, key), choices, out);
  }

  const PolicyError& error() const { return error_; }

 private:
  bool choice_index(json_t* value, const std::string& path,
                    const std::vector<std::string_view>& names, size_t* index);

  std::string file_;
  JsonLocator locator_;
  PolicyError error_;
};

// Reads a whole file (a policy or an inventory); false with errno saying why.
bool read_text_file(const std::string& file, std::string* text);

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;
// Decodes `text`, rejecting duplicate keys; on failure a null pointer and *error at the fault.
JsonPtr decode_json(std::string_view text, const std::string& file, PolicyError* error);

// Letters, digits, '_', '.', '-' (and no capitals when `lowercase_only`), at least one.
bool is_plain_name(std::string_view text, bool lowercase_only);
// How to fix an account or QOS name (`kind`) that Slurm would not match; "" when it is fine.
// Slurm stores those names in lowercase, so one with capitals would never match a job.
std::string slurm_name_fix(std::string_view name, std::string_view kind);
// How to fix a GRES that is not spelt "name" or "name:type"; "" when it is.
std::string gres_spelling_fix(std::string_view gres);

// The closest of `candidates` when `word` looks like a typo of it, else "".
std::string_view closest_spelling(std::string_view word,
                                  const std::vector<std::string_view>& candidates);
// How a found value reads in a message: `string "ten"`, `150`, `true`, `an array`.
std::string describe_json(json_t* value);

}  // namespace taskgov
