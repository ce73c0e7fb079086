// SPDX-License-Identifier: Apache-2.0
// Diagnostics: the rendered format, suggestions, and that every kind is exercised by a golden file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/diag/diagnostic.h"
#include "tests/unit/helpers.h"

using namespace rubric;

TEST_CASE("a diagnostic shows file, line, column, id, the line and a caret", "[diag]") {
  auto c = test::compile("lead:\n  job_title: string\nscore s:\n  job_tittle is present: +1\n");
  CHECK(test::diagnostics(c) ==
        "test.rubric:4:3: error[E0201]: `job_tittle` is not a field of `lead`\n"
        "  4 |   job_tittle is present: +1\n"
        "    |   ^~~~~~~~~~\n"
        "    = help: did you mean `job_title`?\n");
}

TEST_CASE("diagnostics as JSON carry the same data", "[diag]") {
  auto c = test::compile("lead:\n  a: int\nscore s:\n  b > 1: +1\n");
  std::string json = diag::render_json(c.diagnostics, *c.sources);
  CHECK(json.find("\"id\": \"E0201\"") != std::string::npos);
  CHECK(json.find("\"line\": 4, \"column\": 3") != std::string::npos);
  CHECK(json.find("\"message\": \"`b` is not a field of `lead`\"") != std::string::npos);
}

TEST_CASE("closest_name suggests only near misses", "[diag]") {
  CHECK(diag::closest_name("job_tittle", {"job_title", "employees"}) == "job_title");
  CHECK(diag::closest_name("zzz", {"job_title", "employees"}).empty());
}

TEST_CASE("every diagnostic kind is exercised by a golden file", "[diag]") {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(RUBRIC_TESTS_DIR)) {
    if (e.path().extension() != ".rubric") continue;
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    all += ss.str();
  }
  for (diag::Kind k : diag::all_kinds()) {
    if (diag::info(k).phase == "api") continue;  // the API's own, without a file: tests/unit/api_test.cc
    std::string id(diag::info(k).id);
    INFO("no golden file shows " << id << " (" << diag::info(k).name << ")");
    CHECK(all.find("[" + id + "]") != std::string::npos);
  }
}

TEST_CASE("closest_name counts two swapped letters as one slip", "[diag]") {
  CHECK(diag::closest_name("socre", {"score", "tiers"}) == "score");
  CHECK(diag::closest_name("teirs", {"score", "tiers"}) == "tiers");
  CHECK(diag::closest_name("contians", {"contains", "matches"}) == "contains");
}

TEST_CASE("the columns of a span end after its last character, however many bytes it has", "[diag]") {
  source::SourceFile f("t.rubric", "a \xC3\xA9t\xC3\xA9 b\n");
  CHECK(f.last_char({1, 2, 7}).column == 5);  // `été` is columns 3 to 5
  CHECK(f.line_col(7).column == 6);
}
