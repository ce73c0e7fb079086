// SPDX-License-Identifier: Apache-2.0
// ISO 8601 times as seconds since 1970-01-01T00:00:00Z: the forms Rubric reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rubric::io {

// Times are milliseconds since 1970-01-01T00:00:00Z (check::kMsPerSecond per second), so that
// fractions of a second in the data are kept: an event at 00:00:00.5 comes after 00:00:00.
//
// Accepts `2026-11-01`, `2026-11-01T09:30`, `2026-11-01T09:30:00`, `2026-11-01 09:30:00.250`,
// each with an optional `Z` or `+02:00` / `-0500` offset (none means UTC). A fraction of a second
// is kept to the millisecond (digits after the third are dropped). Returns nothing for anything
// else (`false`), including impossible dates.
bool parse_time(std::string_view s, int64_t& ms);
inline std::optional<int64_t> parse_time(std::string_view s) {
  int64_t ms;
  return parse_time(s, ms) ? std::optional<int64_t>(ms) : std::nullopt;
}
// `2026-11-01T09:30:00Z`, or `2026-11-01T09:30:00.250Z` when the time has milliseconds.
std::string format_time(int64_t ms);

}  // namespace rubric::io
