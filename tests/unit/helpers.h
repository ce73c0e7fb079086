// SPDX-License-Identifier: Apache-2.0
// Test helpers: compile a model from text, score one JSON lead.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "compiler/driver/driver.h"
#include "runtime/interp/interp.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"
#include "runtime/io/writer.h"

namespace rubric::test {

inline driver::Compilation compile(const std::string& text) { return driver::compile_source("test.rubric", text); }

inline std::string diagnostics(const driver::Compilation& c) { return diag::render_text(c.diagnostics, *c.sources); }

// Scores one JSON lead at `as_of` with a model that must check clean.
inline interp::Outcome score(const driver::Compilation& c, const std::string& json, const std::string& as_of = "2026-11-01") {
  std::istringstream in(json + "\n");
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {}, fatal);
  io::InputRecord rec;
  reader->next(rec);
  if (!rec.ok()) throw std::runtime_error(rec.errors.front());
  return interp::Interpreter(c.model).score(rec.record, *io::parse_time(as_of), true);
}

// What run_scoring wrote for an input: the output rows, the messages, and the counts.
struct Scored {
  std::string rows, messages;
  io::RunStats stats;
};

// Scores `text` (read with `ropts`) with the interpreter through the pipeline on `threads`
// threads, as the CLI does; messages name the input `name`.
inline Scored score_through_pipeline(const driver::Compilation& c, const std::string& text, const io::ReaderOptions& ropts,
                                     int threads, const std::string& name, int64_t as_of = 0) {
  std::istringstream in(text);
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, ropts, fatal);
  if (!reader) throw std::runtime_error(fatal);
  interp::Interpreter scorer(c.model);
  std::ostringstream out, errors;
  io::ResultWriter writer(out, *c.model, {});
  io::RunOptions opts;
  opts.threads = threads;
  opts.input_name = name;
  opts.as_of = as_of;
  Scored s;
  s.stats = io::run_scoring(*reader, scorer, writer, opts, errors);
  s.rows = out.str();
  s.messages = errors.str();
  return s;
}

}  // namespace rubric::test
