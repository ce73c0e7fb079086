// SPDX-License-Identifier: Apache-2.0
// Limits and hostile models (issue 9): shared defines evaluated once, long conditions that do not
// overflow the stack, saturating sums, whole-number overflow, the compile-time budget, capped
// diagnostics and a linear-time `contains`.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"
#include "compiler/lint/lint.h"
#include "include/rubric/rubric.hpp"
#include "runtime/builtins/builtins.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"
#include "runtime/jit/jit.h"

namespace {

const rubric::Backend kEveryBackend[] = {rubric::Backend::Interpreter, rubric::Backend::Batch, rubric::Backend::Jit};

// `define d1: x > 1`, then `define dK: dK-1 and dK-1`: a model of a few lines whose conditions,
// written out as trees, have 2^K leaves.
std::string doubling_defines(int k) {
  std::string m = "lead:\n  id: string key\n  x: int\n\ndefine d1: x > 1\n";
  for (int i = 2; i <= k; ++i) m += "define d" + std::to_string(i) + ": d" + std::to_string(i - 1) + " and d" + std::to_string(i - 1) + "\n";
  m += "\nscore s:\n  d" + std::to_string(k) + ": +1 \"deep\"\n  not d" + std::to_string(k) + ": +2 \"shallow\"\n";
  m += "\ntiers t:\n  hot: d" + std::to_string(k) + " and s >= 1\n  cold: otherwise\n";
  return m;
}

// One rule whose condition is continued over `lines` lines of `and` and `or`.
std::string long_chain(int lines) {
  std::string m = "lead:\n  id: string key\n  x: int\n\nscore s:\n  x > 0 and\n";
  for (int i = 0; i < lines - 1; ++i) m += "    x > " + std::to_string(i) + (i % 2 ? " and\n" : " or\n");
  m += "    x > 1: +1 \"chain\"\n";
  return m;
}

// Runs `fn` on a thread with a `bytes` stack, as a product's worker thread might have.
template <typename Fn>
void on_small_stack(size_t bytes, Fn fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t th;
  REQUIRE(pthread_create(&th, &attr, [](void* p) -> void* { (*static_cast<Fn*>(p))(); return nullptr; }, &fn) == 0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST_CASE("a define used many times is evaluated once per lead on every back end", "[check][limits]") {
  std::string text = doubling_defines(40);  // 2^40 leaves if expanded: would never finish
  // Finishing is most of the test: written out as a tree this would take hours (ctest's timeout).
  for (rubric::Backend b : kEveryBackend) {
    auto c = rubric::ModelBuilder().backend(b).build_source("defines.rubric", text);
    REQUIRE(c.ok());
    rubric::Result hot = c.model->score_json(R"({"id": "a", "x": 5})", 0);
    rubric::Result cold = c.model->score_json(R"({"id": "b", "x": 0})", 0);
    CHECK(hot.total == 1);
    CHECK(hot.tiers.at(0).second == "hot");
    CHECK(cold.total == 2);
    CHECK(cold.tiers.at(0).second == "cold");
  }
  // The checked dump and lint walk the graph, not the tree.
  rubric::driver::Compilation comp = rubric::driver::compile_source("defines.rubric", text);
  REQUIRE(comp.ok());
  CHECK(comp.model->defines.size() == 40);
  std::string dump = rubric::check::print(*comp.model);
  CHECK(dump.size() < 20000);
  CHECK(dump.find("define #39 d40 (And:bool (Define:bool #38) (Define:bool #38))") != std::string::npos);
  rubric::diag::DiagnosticList lints = rubric::lint::lint(comp.module, *comp.model, *comp.sources);
  (void)lints;  // finishing is the test
}

TEST_CASE("a condition continued over 30,000 lines checks and scores without deep recursion", "[parse][limits]") {
  std::string text = long_chain(30000);
  for (rubric::Backend b : {rubric::Backend::Interpreter, rubric::Backend::Batch}) {
    auto c = rubric::ModelBuilder().backend(b).build_source("chain.rubric", text);
    REQUIRE(c.ok());
    CHECK(c.model->score_json(R"({"id": "a", "x": 5})", 0).total == 1);
    CHECK(c.model->score_json(R"({"id": "a", "x": 0})", 0).total == 0);
  }
  // Beyond the compile-time budget: the JIT refuses it with a reason, and scoring falls back.
  rubric::driver::Compilation comp = rubric::driver::compile_source("chain.rubric", text);
  REQUIRE(comp.ok());
  CHECK_FALSE(rubric::jit::over_compile_budget(*comp.model).empty());
  std::string why;
  auto scorer = rubric::jit::make_scorer(comp.model, rubric::jit::ScorerKind::Jit, {}, &why);
  REQUIRE(scorer);
  CHECK(why.find("native code is compiled for at most") != std::string::npos);
}

TEST_CASE("long conditions compile and score on a thread with a 256 KiB stack", "[api][limits]") {
  std::string text = long_chain(5000);
  bool ok = false;
  double total = -1;
  on_small_stack(256 * 1024, [&] {
    auto c = rubric::ModelBuilder().backend(rubric::Backend::Interpreter).build_source("chain.rubric", text);
    ok = c.ok();
    if (ok) total = c.model->score_json(R"({"id": "a", "x": 5})", 0).total;
  });
  CHECK(ok);
  CHECK(total == 1);
}

TEST_CASE("nesting beyond the limits is refused with a message, not a crash", "[check][limits]") {
  // `not` operators in one condition, continued over lines.
  // 150 `not`s on each of two lines, the second nested inside the first through a bracket.
  std::string nots = "lead:\n  id: string key\n  x: int\nscore s:\n  ";
  for (int i = 0; i < 150; ++i) nots += "not ";
  nots += "(x > 1 and\n    ";
  for (int i = 0; i < 150; ++i) nots += "not ";
  nots += "x > 2): +1\n";
  rubric::driver::Compilation c = rubric::driver::compile_source("nots.rubric", nots);
  REQUIRE_FALSE(c.ok());
  CHECK(rubric::diag::render_text(c.diagnostics, *c.sources).find("more than 200 operators nested in one condition") !=
        std::string::npos);
  // Side by side they do not nest: 300 `not`s in as many operands, and 300 bracket groups, are fine.
  std::string siblings = "lead:\n  id: string key\n  x: int\nscore s:\n  x > 0";
  for (int i = 0; i < 300; ++i) siblings += " and\n    not (x > " + std::to_string(i) + ")";
  siblings += ": +1\n";
  rubric::driver::Compilation ok = rubric::driver::compile_source("siblings.rubric", siblings);
  CHECK(ok.ok());
  // An unclosed bracket is reported as such, not as an operator count lines later.
  std::string unclosed = "lead:\n  id: string key\n  x: int\nscore s:\n  (x > 1: +1\n";
  for (int i = 0; i < 250; ++i) unclosed += "  not x > " + std::to_string(i) + ": +1\n";
  rubric::driver::Compilation u = rubric::driver::compile_source("unclosed.rubric", unclosed);
  REQUIRE_FALSE(u.ok());
  CHECK(rubric::diag::render_text(u.diagnostics, *u.sources).find("operators nested") == std::string::npos);
  // Defines nested through each other, each adding brackets: the checker's depth limit.
  std::string deep = "lead:\n  id: string key\n  x: int\ndefine p1: x > 1\n";
  for (int i = 2; i <= 90; ++i)
    deep += "define p" + std::to_string(i) + ": ((not (p" + std::to_string(i - 1) + " and x > 0)))\n";
  deep += "score s:\n  p90: +1\n";
  rubric::driver::Compilation d = rubric::driver::compile_source("deep.rubric", deep);
  REQUIRE_FALSE(d.ok());
  CHECK(rubric::diag::render_text(d.diagnostics, *d.sources).find("nests more than 128 levels deep") != std::string::npos);
}

TEST_CASE("a model file over the size limit is refused before parsing", "[parse][limits]") {
  std::string big = "lead:\n  id: string key\n  t: optional string\nconst S = {";
  while (big.size() < (5u << 20)) big += "\"something\",";
  big += "\"x\"}\nscore s:\n  t in S: +1\n";
  rubric::driver::Compilation c = rubric::driver::compile_source("big.rubric", big);
  REQUIRE_FALSE(c.ok());
  CHECK(rubric::diag::render_text(c.diagnostics, *c.sources).find("the model is too large: 6 MiB, and the limit is 4 MiB") !=
        std::string::npos);
}

TEST_CASE("a model of too many tokens is refused before ANTLR parses it", "[parse][limits]") {
  std::string m = "lead:\n  id: string key\n  x: int\nscore s:\n  x > 1";
  for (int i = 0; i < 70000; ++i) m += " or x > 1";  // 280,000 tokens, under 4 MiB
  m += ": +1\n";
  REQUIRE(m.size() < (4u << 20));
  rubric::driver::Compilation c = rubric::driver::compile_source("tokens.rubric", m);
  REQUIRE_FALSE(c.ok());
  CHECK(rubric::diag::render_text(c.diagnostics, *c.sources).find("more than 250000 words, numbers and symbols") !=
        std::string::npos);
}

TEST_CASE("`each` sees through a define that names a define of one behaviour", "[check][limits]") {
  const char* text =
      "lead:\n  id: string key\nevent:\n  kind: enum {visit}\n  timestamp: time\n"
      "behaviour visited: kind = visit\ndefine saw: visited\ndefine saw_again: saw\n"
      "score s:\n  saw_again: +3 each\n";
  for (rubric::Backend b : kEveryBackend) {
    auto c = rubric::ModelBuilder().backend(b).build_source("each.rubric", text);
    REQUIRE(c.ok());
    rubric::Result r = c.model->score_json(
        R"({"id": "a", "events": [{"kind": "visit", "timestamp": "2026-01-01"}, {"kind": "visit", "timestamp": "2026-01-02"}]})",
        rubric::Model::parse_time("2026-02-01"));
    CHECK(r.total == 6);
  }
}

TEST_CASE("thousands of misspelt names check in linear time: hints stop after 500", "[check][limits]") {
  std::string m = "lead:\n  id: string key\n  x: int\n";
  for (int i = 0; i < 8000; ++i) m += "define d" + std::to_string(i) + ": xx" + std::to_string(i) + " > 1\n";
  m += "score s:\n  x > 1: +1\n";
  rubric::driver::Compilation c = rubric::driver::compile_source("names.rubric", m);  // 90 s before (quadratic hints)
  REQUIRE(c.diagnostics.error_count() == 8000);
  size_t hinted = 0;
  for (const auto& d : c.diagnostics.items()) hinted += !d.notes.empty();
  CHECK(hinted > 0);
  CHECK(hinted <= 501);
}

TEST_CASE("score sums saturate at 10^13 points instead of overflowing", "[interp][limits]") {
  std::string m = "lead:\n  id: string key\n  x: int\nscore s:\n";
  for (int i = 0; i < 10000; ++i) m += "  x > 0: +1000000000\n";
  m += "score u:\n  x > 0: -5\n";
  for (rubric::Backend b : {rubric::Backend::Interpreter, rubric::Backend::Batch}) {
    auto c = rubric::ModelBuilder().backend(b).build_source("sum.rubric", m);
    REQUIRE(c.ok());
    rubric::Result r = c.model->score_json(R"({"id": "a", "x": 1})", 0);
    CHECK(r.scores.at(0).second == 1e13);
    CHECK(r.total == 1e13 - 5);
  }
  // The JIT, on a model within its budget whose per-event rule saturates on its own.
  std::string each = "lead:\n  id: string key\nevent:\n  kind: enum {visit}\n  timestamp: time\n"
                     "behaviour visited: kind = visit\nscore s:\n";
  for (int i = 0; i < 200; ++i) each += "  visited: +1000000000 each\n";
  std::string lead = R"({"id": "a", "events": [)";
  for (int i = 0; i < 200; ++i) lead += std::string(i ? "," : "") + R"({"kind": "visit", "timestamp": "2026-01-01T00:00:00Z"})";
  lead += "]}";
  int64_t as_of = rubric::Model::parse_time("2026-02-01");
  std::vector<double> totals;
  for (rubric::Backend b : kEveryBackend) {
    auto c = rubric::ModelBuilder().backend(b).build_source("each.rubric", each);
    REQUIRE(c.ok());
    rubric::Result r = c.model->score_json(lead, as_of);
    REQUIRE(r.ok());
    totals.push_back(r.total);
  }
  CHECK(totals[0] == 1e13);
  CHECK(totals[1] == totals[0]);
  CHECK(totals[2] == totals[0]);
}

TEST_CASE("negating the smallest whole number is missing on every back end", "[interp][limits]") {
  // Inputs stop at ±9*10^15, but -2^52 * 2048 is exactly -2^63, whose negation does not fit.
  const char* text =
      "lead:\n  id: string key\n  x: int\nscore s:\n  -(x * 2048) > 0: +1 \"positive\"\n  -(x * 2048) is missing: +2 \"overflow\"\n";
  for (rubric::Backend b : kEveryBackend) {
    auto c = rubric::ModelBuilder().backend(b).build_source("neg.rubric", text);
    REQUIRE(c.ok());
    CHECK(c.model->score_json(R"({"id": "a", "x": -4503599627370496})", 0).total == 2);
    CHECK(c.model->score_json(R"({"id": "a", "x": -5})", 0).total == 1);
  }
}

TEST_CASE("text diagnostics stop at --max-errors with a count of the rest", "[diag][limits]") {
  std::string m = "lead:\n  id: string key\nscore s:\n";
  for (int i = 0; i < 3000; ++i) m += "  y" + std::to_string(i) + " > 1: +1\n";
  rubric::driver::Compilation c = rubric::driver::compile_source("errs.rubric", m);
  REQUIRE(c.diagnostics.error_count() == 3000);
  std::string shown = rubric::diag::render_text(c.diagnostics, *c.sources, false, 100);
  CHECK(shown.find("note: 2900 more errors not shown (the first 100 are; --max-errors 0 shows all)") != std::string::npos);
  CHECK(shown.find("y99 ") != std::string::npos);
  CHECK(shown.find("y100 ") == std::string::npos);
}

TEST_CASE("very long source lines are shown as a window around the caret", "[diag][limits]") {
  std::string m = "lead:\n  id: string key\n  t: optional string\nscore s:\n  t in {";
  for (int i = 0; i < 5000; ++i) m += "\"v" + std::to_string(i) + "\", ";
  m += "\"end\"} and zz > 1: +1\n";
  rubric::driver::Compilation c = rubric::driver::compile_source("long.rubric", m);
  REQUIRE_FALSE(c.ok());
  std::string shown = rubric::diag::render_text(c.diagnostics, *c.sources);
  CHECK(shown.size() < 1000);
  CHECK(shown.find("...") != std::string::npos);
  // The caret still sits under `zz`.
  size_t line = shown.find(" | ...");
  size_t caret = shown.find('^');
  REQUIRE(line != std::string::npos);
  REQUIRE(caret != std::string::npos);
  size_t line_start = shown.rfind('\n', line) + 1, caret_start = shown.rfind('\n', caret) + 1;
  CHECK(shown.substr(line_start + (caret - caret_start), 2) == "zz");
}

TEST_CASE("contains takes linear time on a long needle", "[builtins][limits]") {
  std::string hay(4 << 20, 'a');
  std::string needle(10 << 10, 'a');
  needle.back() = 'b';
  // The quadratic scan needed ~4*10^10 steps here (minutes, past ctest's timeout); this is linear.
  CHECK_FALSE(rubric::builtins::contains_icase(hay, needle));
  hay.replace(hay.size() - needle.size(), needle.size(), "A" + needle.substr(1, needle.size() - 2) + "B");
  CHECK(rubric::builtins::contains_icase(hay, needle));
  CHECK(rubric::builtins::contains_icase("Senior Marketing Manager", "marketing"));
  CHECK(rubric::builtins::contains_icase(std::string(100, 'x') + "ab" + std::string(70, 'C'), "b" + std::string(70, 'c')));
  CHECK_FALSE(rubric::builtins::contains_icase(std::string(200, 'x'), std::string(70, 'x') + "y"));
}

TEST_CASE("a damaged file in the JIT's disk cache is compiled afresh, never run", "[jit][limits]") {
  std::string dir = std::filesystem::temp_directory_path() / ("rubric-cache-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const char* text = "lead:\n  id: string key\n  n: optional int\nscore s:\n  n > 10: +5 \"big\"\n";
  auto score = [&] {
    auto c = rubric::ModelBuilder().backend(rubric::Backend::Jit).cache_dir(dir).build_source("m.rubric", text);
    REQUIRE(c.ok());
    REQUIRE(c.model->backend() == rubric::Backend::Jit);
    return c.model->score_json(R"({"id": "a", "n": 11})", 0).total;
  };
  CHECK(score() == 5);  // compiles and writes the cache (the model is freed after the call)
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  {
    // Overwrite the middle of the object (its code, among other things) with int3 instructions.
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(64);
    std::string junk(512, '\xCC');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  CHECK(score() == 5);  // the damaged file is refused by its checksum and compiled again
  CHECK(score() == 5);  // and the fresh cache file loads
  std::filesystem::remove_all(dir);
}

TEST_CASE("a tiered scorer scores with the interpreter until the model is compiled, then with native code", "[jit][limits]") {
  const char* text =
      "lead:\n  id: string key\n  employees: optional int\n  title: optional string\n"
      "event:\n  kind: enum {page_view, email_open}\n  page: optional string\n  timestamp: time\n"
      "pages pricing: \"*/pricing*\"\n"
      "score s, decay half-life 10 days:\n  employees > 100: +5\n  title contains \"vp\": +7\n"
      "  visited pricing within 30 days: +3 each, at most 12\n";
  rubric::driver::Compilation comp = rubric::driver::compile_source("tiered.rubric", text);
  REQUIRE(comp.ok());
  std::vector<std::string> leads;
  for (int i = 0; i < 200; ++i) {
    std::string events;
    for (int k = 0; k < i % 7; ++k)
      events += std::string(k ? "," : "") + R"({"kind":"page_view","page":"https://a.example/pricing","timestamp":"2026-10-)" +
                std::to_string(10 + k + i % 5) + "T00:00:00Z\"}";
    leads.push_back(R"({"id":"L)" + std::to_string(i) + R"(","employees":)" + std::to_string(i * 7) +
                    (i % 3 ? R"(,"title":"VP Sales")" : "") + R"(,"events":[)" + events + "]}");
  }
  std::string all;
  for (const std::string& l : leads) all += l + "\n";
  std::istringstream in(all);
  std::string fatal;
  auto reader = rubric::io::open_reader(in, *comp.model, {}, fatal);
  REQUIRE(reader);
  std::vector<rubric::io::InputRecord> recs(leads.size());
  for (auto& r : recs) REQUIRE(reader->next(r));
  int64_t as_of = *rubric::io::parse_time("2026-11-01");
  rubric::interp::Interpreter reference(comp.model);
  auto tiered = std::make_shared<rubric::jit::TieredScorer>(comp.model, rubric::jit::CompileOptions{});
  // Before and after the compile ends (the first leads most likely while it runs), the same scores
  // and the same explanations.
  auto same = [&](const rubric::interp::Scorer& s) {
    for (const auto& r : recs) {
      rubric::interp::Outcome a = reference.score(r.record, as_of, true), b = s.score(r.record, as_of, true);
      REQUIRE(a.scores == b.scores);
      REQUIRE(a.hits.size() == b.hits.size());
    }
  };
  same(*tiered);
  CHECK(tiered->wait().empty());
  CHECK(tiered->compiled());
  same(*tiered);
  // A model beyond the compile-time budget: the interpreter scores on, and wait() says why.
  rubric::driver::Compilation big = rubric::driver::compile_source("chain.rubric", long_chain(30000));
  REQUIRE(big.ok());
  rubric::jit::TieredScorer refused(big.model, {});
  CHECK(refused.wait().find("native code is compiled for at most") != std::string::npos);
  CHECK_FALSE(refused.compiled());
  std::istringstream one(R"({"id": "a", "x": 5})" "\n");
  auto big_reader = rubric::io::open_reader(one, *big.model, {}, fatal);
  REQUIRE(big_reader);
  rubric::io::InputRecord rec;
  REQUIRE(big_reader->next(rec));
  CHECK(refused.score(rec.record, as_of, false).scores.at(0) == 100);
}
