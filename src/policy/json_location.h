// SPDX-License-Identifier: GPL-2.0-or-later
// Where values sit in a JSON text. jansson keeps no positions for decoded values, so messages
// that point at a value ("taskgov.json:12:20: teams[2].quota[0].count: ...") come from this
// second, single pass over the text jansson has already accepted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace taskgov {

// 1-based; columns count characters (UTF-8 code points), as jansson's own error columns do.
struct TextPosition {
  int line = 0;  // 0 when unknown
  int column = 0;
};

// JSON paths as messages show them: "cluster.admission", "teams[2].quota[0].count". A key that
// is not a plain word is quoted ("cluster[\"a b\"]") so that every path names one value.
std::string json_path_member(const std::string& parent, std::string_view key);
std::string json_path_element(const std::string& parent, size_t index);

class JsonLocator {
 public:
  struct Duplicate {
    std::string path;  // the member whose key repeats
    std::string key;
    TextPosition first;   // its first key
    TextPosition second;  // the repeat
  };

  // Indexes every value of `text`. Text that is not valid JSON is indexed up to the first
  // fault; positions after it are unknown.
  explicit JsonLocator(std::string_view text);

  // Where the value at `path` starts; {0, 0} when there is no such value. "" is the root.
  TextPosition value(const std::string& path) const;
  // Where the key of the member at `path` starts (the value's position for array elements).
  TextPosition key(const std::string& path) const;
  // The first key that repeats within one object, for a message better than jansson's.
  const std::optional<Duplicate>& duplicate() const { return duplicate_; }

 private:
  friend class JsonIndexer;
  struct Place {
    TextPosition key;
    TextPosition value;
  };
  std::unordered_map<std::string, Place> places_;
  std::optional<Duplicate> duplicate_;
};

}  // namespace taskgov
