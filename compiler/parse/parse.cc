// SPDX-License-Identifier: Apache-2.0
// The one translation unit that sees ANTLR: runs the generated lexer and parser, turns syntax
// errors into Rubric diagnostics, and converts the parse tree into Rubric's own ast::Module.
#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "RubricLexer.h"
#include "RubricParser.h"
#include "antlr4-runtime.h"
#include "compiler/source/text.h"

namespace rubric::parse {

using P = rubric_antlr::RubricParser;
using ast::DeclKind;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Operator;
using source::SourceRange;

namespace {

constexpr int kMaxSyntaxErrors = 50;
constexpr int kMaxNesting = 100;
// The largest model file parsed (ANTLR needs about 200 bytes per token).
constexpr size_t kMaxSourceBytes = 4u << 20;
// The most tokens parsed: ANTLR's prediction takes ~100 µs per operand of a long `or` chain,
// so this keeps the worst model to seconds (a 100,000-item set fits).
constexpr size_t kMaxTokens = 250'000;
// How deep operators that nest (`not`, arithmetic, signs, brackets) may stack up in one
// condition, however many lines it is continued over (see too_deep).
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
    case P::RuleTestItem: return "a test's lines are `as of \"...\"`, `given ...` and `expect ...`";
    case P::RuleScoreOption: return "score options are `at most N`, `at least N`, `decay half-life 14 days`, `decay 25% every 7 days`";
    case P::RuleScoreHead: return "a score starts with `score NAME:`, options after commas: `score fit, at most 60:`";
    case P::RuleTiersHead: return "a tier set starts with `tiers NAME:`, for example `tiers temperature:`";
    case P::RuleTestHead: return "a test starts with `test \"what it shows\":`";
    case P::RuleLeadHead: return "the lead's fields follow a line `lead:`";
    case P::RuleEventHead: return "the events' fields follow a line `event:`";
    case P::RuleDisqualifyHead: return "disqualifiers follow a line `disqualify:`";
    case P::RuleFrequency: return "frequencies are `at least 3 times`, `at most 2 times`, `exactly 1 times`, `between 2 and 5 times`, `once`";
    case P::RuleSetLiteral: return "a set is written `{\"a\", \"b\"}`";
    case P::RuleDecl:
    case P::RuleFile:
      return "each line starts a section (`lead:`, `event:`, `score NAME:`, `tiers NAME:`, `disqualify:`) "
             "or declares `pages`, `const`, `define`, `behaviour`, `total`";
    default: return nullptr;
  }
}

// The rule of the items a section context holds, or 0 when `ctx` is not a section with items.
size_t item_rule(const antlr4::ParserRuleContext* ctx) {
  if (dynamic_cast<const P::LeadSectionContext*>(ctx) || dynamic_cast<const P::EventSectionContext*>(ctx))
    return P::RuleFieldDecl;
  if (dynamic_cast<const P::ScoreSectionContext*>(ctx)) return P::RuleRuleDecl;
  if (dynamic_cast<const P::TiersSectionContext*>(ctx)) return P::RuleTierDecl;
  if (dynamic_cast<const P::DisqualifySectionContext*>(ctx)) return P::RuleDisqualifyDecl;
  if (dynamic_cast<const P::TestSectionContext*>(ctx)) return P::RuleTestItem;
  return 0;
}

// The hint for an error in `ctx`: between a section's items, what its items look like.
const char* context_hint(const antlr4::ParserRuleContext* ctx) {
  if (!ctx) return nullptr;
  if (size_t item = item_rule(ctx)) return rule_hint(item);
  return rule_hint(ctx->getRuleIndex());
}

// Error-recovery reports the strategy below makes itself carry this prefix, then the message.
constexpr std::string_view kLineStart = "\x01line-start";

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(diag::DiagnosticList& diags, uint32_t file, const OffsetMap& offsets, const std::string& text)
      : diags_(diags), file_(file), offsets_(offsets), text_(text) {}

  // Lines that already have their message (from the fixes): syntax errors there are not reported.
  void skip_line(size_t line) { lines_.insert(line); }
  // The lines that had a syntax error, in the order reported.
  const std::vector<size_t>& error_lines() const { return error_lines_; }

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t,
                   const std::string& antlr_message, std::exception_ptr) override {
    if (offending && offending->getType() == antlr4::Token::EOF) line = last_line();
    if (!lines_.insert(line).second) return;  // one message per line: the rest are cascades
    error_lines_.push_back(line);
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
        unknown_character(offending);
      }
      return;
    }
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    const antlr4::ParserRuleContext* ctx = parser ? parser->getContext() : nullptr;
    if (std::string_view(antlr_message).substr(0, kLineStart.size()) == kLineStart) {
      // A line that nothing can start with, where a section or the section's next item belongs.
      if (item_rule(ctx))
        diags_.add(diag::Kind::E0101, r, fmt::format("unexpected {} at the start of a line", describe_token(offending)));
      else
        diags_.add(diag::Kind::E0101, r, fmt::format("unexpected {}, expected a section such as `score NAME:`", describe_token(offending)));
      if (const char* hint = context_hint(ctx)) diags_.help(hint);
      return;
    }
    std::string expected;
    if (parser) {
      try {
        antlr4::misc::IntervalSet set = parser->getExpectedTokens();
        // A line may end where the file could also end: "end of line" says it.
        if (set.contains(static_cast<size_t>(P::NL))) set.remove(antlr4::Token::EOF);
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
    const antlr4::Token* before = parser ? parser->getTokenStream()->LT(-1) : nullptr;
    const std::string what = offending ? offending->getText() : "";
    if (dynamic_cast<const P::ScoreSectionContext*>(ctx) && before && before->getType() == P::NUMBER &&
        (what == "%" || what == "+" || what == "-" || what == "*" || what == "/"))
      diags_.help("points are one number, like `+10` or `-2.5`");  // `+10%`, `-10-5`
    else if (const char* hint = context_hint(ctx))
      diags_.help(hint);
  }

  // A character with no meaning in Rubric; `≥` and its kin say which operator to write.
  void unknown_character(const antlr4::Token* t) {
    diags_.add(diag::Kind::E0102, range_of(t), fmt::format("`{}` has no meaning in Rubric", t->getText()));
    const std::string c = t->getText();
    if (c == "≥") diags_.help("write `>=`");
    else if (c == "≤") diags_.help("write `<=`");
    else if (c == "≠") diags_.help("write `!=`");
    else if (c == "“" || c == "”" || c == "„" || c == "«" || c == "»") diags_.help("write text in straight double quotes: `\"...\"`");
    else if (c == "–" || c == "—" || c == "−") diags_.help("write `-`");
    else diags_.help("text values go in double quotes, like `\"Select\"`");
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
  size_t last_line() const {
    size_t n = 1;
    for (size_t i = 0; i + 1 < text_.size(); ++i) n += text_[i] == '\n';
    return n;
  }

  diag::DiagnosticList& diags_;
  uint32_t file_;
  const OffsetMap& offsets_;
  const std::string& text_;
  std::set<size_t> lines_;
  std::vector<size_t> error_lines_;
  int count_ = 0;
};

// Token types that may begin a line: at the top level (a section), and in each kind of section.
struct LineStarts {
  explicit LineStarts(const antlr4::atn::ATN& atn) {
    auto first = [&](size_t rule) { return atn.nextTokens(atn.ruleToStartState[rule]); };
    decl = first(P::RuleDecl);
    for (size_t rule : {P::RuleFieldDecl, P::RuleRuleDecl, P::RuleTierDecl, P::RuleDisqualifyDecl, P::RuleTestItem})
      items[rule] = first(rule).Or(decl);
  }
  const antlr4::misc::IntervalSet* in(const antlr4::ParserRuleContext* ctx) const {
    if (dynamic_cast<const P::FileContext*>(ctx)) return &decl;
    auto it = items.find(item_rule(ctx));
    return it == items.end() ? nullptr : &it->second;
  }
  antlr4::misc::IntervalSet decl;
  std::map<size_t, antlr4::misc::IntervalSet> items;
};

// The grammar is line based, so recovery is too: after a mistake the parser skips to the end of
// the line (and the lines it continues onto) and goes on with the next line, inside the same
// section. ANTLR's own recovery would instead leave the section, or give up on the file.
class LineRecovery : public antlr4::DefaultErrorStrategy {
 public:
  explicit LineRecovery(const LineStarts& starts) : starts_(starts) {}

  // Before each decision of a loop over lines: junk after a complete item is reported and
  // skipped, and so is every line that nothing can start with.
  void sync(antlr4::Parser* p) override {
    const antlr4::misc::IntervalSet* starts = starts_.in(p->getContext());
    size_t type = p->getATN().states[p->getState()]->getStateType();
    bool loop = type == antlr4::atn::ATNState::STAR_LOOP_ENTRY || type == antlr4::atn::ATNState::STAR_LOOP_BACK ||
                type == antlr4::atn::ATNState::PLUS_LOOP_BACK;
    if (!starts || !loop || inErrorRecoveryMode(p)) return DefaultErrorStrategy::sync(p);
    antlr4::TokenStream* in = p->getTokenStream();
    size_t la = in->LA(1);
    if (la != P::NL && la != antlr4::Token::EOF && !p->getExpectedTokens().contains(la)) {
      reportUnwantedToken(p);
      skip_line(p);
    }
    bool reported = false;
    while (in->LA(1) == P::NL) {
      ssize_t k = 1;
      while (in->LA(k) == P::NL) ++k;
      size_t next = in->LA(k);
      if (next == antlr4::Token::EOF || starts->contains(next)) break;
      if (!reported) {
        // At the top level, the lines after the first one that is not a section belong with it.
        beginErrorCondition(p);
        p->notifyErrorListeners(in->LT(k), std::string(kLineStart), nullptr);
        reported = dynamic_cast<P::FileContext*>(p->getContext()) != nullptr;
      }
      for (ssize_t i = 1; i < k; ++i) p->consume();
      skip_line(p);
    }
  }

  void recover(antlr4::Parser* p, std::exception_ptr) override {
    size_t index = p->getTokenStream()->index();
    if (lastErrorIndex == static_cast<int>(index) && lastErrorStates.contains(p->getState()) &&
        p->getTokenStream()->LA(1) != antlr4::Token::EOF)
      p->consume();  // no progress since the last error here: make some
    lastErrorIndex = static_cast<int>(index);
    lastErrorStates.add(static_cast<ssize_t>(p->getState()));
    skip_line(p);
    // A declaration that failed: the lines after it that cannot start a section were meant to
    // be its items. They are skipped without a message each.
    if (dynamic_cast<P::DeclContext*>(p->getContext())) {
      antlr4::TokenStream* in = p->getTokenStream();
      while (in->LA(1) == P::NL) {
        ssize_t k = 1;
        while (in->LA(k) == P::NL) ++k;
        if (in->LA(k) == antlr4::Token::EOF || starts_.decl.contains(in->LA(k))) break;
        for (ssize_t i = 1; i < k; ++i) p->consume();
        skip_line(p);
      }
    }
  }

 private:
  // Consumes to the end of the line, and of the lines it continues onto (after `and`, `or`, a
  // comma, or inside brackets opened on it).
  static void skip_line(antlr4::Parser* p) {
    antlr4::TokenStream* in = p->getTokenStream();
    int depth = 0;
    std::string last;
    size_t last_type = 0;
    for (size_t la = in->LA(1); la != antlr4::Token::EOF; la = in->LA(1)) {
      if (la == P::NL) {
        bool continues = depth > 0 || last_type == P::AND || last_type == P::OR || last == ",";
        if (!continues) return;
      } else {
        last = in->LT(1)->getText();
        last_type = la;
        if (last == "(" || last == "{") ++depth;
        if (last == ")" || last == "}") --depth;
      }
      p->consume();
    }
  }

  const LineStarts& starts_;
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

// A token the input holds, not one error recovery made up.
bool real(const antlr4::Token* t) { return t && t->getTokenIndex() != std::numeric_limits<size_t>::max(); }

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
    if (dynamic_cast<P::DecimalCommaSectionContext*>(c)) return ast::Decl(DeclKind::DecimalComma, range(c));
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
      out.exact_case = d->exact != nullptr;
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
      ast::Decl out = named(DeclKind::Score, c->getStart(), d->head->name);
      for (auto* o : d->head->options)
        if (!has_error(o)) out.options.push_back(score_option(o));
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
      ast::Decl out = named(DeclKind::Tiers, c->getStart(), d->head->name);
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
      out.name = unquote(d->head->name->getText());
      out.name_range = range(d->head->name);
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

  // A section with items is kept when its first line names it, even if the rest of that line
  // has a mistake (reported already): its items are still checked, and uses of its name are not
  // reported again. A mistake in the first line is recovered from at its end (the head rules).
  static bool header_ok(P::DeclContext* c) {
    if (c->exception) return false;
    if (auto* d = dynamic_cast<P::ScoreSectionContext*>(c)) return d->head && real(d->head->name);
    if (auto* d = dynamic_cast<P::TiersSectionContext*>(c)) return d->head && real(d->head->name);
    if (auto* d = dynamic_cast<P::TestSectionContext*>(c)) return d->head && real(d->head->name);
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
        if (dynamic_cast<P::DecimalCommaOptionContext*>(o)) fd.decimal_comma = true;
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

  // The operator a token writes (`==` is `=`).
  static Operator operator_of(antlr4::Token* t) {
    switch (t->getType()) {
      case P::CONTAINS: return Operator::Contains;
      case P::STARTS_WITH: return Operator::StartsWith;
      case P::ENDS_WITH: return Operator::EndsWith;
      default: break;  // ANTLR's token types are numbers, not a closed set of ours
    }
    const std::string text = t->getText();
    for (Operator op : {Operator::Add, Operator::Sub, Operator::Mul, Operator::Div, Operator::Eq, Operator::Ne,
                        Operator::Lt, Operator::Le, Operator::Gt, Operator::Ge})
      if (text == spelling(op)) return op;
    return text == "==" ? Operator::Eq : Operator::None;
  }

  ExprPtr binary(ExprKind k, antlr4::ParserRuleContext* c, ExprPtr a, ExprPtr b, Operator op = Operator::None) {
    ExprPtr e = node(k, c);
    e->op = op;
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
      return binary(ExprKind::Compare, c, value(x->lhs), value(x->rhs), operator_of(x->op));
    }
    if (auto* x = dynamic_cast<P::PresenceCondContext*>(c)) {
      ExprPtr e = node(ExprKind::Presence, c);
      e->flag = x->present != nullptr;
      e->negated = x->neg != nullptr;
      e->kids.push_back(value(x->lhs));
      return e;
    }
    if (auto* x = dynamic_cast<P::IsCondContext*>(c))
      return binary(ExprKind::Compare, c, value(x->lhs), value(x->rhs), x->neg ? Operator::Ne : Operator::Eq);
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
      ExprPtr e = binary(ExprKind::Text, c, value(x->lhs), value(x->rhs), operator_of(x->op));
      e->icase = x->casing && x->casing->getType() == P::IGNORING_CASE;
      e->exact_case = x->casing && x->casing->getType() == P::MATCHING_CASE;
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
      return binary(ExprKind::Binary, c, value(x->lhs), value(x->rhs), operator_of(x->op));
    if (auto* x = dynamic_cast<P::AddValueContext*>(c))
      return binary(ExprKind::Binary, c, value(x->lhs), value(x->rhs), operator_of(x->op));
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

// Deep nesting would overflow the recursive parser, checker and back ends, and a huge token
// stream would take ANTLR minutes and gigabytes: refuse both before parsing. Brackets may nest
// 100 deep; within one condition (continued over lines after `and`, `or`, `,`, `(` or `{`) the
// operators that nest (`not`, arithmetic, signs, brackets) may stack up 200 deep. Siblings do
// not stack: each operand of `and`/`or` starts again at its bracket level, and a closed bracket
// adds its deepest operand to the one it sits in. Chains of `and`/`or` may be any length (the
// builder balances them), within the model's token limit.
bool too_deep(antlr4::CommonTokenStream& tokens, ErrorListener& listener, diag::DiagnosticList& diags) {
  struct Level {
    int current = 0;  // nesting operators in the current and/or operand at this bracket level
    int peak = 0;     // the deepest operand so far at this level
  };
  std::vector<Level> levels(1);
  int stacked = 0;  // the sum of `current` over the open levels, plus the open brackets
  bool continues = false;  // the last significant token leaves the condition open
  size_t count = 0;
  auto refuse = [&](antlr4::Token* t, std::string message) {
    diags.add(diag::Kind::E0104, listener.range_of(t), std::move(message));
    diags.help("split the condition into named parts with `define`");
    return true;
  };
  for (antlr4::Token* t : tokens.getTokens()) {
    size_t type = t->getType();
    if (type == P::WS || type == P::COMMENT) continue;
    if (++count > kMaxTokens) {
      diags.add(diag::Kind::E0104, listener.range_of(t),
                fmt::format("the model is too large: more than {} words, numbers and symbols", kMaxTokens));
      diags.help("split it into several models");
      return true;
    }
    if (type == P::NL) {
      if (!continues) {
        levels.assign(1, Level{});
        stacked = 0;
      }
      continue;
    }
    const std::string text = t->getText();
    continues = type == P::AND || type == P::OR || text == "," || text == "(" || text == "{";
    if (type == P::AND || type == P::OR) {
      Level& l = levels.back();
      l.peak = std::max(l.peak, l.current);
      stacked -= l.current;
      l.current = 0;
    } else if (text == "(" || text == "{") {
      levels.push_back({});
      ++stacked;
      if (static_cast<int>(levels.size()) - 1 > kMaxNesting)
        return refuse(t, fmt::format("more than {} nested brackets", kMaxNesting));
    } else if ((text == ")" || text == "}") && levels.size() > 1) {
      Level inner = levels.back();
      levels.pop_back();
      stacked -= inner.current + 1;
      int depth = 1 + std::max(inner.peak, inner.current);
      levels.back().current += depth;
      stacked += depth;
    } else if (type == P::NOT || type == P::NEVER || text == "-" || text == "+" || text == "*" || text == "/") {
      ++levels.back().current;
      ++stacked;
    }
    if (stacked > kMaxOperatorsPerCondition)
      return refuse(t, fmt::format("more than {} operators nested in one condition", kMaxOperatorsPerCondition));
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


// Mistakes people make often, recognised on a line that did not parse and fixed in the tokens
// when the fix makes that line parse: a misspelt keyword (`teirs`, `contians`, `withn`), `in
// last 7 days`, a decimal comma, an unquoted label, a reserved word inside a name. The fixed
// line gets one message saying what to write, and is parsed and checked as fixed, so nothing
// after it cascades. Lines no fix helps keep their syntax error.
class LineFixer {
 public:
  LineFixer(antlr4::CommonTokenStream& tokens, const antlr4::dfa::Vocabulary& vocab, const LineStarts& starts,
            ErrorListener& report)
      : tokens_(tokens), starts_(starts), report_(report) {
    for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t) {
      std::string lit = vocab.getLiteralName(t);
      if (lit.size() > 2 && lit.front() == '\'') types_[lit.substr(1, lit.size() - 2)] = t;
    }
    // Keywords written as more than one word, or in two spellings, have no literal name.
    for (auto [word, type] : {std::pair<const char*, size_t>{"at least", P::AT_LEAST}, {"at most", P::AT_MOST},
                              {"starts with", P::STARTS_WITH}, {"ends with", P::ENDS_WITH},
                              {"ignoring case", P::IGNORING_CASE}, {"matching case", P::MATCHING_CASE}, {"decimal comma", P::DECIMAL_COMMA}, {"count of", P::COUNT_OF}, {"sum of", P::SUM_OF},
                              {"days since", P::DAYS_SINCE}, {"as of", P::AS_OF}, {"behaviour", P::BEHAVIOUR}})
      types_[word] = type;
    for (const auto& [word, type] : types_)
      if (std::isalpha(static_cast<unsigned char>(word[0]))) {
        keywords_.push_back(word);
        if (starts_.decl.contains(type)) sections_.push_back(word);
      }
    split_lines();
  }

  // `≥`, `≤` and `≠` are reported and read as the operators they stand for.
  void fix_characters() {
    for (antlr4::Token* t : tokens_.getTokens()) {
      if (t->getType() != P::UNKNOWN_CHAR) continue;
      const std::string c = t->getText();
      std::string op = c == "≥" ? ">=" : c == "≤" ? "<=" : c == "≠" ? "!=" : "";
      if (op.empty()) continue;
      report_.unknown_character(t);
      edit(t->getTokenIndex(), types_.at(op), op);
    }
    edits_.clear();
  }

  // Tries the fixes on each line that had a syntax error. Returns whether a token changed (the
  // file must then be parsed again); `diags` gets one message per line fixed or explained.
  bool fix(const std::vector<size_t>& error_lines, diag::DiagnosticList& diags) {
    bool changed = false;
    // Names of declarations first: their uses on other lines are fixed the same way.
    std::vector<size_t> todo;
    for (size_t l : error_lines) {
      auto it = line_of_.find(l);
      if (it != line_of_.end() && tried_.insert(it->second).second) todo.push_back(it->second);
    }
    std::sort(todo.begin(), todo.end());
    for (size_t i : todo)
      if (attempts_ < kMaxAttempts && reserved_in_name(i, diags)) changed = fixed(i);
    for (size_t i : todo) {
      if (attempts_ >= kMaxAttempts) break;
      if (done_.count(i)) continue;
      if (parses(i, entry(i))) continue;  // an earlier fix (a section keyword) mended it
      if (renamed_use(i, diags) || section_keyword(i, diags) || in_last(i, diags) || decimal_comma(i, diags) ||
          unquoted(i, diags) || keyword(i, diags)) {
        changed = fixed(i);
        continue;
      }
      misplaced(i, diags);
    }
    return changed;
  }

  // Lines whose message the fixes gave: the parser reports nothing more on them.
  const std::set<size_t>& fixed_lines() const { return fixed_lines_; }

 private:
  static constexpr int kMaxAttempts = 2000;
  struct Line {
    std::vector<size_t> toks;  // default-channel token indexes, without line ends
    size_t first_line = 0, last_line = 0;
  };
  struct Rename {
    std::vector<std::string> words;   // as written: `logged in`
    std::vector<std::string> joined;  // as fixed: `logged_in`
    bool several;                     // a behaviour: its name may keep several words
  };
  struct Saved {
    size_t index, type, channel, stop;
    std::string text;
  };

  // Logical lines: a line continues onto the next after `and`, `or`, a comma or an open bracket.
  void split_lines() {
    Line cur;
    int depth = 0;
    for (antlr4::Token* t : tokens_.getTokens()) {
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL || t->getType() == antlr4::Token::EOF) continue;
      if (t->getType() == P::NL) {
        if (cur.toks.empty()) continue;
        size_t last = tok(cur.toks.back())->getType();
        std::string text = tok(cur.toks.back())->getText();
        if (depth > 0 || last == P::AND || last == P::OR || text == ",") continue;
        push(cur);
        depth = 0;
        continue;
      }
      const std::string text = t->getText();
      if (text == "(" || text == "{") ++depth;
      if (text == ")" || text == "}") --depth;
      if (cur.toks.empty()) cur.first_line = t->getLine();
      cur.last_line = t->getLine();
      cur.toks.push_back(t->getTokenIndex());
    }
    if (!cur.toks.empty()) push(cur);
  }
  void push(Line& cur) {
    for (size_t l = cur.first_line; l <= cur.last_line; ++l) line_of_[l] = lines_.size();
    lines_.push_back(std::move(cur));
    cur = Line{};
  }

  antlr4::Token* tok(size_t index) const { return tokens_.get(index); }
  std::vector<antlr4::Token*> visible(size_t line) const {
    std::vector<antlr4::Token*> out;
    for (size_t i : lines_[line].toks)
      if (tok(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) out.push_back(tok(i));
    return out;
  }
  std::string source(const antlr4::Token* a, const antlr4::Token* b) const {
    return tokens_.getTokenSource()->getInputStream()->getText(
        antlr4::misc::Interval(a->getStartIndex(), b->getStopIndex()));
  }

  // The rule a line is an item of: the section it is in, or a declaration.
  size_t entry(size_t line) const {
    if (starts_.decl.contains(tok(lines_[line].toks[0])->getType())) return P::RuleDecl;
    for (size_t i = line; i-- > 0;) {
      switch (tok(lines_[i].toks[0])->getType()) {
        case P::LEAD: case P::EVENT: return P::RuleFieldDecl;
        case P::SCORE: return P::RuleRuleDecl;
        case P::TIERS: return P::RuleTierDecl;
        case P::DISQUALIFY: return P::RuleDisqualifyDecl;
        case P::TEST: return P::RuleTestItem;
        default:
          if (starts_.decl.contains(tok(lines_[i].toks[0])->getType())) return P::RuleDecl;
      }
    }
    return P::RuleDecl;
  }

  // Whether the line, as its tokens are now, parses as `rule` with nothing left over.
  bool parses(size_t line, size_t rule) {
    ++attempts_;
    std::vector<std::unique_ptr<antlr4::Token>> copy;
    for (antlr4::Token* t : visible(line)) copy.push_back(std::make_unique<antlr4::CommonToken>(t));
    copy.push_back(std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF));
    antlr4::ListTokenSource source(std::move(copy));
    antlr4::CommonTokenStream stream(&source);
    rubric_antlr::RubricParser parser(&stream);
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      switch (rule) {
        case P::RuleFieldDecl: parser.fieldDecl(); break;
        case P::RuleRuleDecl: parser.ruleDecl(); break;
        case P::RuleTierDecl: parser.tierDecl(); break;
        case P::RuleDisqualifyDecl: parser.disqualifyDecl(); break;
        case P::RuleTestItem: parser.testItem(); break;
        default: parser.decl(); break;
      }
      return stream.LA(1) == antlr4::Token::EOF;
    } catch (...) {
      return false;
    }
  }

  // Changes one token, remembering how it was.
  void edit(size_t index, size_t type, std::string text, size_t stop = 0) {
    auto* t = dynamic_cast<antlr4::CommonToken*>(tok(index));
    edits_.push_back({index, t->getType(), t->getChannel(), t->getStopIndex(), t->getText()});
    t->setType(type);
    t->setText(std::move(text));
    if (stop) t->setStopIndex(stop);
  }
  void hide(size_t index) {
    auto* t = dynamic_cast<antlr4::CommonToken*>(tok(index));
    edits_.push_back({index, t->getType(), t->getChannel(), t->getStopIndex(), t->getText()});
    t->setChannel(antlr4::Token::HIDDEN_CHANNEL);
  }
  void undo() {
    for (auto it = edits_.rbegin(); it != edits_.rend(); ++it) {
      auto* t = dynamic_cast<antlr4::CommonToken*>(tok(it->index));
      t->setType(it->type);
      t->setChannel(it->channel);
      t->setStopIndex(it->stop);
      t->setText(it->text);
    }
    edits_.clear();
  }
  // Keeps the edits when the line now parses as `rule`.
  bool keep_if_parses(size_t line, size_t rule) {
    if (parses(line, rule)) {
      edits_.clear();
      return true;
    }
    undo();
    return false;
  }
  bool fixed(size_t line) {
    done_.insert(line);
    for (size_t l = lines_[line].first_line; l <= lines_[line].last_line; ++l) fixed_lines_.insert(l);
    return true;
  }

  diag::Diagnostic& add(diag::DiagnosticList& diags, const antlr4::Token* a, const antlr4::Token* b, std::string msg) {
    SourceRange r = report_.range_of(a);
    r.end = std::max(r.end, report_.range_of(b).end);
    return diags.add(diag::Kind::E0101, r, std::move(msg));
  }

  static bool is_word(const antlr4::Token* t) {
    const std::string s = t->getText();
    return !s.empty() && t->getType() != P::STRING &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  }

  // `behaviour logged in: ...`: a reserved word joins the word before it (`logged_in`); in the
  // one-word names of `define`, `const`, `pages`, `score` and `tiers`, all the words join.
  bool reserved_in_name(size_t line, diag::DiagnosticList& diags) {
    std::vector<antlr4::Token*> t = visible(line);
    size_t head = t[0]->getType();
    bool behaviour = head == P::BEHAVIOUR;
    if (!behaviour && head != P::DEFINE && head != P::CONST && head != P::PAGES && head != P::SCORE && head != P::TIERS)
      return false;
    size_t end = 1;
    while (end < t.size() && is_word(t[end])) ++end;
    if (end < 3) return false;
    Rename r{{}, {}, behaviour};
    const antlr4::Token* reserved = nullptr;
    for (size_t i = 1; i < end; ++i) {
      r.words.push_back(t[i]->getText());
      if (!reserved && t[i]->getType() != P::IDENT) reserved = t[i];
    }
    if (!reserved) return false;
    r.joined = join(r, t.begin() + 1);
    if (!keep_if_parses(line, P::RuleDecl)) return false;
    add(diags, t[1], t[end - 1],
        fmt::format("`{}` is a reserved word, so it cannot be part of the name `{}`", reserved->getText(), spaced(r.words)));
    diags.help(fmt::format("write `{}`", spaced(r.joined)));
    renamed_.push_back(std::move(r));
    return true;
  }

  static std::string spaced(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
  }

  // Edits the tokens of `r.words` (from `first` on): each reserved word joins the word before it
  // with `_` (the next one when it comes first), or all the words join when `several` is false.
  // The names that result.
  std::vector<std::string> join(const Rename& r, std::vector<antlr4::Token*>::const_iterator first) {
    std::vector<std::vector<size_t>> groups;
    bool glue_next = false;
    for (size_t i = 0; i < r.words.size(); ++i) {
      bool reserved = first[i]->getType() != P::IDENT;
      if (groups.empty() || (r.several && !reserved && !glue_next)) {
        groups.push_back({i});
        glue_next = reserved;
      } else {
        groups.back().push_back(i);
        glue_next = false;
      }
    }
    std::vector<std::string> out;
    for (const auto& g : groups) {
      std::string name;
      for (size_t i : g) name += (name.empty() ? "" : "_") + r.words[i];
      edit(first[g.front()]->getTokenIndex(), P::IDENT, name, first[g.back()]->getStopIndex());
      for (size_t k = 1; k < g.size(); ++k) hide(first[g[k]]->getTokenIndex());
      out.push_back(name);
    }
    return out;
  }

  // A use of a name fixed above: `logged in within 7 days` reads as `logged_in within 7 days`.
  bool renamed_use(size_t line, diag::DiagnosticList& diags) {
    std::vector<antlr4::Token*> t = visible(line);
    for (const Rename& r : renamed_) {
      for (size_t i = 0; i + r.words.size() <= t.size(); ++i) {
        bool same = true;
        for (size_t j = 0; j < r.words.size() && same; ++j) same = t[i + j]->getText() == r.words[j];
        if (!same) continue;
        std::string reserved;
        for (size_t j = 0; j < r.words.size() && reserved.empty(); ++j)
          if (t[i + j]->getType() != P::IDENT) reserved = r.words[j];
        join(r, t.begin() + i);
        if (!keep_if_parses(line, entry(line))) return false;
        add(diags, t[i], t[i + r.words.size() - 1],
            fmt::format("`{}` is a reserved word, so it cannot be part of the name `{}`", reserved, spaced(r.words)));
        diags.help(fmt::format("write `{}`", spaced(r.joined)));
        return true;
      }
    }
    return false;
  }

  // `socre fit:`, `teirs temperature:`: a misspelt section keyword starting the line.
  bool section_keyword(size_t line, diag::DiagnosticList& diags) {
    antlr4::Token* t = tok(lines_[line].toks[0]);
    if (t->getType() != P::IDENT) return false;
    const std::string word = t->getText();
    std::string best = diag::closest_name(word, sections_);
    if (best.empty()) return false;
    edit(t->getTokenIndex(), types_.at(best), best);
    if (!keep_if_parses(line, P::RuleDecl)) return false;
    add(diags, t, t, fmt::format("unknown section `{}`", word));
    diags.help(fmt::format("did you mean `{}`?", best));
    return true;
  }

  // `in last 7 days`, `in the last 7 days`, `in the past 7 days` → `within 7 days`.
  bool in_last(size_t line, diag::DiagnosticList& diags) {
    std::vector<antlr4::Token*> t = visible(line);
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i]->getType() != P::IN) continue;
      size_t j = i + 1;
      if (t[j]->getText() == "the" && j + 1 < t.size()) ++j;
      if (t[j]->getType() != P::LAST && t[j]->getText() != "past") continue;
      edit(t[i]->getTokenIndex(), P::WITHIN, "within");
      for (size_t k = i + 1; k <= j; ++k) hide(t[k]->getTokenIndex());
      if (!keep_if_parses(line, entry(line))) return false;
      std::string span;
      for (size_t k = j + 1; k < t.size() && k <= j + 2 && (t[k]->getType() == P::NUMBER || t[k]->getType() == P::IDENT); ++k)
        span += " " + t[k]->getText();
      add(diags, t[i], t[std::min(t.size() - 1, j + (span.empty() ? 0 : 2))],
          fmt::format("`{}{}` is not how a window is written", source(t[i], t[j]), span));
      diags.help(fmt::format("write `within{}`", span.empty() ? " 7 days" : span));
      return true;
    }
    return false;
  }

  // `+2,5`: a decimal comma.
  bool decimal_comma(size_t line, diag::DiagnosticList& diags) {
    std::vector<antlr4::Token*> t = visible(line);
    for (size_t i = 0; i + 2 < t.size(); ++i) {
      if (t[i]->getType() != P::NUMBER || t[i + 1]->getText() != "," || t[i + 2]->getType() != P::NUMBER) continue;
      if (t[i + 1]->getStartIndex() != t[i]->getStopIndex() + 1 || t[i + 2]->getStartIndex() != t[i + 1]->getStopIndex() + 1)
        continue;
      std::string number = t[i]->getText() + "." + t[i + 2]->getText();
      edit(t[i]->getTokenIndex(), P::NUMBER, number, t[i + 2]->getStopIndex());
      hide(t[i + 1]->getTokenIndex());
      hide(t[i + 2]->getTokenIndex());
      if (!keep_if_parses(line, entry(line))) return false;
      add(diags, t[i], t[i + 2], fmt::format("`{}` is written with a decimal comma", source(t[i], t[i + 2])));
      diags.help(fmt::format("write `{}`: decimals are written with a point", number));
      return true;
    }
    return false;
  }

  // `+10 mid-size company` → `+10 "mid-size company"`; `... : student` → `: "student"`.
  bool unquoted(size_t line, diag::DiagnosticList& diags) {
    size_t rule = entry(line);
    if (rule != P::RuleRuleDecl && rule != P::RuleDisqualifyDecl) return false;
    std::vector<antlr4::Token*> t = visible(line);
    size_t colon = t.size();
    int depth = 0;
    for (size_t i = 0; i < t.size(); ++i) {
      std::string x = t[i]->getText();
      if (x == "(" || x == "{") ++depth;
      if (x == ")" || x == "}") --depth;
      if (x == ":" && depth == 0) colon = i;
    }
    if (colon + 1 >= t.size()) return false;
    size_t from = colon + 1;
    if (rule == P::RuleRuleDecl) {
      if (t[from]->getText() != "+" && t[from]->getText() != "-") return false;
      if (++from >= t.size() || t[from]->getType() != P::NUMBER) return false;
      ++from;
      if (from < t.size() && t[from]->getType() == P::EACH) ++from;
      if (from + 2 < t.size() && t[from]->getText() == "," && t[from + 1]->getType() == P::AT_MOST) from += 3;
    }
    if (from >= t.size() || !is_word(t[from])) return false;  // a label starts with a word
    std::string words = source(t[from], t.back());
    if (words.find('"') != std::string::npos) return false;
    edit(t[from]->getTokenIndex(), P::STRING, "\"" + words + "\"", t.back()->getStopIndex());
    for (size_t i = from + 1; i < t.size(); ++i) hide(t[i]->getTokenIndex());
    if (!keep_if_parses(line, rule)) return false;
    if (rule == P::RuleRuleDecl) {
      add(diags, t[from], t.back(), fmt::format("the label `{}` is not in quotes", words));
      diags.help(fmt::format("write `{} \"{}\"`", source(t[colon + 1], t[from - 1]), words));
    } else {
      add(diags, t[from], t.back(), fmt::format("the reason `{}` is not in quotes", words));
      diags.help(fmt::format("write `\"{}\"`", words));
    }
    return true;
  }

  // `contians`, `withn`, `at lest`: a misspelt keyword anywhere in the line.
  bool keyword(size_t line, diag::DiagnosticList& diags) {
    std::vector<antlr4::Token*> t = visible(line);
    size_t rule = entry(line);
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i]->getType() != P::IDENT) continue;
      // Two words for one keyword (`at lest`), then one.
      if (i + 1 < t.size() && t[i + 1]->getType() == P::IDENT) {
        std::string pair = t[i]->getText() + " " + t[i + 1]->getText();
        std::string best = diag::closest_name(pair, keywords_);
        if (!best.empty() && best.find(' ') != std::string::npos) {
          edit(t[i]->getTokenIndex(), types_.at(best), best, t[i + 1]->getStopIndex());
          hide(t[i + 1]->getTokenIndex());
          if (keep_if_parses(line, rule)) {
            add(diags, t[i], t[i + 1], fmt::format("unknown words `{}`", pair));
            diags.help(fmt::format("did you mean `{}`?", best));
            return true;
          }
        }
      }
      const std::string word = t[i]->getText();
      if (word.size() < 4) continue;
      std::string best = diag::closest_name(word, keywords_);
      if (best.empty()) continue;
      edit(t[i]->getTokenIndex(), types_.at(best), best);
      if (keep_if_parses(line, rule)) {
        add(diags, t[i], t[i], fmt::format("unknown word `{}`", word));
        diags.help(fmt::format("did you mean `{}`?", best));
        return true;
      }
    }
    return false;
  }

  // A rule, tier or field in the wrong place: say where it belongs.
  void misplaced(size_t line, diag::DiagnosticList& diags) {
    size_t rule = entry(line);
    std::vector<antlr4::Token*> t = visible(line);
    const char* what = nullptr;
    const char* where = nullptr;
    if (rule != P::RuleRuleDecl && parses(line, P::RuleRuleDecl)) {
      what = "this rule is not in a `score` section";
      where = "put it under a line `score NAME:`";
    } else if (rule != P::RuleTierDecl && rule != P::RuleRuleDecl && parses(line, P::RuleTierDecl)) {
      what = "this tier is not in a `tiers` section";
      where = "put it under a line `tiers NAME:`";
    } else if (rule != P::RuleFieldDecl && parses(line, P::RuleFieldDecl)) {
      what = "this field is not in the `lead:` or `event:` section";
      where = "put it under the line `lead:` (or `event:` for a field of events)";
    }
    if (!what) return;
    add(diags, t.front(), t.back(), what);
    diags.help(where);
    fixed(line);
  }

  antlr4::CommonTokenStream& tokens_;
  const LineStarts& starts_;
  ErrorListener& report_;
  std::map<std::string, size_t> types_;  // keyword or operator text → token type
  std::vector<std::string> keywords_, sections_;
  std::vector<Line> lines_;
  std::map<size_t, size_t> line_of_;  // source line → logical line
  std::vector<Saved> edits_;
  std::set<size_t> done_;
  std::set<size_t> tried_;  // lines the fixes were tried on
  std::set<size_t> fixed_lines_;
  std::vector<Rename> renamed_;
  int attempts_ = 0;
};

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
    std::unique_ptr<rubric_antlr::RubricParser> parser = std::make_unique<rubric_antlr::RubricParser>(&tokens);
    LineStarts starts(parser->getATN());
    LineFixer fixer(tokens, parser->getVocabulary(), starts, listener);
    fixer.fix_characters();
    // Parses the tokens as they are now; syntax errors go to `syntax`, except on fixed lines.
    diag::DiagnosticList syntax;
    auto run = [&](std::unique_ptr<ErrorListener>& errors) {
      syntax = {};
      errors = std::make_unique<ErrorListener>(syntax, file, offsets, text);
      for (size_t l : fixer.fixed_lines()) errors->skip_line(l);
      tokens.seek(0);  // a new parser does not rewind the stream
      parser = std::make_unique<rubric_antlr::RubricParser>(&tokens);
      parser->removeErrorListeners();
      parser->addErrorListener(errors.get());
      parser->setErrorHandler(std::make_shared<LineRecovery>(starts));
      return parser->file();
    };
    std::unique_ptr<ErrorListener> errors;
    P::FileContext* tree = run(errors);
    diag::DiagnosticList fixes;
    // A fix can reveal lines that recovery skipped (the items of a misspelt section): they get
    // their own round.
    for (int round = 0; round < 4 && !errors->error_lines().empty() && fixer.fix(errors->error_lines(), fixes); ++round)
      tree = run(errors);
    // The fixes' messages replace the syntax errors of their lines.
    result.diagnostics.append(fixes);
    for (const diag::Diagnostic& d : syntax.items()) {
      const source::SourceFile& f = sm.file(file);
      if (fixer.fixed_lines().count(static_cast<size_t>(f.line_col(d.range.begin).line))) continue;
      result.diagnostics.add(d.kind, d.range, d.message).notes = d.notes;
    }
    Builder builder(file, offsets);
    for (P::DeclContext* d : tree->decls) {
      bool keep = Builder::has_items(d) ? Builder::header_ok(d) : !has_error(d);
      if (!keep) {
        if (auto* f = dynamic_cast<P::ConstSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::DefineSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::PagesSectionContext*>(d); f && f->name) result.poisoned_names.push_back(f->name->getText());
        if (auto* f = dynamic_cast<P::ScoreSectionContext*>(d); f && f->head && real(f->head->name))
          result.poisoned_names.push_back(f->head->name->getText());
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
  // Text that is not UTF-8 would be decoded lossily by the lexer, and the rewrite would lose
  // bytes: leave such a file alone (check reports where it is broken).
  for (size_t i = 0; i < text.size();) {
    size_t n = text::utf8_length(text, i);
    if (!n) return std::nullopt;
    i += n;
  }
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
