// SPDX-License-Identifier: Apache-2.0
// Writes one output row per input row: the lead's key, every score, the total, every tier set,
// the disqualification reason and an error column; with explain, the rules that gave points.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/model.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"

namespace rubric::io {

enum class OutputFormat { Csv, Jsonl };

struct WriterOptions {
  OutputFormat format = OutputFormat::Csv;
  char delimiter = ',';
  bool explain = false;
  // CSV line ends: LF (the default, what Unix tools, pandas and git expect), or CRLF (RFC 4180,
  // `--line-ending crlf`). JSON Lines always ends lines with LF.
  bool crlf = false;
  // Input columns passed through (`--keep`), after the key: each one's name and the record field
  // it was read into (as text; see with_extra_fields).
  std::vector<std::pair<std::string, int>> keep;
};

class ResultWriter {
 public:
  ResultWriter(std::ostream& out, const check::CheckedModel& model, WriterOptions opts);
  // A formatter: the same rows, appended to `into` and never written anywhere (scoring threads
  // format their records' rows; the writing thread appends them in order).
  ResultWriter(std::string& into, const check::CheckedModel& model, WriterOptions opts);
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;
  ResultWriter formatter(std::string& into) const { return ResultWriter(into, model_, opts_); }
  void header();
  void row(const InputRecord& in, const interp::Outcome& outcome);
  void error_row(const InputRecord& in, const std::string& message);
  void append(std::string_view rows);  // rows a formatter made
  void flush();

 private:
  void csv_cell(std::string_view s, bool last = false);
  void points_cell(int64_t cents);  // never the last cell
  void kept_cells(const InputRecord& in);
  void kept_json(const InputRecord& in);
  std::ostream* out_;  // null for a formatter
  const check::CheckedModel& model_;
  WriterOptions opts_;
  std::string own_;
  std::string& buf_;  // own_, or a formatter's string
};

// The name of the output's first column: the key field's name, or `row`.
std::string key_column(const check::CheckedModel& m);
// The output's columns in order (without kept ones): key, scores, total, tier sets,
// disqualified, error, and explain when asked for.
std::vector<std::string> output_columns(const check::CheckedModel& m, bool explain);

// "fit: decision maker +20; engagement: email opens +6 (3 events, capped)".
std::string explain_text(const check::CheckedModel& m, const interp::Outcome& o);

}  // namespace rubric::io
