// SPDX-License-Identifier: Apache-2.0
// CheckedModel: what the checker produces and every back end consumes. Names are resolved to
// slots, types are known, regexes are compiled, and each rule keeps its source location.
// It lives in common/ (library rubric_model) so that the runtime reads it without the checker;
// its namespace is still rubric::check.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "compiler/source/source.h"

namespace re2 {
class RE2;
}

namespace rubric::check {

using source::SourceRange;

enum class TypeKind : uint8_t { Error, Bool, Int, Number, String, Time, Duration, Enum, Set, Pages };

struct EnumType {
  std::string field;                            // the field it belongs to, for messages
  std::vector<std::string> values;              // value names, index = runtime value
  std::vector<std::optional<std::string>> raw;  // raw text per value
  int fallback = -1;                            // the `otherwise` value, or -1
  int index_of(std::string_view name) const;
};

struct Type {
  TypeKind kind = TypeKind::Error;
  const EnumType* enum_type = nullptr;  // Enum, and Set of enum
  TypeKind elem = TypeKind::Error;      // Set element type
  bool is(TypeKind k) const { return kind == k; }
  bool numeric() const { return kind == TypeKind::Int || kind == TypeKind::Number; }
};

std::string type_name(const Type& t);

// Times are milliseconds since 1970-01-01T00:00:00Z, so that fractions of a second in the data
// are kept; durations are seconds (a double). The embedding API takes and gives seconds.
inline constexpr int64_t kMsPerSecond = 1000;
inline constexpr int64_t kMsPerDay = 86400 * kMsPerSecond;
// The APIs' whole seconds as milliseconds, held to the years 1 to 9999 as times in data are (so
// that no later arithmetic on them can overflow), and milliseconds as seconds, rounded down.
inline int64_t ms_from_seconds(int64_t secs) {
  constexpr int64_t kFirst = -62135596800, kLast = 253402300799;  // 0001-01-01, 9999-12-31T23:59:59
  return (secs < kFirst ? kFirst : secs > kLast ? kLast : secs) * kMsPerSecond;
}
// Milliseconds held to the same years.
inline int64_t ms_in_range(int64_t ms) {
  constexpr int64_t kFirst = -62135596800 * kMsPerSecond, kLast = 253402300799 * kMsPerSecond + 999;
  return ms < kFirst ? kFirst : ms > kLast ? kLast : ms;
}
inline int64_t seconds_from_ms(int64_t ms) {
  int64_t q = ms / kMsPerSecond;
  return ms % kMsPerSecond < 0 ? q - 1 : q;
}

// A scalar value: a field of a record, a constant, or an intermediate result.
// Time is milliseconds since 1970-01-01T00:00:00Z; Duration is seconds; Enum is the value's index.
struct Value {
  enum class Kind : uint8_t { Missing, Bool, Int, Number, String, Time, Duration, Enum };
  Kind kind = Kind::Missing;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;

  static Value missing() { return {}; }
  static Value boolean(bool v) { Value x; x.kind = Kind::Bool; x.b = v; return x; }
  static Value integer(int64_t v) { Value x; x.kind = Kind::Int; x.i = v; return x; }
  static Value number(double v) { Value x; x.kind = Kind::Number; x.d = v; return x; }
  static Value string(std::string v) { Value x; x.kind = Kind::String; x.s = std::move(v); return x; }
  static Value time(int64_t ms) { Value x; x.kind = Kind::Time; x.i = ms; return x; }
  static Value duration(double secs) { Value x; x.kind = Kind::Duration; x.d = secs; return x; }
  static Value enumeration(int64_t idx) { Value x; x.kind = Kind::Enum; x.i = idx; return x; }
  bool is_missing() const { return kind == Kind::Missing; }
  // Int, Number, Duration and Time as a double.
  double as_double() const { return kind == Kind::Int || kind == Kind::Time || kind == Kind::Enum ? double(i) : d; }
};

enum class Op : uint8_t {
#define OP(name, doc) name,
#include "common/ops.def"
#undef OP
};
const char* op_name(Op op);

enum class Builtin : uint8_t {
#define BUILTIN(id, name, result, family, arity, arg) id,
#include "common/builtins.def"
#undef BUILTIN
};

enum class Cmp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

struct Node;

// Which events a behaviour counts: those passing `filter` (a condition over one event) whose
// timestamp lies within `window_seconds` before as-of (no window when negative).
struct EventQuery {
  const Node* filter = nullptr;
  double window_seconds = -1;
};

// A function the embedding program provides (rubric::ModelBuilder::function), called as
// `name(args)` like a built-in. `fn` is never given a missing argument (the call is missing
// then) and returns a value of `result`'s kind, or missing. Thread-safe, never throws.
struct HostFunction {
  std::string name;
  std::vector<TypeKind> args;  // Bool, Int, Number (Int accepted), String or Time
  TypeKind result;
  std::function<Value(const Value* args, size_t n)> fn;
};
using HostFunctions = std::vector<HostFunction>;
inline constexpr size_t kMaxHostArgs = 4;  // the most operands of any value operation

// One checked expression. Owned by its CheckedModel; immutable after checking.
struct Node {
  Op op;
  Type type;
  SourceRange range;
  std::vector<const Node*> kids;
  Value lit;                       // Literal
  int slot = -1;                   // LeadField, EventField, SumEvents, ScoreRef; Builtin id for Call
  const HostFunction* host = nullptr;  // Call of a host function (slot unused)
  Cmp cmp = Cmp::Eq;               // Compare
  bool negated = false;            // IsMissing, InSet, InPages, Between
  bool exact_case = false;         // Contains, StartsWith, EndsWith, InPages, a Pages literal: `matching case`
  const EventQuery* query = nullptr;  // CountEvents, SumEvents, DaysSinceLast, AnyEvents
  int64_t freq_lo = 1, freq_hi = std::numeric_limits<int64_t>::max();  // AnyEvents
  double span_seconds = 0;         // TimeWithin
  std::vector<Value> set;          // InSet items (strings lower-cased)
  std::unordered_set<std::string> string_set;  // InSet over strings, lower case
  std::vector<std::string> patterns;           // InPages globs, case-folded (as written when exact_case)
  std::shared_ptr<const re2::RE2> regex;       // Matches
};

struct Field {
  std::string name;
  std::string column;  // the source column / JSON key
  Type type;
  bool optional = false;
  std::vector<std::string> missing;  // raw texts meaning missing, besides the model's
  double unit_seconds = 1;           // Duration: seconds per raw unit; Time when `epoch`: the same, per raw number
  bool epoch = false;                // Time: also read as a number since 1970 (`time in seconds`, `time in milliseconds`)
  bool decimal_comma = false;        // Int, Number, Duration, epoch Time: text like `15 000,50` (`decimal comma`)
  bool raw = false;                  // a String passed through as written (`--keep`): no missing values, trimming or checks
  SourceRange range;
};

struct Schema {
  std::vector<Field> fields;
  int index_of(std::string_view name) const;
};

struct Decay {
  enum class Kind { None, HalfLife, Linear } kind = Kind::None;
  double period_seconds = 0;  // half-life, or the linear period
  double fraction = 0;        // Linear: share lost per whole period
};

struct Rule {
  std::string label;        // the user's label, or the condition's source text
  std::string text;         // the rule's source line
  SourceRange range;
  SourceRange points_range; // the points as written: `+5 each, at most 20`
  int line = 0;             // the rule's line in its file, for explanations
  double points = 0;
  bool each = false;        // per-event: `query` counts events, `cond` is null
  std::optional<double> cap;
  const Node* cond = nullptr;          // live rules
  const EventQuery* query = nullptr;   // each rules
  int64_t freq_lo = 1, freq_hi = std::numeric_limits<int64_t>::max();  // each rules
};

struct Score {
  std::string name;
  SourceRange range;
  std::vector<Rule> rules;
  std::optional<double> ceiling, floor;
  Decay decay;
};

struct Tier {
  std::string name;
  SourceRange range;
  const Node* cond = nullptr;  // null for `otherwise`
};

struct TierSet {
  std::string name;
  std::vector<Tier> tiers;
};

struct Disqualifier {
  std::string reason;
  SourceRange range;
  const Node* cond = nullptr;
  int line = 0;  // its line in the model's file, for reports
};

// A test case written beside the rules (`test "name":`), with names checked against the model.
struct TestCase {
  std::string name;
  SourceRange range;
  int line = 0;
  std::string as_of;  // ISO 8601 text
  struct Field {
    std::string column;  // the JSON key the field is read from
    Value::Kind kind;    // Number, String, Bool (names are strings)
    double number = 0;
    std::string text;
    bool flag = false;
  };
  std::vector<Field> lead;
  struct GivenEvent {
    std::vector<Field> fields;
    double seconds_ago = 0;
  };
  std::vector<GivenEvent> events;
  struct Expect {
    enum class Kind { Score, Total, Tier, Disqualified, Fired } kind;
    int index = -1;  // the score or tier set
    bool negated = false;
    double number = 0;  // Score, Total
    std::string text;   // Tier name, disqualification reason (empty: any), rule label
    std::string source; // the expectation as written
    int line = 0;
  };
  std::vector<Expect> expects;
};

// The checked, immutable form of a model. Safe to share between threads once built.
struct CheckedModel {
  std::string name;
  Schema lead;
  Schema event;
  bool has_events = false;
  int key_field = -1;
  int event_kind_field = -1;
  int event_time_field = -1;
  // The column (or JSON key) of a flat events file (`--events`) naming each event's lead: an
  // `event:` field marked `key`, else the lead key's column. Not an event field.
  std::string event_key_column;
  std::vector<std::string> missing_values;  // raw texts meaning missing for every field
  std::vector<Score> scores;
  const Node* total = nullptr;  // null: the sum of all scores
  std::vector<TierSet> tier_sets;
  std::vector<Disqualifier> disqualifiers;
  std::vector<TestCase> tests;
  std::shared_ptr<const HostFunctions> host_functions;  // what Call nodes' `host` point into
  // The `define`d conditions in use, as Define nodes (slot = index), each after those it uses.
  // A define used many times is one node: the model is a graph, and every back end evaluates a
  // define once per lead, so its cost never multiplies with the number of uses.
  std::vector<const Node*> defines;
  std::vector<std::string> define_names;  // by slot

  // All the rules of all scores (the length of RbCall::rules, and what sizes a model).
  size_t rule_count() const {
    size_t n = 0;
    for (const Score& s : scores) n += s.rules.size();
    return n;
  }

  std::deque<Node> nodes;
  std::deque<EventQuery> queries;
  std::deque<EnumType> enums;
};

// Points in hundredths, rounded half away from zero: the one rounding rule of the language,
// used by every back end. Binary noise below a millionth of a cent is removed first, so that
// 1.005 rounds to 1.01; results saturate at ±10^13 points so that sums cannot overflow.
int64_t to_cents(double points);
// The largest score, total or rule result in hundredths (10^13 points): to_cents saturates
// there, and sums of rules and of scores (added in 128 bits) are clamped to it.
inline constexpr int64_t kMaxCents = 1'000'000'000'000'000;
inline int64_t saturate_cents(__int128 sum) {
  return sum > kMaxCents ? kMaxCents : sum < -kMaxCents ? -kMaxCents : static_cast<int64_t>(sum);
}

// Whether `name` is a built-in function (builtins.def); host functions may not take such names.
bool is_builtin_function(std::string_view name);

// A value as `--emit` dumps show it: "text" quoted, @milliseconds for times, 30s for durations.
std::string value_text(const Value& v);

// A readable dump of the checked model for `rubric check --emit=checked`.
std::string print(const CheckedModel& m);

}  // namespace rubric::check
