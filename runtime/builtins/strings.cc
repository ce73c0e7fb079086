// String built-ins (lower, upper, trim, length, domain) and the case-insensitive text helpers.
#include <algorithm>
#include <string>
#include <vector>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::builtins {

namespace {
inline char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

namespace {
// Knuth-Morris-Pratt over case-folded bytes: linear in both lengths, for long needles where the
// simple scan below could take needle x haystack steps ("aaa...ab" in "aaaa...").
bool contains_icase_kmp(std::string_view hay, std::string_view needle) {
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
}  // namespace

bool contains_icase(std::string_view hay, std::string_view needle) {
  // Scans for the needle's first letter in either case, then compares the rest folded: this
  // runs for every page of every event, so it avoids a generic search with a callback. Its
  // worst case is needle x haystack steps, so needles longer than a page path go to KMP.
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  if (needle.size() > 64) return contains_icase_kmp(hay, needle);
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

bool starts_with_icase(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && text::iequals(s.substr(0, p.size()), p);
}

bool ends_with_icase(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && text::iequals(s.substr(s.size() - p.size()), p);
}

bool glob_match(std::string_view pat, std::string_view s) {
  // The usual page patterns, `*text*`, `text*` and `*text`, are plain case-insensitive searches.
  if (pat.size() >= 2 && pat.find('*', 1) == pat.size() - 1) {
    if (pat.front() == '*') return contains_icase(s, pat.substr(1, pat.size() - 2));
    return starts_with_icase(s, pat.substr(0, pat.size() - 1));
  }
  if (pat.size() >= 1 && pat.front() == '*' && pat.find('*', 1) == std::string_view::npos)
    return ends_with_icase(s, pat.substr(1));
  // Anything else: an iterative matcher with one backtrack point, never exponential.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < s.size()) {
    if (p < pat.size() && pat[p] != '*' && fold(pat[p]) == fold(s[t])) {
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

bool in_lower_set(const std::unordered_set<std::string>& set, std::string_view s) {
  thread_local std::string key;
  key.assign(s.data(), s.size());
  for (char& c : key) c = fold(c);
  return set.count(key) > 0;
}

std::string email_domain(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return {};
  return text::to_lower(email.substr(at + 1));
}

static Value lower(const Value* a, int64_t) { return Value::string(text::to_lower(a[0].s)); }
static Value upper(const Value* a, int64_t) {
  std::string s = a[0].s;
  for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return Value::string(std::move(s));
}
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
