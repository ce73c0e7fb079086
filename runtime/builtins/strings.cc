// SPDX-License-Identifier: Apache-2.0
// String built-ins (lower, upper, trim, length, domain) and the case-insensitive text helpers
// (Unicode simple case folding, with an ASCII fast path).
#include <algorithm>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::builtins {

namespace {

inline char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The tests below compare bytes after folding A-Z. That is exact for ASCII texts, and for texts
// already folded with text::fold_case (folding is then a no-op, and UTF-8 is self-synchronising,
// so a byte match is a character match). So each public test runs them directly when both texts
// are ASCII (the fast path: no copy), and otherwise on the texts' Unicode foldings.

// Knuth-Morris-Pratt over case-folded bytes: linear in both lengths, for long needles where the
// simple scan below could take needle x haystack steps ("aaa...ab" in "aaaa...").
bool contains_kmp(std::string_view hay, std::string_view needle) {
  std::string pat(needle.size(), '\0');
  for (size_t i = 0; i < needle.size(); ++i) pat[i] = fold(needle[i]);
  std::vector<size_t> fail(pat.size(), 0);
  for (size_t i = 1, k = 0; i < pat.size(); ++i) {
    while (k > 0 && pat[i] != pat[k]) k = fail[k - 1];
    if (pat[i] == pat[k]) ++k;
    fail[i] = k;
  }
  for (size_t i = 0, k = 0; i < hay.size(); ++i) {
    char c = fold(hay[i]);
    while (k > 0 && c != pat[k]) k = fail[k - 1];
    if (c == pat[k] && ++k == pat.size()) return true;
  }
  return false;
}

bool contains_folded(std::string_view hay, std::string_view needle) {
  // Scans for the needle's first letter in either case, then compares the rest folded: this
  // runs for every page of every event, so it avoids a generic search with a callback. Its
  // worst case is needle x haystack steps, so needles longer than a page path go to KMP.
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  if (needle.size() > 64) return contains_kmp(hay, needle);
  char lo = fold(needle[0]);
  char up = (lo >= 'a' && lo <= 'z') ? static_cast<char>(lo - 'a' + 'A') : lo;
  size_t last = hay.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (hay[i] != lo && hay[i] != up) continue;
    size_t k = 1;
    while (k < needle.size() && fold(hay[i + k]) == fold(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool equals_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

bool starts_folded(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && equals_folded(s.substr(0, p.size()), p);
}

bool ends_folded(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && equals_folded(s.substr(s.size() - p.size()), p);
}

// A glob of any shape (glob_match routes the usual shapes to the text tests first): an
// iterative matcher with one backtrack point, never exponential. `same` compares two bytes.
template <class Same>
bool glob_with(std::string_view pat, std::string_view s, Same same) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < s.size()) {
    if (p < pat.size() && pat[p] != '*' && same(pat[p], s[t])) {
      ++p;
      ++t;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool glob_folded(std::string_view pat, std::string_view s) {
  return glob_with(pat, s, [](char a, char b) { return fold(a) == fold(b); });
}

// Runs `test` on the texts' foldings: the slow path, for texts beyond ASCII. The fold buffers
// are this thread's own; no test calls another public one, so they are never in use twice.
template <class Test>
bool on_folded(std::string_view a, std::string_view b, Test test) {
  thread_local std::string fa, fb;
  text::fold_case_into(fa, a);
  text::fold_case_into(fb, b);
  return test(std::string_view(fa), std::string_view(fb));
}

inline bool high(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// The ASCII fast paths compare ASCII bytes in place and leave for the folded texts at the first
// byte beyond ASCII they meet. A decision taken on ASCII bytes alone is final: only the Kelvin
// sign and the long s fold into ASCII, and both are bytes beyond it.
enum class Fast { False, True, Unicode };

// `needle`: ASCII, 1 to 64 bytes.
Fast contains_fast_short(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return Fast::False;  // an ASCII match takes a byte per letter at least
  char lo = fold(needle[0]);
  char up = (lo >= 'a' && lo <= 'z') ? static_cast<char>(lo - 'a' + 'A') : lo;
  size_t last = hay.size() - needle.size();
  auto matches_at = [&](size_t i) {
    size_t k = 1;
    while (k < needle.size() && fold(hay[i + k]) == fold(needle[k])) ++k;
    return k == needle.size();
  };
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time (page tests run on every event): where the needle's first letter
  // is, in either case, and whether a byte beyond ASCII is there (then the folded texts decide).
  const __m128i vlo = _mm_set1_epi8(lo), vup = _mm_set1_epi8(up);
  for (; i + 16 <= hay.size() && i <= last; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i));
    if (_mm_movemask_epi8(x)) return Fast::Unicode;
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, vlo), _mm_cmpeq_epi8(x, vup))));
    for (; m; m &= m - 1) {
      size_t at = i + static_cast<size_t>(__builtin_ctz(m));
      if (at > last) break;
      if (matches_at(at)) return Fast::True;
    }
  }
#endif
  for (; i <= last; ++i) {
    char c = hay[i];
    if (high(c)) return Fast::Unicode;
    if (c != lo && c != up) continue;
    if (matches_at(i)) return Fast::True;
  }
  for (i = std::max(i, last + 1); i < hay.size(); ++i)
    if (high(hay[i])) return Fast::Unicode;
  return Fast::False;
}

Fast contains_fast(std::string_view hay, std::string_view needle) {
  if (!text::is_ascii(needle)) return Fast::Unicode;
  if (needle.empty()) return Fast::True;
  if (needle.size() > 64) return text::is_ascii(hay) ? Fast(contains_kmp(hay, needle)) : Fast::Unicode;
  return contains_fast_short(hay, needle);
}

Fast starts_fast(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return text::is_ascii(p) ? Fast::False : Fast::Unicode;
  for (size_t i = 0; i < p.size(); ++i) {
    if (high(s[i]) || high(p[i])) return Fast::Unicode;
    if (fold(s[i]) != fold(p[i])) return Fast::False;
  }
  return Fast::True;
}

Fast ends_fast(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return text::is_ascii(p) ? Fast::False : Fast::Unicode;
  size_t off = s.size() - p.size();
  for (size_t i = p.size(); i-- > 0;) {
    if (high(s[off + i]) || high(p[i])) return Fast::Unicode;
    if (fold(s[off + i]) != fold(p[i])) return Fast::False;
  }
  return Fast::True;
}

}  // namespace

bool contains_icase(std::string_view hay, std::string_view needle) {
  Fast f = contains_fast(hay, needle);
  return f == Fast::Unicode ? on_folded(hay, needle, contains_folded) : f == Fast::True;
}

bool contains_folded_ascii(std::string_view hay, std::string_view needle) {
  Fast f = contains_fast_short(hay, needle);
  return f == Fast::Unicode ? on_folded(hay, needle, contains_folded) : f == Fast::True;
}

bool starts_with_icase(std::string_view s, std::string_view p) {
  Fast f = starts_fast(s, p);
  return f == Fast::Unicode ? on_folded(s, p, starts_folded) : f == Fast::True;
}

bool ends_with_icase(std::string_view s, std::string_view p) {
  Fast f = ends_fast(s, p);
  return f == Fast::Unicode ? on_folded(s, p, ends_folded) : f == Fast::True;
}

bool glob_match(text::GlobParts g, std::string_view s, bool exact) {
  switch (g.shape) {
    case text::GlobShape::Contains: return exact ? s.find(g.text) != std::string_view::npos : contains_icase(s, g.text);
    case text::GlobShape::Prefix: return exact ? s.starts_with(g.text) : starts_with_icase(s, g.text);
    case text::GlobShape::Suffix: return exact ? s.ends_with(g.text) : ends_with_icase(s, g.text);
    case text::GlobShape::Other: break;
  }
  if (exact) return glob_with(g.text, s, [](char a, char b) { return a == b; });
  // The pattern was folded when the model was checked; only the text may need it.
  if (text::is_ascii(s)) return glob_folded(g.text, s);
  thread_local std::string fs;
  text::fold_case_into(fs, s);
  return glob_folded(g.text, fs);
}

bool glob_match(std::string_view pat, std::string_view s) { return glob_match(text::glob_parts(pat), s, false); }

bool glob_match_exact(std::string_view pat, std::string_view s) { return glob_match(text::glob_parts(pat), s, true); }

bool in_lower_set(const std::unordered_set<std::string>& set, std::string_view s) {
  thread_local std::string key;
  text::fold_case_into(key, s);
  return set.count(key) > 0;
}

std::string email_domain(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return {};
  return text::to_lower(email.substr(at + 1));
}

static Value lower(const Value* a, int64_t) { return Value::string(text::to_lower(a[0].s)); }
static Value upper(const Value* a, int64_t) { return Value::string(text::to_upper(a[0].s)); }
static Value trim(const Value* a, int64_t) {
  std::string_view s = a[0].s;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return Value::string(std::string(s));
}
static Value length(const Value* a, int64_t) {
  // Characters, not bytes: count UTF-8 lead bytes.
  int64_t n = 0;
  for (unsigned char c : a[0].s) n += (c & 0xC0) != 0x80;
  return Value::integer(n);
}
static Value domain(const Value* a, int64_t) {
  std::string d = email_domain(a[0].s);
  return d.empty() ? Value::missing() : Value::string(std::move(d));
}

void register_strings(Registry& r) {
  using B = check::Builtin;
  r.fns[static_cast<int>(B::Lower)] = lower;
  r.fns[static_cast<int>(B::Upper)] = upper;
  r.fns[static_cast<int>(B::Trim)] = trim;
  r.fns[static_cast<int>(B::Length)] = length;
  r.fns[static_cast<int>(B::Domain)] = domain;
}

const Registry& registry() {
  static const Registry r = [] {
    Registry x;
    register_strings(x);
    register_math(x);
    register_time(x);
    return x;
  }();
  return r;
}

}  // namespace rubric::builtins
