// SPDX-License-Identifier: Apache-2.0
// The C++ embedding API: diagnostics, scoring one record and many, every back end, threads,
// models compiled ahead of time.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

#include <filesystem>

#include "compiler/driver/driver.h"
#include "include/rubric/rubric.hpp"
#include "include/rubric/rubric.h"
#include "runtime/jit/jit.h"

namespace {

// `rubric build TEXT -o PATH`: compiles model text (with host function signatures, if any) into
// a shared object, as the command does.
void build_shared_object(const std::string& text, const std::string& path,
                         std::shared_ptr<const rubric::check::HostFunctions> functions = nullptr) {
  rubric::driver::Compilation comp = rubric::driver::compile_source("model.rubric", text, std::move(functions));
  REQUIRE(comp.ok());
  rubric::jit::BuildOptions opts;
  opts.model_name = "model.rubric";
  opts.source = text;
  rubric::jit::BuildOutput built;
  std::string error;
  REQUIRE(rubric::jit::build_object(*comp.model, *comp.sources, opts, built, &error));
  REQUIRE(rubric::jit::link_shared_object(built.object, path, &error));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

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
  // Swap at least 400 times, and keep swapping until the threads have scored a few hundred
  // leads: on a busy machine (or under sanitizers) they may not have started before 400 swaps end.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; i < 400 || (scored < 300 && std::chrono::steady_clock::now() < give_up); ++i) {
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
  build_shared_object(read_text(std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/b2b.rubric"), dir + "/b2b.so");

  std::string leads = read_text(std::string(RUBRIC_TESTS_DIR) + "/../examples/b2b/leads.jsonl");
  int64_t as_of = rubric::Model::parse_time("2026-11-01");
  auto native = rubric::ModelBuilder().build_file(dir + "/b2b.so");
  REQUIRE(native.ok());
  CHECK(native.model->backend() == rubric::Backend::Native);
  auto interp = rubric::ModelBuilder().backend(rubric::Backend::Interpreter).build_file(dir + "/b2b.so");
  REQUIRE(interp.ok());
  CHECK(interp.model->backend() == rubric::Backend::Interpreter);  // the embedded text, interpreted
  std::vector<rubric::Result> a = native.model->score_jsonl(leads, as_of, true, 2);
  std::vector<rubric::Result> b = interp.model->score_jsonl(leads, as_of, true, 1);
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
  std::string path = dir + "/model.so";
  auto build = [&](const std::string& text) { build_shared_object(text, path); };
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

namespace {

// A product's functions: a CRM look-up by email domain, and a weighting that may throw.
rubric::ModelBuilder with_functions(rubric::Backend backend, std::atomic<int>* calls = nullptr) {
  using rubric::Value;
  using rubric::ValueType;
  return rubric::ModelBuilder()
      .backend(backend)
      .function("is_customer", {ValueType::String}, ValueType::Bool,
                [calls](const std::vector<Value>& a) -> std::optional<Value> {
                  if (calls) ++*calls;
                  return Value::boolean(a[0].s == "acme.com" || a[0].s == "globex.com");
                })
      .function("account_weight", {ValueType::Number, ValueType::String}, ValueType::Number,
                [](const std::vector<Value>& a) -> std::optional<Value> {
                  if (a[1].s == "boom") throw std::runtime_error("the CRM is down");
                  if (a[1].s == "none") return std::nullopt;
                  return Value::number(a[0].d * (a[1].s == "enterprise" ? 2 : 1));
                });
}

const char* kHostModel =
    "lead:\n  id: string key\n  email: optional string\n  employees: optional int\n  plan: optional string\n"
    "score fit:\n"
    "  is_customer(email domain): +20 \"existing customer\"\n"
    "  account_weight(employees, plan) > 1000: +15 \"weighty account\"\n"
    "  not is_customer(email domain): +1 \"prospect\"\n";

}  // namespace

TEST_CASE("host functions registered on the builder are called by every back end alike", "[api][functions]") {
  const std::string leads[] = {
      R"({"id": "a", "email": "jo@acme.com", "employees": 800, "plan": "enterprise"})",  // 20 + 15
      R"({"id": "b", "email": "al@initech.com", "employees": 800, "plan": "team"})",     // 1
      R"({"id": "c", "employees": 5000, "plan": "boom"})",                              // throws: missing, 0
      R"({"id": "d", "email": "x@globex.com", "employees": 3000, "plan": "none"})",     // 20, weight missing
      R"({"id": "e", "email": "x@initech.com", "plan": "team"})",                       // employees missing: 1
  };
  const double want[] = {35, 1, 0, 20, 1};
  for (rubric::Backend b : {rubric::Backend::Interpreter, rubric::Backend::Batch, rubric::Backend::Jit}) {
    std::atomic<int> calls{0};
    auto c = with_functions(b, &calls).build_source("host.rubric", kHostModel);
    INFO("backend " << int(b) << ": " << c.text);
    REQUIRE(c.ok());
    for (size_t i = 0; i < 5; ++i) CHECK(c.model->score_json(leads[i], 0).total == want[i]);
    // Each lead's email domain, when present, is looked up by both rules that use it; a missing
    // domain never reaches the function.
    CHECK(calls.load() == 2 * 4);
  }
}

TEST_CASE("host functions are checked like built-ins and registered with care", "[api][functions]") {
  auto unknown = rubric::ModelBuilder().build_source("m.rubric", kHostModel);  // nothing registered
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.diagnostics.at(0).id == "E0206");
  auto wrong_type = with_functions(rubric::Backend::Auto)
                        .build_source("m.rubric", "lead:\n  id: string key\n  n: optional int\nscore s:\n  is_customer(n): +1\n");
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.text.find("`is_customer` needs text, and `n` is") != std::string::npos);
  auto clash = rubric::ModelBuilder()
                   .function("lower", {rubric::ValueType::String}, rubric::ValueType::String,
                             [](const std::vector<rubric::Value>& a) -> std::optional<rubric::Value> { return a[0]; })
                   .build_source("m.rubric", kHostModel);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.diagnostics.at(0).id == "A0001");
  CHECK(clash.text.find("the function `lower` cannot be registered: its name is a built-in function's name") !=
        std::string::npos);
}

TEST_CASE("a compiled model that calls host functions loads with them registered, and only so", "[api][functions][aot]") {
  std::string dir = std::filesystem::temp_directory_path() / ("rubric-api-host-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/host.so";
  auto fns = std::make_shared<rubric::check::HostFunctions>();
  for (const char* name : {"is_customer", "account_weight"}) {
    rubric::check::HostFunction f;
    f.name = name;
    f.args = name == std::string("is_customer") ? std::vector{rubric::check::TypeKind::String}
                                                : std::vector{rubric::check::TypeKind::Number, rubric::check::TypeKind::String};
    f.result = name == std::string("is_customer") ? rubric::check::TypeKind::Bool : rubric::check::TypeKind::Number;
    f.fn = [](const rubric::check::Value*, size_t) { return rubric::check::Value::missing(); };  // declared only
    fns->push_back(f);
  }
  build_shared_object(kHostModel, path, fns);
  auto missing = rubric::ModelBuilder().build_file(path);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.text.find("calls a function this program has not registered") != std::string::npos);
  // Registered with other types than it was built with: refused, since its code would read the
  // values as the types it was built for.
  auto other_types = rubric::ModelBuilder()
                         .function("is_customer", {rubric::ValueType::String}, rubric::ValueType::Bool,
                                   [](const std::vector<rubric::Value>&) -> std::optional<rubric::Value> { return std::nullopt; })
                         .function("account_weight", {rubric::ValueType::Int, rubric::ValueType::String}, rubric::ValueType::Int,
                                   [](const std::vector<rubric::Value>&) -> std::optional<rubric::Value> { return std::nullopt; })
                         .build_file(path);
  REQUIRE_FALSE(other_types.ok());
  CHECK(other_types.text.find("was built for the functions account_weight(Number,String)->Number;is_customer(String)->Bool, "
                              "and this program registers account_weight(Int,String)->Int;") != std::string::npos);
  auto loaded = with_functions(rubric::Backend::Auto).build_file(path);
  REQUIRE(loaded.ok());
  CHECK(loaded.model->backend() == rubric::Backend::Native);
  CHECK(loaded.model->score_json(R"({"id": "a", "email": "jo@acme.com", "employees": 800, "plan": "enterprise"})", 0).total == 35);
  CHECK(loaded.model->score_json(R"({"id": "c", "employees": 5000, "plan": "boom"})", 0).total == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("two models of the same text with different host functions each call their own", "[api][functions]") {
  auto weight = [](double factor) {
    return [factor](const std::vector<rubric::Value>& a) -> std::optional<rubric::Value> {
      return rubric::Value::number(a[0].d * factor);
    };
  };
  const char* text = "lead:\n  id: string key\n  n: optional int\nscore s:\n  w(n) > 100: +1\n";
  auto small = rubric::ModelBuilder()
                   .backend(rubric::Backend::Jit)
                   .function("w", {rubric::ValueType::Number}, rubric::ValueType::Number, weight(1))
                   .build_source("m.rubric", text);
  auto large = rubric::ModelBuilder()
                   .backend(rubric::Backend::Jit)
                   .function("w", {rubric::ValueType::Number}, rubric::ValueType::Number, weight(1000))
                   .build_source("m.rubric", text);
  REQUIRE(small.ok());
  REQUIRE(large.ok());
  // The JIT's cache is keyed by the model text; it must not hand the second builder the first
  // one's code and functions.
  CHECK(small.model->score_json(R"({"id": "a", "n": 5})", 0).total == 0);
  CHECK(large.model->score_json(R"({"id": "a", "n": 5})", 0).total == 1);
}

TEST_CASE("score_file joins a flat events file by key, as if the events were nested", "[api][events]") {
  std::string dir = std::filesystem::temp_directory_path() / ("rubric-api-events-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
    return dir + "/" + name;
  };
  const std::string model =
      "lead:\n  id: string key\nevent:\n  kind: enum {visit, demo}\n  timestamp: time\n"
      "behaviour visited: kind is visit\nbehaviour asked for a demo: kind is demo\n"
      "score s:\n  visited: +1 each, at most 10\n  asked for a demo within 7 days: +20\n";
  auto m = rubric::ModelBuilder().backend(rubric::Backend::Interpreter).build_source("m.rubric", model);
  REQUIRE(m.ok());
  std::string leads = write("leads.csv", "id\nA\nB\nC\n");
  // Out of order, one lead without events, one event of a lead not in the input.
  std::string events = write("events.csv",
                             "id,kind,timestamp\nB,visit,2026-10-30\nA,demo,2026-10-31\nZ,visit,2026-10-30\n"
                             "A,visit,2026-10-01\nB,visit,2026-10-29\n");
  int64_t as_of = rubric::Model::parse_time("2026-11-01");
  rubric::FileJob job;
  job.input = leads;
  job.events = events;
  job.output = dir + "/out.jsonl";
  job.jsonl = true;
  job.as_of = as_of;
  rubric::FileStats s = m.model->score_file(job);
  REQUIRE(s.ok());
  CHECK(s.scored == 3);
  CHECK(s.errors == 0);
  CHECK(s.events_read == 5);
  CHECK(s.events_joined == 4);
  CHECK(s.orphan_events == 1);
  CHECK(s.messages.find("key `Z`") != std::string::npos);
  // The same leads with their events nested.
  std::vector<rubric::Result> nested = m.model->score_jsonl(
      "{\"id\": \"A\", \"events\": [{\"kind\": \"demo\", \"timestamp\": \"2026-10-31\"}, {\"kind\": \"visit\", \"timestamp\": \"2026-10-01\"}]}\n"
      "{\"id\": \"B\", \"events\": [{\"kind\": \"visit\", \"timestamp\": \"2026-10-30\"}, {\"kind\": \"visit\", \"timestamp\": \"2026-10-29\"}]}\n"
      "{\"id\": \"C\"}\n",
      as_of);
  std::string out = read_text(job.output);
  REQUIRE(nested.size() == 3);
  CHECK(nested[0].total == 21);
  CHECK(nested[1].total == 2);
  CHECK(nested[2].total == 0);
  CHECK(out.find("{\"id\":\"A\",\"s\":21,\"total\":21") != std::string::npos);
  CHECK(out.find("{\"id\":\"B\",\"s\":2,\"total\":2") != std::string::npos);
  CHECK(out.find("{\"id\":\"C\",\"s\":0,\"total\":0") != std::string::npos);

  // Kept and chosen columns, as `rubric score --keep --columns` writes them; a kept column the
  // header lacks, or an output column that is not there, stops the job with why.
  std::string sourced = write("sourced.csv", "id,Source\nA,web\nB,\"fair, 2026\"\nC,\n");
  rubric::FileJob chosen = job;
  chosen.input = sourced;
  chosen.jsonl = false;
  chosen.output = dir + "/chosen.csv";
  chosen.keep = {"Source"};
  chosen.columns = {"total", "Source", "id"};
  REQUIRE(m.model->score_file(chosen).ok());
  CHECK(read_text(chosen.output) == "total,Source,id\n21,web,A\n2,\"fair, 2026\",B\n0,,C\n");
  chosen.keep = {"Sourse"};
  chosen.columns = {};
  CHECK(m.model->score_file(chosen).error.find("no column \"Sourse\" to keep (--keep) (did you mean \"Source\"?)") != std::string::npos);
  chosen.keep = {};
  chosen.columns = {"totl"};
  CHECK(m.model->score_file(chosen).error.find("the output has no column \"totl\" (did you mean \"total\"?)") != std::string::npos);

  // The C API: the same counts as JSON, RUBRIC_CANNOT_RUN for a file that is not there.
  rubric_model* cm = nullptr;
  char* diags = nullptr;
  REQUIRE(rubric_compile("m.rubric", model.c_str(), RUBRIC_BACKEND_INTERP, &cm, &diags) == RUBRIC_OK);
  char* summary = nullptr;
  CHECK(rubric_score_file(cm, leads.c_str(), events.c_str(), (dir + "/out.csv").c_str(), "2026-11-01", 2, &summary) == RUBRIC_OK);
  REQUIRE(summary);
  CHECK(std::string(summary).find("\"events_joined\": 4, \"orphan_events\": 1") != std::string::npos);
  rubric_string_free(summary);
  CHECK(read_text(dir + "/out.csv").find("A,21,21") != std::string::npos);
  CHECK(rubric_score_file(cm, (dir + "/none.csv").c_str(), nullptr, (dir + "/out.csv").c_str(), "2026-11-01", 1, &summary) ==
        RUBRIC_CANNOT_RUN);
  CHECK(std::string(summary).find("\"error\": \"") != std::string::npos);
  rubric_string_free(summary);
  rubric_model_free(cm);
  rubric_string_free(diags);
  std::filesystem::remove_all(dir);
}

TEST_CASE("as of keeps its fraction of a second in the API; a whole number is seconds", "[api]") {
  const std::string model =
      "lead:\n  id: string key\nevent:\n  kind: enum {visit}\n  timestamp: time\n"
      "behaviour visited: kind is visit\nscore s:\n  visited within 1 days: +1\n";
  auto m = rubric::ModelBuilder().build_source("m.rubric", model);
  REQUIRE(m.ok());
  // An event half a second after midnight is after an as-of of midnight, so it is ignored.
  const std::string lead = R"({"id": "a", "events": [{"kind": "visit", "timestamp": "2026-11-01T00:00:00.5Z"}]})";
  rubric::AsOf midnight = rubric::Model::parse_time("2026-11-01"), half;
  REQUIRE(rubric::AsOf::parse("2026-11-01T00:00:00.500Z", half));
  CHECK(half.ms() == midnight.ms() + 500);
  CHECK(half.seconds() == midnight.seconds());
  CHECK(m.model->score_json(lead, midnight).total == 0);
  CHECK(m.model->score_json(lead, half).total == 1);
  CHECK(m.model->score_json(lead, rubric::AsOf::milliseconds(midnight.ms() + 499)).total == 0);
  CHECK(m.model->score_jsonl(lead + "\n" + lead, half)[1].total == 1);
  rubric::AsOf before;
  REQUIRE(rubric::AsOf::parse("1969-12-31T23:59:59.250Z", before));
  CHECK(before.ms() == -750);
  CHECK(before.seconds() == -1);
  // Held to the years 1 to 9999, as times in data are: a "far future" never overflows.
  CHECK(rubric::AsOf(INT64_MAX).seconds() == 253402300799);
  CHECK(rubric::AsOf::milliseconds(INT64_MIN).ms() == -62135596800000);
  CHECK(m.model->score_json(lead, INT64_MAX).total == 0);
  CHECK(m.model->score_json(lead, rubric::AsOf::milliseconds(INT64_MIN)).total == 0);
}

// `rubric score --backend auto` and score_file weigh a run's input alike (jit::input_weight):
// the leads, a compressed byte as four, the events file, and standard input or a file whose
// size is unknown as the break-even.
TEST_CASE("the input of a run is weighed alike for the CLI and score_file", "[api][tiered]") {
  const std::string dir = std::filesystem::temp_directory_path() / ("rubric-weight-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = [&](const std::string& name, size_t n) {
    std::ofstream(dir + "/" + name, std::ios::binary) << std::string(n, 'x');
    return dir + "/" + name;
  };
  const std::string leads = file("leads.csv", 1000), events = file("events.csv", 300);
  CHECK(rubric::jit::input_weight(leads, false, "", true) == 1000);
  CHECK(rubric::jit::input_weight(leads, true, "", true) == 4000);
  CHECK(rubric::jit::input_weight(leads, true, events, true) == 4300);
  CHECK(rubric::jit::input_weight("-", false, "", true) == rubric::jit::kTierUpBytesCsv);
  CHECK(rubric::jit::input_weight("-", false, "", false) == rubric::jit::kTierUpBytesJsonl);
  CHECK(rubric::jit::input_weight(leads, false, dir + "/gone.csv", false) == 1000 + rubric::jit::kTierUpBytesJsonl);
  std::filesystem::remove_all(dir);
}

// Backend::Auto starts on the interpreter and tiers up to the JIT once a model has scored the
// break-even's worth of input (jit::tier_up_bytes): over its calls, or in one score_file.
TEST_CASE("an auto model scores with the interpreter, then with the JIT once it has scored a large input", "[api][tiered]") {
  const std::string model =
      "lead:\n  id: string key\n  n: optional int\n  title: optional string\n"
      "score s:\n  n > 10: +5 \"big\"\n  title contains \"chief\": +7 \"chief\"\n";
  // A lead padded with a field the model does not read: 4 MiB of input per call.
  const std::string pad(4u << 20, 'x');
  auto lead = [&](int n) {
    return "{\"id\": \"a" + std::to_string(n) + "\", \"n\": " + std::to_string(n) + ", \"title\": \"Chief of staff\", \"notes\": \"" +
           pad + "\"}";
  };
  auto wait_for_jit = [](const rubric::Model& m) {
    for (int i = 0; i < 6000 && m.scoring_backend() != rubric::Backend::Jit; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return m.scoring_backend();
  };

  SECTION("over many calls") {
    auto c = rubric::ModelBuilder().build_source("m.rubric", model);
    REQUIRE(c.ok());
    auto pinned = rubric::ModelBuilder().backend(rubric::Backend::Interpreter).build_source("m.rubric", model);
    REQUIRE(pinned.ok());
    CHECK(c.model->backend() == rubric::Backend::Auto);
    CHECK(c.model->scoring_backend() == rubric::Backend::Interpreter);
    const int calls = static_cast<int>(rubric::jit::kTierUpBytesJsonl / pad.size());  // just under the break-even
    for (int i = 0; i < calls - 1; ++i) {
      rubric::Result r = c.model->score_json(lead(i), 0);
      REQUIRE(r.ok());
      CHECK(r.total == (i > 10 ? 12 : 7));
    }
    CHECK(c.model->scoring_backend() == rubric::Backend::Interpreter);
    for (int i = 0; i < 2; ++i) CHECK(c.model->score_json(lead(100 + i), 0).total == 12);  // past it: tiered
    CHECK(wait_for_jit(*c.model) == rubric::Backend::Jit);
    CHECK(c.model->backend() == rubric::Backend::Auto);
    // The JIT scores as the interpreter did, one lead and many, with explanations.
    for (int n : {0, 11, 500}) {
      rubric::Result jit = c.model->score_json(lead(n), 0, true), ref = pinned.model->score_json(lead(n), 0, true);
      CHECK(jit.total == ref.total);
      CHECK(jit.rules.size() == ref.rules.size());
    }
    std::vector<rubric::Result> many = c.model->score_jsonl("{\"id\": \"x\", \"n\": 50}\n{\"id\": \"y\"}\n", 0, false, 2);
    REQUIRE(many.size() == 2);
    CHECK(many[0].total == 5);
    CHECK(many[1].total == 0);
    // A model asked to interpret never tiers up, whatever it scores.
    for (int i = 0; i < calls + 1; ++i) pinned.model->score_json(lead(i), 0);
    CHECK(pinned.model->scoring_backend() == rubric::Backend::Interpreter);
  }

  SECTION("one large file at once") {
    std::string dir = std::filesystem::temp_directory_path() / ("rubric-api-tiered-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto c = rubric::ModelBuilder().build_source("m.rubric", model);
    REQUIRE(c.ok());
    rubric::FileJob job;
    job.output = dir + "/out.csv";
    // A small CSV file leaves the interpreter scoring; one of the break-even's size tiers up.
    {
      std::ofstream(dir + "/small.csv", std::ios::binary) << "id,n,title,notes\na,20,Chief,x\n";
    }
    job.input = dir + "/small.csv";
    REQUIRE(c.model->score_file(job).scored == 1);
    CHECK(c.model->scoring_backend() == rubric::Backend::Interpreter);
    {
      std::ofstream big(dir + "/big.csv", std::ios::binary);
      big << "id,n,title,notes\n";
      const std::string row_pad(1u << 20, 'y');
      for (uint64_t i = 0; i <= rubric::jit::kTierUpBytesCsv / row_pad.size(); ++i) big << "b" << i << "," << i << ",Chief," << row_pad << "\n";
    }
    job.input = dir + "/big.csv";
    rubric::FileStats s = c.model->score_file(job);
    REQUIRE(s.ok());
    CHECK(s.scored == static_cast<int64_t>(rubric::jit::kTierUpBytesCsv / (1u << 20) + 1));
    CHECK(wait_for_jit(*c.model) == rubric::Backend::Jit);
    std::string out = read_text(dir + "/out.csv");
    CHECK(out.find("\nb20,12,12,") != std::string::npos);
    // The same file again, now with the compiled code: the same rows.
    job.output = dir + "/out-jit.csv";
    job.threads = 2;
    REQUIRE(c.model->score_file(job).ok());
    CHECK(read_text(dir + "/out-jit.csv") == out);
    std::filesystem::remove_all(dir);
  }
}
