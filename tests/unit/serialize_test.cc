// SPDX-License-Identifier: Apache-2.0
// The checked model as bytes (common/serialize.h): every example and scoring golden reads back
// to the same model (the same bytes again, the same plan, the same scores), and damaged bytes
// are refused with a reason, never read as another model.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/serialize.h"
#include "compiler/driver/driver.h"
#include "compiler/plan/plan.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"

namespace {

std::vector<std::filesystem::path> models() {
  std::vector<std::filesystem::path> out;
  std::filesystem::path root = std::filesystem::path(RUBRIC_TESTS_DIR).parent_path();
  for (const char* dir : {"examples", "tests/semantics"})
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir))
      if (e.path().extension() == ".rubric") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every example and scoring golden reads back as the same model", "[serialize]") {
  auto files = models();
  REQUIRE(files.size() >= 20);
  for (const auto& path : files) {
    INFO(path.string());
    std::string err;
    auto c = rubric::driver::compile_file(path.string(), &err);
    REQUIRE(c.ok());
    std::string bytes = rubric::check::serialize(*c.model, *c.sources);
    auto back = rubric::check::deserialize(bytes, nullptr);
    INFO(back.error);
    REQUIRE(back.model);
    CHECK(rubric::check::serialize(*back.model, *back.sources) == bytes);
    CHECK(rubric::plan::print(rubric::plan::build(*back.model), back.sources.get()) ==
          rubric::plan::print(rubric::plan::build(*c.model), c.sources.get()));
    CHECK(rubric::check::print(*back.model) == rubric::check::print(*c.model));
    CHECK(back.sources->file(1).text() == c.sources->file(1).text());
  }
}

TEST_CASE("a model read back scores its leads as the original does", "[serialize]") {
  std::filesystem::path root = std::filesystem::path(RUBRIC_TESTS_DIR).parent_path();
  std::string err;
  auto c = rubric::driver::compile_file((root / "examples/b2b/b2b.rubric").string(), &err);
  REQUIRE(c.ok());
  auto back = rubric::check::deserialize(rubric::check::serialize(*c.model, *c.sources), nullptr);
  REQUIRE(back.model);
  rubric::interp::Interpreter a(c.model), b(back.model);
  std::ifstream in(root / "examples/b2b/leads.jsonl");
  std::string fatal;
  auto reader = rubric::io::open_reader(in, *c.model, {}, fatal);
  rubric::io::InputRecord rec;
  int n = 0;
  while (reader->next(rec) && n < 200) {
    if (!rec.ok()) continue;
    auto x = a.score(rec.record, 1793491200, true), y = b.score(rec.record, 1793491200, true);
    CHECK(x.scores == y.scores);
    CHECK(x.total == y.total);
    CHECK(x.tiers == y.tiers);
    CHECK(x.disqualifier == y.disqualifier);
    ++n;
  }
  CHECK(n > 50);
}

TEST_CASE("damaged bytes are refused with a reason", "[serialize]") {
  std::filesystem::path root = std::filesystem::path(RUBRIC_TESTS_DIR).parent_path();
  std::string err;
  auto c = rubric::driver::compile_file((root / "examples/b2b/b2b.rubric").string(), &err);
  REQUIRE(c.ok());
  std::string bytes = rubric::check::serialize(*c.model, *c.sources);
  CHECK(rubric::check::deserialize("", nullptr).error == "this is not a serialised Rubric model");
  CHECK(rubric::check::deserialize("not a model at all, but long enough", nullptr).error.find("not a serialised") !=
        std::string::npos);
  // Every cut, and a flipped byte every 97, is refused or reads back a model that validates;
  // none crashes (the ASan build runs this too).
  for (size_t cut = 0; cut < bytes.size(); cut += 13) CHECK_FALSE(rubric::check::deserialize(bytes.substr(0, cut), nullptr).model);
  for (size_t at = 16; at < bytes.size(); at += 97) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x5A);
    auto r = rubric::check::deserialize(bad, nullptr);
    if (r.model) (void)rubric::plan::build(*r.model);
    CHECK((r.model != nullptr || !r.error.empty()));
  }
  // Format versions are checked.
  std::string other = bytes;
  other[11] = 9;  // the format number follows the 11 bytes of the magic text
  CHECK(rubric::check::deserialize(other, nullptr).error.find("format 9") != std::string::npos);
}

namespace {

// The b2b example, read back as a model that can be changed before it is written again.
rubric::check::Deserialized b2b_copy() {
  std::filesystem::path root = std::filesystem::path(RUBRIC_TESTS_DIR).parent_path();
  std::string err;
  auto c = rubric::driver::compile_file((root / "examples/b2b/b2b.rubric").string(), &err);
  REQUIRE(c.ok());
  auto copy = rubric::check::deserialize(rubric::check::serialize(*c.model, *c.sources), nullptr);
  REQUIRE(copy.model);
  return copy;
}

std::string reread_error(const rubric::check::Deserialized& d) {
  return rubric::check::deserialize(rubric::check::serialize(*d.model, *d.sources), nullptr).error;
}

}  // namespace

TEST_CASE("well-formed bytes of a model the back ends would misread are refused", "[serialize]") {
  using rubric::check::Op;
  {  // a score read by a rule, before scores are known
    auto d = b2b_copy();
    rubric::check::Node* field = nullptr;
    for (auto& n : d.model->nodes)
      if (n.op == Op::LeadField && !field) field = &n;
    REQUIRE(field);
    field->op = Op::ScoreRef;
    field->slot = 0;
    CHECK(reread_error(d) == "a score read where scores are not known yet");
  }
  {  // a define out of its place
    auto d = b2b_copy();
    REQUIRE(d.model->defines.size() >= 2);
    std::swap(d.model->defines[0], d.model->defines[1]);
    CHECK(reread_error(d) == "a define out of place");
  }
  {  // an enum field without its values
    auto d = b2b_copy();
    for (auto& f : d.model->lead.fields)
      if (f.type.is(rubric::check::TypeKind::Enum)) f.type.enum_type = nullptr;
    CHECK(reread_error(d) == "an enum field without its values");
  }
  {  // events without their time
    auto d = b2b_copy();
    d.model->event_time_field = -1;
    CHECK(reread_error(d) == "events without their time and kind fields");
  }
}

TEST_CASE("a function of the program the model does not call need not be registered to load it", "[serialize]") {
  auto fns = std::make_shared<rubric::check::HostFunctions>();
  fns->push_back({"unused", {rubric::check::TypeKind::String}, rubric::check::TypeKind::Bool,
                  [](const rubric::check::Value*, size_t) { return rubric::check::Value::missing(); }});
  auto c = rubric::driver::compile_source("m.rubric", "lead:\n  id: string key\nscore s:\n  id is present: +1\n", fns);
  REQUIRE(c.ok());
  auto back = rubric::check::deserialize(rubric::check::serialize(*c.model, *c.sources), nullptr);
  INFO(back.error);
  CHECK(back.model);
}
