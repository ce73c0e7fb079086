// SPDX-License-Identifier: Apache-2.0
// Prints a Module as indented S-expressions: the `--emit=ast` form compared by golden tests.
#include <fmt/format.h>

#include "compiler/ast/ast.h"
#include "compiler/source/text.h"

namespace rubric::ast {

const char* name(DeclKind k) {
  switch (k) {
#define AST_DECL(n, doc) \
  case DeclKind::n:      \
    return #n;
#include "compiler/ast/ast_kinds.def"
#undef AST_DECL
  }
  return "?";
}

const char* name(ExprKind k) {
  switch (k) {
#define AST_EXPR(n, doc) \
  case ExprKind::n:      \
    return #n;
#include "compiler/ast/ast_kinds.def"
#undef AST_EXPR
  }
  return "?";
}

const char* spelling(Operator op) {
  switch (op) {
#define AST_OP(n, text) \
  case Operator::n:     \
    return text;
#include "compiler/ast/ast_kinds.def"
#undef AST_OP
  }
  return "?";
}

namespace {

std::string num(double d) { return fmt::format("{}", d); }

std::string expr(const Expr* e) {
  if (!e) return "()";
  std::string s = fmt::format("({}", name(e->kind));
  switch (e->kind) {
    case ExprKind::Number:
      s += " " + num(e->number);
      if (!e->text.empty()) s += " " + e->text;
      break;
    case ExprKind::String:
    case ExprKind::Matches:
      s += " " + text::json_string(e->text);
      break;
    case ExprKind::Bool:
      s += e->flag ? " true" : " false";
      break;
    case ExprKind::Phrase:
    case ExprKind::Call:
    case ExprKind::SumOf:
      for (const auto& w : e->words) s += " " + w;
      break;
    case ExprKind::Binary:
    case ExprKind::Compare:
    case ExprKind::Text:
      s += std::string(" ") + spelling(e->op);
      break;
    case ExprKind::Presence:
      s += e->flag ? " present" : " missing";
      break;
    case ExprKind::DaysSince:
      if (e->flag) s += " last";
      break;
    case ExprKind::Total:
    case ExprKind::Neg:
    case ExprKind::CountOf:
    case ExprKind::SetLiteral:
    case ExprKind::Not:
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::In:
    case ExprKind::Between:
    case ExprKind::Activity:
    case ExprKind::Never:
      break;
  }
  if (e->negated) s += " not";
  if (e->icase) s += " ignoring-case";
  if (e->exact_case) s += " matching-case";
  for (const auto& k : e->kids) s += " " + expr(k.get());
  if (e->kind == ExprKind::Activity) {
    if (e->filter) s += " (where " + expr(e->filter.get()) + ")";
    if (e->span) s += " (within " + expr(e->span.get()) + ")";
    if (e->freq.kind != Frequency::Kind::None)
      s += fmt::format(" (times {} {} {})", static_cast<int>(e->freq.kind), e->freq.lo, e->freq.hi);
  }
  return s + ")";
}

}  // namespace

std::string print(const Module& m) {
  std::string out;
  for (const Decl& d : m.decls) {
    out += fmt::format("({}", name(d.kind));
    if (!d.name.empty()) out += " " + text::json_string(d.name);
    if (!d.param.empty()) out += " <" + d.param + ">";
    for (const auto& s : d.strings) out += " " + text::json_string(s);
    if (d.exact_case) out += " matching-case";
    for (const FieldDecl& f : d.fields) {
      out += fmt::format("\n  (field {}{} {}", f.name, f.optional ? " optional" : "",
                         f.type.is_enum ? "enum" : f.type.name);
      if (!f.type.unit.empty()) out += " in " + f.type.unit;
      for (const EnumValue& v : f.type.values) {
        out += " " + v.name;
        if (v.raw) out += "=" + text::json_string(*v.raw);
        if (v.fallback) out += "=otherwise";
      }
      if (f.column) out += " from " + text::json_string(*f.column);
      for (const auto& mv : f.missing) out += " missing " + text::json_string(mv);
      if (f.key) out += " key";
      if (f.decimal_comma) out += " decimal-comma";
      out += ")";
    }
    for (const ScoreOption& o : d.options)
      out += fmt::format("\n  (option {} {} {} {})", static_cast<int>(o.kind), num(o.bound), num(o.percent),
                         expr(o.span.get()));
    for (const Rule& r : d.rules) {
      out += fmt::format("\n  (rule {}{}", num(r.points), r.each ? " each" : "");
      if (r.cap) out += " cap " + num(*r.cap);
      if (r.label) out += " " + text::json_string(*r.label);
      out += " " + expr(r.cond.get()) + ")";
    }
    for (const Tier& t : d.tiers)
      out += fmt::format("\n  (tier {} {})", t.name, t.fallback ? "otherwise" : expr(t.cond.get()));
    for (const Given& g : d.givens) {
      out += fmt::format("\n  (given{}", g.event ? " event" : "");
      for (const Assignment& a : g.fields) out += " " + a.name;
      if (g.event) out += fmt::format(" {} {} ago", num(g.ago), g.unit);
      out += ")";
    }
    for (const Expectation& e : d.expects)
      out += fmt::format("\n  (expect{} {}{})", e.negated ? " not" : "", e.what, e.label ? " " + text::json_string(*e.label) : "");
    for (const Reason& r : d.reasons)
      out += fmt::format("\n  (reason {} {})", text::json_string(r.reason), expr(r.cond.get()));
    if (d.body) out += "\n  " + expr(d.body.get());
    out += ")\n";
  }
  return out;
}

}  // namespace rubric::ast
