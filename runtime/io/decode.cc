// SPDX-License-Identifier: Apache-2.0
// Raw text → typed Value, with messages that say what was expected and what was found.
#include "runtime/io/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "compiler/source/text.h"
#include "runtime/io/limits.h"
#include "runtime/io/time.h"

namespace rubric::io {

using check::TypeKind;

namespace {

// Makes `out` a value of `kind` other than text, as `out = Value::integer(i)` and the like would,
// but in place: its string keeps its buffer for the next text, and no Value is made and moved.
inline bool set_scalar(Value& out, Value::Kind kind, int64_t i = 0, double d = 0, bool b = false) {
  out.kind = kind;
  out.b = b;
  out.i = i;
  out.d = d;
  out.s.clear();
  return true;
}

// Whether `s` holds a NUL byte: a plain loop for the short values most fields hold (a call to
// memchr costs more than it saves on them), memchr beyond.
inline bool has_nul(std::string_view s) {
  if (s.size() > 64) return std::memchr(s.data(), 0, s.size()) != nullptr;
  unsigned char any = 1;
  for (char c : s) any &= c != 0;
  return !any;
}

// Eight and four bytes from `s` as a number, for comparing and hashing short texts.
inline uint64_t load8(const char* s) {
  uint64_t v;
  std::memcpy(&v, s, 8);
  return v;
}
inline uint64_t load4(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

// Whether a and b are the same text: for the short texts compared per value (enum values,
// missing texts, yes and no), by overlapping loads in place of a call to memcmp.
inline bool same_text(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char *p = a.data(), *q = b.data();
  if (n > 16) return std::memcmp(p, q, n) == 0;
  if (n >= 8) return load8(p) == load8(q) && load8(p + n - 8) == load8(q + n - 8);
  if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
  return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
}

bool has_digit(std::string_view s) { return s.find_first_of("0123456789") != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double& d) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(d);
}

// A number written with a decimal comma (`decimal comma`): `15000,50`, `-1234,5`, and thousands
// in groups of three after a space, a no-break space (U+00A0, U+202F), a dot or an apostrophe,
// one kind per number: `15 000,50`, `15.000,50`, `1'234'567`. `1.5` is no such number.
bool parse_decimal_comma(std::string_view s, double& d) {
  std::string plain;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) plain += s[i++];
  std::string_view sep;  // the separator this number uses, once seen
  int group = 0;         // digits since the last separator
  bool grouped = false, any = false;
  while (i < s.size() && s[i] != ',') {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      plain += c;
      ++group;
      any = true;
      ++i;
      continue;
    }
    std::string_view here = s.substr(i, c == ' ' || c == '.' || c == '\'' ? 1
                                         : s.substr(i).starts_with("\xC2\xA0")     ? 2
                                         : s.substr(i).starts_with("\xE2\x80\xAF") ? 3
                                                                                 : 0);
    if (here.empty() || (!sep.empty() && here != sep)) return false;
    if (group == 0 || group > 3 || (grouped && group != 3)) return false;  // 1-3 digits first, then threes
    sep = here;
    grouped = true;
    group = 0;
    i += here.size();
  }
  if (!any || (grouped && group != 3)) return false;
  if (i < s.size()) {  // the comma, then at least one digit
    ++i;
    if (i == s.size()) return false;
    plain += '.';
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      plain += s[i];
    }
  }
  return parse_double(plain, d);
}

std::string shown(std::string_view raw) {
  constexpr size_t kMax = 40;
  size_t cut = std::min(raw.size(), kMax);
  while (cut > 0 && cut < raw.size() && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;  // not mid-character
  std::string s(raw.substr(0, cut));
  return text::json_string(s) + (raw.size() > cut ? "..." : "");
}

// Text into `out`, reusing the buffer its string already has (records are read into the same
// objects again and again).
void set_text(Value& out, std::string_view raw) {
  out.kind = Value::Kind::String;
  out.s.assign(raw.data(), raw.size());
}

}  // namespace

Decoder::Decoder(const check::CheckedModel& model) : model_(model) {
  // Enum values are found by their folded text, as iequals compares: one lookup per value read
  // instead of a comparison per value of the type.
  for (const check::Schema* schema : {&model.lead, &model.event})
    for (const check::Field& f : schema->fields) {
      const check::EnumType* e = f.type.enum_type;
      if (!f.type.is(TypeKind::Enum) || !e || index_of(e)) continue;
      enums_.emplace_back(e, EnumIndex());
      EnumIndex& index = enums_.back().second;
      for (size_t i = 0; i < e->values.size(); ++i)
        index.add(text::fold_case(e->raw[i] ? trim(*e->raw[i]) : std::string_view(e->values[i])), static_cast<int64_t>(i));
    }
  for (const auto& m : model.missing_values)
    if (std::string_view t = trim(m); !t.empty()) {
      missing_folded_.push_back(text::fold_case(t));
      missing_has_digit_ |= has_digit(t);
      if (missing_folded_.back().size() < 64) missing_lengths_ |= uint64_t{1} << missing_folded_.back().size();
    }
}

uint64_t Decoder::EnumIndex::hash(std::string_view s) {
  // Enum values are short: up to 16 bytes are read as two overlapping loads, as same_text does,
  // and mixed with multiplications (a byte at a time cost 4% of reading a CSV file of them).
  const size_t n = s.size();
  const char* p = s.data();
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = load8(p);
    b = load8(p + n - 8);
    for (size_t i = 8; i + 8 < n; i += 8) a = (a ^ load8(p + i)) * 0x9E3779B97F4A7C15ull;  // past 16 bytes
  } else if (n >= 4) {
    a = load4(p);
    b = load4(p + n - 4);
  } else if (n > 0) {
    a = static_cast<unsigned char>(p[0]) | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  uint64_t h = (a ^ n) * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full;
  return h ^ (h >> 29);
}

void Decoder::EnumIndex::add(std::string folded, int64_t index) {
  if (folded.empty() || find(folded)) return;  // the first value wins
  if (2 * (count_ + 1) > slots_.size()) {       // at most half full: grow, and place every value again
    std::vector<std::pair<std::string, int64_t>> old(std::bit_ceil(std::max<size_t>(8, 4 * (count_ + 1))));
    old.swap(slots_);
    count_ = 0;
    for (auto& [text, i] : old)
      if (!text.empty()) add(std::move(text), i);
  }
  size_t mask = slots_.size() - 1;  // a power of two
  size_t at = hash(folded) & mask;
  while (!slots_[at].first.empty()) at = (at + 1) & mask;
  slots_[at] = {std::move(folded), index};
  ++count_;
}

const int64_t* Decoder::EnumIndex::find(std::string_view folded) const {
  if (slots_.empty()) return nullptr;
  size_t mask = slots_.size() - 1;
  for (size_t at = hash(folded) & mask;; at = (at + 1) & mask) {
    const auto& [text, i] = slots_[at];
    if (text.empty()) return nullptr;
    if (same_text(text, folded)) return &i;
  }
}

const Decoder::EnumIndex* Decoder::index_of(const check::EnumType* e) const {
  for (const auto& [type, index] : enums_)
    if (type == e) return &index;
  return nullptr;
}

namespace {

// `s` with its case folded, into this thread's buffer.
std::string_view folded(std::string_view s) {
  thread_local std::string buf;
  text::fold_case_into(buf, s);
  return buf;
}

}  // namespace

bool Decoder::is_missing(const check::Field& f, std::string_view raw) const {
  raw = trim(raw);
  if (raw.empty()) return true;
  // (An empty missing text, `""`, is the case above: skipped, it would cost a comparison that
  // reads all of every value.) Folded texts of different lengths differ: most values are
  // told apart by their length alone.
  if (!missing_folded_.empty()) {
    // The value folded, once, if needed: at once, on the stack, when it is short ASCII text as
    // long as a missing text (folding keeps ASCII's length); beyond ASCII, where folding can
    // change a length, when a missing text's length differs from its own. Otherwise texts of
    // its length are compared ignoring case (iequals' ASCII pass, in step).
    char buf[64];
    std::string_view raw_folded;
    if (raw.size() < sizeof buf && (missing_lengths_ >> raw.size() & 1) && text::fold_ascii_into(buf, sizeof buf, raw))
      raw_folded = std::string_view(buf, raw.size());
    for (const std::string& m : missing_folded_) {
      if (raw_folded.data() ? same_text(raw_folded, m)
          : m.size() == raw.size() ? text::iequals(raw, m)
                                   : !text::is_ascii(raw) && (raw_folded = folded(raw)) == m)
        return true;
    }
  }
  for (const auto& m : f.missing)
    if (std::string_view t = trim(m); !t.empty() && text::iequals(t, raw)) return true;
  return false;
}

// What an epoch time field counts: "seconds" or "milliseconds".
static const char* epoch_unit(const check::Field& f) { return f.unit_seconds == 1 ? "seconds" : "milliseconds"; }

// A number of seconds or milliseconds since 1970 (`time in milliseconds`), to the millisecond below.
bool Decoder::epoch_time(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const {
  double secs = d * f.unit_seconds;
  // Years 1 to 9999, as for dates written out.
  if (!(secs >= -62135596800.0 && secs < 253402300800.0)) {
    error = fmt::format("{} {} since 1970 is not a date between the years 1 and 9999", shown(raw),
                        epoch_unit(f));
    return false;
  }
  // Milliseconds are whole numbers: counted exactly, seconds to the millisecond below.
  // (Seconds written with a fraction, like 1317422324.546, are binary fractions: a product just
  // below a whole millisecond by rounding noise is that millisecond.)
  double x = f.unit_seconds == 1 ? d * 1000.0 : d;
  double near = std::round(x);
  double ms = std::fabs(x - near) <= 1e-3 ? near : std::floor(x);
  out = Value::time(static_cast<int64_t>(ms));
  return true;
}

Decoder::NumberRead Decoder::number_value(const check::Field& f, double d, std::string_view raw, Value& out,
                                          std::string* error) const {
  switch (f.type.kind) {
    case TypeKind::Int:
      if (d != std::floor(d)) {
        if (error) *error = fmt::format("expected a whole number, found {}", raw);
        return NumberRead::Bad;
      }
      if (std::abs(d) > 9e15) {
        if (error) *error = fmt::format("{} is too large for a whole number (at most 9000000000000000)", raw);
        return NumberRead::Bad;
      }
      set_scalar(out, Value::Kind::Int, static_cast<int64_t>(d));
      return NumberRead::Ok;
    case TypeKind::Number: set_scalar(out, Value::Kind::Number, 0, d); return NumberRead::Ok;
    case TypeKind::Duration: set_scalar(out, Value::Kind::Duration, 0, d * f.unit_seconds); return NumberRead::Ok;
    case TypeKind::Bool:
      if (d == 0 || d == 1) {
        set_scalar(out, Value::Kind::Bool, 0, 0, d == 1);
        return NumberRead::Ok;
      }
      return NumberRead::AsText;
    case TypeKind::Time: {
      if (!f.epoch) return NumberRead::AsText;  // a date and time is text: its decoding says what was expected
      std::string scratch;
      return epoch_time(f, d, raw, out, error ? *error : scratch) ? NumberRead::Ok : NumberRead::Bad;
    }
    // A text field holds the number as written; the others are decoded from its text.
    case TypeKind::String:
    case TypeKind::Enum:
    case TypeKind::Error:
    case TypeKind::Set:
    case TypeKind::Pages: return NumberRead::AsText;
  }
  return NumberRead::AsText;
}

bool Decoder::numbers_can_be_missing(const check::Field& f) const {
  if (missing_has_digit_) return true;
  return std::any_of(f.missing.begin(), f.missing.end(), [](const std::string& m) { return has_digit(m); });
}

bool Decoder::decode_number(const check::Field& f, double d, std::string_view raw, Value& out, std::string& error) const {
  // `missing "-1"` applies to a JSON number as much as to CSV text.
  if (is_missing(f, raw)) {
    out = Value::missing();
    return true;
  }
  switch (number_value(f, d, raw, out, &error)) {
    case NumberRead::Ok: return true;
    case NumberRead::Bad: return false;
    case NumberRead::AsText: return decode(f, raw, out, error);
  }
  return false;
}

namespace {

// The bool a trimmed text reads as, ignoring case: 1 for true, 0 for false, -1 for neither.
int bool_word(std::string_view t) {
  // ASCII text is told by its length and letters (a letter with bit 0x20 set is lower case; only
  // letters are compared so); other text is compared ignoring case the general way (folding
  // may change its length: `yeſ` is yes).
  const size_t n = t.size();
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  bool ascii = true;
  for (size_t i = 0; i < n; ++i) ascii &= p[i] < 0x80;
  if (ascii) {
    auto is = [&](std::string_view word) {
      for (size_t i = 0; i < n; ++i)
        if ((p[i] | 0x20) != static_cast<unsigned char>(word[i])) return false;
      return true;
    };
    switch (n) {
      case 1: return p[0] == '1' || (p[0] | 0x20) == 'y' ? 1 : p[0] == '0' || (p[0] | 0x20) == 'n' ? 0 : -1;
      case 2: return is("no") ? 0 : -1;
      case 3: return is("yes") ? 1 : -1;
      case 4: return is("true") ? 1 : -1;
      case 5: return is("false") ? 0 : -1;
      default: return -1;
    }
  }
  static constexpr std::string_view kWords[] = {"true", "yes", "y", "1", "false", "no", "n", "0"};
  for (size_t k = 0; k < std::size(kWords); ++k)
    if (text::iequals(t, kWords[k])) return k < 4;
  return -1;
}

}  // namespace

bool Decoder::decode_plain(const check::Field& f, std::string_view raw, Value& out) const {
  const size_t n = raw.size();
  if (n == 0 || n >= 64) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  if (p[0] <= ' ' || p[n - 1] <= ' ') return false;  // something to trim, or a control byte
  unsigned char odd = 0;  // a NUL, or a byte beyond ASCII
  for (size_t i = 0; i < n; ++i) odd |= static_cast<unsigned char>((p[i] == 0) | (p[i] >> 7));
  if (odd) return false;
  // A missing text (the model's or the field's own) of an optional field reads as missing; a
  // required field's is left to decode(), whose caller says that it is missing. Most values are
  // told apart from the model's missing texts by their length alone (see is_missing).
  if (((missing_lengths_ >> n & 1) || !f.missing.empty()) && is_missing(f, raw)) return f.optional && set_scalar(out, Value::Kind::Missing, 0);
  switch (f.type.kind) {
    case TypeKind::String: set_text(out, raw); return true;
    case TypeKind::Time: {
      int64_t ms;
      return parse_time(raw, ms) && set_scalar(out, Value::Kind::Time, ms);
    }
    case TypeKind::Enum: {
      const EnumIndex* index = index_of(f.type.enum_type);
      const int64_t* i = index ? index->find(raw) : nullptr;  // as listed; other text is folded by decode()
      return i && set_scalar(out, Value::Kind::Enum, *i);
    }
    case TypeKind::Int:
    case TypeKind::Number:
    case TypeKind::Duration: {
      // Whole numbers of up to 15 digits (exact in a double) are read here, faster than from_chars.
      double d;
      if (f.decimal_comma) return false;
      size_t i = p[0] == '-';
      int64_t whole = 0;
      if (n <= 15)
        for (; i < n && p[i] >= '0' && p[i] <= '9'; ++i) whole = whole * 10 + (p[i] - '0');
      if (i == n && n > size_t{p[0] == '-'}) d = p[0] == '-' ? -static_cast<double>(whole) : static_cast<double>(whole);  // -0 too
      else if (!parse_double(raw, d)) return false;
      return number_value(f, d, raw, out, nullptr) == NumberRead::Ok;
    }
    case TypeKind::Bool: {
      int b = bool_word(raw);
      if (b < 0) return false;
      return set_scalar(out, Value::Kind::Bool, 0, 0, b == 1);
    }
    case TypeKind::Error:
    case TypeKind::Set:
    case TypeKind::Pages: return false;
  }
  return false;
}

bool Decoder::decode(const check::Field& f, std::string_view raw, Value& out, std::string& error) const {
  // Doubtful text is refused, never silently cut or kept: a NUL byte comes from a damaged or
  // binary file (or a UTF-16 one), and a huge value from a broken quote or an attack.
  if (raw.size() > kMaxFieldBytes) {
    error = fmt::format("the value is longer than the limit of {} ({} bytes) for one value", kMaxFieldText, kMaxFieldBytes);
    return false;
  }
  if (has_nul(raw)) {
    error = fmt::format("the text holds a NUL byte (at position {}; a damaged or binary file?)", raw.find('\0') + 1);
    return false;
  }
  if (is_missing(f, raw)) {
    out = Value::missing();
    return true;
  }
  std::string_view t = trim(raw);
  switch (f.type.kind) {
    case TypeKind::String: set_text(out, raw); return true;
    case TypeKind::Bool: {
      if (int b = bool_word(t); b >= 0) return set_scalar(out, Value::Kind::Bool, 0, 0, b == 1);
      error = fmt::format("expected yes or no (true/false, 1/0), found {}", shown(raw));
      return false;
    }
    case TypeKind::Int:
    case TypeKind::Number:
    case TypeKind::Duration: {
      double d;
      if (f.decimal_comma ? !parse_decimal_comma(t, d) : !parse_double(t, d)) {
        error = f.decimal_comma ? fmt::format("expected a number with a decimal comma, like 15 000,50, found {}", shown(raw))
                                : fmt::format("expected a number, found {}", shown(raw));
        return false;
      }
      return decode_number(f, d, t, out, error);
    }
    case TypeKind::Time: {
      int64_t ms;
      const bool ok = parse_time(t, ms);
      if (!ok && f.epoch) {
        double d;
        if (f.decimal_comma ? parse_decimal_comma(t, d) : parse_double(t, d)) return epoch_time(f, d, raw, out, error);
      }
      if (!ok) {
        error = f.epoch ? fmt::format("expected {} since 1970 or a time like 2026-11-01T09:30:00Z, found {}",
                                      epoch_unit(f), shown(raw))
                        : fmt::format("expected a time like 2026-11-01T09:30:00Z, found {}", shown(raw));
        return false;
      }
      out = Value::time(ms);
      return true;
    }
    case TypeKind::Enum: {
      const check::EnumType& e = *f.type.enum_type;
      if (const EnumIndex* index = index_of(&e)) {
        // Text found as it is was already folded (folding twice changes nothing), as data
        // mostly is; other text is folded, short ASCII text on the stack.
        const int64_t* i = index->find(t);
        char buf[32];
        if (!i) i = index->find(text::fold_ascii_into(buf, sizeof buf, t) ? std::string_view(buf, t.size()) : folded(t));
        if (i) {
          out = Value::enumeration(*i);
          return true;
        }
      } else {
        for (size_t i = 0; i < e.values.size(); ++i) {
          if (e.raw[i] ? text::iequals(trim(*e.raw[i]), t) : text::iequals(e.values[i], t)) {
            out = Value::enumeration(static_cast<int64_t>(i));
            return true;
          }
        }
      }
      if (e.fallback >= 0) {
        out = Value::enumeration(e.fallback);
        return true;
      }
      std::string all;
      for (size_t i = 0; i < e.values.size() && i < 8; ++i)
        all += (i ? ", " : "") + (e.raw[i] ? text::json_string(*e.raw[i]) : e.values[i]);
      error = fmt::format("{} is not one of the values of `{}` ({}{})", shown(raw), f.name, all, e.values.size() > 8 ? ", ..." : "");
      return false;
    }
    // No field has these types (they are the types of conditions, sets and page groups).
    case TypeKind::Error:
    case TypeKind::Set:
    case TypeKind::Pages: error = "this field cannot be read"; return false;
  }
  return false;
}

bool value_is_text(std::string_view raw) { return raw.size() <= kMaxFieldBytes && raw.find('\0') == std::string_view::npos; }

void append_points(std::string& out, int64_t cents, char then) {
  // Written backwards into `text`, then appended at once (a score column is a handful of bytes,
  // and each append of its own cost a call and a check of the string's room).
  uint64_t a = cents < 0 ? static_cast<uint64_t>(-(cents + 1)) + 1 : static_cast<uint64_t>(cents);
  char text[32];
  char* const e = text + sizeof text;
  char* d = e;
  if (then) *--d = then;
  uint64_t whole = a / 100, frac = a % 100;
  if (frac) {
    if (frac % 10) *--d = static_cast<char>('0' + frac % 10);
    *--d = static_cast<char>('0' + frac / 10);
    *--d = '.';
  }
  do *--d = static_cast<char>('0' + whole % 10);
  while (whole /= 10);
  if (cents < 0) *--d = '-';
  out.append(d, static_cast<size_t>(e - d));
}

std::string format_points(int64_t cents) {
  std::string s;
  append_points(s, cents);
  return s;
}

}  // namespace rubric::io
