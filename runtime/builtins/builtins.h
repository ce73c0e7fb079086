// SPDX-License-Identifier: Apache-2.0
// Native built-in functions (common/builtins.def), one family per file, each with one
// registration function, and the text helpers the interpreter's operators share with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/model.h"
#include "compiler/source/text.h"

namespace rubric::builtins {

using check::Value;
// Arguments are never missing when called: a missing argument makes the call missing.
using BuiltinFn = Value (*)(const Value* args, int64_t as_of);

constexpr int kBuiltinCount = 0
#define BUILTIN(id, name, result, family, arity, arg) +1
#include "common/builtins.def"
#undef BUILTIN
    ;

struct Registry {
  BuiltinFn fns[kBuiltinCount] = {};
};

void register_strings(Registry& r);
void register_math(Registry& r);
void register_time(Registry& r);
// The filled table, built once; thread-safe.
const Registry& registry();

// Text tests ignoring case (Unicode simple case folding, text::fold_case) used by `contains`,
// `starts with`, `ends with`; ASCII texts take a fast path that copies nothing.
bool contains_icase(std::string_view hay, std::string_view needle);
bool starts_with_icase(std::string_view s, std::string_view prefix);
bool ends_with_icase(std::string_view s, std::string_view suffix);
// contains_icase for a needle known when the model is compiled to be ASCII, folded (lower
// case) and 1 to 64 bytes long, which it does not check again: the page globs and `contains`
// literals of compiled code.
bool contains_folded_ascii(std::string_view hay, std::string_view needle);
// `*` matches any run of characters; `pattern` is already folded (text::fold_case), `text` need not be.
bool glob_match(std::string_view pattern, std::string_view text);
// The same, comparing bytes as written (`pages name: "/Pricing*" matching case`).
bool glob_match_exact(std::string_view pattern, std::string_view text);
// Either of the above, on a glob already taken apart (text::glob_parts): its `*text*`, `text*`
// and `*text` shapes are the text tests, with no look at the pattern per call.
bool glob_match(text::GlobParts glob, std::string_view text, bool exact);
// Whether `s`, case-folded, is in `set` (whose strings are folded with text::fold_case);
// allocates nothing once warm, so it can run once per record.
bool in_lower_set(const std::unordered_set<std::string>& set, std::string_view s);
// The part after the last `@`, in lower case (text::to_lower); empty when there is no `@`.
std::string email_domain(std::string_view email);

}  // namespace rubric::builtins
