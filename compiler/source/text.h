// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by every phase: JSON string escaping, Unicode case folding (utf8proc),
// names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rubric::text {

// Appends `s` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);
// The length of the valid UTF-8 sequence starting at s[i], or 0 if there is none.
size_t utf8_length(std::string_view s, size_t i);
// Whether every byte of `s` is ASCII (below 0x80): the fast path of every case-insensitive test.
bool is_ascii(std::string_view s);
// The Unicode simple case folding of one character (CaseFolding.txt, statuses C and S, from
// utf8proc): `Ł` → `ł`, `Д` → `д`, `ẞ` → `ß`, `K` (Kelvin) → `k`; a character without a simple
// folding (`ß`, `İ`) is itself.
char32_t fold_char(char32_t c);
// `s` with every character replaced by its simple case folding; bytes that are not valid UTF-8
// are kept as they are. Two texts are equal ignoring case when their foldings are equal.
std::string fold_case(std::string_view s);
// The same into `out` (replacing its contents, reusing its buffer).
void fold_case_into(std::string& out, std::string_view s);
// fold_case of `s` written into `buf` (of `size` bytes), when `s` is ASCII and fits: Unicode
// folds ASCII as lower case. False otherwise (`buf` is then unspecified): use fold_case.
bool fold_ascii_into(char* buf, size_t size, std::string_view s);
// `s` with every character replaced by its lower (upper) case form, one for one (utf8proc):
// the `lower` and `upper` built-ins and `X domain`.
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
// Equal after simple case folding (`Łódź` and `ŁÓDŹ`; `Straße` and `STRASSE` are not).
bool iequals(std::string_view a, std::string_view b);
// The shape of a page glob (`*` matches any run of characters): `*text*`, `text*` and `*text`
// are the text tests contains, starts with and ends with on `text`, which have fast paths;
// any other glob is matched as a glob. Decided once per glob, when a model is planned or
// compiled, not per page tested.
enum class GlobShape : uint8_t { Contains, Prefix, Suffix, Other };
struct GlobParts {
  GlobShape shape;
  std::string_view text;  // the literal text; for Other, the whole glob
};
GlobParts glob_parts(std::string_view glob);
// Whether `s` is a C identifier: ASCII letters, digits and _, not starting with a digit.
bool is_identifier(std::string_view s);

}  // namespace rubric::text
