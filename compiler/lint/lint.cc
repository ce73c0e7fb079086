// SPDX-License-Identifier: Apache-2.0
// The lint phase: semantic checks on a model that compiles but probably does not say what was
// meant. Reads the user's AST (for names and texts) and the checked model (for meaning).
#include "compiler/lint/lint.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <re2/re2.h>
#include <set>

namespace rubric::lint {

using check::Node;
using check::Op;
using diag::Kind;

namespace {

class Linter {
 public:
  Linter(const ast::Module& mod, const check::CheckedModel& m, const source::SourceManager& sm)
      : mod_(mod), m_(m), sm_(sm) {}

  diag::DiagnosticList run() {
    for (const check::Score& s : m_.scores) {
      std::map<std::string, int> seen;  // condition text → line
      for (const check::Rule& r : s.rules) {
        if (r.cond) walk(r.cond);
        impossible(r.cond ? r.cond : r.query->filter, r.range);
        if (r.each && r.query->filter) walk(r.query->filter);
        over_ceiling(s, r);
        past_decay(s, r);
        std::string cond = normalized(rule_condition_text(r));
        if (auto it = seen.find(cond); it != seen.end()) {
          add(Kind::L0104, r.range, fmt::format("`{}` is already counted in `{}` by the rule on line {}", cond, s.name, it->second));
        } else {
          seen[cond] = r.line;
        }
      }
    }
    for (const check::Disqualifier& d : m_.disqualifiers) {
      walk(d.cond);
      impossible(d.cond, d.range);
    }
    for (const check::TierSet& t : m_.tier_sets) unreachable_tiers(t);
    unused_names();
    diag::DiagnosticList out;
    for (const diag::Diagnostic& d : found_.items())
      if (!silenced(d)) {
        diag::Diagnostic& copy = out.add(d.kind, d.range, d.message);
        copy.notes = d.notes;
      }
    out.sort_by_location();
    return out;
  }

 private:
  void add(Kind k, source::SourceRange r, std::string msg, std::string help = {}) {
    found_.add(k, r, std::move(msg));
    if (!help.empty()) found_.help(std::move(help));
  }

  std::string text(source::SourceRange r) const { return std::string(sm_.text(r)); }
  static std::string normalized(std::string s) {
    std::string out;
    for (char c : s) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }
  std::string rule_condition_text(const check::Rule& r) const {
    std::string t = r.text;
    size_t colon = t.rfind(':');
    // The condition is the text before the `:` that precedes the points.
    for (size_t i = t.size(); i-- > 0;)
      if (t[i] == ':' && i + 1 < t.size()) {
        std::string rest = t.substr(i + 1);
        size_t k = rest.find_first_not_of(' ');
        if (k != std::string::npos && (rest[k] == '+' || rest[k] == '-')) {
          colon = i;
          break;
        }
      }
    return colon == std::string::npos ? t : t.substr(0, colon);
  }

  // A `# lint:ignore L0105` (or the lint's name) on the finding's line silences it.
  bool silenced(const diag::Diagnostic& d) const {
    if (!d.range.valid()) return false;
    const source::SourceFile& f = sm_.file(d.range.file);
    std::string_view line = f.line_text(f.line_col(d.range.begin).line);
    size_t at = line.find("lint:ignore");
    if (at == std::string_view::npos) return false;
    std::string_view rest = line.substr(at);
    const diag::KindInfo& info = diag::info(d.kind);
    return rest.find(info.id) != std::string_view::npos || rest.find(info.name) != std::string_view::npos;
  }

  // Node-level lints: literal regexes, reversed `between`, empty sets.
  void walk(const Node* n) {
    if (!n) return;
    if (n->op == Op::Define && !walked_defines_.insert(n).second) return;  // a shared define: once
    if (n->op == Op::Matches && n->regex) {
      const std::string& p = n->regex->pattern();
      if (p.find_first_of("\\.^$|?*+()[]{}") == std::string::npos)
        add(Kind::L0106, n->range, fmt::format("the pattern \"{}\" has no special characters", p),
            fmt::format("write `contains \"{}\"`, which also ignores case", p));
    }
    if (n->op == Op::Between && n->kids[1]->op == Op::Literal && n->kids[2]->op == Op::Literal &&
        n->kids[1]->lit.as_double() > n->kids[2]->lit.as_double())
      add(Kind::L0107, n->range, fmt::format("`{}` has its bounds the wrong way round, so it is never true", text(n->range)),
          "write the smaller bound first");
    if (n->op == Op::InSet && n->set.empty() && n->string_set.empty())
      add(Kind::L0109, n->range, fmt::format("`{}` tests an empty set, so it is {} true", text(n->range), n->negated ? "always" : "never"));
    for (const Node* k : n->kids) walk(k);
  }

  // Bounds a conjunction puts on one numeric field: an empty interval means it can never hold.
  struct Bounds {
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    bool lo_open = false, hi_open = false;
    std::vector<std::string> parts;
    std::set<int64_t> equals;  // enum or bool values required
  };
  // The parts of a conjunction, seeing through defines (each define once: they may be shared).
  static void conjuncts(const Node* n, std::vector<const Node*>& out, std::set<const Node*>& seen) {
    if (n->op == Op::Define) {
      if (seen.insert(n).second) conjuncts(n->kids[0], out, seen);
    } else if (n->op == Op::And) {
      conjuncts(n->kids[0], out, seen);
      conjuncts(n->kids[1], out, seen);
    } else {
      out.push_back(n);
    }
  }
  void impossible(const Node* cond, source::SourceRange rule) {
    if (!cond) return;
    std::vector<const Node*> parts;
    std::set<const Node*> seen;
    conjuncts(cond, parts, seen);
    std::map<int, Bounds> fields;
    for (const Node* p : parts) {
      if (p->op == Op::Compare && p->kids[0]->op == Op::LeadField && p->kids[1]->op == Op::Literal) {
        Bounds& b = fields[p->kids[0]->slot];
        const check::Value& v = p->kids[1]->lit;
        b.parts.push_back(text(p->range));
        if (v.kind == check::Value::Kind::Enum || v.kind == check::Value::Kind::Bool) {
          if (p->cmp == check::Cmp::Eq) b.equals.insert(v.kind == check::Value::Kind::Bool ? v.b : v.i);
          continue;
        }
        if (v.kind == check::Value::Kind::String) continue;
        double x = v.as_double();
        switch (p->cmp) {
          case check::Cmp::Gt: if (x >= b.lo) { b.lo = x; b.lo_open = true; } break;
          case check::Cmp::Ge: if (x > b.lo) { b.lo = x; b.lo_open = false; } break;
          case check::Cmp::Lt: if (x <= b.hi) { b.hi = x; b.hi_open = true; } break;
          case check::Cmp::Le: if (x < b.hi) { b.hi = x; b.hi_open = false; } break;
          case check::Cmp::Eq:
            if (x > b.lo || (x == b.lo && !b.lo_open)) { b.lo = x; b.lo_open = false; }
            if (x < b.hi || (x == b.hi && !b.hi_open)) { b.hi = x; b.hi_open = false; }
            break;
          case check::Cmp::Ne: break;
        }
      } else if (p->op == Op::Between && !p->negated && p->kids[0]->op == Op::LeadField && p->kids[1]->op == Op::Literal &&
                 p->kids[2]->op == Op::Literal) {
        Bounds& b = fields[p->kids[0]->slot];
        b.parts.push_back(text(p->range));
        if (p->kids[1]->lit.as_double() > b.lo) { b.lo = p->kids[1]->lit.as_double(); b.lo_open = false; }
        if (p->kids[2]->lit.as_double() < b.hi) { b.hi = p->kids[2]->lit.as_double(); b.hi_open = false; }
      }
    }
    for (const auto& [slot, b] : fields) {
      bool empty = b.lo > b.hi || (b.lo == b.hi && (b.lo_open || b.hi_open)) || b.equals.size() > 1;
      if (!empty || b.parts.size() < 2) continue;
      std::string all;
      for (size_t i = 0; i < b.parts.size(); ++i) all += (i ? (i + 1 == b.parts.size() ? " and " : ", ") : "") + ("`" + b.parts[i] + "`");
      add(Kind::L0101, rule, fmt::format("this can never fire: {} cannot all be true", all),
          fmt::format("check the bounds on `{}`", m_.lead.fields[slot].name));
    }
  }

  void over_ceiling(const check::Score& s, const check::Rule& r) {
    if (!s.ceiling) return;
    double most = r.each ? (r.cap ? *r.cap : std::numeric_limits<double>::infinity()) : r.points;
    if (r.points <= 0 || most <= *s.ceiling) return;
    if (r.each && !r.cap) return;  // uncapped per-event points: the ceiling is what limits them
    add(Kind::L0103, r.range, fmt::format("this rule alone can give {} points, and `{}` stops at {}", most, s.name, *s.ceiling),
        "lower the points or the cap, or raise the ceiling");
  }

  void past_decay(const check::Score& s, const check::Rule& r) {
    if (!r.each || !r.query || r.query->window_seconds < 0 || s.decay.kind == check::Decay::Kind::None) return;
    double w = r.query->window_seconds, p = s.decay.period_seconds;
    double limit = s.decay.kind == check::Decay::Kind::HalfLife ? 10 * p  // under 0.1% of the points left
                                                                : p * std::ceil(1.0 / s.decay.fraction);  // nothing left
    if (w <= limit) return;
    add(Kind::L0108, r.range,
        fmt::format("events older than {:.0f} days count for (almost) nothing under `{}`'s decay, and the window reaches {:.0f} days",
                    limit / 86400, s.name, w / 86400),
        fmt::format("shorten the window to {:.0f} days or less", limit / 86400));
  }

  // A tier whose condition implies an earlier tier's single threshold can never be chosen.
  void unreachable_tiers(const check::TierSet& set) {
    struct Threshold {
      int target;  // score index, or -1 for total
      double bound;
      bool strict;
      const check::Tier* tier;
    };
    auto threshold = [](const Node* c) -> std::optional<std::tuple<int, double, bool>> {
      if (c->op != Op::Compare || (c->cmp != check::Cmp::Ge && c->cmp != check::Cmp::Gt)) return std::nullopt;
      const Node* v = c->kids[0];
      if ((v->op != Op::ScoreRef && v->op != Op::TotalRef) || c->kids[1]->op != Op::Literal) return std::nullopt;
      return std::make_tuple(v->op == Op::TotalRef ? -1 : v->slot, c->kids[1]->lit.as_double(), c->cmp == check::Cmp::Gt);
    };
    std::vector<Threshold> earlier;
    for (const check::Tier& t : set.tiers) {
      if (!t.cond) continue;
      std::vector<const Node*> parts;
      std::set<const Node*> seen;
      conjuncts(t.cond, parts, seen);
      for (const Node* p : parts) {
        auto th = threshold(p);
        if (!th) continue;
        auto [target, bound, strict] = *th;
        for (const Threshold& e : earlier)
          if (e.target == target && (bound > e.bound || (bound == e.bound && (strict || !e.strict)))) {
            add(Kind::L0102, t.range,
                fmt::format("the tier `{}` can never be chosen: every lead with `{}` already matched `{}` above it", t.name,
                            text(p->range), e.tier->name),
                "order tiers from the highest threshold to the lowest");
            goto next_tier;
          }
      }
      if (parts.size() == 1)
        if (auto th = threshold(parts[0])) earlier.push_back({std::get<0>(*th), std::get<1>(*th), std::get<2>(*th), &t});
    next_tier:;
    }
  }

  // Words used anywhere outside declarations' own names: fields, constants, predicates, pages.
  void collect(const ast::Expr* e, std::set<std::string>& used) {
    if (!e) return;
    for (const auto& w : e->words) used.insert(w);
    for (const auto& k : e->kids) collect(k.get(), used);
    collect(e->filter.get(), used);
    collect(e->span.get(), used);
  }
  void unused_names() {
    std::set<std::string> used;
    for (const ast::Decl& d : mod_.decls) {
      collect(d.body.get(), used);
      for (const auto& o : d.options) collect(o.span.get(), used);
      for (const auto& r : d.rules) collect(r.cond.get(), used);
      for (const auto& t : d.tiers) collect(t.cond.get(), used);
      for (const auto& r : d.reasons) collect(r.cond.get(), used);
    }
    for (const ast::Decl& d : mod_.decls) {
      const char* what = d.kind == ast::DeclKind::Pages    ? "page group"
                         : d.kind == ast::DeclKind::Const  ? "constant"
                         : d.kind == ast::DeclKind::Define ? "predicate"
                                                           : nullptr;
      if (what && !used.count(d.name))
        add(Kind::L0105, d.name_range, fmt::format("the {} `{}` is never used", what, d.name), "remove it, or use it in a rule");
      if (d.kind == ast::DeclKind::Lead)
        for (const ast::FieldDecl& f : d.fields)
          if (!f.key && !used.count(f.name))
            add(Kind::L0105, f.name_range, fmt::format("the field `{}` is read but no rule uses it", f.name),
                "remove it from `lead:`, or use it");
    }
  }

  const ast::Module& mod_;
  const check::CheckedModel& m_;
  const source::SourceManager& sm_;
  diag::DiagnosticList found_;
  std::set<const Node*> walked_defines_;  // defines already walked
};

}  // namespace

diag::DiagnosticList lint(const ast::Module& module, const check::CheckedModel& model, const source::SourceManager& sm) {
  return Linter(module, model, sm).run();
}

}  // namespace rubric::lint
