// SPDX-License-Identifier: Apache-2.0
// Rubric's own syntax tree: what the parser builds from a .rubric file and the checker reads.
// Nodes carry a kind enum (ast_kinds.def) and source ranges; no ANTLR type appears here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/source/source.h"

namespace rubric::ast {

using source::SourceRange;

enum class DeclKind {
#define AST_DECL(name, doc) name,
#include "compiler/ast/ast_kinds.def"
#undef AST_DECL
};

enum class ExprKind {
#define AST_EXPR(name, doc) name,
#include "compiler/ast/ast_kinds.def"
#undef AST_EXPR
};

// The operator of a Binary (+ - * /), Compare (= != < <= > >=) or Text expression.
enum class Operator {
#define AST_OP(name, spelling) name,
#include "compiler/ast/ast_kinds.def"
#undef AST_OP
};

const char* name(DeclKind k);
const char* name(ExprKind k);
// How the operator is written: "starts with", "<=".
const char* spelling(Operator op);

// How often an activity must happen: `at least 3 times`, `between 2 and 5 times`, `once`.
struct Frequency {
  enum class Kind { None, AtLeast, AtMost, Exactly, Between } kind = Kind::None;
  int lo = 0;
  int hi = 0;
  SourceRange range;
  bool bad = false;  // a count that is not a whole number up to a billion
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One node for values and conditions; which members matter depends on `kind` (see ast_kinds.def).
struct Expr {
  ExprKind kind;
  SourceRange range;
  Operator op = Operator::None;        // Binary, Compare, Text
  std::string text;                    // String value, Number unit, Matches pattern
  SourceRange text_range;              // where `text` came from (unit word, pattern)
  double number = 0;                   // Number
  bool flag = false;                   // Bool value; Presence: `present`; DaysSince: `last`
  bool negated = false;                // `not in`, `not between`, `is not missing`
  bool icase = false;                  // `ignoring case`
  bool exact_case = false;             // Text: `matching case`
  std::vector<std::string> words;      // Phrase words, Call name, SumOf field
  std::vector<SourceRange> word_ranges;
  std::vector<ExprPtr> kids;
  // Activity only.
  ExprPtr filter;                      // where <predicate>
  ExprPtr span;                        // within <value>
  Frequency freq;
  bool freq_twice = false;             // two frequencies given

  Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  bool is(ExprKind k) const { return kind == k; }
};

struct EnumValue {
  std::string name;
  SourceRange range;
  std::optional<std::string> raw;  // "Working Professional"
  bool fallback = false;           // `other otherwise`
};

struct TypeSpec {
  bool is_enum = false;
  std::string name;  // bool, int, number, string, time, duration
  SourceRange range;
  std::string unit;  // duration in <unit>
  SourceRange unit_range;
  std::vector<EnumValue> values;
};

struct FieldDecl {
  std::string name;
  SourceRange range;
  SourceRange name_range;
  bool optional = false;
  TypeSpec type;
  std::optional<std::string> column;  // from "Total Time Spent on Website"
  std::vector<std::string> missing;   // missing "n/a"
  bool key = false;
  bool decimal_comma = false;         // decimal comma: `15 000,50`
};

struct ScoreOption {
  enum class Kind { Ceiling, Floor, HalfLife, Linear } kind;
  SourceRange range;
  double bound = 0;    // Ceiling, Floor
  double percent = 0;  // Linear
  ExprPtr span;        // HalfLife, Linear
};

struct Rule {
  SourceRange range;
  ExprPtr cond;
  double points = 0;  // signed
  SourceRange points_range;
  bool each = false;
  std::optional<double> cap;
  std::optional<std::string> label;
};

struct Tier {
  std::string name;
  SourceRange range;
  SourceRange name_range;
  bool fallback = false;
  ExprPtr cond;
};

struct Reason {
  SourceRange range;
  ExprPtr cond;
  std::string reason;
};

// A value in a test case: `45`, `"VP Sales"`, `page_view`, `true`.
struct TestValue {
  enum class Kind { Number, String, Name, Bool } kind = Kind::Number;
  double number = 0;
  std::string text;  // String and Name
  bool flag = false;
  SourceRange range;
};

struct Assignment {
  std::string name;
  SourceRange name_range;
  TestValue value;
};

// `given f = v, ...` (the lead) or `given event f = v, ..., 2 days ago`.
struct Given {
  bool event = false;
  std::vector<Assignment> fields;
  double ago = 0;
  std::string unit;
  SourceRange unit_range;
  SourceRange range;
};

// `expect fit = 45`, `expect total = 60`, `expect temperature is hot`, `expect not disqualified`,
// `expect disqualified is "student"`, `expect fired "label"`, `expect not fired "label"`.
struct Expectation {
  bool total = false;
  bool negated = false;
  std::string what;  // a score, a tier set, `disqualified` or `fired`
  SourceRange what_range;
  std::optional<TestValue> value;
  std::optional<std::string> label;
  SourceRange range;
};

// One top-level declaration; which members matter depends on `kind`.
struct Decl {
  DeclKind kind;
  SourceRange range;
  std::string name;  // Model name, Pages/Const/Define/Score/Tiers name, Behaviour words joined
  SourceRange name_range;
  std::vector<std::string> words;  // Behaviour name words
  std::string param;               // Behaviour parameter
  std::vector<std::string> strings;  // Missing values, Pages patterns
  std::vector<SourceRange> string_ranges;
  bool exact_case = false;           // Pages: `matching case`
  std::vector<FieldDecl> fields;     // Lead, Event
  ExprPtr body;                      // Const value or set, Define/Behaviour condition, Total value
  std::vector<ScoreOption> options;  // Score
  std::vector<Rule> rules;           // Score
  std::vector<Tier> tiers;           // Tiers
  std::vector<Reason> reasons;       // Disqualify
  std::string as_of;                 // Test
  SourceRange as_of_range;
  std::vector<Given> givens;
  std::vector<Expectation> expects;

  Decl(DeclKind k, SourceRange r) : kind(k), range(r) {}
};

// A parsed file. Owns its nodes; ranges refer to `file` in the compilation's SourceManager.
struct Module {
  uint32_t file = 0;
  std::vector<Decl> decls;
};

// An S-expression dump for `rubric check --emit=ast` and golden tests.
std::string print(const Module& m);

}  // namespace rubric::ast
