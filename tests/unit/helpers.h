// SPDX-License-Identifier: Apache-2.0
// Test helpers: compile a model from text, score one JSON lead.
#pragma once

#include <sstream>
#include <string>

#include "compiler/driver/driver.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"

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

}  // namespace rubric::test
