// SPDX-License-Identifier: Apache-2.0
// Differential test: generates random models (every kind of condition, rule, decay, cap, total
// and tier) and random leads with events from a seed (tests/differential/generator.h), scores
// each lead with the interpreter, the batch interpreter and the JIT, and requires identical
// outcomes field by field, explanations included: with a trace (what `rubric explain` shows),
// every back end must record the same values and reach the same outcome as without one.
//   rubric-difftest [--models N] [--leads N] [--seed S] [--print-model]
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "compiler/driver/driver.h"
#include "compiler/plan/plan.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/explain.h"
#include "runtime/io/reader.h"
#include "runtime/jit/jit.h"
#include "tests/differential/generator.h"

namespace {

using rubric::difftest::Generator;
using rubric::difftest::SeededChoices;

std::string describe(const rubric::interp::Outcome& o) {
  std::string s = fmt::format("scores={} total={} disq={} tiers={} hits=", fmt::join(o.scores, ","), o.total, o.disqualifier,
                              fmt::join(o.tiers, ","));
  for (const auto& h : o.hits) s += fmt::format("[{}.{} {} {} {}{}]", h.score, h.rule, h.cents, h.events, h.capped, h.decayed);
  return s;
}

bool same(const rubric::interp::Outcome& a, const rubric::interp::Outcome& b) { return describe(a) == describe(b); }

// An outcome with its trace: what explanations show.
std::string describe_traced(const rubric::interp::Outcome& o) {
  std::string s = describe(o) + " trace=";
  for (const auto& v : o.trace) s += fmt::format("[{}]", v.is_missing() ? "missing" : rubric::check::value_text(v));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int models = 60, leads = 200;
  uint64_t seed = 1;
  bool print = false;
  rubric::difftest::Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--models" && i + 1 < argc) models = std::stoi(argv[++i]);
    else if (a == "--leads" && i + 1 < argc) leads = std::stoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (a == "--print-model") print = true;
    else if (a == "--hosts") opts.hosts = true;
    else {
      std::cerr << "usage: rubric-difftest [--models N] [--leads N] [--seed S] [--print-model] [--hosts]\n";
      return 2;
    }
  }
  SeededChoices r(seed);
  Generator gen(r, opts);
  auto hosts = opts.hosts ? rubric::difftest::differential_hosts() : nullptr;
  int passed = 0, failed = 0, rejected = 0;
  for (int m = 0; m < models; ++m) {
    std::string text = gen.model();
    if (print) std::cout << text << "\n";
    auto c = rubric::driver::compile_source(fmt::format("model{}.rubric", m), text, hosts);
    if (!c.ok()) {
      // The generator only writes valid models; a rejection is a bug in one or the other.
      ++rejected;
      std::cout << fmt::format("FAIL model {} was rejected:\n{}\n{}", m, text,
                               rubric::diag::render_text(c.diagnostics, *c.sources));
      continue;
    }
    std::string error;
    auto jit = rubric::jit::JitModel::compile(c.model, &error);
    if (!jit) {
      ++failed;
      std::cout << fmt::format("FAIL model {}: the JIT failed: {}\n", m, error);
      continue;
    }
    rubric::interp::Interpreter interp(c.model);
    rubric::interp::BatchInterpreter batch(c.model);
    std::string json;
    for (int l = 0; l < leads; ++l) json += gen.lead_json(l) + "\n";
    std::istringstream in(json);
    std::string fatal;
    auto reader = rubric::io::open_reader(in, *c.model, {}, fatal);
    rubric::io::InputRecord rec;
    bool ok = true;
    int l_explained = 0;
    const size_t plan_size = rubric::plan::build(*c.model).trace.size();
    std::vector<rubric::interp::Record> all;
    std::vector<int64_t> as_ofs;
    while (reader->next(rec)) {
      if (!rec.ok()) {
        std::cout << fmt::format("FAIL model {} lead {} did not read: {}\n", m, rec.number, rec.errors[0]);
        ok = false;
        break;
      }
      // Around 2026-11-01, in milliseconds, sometimes with a fraction of a second.
      int64_t as_of = (1793491200 + r.range(-86400 * 20, 86400 * 20)) * 1000 + (r.chance(30) ? r.range(0, 999) : 0);
      all.push_back(rec.record);
      auto a = interp.score(rec.record, as_of, true);
      auto b = jit->score(rec.record, as_of, true);
      auto d = batch.score(rec.record, as_of, true);
      if (!same(a, b) || !same(a, d)) {
        std::cout << fmt::format("FAIL model {} lead {} as-of {}:\n  interp {}\n  jit    {}\n  batch  {}\n{}\n", m, rec.number,
                                 as_of, describe(a), describe(b), describe(d), text);
        ok = false;
        break;
      }
      // Explaining: every back end records the same values, runs to the same outcome as
      // without a trace, and so gives the same explanation.
      auto ta = interp.score_traced(rec.record, as_of);
      auto tb = jit->score_traced(rec.record, as_of);
      auto td = batch.score_traced(rec.record, as_of);
      if (!same(a, ta) || describe_traced(ta) != describe_traced(tb) || describe_traced(ta) != describe_traced(td) ||
          ta.trace.empty() != (plan_size == 0)) {
        std::cout << fmt::format("FAIL model {} lead {} as-of {}, traced:\n  interp {}\n  jit    {}\n  batch  {}\n{}\n", m,
                                 rec.number, as_of, describe_traced(ta), describe_traced(tb), describe_traced(td), text);
        ok = false;
        break;
      }
      if (l_explained++ < 20) {
        std::string ea = rubric::io::explain_lead(*c.model, interp, rec.record, as_of, *c.sources, {false, true});
        std::string eb = rubric::io::explain_lead(*c.model, *jit, rec.record, as_of, *c.sources, {false, true});
        if (ea != eb) {
          std::cout << fmt::format("FAIL model {} lead {} as-of {}: explanations differ:\n  interp {}\n  jit    {}\n{}\n", m,
                                   rec.number, as_of, ea, eb, text);
          ok = false;
          break;
        }
      }
    }
    // The batch interpreter again, on all the leads as one batch (one as-of time).
    if (ok) {
      std::vector<const rubric::interp::Record*> ptrs;
      for (const auto& x : all) ptrs.push_back(&x);
      std::vector<rubric::interp::Outcome> outs(ptrs.size());
      // Twice into the same outcomes, as the scoring loop reuses them between batches.
      batch.score_batch(ptrs.data(), ptrs.size(), 1793491200000, true, outs.data());
      batch.score_batch(ptrs.data(), ptrs.size(), 1793491200000, true, outs.data());
      for (size_t i = 0; i < ptrs.size() && ok; ++i) {
        auto a = interp.score(*ptrs[i], 1793491200000, true);
        if (!same(a, outs[i])) {
          std::cout << fmt::format("FAIL model {} lead {} in a batch:\n  interp {}\n  batch  {}\n{}\n", m, i + 1, describe(a),
                                   describe(outs[i]), text);
          ok = false;
        }
      }
    }
    (ok ? passed : failed)++;
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed + rejected);
  return failed + rejected ? 1 : 0;
}
