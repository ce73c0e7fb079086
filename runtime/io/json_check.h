// SPDX-License-Identifier: Apache-2.0
// Says where and what is wrong with text that simdjson refused as JSON: simdjson only says that
// something is ("improper structure"), so a bad record is read again by this small checker.
#pragma once

#include <string>
#include <string_view>

namespace rubric::io {

// The first problem in `text` read as exactly one JSON value, as a message like "invalid JSON at
// column 17: NUL byte" (with `multiline`, "at line 2, column 5"), or "" if there is none.
// Columns count bytes from 1. Never recurses, so any nesting depth is safe.
std::string explain_json_error(std::string_view text, bool multiline);

}  // namespace rubric::io
