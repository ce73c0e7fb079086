// SPDX-License-Identifier: Apache-2.0
// Checks values and conditions: resolves phrases to fields, constants, predicates and
// behaviours, types every node, checks units, enum values and regexes.
#include <fmt/format.h>
#include <re2/re2.h>

#include <cmath>

#include "compiler/check/checker.h"
#include "compiler/source/text.h"

namespace rubric::check {

double unit_seconds(std::string_view u);
std::vector<std::string> unit_words();

namespace {

constexpr int64_t kMaxCount = std::numeric_limits<int64_t>::max();

bool is_condition_op(Op op) { return op >= Op::Not && op <= Op::Define; }

std::string describe(const Type& t) {
  switch (t.kind) {
    case TypeKind::Bool: return "a yes/no value";
    case TypeKind::Int:
    case TypeKind::Number: return "a number";
    case TypeKind::String: return "text";
    case TypeKind::Time: return "a time";
    case TypeKind::Duration: return "a duration";
    case TypeKind::Enum: return "an enum";
    case TypeKind::Set: return "a set";
    case TypeKind::Pages: return "a page group";
    case TypeKind::Error: return "an unknown value";
  }
  return "a value";
}

struct BuiltinInfo {
  Builtin id;
  const char* name;
  TypeKind result;
  int arity;
  const char* arg;
};
constexpr BuiltinInfo kBuiltins[] = {
#define BUILTIN(id, name, result, family, arity, arg) {Builtin::id, name, TypeKind::result, arity, #arg},
#include "common/builtins.def"
#undef BUILTIN
};

}  // namespace

Node* Checker::make(Op op, Type t, SourceRange r) {
  if (m_.nodes.size() >= kMaxNodes) {
    error(diag::Kind::E0104, r, fmt::format("the model is too large: more than {} conditions and values", kMaxNodes));
    help("split it into several models");
    throw TooLarge{};  // caught by check(): checking stops here, with this message
  }
  Node& n = m_.nodes.emplace_back();
  n.op = op;
  n.type = t;
  n.range = r;
  return &n;
}

const Node* Checker::error_node(SourceRange r) { return make(Op::Literal, Type{}, r); }

int Checker::graph_depth(const Node* n) {
  if (n->op == Op::Define)
    if (auto d = define_depth_.find(n); d != define_depth_.end()) return d->second;
  int deepest = 0;
  for (const Node* k : n->kids) deepest = std::max(deepest, graph_depth(k));  // bounded: built under the depth guard
  return 1 + deepest;
}

const Node* Checker::too_deep(SourceRange r) {
  if (!depth_reported_) {
    depth_reported_ = true;
    error(diag::Kind::E0104, r, fmt::format("this condition nests more than {} levels deep", kMaxCheckDepth));
    help("predicates that use predicates count too: split it into fewer levels");
  }
  return error_node(r);
}

std::string Checker::text_of(SourceRange r) const { return std::string(in_.sources->text(r)); }

int Checker::line_of(SourceRange r) const {
  return r.valid() ? in_.sources->file(r.file).line_col(r.begin).line : 0;
}

bool Checker::poisoned(const std::string& name) const {
  for (const auto& p : in_.poisoned_names)
    if (p == name) return true;
  return false;
}

double Checker::duration_seconds(const ast::Expr& e, const Ctx& ctx, const char* what, bool& ok) {
  const Node* n = value(e, ctx);
  ok = false;
  if (n->type.is(TypeKind::Error)) return 0;
  if (n->type.numeric() && n->op == Op::Literal) {
    error(diag::Kind::E0302, e.range, fmt::format("{} `{}` has no unit", what, text_of(e.range)));
    help(fmt::format("write `{} days`, or hours, weeks, minutes", text_of(e.range)));
    return 0;
  }
  if (!n->type.is(TypeKind::Duration) || n->op != Op::Literal) {
    error(diag::Kind::E0302, e.range, fmt::format("{} must be a fixed duration like `7 days`, and `{}` is {}", what,
                                                  text_of(e.range), describe(n->type)));
    return 0;
  }
  if (n->lit.d <= 0) {
    error(diag::Kind::E0309, e.range, fmt::format("{} must be longer than zero", what));
    return 0;
  }
  ok = true;
  return n->lit.d;
}

// A literal of `expected`'s enum from a bare name or a string, or null if it is not one.
static const Node* enum_literal(Checker& c, const ast::Expr& e, const Type& expected) {
  if (!expected.is(TypeKind::Enum) || !expected.enum_type) return nullptr;
  std::string name;
  if (e.is(ast::ExprKind::Phrase) && e.words.size() == 1) name = e.words[0];
  else if (e.is(ast::ExprKind::String)) name = e.text;
  else return nullptr;
  const EnumType& et = *expected.enum_type;
  int idx = et.index_of(name);
  if (idx < 0 && e.is(ast::ExprKind::String))
    for (size_t i = 0; i < et.values.size(); ++i)
      if (text::iequals(et.values[i], name) || (et.raw[i] && text::iequals(*et.raw[i], name))) idx = static_cast<int>(i);
  if (idx < 0) {
    // A bare word that names something else (a field, a constant) is resolved normally.
    if (e.is(ast::ExprKind::Phrase) && (c.m_.lead.index_of(name) >= 0 || c.consts_.count(name))) return nullptr;
    c.error(diag::Kind::E0204, e.range, fmt::format("`{}` is not a value of `{}`", name, et.field));
    std::string best = c.suggest(name, et.values);
    if (!best.empty()) c.help(fmt::format("did you mean `{}`?", best));
    else {
      std::string all;
      for (const auto& v : et.values) all += (all.empty() ? "`" : ", `") + v + "`";
      c.help(fmt::format("the values of `{}` are {}", et.field, all));
    }
    return c.error_node(e.range);
  }
  Node* n = c.make(Op::Literal, expected, e.range);
  n->lit = Value::enumeration(idx);
  return n;
}

Resolved Checker::resolve(const ast::Expr& e, const Ctx& ctx, const Type* expected) {
  Resolved r;
  const std::vector<std::string>& w = e.words;
  std::string name;
  for (const auto& x : w) name += (name.empty() ? "" : " ") + x;
  if (expected) {
    if (const Node* n = enum_literal(*this, e, *expected)) {
      r.node = n;
      r.error = n->type.is(TypeKind::Error);
      return r;
    }
  }
  if (w.size() == 1) {
    const std::string& x = w[0];
    if (ctx.scope == Scope::Event) {
      if (x == ctx.param && ctx.param_value) return {ctx.param_value};
      int idx = m_.event.index_of(x);
      if (idx >= 0) {
        Node* n = make(Op::EventField, m_.event.fields[idx].type, e.range);
        n->slot = idx;
        return {n};
      }
    } else {
      int idx = m_.lead.index_of(x);
      if (idx >= 0) {
        Node* n = make(Op::LeadField, m_.lead.fields[idx].type, e.range);
        n->slot = idx;
        return {n};
      }
      if (ctx.scope == Scope::Outcome && scores_.count(x)) {
        Node* n = make(Op::ScoreRef, Type{TypeKind::Number}, e.range);
        n->slot = scores_[x];
        return {n};
      }
      if (auto it = defines_.find(x); it != defines_.end()) {
        if (auto done = define_nodes_.find(x); done != define_nodes_.end()) {
          if (auto d = define_depth_.find(done->second); d != define_depth_.end() && depth_ + d->second > kMaxCheckDepth)
            return {too_deep(e.range), nullptr, nullptr, true};
          return {done->second, nullptr, nullptr, done->second->type.is(TypeKind::Error)};
        }
        if (defines_in_progress_.count(x)) {
          error(diag::Kind::E0208, e.range, fmt::format("`{}` uses itself", x));
          help("a predicate cannot be defined in terms of itself");
          return {error_node(e.range), nullptr, nullptr, true};
        }
        if (defines_in_progress_.size() >= 100) {
          error(diag::Kind::E0104, e.range, "predicates are nested more than 100 deep here");
          help("a predicate may use others, but not in a chain this long");
          return {error_node(e.range), nullptr, nullptr, true};
        }
        defines_in_progress_.insert(x);
        const Node* body = condition(*it->second->body, Ctx{Scope::Lead});
        defines_in_progress_.erase(x);
        if (!body->type.is(TypeKind::Error)) {
          Node* d = make(Op::Define, body->type, body->range);
          d->kids = {body};
          d->slot = static_cast<int>(m_.defines.size());
          m_.defines.push_back(d);
          m_.define_names.push_back(x);
          define_depth_[d] = graph_depth(d);
          body = d;
        }
        define_nodes_[x] = body;
        if (auto d = define_depth_.find(body); d != define_depth_.end() && depth_ + d->second > kMaxCheckDepth)
          return {too_deep(e.range), nullptr, nullptr, true};
        return {body, nullptr, nullptr, body->type.is(TypeKind::Error)};
      }
    }
    if (auto it = consts_.find(x); it != consts_.end()) {
      if (auto done = const_nodes_.find(x); done != const_nodes_.end()) return {done->second};
      const ast::Expr& body = *it->second->body;
      const Node* n;
      if (body.is(ast::ExprKind::SetLiteral)) {
        Node* s = make(Op::Literal, Type{TypeKind::Set}, body.range);
        s->kids = {};  // items are checked where the set is used, against the value tested
        s->slot = -1;
        n = s;
      } else {
        n = value(body, Ctx{Scope::Lead});
        if (!n->type.is(TypeKind::Error) && n->op != Op::Literal) {
          error(diag::Kind::E0309, body.range, fmt::format("the constant `{}` must be a fixed value", x));
          n = error_node(body.range);
        }
      }
      const_nodes_[x] = n;
      return {n};
    }
    if (auto it = pages_.find(x); it != pages_.end()) {
      if (auto done = page_nodes_.find(x); done != page_nodes_.end()) return {done->second};
      Node* n = make(Op::Literal, Type{TypeKind::Pages}, it->second->name_range);
      n->exact_case = it->second->exact_case;
      for (const auto& p : it->second->strings) n->patterns.push_back(n->exact_case ? p : text::fold_case(p));
      page_nodes_[x] = n;
      return {n};
    }
    if (poisoned(x)) return {error_node(e.range), nullptr, nullptr, true};
  }
  // `email domain`: the domain of a text field.
  if (w.size() == 2 && w[1] == "domain") {
    ast::Expr head(ast::ExprKind::Phrase, e.word_ranges[0]);
    head.words = {w[0]};
    head.word_ranges = {e.word_ranges[0]};
    Resolved inner = resolve(head, ctx);
    if (inner.error) return inner;
    if (inner.node && inner.node->type.is(TypeKind::String)) {
      Node* n = make(Op::EmailDomain, Type{TypeKind::String}, e.range);
      n->kids = {inner.node};
      return {n};
    }
  }
  // Behaviours: the longest name that starts the phrase; a parameter takes the rest.
  const ast::Decl* best = nullptr;
  for (const ast::Decl* b : behaviours_) {
    if (b->words.size() > w.size() || !std::equal(b->words.begin(), b->words.end(), w.begin())) continue;
    bool rest = b->words.size() < w.size();
    if (rest != !b->param.empty()) continue;
    if (!best || b->words.size() > best->words.size()) best = b;
  }
  if (best) {
    r.behaviour = best;
    if (!best->param.empty()) {
      std::string arg;
      for (size_t i = best->words.size(); i < w.size(); ++i) arg += (arg.empty() ? "" : " ") + w[i];
      SourceRange ar{e.range.file, e.word_ranges[best->words.size()].begin, e.word_ranges.back().end};
      if (w.size() - best->words.size() == 1 && (pages_.count(arg) || consts_.count(arg))) {
        ast::Expr argx(ast::ExprKind::Phrase, ar);
        argx.words = {arg};
        argx.word_ranges = {ar};
        r.argument = resolve(argx, Ctx{Scope::Lead}).node;
        if (!r.argument->type.is(TypeKind::Pages) && !r.argument->type.is(TypeKind::Set) &&
            !r.argument->type.is(TypeKind::Error)) {
          error(diag::Kind::E0304, ar, fmt::format("`{}` needs a page group or a set, and `{}` is {}", best->name, arg,
                                                   describe(r.argument->type)));
          r.error = true;
        }
      } else if (poisoned(arg)) {
        r.error = true;
      } else {
        std::vector<std::string> groups;
        for (const auto& [k, v] : pages_) groups.push_back(k);
        error(diag::Kind::E0201, ar, fmt::format("`{}` is not a page group", arg));
        // `pricng_page` for `pricing`: a page group is often written with `_page` after it.
        std::string guess = suggest(arg, groups);
        for (std::string_view suffix : {"_pages", "_page", "page"}) {
          if (!guess.empty() || arg.size() <= suffix.size() || arg.compare(arg.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
          guess = suggest(std::string_view(arg).substr(0, arg.size() - suffix.size()), groups);
        }
        if (!guess.empty()) help(fmt::format("did you mean `{}`?", guess));
        help(fmt::format("{}declare it, like `pages {}: \"*/{}*\"`", guess.empty() ? "" : "or ", arg, arg));
        r.error = true;
      }
    }
    return r;
  }
  // Nothing matched: say what was expected and suggest the nearest name.
  std::vector<std::string> names;
  const Schema& schema = ctx.scope == Scope::Event ? m_.event : m_.lead;
  for (const auto& f : schema.fields) names.push_back(f.name);
  if (ctx.scope != Scope::Event) {
    for (const auto& [k, v] : defines_) names.push_back(k);
    if (ctx.scope == Scope::Outcome)
      for (const auto& [k, v] : scores_) names.push_back(k);
  }
  for (const auto& [k, v] : consts_) names.push_back(k);
  for (const ast::Decl* b : behaviours_) names.push_back(b->param.empty() ? b->name : b->name + " " + "<group>");
  r.error = true;
  if (w.size() == 1) {
    error(diag::Kind::E0201, e.range,
          fmt::format("`{}` is not a field of `{}`", name, ctx.scope == Scope::Event ? "event" : "lead"));
  } else {
    error(diag::Kind::E0201, e.range, fmt::format("`{}` is not a behaviour, a field or a declared name", name));
  }
  std::string guess = suggest(name, names);
  if (!guess.empty()) help(fmt::format("did you mean `{}`?", guess));
  return r;
}

const EventQuery* Checker::behaviour_query(const ast::Expr& use, const Resolved& r, const ast::Expr* where,
                                           const ast::Expr* span, const Ctx& ctx) {
  if (ctx.scope == Scope::Event) {
    error(diag::Kind::E0304, use.range, fmt::format("`{}` is a behaviour, and cannot be used inside an event filter", r.behaviour->name));
    help("an event filter talks about one event's own fields, like `seconds > 30`");
    return nullptr;
  }
  if (!m_.has_events) {
    if (!poisoned("event"))
      error(diag::Kind::E0407, use.range, fmt::format("`{}` is about events, and this model has no `event:` section", text_of(use.range)));
    return nullptr;
  }
  const ast::Decl* b = r.behaviour;
  const Node* body;
  auto key = std::make_pair(b, r.argument);
  if (auto it = behaviour_bodies_.find(key); it != behaviour_bodies_.end()) {
    body = it->second;
  } else if (behaviours_in_progress_.count(b)) {
    error(diag::Kind::E0208, use.range, fmt::format("`{}` uses itself", b->name));
    return nullptr;
  } else {
    behaviours_in_progress_.insert(b);
    bool library = b->range.file != in_.model->file;
    diag::DiagnosticList saved;
    if (library) std::swap(saved, diags_);
    body = condition(*b->body, Ctx{Scope::Event, b->param, r.argument});
    if (library) {
      std::swap(saved, diags_);
      if (!saved.items().empty()) {
        error(diag::Kind::E0304, use.range, fmt::format("the standard behaviour `{}` does not fit this model's events", b->name));
        note(fmt::format("in its definition `{}`: {}", text_of(b->body->range), saved.items().front().message));
        help(fmt::format("give `kind` the value it needs, or declare your own `behaviour {}: ...`", b->name));
        body = error_node(use.range);
      }
    }
    behaviours_in_progress_.erase(b);
    behaviour_bodies_[key] = body;
  }
  if (body->type.is(TypeKind::Error)) return nullptr;
  const Node* filter = body;
  if (where) {
    const Node* w = condition(*where, Ctx{Scope::Event});
    if (w->type.is(TypeKind::Error)) return nullptr;
    Node* both = make(Op::And, Type{TypeKind::Bool}, where->range);
    both->kids = {body, w};
    filter = both;
  }
  EventQuery& q = m_.queries.emplace_back();
  q.filter = filter;
  if (span) {
    bool ok;
    double secs = duration_seconds(*span, ctx, "the window", ok);
    if (!ok) return nullptr;
    q.window_seconds = secs;
  }
  return &q;
}

const Node* Checker::activity(const ast::Expr& e, const Ctx& ctx, bool allow_freq) {
  const ast::Expr& phrase = *e.kids[0];
  if (e.freq_twice) {
    error(diag::Kind::E0412, e.freq.range, "this behaviour has two frequencies");
    return error_node(e.range);
  }
  Resolved r = resolve(phrase, ctx);
  if (r.error) return error_node(e.range);
  if (r.behaviour) {
    const EventQuery* q = behaviour_query(e, r, e.filter.get(), e.span.get(), ctx);
    if (!q) return error_node(e.range);
    Node* n = make(Op::AnyEvents, Type{TypeKind::Bool}, e.range);
    n->query = q;
    using FK = ast::Frequency::Kind;
    if (e.freq.bad) {
      error(diag::Kind::E0309, e.freq.range, "a count of times must be a whole number, at most 1000000000");
      return error_node(e.range);
    }
    if (e.freq.kind != FK::None && !allow_freq) {
      error(diag::Kind::E0304, e.freq.range, "a frequency does not belong here");
      return error_node(e.range);
    }
    switch (e.freq.kind) {
      case FK::None: break;
      case FK::AtLeast: n->freq_lo = e.freq.lo; break;
      case FK::AtMost: n->freq_lo = 0; n->freq_hi = e.freq.hi; break;
      case FK::Exactly:
      case FK::Between: n->freq_lo = e.freq.lo; n->freq_hi = e.freq.hi; break;
    }
    if (n->freq_lo > n->freq_hi) {
      error(diag::Kind::E0309, e.freq.range, fmt::format("`{}` can never happen: {} is more than {}", text_of(e.freq.range),
                                                         e.freq.lo, e.freq.hi));
      help("write the smaller number first");
      return error_node(e.range);
    }
    return n;
  }
  const Node* v = r.node;
  if (v->type.is(TypeKind::Error)) return v;
  std::string what = text_of(phrase.range);
  if (e.filter || e.freq.kind != ast::Frequency::Kind::None) {
    error(diag::Kind::E0304, e.filter ? e.filter->range : e.freq.range,
          fmt::format("`{}` is not a behaviour, so it has no events to {}", what, e.filter ? "filter" : "count"));
    help("behaviours are things leads do, like `visited pricing` or `opened email`");
    return error_node(e.range);
  }
  if (e.span) {
    if (!v->type.is(TypeKind::Time)) {
      error(diag::Kind::E0304, e.span->range,
            fmt::format("`within` needs a behaviour or a time field, and `{}` is {}", what, describe(v->type)));
      return error_node(e.range);
    }
    bool ok;
    double secs = duration_seconds(*e.span, ctx, "the window", ok);
    if (!ok) return error_node(e.range);
    Node* n = make(Op::TimeWithin, Type{TypeKind::Bool}, e.range);
    n->kids = {v};
    n->span_seconds = secs;
    return n;
  }
  if (is_condition_op(v->op)) return v;
  if (v->type.is(TypeKind::Bool)) {
    Node* n = make(Op::Truthy, Type{TypeKind::Bool}, e.range);
    n->kids = {v};
    return n;
  }
  error(diag::Kind::E0303, e.range, fmt::format("`{}` is {}, not a condition", what, describe(v->type)));
  if (v->type.numeric()) help(fmt::format("compare it, like `{} > 10`", what));
  else if (v->type.is(TypeKind::String)) help(fmt::format("test it, like `{} contains \"...\"` or `{} is present`", what, what));
  else if (v->type.is(TypeKind::Enum)) help(fmt::format("compare it, like `{} is {}`", what, v->type.enum_type->values.empty() ? "..." : v->type.enum_type->values[0]));
  return error_node(e.range);
}

// The items of a set literal, checked against the type of the value tested.
static const Node* check_set(Checker& c, const ast::Expr& set, const Type& lhs, SourceRange use) {
  Node* n = c.make(Op::InSet, Type{TypeKind::Bool}, use);
  bool bad = false;
  for (const auto& item : set.kids) {
    if (lhs.is(TypeKind::Enum)) {
      const Node* v = enum_literal(c, *item, lhs);
      if (!v) {
        c.error(diag::Kind::E0301, item->range, fmt::format("`{}` is not a value of `{}`", c.text_of(item->range), lhs.enum_type->field));
        bad = true;
      } else if (v->type.is(TypeKind::Error)) {
        bad = true;
      } else {
        n->set.push_back(v->lit);
      }
      continue;
    }
    const Node* v = c.value(*item, Ctx{Scope::Lead});
    if (v->type.is(TypeKind::Error)) {
      bad = true;
      continue;
    }
    bool same = (lhs.numeric() && v->type.numeric()) || lhs.kind == v->type.kind;
    if (v->op != Op::Literal || !same) {
      c.error(diag::Kind::E0301, item->range, fmt::format("`{}` is {}, and the value tested is {}", c.text_of(item->range),
                                                          describe(v->type), describe(lhs)));
      if (lhs.is(TypeKind::Duration) && v->type.numeric()) c.help("give it a unit, like `7 days`");
      bad = true;
      continue;
    }
    if (v->type.is(TypeKind::String)) n->string_set.insert(text::fold_case(v->lit.s));
    else n->set.push_back(v->lit);
  }
  return bad ? c.error_node(use) : n;
}

static Cmp cmp_of(ast::Operator op) {
  switch (op) {
    case ast::Operator::Eq: return Cmp::Eq;
    case ast::Operator::Ne: return Cmp::Ne;
    case ast::Operator::Lt: return Cmp::Lt;
    case ast::Operator::Le: return Cmp::Le;
    case ast::Operator::Gt: return Cmp::Gt;
    case ast::Operator::Ge: return Cmp::Ge;
    // Not comparisons: the parser gives Compare only the six above.
    case ast::Operator::None:
    case ast::Operator::Add:
    case ast::Operator::Sub:
    case ast::Operator::Mul:
    case ast::Operator::Div:
    case ast::Operator::Contains:
    case ast::Operator::StartsWith:
    case ast::Operator::EndsWith: break;
  }
  return Cmp::Eq;
}

static const char* cmp_text(Cmp op) {
  switch (op) {
    case Cmp::Eq: return "=";
    case Cmp::Ne: return "!=";
    case Cmp::Lt: return "<";
    case Cmp::Le: return "<=";
    case Cmp::Gt: return ">";
    case Cmp::Ge: return ">=";
  }
  return "?";
}

// Whether `a` and `b` may be compared with `op`; reports why not.
static bool comparable(Checker& c, const Node* a, const Node* b, Cmp op, const ast::Expr& lhs, const ast::Expr& rhs) {
  if (a->type.is(TypeKind::Error) || b->type.is(TypeKind::Error)) return false;
  const Type &x = a->type, &y = b->type;
  bool ordered = op != Cmp::Eq && op != Cmp::Ne;
  auto mismatch = [&] {
    c.error(diag::Kind::E0301, {lhs.range.file, lhs.range.begin, rhs.range.end},
            fmt::format("`{}` is {} and `{}` is {}, so they cannot be compared", c.text_of(lhs.range), describe(x),
                        c.text_of(rhs.range), describe(y)));
    return false;
  };
  if (x.numeric() && y.numeric()) return true;
  if ((x.is(TypeKind::Duration) && y.numeric()) || (y.is(TypeKind::Duration) && x.numeric())) {
    const ast::Expr& bare = x.numeric() ? lhs : rhs;
    const Node* number = x.numeric() ? a : b;
    const Node* duration = x.numeric() ? b : a;
    if (bare.is(ast::ExprKind::DaysSince)) {
      // `days since X` is already a number of days: the other side must be one too.
      const ast::Expr& other = x.numeric() ? rhs : lhs;
      c.error(diag::Kind::E0302, other.range,
              fmt::format("`{}` is a number of days, and `{}` is a duration", c.text_of(bare.range), c.text_of(other.range)));
      double days = duration->op == Op::Literal ? duration->lit.d / 86400 : 0;
      std::string n = days > 0 && days == std::floor(days) ? fmt::format("{}", static_cast<int64_t>(days)) : "30";
      if (x.numeric())
        c.help(fmt::format("compare it with a number of days: `{} {} {}`", c.text_of(bare.range), cmp_text(op), n));
      else
        c.help(fmt::format("compare it with a number of days, like `{} >= {}`", c.text_of(bare.range), n));
      return false;
    }
    c.error(diag::Kind::E0302, bare.range, fmt::format("`{}` has no unit, and it is compared with a duration", c.text_of(bare.range)));
    if (number->op == Op::Literal) c.help(fmt::format("write `{} minutes`, or seconds, hours, days", c.text_of(bare.range)));
    else c.help("a number and a duration cannot be compared: give the number a unit, like `7 days`, or compare numbers");
    return false;
  }
  if (x.kind != y.kind || (x.is(TypeKind::Enum) && x.enum_type != y.enum_type)) {
    mismatch();
    if (y.is(TypeKind::String) && x.numeric() && b->op == Op::Literal) {
      char* end = nullptr;
      std::strtod(b->lit.s.c_str(), &end);
      if (!b->lit.s.empty() && end && *end == 0) c.help(fmt::format("remove the quotes: `{}`", b->lit.s));
    }
    return false;
  }
  if (ordered && (x.is(TypeKind::String) || x.is(TypeKind::Bool) || x.is(TypeKind::Enum) || x.is(TypeKind::Set) ||
                  x.is(TypeKind::Pages))) {
    c.error(diag::Kind::E0301, {lhs.range.file, lhs.range.begin, rhs.range.end},
            fmt::format("`<` and `>` compare numbers, durations and times, and `{}` is {}", c.text_of(lhs.range), describe(x)));
    c.help("use `=`, `is`, `in` or `contains`");
    return false;
  }
  if (x.is(TypeKind::Set) || x.is(TypeKind::Pages)) {
    c.error(diag::Kind::E0305, lhs.range, "a set can only be used after `in`");
    return false;
  }
  return true;
}

const Node* Checker::condition(const ast::Expr& e, const Ctx& ctx) {
  using K = ast::ExprKind;
  Deeper deeper(*this);
  if (deeper.too_deep()) return too_deep(e.range);
  Type boolean{TypeKind::Bool};
  switch (e.kind) {
    case K::Not: {
      const Node* k = condition(*e.kids[0], ctx);
      if (k->type.is(TypeKind::Error)) return k;
      Node* n = make(Op::Not, boolean, e.range);
      n->kids = {k};
      return n;
    }
    case K::And:
    case K::Or: {
      const Node* a = condition(*e.kids[0], ctx);
      const Node* b = condition(*e.kids[1], ctx);
      if (a->type.is(TypeKind::Error) || b->type.is(TypeKind::Error)) return error_node(e.range);
      Node* n = make(e.is(K::And) ? Op::And : Op::Or, boolean, e.range);
      n->kids = {a, b};
      return n;
    }
    case K::Compare: {
      const Node* a = value(*e.kids[0], ctx);
      const Node* b = nullptr;
      if (e.kids[1]->is(K::Phrase) || e.kids[1]->is(K::String)) {
        if (e.kids[1]->is(K::Phrase)) {
          Resolved r = resolve(*e.kids[1], ctx, &a->type);
          b = r.node ? r.node : error_node(e.kids[1]->range);
          if (r.behaviour) {
            error(diag::Kind::E0301, e.kids[1]->range, fmt::format("`{}` is a behaviour, not a value", text_of(e.kids[1]->range)));
            b = error_node(e.kids[1]->range);
          }
        } else {
          b = enum_literal(*this, *e.kids[1], a->type);
          if (!b) b = value(*e.kids[1], ctx);
        }
      } else {
        b = value(*e.kids[1], ctx);
      }
      Cmp op = cmp_of(e.op);
      if (!comparable(*this, a, b, op, *e.kids[0], *e.kids[1])) return error_node(e.range);
      Node* n = make(Op::Compare, boolean, e.range);
      n->cmp = op;
      n->kids = {a, b};
      return n;
    }
    case K::Presence: {
      const Node* a = value(*e.kids[0], ctx);
      if (a->type.is(TypeKind::Error)) return a;
      Node* n = make(Op::IsMissing, boolean, e.range);
      n->negated = e.flag != e.negated;
      n->kids = {a};
      return n;
    }
    case K::In: {
      const Node* a = value(*e.kids[0], ctx);
      const ast::Expr& set = *e.kids[1];
      const Node* result;
      if (set.is(K::SetLiteral)) {
        result = a->type.is(TypeKind::Error) ? a : check_set(*this, set, a->type, e.range);
      } else {
        Resolved r = resolve(set, ctx);
        if (r.error || !r.node || a->type.is(TypeKind::Error)) return error_node(e.range);
        const Node* s = r.node;
        if (s->type.is(TypeKind::Pages)) {
          if (!a->type.is(TypeKind::String)) {
            error(diag::Kind::E0305, e.range, fmt::format("a page group matches text, and `{}` is {}", text_of(e.kids[0]->range), describe(a->type)));
            return error_node(e.range);
          }
          Node* n = make(Op::InPages, boolean, e.range);
          n->patterns = s->patterns;
          n->exact_case = s->exact_case;
          n->kids = {a};
          result = n;
        } else if (s->type.is(TypeKind::Set)) {
          // A named set: its items are checked against this use.
          const std::string& name = set.words.size() == 1 ? set.words[0] : std::string();
          auto it = consts_.find(name);
          const ast::Expr* lit = it != consts_.end() ? it->second->body.get() : nullptr;
          if (!lit && ctx.param_value == s && ctx.scope == Scope::Event) {
            // A behaviour parameter bound to a constant set.
            for (const auto& [k, v] : const_nodes_)
              if (v == s) lit = consts_[k]->body.get();
          }
          if (!lit) return error_node(e.range);
          result = check_set(*this, *lit, a->type, e.range);
        } else {
          error(diag::Kind::E0305, set.range, fmt::format("`{}` is {}, not a set or a page group", text_of(set.range), describe(s->type)));
          help("write a set like `{\"a\", \"b\"}`, or declare one with `const`");
          return error_node(e.range);
        }
      }
      if (result->type.is(TypeKind::Error)) return result;
      const_cast<Node*>(result)->kids = {a};
      const_cast<Node*>(result)->negated = e.negated;
      return result;
    }
    case K::Between: {
      const Node* a = value(*e.kids[0], ctx);
      const Node* lo = value(*e.kids[1], ctx);
      const Node* hi = value(*e.kids[2], ctx);
      if (!comparable(*this, a, lo, Cmp::Le, *e.kids[0], *e.kids[1]) ||
          !comparable(*this, a, hi, Cmp::Le, *e.kids[0], *e.kids[2]))
        return error_node(e.range);
      Node* n = make(Op::Between, boolean, e.range);
      n->negated = e.negated;
      n->kids = {a, lo, hi};
      return n;
    }
    case K::Text: {
      const Node* a = value(*e.kids[0], ctx);
      const Node* b = value(*e.kids[1], ctx);
      if (a->type.is(TypeKind::Error) || b->type.is(TypeKind::Error)) return error_node(e.range);
      for (auto [v, x] : {std::pair{a, e.kids[0].get()}, std::pair{b, e.kids[1].get()}}) {
        if (!v->type.is(TypeKind::String)) {
          error(diag::Kind::E0308, x->range, fmt::format("`{}` works on text, and `{}` is {}", ast::spelling(e.op), text_of(x->range), describe(v->type)));
          if (v->type.is(TypeKind::Enum)) help("compare enum values with `is` or `in {...}`");
          return error_node(e.range);
        }
      }
      Op op = e.op == ast::Operator::Contains ? Op::Contains : e.op == ast::Operator::StartsWith ? Op::StartsWith : Op::EndsWith;
      Node* n = make(op, boolean, e.range);
      n->kids = {a, b};
      n->exact_case = e.exact_case;
      return n;
    }
    case K::Matches: {
      const Node* a = value(*e.kids[0], ctx);
      if (a->type.is(TypeKind::Error)) return a;
      if (!a->type.is(TypeKind::String)) {
        error(diag::Kind::E0308, e.kids[0]->range, fmt::format("`matches` works on text, and `{}` is {}", text_of(e.kids[0]->range), describe(a->type)));
        return error_node(e.range);
      }
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_case_sensitive(!e.icase);
      auto re = std::make_shared<const RE2>(e.text, opts);
      if (!re->ok()) {
        error(diag::Kind::E0307, e.text_range, fmt::format("this regular expression does not compile: {}", re->error()));
        help("Rubric uses RE2 syntax; to match the text literally, use `contains`");
        return error_node(e.range);
      }
      Node* n = make(Op::Matches, boolean, e.range);
      n->regex = std::move(re);
      n->kids = {a};
      return n;
    }
    case K::Activity:
      return activity(e, ctx, true);
    case K::Never: {
      const ast::Expr& act = *e.kids[0];
      // `never` counts a behaviour's events; a predicate or field is negated with `not`.
      Resolved r = resolve(*act.kids[0], ctx);
      if (r.error) return error_node(e.range);
      if (!r.behaviour) {
        error(diag::Kind::E0304, act.range, fmt::format("`never` needs a behaviour, and `{}` is not one", text_of(act.kids[0]->range)));
        help(fmt::format("write `not {}` instead", text_of(act.kids[0]->range)));
        return error_node(e.range);
      }
      const Node* n = activity(act, ctx, false);
      if (n->type.is(TypeKind::Error) || n->op != Op::AnyEvents) return error_node(e.range);
      Node* m = make(Op::AnyEvents, n->type, e.range);  // a copy: `n` may be a predicate's shared body
      *m = *n;
      m->freq_lo = 0;
      m->freq_hi = 0;
      m->range = e.range;
      return m;
    }
    // Values: a bool value is a condition.
    case K::Number:
    case K::String:
    case K::Bool:
    case K::Phrase:
    case K::Total:
    case K::Neg:
    case K::Binary:
    case K::Call:
    case K::CountOf:
    case K::SumOf:
    case K::DaysSince:
    case K::SetLiteral: {
      const Node* v = value(e, ctx);
      if (v->type.is(TypeKind::Bool) && !is_condition_op(v->op)) {  // a function's answer, say
        Node* n = make(Op::Truthy, Type{TypeKind::Bool}, e.range);
        n->kids = {v};
        return n;
      }
      if (v->type.is(TypeKind::Error) || v->type.is(TypeKind::Bool)) return v;
      error(diag::Kind::E0303, e.range, fmt::format("`{}` is {}, not a condition", text_of(e.range), describe(v->type)));
      return error_node(e.range);
    }
  }
  return error_node(e.range);
}

const Node* Checker::value(const ast::Expr& e, const Ctx& ctx) {
  using K = ast::ExprKind;
  Deeper deeper(*this);
  if (deeper.too_deep()) return too_deep(e.range);
  switch (e.kind) {
    case K::Number: {
      Node* n;
      if (!std::isfinite(e.number) || e.number > 1e15) {
        error(diag::Kind::E0309, e.range, fmt::format("`{}` is too large; numbers go up to 10^15", text_of(e.range)));
        return error_node(e.range);
      }
      if (!e.text.empty()) {
        double u = unit_seconds(e.text);
        if (u == 0) {
          error(diag::Kind::E0205, e.text_range, fmt::format("`{}` is not a time unit", e.text));
          std::string best = suggest(e.text, unit_words());
          help(best.empty() ? std::string("the units are seconds, minutes, hours, days, weeks, months (30 days) and years (365 days)")
                            : fmt::format("did you mean `{}`?", best));
          return error_node(e.range);
        }
        n = make(Op::Literal, Type{TypeKind::Duration}, e.range);
        n->lit = Value::duration(e.number * u);
        return n;
      }
      if (e.number == std::floor(e.number) && std::abs(e.number) < 9e15) {
        n = make(Op::Literal, Type{TypeKind::Int}, e.range);
        n->lit = Value::integer(static_cast<int64_t>(e.number));
      } else {
        n = make(Op::Literal, Type{TypeKind::Number}, e.range);
        n->lit = Value::number(e.number);
      }
      return n;
    }
    case K::String: {
      Node* n = make(Op::Literal, Type{TypeKind::String}, e.range);
      n->lit = Value::string(e.text);
      return n;
    }
    case K::Bool: {
      Node* n = make(Op::Literal, Type{TypeKind::Bool}, e.range);
      n->lit = Value::boolean(e.flag);
      return n;
    }
    case K::Total: {
      if (ctx.in_total) {
        error(diag::Kind::E0208, e.range, "the total cannot be defined in terms of itself");
        return error_node(e.range);
      }
      if (ctx.scope != Scope::Outcome) {
        error(diag::Kind::E0201, e.range, "`total` is only known in `tiers` sections and the `total` line");
        return error_node(e.range);
      }
      return make(Op::TotalRef, Type{TypeKind::Number}, e.range);
    }
    case K::Neg: {
      const Node* a = value(*e.kids[0], ctx);
      if (a->type.is(TypeKind::Error)) return a;
      if (!a->type.numeric() && !a->type.is(TypeKind::Duration)) {
        error(diag::Kind::E0301, e.range, fmt::format("`-` needs a number, and `{}` is {}", text_of(e.kids[0]->range), describe(a->type)));
        return error_node(e.range);
      }
      if (a->op == Op::Literal) {
        Node* lit = make(Op::Literal, a->type, e.range);
        lit->lit = a->lit;
        if (lit->lit.kind == Value::Kind::Int) lit->lit.i = -lit->lit.i;
        else lit->lit.d = -lit->lit.d;
        return lit;
      }
      Node* n = make(Op::Neg, a->type, e.range);
      n->kids = {a};
      return n;
    }
    case K::Binary: {
      const Node* a = value(*e.kids[0], ctx);
      const Node* b = value(*e.kids[1], ctx);
      if (a->type.is(TypeKind::Error) || b->type.is(TypeKind::Error)) return error_node(e.range);
      // The checked operation, and the operator's first character for the typing rules.
      Op o = Op::Add;
      switch (e.op) {
        case ast::Operator::Add: o = Op::Add; break;
        case ast::Operator::Sub: o = Op::Sub; break;
        case ast::Operator::Mul: o = Op::Mul; break;
        case ast::Operator::Div: o = Op::Div; break;
        case ast::Operator::None:
        case ast::Operator::Eq:
        case ast::Operator::Ne:
        case ast::Operator::Lt:
        case ast::Operator::Le:
        case ast::Operator::Gt:
        case ast::Operator::Ge:
        case ast::Operator::Contains:
        case ast::Operator::StartsWith:
        case ast::Operator::EndsWith: return error_node(e.range);  // the parser gives Binary only + - * /
      }
      char op = ast::spelling(e.op)[0];
      Type t;
      const Type &x = a->type, &y = b->type;
      if (x.numeric() && y.numeric()) {
        t.kind = (op != '/' && x.is(TypeKind::Int) && y.is(TypeKind::Int)) ? TypeKind::Int : TypeKind::Number;
      } else if (x.is(TypeKind::Duration) && y.is(TypeKind::Duration) && (op == '+' || op == '-')) {
        t.kind = TypeKind::Duration;
      } else if (x.is(TypeKind::Duration) && y.is(TypeKind::Duration) && op == '/') {
        t.kind = TypeKind::Number;
      } else if (((x.is(TypeKind::Duration) && y.numeric()) || (x.numeric() && y.is(TypeKind::Duration))) && op == '*') {
        t.kind = TypeKind::Duration;
      } else if (x.is(TypeKind::Duration) && y.numeric() && op == '/') {
        t.kind = TypeKind::Duration;
      } else {
        error(diag::Kind::E0301, e.range, fmt::format("`{}` cannot be applied to {} and {}", ast::spelling(e.op), describe(x), describe(y)));
        if ((x.is(TypeKind::Duration) || y.is(TypeKind::Duration)) && (x.numeric() || y.numeric()))
          help("give the number a unit, like `7 days`");
        return error_node(e.range);
      }
      Node* n = make(o, t, e.range);
      n->kids = {a, b};
      return n;
    }
    case K::Call: {
      const std::string& fn = e.words[0];
      const BuiltinInfo* bi = nullptr;
      for (const BuiltinInfo& b : kBuiltins)
        if (fn == b.name) bi = &b;
      const HostFunction* host = nullptr;
      if (!bi && m_.host_functions)
        for (const HostFunction& h : *m_.host_functions)
          if (fn == h.name) host = &h;
      if (!bi && !host) {
        std::vector<std::string> names;
        for (const BuiltinInfo& b : kBuiltins) names.push_back(b.name);
        if (m_.host_functions)
          for (const HostFunction& h : *m_.host_functions) names.push_back(h.name);
        error(diag::Kind::E0206, e.word_ranges[0], fmt::format("`{}` is not a function", fn));
        std::string best = suggest(fn, names);
        if (!best.empty()) help(fmt::format("did you mean `{}`?", best));
        return error_node(e.range);
      }
      if (host && host->args.size() > kMaxHostArgs) {
        error(diag::Kind::E0304, e.word_ranges[0], fmt::format("`{}` is given {} parameters by the program, and a "
                                                               "function takes at most {}", fn, host->args.size(), kMaxHostArgs));
        return error_node(e.range);
      }
      int arity = bi ? bi->arity : static_cast<int>(host->args.size());
      if (static_cast<int>(e.kids.size()) != arity) {
        error(diag::Kind::E0304, e.range, fmt::format("`{}` takes {} argument{}, and is given {}", fn, arity,
                                                      arity == 1 ? "" : "s", e.kids.size()));
        return error_node(e.range);
      }
      Node* n = make(Op::Call, Type{bi ? bi->result : host->result}, e.range);
      n->slot = bi ? static_cast<int>(bi->id) : -1;
      n->host = host;
      for (size_t i = 0; i < e.kids.size(); ++i) {
        const auto& k = e.kids[i];
        const Node* a = value(*k, ctx);
        if (a->type.is(TypeKind::Error)) return error_node(e.range);
        // What the argument must be: a built-in's family of types, or a host function's type.
        std::string_view want = bi ? std::string_view(bi->arg)
                                : host->args[i] == TypeKind::Int || host->args[i] == TypeKind::Number ? "Numeric"
                                : host->args[i] == TypeKind::String                                   ? "String"
                                : host->args[i] == TypeKind::Bool                                     ? "Bool"
                                                                                                      : "Time";
        bool ok = want == "Numeric" ? (host && host->args[i] == TypeKind::Int ? a->type.is(TypeKind::Int) : a->type.numeric())
                  : want == "String" ? a->type.is(TypeKind::String)
                  : want == "Bool"   ? a->type.is(TypeKind::Bool)
                                     : a->type.is(TypeKind::Time);
        if (!ok) {
          std::string need = want == "Numeric" ? (host && host->args[i] == TypeKind::Int ? "a whole number" : "a number")
                             : want == "String" ? "text"
                             : want == "Bool"   ? "true or false"
                                                : "a time";
          error(diag::Kind::E0304, k->range,
                fmt::format("`{}` needs {}, and `{}` is {}", fn, need, text_of(k->range), describe(a->type)));
          return error_node(e.range);
        }
        n->kids.push_back(a);
      }
      return n;
    }
    case K::CountOf:
    case K::SumOf:
    case K::DaysSince: {
      const ast::Expr& act = *e.kids[0];
      Resolved r = resolve(*act.kids[0], ctx);
      if (r.error) return error_node(e.range);
      if (e.is(K::DaysSince) && r.node && !r.behaviour) {
        if (!r.node->type.is(TypeKind::Time) || act.filter || act.span) {
          error(diag::Kind::E0304, act.range, fmt::format("`days since` needs a behaviour or a time field, and `{}` is {}",
                                                          text_of(act.kids[0]->range), describe(r.node->type)));
          return error_node(e.range);
        }
        Node* n = make(Op::DaysSinceTime, Type{TypeKind::Int}, e.range);
        n->kids = {r.node};
        return n;
      }
      if (!r.behaviour) {
        error(diag::Kind::E0304, act.kids[0]->range, fmt::format("`{}` needs a behaviour like `visited pricing`, and `{}` is not one",
                                                                 e.is(K::CountOf) ? "count of" : e.is(K::SumOf) ? "sum of" : "days since",
                                                                 text_of(act.kids[0]->range)));
        return error_node(e.range);
      }
      if (act.freq.kind != ast::Frequency::Kind::None) {
        error(diag::Kind::E0304, act.freq.range, "a frequency does not belong here");
        return error_node(e.range);
      }
      const EventQuery* q = behaviour_query(act, r, act.filter.get(), act.span.get(), ctx);
      if (!q) return error_node(e.range);
      if (e.is(K::CountOf)) {
        Node* n = make(Op::CountEvents, Type{TypeKind::Int}, e.range);
        n->query = q;
        return n;
      }
      if (e.is(K::DaysSince)) {
        Node* n = make(Op::DaysSinceLast, Type{TypeKind::Int}, e.range);
        n->query = q;
        return n;
      }
      int idx = m_.event.index_of(e.words[0]);
      if (idx < 0 || !m_.event.fields[idx].type.numeric()) {
        if (idx < 0) {
          std::vector<std::string> names;
          for (const auto& f : m_.event.fields) names.push_back(f.name);
          error(diag::Kind::E0207, e.word_ranges[0], fmt::format("`{}` is not a field of `event`", e.words[0]));
          std::string best = suggest(e.words[0], names);
          if (!best.empty()) help(fmt::format("did you mean `{}`?", best));
        } else {
          error(diag::Kind::E0301, e.word_ranges[0], fmt::format("`sum of` adds numbers, and `{}` is {}", e.words[0],
                                                                 describe(m_.event.fields[idx].type)));
        }
        return error_node(e.range);
      }
      Node* n = make(Op::SumEvents, Type{TypeKind::Number}, e.range);
      n->query = q;
      n->slot = idx;
      return n;
    }
    case K::Phrase: {
      Resolved r = resolve(e, ctx);
      if (r.error) return error_node(e.range);
      if (r.behaviour) {
        const EventQuery* q = behaviour_query(e, r, nullptr, nullptr, ctx);
        if (!q) return error_node(e.range);
        Node* n = make(Op::AnyEvents, Type{TypeKind::Bool}, e.range);
        n->query = q;
        return n;
      }
      return r.node;
    }
    case K::SetLiteral:
      error(diag::Kind::E0305, e.range, "a set can only follow `in`");
      return error_node(e.range);
    // Conditions: a condition is a bool value.
    case K::Not:
    case K::And:
    case K::Or:
    case K::Compare:
    case K::Presence:
    case K::In:
    case K::Between:
    case K::Text:
    case K::Matches:
    case K::Activity:
    case K::Never: return condition(e, ctx);
  }
  return error_node(e.range);
}

}  // namespace rubric::check
