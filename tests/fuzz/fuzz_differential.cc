// SPDX-License-Identifier: Apache-2.0
// Fuzz target: bytes as the choices of tests/differential/generator.h (extended: every built-in
// function, defines, extreme numbers) → a well-typed model and leads with events → each lead
// scored by the tree-walking interpreter, the batch interpreter (one at a time, and all as one
// batch, twice into the same outcomes) and the JIT, at an as-of time the bytes choose; every
// outcome must be identical field by field, explanations included. The generator writes only
// valid models, so a model the checker rejects is a finding too.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "tests/differential/generator.h"
#include "tests/fuzz/fuzz.h"
#if RUBRIC_FUZZ_JIT
#include "runtime/jit/jit.h"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rubric;
  difftest::ByteChoices choices(data, size);
  difftest::Generator gen(choices, {.extended = true});
  std::string text = gen.model();
  driver::Compilation c = driver::compile_source("generated.rubric", text);
  if (!c.ok())
    fuzz::finding("a generated model was rejected:\n" + text + "\n" + diag::render_text(c.diagnostics, *c.sources, false));

  int leads = static_cast<int>(choices.range(1, 8));
  std::string json;
  for (int l = 0; l < leads; ++l) json += gen.lead_json(l) + "\n";
  int64_t as_of = (1793491200 + choices.range(-86400 * 20, 86400 * 20)) * 1000 + choices.range(0, 999);  // ms, around 2026-11-01

  interp::Interpreter interp(c.model);
  interp::BatchInterpreter batch(c.model);
#if RUBRIC_FUZZ_JIT
  std::shared_ptr<jit::JitModel> jit;
  if (fuzz::jit_enabled()) {
    std::string error;
    jit = jit::JitModel::compile(c.model, &error);
    if (!jit) fuzz::finding("the JIT cannot compile a generated model: " + error + "\n" + text);
  }
#endif
  std::istringstream in(json);
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {}, fatal);
  if (!reader) fuzz::finding("generated leads were refused: " + fatal);
  io::InputRecord rec;
  std::vector<interp::Record> all;
  std::vector<std::string> expected;
  while (reader->next(rec)) {
    // Extreme values may be beyond what the readers accept (fuzz_jsonl covers the readers).
    if (!rec.ok()) continue;
    std::string a = fuzz::describe(interp.score(rec.record, as_of, true));
    std::string b = fuzz::describe(batch.score(rec.record, as_of, true));
    if (a != b) fuzz::finding(fmt::format("lead {}:\n  interp {}\n  batch  {}\n{}\n{}", rec.number, a, b, text, json));
#if RUBRIC_FUZZ_JIT
    std::string j = jit ? fuzz::describe(jit->score(rec.record, as_of, true)) : a;
    if (a != j) fuzz::finding(fmt::format("lead {}:\n  interp {}\n  jit    {}\n{}\n{}", rec.number, a, j, text, json));
#endif
    all.push_back(rec.record);
    expected.push_back(a);
  }
  std::vector<const interp::Record*> ptrs;
  for (const auto& r : all) ptrs.push_back(&r);
  std::vector<interp::Outcome> outs(ptrs.size());
  batch.score_batch(ptrs.data(), ptrs.size(), as_of, true, outs.data());
  batch.score_batch(ptrs.data(), ptrs.size(), as_of, true, outs.data());
  for (size_t i = 0; i < ptrs.size(); ++i)
    if (fuzz::describe(outs[i]) != expected[i])
      fuzz::finding(fmt::format("lead {} in a batch:\n  interp {}\n  batch  {}\n{}\n{}", i + 1, expected[i],
                                fuzz::describe(outs[i]), text, json));
  return 0;
}
