// SPDX-License-Identifier: Apache-2.0
// The check phase's entry point: runs the schema and name checks, then scores and their rules,
// the total, disqualifiers and tiers, and hands back the model with every diagnostic.
#include "compiler/check/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "compiler/check/checker.h"

namespace rubric::check {

namespace {

// Larger points could overflow a sum of hundredths.
constexpr double kMaxPoints = 1e9;

// Points and caps are kept to cents; more decimals would be silently rounded away.
bool cents_exact(double v) { return std::abs(v * 100 - std::round(v * 100)) < 1e-6; }

}  // namespace

// `cold: otherwize`: a tier whose condition is one unknown word close to `otherwise` is
// reported once and read as the catch-all tier, so that no "no `otherwise` tier" follows.
static bool misspelt_otherwise(Checker& c, const ast::Tier& t) {
  if (!t.cond || !t.cond->is(ast::ExprKind::Activity) || t.cond->kids.size() != 1 || t.cond->span || t.cond->filter ||
      t.cond->freq.kind != ast::Frequency::Kind::None)
    return false;
  const ast::Expr& phrase = *t.cond->kids[0];
  if (phrase.words.size() != 1 || diag::closest_name(phrase.words[0], {"otherwise"}).empty()) return false;
  const std::string& w = phrase.words[0];
  if (c.defines_.count(w) || c.consts_.count(w) || c.scores_.count(w) || c.m_.lead.index_of(w) >= 0 || c.poisoned(w))
    return false;
  c.error(diag::Kind::E0201, phrase.range, fmt::format("unknown word `{}`", w));
  c.help("did you mean `otherwise`?");
  return true;
}

static void check_score(Checker& c, const ast::Decl& d, Score& score) {
  for (const ast::ScoreOption& o : d.options) {
    switch (o.kind) {
      case ast::ScoreOption::Kind::Ceiling:
        if (score.ceiling) c.error(diag::Kind::E0406, o.range, fmt::format("`{}` has two ceilings (`at most`)", d.name));
        score.ceiling = o.bound;
        break;
      case ast::ScoreOption::Kind::Floor:
        if (score.floor) c.error(diag::Kind::E0406, o.range, fmt::format("`{}` has two floors (`at least`)", d.name));
        score.floor = o.bound;
        break;
      case ast::ScoreOption::Kind::HalfLife:
      case ast::ScoreOption::Kind::Linear: {
        if (score.decay.kind != Decay::Kind::None) {
          c.error(diag::Kind::E0406, o.range, fmt::format("`{}` has two decays", d.name));
          break;
        }
        bool ok;
        double secs = c.duration_seconds(*o.span, Ctx{Scope::Lead}, "the decay period", ok);
        if (!ok) break;
        score.decay.period_seconds = secs;
        if (o.kind == ast::ScoreOption::Kind::HalfLife) {
          score.decay.kind = Decay::Kind::HalfLife;
        } else if (o.percent <= 0 || o.percent > 100) {
          c.error(diag::Kind::E0309, o.range, fmt::format("a decay of {}% is not between 0% and 100%", o.percent));
        } else {
          score.decay.kind = Decay::Kind::Linear;
          score.decay.fraction = o.percent / 100;
        }
        break;
      }
    }
  }
  for (auto bound : {score.ceiling, score.floor})
    if (bound && std::abs(*bound) > kMaxPoints) c.error(diag::Kind::E0309, d.name_range, "a score's floor and ceiling go up to 1000000000");
  if (score.ceiling && score.floor && *score.floor > *score.ceiling) {
    c.error(diag::Kind::E0408, d.name_range, fmt::format("`{}` has a floor ({}) above its ceiling ({})", d.name, *score.floor, *score.ceiling));
  }
  // Tests (`expect fired "..."`) and explanations name a rule by its label: one label, one rule.
  std::map<std::string, const ast::Rule*> labels;
  for (const ast::Rule& r : d.rules) {
    if (!r.label) continue;
    auto [it, fresh] = labels.emplace(*r.label, &r);
    if (fresh) continue;
    c.error(diag::Kind::E0209, r.range, fmt::format("the label \"{}\" is already used in `{}`", *r.label, d.name));
    c.note(fmt::format("the first rule with it is on line {}", c.line_of(it->second->range)));
    c.help("give each rule of a score its own label");
  }
  for (const ast::Rule& r : d.rules) {
    Rule out;
    out.range = r.range;
    out.text = c.text_of(r.range);
    out.line = c.line_of(r.range);
    out.label = r.label.value_or(c.text_of(r.cond->range));
    out.points = r.points;
    out.points_range = r.points_range;
    out.each = r.each;
    out.cap = r.cap;
    if (!cents_exact(r.points)) c.error(diag::Kind::E0309, r.points_range, "points can have at most two decimals");
    if (std::abs(r.points) > kMaxPoints || (r.cap && *r.cap > kMaxPoints))
      c.error(diag::Kind::E0309, r.points_range, "points and caps go up to 1000000000"); 
    if (r.cap && (*r.cap <= 0 || !cents_exact(*r.cap))) {
      c.error(diag::Kind::E0309, r.points_range, "a cap must be above zero, with at most two decimals");
    }
    if (r.cap && !r.each) {
      c.error(diag::Kind::E0309, r.points_range, "`at most` caps points given per event, and this rule gives its points once");
      c.help(fmt::format("write `{} each, at most {}` to give points per event, or drop the cap", r.points > 0 ? "+" + fmt::format("{}", r.points) : fmt::format("{}", r.points), *r.cap));
    }
    if (r.each) {
      if (!r.cond->is(ast::ExprKind::Activity)) {
        c.error(diag::Kind::E0306, r.points_range, "`each` gives points per event, and this rule is not about events");
        c.help("use `each` with a behaviour, like `opened email within 30 days: +2 each, at most 10`");
        continue;
      }
      const Node* n = c.activity(*r.cond, Ctx{Scope::Lead}, true);
      if (n->type.is(TypeKind::Error)) continue;
      while (n->op == Op::Define) n = n->kids[0];  // `define saw_pricing: visited pricing`, used with `each`
      if (n->op != Op::AnyEvents) {
        c.error(diag::Kind::E0306, r.points_range,
                fmt::format("`each` gives points per event, and `{}` is not a behaviour", c.text_of(r.cond->range)));
        continue;
      }
      out.query = n->query;
      out.freq_lo = n->freq_lo;
      out.freq_hi = n->freq_hi;
    } else {
      out.cond = c.condition(*r.cond, Ctx{Scope::Lead});
      if (out.cond->type.is(TypeKind::Error)) continue;
    }
    score.rules.push_back(std::move(out));
  }
}

// A test case: field names against the schema, values against their types, expectations
// against the model's scores, tier sets, tiers and rule labels.
static void check_test(Checker& c, const ast::Decl& d) {
  TestCase t;
  t.name = d.name;
  t.range = d.range;
  t.line = c.line_of(d.range);
  t.as_of = d.as_of;
  if (d.as_of.empty()) {
    c.error(diag::Kind::E0410, d.name_range, fmt::format("the test \"{}\" has no `as of` time", d.name));
    c.help("add a line like `as of \"2026-11-01\"`; event times are counted back from it");
  }
  auto fields = [&](const std::vector<ast::Assignment>& list, const Schema& schema, const char* where,
                    std::vector<TestCase::Field>& out) {
    for (const ast::Assignment& a : list) {
      int idx = schema.index_of(a.name);
      if (idx < 0) {
        std::vector<std::string> names;
        for (const auto& f : schema.fields) names.push_back(f.name);
        c.error(diag::Kind::E0201, a.name_range, fmt::format("`{}` is not a field of `{}`", a.name, where));
        std::string best = c.suggest(a.name, names);
        if (!best.empty()) c.help(fmt::format("did you mean `{}`?", best));
        continue;
      }
      TestCase::Field f;
      f.column = schema.fields[idx].column;
      switch (a.value.kind) {
        case ast::TestValue::Kind::Number: f.kind = Value::Kind::Number; f.number = a.value.number; break;
        case ast::TestValue::Kind::Bool: f.kind = Value::Kind::Bool; f.flag = a.value.flag; break;
        case ast::TestValue::Kind::String:
        case ast::TestValue::Kind::Name: f.kind = Value::Kind::String; f.text = a.value.text; break;
      }
      out.push_back(std::move(f));
    }
  };
  double unit_seconds(std::string_view u);
  for (const ast::Given& g : d.givens) {
    if (!g.event) {
      fields(g.fields, c.m_.lead, "lead", t.lead);
      continue;
    }
    if (!c.m_.has_events) {
      c.error(diag::Kind::E0407, g.range, "this test gives an event, and the model has no `event:` section");
      continue;
    }
    TestCase::GivenEvent ev;
    fields(g.fields, c.m_.event, "event", ev.fields);
    double u = unit_seconds(g.unit);
    if (u == 0) {
      c.error(diag::Kind::E0205, g.unit_range, fmt::format("`{}` is not a time unit", g.unit));
      continue;
    }
    ev.seconds_ago = g.ago * u;
    t.events.push_back(std::move(ev));
  }
  for (const ast::Expectation& e : d.expects) {
    TestCase::Expect x;
    x.negated = e.negated;
    x.source = c.text_of(e.range);
    x.line = c.line_of(e.range);
    auto number = [&](const char* what) {
      if (!e.value || e.value->kind != ast::TestValue::Kind::Number) {
        c.error(diag::Kind::E0301, e.range, fmt::format("`expect {}` needs a number, like `expect {} = 45`", what, what));
        return false;
      }
      x.number = e.value->number;
      return true;
    };
    if (e.total) {
      x.kind = TestCase::Expect::Kind::Total;
      if (!number("total")) continue;
    } else if (e.what == "fired") {
      x.kind = TestCase::Expect::Kind::Fired;
      if (!e.label) {
        c.error(diag::Kind::E0411, e.range, "`expect fired` needs a rule's label, like `expect fired \"decision maker\"`");
        continue;
      }
      bool known = false;
      std::vector<std::string> labels, owners;  // owners: the scores with a rule of this label
      for (const Score& s : c.m_.scores)
        for (const Rule& r : s.rules) {
          known |= r.label == *e.label;
          if (r.label == *e.label && std::find(owners.begin(), owners.end(), s.name) == owners.end()) owners.push_back(s.name);
          labels.push_back(r.label);
        }
      if (owners.size() > 1) {
        // Which rule fired would be ambiguous: the test could pass on the wrong one.
        c.error(diag::Kind::E0209, e.range, fmt::format("the label \"{}\" belongs to rules of `{}` and `{}`", *e.label,
                                                        owners[0], owners[1]));
        c.help("give the rules different labels, so that the test says which one fired");
        continue;
      }
      if (!known) {
        c.error(diag::Kind::E0201, e.range, fmt::format("no rule has the label \"{}\"", *e.label));
        std::string best = c.suggest(*e.label, labels);
        if (!best.empty()) c.help(fmt::format("did you mean \"{}\"?", best));
        continue;
      }
      x.text = *e.label;
    } else if (e.what == "disqualified") {
      x.kind = TestCase::Expect::Kind::Disqualified;
      if (e.value) x.text = e.value->text;
    } else {
      int score = -1, tiers = -1;
      for (size_t i = 0; i < c.m_.scores.size(); ++i)
        if (c.m_.scores[i].name == e.what) score = static_cast<int>(i);
      for (size_t i = 0; i < c.m_.tier_sets.size(); ++i)
        if (c.m_.tier_sets[i].name == e.what) tiers = static_cast<int>(i);
      if (score >= 0) {
        x.kind = TestCase::Expect::Kind::Score;
        x.index = score;
        if (!number(e.what.c_str())) continue;
      } else if (tiers >= 0) {
        x.kind = TestCase::Expect::Kind::Tier;
        x.index = tiers;
        if (!e.value || (e.value->kind != ast::TestValue::Kind::Name && e.value->kind != ast::TestValue::Kind::String)) {
          // A tier set whose tiers did not parse has none to name.
          const auto& named = c.m_.tier_sets[tiers].tiers;
          c.error(diag::Kind::E0301, e.range, fmt::format("`expect {}` needs a tier, like `expect {} is {}`", e.what, e.what,
                                                          named.empty() ? std::string("<tier>") : named.front().name));
          continue;
        }
        x.text = e.value->text;
        const auto& list = c.m_.tier_sets[tiers].tiers;
        if (x.text != "disqualified" &&
            std::none_of(list.begin(), list.end(), [&](const Tier& tier) { return tier.name == x.text; })) {
          c.error(diag::Kind::E0201, e.value->range, fmt::format("`{}` is not a tier of `{}`", x.text, e.what));
          continue;
        }
      } else {
        c.error(diag::Kind::E0201, e.what_range,
                fmt::format("`{}` is not a score, a tier set, `total`, `disqualified` or `fired`", e.what));
        continue;
      }
    }
    t.expects.push_back(std::move(x));
  }
  c.m_.tests.push_back(std::move(t));
}

void Checker::run() {
  declare_names();
  check_schema();
  // Constants, predicates and page groups are checked once even when unused.
  for (const auto& [name, d] : consts_) {
    ast::Expr use(ast::ExprKind::Phrase, d->name_range);
    use.words = {name};
    use.word_ranges = {d->name_range};
    resolve(use, Ctx{Scope::Lead});
  }
  for (const auto& [name, d] : defines_) {
    ast::Expr use(ast::ExprKind::Phrase, d->name_range);
    use.words = {name};
    use.word_ranges = {d->name_range};
    resolve(use, Ctx{Scope::Lead});
  }
  for (const ast::Decl& d : in_.model->decls) {
    switch (d.kind) {
      case ast::DeclKind::Score:
        if (auto it = scores_.find(d.name); it != scores_.end() && m_.scores[it->second].range.begin == d.name_range.begin)
          check_score(*this, d, m_.scores[it->second]);
        break;
      case ast::DeclKind::Total: {
        Ctx ctx{Scope::Outcome};
        ctx.in_total = true;
        const Node* t = value(*d.body, ctx);
        if (t->type.is(TypeKind::Error)) break;
        if (!t->type.numeric()) {
          error(diag::Kind::E0301, d.body->range, fmt::format("the total must be a number, and `{}` is not", text_of(d.body->range)));
          break;
        }
        m_.total = t;
        break;
      }
      case ast::DeclKind::Disqualify:
        for (const ast::Reason& r : d.reasons) {
          const Node* cond = condition(*r.cond, Ctx{Scope::Lead});
          if (!cond->type.is(TypeKind::Error)) m_.disqualifiers.push_back({r.reason, r.range, cond, line_of(r.range)});
        }
        break;
      case ast::DeclKind::Tiers: {
        TierSet set{d.name, {}};
        const ast::Tier* fallback = nullptr;
        std::vector<std::string> seen;
        for (const ast::Tier& t : d.tiers) {
          if (fallback) {
            error(diag::Kind::E0401, t.range, fmt::format("the tier `{}` can never be chosen", t.name));
            note(fmt::format("`{}: otherwise` on line {} already takes every lead that reaches it", fallback->name, line_of(fallback->range)));
            help("move `otherwise` to the last line");
            continue;
          }
          if (std::find(seen.begin(), seen.end(), t.name) != seen.end())
            error(diag::Kind::E0202, t.name_range, fmt::format("the tier `{}` is listed twice in `{}`", t.name, d.name));
          seen.push_back(t.name);
          if (t.fallback || misspelt_otherwise(*this, t)) {
            fallback = &t;
            set.tiers.push_back({t.name, t.range, nullptr});
            continue;
          }
          const Node* cond = condition(*t.cond, Ctx{Scope::Outcome});
          if (!cond->type.is(TypeKind::Error)) set.tiers.push_back({t.name, t.range, cond});
        }
        if (!fallback) {
          error(diag::Kind::E0402, d.name_range, fmt::format("`{}` has no `otherwise` tier, so some leads would get none", d.name));
          help("end the section with a default, like `cold: otherwise`");
        }
        m_.tier_sets.push_back(std::move(set));
        break;
      }
      // Checked before (the schema, sets, defines, behaviours) or after (tests).
      case ast::DeclKind::Model:
      case ast::DeclKind::Missing:
      case ast::DeclKind::DecimalComma:
      case ast::DeclKind::Lead:
      case ast::DeclKind::Event:
      case ast::DeclKind::Pages:
      case ast::DeclKind::Const:
      case ast::DeclKind::Define:
      case ast::DeclKind::Behaviour:
      case ast::DeclKind::Test: break;
    }
  }
  // Tests last: they name scores and tiers declared anywhere in the file.
  for (const ast::Decl& d : in_.model->decls)
    if (d.kind == ast::DeclKind::Test) check_test(*this, d);
}

CheckResult check(const CheckInput& input) {
  CheckResult result;
  auto model = std::make_unique<CheckedModel>();
  model->host_functions = input.host_functions;
  Checker checker(input, *model, result.diagnostics);
  try {
    checker.run();
  } catch (const TooLarge&) {
    // reported where the limit was reached
  }
  // Checking a shared constant or predicate at each use can repeat a message: keep one.
  diag::DiagnosticList unique;
  std::set<std::tuple<int, uint32_t, uint32_t, std::string>> seen;
  for (const diag::Diagnostic& d : result.diagnostics.items()) {
    auto key = std::make_tuple(static_cast<int>(d.kind), d.range.begin, d.range.file, d.message);
    if (!seen.insert(key).second) continue;
    diag::Diagnostic& copy = unique.add(d.kind, d.range, d.message);
    copy.notes = d.notes;
  }
  unique.sort_by_location();
  result.diagnostics = std::move(unique);
  if (!result.diagnostics.has_errors()) result.model = std::move(model);
  return result;
}

}  // namespace rubric::check
