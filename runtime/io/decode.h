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
  // decode() for the plain value most values are, when `raw` is one: 1 to 63 ASCII bytes with
  // no NUL and nothing to trim that are a missing text (the model's or the field's own) of an
  // optional field, or a value of a text field, or of a bool, time, enum or number field read
  // as written (yes/no and the other bool words, a time in parse_time's forms, an enum value as
  // listed, a number with a decimal point). False means only "not decided here", never an
  // error: decode() then reads the value, and says what is wrong with it. It skips decode()'s
  // checks, which a plain value passes by construction.
  bool decode_plain(const check::Field& f, std::string_view raw, Value& out) const;
  // A JSON number for field `f`.
  bool decode_number(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const;
  // A number's value for `f` when no text is needed to decide it (Ok, or Bad with `*error` set
  // when `error` is given; `raw` is the number as written, for the message); AsText when `f`
  // reads the number as text (a text or enum field, say). Missing texts are not looked at.
  enum class NumberRead { Ok, Bad, AsText };
  NumberRead number_value(const check::Field& f, double d, std::string_view raw, Value& out, std::string* error) const;
  // Whether a missing text of `f` (its own or the model's) could be a number's text: only then
  // must a number be written out to be compared with them.
  bool numbers_can_be_missing(const check::Field& f) const;
  // A time field read as a number since 1970 (Field::epoch).
  bool epoch_time(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const;

 private:
  // Keys are texts with their case folded (text::fold_case), as text::iequals compares them.
  // A value's folded text → its first index: a flat table probed from an FNV-1a hash (enum
  // texts are short, and a lookup is made for every enum value read).
  class EnumIndex {
   public:
    void add(std::string folded, int64_t index);
    const int64_t* find(std::string_view folded) const;

   private:
    static uint64_t hash(std::string_view s);
    std::vector<std::pair<std::string, int64_t>> slots_;  // empty text: a free slot (a folded value is never empty)
    size_t count_ = 0;
  };
  // The index of `e`'s values by folded text; nullptr when `e` was not indexed (then the
  // caller compares value by value).
  const EnumIndex* index_of(const check::EnumType* e) const;

  const check::CheckedModel& model_;
  // The schemas' enum types (a model has few: a list is searched faster than a map).
  std::vector<std::pair<const check::EnumType*, EnumIndex>> enums_;
  std::vector<std::string> missing_folded_;  // the model's missing texts, trimmed, folded, not empty
  bool missing_has_digit_ = false;           // one of them holds a digit
  uint64_t missing_lengths_ = 0;             // bit n: one of them is n bytes long (n < 64)
};

// Points in hundredths as text: `15`, `-2.5`, `0.25`.
std::string format_points(int64_t cents);
// The same appended to `out`, followed by `then` unless it is '\0' (a delimiter, say).
void append_points(std::string& out, int64_t cents, char then = '\0');

}  // namespace rubric::io
