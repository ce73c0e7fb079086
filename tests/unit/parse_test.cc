// SPDX-License-Identifier: Apache-2.0
// The parse phase: Rubric's AST from text, and syntax errors in Rubric's own words.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "compiler/parse/parse.h"
#include "tests/unit/helpers.h"

using namespace rubric;

static parse::ParseResult parse_text(source::SourceManager& sm, const std::string& text) {
  return parse::parse(sm, sm.add("t.rubric", text));
}

TEST_CASE("sections become declarations in order", "[parse]") {
  source::SourceManager sm;
  auto r = parse_text(sm, "model \"m\"\nlead:\n  id: string key\n\nscore fit, at most 10:\n  id is present: +1 \"has id\"\n");
  REQUIRE(r.diagnostics.items().empty());
  REQUIRE(r.module.decls.size() == 3);
  CHECK(r.module.decls[0].kind == ast::DeclKind::Model);
  CHECK(r.module.decls[1].fields.at(0).key);
  const ast::Decl& score = r.module.decls[2];
  CHECK(score.options.at(0).kind == ast::ScoreOption::Kind::Ceiling);
  CHECK(score.rules.at(0).label == "has id");
  CHECK(score.rules.at(0).points == 1);
}

TEST_CASE("and binds tighter than or, not tighter than and", "[parse]") {
  source::SourceManager sm;
  auto r = parse_text(sm, "define d: not a or b and c\n");
  REQUIRE(r.diagnostics.items().empty());
  CHECK(ast::print(r.module) ==
        "(Define \"d\"\n  (Or (Not (Activity (Phrase a))) (And (Activity (Phrase b)) (Activity (Phrase c)))))\n");
}

TEST_CASE("frequency reads before or after the window", "[parse]") {
  source::SourceManager sm;
  auto a = parse_text(sm, "define d: visited pricing at least 3 times within 30 days\n");
  auto b = parse_text(sm, "define d: visited pricing within 30 days at least 3 times\n");
  REQUIRE(a.diagnostics.items().empty());
  REQUIRE(b.diagnostics.items().empty());
  const ast::Expr& x = *a.module.decls[0].body;
  const ast::Expr& y = *b.module.decls[0].body;
  CHECK(x.freq.kind == ast::Frequency::Kind::AtLeast);
  CHECK(y.freq.kind == ast::Frequency::Kind::AtLeast);
  CHECK(x.freq.lo == 3);
  REQUIRE(y.span);
  CHECK(y.span->text == "days");
}

TEST_CASE("strings keep backslashes except for quote and backslash escapes", "[parse]") {
  source::SourceManager sm;
  auto r = parse_text(sm, "define d: t matches \"\\bvp\\b \\\"x\\\" \\\\\"\n");
  REQUIRE(r.diagnostics.items().empty());
  CHECK(r.module.decls[0].body->text == "\\bvp\\b \"x\" \\");
}

TEST_CASE("syntax errors never use ANTLR's words and every bad line is reported", "[parse]") {
  auto c = test::compile("lead:\n  id: string\nscore s:\n  id is present +1\n  id @ 2: +1\n  id is present: +\n");
  std::string out = test::diagnostics(c);
  CHECK(out.find("viable") == std::string::npos);
  CHECK(out.find("mismatched") == std::string::npos);
  CHECK(out.find("extraneous") == std::string::npos);
  CHECK(out.find("test.rubric:4:") != std::string::npos);
  CHECK(out.find("test.rubric:5:6: error[E0102]") != std::string::npos);
  CHECK(out.find("test.rubric:6:") != std::string::npos);
}

TEST_CASE("deep nesting is refused before it can exhaust the stack", "[parse]") {
  std::string deep = "define d: " + std::string(5000, '(') + "a" + std::string(5000, ')') + "\n";
  auto c = test::compile(deep);
  CHECK(test::diagnostics(c).find("E0104") != std::string::npos);
}

TEST_CASE("columns count characters, so non-ASCII text keeps carets aligned", "[parse]") {
  auto c = test::compile("lead:\n  city: string\nscore s:\n  city = \"São Paulo\" and cty = \"x\": +1\n");
  CHECK(test::diagnostics(c).find("test.rubric:4:26: error[E0201]: `cty`") != std::string::npos);
}

TEST_CASE("invalid UTF-8 and binary junk give a message, not a crash", "[parse]") {
  std::string junk = "lead:\n  id: string\n\xff\xfe\x00\x01 score\n";
  auto c = test::compile(junk);
  CHECK(c.diagnostics.has_errors());
}

TEST_CASE("invalid UTF-8 is reported where it is and the rest still checks", "[parse]") {
  auto c = test::compile("// caf\xE9 (Windows-1252)\nlead:\n  id: string\nscore s:\n  idd is present: +1\n");
  std::string out = test::diagnostics(c);
  CHECK(out.find("test.rubric:1:7: error[E0102]: this file is not UTF-8 text: byte 0xE9 here") != std::string::npos);
  CHECK(out.find("test.rubric:5:3: error[E0201]: `idd`") != std::string::npos);
}

TEST_CASE("a chain of predicates too deep for the stack is refused", "[check]") {
  std::string m = "lead:\n  a: int\ndefine d0: a > 1\n";
  for (int i = 1; i < 5000; ++i) m += "define d" + std::to_string(i) + ": d" + std::to_string(i - 1) + "\n";
  m += "score s:\n  d4999: +1\n";
  auto c = test::compile(m);
  CHECK(test::diagnostics(c).find("error[E0104]: predicates are nested more than 100 deep") != std::string::npos);
}

namespace {
std::string ast_of(const std::string& text) {
  source::SourceManager sm;
  auto r = parse::parse(sm, sm.add("t.rubric", text));
  return ast::print(r.module);
}
}  // namespace

TEST_CASE("fmt gives the canonical layout and keeps comments", "[parse]") {
  std::string messy =
      "// messy\nlead :\n      id : string key\n  employees:optional int\n\n\n\nscore   fit ,at most 60:\n"
      " employees>5:+10 \"big\"   # note\n   employees between 1 and 3 and\n employees>0 :  -2.5\n"
      "  count(employees) > 1: +1\n\nbehaviour  visited   thing < group > : kind is page_view\n";
  auto out = parse::format_source(messy);
  REQUIRE(out);
  CHECK(*out ==
        "// messy\nlead:\n  id: string key\n  employees: optional int\n\nscore fit, at most 60:\n"
        "  employees > 5: +10 \"big\"  # note\n  employees between 1 and 3 and\n    employees > 0: -2.5\n"
        "  count(employees) > 1: +1\n\nbehaviour visited thing <group>: kind is page_view\n");
  CHECK_FALSE(parse::format_source("lead:\n  a @ b\n"));  // not Rubric: left alone
}

TEST_CASE("fmt is idempotent and never changes the parsed model, over every .rubric file", "[parse]") {
  std::filesystem::path root = std::filesystem::path(RUBRIC_TESTS_DIR).parent_path();
  int files = 0;
  for (const char* dir : {"examples", "stdlib", "tests"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (e.path().extension() != ".rubric") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      auto once = parse::format_source(text);
      if (!once) continue;
      ++files;
      INFO(e.path());
      CHECK(parse::format_source(*once) == once);
      CHECK(ast_of(*once) == ast_of(text));
    }
  }
  CHECK(files > 20);
}

TEST_CASE("after an error at the end of a line the rest of the file is still checked", "[parse]") {
  // Issue 10: the `%` used to hide the other two errors.
  auto c = test::compile(
      "lead:\n  id: string key\n  employees: optional int\nscore fit:\n  employees > 200: +10% \"mid-size\"\n"
      "  employes > 5: +1\ntiers t:\n  hot: total >= 5\n");
  std::string out = test::diagnostics(c);
  CHECK(c.diagnostics.error_count() == 3);
  CHECK(out.find("test.rubric:5:23: error[E0101]: unexpected `%`") != std::string::npos);
  CHECK(out.find("test.rubric:6:3: error[E0201]: `employes`") != std::string::npos);
  CHECK(out.find("test.rubric:7:7: error[E0402]") != std::string::npos);
}

TEST_CASE("a misspelt section keyword is named once, and its section is still read", "[parse]") {
  auto c = test::compile(
      "lead:\n  id: string key\n  e: int\nscore fit:\n  e > 1: +1\nteirs temperature:\n  hot: total >= 5\n  cold: otherwise\n");
  std::string out = test::diagnostics(c);
  CHECK(c.diagnostics.error_count() == 1);
  CHECK(out.find("unknown section `teirs`") != std::string::npos);
  CHECK(out.find("did you mean `tiers`?") != std::string::npos);
  CHECK(out.find("expected `+` or `-`") == std::string::npos);
}

TEST_CASE("a byte order mark does not shift columns", "[parse]") {
  const std::string model = "lead:\n  id: string key\nscore s:\n  idd is present: +1\n";
  auto plain = test::compile(model);
  auto bom = test::compile("\xEF\xBB\xBF" + model);
  CHECK(test::diagnostics(bom) == test::diagnostics(plain));
  CHECK(test::diagnostics(bom).find("test.rubric:4:3: error[E0201]: `idd` is not a field") != std::string::npos);
  CHECK(diag::render_json(bom.diagnostics, *bom.sources) == diag::render_json(plain.diagnostics, *plain.sources));
}

TEST_CASE("a non-ASCII character is underlined one column wide", "[parse]") {
  auto c = test::compile("lead:\n  id: string key\n  e: int\nscore s:\n  e \xE2\x89\xA5 5: +1\n");
  std::string out = test::diagnostics(c);
  CHECK(out.find("test.rubric:5:5: error[E0102]: `\xE2\x89\xA5` has no meaning in Rubric\n"
                 "  5 |   e \xE2\x89\xA5 5: +1\n"
                 "    |     ^\n"
                 "    = help: write `>=`\n") != std::string::npos);
  // The JSON columns count characters too: the end column is the one after the character.
  std::string json = diag::render_json(c.diagnostics, *c.sources);
  CHECK(json.find("\"line\": 5, \"column\": 5, \"end_line\": 5, \"end_column\": 6") != std::string::npos);
}
