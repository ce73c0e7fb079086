// SPDX-License-Identifier: Apache-2.0
// The checked model's vocabulary, shared by the compiler and the runtime: names of ops and
// types, rounding to hundredths, look-ups, and the `--emit checked` dump.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "common/model.h"
#include "compiler/source/text.h"

namespace rubric::check {

int EnumType::index_of(std::string_view name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == name) return static_cast<int>(i);
  return -1;
}

int Schema::index_of(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

bool is_builtin_function(std::string_view name) {
  static constexpr const char* kNames[] = {
#define BUILTIN(id, text, result, family, arity, arg) text,
#include "common/builtins.def"
#undef BUILTIN
  };
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

int64_t to_cents(double points) {
  constexpr double kLimit = static_cast<double>(kMaxCents);  // hundredths
  double c = points * 100.0;
  if (!(c == c)) return 0;
  if (c > kLimit) return static_cast<int64_t>(kLimit);
  if (c < -kLimit) return -static_cast<int64_t>(kLimit);
  return std::llround(std::round(c * 1e6) / 1e6);
}

const char* op_name(Op op) {
  switch (op) {
#define OP(name, doc) \
  case Op::name:      \
    return #name;
#include "common/ops.def"
#undef OP
  }
  return "?";
}

std::string type_name(const Type& t) {
  switch (t.kind) {
    case TypeKind::Error: return "error";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Number: return "number";
    case TypeKind::String: return "string";
    case TypeKind::Time: return "time";
    case TypeKind::Duration: return "duration";
    case TypeKind::Enum: return t.enum_type ? "enum " + t.enum_type->field : "enum";
    case TypeKind::Set: return "set";
    case TypeKind::Pages: return "pages";
  }
  return "?";
}

std::string value_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Missing: return "missing";
    case Value::Kind::Bool: return v.b ? "true" : "false";
    case Value::Kind::Int:
    case Value::Kind::Enum: return std::to_string(v.i);
    case Value::Kind::Time: return fmt::format("@{}", v.i);
    case Value::Kind::Number: return fmt::format("{}", v.d);
    case Value::Kind::Duration: return fmt::format("{}s", v.d);
    case Value::Kind::String: return text::json_string(v.s);
  }
  return "?";
}

namespace {

std::string lit(const Value& v) { return value_text(v); }

std::string node(const Node* n) {
  if (!n) return "()";
  std::string s = fmt::format("({}:{}", op_name(n->op), type_name(n->type));
  switch (n->op) {
    case Op::Literal: s += " " + lit(n->lit); break;
    case Op::LeadField:
    case Op::EventField:
    case Op::ScoreRef:
    case Op::Call: s += n->host ? fmt::format(" host {}", n->host->name) : fmt::format(" #{}", n->slot); break;
    case Op::Compare: s += fmt::format(" cmp{}", static_cast<int>(n->cmp)); break;
    case Op::InPages:
      for (const auto& p : n->patterns) s += " " + text::json_string(p);
      break;
    case Op::InSet:
      for (const auto& v : n->set) s += " " + lit(v);
      for (const auto& v : std::set<std::string>(n->string_set.begin(), n->string_set.end())) s += " " + text::json_string(v);
      break;
    case Op::TimeWithin: s += fmt::format(" {}s", n->span_seconds); break;
    case Op::Neg:
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::EmailDomain:
    case Op::CountEvents:
    case Op::SumEvents:
    case Op::DaysSinceLast:
    case Op::DaysSinceTime:
    case Op::TotalRef:
    case Op::Not:
    case Op::And:
    case Op::Or:
    case Op::IsMissing:
    case Op::Between:
    case Op::Contains:
    case Op::StartsWith:
    case Op::EndsWith:
    case Op::Matches:
    case Op::AnyEvents:
    case Op::Truthy:
    case Op::Define: break;
  }
  if (n->op == Op::Define) return s + fmt::format(" #{})", n->slot);  // its body is printed once, with the defines
  if (n->negated) s += " negated";
  if (n->exact_case) s += " matching-case";
  if (n->query) {
    s += fmt::format(" (query window={} filter={})", n->query->window_seconds, node(n->query->filter));
    if (n->op == Op::AnyEvents) s += fmt::format(" freq={}..{}", n->freq_lo, n->freq_hi);
  }
  for (const Node* k : n->kids) s += " " + node(k);
  return s + ")";
}

}  // namespace

std::string print(const CheckedModel& m) {
  std::string out = fmt::format("model {}\n", text::json_string(m.name));
  for (size_t i = 0; i < m.lead.fields.size(); ++i) {
    const Field& f = m.lead.fields[i];
    out += fmt::format("lead #{} {} : {}{} from {}\n", i, f.name, f.optional ? "optional " : "", type_name(f.type),
                       text::json_string(f.column));
  }
  for (size_t i = 0; i < m.event.fields.size(); ++i) {
    const Field& f = m.event.fields[i];
    out += fmt::format("event #{} {} : {}{}\n", i, f.name, f.optional ? "optional " : "", type_name(f.type));
  }
  for (const Node* d : m.defines)
    out += fmt::format("define #{} {} {}\n", d->slot, m.define_names[d->slot], node(d->kids[0]));
  for (const Score& s : m.scores) {
    out += fmt::format("score {}", s.name);
    if (s.ceiling) out += fmt::format(" ceiling={}", *s.ceiling);
    if (s.floor) out += fmt::format(" floor={}", *s.floor);
    if (s.decay.kind != Decay::Kind::None)
      out += fmt::format(" decay={} period={}s fraction={}", s.decay.kind == Decay::Kind::HalfLife ? "half-life" : "linear",
                         s.decay.period_seconds, s.decay.fraction);
    out += "\n";
    for (const Rule& r : s.rules) {
      out += fmt::format("  rule {} {}{}", text::json_string(r.label), r.points, r.each ? " each" : "");
      if (r.cap) out += fmt::format(" cap={}", *r.cap);
      if (r.each)
        out += fmt::format(" (query window={} filter={}) freq={}..{}\n", r.query->window_seconds, node(r.query->filter),
                           r.freq_lo, r.freq_hi);
      else
        out += " " + node(r.cond) + "\n";
    }
  }
  out += "total " + (m.total ? node(m.total) : std::string("(sum of scores)")) + "\n";
  for (const Disqualifier& d : m.disqualifiers) out += fmt::format("disqualify {} {}\n", text::json_string(d.reason), node(d.cond));
  for (const TierSet& t : m.tier_sets) {
    out += fmt::format("tiers {}\n", t.name);
    for (const Tier& x : t.tiers) out += fmt::format("  {} {}\n", x.name, x.cond ? node(x.cond) : "otherwise");
  }
  return out;
}

}  // namespace rubric::check
