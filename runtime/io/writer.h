// SPDX-License-Identifier: Apache-2.0
// Writes one output row per input row: the lead's key, every score, the total, every tier set,
// the disqualification reason and an error column; with explain, the rules that gave points.
#pragma once

#include <ostream>
#include <string>

#include "compiler/check/model.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"

namespace rubric::io {

enum class OutputFormat { Csv, Jsonl };

struct WriterOptions {
  OutputFormat format = OutputFormat::Csv;
  char delimiter = ',';
  bool explain = false;
};

class ResultWriter {
 public:
  ResultWriter(std::ostream& out, const check::CheckedModel& model, WriterOptions opts);
  void header();
  void row(const InputRecord& in, const interp::Outcome& outcome);
  void error_row(const InputRecord& in, const std::string& message);
  void flush();

 private:
  void csv_cell(std::string_view s, bool last = false);
  std::ostream& out_;
  const check::CheckedModel& model_;
  WriterOptions opts_;
  std::string buf_;
};

// "fit: decision maker +20; engagement: email opens +6 (3 events, capped)".
std::string explain_text(const check::CheckedModel& m, const interp::Outcome& o);

}  // namespace rubric::io
