// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/json_location.h"

#include <cstdint>

namespace taskgov {

namespace {

bool is_plain_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

std::string quoted(std::string_view key) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : key) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void append_utf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    *out += static_cast<char>(code);
  } else if (code < 0x800) {
    *out += static_cast<char>(0xC0 | (code >> 6));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out += static_cast<char>(0xE0 | (code >> 12));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code >> 18));
    *out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// jansson refuses deeper documents, so valid input never reaches this.
constexpr int kMaxDepth = 2048;

}  // namespace

std::string json_path_member(const std::string& parent, std::string_view key) {
  if (!is_plain_key(key)) return parent + "[" + quoted(key) + "]";
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string json_path_element(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// A recursive-descent walk that records where each value starts. Keys are decoded (escapes
// included) so that paths match the keys jansson hands to the parser.
class JsonIndexer {
 public:
  JsonIndexer(std::string_view text, JsonLocator* locator) : text_(text), locator_(locator) {}

  void run() {
    skip_space();
    value("", "", here(), 0);
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char current() const { return at_end() ? '\0' : text_[pos_]; }
  TextPosition here() const { return {line_, characters_ + 1}; }

  void advance() {
    auto byte = static_cast<unsigned char>(text_[pos_++]);
    if (byte == '\n') {
      ++line_;
      characters_ = 0;
    } else if ((byte & 0xC0) != 0x80) {  // continuation bytes belong to the previous character
      ++characters_;
    }
  }

  void skip_space() {
    while (!at_end() &&
           (current() == ' ' || current() == '\t' || current() == '\n' || current() == '\r')) {
      advance();
    }
  }

  bool expect(char c) {
    if (current() != c) return false;
    advance();
    skip_space();
    return true;
  }

  // `name` is the member's key, empty for array elements and the root.
  void record(const std::string& path, const std::string& name, TextPosition key,
              TextPosition value) {
    auto [it, inserted] = locator_->places_.try_emplace(path, JsonLocator::Place{key, value});
    if (!inserted && !locator_->duplicate_) {
      locator_->duplicate_ = JsonLocator::Duplicate{path, name, it->second.key, key};
    }
  }

  bool value(const std::string& path, const std::string& name, TextPosition key, int depth) {
    if (at_end() || depth > kMaxDepth) return false;
    record(path, name, key, here());
    switch (current()) {
      case '{': return object(path, depth);
      case '[': return array(path, depth);
      case '"': {
        std::string ignored;
        return string(&ignored);
      }
      default: return scalar();
    }
  }

  bool object(const std::string& path, int depth) {
    expect('{');
    if (expect('}')) return true;
    for (;;) {
      TextPosition key = here();
      std::string name;
      if (current() != '"' || !string(&name)) return false;
      skip_space();
      if (!expect(':')) return false;
      if (!value(json_path_member(path, name), name, key, depth + 1)) return false;
      skip_space();
      if (expect('}')) return true;
      if (!expect(',')) return false;
    }
  }

  bool array(const std::string& path, int depth) {
    expect('[');
    if (expect(']')) return true;
    for (size_t index = 0;; ++index) {
      if (!value(json_path_element(path, index), "", here(), depth + 1)) return false;
      skip_space();
      if (expect(']')) return true;
      if (!expect(',')) return false;
    }
  }

  // Numbers, true, false, null: jansson has checked their spelling already.
  bool scalar() {
    size_t start = pos_;
    while (!at_end() && std::string_view(",]} \t\r\n").find(current()) == std::string_view::npos) {
      advance();
    }
    return pos_ > start;
  }

  bool string(std::string* out) {
    advance();  // the opening quote
    while (!at_end()) {
      char c = current();
      advance();
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (at_end()) return false;
      char escape = current();
      advance();
      switch (escape) {
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t code = 0;
          if (!hex4(&code)) return false;
          uint32_t low = 0;
          if (code >= 0xD800 && code < 0xDC00 && current() == '\\' &&
              text_.substr(pos_, 2) == "\\u") {
            advance();
            advance();
            if (!hex4(&low)) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(code, out);
          break;
        }
        default: *out += escape; break;  // \" \\ \/
      }
    }
    return false;
  }

  bool hex4(uint32_t* code) {
    for (int i = 0; i < 4; ++i) {
      int digit = hex_digit(current());  // current() is '\0' at the end
      if (digit < 0) return false;
      *code = *code * 16 + static_cast<uint32_t>(digit);
      advance();
    }
    return true;
  }

  std::string_view text_;
  JsonLocator* locator_;
  size_t pos_ = 0;
  int line_ = 1;
  int characters_ = 0;  // characters before pos_ on this line
};

JsonLocator::JsonLocator(std::string_view text) { JsonIndexer(text, this).run(); }

TextPosition JsonLocator::value(const std::string& path) const {
  auto it = places_.find(path);
  return it == places_.end() ? TextPosition{} : it->second.value;
}

TextPosition JsonLocator::key(const std::string& path) const {
  auto it = places_.find(path);
  return it == places_.end() ? TextPosition{} : it->second.key;
}

}  // namespace taskgov
