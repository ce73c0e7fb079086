// SPDX-License-Identifier: Apache-2.0
// Line diffs of two texts in the unified layout of `diff -u`, for `rubric fmt --diff`.
#pragma once

#include <string>
#include <string_view>

namespace rubric::io {

// The changes from `before` to `after` as `--- a` / `+++ b` headers and `@@` hunks with
// `context` lines around each change; empty when the texts are equal. A last line without a
// newline is marked `\ No newline at end of file`, as diff does.
std::string unified_diff(std::string_view before, std::string_view after, std::string_view before_name,
                         std::string_view after_name, int context = 3);

}  // namespace rubric::io
