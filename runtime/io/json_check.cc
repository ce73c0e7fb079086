// SPDX-License-Identifier: Apache-2.0
// A JSON syntax checker (RFC 8259) for error messages only: it walks the text once with an
// explicit stack, keeping the path to the current value (`events[2].seconds`) for messages.
#include "runtime/io/json_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "runtime/io/limits.h"
#include "runtime/io/utf8.h"

namespace rubric::io {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Checker {
 public:
  Checker(std::string_view s, bool multiline) : s_(s), multiline_(multiline) {}

  std::string run() {
    enum class Expect { Value, FirstValue, FirstKey, Key, Colon, After } expect = Expect::Value;
    bool done = false;  // the top-level value is complete
    // The closing bracket at i_ ends the innermost list or object.
    auto close = [&] {
      ++i_;
      stack_.pop_back();
      expect = Expect::After;
      done = stack_.empty();
    };
    while (true) {
      while (i_ < s_.size() && is_ws(s_[i_])) ++i_;
      if (i_ == s_.size()) {
        if (done) return {};
        if (stack_.empty()) return fail(i_, "the text holds no JSON value");
        const Frame& f = stack_.back();
        return fail(i_, fmt::format("the text ends before the {} that starts at {} is closed",
                                    f.object ? "object" : "list", where(f.start)));
      }
      char c = s_[i_];
      if (done) {
        if (c == '{' || c == '[')
          return fail(i_, multiline_ ? "more than one JSON value: another one starts here (give one lead at a time)"
                                     : "this line holds more than one JSON value: another one starts here (one lead per line)");
        return fail(i_, fmt::format("text after the JSON {} ({})", top_object_ ? "object" : "value", shown(i_)));
      }
      if (std::string problem = bad_byte(i_); !problem.empty()) return fail(i_, problem);
      switch (expect) {
        case Expect::FirstValue:
          if (c == ']') {
            close();
            continue;
          }
          [[fallthrough]];
        case Expect::Value: {
          if (c == '{' || c == '[') {
            if (stack_.size() >= kMaxJsonDepth)
              return fail(i_, fmt::format("lists and objects nested deeper than {} levels", kMaxJsonDepth));
            if (stack_.empty() && i_ == first_value()) top_object_ = c == '{';
            stack_.push_back({c == '{', i_, {}, 0});
            ++i_;
            expect = c == '{' ? Expect::FirstKey : Expect::FirstValue;
            continue;
          }
          std::string problem = scalar();
          if (!problem.empty()) return problem;
          expect = Expect::After;
          done = stack_.empty();
          continue;
        }
        case Expect::FirstKey:
          if (c == '}') {
            close();
            continue;
          }
          [[fallthrough]];
        case Expect::Key: {
          if (c != '"') {
            if (expect == Expect::Key && c == '}') return fail(i_, "`}` after a comma (a comma too many?)");
            return fail(i_, fmt::format("expected a key in double quotes, found {}", shown(i_)));
          }
          std::string key;
          std::string problem = string(&key);
          if (!problem.empty()) return problem;
          stack_.back().key = std::move(key);
          expect = Expect::Colon;
          continue;
        }
        case Expect::Colon:
          if (c != ':') return fail(i_, fmt::format("expected `:` after the key `{}`, found {}", stack_.back().key, shown(i_)));
          ++i_;
          expect = Expect::Value;
          continue;
        case Expect::After: {
          Frame& f = stack_.back();
          if (c == ',') {
            ++i_;
            if (f.object) {
              expect = Expect::Key;
            } else {
              ++f.index;
              while (i_ < s_.size() && is_ws(s_[i_])) ++i_;
              if (i_ < s_.size() && s_[i_] == ']') return fail(i_, "`]` after a comma (a comma too many?)");
              expect = Expect::Value;
            }
            continue;
          }
          if (c == (f.object ? '}' : ']')) {
            close();
            continue;
          }
          if (f.object)
            return fail(i_, fmt::format("expected `,` or `}}` after the value of `{}`, found {}", path(), shown(i_)));
          return fail(i_, fmt::format("expected `,` or `]` after item {} of the list, found {}", f.index, shown(i_)));
        }
      }
    }
  }

 private:
  struct Frame {
    bool object;
    size_t start;
    std::string key;   // object: the current key
    size_t index = 0;  // list: the current item
  };

  size_t first_value() const {
    size_t k = 0;
    while (k < s_.size() && is_ws(s_[k])) ++k;
    return k;
  }

  std::string where(size_t at) const {
    size_t line = 1, line_start = 0;
    for (size_t k = 0; k < at && k < s_.size(); ++k) {
      if (s_[k] == '\n' || (s_[k] == '\r' && (k + 1 >= s_.size() || s_[k + 1] != '\n'))) {
        ++line;
        line_start = k + 1;
      }
    }
    if (multiline_) return fmt::format("line {}, column {}", line, at - line_start + 1);
    return fmt::format("column {}", at - line_start + 1);
  }

  std::string fail(size_t at, const std::string& what) const { return fmt::format("invalid JSON at {}: {}", where(at), what); }

  // The path of the value being read, as a lead's fields are named in messages.
  std::string path() const {
    std::string p;
    for (const Frame& f : stack_) {
      if (f.object) p += (p.empty() ? "" : ".") + f.key;
      else p += fmt::format("[{}]", f.index);
    }
    return p;
  }
  std::string in_field() const {
    std::string p = path();
    return p.empty() ? "" : fmt::format(" in field `{}`", p);
  }

  // A byte that cannot start anything, described; "" if s_[at] is an ordinary character.
  std::string bad_byte(size_t at) const {
    unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c == 0) return "NUL byte";
    if (c < 0x80) return {};
    if (s_.compare(at, 3, "\xEF\xBB\xBF") == 0) return "byte order mark in the middle of the input";
    if (!utf8_length(s_, at)) return fmt::format("invalid UTF-8 (byte 0x{:02X})", c);
    return {};
  }

  // The text at `at`, for "found ...": one character, or the word it starts.
  std::string shown(size_t at) const {
    unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c < 0x20 || c == 0x7F) return fmt::format("the control character 0x{:02X}", c);
    size_t len = c < 0x80 ? 1 : std::max<size_t>(1, utf8_length(s_, at));
    size_t end = at + len;
    auto wordy = [](char x) { return std::isalnum(static_cast<unsigned char>(x)) || x == '_' || x == '.' || x == '+' || x == '-'; };
    if (wordy(s_[at]))
      while (end < s_.size() && end - at < 40 && wordy(s_[end])) ++end;
    return fmt::format("`{}`", s_.substr(at, end - at));
  }

  // "..." at i_: checks escapes, control characters and UTF-8; the decoded key into `key`.
  std::string string(std::string* key) {
    size_t start = i_++;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        if (key) *key = std::string(s_.substr(start + 1, i_ - start - 1));
        ++i_;
        return {};
      }
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) break;
        char e = s_[i_ + 1];
        if (e == 'u') {
          int code = escape_code(i_);
          if (code < 0) return fail(i_, "invalid `\\u` escape in a string (four hex digits must follow)");
          if (code >= 0xDC00 && code <= 0xDFFF) return fail(i_, "invalid `\\u` escape: a low surrogate without a high one before it");
          if (code >= 0xD800 && code <= 0xDBFF) {
            int low = i_ + 6 < s_.size() && s_[i_ + 6] == '\\' ? escape_code(i_ + 6) : -1;
            if (low < 0xDC00 || low > 0xDFFF) return fail(i_, "invalid `\\u` escape: a high surrogate without a low one after it");
            i_ += 6;
          }
          i_ += 6;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          if (e > 0x20 && e < 0x7F) return fail(i_, fmt::format("invalid escape `\\{}` in a string", e));
          return fail(i_, "invalid escape in a string (a backslash before a character that takes none)");
        }
        i_ += 2;
        continue;
      }
      if (c == 0) return fail(i_, "NUL byte in a string");
      if (c < 0x20)
        return fail(i_, fmt::format("the control character 0x{:02X} in a string (write it escaped, like \\n or \\t)", c));
      if (c >= 0x80) {
        size_t len = utf8_length(s_, i_);
        if (!len) return fail(i_, fmt::format("invalid UTF-8 (byte 0x{:02X}) in a string", c));
        i_ += len;
        continue;
      }
      ++i_;
    }
    return fail(start, "a string that starts here never ends");
  }

  // The code of a `\uXXXX` escape at `at`, or -1.
  int escape_code(size_t at) const {
    if (at + 6 > s_.size() || s_[at + 1] != 'u') return -1;
    int v = 0;
    for (size_t k = at + 2; k < at + 6; ++k) {
      int h = hex(s_[k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // A string, number, true, false or null at i_.
  std::string scalar() {
    char c = s_[i_];
    if (c == '"') return string(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    std::string word = shown(i_);
    for (const char* lit : {"true", "false", "null"})
      if (word == fmt::format("`{}`", lit)) {
        i_ += std::string_view(lit).size();
        return {};
      }
    for (const char* odd : {"NaN", "nan", "Infinity", "infinity", "inf", "Inf", "undefined", "None", "True", "False", "NULL", "Null"})
      if (word == fmt::format("`{}`", odd))
        return fail(i_, fmt::format("{}{} is not a JSON value (write null for a missing value, or the text in quotes)", word, in_field()));
    if (c == '\'') return fail(i_, fmt::format("a string in single quotes{} (JSON strings take double quotes)", in_field()));
    return fail(i_, fmt::format("expected a value{}, found {}", in_field(), shown(i_)));
  }

  std::string number() {
    size_t start = i_;
    auto digit = [&](size_t k) { return k < s_.size() && s_[k] >= '0' && s_[k] <= '9'; };
    size_t k = i_;
    bool neg = s_[k] == '-';
    if (neg) ++k;
    std::string bad = fmt::format("invalid number {}{}", shown(start), in_field());
    if (!digit(k)) {
      std::string word = shown(k < s_.size() ? k : start);
      if (word == "`Infinity`" || word == "`inf`")
        return fail(start, fmt::format("`-{}`{} is not a JSON value (write null for a missing value, or the text in quotes)",
                                       word.substr(1, word.size() - 2), in_field()));
      return fail(start, bad);
    }
    if (s_[k] == '0' && digit(k + 1)) return fail(start, bad + " (no leading zeros)");
    while (digit(k)) ++k;
    bool whole = true;
    if (k < s_.size() && s_[k] == '.') {
      whole = false;
      if (!digit(++k)) return fail(start, bad);
      while (digit(k)) ++k;
    }
    if (k < s_.size() && (s_[k] == 'e' || s_[k] == 'E')) {
      whole = false;
      ++k;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (!digit(k)) return fail(start, bad);
      while (digit(k)) ++k;
    }
    std::string text(s_.substr(start, k - start));
    std::string range = fmt::format("number out of range `{}`{}", text.size() > 40 ? text.substr(0, 40) + "..." : text, in_field());
    if (whole) {
      // simdjson keeps whole numbers in 64 bits: from -2^63 to 2^64 - 1.
      errno = 0;
      if (neg) std::strtoll(text.c_str(), nullptr, 10);
      else std::strtoull(text.c_str(), nullptr, 10);
      if (errno == ERANGE) return fail(start, range + " (whole numbers must fit in 64 bits)");
    } else if (std::isinf(std::strtod(text.c_str(), nullptr))) {
      return fail(start, range);
    }
    i_ = k;
    return {};
  }

  std::string_view s_;
  bool multiline_;
  size_t i_ = 0;
  std::vector<Frame> stack_;
  bool top_object_ = true;
};

}  // namespace

std::string explain_json_error(std::string_view text, bool multiline) { return Checker(text, multiline).run(); }

}  // namespace rubric::io
