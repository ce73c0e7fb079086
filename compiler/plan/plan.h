// SPDX-License-Identifier: Apache-2.0
// The scoring plan: the flat, typed program between the checker and every back end (what
// Souffle calls RAM and cel-cpp a planned program). `plan::build` turns a CheckedModel into:
//   - a record layout: the lead and event fields the model reads, with their types;
//   - an event plan, computed once: distinct event filters, queries (a filter and a window),
//     sums and per-event (`each`) rules, and the widest window, all filled by one pass;
//   - programs: one instruction list per event filter, define, rule, disqualifier, tier and the
//     total, in the opcodes of plan/ops.def, each instruction with the source range it came from;
//   - an object table, as data: constants, text sets, page globs, regexes (as patterns), decay
//     settings and host-function signatures.
// Nothing in a plan points into the CheckedModel: it can be printed (`--emit plan`), copied and
// embedded. Executors (runtime/interp) and the lowering run plans, not checked trees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/model.h"

namespace rubric::source {
class SourceManager;
}

namespace rubric::plan {

// Bump when the meaning or the layout of a plan changes.
inline constexpr int kFormatVersion = 2;  // 2: trace slots

enum class Opcode : uint8_t {
#define PLAN_OP(name, operands, result, imm, traced, doc) name,
#include "compiler/plan/ops.def"
#undef PLAN_OP
};
const char* opcode_name(Opcode op);

// What an instruction's immediate is (ops.def's Imm column), for printing it.
enum class Imm : uint8_t {
  None,
  Const,       // objects.constants[arg]
  Lead,        // lead field `arg`
  Event,       // event field `arg`
  Builtin,     // built-in function `arg`
  Host,        // objects.hosts[arg]
  Query,       // events.queries[arg]
  QueryCount,  // events.queries[arg], with the accepted counts lo..hi
  Sum,         // events.sums[arg]
  Score,       // score `arg`
  Cmp,         // the comparison `cmp`
  Texts,       // objects.text_sets[arg]
  Values,      // objects.value_sets[arg]
  Globs,       // objects.globs[arg]
  Regex,       // objects.regexes[arg]
  Span,        // `d` seconds
  Define,      // define `arg`
  Jump,        // instruction `arg`
};
Imm immediate_of(Opcode op);
// Whether an explanation shows the value `op` makes (ops.def's traced column).
bool traced_op(Opcode op);

using check::TypeKind;
using check::Value;

inline constexpr size_t kMaxOperands = 4;  // check::kMaxHostArgs

// One instruction. Its result is register number = its index in the program.
struct Instr {
  Opcode op;
  TypeKind type = TypeKind::Error;  // the result's type (Bool for conditions)
  uint8_t n = 0;                    // operands used
  int32_t in[kMaxOperands] = {-1, -1, -1, -1};
  int32_t arg = -1;                 // a slot, a table index or a jump target, per ops.def
  int64_t lo = 0, hi = 0;           // AnyEvents: the accepted counts
  double d = 0;                     // TimeWithin: the span in seconds
  check::Cmp cmp = check::Cmp::Eq;  // Compare
  bool neg = false;                 // IsMissing, InText, InList, InPages, Between
  int32_t node = -1;                // the checked node it computes (an index into CheckedModel::nodes)
  source::SourceRange range;        // where it is written
};

// One value an explanation shows, recorded by the back end that scored when it explains:
// the value of a checked node (its instruction's register), or how many events a query
// matched. Plan::trace lists them; an explaining run fills one Value per entry.
struct TraceSlot {
  int32_t node = -1;   // the checked node (CheckedModel::nodes index), or -1
  int32_t query = -1;  // EventPlan::queries index, or -1
};

// An instruction list; its result is its last instruction's.
struct Program {
  std::vector<Instr> code;
  // (instruction, trace slot): registers recorded when explaining. A run that records them
  // runs every instruction (no `and`/`or` skips), so each has its value.
  std::vector<std::pair<int32_t, int32_t>> trace;
};

struct FieldUse {
  int index = -1;  // in the model's lead or event schema
  std::string name;
  TypeKind type = TypeKind::Error;
};

// The fields the plan reads. Readers may leave every other field unread.
struct Layout {
  std::vector<FieldUse> lead, event;
};

struct Query {
  int filter = -1;      // EventPlan::filters
  double window = -1;   // seconds before as-of, or -1: no window
};
struct Sum {
  int query = -1;
  int field = -1;  // the event field summed
};
struct Each {
  int score = -1, rule = -1, query = -1;
};

// One pass over each lead's events (oldest first, those after as-of skipped, those older than
// `widest` too) runs every filter once per event and fills, per query, the count and the last
// match, per sum its total, per `each` rule its decayed points.
struct EventPlan {
  std::vector<Program> filters;
  // Per filter, the widest window of its queries (or -1: one has none). A filter need not be
  // tested on an event older than that: no query of it counts the event, so the page tests of
  // a `within 7 days` run on a week of events even when another query reads ninety days.
  std::vector<double> filter_widest;
  std::vector<Query> queries;  // index = the checked model's query index
  std::vector<Sum> sums;
  std::vector<Each> eaches;
  double widest = -1;  // the widest window, or -1 when one query has none
};

struct HostSig {
  std::string name;
  std::vector<TypeKind> args;
  TypeKind result = TypeKind::Error;
};

struct Regex {
  std::string pattern;
  bool case_sensitive = true;
};

struct Objects {
  std::vector<Value> constants;
  std::vector<std::vector<std::string>> text_sets;  // folded case, sorted
  std::vector<std::vector<Value>> value_sets;
  std::vector<std::vector<std::string>> globs;      // folded case
  std::vector<Regex> regexes;
  std::vector<check::Decay> decays;                 // one per score
  std::vector<HostSig> hosts;                       // index = the model's host function index
};

struct Rule {
  std::string label;
  int line = 0;
  source::SourceRange range;
  double points = 0;
  int program = -1;  // a live rule's condition (Plan::programs)
  int each = -1;     // an `each` rule's entry in EventPlan::eaches
  std::optional<double> cap;
  int64_t freq_lo = 1, freq_hi = INT64_MAX;
};

struct Score {
  std::string name;
  std::vector<Rule> rules;
  std::optional<int64_t> floor, ceiling;  // hundredths
  int decay = -1;                         // Objects::decays
};

struct Tier {
  std::string name;
  int program = -1;  // -1: `otherwise`
};

struct TierSet {
  std::string name;
  std::vector<Tier> tiers;
};

struct Disqualifier {
  std::string reason;
  int program = -1;
};

struct Plan {
  std::string name;
  Layout layout;
  EventPlan events;
  Objects objects;
  std::vector<Program> programs;  // every rule, define, disqualifier and tier condition, and the total
  std::vector<int> defines;       // by define slot: its program
  std::vector<std::string> define_names;
  std::vector<Score> scores;
  int total = -1;                 // the total's program, or -1: the sum of the scores
  std::vector<Disqualifier> disqualifiers;
  std::vector<TierSet> tier_sets;
  size_t lead_fields = 0, event_fields = 0;  // the schemas' sizes
  // What an explanation reads (see TraceSlot): first one slot per query (slot q is query q's
  // count), then, for every rule, define, disqualifier and tier program, its result and the
  // results of its value-making instructions (behaviour values, functions, `days since`,
  // `email domain`), as each Program::trace says.
  std::vector<TraceSlot> trace;
};

Plan build(const check::CheckedModel& m);

// A readable dump for `rubric check --emit plan`; `sm` (may be null) turns ranges into lines.
std::string print(const Plan& p, const source::SourceManager* sm);

}  // namespace rubric::plan
