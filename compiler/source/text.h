// Small text helpers shared by every phase: JSON string escaping, ASCII case folding, names.
#pragma once

#include <string>
#include <string_view>

namespace rubric::text {

// Appends `s` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);
// The length of the valid UTF-8 sequence starting at s[i], or 0 if there is none.
size_t utf8_length(std::string_view s, size_t i);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Whether `s` is a C identifier: ASCII letters, digits and _, not starting with a digit.
bool is_identifier(std::string_view s);

}  // namespace rubric::text
