// SPDX-License-Identifier: Apache-2.0
// Turns raw input values (CSV cells, JSON strings) into typed Values by a field's declaration:
// missing-value texts, bools as yes/no, enums by name or raw text, ISO 8601 times, durations.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>
#include <string_view>

#include "common/model.h"

namespace rubric::io {

// Whether a raw value is text that merely has the wrong form for its field (it can be read as
// missing in an optional field), not damaged text: no NUL byte, within the size limit.
bool value_is_text(std::string_view raw);

using check::Value;

class Decoder {
 public:
  explicit Decoder(const check::CheckedModel& model);
  // Whether `raw` means missing for `f`: empty, or one of the model's or the field's missing
  // texts (compared after trimming spaces, ignoring case).
  bool is_missing(const check::Field& f, std::string_view raw) const;
  // Decodes `raw`; on failure returns false and says why in `error` (no field name in it). Text
  // over kMaxFieldBytes or holding a NUL byte is refused.
  bool decode(const check::Field& f, std::string_view raw, Value& out, std::string& error) const;
  // A JSON number for field `f`.
  bool decode_number(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const;
  // A time field read as a number since 1970 (Field::epoch).
  bool epoch_time(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const;

 private:
  // Keys are texts with their case folded (text::fold_case), as text::iequals compares them.
  struct EnumIndex {
    std::unordered_map<std::string, int64_t> by_folded;  // a value's text → its first index
  };
  // The index of `e`'s values by folded text; nullptr when `e` was not indexed (then the
  // caller compares value by value).
  const EnumIndex* index_of(const check::EnumType* e) const;

  const check::CheckedModel& model_;
  std::unordered_map<const check::EnumType*, EnumIndex> enums_;  // the schemas' enum types
  std::vector<std::string> missing_folded_;  // the model's missing texts, trimmed, folded, not empty
};

// Points in hundredths as text: `15`, `-2.5`, `0.25`.
std::string format_points(int64_t cents);

}  // namespace rubric::io
