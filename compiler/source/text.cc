// SPDX-License-Identifier: Apache-2.0
// JSON escaping, Unicode case helpers (utf8proc) and identifiers.
#include "compiler/source/text.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace rubric::text {

size_t utf8_length(std::string_view s, size_t i) {
  auto cont = [&](size_t k) { return k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char d = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F)) return 0;  // overlong, surrogates
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char d = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) return 0;
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    // A run of bytes that stand for themselves (most of a value) goes in with one append.
    size_t plain = i;
    while (plain < s.size()) {
      const unsigned char b = static_cast<unsigned char>(s[plain]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
      ++plain;
    }
    out.append(s.data() + i, plain - i);
    if (plain == s.size()) break;
    i = plain;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // JSON must be UTF-8: a byte that does not start a valid sequence becomes U+FFFD.
      size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {  // the other control characters
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out += '"';
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

static char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_ascii(std::string_view s) {
  // Eight bytes at a time: this runs on every text a comparison sees.
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) return false;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  return true;
}

namespace {

char32_t fold_char_slow(char32_t c) {
  utf8proc_int32_t seq[4];
  int boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), seq, 4, UTF8PROC_CASEFOLD, &boundclass);
  if (n == 1) return static_cast<char32_t>(seq[0]);
  if (n <= 0) return c;  // not a character (a surrogate, beyond U+10FFFF)
  // utf8proc folds fully (`ẞ` → `ss`); the simple folding of such a character is its lower case
  // form where that is one character (`ẞ` → `ß`), except `İ`, whose only simple folding is the
  // Turkic one (status T), which Rubric does not use.
  if (c == 0x130) return c;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

// The foldings of the Basic Multilingual Plane (where they stay), worked out once: 128 KiB that
// make folding a non-ASCII letter a table look-up.
const std::vector<char16_t>& bmp_folds() {
  static const std::vector<char16_t> table = [] {
    std::vector<char16_t> t(0x10000);
    for (char32_t c = 0; c < 0x10000; ++c) {
      char32_t f = fold_char_slow(c);
      t[c] = static_cast<char16_t>(f < 0x10000 ? f : c);
    }
    return t;
  }();
  return table;
}

}  // namespace

char32_t fold_char(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
  if (c < 0x10000) return bmp_folds()[c];
  return fold_char_slow(c);
}

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Applies `map` to every character of `s`, appending to `out`; invalid UTF-8 bytes are kept.
template <class Map>
void map_chars(std::string& out, std::string_view s, Map map) {
  out.clear();
  out.reserve(s.size() + s.size() / 2);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(map(c));
      ++i;
      continue;
    }
    size_t n = utf8_length(s, i);
    if (n == 0) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    char32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    append_utf8(out, map(cp));
    i += n;
  }
}

}  // namespace

void fold_case_into(std::string& out, std::string_view s) {
  // One pass for ASCII text; the first byte beyond ASCII starts over with the Unicode mapping.
  out.assign(s.data(), s.size());
  for (char& c : out) {
    if (static_cast<unsigned char>(c) >= 0x80) return map_chars(out, s, fold_char);
    c = lower_ascii(c);
  }
}

bool fold_ascii_into(char* buf, size_t size, std::string_view s) {
  if (s.size() > size) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
    buf[i] = lower_ascii(s[i]);
  }
  return true;
}

std::string fold_case(std::string_view s) {
  std::string out;
  fold_case_into(out, s);
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out;
  map_chars(out, s, [](char32_t c) -> char32_t {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
    return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
  });
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out;
  map_chars(out, s, [](char32_t c) -> char32_t {
    if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
    return static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c)));
  });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  // ASCII fast path, in step over both texts. An ASCII mismatch before any other byte is final:
  // the characters before it are the same ASCII ones on both sides. Only beyond ASCII can texts
  // of different byte lengths be equal (the Kelvin sign K folds to k).
  size_t n = std::min(a.size(), b.size()), i = 0;
  for (; i < n; ++i) {
    if ((static_cast<unsigned char>(a[i]) | static_cast<unsigned char>(b[i])) >= 0x80) break;
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  if (i == n) {
    if (a.size() == b.size()) return true;
    if (is_ascii(a.size() > n ? a.substr(n) : b.substr(n))) return false;
  }
  thread_local std::string fa, fb;
  fold_case_into(fa, a);
  fold_case_into(fb, b);
  return fa == fb;
}

GlobParts glob_parts(std::string_view g) {
  if (g.size() >= 2 && g.find('*', 1) == g.size() - 1)
    return g.front() == '*' ? GlobParts{GlobShape::Contains, g.substr(1, g.size() - 2)} : GlobParts{GlobShape::Prefix, g.substr(0, g.size() - 1)};
  if (!g.empty() && g.front() == '*' && g.find('*', 1) == std::string_view::npos) return {GlobShape::Suffix, g.substr(1)};
  return {GlobShape::Other, g};
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace rubric::text
