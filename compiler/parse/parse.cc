// The one translation unit that sees ANTLR: runs the generated lexer and parser, turns syntax
// errors into Rubric diagnostics, and converts the parse tree into Rubric's own ast::Module.
#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>

#include "RubricLexer.h"
#include "RubricParser.h"
#include "antlr4-runtime.h"
#include "compiler/source/text.h"

namespace rubric::parse {

using P = rubric_antlr::RubricParser;
using ast::DeclKind;
using ast::ExprKind;
using ast::ExprPtr;
using source::SourceRange;

namespace {

constexpr int kMaxSyntaxErrors = 50;
constexpr int kMaxNesting = 100;
// The largest model file parsed (ANTLR needs about 200 bytes per token).
constexpr size_t kMaxSourceBytes = 4u << 20;
// Operators that nest (`not`, arithmetic, signs, brackets) in one condition, however many lines
// it is continued over. `and` and `or` are not counted: their chains are built balanced.
constexpr int kMaxOperatorsPerCondition = 200;

// ANTLR counts characters in code points; diagnostics need byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(const std::string& text) {
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts_.push_back(i);
    starts_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t cp) const { return cp < starts_.size() ? starts_[cp] : starts_.back(); }

 private:
  std::vector<uint32_t> starts_;
};

std::string describe_token_type(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  switch (type) {
    case P::IDENT: return "a name";
    case P::NUMBER: return "a number";
    case P::STRING: return "a quoted string";
    case P::NL: return "end of line";
    case antlr4::Token::EOF: return "end of file";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') return "`" + lit.substr(1, lit.size() - 2) + "`";
  std::string sym = vocab.getSymbolicName(type);
  // Multi-word keywords: AT_LEAST → `at least`.
  for (char& c : sym) c = (c == '_') ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "`" + sym + "`";
}

std::string describe_token(const antlr4::Token* t) {
  if (!t) return "something unexpected";
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  if (t->getType() == P::NL) return "end of line";
  return "`" + t->getText() + "`";
}

// What the user was writing when the error happened, from the innermost rule.
const char* rule_hint(size_t rule) {
  switch (rule) {
    case P::RuleRuleDecl:
    case P::RulePoints: return "a rule is written `condition: +points`, for example `employees > 500: +10`";
    case P::RuleFieldDecl:
    case P::RuleTypeSpec: return "a field is written `name: type`, for example `employees: optional int`";
    case P::RuleTierDecl: return "a tier is written `name: condition` or `name: otherwise`";
    case P::RuleDisqualifyDecl: return "a disqualifier is written `condition: \"reason\"`";
    case P::RuleScoreOption: return "score options are `at most N`, `at least N`, `decay half-life 14 days`, `decay 25% every 7 days`";
    case P::RuleFrequency: return "frequencies are `at least 3 times`, `at most 2 times`, `exactly 1 times`, `between 2 and 5 times`, `once`";
    case P::RuleSetLiteral: return "a set is written `{\"a\", \"b\"}`";
    case P::RuleDecl:
    case P::RuleFile:
      return "each line starts a section (`lead:`, `event:`, `score NAME:`, `tiers NAME:`, `disqualify:`) "
             "or declares `pages`, `const`, `define`, `behaviour`, `total`";
    default: return nullptr;
  }
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(diag::DiagnosticList& diags, uint32_t file, const OffsetMap& offsets, const std::string& text)
      : diags_(diags), file_(file), offsets_(offsets), text_(text) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t,
                   const std::string&, std::exception_ptr) override {
    if (!lines_.insert(line).second) return;  // one message per line: the rest are cascades
    if (++count_ > kMaxSyntaxErrors) {
      if (count_ == kMaxSyntaxErrors + 1)
        diags_.add(diag::Kind::E0105, range_of(offending), fmt::format("stopped after {} syntax errors", kMaxSyntaxErrors));
      return;
    }
    SourceRange r = range_of(offending);
    if (offending && offending->getType() == P::UNKNOWN_CHAR) {
      if (offending->getText() == "\"") {
        uint32_t end = r.begin;
        while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
        diags_.add(diag::Kind::E0103, {file_, r.begin, end}, "this string has no closing `\"`");
        diags_.help("close the string on the same line; write `\\\"` for a quote inside it");
      } else {
        diags_.add(diag::Kind::E0102, r, fmt::format("`{}` has no meaning in Rubric", offending->getText()));
        diags_.help("text values go in double quotes, like `\"Select\"`");
      }
      return;
    }
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    std::string expected;
    if (parser) {
      try {
        antlr4::misc::IntervalSet set = parser->getExpectedTokens();
        std::vector<std::string> words;
        for (ssize_t t : set.toList())
          if (t != P::WS && t != P::COMMENT) words.push_back(describe_token_type(parser->getVocabulary(), t));
        if (!words.empty() && words.size() <= 4) {
          expected = words[0];
          for (size_t i = 1; i < words.size(); ++i) expected += (i + 1 == words.size() ? " or " : ", ") + words[i];
        }
      } catch (...) {
      }
    }
    std::string msg = "unexpected " + describe_token(offending);
    if (!expected.empty()) msg += ", expected " + expected;
    diags_.add(diag::Kind::E0101, r, msg);
    if (parser && parser->getContext()) {
      if (const char* hint = rule_hint(parser->getContext()->getRuleIndex())) diags_.help(hint);
    }
  }

  SourceRange range_of(const antlr4::Token* t) const {
    if (!t || t->getType() == antlr4::Token::EOF) {
      uint32_t end = static_cast<uint32_t>(text_.size());
      return {file_, end > 0 ? end - 1 : 0, end};
    }
    uint32_t b = offsets_.byte(t->getStartIndex());
    uint32_t e = offsets_.byte(t->getStopIndex() + 1);
    if (t->getType() == P::NL) e = b + 1;
    return {file_, b, std::max(e, b + 1)};
  }

 private:
  diag::DiagnosticList& diags_;
  uint32_t file_;
  const OffsetMap& offsets_;
  const std::string& text_;
  std::set<size_t> lines_;
  int count_ = 0;
};

// Whether a parse tree holds a syntax error. Iterative: a long `and` chain is a deep tree.
bool has_error(antlr4::tree::ParseTree* root) {
  if (!root) return true;
  std::vector<antlr4::tree::ParseTree*> todo{root};
  while (!todo.empty()) {
    antlr4::tree::ParseTree* t = todo.back();
    todo.pop_back();
    if (!t || dynamic_cast<antlr4::tree::ErrorNode*>(t)) return true;
    if (auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(t)) {
      if (ctx->exception) return true;
      todo.insert(todo.end(), ctx->children.begin(), ctx->children.end());
    }
  }
  return false;
}

std::string unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
    out += s[i];
  }
  return out;
}

// Out-of-range numbers become infinity, for the checker to reject with a location.
double number(const antlr4::Token* t) {
  if (!t) return 0;
  return std::strtod(t->getText().c_str(), nullptr);
}

// A count of times: whole and at most a billion, else `bad` is set for the checker.
int count(const antlr4::Token* t, bool& bad) {
  double d = number(t);
  if (d != std::floor(d) || d > 1e9) {
    bad = true;
    return 0;
  }
  return static_cast<int>(d);
}

// Builds ast nodes from parse-tree contexts. Contexts with syntax errors never reach it.
class Builder {
 public:
  Builder(uint32_t file, const OffsetMap& offsets) : file_(file), offsets_(offsets) {}

  SourceRange range(const antlr4::Token* t) const {
    if (!t) return {};
    uint32_t b = offsets_.byte(t->getStartIndex());
    return {file_, b, std::max(offsets_.byte(t->getStopIndex() + 1), b + 1)};
  }
  SourceRange range(antlr4::ParserRuleContext* c) const {
    if (!c || !c->getStart()) return {};
    SourceRange r = range(c->getStart());
    const antlr4::Token* stop = c->getStop();
    if (stop && stop->getStopIndex() + 1 >= c->getStart()->getStartIndex() && stop->getType() != P::NL)
      r.end = std::max(r.end, offsets_.byte(stop->getStopIndex() + 1));
    return r;
  }

  ExprPtr node(ExprKind k, antlr4::ParserRuleContext* c) { return std::make_unique<ast::Expr>(k, range(c)); }

  ast::Decl decl(P::DeclContext* c, std::vector<std::string>& poisoned) {
    if (auto* d = dynamic_cast<P::ModelSectionContext*>(c)) {
      ast::Decl out(DeclKind::Model, range(c));
      out.name = unquote(d->name->getText());
      out.name_range = range(d->name);
      return out;
    }
    if (auto* d = dynamic_cast<P::MissingSectionContext*>(c)) {
      ast::Decl out(DeclKind::Missing, range(c));
      strings(d->values, out);
      return out;
    }
    if (auto* d = dynamic_cast<P::LeadSectionContext*>(c)) {
      ast::Decl out(DeclKind::Lead, range(c->getStart()));
      fields(d->fields, out, poisoned);
      return out;
    }
    if (auto* d = dynamic_cast<P::EventSectionContext*>(c)) {
      ast::Decl out(DeclKind::Event, range(c->getStart()));
      fields(d->fields, out, poisoned);
      return out;
    }
    if (auto* d = dynamic_cast<P::PagesSectionContext*>(c)) {
      ast::Decl out = named(DeclKind::Pages, c, d->name);
      strings(d->patterns, out);
      return out;
    }
    if (auto* d = dynamic_cast<P::ConstSectionContext*>(c)) {
      ast::Decl out = named(DeclKind::Const, c, d->name);
      out.body = d->set ? set_literal(d->set) : value(d->val);
      return out;
    }
    if (auto* d = dynamic_cast<P::DefineSectionContext*>(c)) {
      ast::Decl out = named(DeclKind::Define, c, d->name);
      out.body = condition(d->body);
      return out;
    }
    if (auto* d = dynamic_cast<P::BehaviourSectionContext*>(c)) {
      ast::Decl out(DeclKind::Behaviour, range(c));
      for (auto* w : d->words) {
        if (!out.name.empty()) out.name += ' ';
        out.name += w->getText();
        out.words.push_back(w->getText());
      }
      out.name_range = {file_, range(d->words.front()).begin, range(d->words.back()).end};
      if (d->param) out.param = d->param->getText();
      out.body = condition(d->body);
      return out;
    }
    if (auto* d = dynamic_cast<P::ScoreSectionContext*>(c)) {
      ast::Decl out = named(DeclKind::Score, c->getStart(), d->name);
      for (auto* o : d->options) out.options.push_back(score_option(o));
      for (auto* r : d->rules) {
        if (has_error(r)) continue;
        out.rules.push_back(rule(r));
      }
      return out;
    }
    if (auto* d = dynamic_cast<P::TotalSectionContext*>(c)) {
      ast::Decl out(DeclKind::Total, range(c));
      out.body = value(d->val);
      return out;
    }
    if (auto* d = dynamic_cast<P::TiersSectionContext*>(c)) {
      ast::Decl out = named(DeclKind::Tiers, c->getStart(), d->name);
      for (auto* t : d->tiers) {
        if (has_error(t)) continue;
        ast::Tier tier;
        tier.name = t->name->getText();
        tier.range = range(t);
        tier.name_range = range(t->name);
        tier.fallback = t->fallback != nullptr;
        if (t->cond) tier.cond = condition(t->cond);
        out.tiers.push_back(std::move(tier));
      }
      return out;
    }
    if (auto* d = dynamic_cast<P::TestSectionContext*>(c)) {
      ast::Decl out(DeclKind::Test, range(c->getStart()));
      out.name = unquote(d->name->getText());
      out.name_range = range(d->name);
      for (auto* item : d->items) {
        if (has_error(item)) continue;
        test_item(item, out);
      }
      return out;
    }
    auto* d = dynamic_cast<P::DisqualifySectionContext*>(c);
    ast::Decl out(DeclKind::Disqualify, range(c->getStart()));
    for (auto* r : d->reasons) {
      if (has_error(r)) continue;
      out.reasons.push_back({range(r), condition(r->cond), unquote(r->reason->getText())});
    }
    return out;
  }

  // Sections whose items are checked one by one: an item with an error is dropped alone.
  static bool has_items(P::DeclContext* c) {
    return dynamic_cast<P::LeadSectionContext*>(c) || dynamic_cast<P::EventSectionContext*>(c) ||
           dynamic_cast<P::ScoreSectionContext*>(c) || dynamic_cast<P::TiersSectionContext*>(c) ||
           dynamic_cast<P::DisqualifySectionContext*>(c) || dynamic_cast<P::TestSectionContext*>(c);
  }

  // The section header (everything before its first item) parsed cleanly.
  static bool header_ok(P::DeclContext* c) {
    if (c->exception) return false;
    for (auto* child : c->children) {
      if (dynamic_cast<P::FieldDeclContext*>(child) || dynamic_cast<P::RuleDeclContext*>(child) ||
          dynamic_cast<P::TierDeclContext*>(child) || dynamic_cast<P::DisqualifyDeclContext*>(child) ||
          dynamic_cast<P::TestItemContext*>(child))
        break;
      if (has_error(child)) return false;
    }
    return true;
  }

 private:
  ast::TestValue test_value(P::TestValueContext* c) {
    ast::TestValue v;
    v.range = range(c);
    if (auto* x = dynamic_cast<P::NumberTestValueContext*>(c)) {
      v.number = (x->signedNumber()->neg ? -1 : 1) * number(x->signedNumber()->NUMBER()->getSymbol());
    } else if (auto* x = dynamic_cast<P::StringTestValueContext*>(c)) {
      v.kind = ast::TestValue::Kind::String;
      v.text = unquote(x->STRING()->getText());
    } else if (auto* x = dynamic_cast<P::NameTestValueContext*>(c)) {
      v.kind = ast::TestValue::Kind::Name;
      v.text = x->IDENT()->getText();
    } else if (auto* x = dynamic_cast<P::BoolTestValueContext*>(c)) {
      v.kind = ast::TestValue::Kind::Bool;
      v.flag = x->lit->getType() == P::TRUE;
    }
    return v;
  }

  std::vector<ast::Assignment> assignments(const std::vector<P::AssignmentContext*>& list) {
    std::vector<ast::Assignment> out;
    for (auto* a : list) out.push_back({a->name->getText(), range(a->name), test_value(a->val)});
    return out;
  }

  void test_item(P::TestItemContext* c, ast::Decl& out) {
    if (auto* x = dynamic_cast<P::AsOfItemContext*>(c)) {
      out.as_of = unquote(x->when->getText());
      out.as_of_range = range(x->when);
    } else if (auto* x = dynamic_cast<P::GivenEventItemContext*>(c)) {
      ast::Given g;
      g.event = true;
      g.fields = assignments(x->fields);
      g.ago = number(x->ago);
      g.unit = x->unit->getText();
      g.unit_range = range(x->unit);
      g.range = range(c);
      out.givens.push_back(std::move(g));
    } else if (auto* x = dynamic_cast<P::GivenLeadItemContext*>(c)) {
      ast::Given g;
      g.fields = assignments(x->fields);
      g.range = range(c);
      out.givens.push_back(std::move(g));
    } else if (auto* x = dynamic_cast<P::ExpectTotalItemContext*>(c)) {
      ast::Expectation e;
      e.total = true;
      e.what = "total";
      e.value = test_value(x->val);
      e.range = range(c);
      out.expects.push_back(std::move(e));
    } else if (auto* x = dynamic_cast<P::ExpectItemContext*>(c)) {
      ast::Expectation e;
      e.negated = x->neg != nullptr;
      e.what = x->what->getText();
      e.what_range = range(x->what);
      if (x->val) e.value = test_value(x->val);
      if (x->label) e.label = unquote(x->label->getText());
      e.range = range(c);
      out.expects.push_back(std::move(e));
    }
  }

  ast::Decl named(DeclKind k, antlr4::ParserRuleContext* c, antlr4::Token* name) {
    return named(k, c->getStart(), name, range(c));
  }
  ast::Decl named(DeclKind k, antlr4::Token* start, antlr4::Token* name, SourceRange r = {}) {
    ast::Decl out(k, r.valid() ? r : SourceRange{file_, range(start).begin, range(name).end});
    out.name = name->getText();
    out.name_range = range(name);
    return out;
  }

  void strings(const std::vector<antlr4::Token*>& toks, ast::Decl& out) {
    for (auto* t : toks) {
      out.strings.push_back(unquote(t->getText()));
      out.string_ranges.push_back(range(t));
    }
  }

  void fields(const std::vector<P::FieldDeclContext*>& ctxs, ast::Decl& out, std::vector<std::string>& poisoned) {
    for (auto* f : ctxs) {
      if (has_error(f)) {
        if (f->name) poisoned.push_back(f->name->getText());
        continue;
      }
      ast::FieldDecl fd;
      fd.name = f->name->getText();
      fd.range = range(f);
      fd.name_range = range(f->name);
      fd.optional = f->opt != nullptr;
      fd.type.range = range(f->type);
      if (auto* e = dynamic_cast<P::EnumTypeContext*>(f->type)) {
        fd.type.is_enum = true;
        for (auto* v : e->values) {
          ast::EnumValue ev;
          ev.name = v->name->getText();
          ev.range = range(v);
          if (v->raw) ev.raw = unquote(v->raw->getText());
          ev.fallback = v->fallback != nullptr;
          fd.type.values.push_back(std::move(ev));
        }
      } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(f->type)) {
        fd.type.name = n->name->getText();
        if (n->unit) {
          fd.type.unit = n->unit->getText();
          fd.type.unit_range = range(n->unit);
        }
      }
      for (auto* o : f->options) {
        if (auto* from = dynamic_cast<P::FromOptionContext*>(o)) fd.column = unquote(from->column->getText());
        if (auto* m = dynamic_cast<P::MissingOptionContext*>(o))
          for (auto* v : m->values) fd.missing.push_back(unquote(v->getText()));
        if (dynamic_cast<P::KeyOptionContext*>(o)) fd.key = true;
      }
      out.fields.push_back(std::move(fd));
    }
  }

  ast::ScoreOption score_option(P::ScoreOptionContext* c) {
    ast::ScoreOption o{ast::ScoreOption::Kind::Ceiling, range(c), 0, 0, nullptr};
    auto signed_number = [](P::SignedNumberContext* s) { return (s->neg ? -1 : 1) * number(s->NUMBER()->getSymbol()); };
    if (auto* x = dynamic_cast<P::CeilingOptionContext*>(c)) {
      o.bound = signed_number(x->bound);
    } else if (auto* x = dynamic_cast<P::FloorOptionContext*>(c)) {
      o.kind = ast::ScoreOption::Kind::Floor;
      o.bound = signed_number(x->bound);
    } else if (auto* x = dynamic_cast<P::HalfLifeOptionContext*>(c)) {
      o.kind = ast::ScoreOption::Kind::HalfLife;
      o.span = value(x->span);
    } else if (auto* x = dynamic_cast<P::LinearDecayOptionContext*>(c)) {
      o.kind = ast::ScoreOption::Kind::Linear;
      o.percent = number(x->percent);
      o.span = value(x->span);
    }
    return o;
  }

  ast::Rule rule(P::RuleDeclContext* c) {
    ast::Rule r;
    r.range = range(c);
    r.cond = condition(c->cond);
    P::PointsContext* p = c->pts;
    r.points = number(p->amount) * (p->sign->getText() == "-" ? -1 : 1);
    r.points_range = range(p);
    r.each = p->each != nullptr;
    if (p->cap) r.cap = number(p->cap);
    if (c->label) r.label = unquote(c->label->getText());
    return r;
  }

  ExprPtr binary(ExprKind k, antlr4::ParserRuleContext* c, ExprPtr a, ExprPtr b, std::string op = {}) {
    ExprPtr e = node(k, c);
    e->op = std::move(op);
    e->kids.push_back(std::move(a));
    e->kids.push_back(std::move(b));
    return e;
  }

  ExprPtr condition(P::ConditionContext* c) {
    if (auto* x = dynamic_cast<P::NotCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Not, c);
      e->kids.push_back(condition(x->operand));
      return e;
    }
    if (dynamic_cast<P::AndCondContext*>(c)) return chain<P::AndCondContext>(ExprKind::And, c);
    if (dynamic_cast<P::OrCondContext*>(c)) return chain<P::OrCondContext>(ExprKind::Or, c);
    return predicate(dynamic_cast<P::PredCondContext*>(c)->predicate());
  }

  // `a and b and c ...` parses as a left-leaning tree as deep as the chain is long. Its operands
  // are collected without recursion and joined as a balanced tree (and/or are associative in
  // three-valued logic, and operands keep their left-to-right order), so a chain of any length
  // nests only logarithmically in every later phase.
  template <typename Ctx>
  ExprPtr chain(ExprKind k, P::ConditionContext* c) {
    std::vector<P::ConditionContext*> operands;
    P::ConditionContext* at = c;
    while (auto* x = dynamic_cast<Ctx*>(at)) {
      operands.push_back(x->rhs);
      at = x->lhs;
    }
    operands.push_back(at);
    std::reverse(operands.begin(), operands.end());
    std::vector<ExprPtr> built;
    built.reserve(operands.size());
    for (P::ConditionContext* o : operands) built.push_back(condition(o));
    return balanced(k, built, 0, built.size());
  }

  ExprPtr balanced(ExprKind k, std::vector<ExprPtr>& parts, size_t from, size_t to) {
    if (to - from == 1) return std::move(parts[from]);
    size_t mid = from + (to - from) / 2;
    ExprPtr lhs = balanced(k, parts, from, mid);
    ExprPtr rhs = balanced(k, parts, mid, to);
    auto e = std::make_unique<ast::Expr>(k, SourceRange{file_, lhs->range.begin, rhs->range.end});
    e->kids.push_back(std::move(lhs));
    e->kids.push_back(std::move(rhs));
    return e;
  }

  ExprPtr predicate(P::PredicateContext* c) {
    if (auto* x = dynamic_cast<P::ParenCondContext*>(c)) return condition(x->inner);
    if (auto* x = dynamic_cast<P::CompareCondContext*>(c)) {
      std::string op = x->op->getText();
      if (op == "==") op = "=";
      return binary(ExprKind::Compare, c, value(x->lhs), value(x->rhs), op);
    }
    if (auto* x = dynamic_cast<P::PresenceCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Presence, c);
      e->flag = x->present != nullptr;
      e->negated = x->neg != nullptr;
      e->kids.push_back(value(x->lhs));
      return e;
    }
    if (auto* x = dynamic_cast<P::IsCondContext*>(c))
      return binary(ExprKind::Compare, c, value(x->lhs), value(x->rhs), x->neg ? "!=" : "=");
    if (auto* x = dynamic_cast<P::InCondContext*>(c)) {
      ExprPtr set;
      if (auto* lit = dynamic_cast<P::LiteralSetContext*>(x->set)) set = set_literal(lit->setLiteral());
      else set = phrase(dynamic_cast<P::NamedSetContext*>(x->set)->name);
      ExprPtr e = binary(ExprKind::In, c, value(x->lhs), std::move(set));
      e->negated = x->neg != nullptr;
      return e;
    }
    if (auto* x = dynamic_cast<P::BetweenCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Between, c);
      e->negated = x->neg != nullptr;
      e->kids.push_back(value(x->lhs));
      e->kids.push_back(value(x->lo));
      e->kids.push_back(value(x->hi));
      return e;
    }
    if (auto* x = dynamic_cast<P::TextCondContext*>(c)) {
      std::string op = x->op->getType() == P::CONTAINS ? "contains"
                       : x->op->getType() == P::STARTS_WITH ? "starts with" : "ends with";
      ExprPtr e = binary(ExprKind::Text, c, value(x->lhs), value(x->rhs), op);
      e->icase = x->icase != nullptr;
      return e;
    }
    if (auto* x = dynamic_cast<P::MatchCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Matches, c);
      e->text = unquote(x->pattern->getText());
      e->text_range = range(x->pattern);
      e->icase = x->icase != nullptr;
      e->kids.push_back(value(x->lhs));
      return e;
    }
    if (auto* x = dynamic_cast<P::NeverCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Never, c);
      e->kids.push_back(activity(x->act));
      return e;
    }
    if (auto* x = dynamic_cast<P::CallCondContext*>(c)) return call(x->call);
    return activity(dynamic_cast<P::ActivityCondContext*>(c)->act);
  }

  ExprPtr call(P::CallValueContext* c) {
    ExprPtr e = node(ExprKind::Call, c);
    e->words.push_back(c->fn->getText());
    e->word_ranges.push_back(range(c->fn));
    for (auto* a : c->args) e->kids.push_back(value(a));
    return e;
  }

  // Both frequencies parse so that `within 30 days at least 3 times` reads either way; the
  // checker rejects a second one.
  ExprPtr activity(P::ActivityContext* c) {
    ExprPtr e = node(ExprKind::Activity, c);
    e->kids.push_back(phrase(c->subject));
    if (c->filter) e->filter = predicate(c->filter);
    if (c->span) e->span = value(c->span);
    P::FrequencyContext* f = c->freq ? c->freq : c->freqAfter;
    if (c->freq && c->freqAfter) e->freq_twice = true;
    if (f) {
      using FK = ast::Frequency::Kind;
      bool bad = false;
      if (auto* x = dynamic_cast<P::AtLeastFreqContext*>(f)) e->freq = {FK::AtLeast, count(x->n, bad), 0, range(f)};
      if (auto* x = dynamic_cast<P::AtMostFreqContext*>(f)) e->freq = {FK::AtMost, 0, count(x->n, bad), range(f)};
      if (auto* x = dynamic_cast<P::ExactlyFreqContext*>(f)) {
        int n = count(x->n, bad);
        e->freq = {FK::Exactly, n, n, range(f)};
      }
      if (auto* x = dynamic_cast<P::BetweenFreqContext*>(f))
        e->freq = {FK::Between, count(x->lo, bad), count(x->hi, bad), range(f)};
      if (dynamic_cast<P::OnceFreqContext*>(f)) e->freq = {FK::Exactly, 1, 1, range(f)};
      e->freq.bad = bad;
    }
    return e;
  }

  ExprPtr phrase(P::PhraseContext* c) {
    ExprPtr e = node(ExprKind::Phrase, c);
    for (auto* w : c->words) {
      e->words.push_back(w->getText());
      e->word_ranges.push_back(range(w));
    }
    return e;
  }

  ExprPtr set_literal(P::SetLiteralContext* c) {
    ExprPtr e = node(ExprKind::SetLiteral, c);
    for (auto* v : c->items) e->kids.push_back(value(v));
    return e;
  }

  ExprPtr value(P::ValueContext* c) {
    if (auto* x = dynamic_cast<P::ParenValueContext*>(c)) return value(x->inner);
    if (auto* x = dynamic_cast<P::NegValueContext*>(c)) {
      ExprPtr e = node(ExprKind::Neg, c);
      e->kids.push_back(value(x->operand));
      return e;
    }
    if (auto* x = dynamic_cast<P::MulValueContext*>(c))
      return binary(ExprKind::Binary, c, value(x->lhs), value(x->rhs), x->op->getText());
    if (auto* x = dynamic_cast<P::AddValueContext*>(c))
      return binary(ExprKind::Binary, c, value(x->lhs), value(x->rhs), x->op->getText());
    if (auto* x = dynamic_cast<P::NumberValueContext*>(c)) {
      ExprPtr e = node(ExprKind::Number, c);
      e->number = number(x->num);
      if (x->unit) {
        e->text = x->unit->getText();
        e->text_range = range(x->unit);
      }
      return e;
    }
    if (auto* x = dynamic_cast<P::StringValueContext*>(c)) {
      ExprPtr e = node(ExprKind::String, c);
      e->text = unquote(x->str->getText());
      return e;
    }
    if (auto* x = dynamic_cast<P::BoolValueContext*>(c)) {
      ExprPtr e = node(ExprKind::Bool, c);
      e->flag = x->lit->getType() == P::TRUE;
      return e;
    }
    if (dynamic_cast<P::TotalValueContext*>(c)) return node(ExprKind::Total, c);
    if (auto* x = dynamic_cast<P::CallValueAltContext*>(c)) return call(x->call);
    if (auto* x = dynamic_cast<P::CountValueContext*>(c)) {
      ExprPtr e = node(ExprKind::CountOf, c);
      e->kids.push_back(activity(x->act));
      return e;
    }
    if (auto* x = dynamic_cast<P::SumValueContext*>(c)) {
      ExprPtr e = node(ExprKind::SumOf, c);
      e->words.push_back(x->field->getText());
      e->word_ranges.push_back(range(x->field));
      e->kids.push_back(activity(x->act));
      return e;
    }
    if (auto* x = dynamic_cast<P::DaysSinceValueContext*>(c)) {
      ExprPtr e = node(ExprKind::DaysSince, c);
      e->flag = x->last != nullptr;
      e->kids.push_back(activity(x->act));
      return e;
    }
    return phrase(dynamic_cast<P::PhraseValueContext*>(c)->subject);
  }

  uint32_t file_;
  const OffsetMap& offsets_;
};

// Deep nesting would overflow the recursive parser, checker and back ends; refuse it before
// parsing: brackets more than 100 deep, or more than 200 nesting operators in one condition (a
// condition continues over lines after `and`, `or` or an open bracket). Chains of `and` and `or`
// may be any length: the builder balances them, so they nest only logarithmically.
bool too_deep(antlr4::CommonTokenStream& tokens, ErrorListener& listener, diag::DiagnosticList& diags) {
  int depth = 0;
  int operators = 0;
  bool continues = false;  // the last significant token leaves the condition open
  for (antlr4::Token* t : tokens.getTokens()) {
    size_t type = t->getType();
    if (type == P::WS || type == P::COMMENT) continue;
    if (type == P::NL) {
      if (!continues && depth <= 0) operators = 0;
      continue;
    }
    const std::string text = t->getText();
    continues = type == P::AND || type == P::OR || text == ",";
    if (type == P::NOT || type == P::NEVER || text == "-" || text == "+" || text == "*" || text == "/" || text == "(" ||
        text == "{")
      ++operators;
    if (operators > kMaxOperatorsPerCondition) {
      diags.add(diag::Kind::E0104, listener.range_of(t),
                fmt::format("more than {} operators in one condition", kMaxOperatorsPerCondition));
      diags.help("split the condition into named parts with `define`");
      return true;
    }
    if (text == "(" || text == "{") ++depth;
    if (text == ")" || text == "}") --depth;
    if (depth > kMaxNesting) {
      diags.add(diag::Kind::E0104, listener.range_of(t),
                fmt::format("more than {} nested brackets", kMaxNesting));
      diags.help("split the condition into named parts with `define`");
      return true;
    }
  }
  return false;
}

// A text's tokens, all of them (comments and white space on the hidden channel). The lexer
// never fails: anything it does not know becomes an UNKNOWN_CHAR token.
struct Lexed {
  explicit Lexed(const std::string& text) : input(text), lexer(&input), tokens(&lexer) {
    lexer.removeErrorListeners();
    tokens.fill();
  }
  antlr4::ANTLRInputStream input;
  rubric_antlr::RubricLexer lexer;
  antlr4::CommonTokenStream tokens;
};

// Invalid UTF-8 is reported once, where it starts, and each bad byte is read as `?` so that the
// rest of the file still parses with the same byte offsets.
std::string valid_utf8(const std::string& raw, uint32_t file, diag::DiagnosticList& diags) {
  std::string out = raw;
  bool reported = false;
  for (size_t i = 0; i < out.size();) {
    size_t n = text::utf8_length(out, i);
    if (n) {
      i += n;
      continue;
    }
    if (!reported) {
      diags.add(diag::Kind::E0102, {file, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)},
                fmt::format("this file is not UTF-8 text: byte 0x{:02X} here", static_cast<unsigned char>(out[i])));
      diags.help("save the file as UTF-8");
      reported = true;
    }
    out[i++] = '?';
  }
  return out;
}

}  // namespace

ParseResult parse(const source::SourceManager& sm, uint32_t file) {
  ParseResult result;
  result.module.file = file;
  if (sm.file(file).text().size() > kMaxSourceBytes) {
    // Parsing needs memory in proportion (ANTLR keeps every token): refuse before it starts.
    result.diagnostics.add(diag::Kind::E0104, {file, 0, 1},
                           fmt::format("the model is too large: {} MiB, and the limit is {} MiB",
                                       (sm.file(file).text().size() + (1 << 20) - 1) >> 20, kMaxSourceBytes >> 20));
    result.diagnostics.help("split it into several models");
    return result;
  }
  const std::string text = valid_utf8(sm.file(file).text(), file, result.diagnostics);
  OffsetMap offsets(text);
  ErrorListener listener(result.diagnostics, file, offsets, text);
  try {
    Lexed lexed(text);
    antlr4::CommonTokenStream& tokens = lexed.tokens;
    if (too_deep(tokens, listener, result.diagnostics)) return result;
    rubric_antlr::RubricParser parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    P::FileContext* tree = parser.file();
    Builder builder(file, offsets);
    for (P::DeclContext* d : tree->decls) {
      bool keep = Builder::has_items(d) ? Builder::header_ok(d) : !has_error(d);
      if (!keep) {
        if (auto* f = dynamic_cast<P::ConstSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::DefineSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::PagesSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::ScoreSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        continue;
      }
      result.module.decls.push_back(builder.decl(d, result.poisoned_names));
    }
  } catch (const std::exception& e) {
    result.diagnostics.add(diag::Kind::E0101, {file, 0, 1}, fmt::format("the file could not be read: {}", e.what()));
  } catch (...) {
    result.diagnostics.add(diag::Kind::E0101, {file, 0, 1}, "the file could not be read");
  }
  return result;
}


// rubric fmt: the canonical layout, from the token stream (comments included) so that only
// white space changes. Sections start at column 0, their items are indented two spaces, lines
// that continue a set or a condition four; one space between tokens except around brackets,
// commas and colons; at most one blank line in a row.
namespace {

bool is_section_start(size_t type) {
  switch (type) {
    case P::MODEL: case P::MISSING: case P::LEAD: case P::EVENT: case P::PAGES: case P::CONST:
    case P::DEFINE: case P::BEHAVIOUR: case P::SCORE: case P::TOTAL: case P::TIERS: case P::DISQUALIFY:
    case P::TEST:
      return true;
    default:
      return false;
  }
}

bool opens_items(size_t type) {
  return type == P::LEAD || type == P::EVENT || type == P::SCORE || type == P::TIERS || type == P::DISQUALIFY ||
         type == P::TEST;
}

// Whether a `+` or `-` after `prev` is a sign (no space after it) rather than an operator.
bool is_sign_context(const antlr4::Token* prev) {
  if (!prev) return true;
  const std::string t = prev->getText();
  size_t type = prev->getType();
  if (type == P::IDENT || type == P::NUMBER || type == P::STRING || type == P::TOTAL || t == ")" || t == "}" ||
      type == P::TRUE || type == P::FALSE)
    return false;
  return true;
}

std::string format_line(const std::vector<antlr4::Token*>& toks, bool behaviour_line) {
  std::string out;
  const antlr4::Token* prev = nullptr;
  bool glue_next = false;  // after a sign, `(`, `{` or `<` of a behaviour parameter
  for (antlr4::Token* t : toks) {
    const std::string text = t->getText();
    if (t->getType() == P::COMMENT) {
      out += (out.empty() ? "" : "  ") + text;
      prev = t;
      continue;
    }
    bool space = !out.empty() && !glue_next;
    if (text == "," || text == ":" || text == ")" || text == "}" || text == "%") space = false;
    if (text == "(" && prev && prev->getType() == P::IDENT && !behaviour_line) space = false;  // a call: lower(x)
    if (behaviour_line && text == ">") space = false;
    out += (space ? " " : "") + text;
    glue_next = text == "(" || text == "{" || (behaviour_line && text == "<") ||
                ((text == "+" || text == "-") && is_sign_context(prev));
    prev = t;
  }
  return out;
}

}  // namespace

std::optional<std::string> format_source(const std::string& text) {
  try {
    Lexed lexed(text);
    antlr4::CommonTokenStream& tokens = lexed.tokens;
    // Lines of significant tokens and comments, with the blank lines before each.
    struct Line {
      std::vector<antlr4::Token*> toks;
      int blanks_before = 0;
    };
    std::vector<Line> lines(1);
    for (antlr4::Token* t : tokens.getTokens()) {
      size_t type = t->getType();
      if (type == P::UNKNOWN_CHAR) return std::nullopt;  // not Rubric: leave the file alone
      if (type == P::WS || type == antlr4::Token::EOF) continue;
      if (type == P::NL) {
        int newlines = 0;
        for (char c : t->getText()) newlines += c == '\n';
        lines.push_back({});
        lines.back().blanks_before = std::min(1, newlines - 1);
        if (lines[lines.size() - 2].toks.empty()) lines.back().blanks_before = std::max(lines.back().blanks_before, lines[lines.size() - 2].blanks_before);
        continue;
      }
      lines.back().toks.push_back(t);
    }
    // Indentation: item sections indent their lines; a line that continues the one before
    // (open brackets, or ending in `and`, `or` or `,`) indents two more.
    std::string out;
    bool in_items = false;
    int depth = 0;       // open ( and { across lines
    bool continues = false;
    std::vector<size_t> order;
    for (size_t i = 0; i < lines.size(); ++i) {
      Line& line = lines[i];
      if (line.toks.empty()) continue;
      bool comment_only = line.toks.size() == 1 && line.toks[0]->getType() == P::COMMENT;
      size_t first = line.toks[0]->getType();
      int indent;
      bool closes = line.toks[0]->getText() == "}" || line.toks[0]->getText() == ")";
      if (closes && depth > 0) {
        indent = in_items ? 2 : 0;  // a closing bracket lines up with the line that opened it
      } else if (continues || depth > 0) {
        indent = in_items ? 4 : 2;
      } else if (comment_only) {
        // A comment takes the indentation of the code line after it.
        size_t j = i + 1;
        while (j < lines.size() && (lines[j].toks.empty() || (lines[j].toks.size() == 1 && lines[j].toks[0]->getType() == P::COMMENT))) ++j;
        bool next_is_section = j >= lines.size() || is_section_start(lines[j].toks[0]->getType());
        indent = (!next_is_section && in_items) ? 2 : 0;
      } else if (is_section_start(first)) {
        indent = 0;
        in_items = opens_items(first);
      } else {
        indent = in_items ? 2 : 0;
      }
      if (!out.empty() && line.blanks_before > 0) out += "\n";
      out += std::string(indent, ' ') + format_line(line.toks, first == P::BEHAVIOUR) + "\n";
      if (!comment_only) {
        for (antlr4::Token* t : line.toks) {
          if (t->getText() == "(" || t->getText() == "{") ++depth;
          if (t->getText() == ")" || t->getText() == "}") --depth;
        }
        antlr4::Token* last = nullptr;
        for (antlr4::Token* t : line.toks)
          if (t->getType() != P::COMMENT) last = t;
        continues = last && (last->getType() == P::AND || last->getType() == P::OR || last->getText() == ",");
      }
    }
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace rubric::parse
