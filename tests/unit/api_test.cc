// The C++ embedding API: diagnostics, scoring one record and many, every back end, threads,
// models compiled ahead of time.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <atomic>
#include <thread>

#include <unistd.h>

#include <filesystem>

#include "compiler/driver/driver.h"
#include "include/rubric/rubric.hpp"
#include "runtime/jit/jit.h"

TEST_CASE("compile errors come back as structured diagnostics", "[api]") {
  rubric::CompileResult c = rubric::ModelBuilder().build_source("m.rubric", "lead:\n  id: string key\nscore s:\n  idd > 1: +1\n");
  REQUIRE_FALSE(c.ok());
  REQUIRE(c.diagnostics.size() == 1);
  CHECK(c.diagnostics[0].id == "E0201");
  CHECK(c.diagnostics[0].line == 4);
  CHECK(c.diagnostics[0].column == 3);
  CHECK(c.diagnostics[0].notes.at(0) == "help: did you mean `id`?");
  CHECK(c.text.find("m.rubric:4:3: error[E0201]") != std::string::npos);
}

TEST_CASE("every back end scores the B2B leads alike, on several threads", "[api]") {
  std::ifstream in(std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/leads.jsonl");
  std::stringstream ss;
  ss << in.rdbuf();
  int64_t as_of = rubric::Model::parse_time("2026-11-01");
  REQUIRE(as_of > 0);
  std::vector<std::vector<rubric::Result>> runs;
  for (rubric::Backend b : {rubric::Backend::Interpreter, rubric::Backend::Batch, rubric::Backend::Jit}) {
    auto c = rubric::ModelBuilder().backend(b).build_file(std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/b2b.rubric");
    REQUIRE(c.ok());
    CHECK(c.model->score_names() == std::vector<std::string>{"fit", "engagement"});
    runs.push_back(c.model->score_jsonl(ss.str(), as_of, true, 3));
  }
  REQUIRE(runs[0].size() == 300);
  for (size_t i = 0; i < 300; ++i) {
    for (size_t r = 1; r < runs.size(); ++r) {
      CHECK(runs[r][i].total == runs[0][i].total);
      CHECK(runs[r][i].tiers == runs[0][i].tiers);
      CHECK(runs[r][i].rules.size() == runs[0][i].rules.size());
    }
  }
  CHECK(runs[0][12].key == "L0000013");
  CHECK(runs[0][12].total == Approx(79.24));
}

TEST_CASE("one model scores from many threads at once", "[api]") {
  auto c = rubric::ModelBuilder().backend(rubric::Backend::Jit).build_source(
      "m.rubric", "lead:\n  id: string key\n  n: optional int\nscore s:\n  n > 10: +5 \"big\"\n  n > 100: +7 \"bigger\"\n");
  REQUIRE(c.ok());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        int n = (i * 7 + t) % 300;
        rubric::Result r = c.model->score_json("{\"id\": \"x\", \"n\": " + std::to_string(n) + "}", 0);
        double want = (n > 10 ? 5 : 0) + (n > 100 ? 7 : 0);
        if (!r.ok() || r.total != want) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  rubric::Result bad = c.model->score_json("{\"n\": \"ten\"}", 0);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error.find("`id` is required") != std::string::npos);
}

TEST_CASE("a model swapped while threads score never gives a torn result", "[api]") {
  // Two models whose two scores move together: a result mixing them would show 1/20 or 10/2.
  auto a = rubric::ModelBuilder().backend(rubric::Backend::Jit).build_source(
      "a.rubric", "lead:\n  id: string key\nscore s:\n  id is present: +1\nscore t:\n  id is present: +2\n");
  auto b = rubric::ModelBuilder().backend(rubric::Backend::Batch).build_source(
      "b.rubric", "lead:\n  id: string key\nscore s:\n  id is present: +10\nscore t:\n  id is present: +20\n");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  rubric::LiveModel live(a.model);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, scored{0}, from_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      while (!stop) {
        rubric::Result r = live.score_json("{\"id\": \"x\"}", 0);
        double s = r.scores.at(0).second, u = r.scores.at(1).second;
        if (!((s == 1 && u == 2) || (s == 10 && u == 20))) ++torn;
        from_b += s == 10;
        ++scored;
      }
    });
  for (int i = 0; i < 400; ++i) {
    live.replace(i % 2 ? a.model : b.model);
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(torn == 0);
  CHECK(scored > 0);
  INFO("results from the second model: " << from_b << " of " << scored);
}

TEST_CASE("a model compiled ahead of time loads through build_file and scores as the interpreter does", "[api][aot]") {
  std::string dir = std::filesystem::temp_directory_path() / ("rubric-api-aot-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string model_path = std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/b2b.rubric";
  std::string error;
  rubric::driver::Compilation comp = rubric::driver::compile_file(model_path, &error);
  REQUIRE(comp.ok());
  rubric::jit::BuildOptions opts;
  opts.model_name = "b2b.rubric";
  opts.source = comp.sources->file(1).text();
  rubric::jit::BuildOutput built;
  REQUIRE(rubric::jit::build_object(*comp.model, opts, built, &error));
  REQUIRE(rubric::jit::link_shared_object(built.object, dir + "/b2b.so", &error));

  std::ifstream in(std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/leads.jsonl");
  std::stringstream ss;
  ss << in.rdbuf();
  int64_t as_of = rubric::Model::parse_time("2026-11-01");
  auto native = rubric::ModelBuilder().build_file(dir + "/b2b.so");
  REQUIRE(native.ok());
  CHECK(native.model->backend() == rubric::Backend::Native);
  auto interp = rubric::ModelBuilder().backend(rubric::Backend::Interpreter).build_file(dir + "/b2b.so");
  REQUIRE(interp.ok());
  CHECK(interp.model->backend() == rubric::Backend::Interpreter);  // the embedded text, interpreted
  std::vector<rubric::Result> a = native.model->score_jsonl(ss.str(), as_of, true, 2);
  std::vector<rubric::Result> b = interp.model->score_jsonl(ss.str(), as_of, true, 1);
  REQUIRE(a.size() == 300);
  REQUIRE(b.size() == 300);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].scores == b[i].scores);
    CHECK(a[i].tiers == b[i].tiers);
    REQUIRE(a[i].rules.size() == b[i].rules.size());
    for (size_t r = 0; r < a[i].rules.size(); ++r) CHECK(a[i].rules[r].points == b[i].rules[r].points);
  }
  // A file that only looks like a shared object is refused with a message, not a crash.
  std::ofstream(dir + "/fake.so", std::ios::binary) << "\x7f" "ELF and then nothing useful";
  auto fake = rubric::ModelBuilder().build_file(dir + "/fake.so");
  CHECK_FALSE(fake.ok());
  CHECK(fake.text.find("cannot load") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a compiled model rebuilt under the same path loads anew while the old one is in use", "[api][aot]") {
  std::string dir = std::filesystem::temp_directory_path() / ("rubric-api-reload-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/model.so", error;
  auto build = [&](const std::string& text) {
    rubric::driver::Compilation comp = rubric::driver::compile_source("model.rubric", text);
    REQUIRE(comp.ok());
    rubric::jit::BuildOptions opts;
    opts.model_name = "model.rubric";
    opts.source = text;
    rubric::jit::BuildOutput built;
    REQUIRE(rubric::jit::build_object(*comp.model, opts, built, &error));
    REQUIRE(rubric::jit::link_shared_object(built.object, path, &error));
  };
  const std::string head = "lead:\n  id: string key\n  n: optional int\nscore s:\n";
  build(head + "  n > 10: +5 \"big\"\n");
  auto first = rubric::ModelBuilder().build_file(path);
  REQUIRE(first.ok());
  rubric::LiveModel live(first.model);
  CHECK(live.score_json(R"({"id": "a", "n": 50})", 0).total == 5);
  build(head + "  n > 10: +7 \"big\"\n");  // the same path, while the first is loaded
  auto second = rubric::ModelBuilder().build_file(path);
  REQUIRE(second.ok());
  CHECK(second.model->backend() == rubric::Backend::Native);
  live.replace(second.model);
  CHECK(live.score_json(R"({"id": "a", "n": 50})", 0).total == 7);
  CHECK(first.model->score_json(R"({"id": "a", "n": 50})", 0).total == 5);  // the old one still runs
  std::filesystem::remove_all(dir);
}
