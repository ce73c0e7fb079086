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

// What an output column holds.
enum class ColumnKind { Key, Kept, Score, Total, TierSet, Disqualified, Error, Explain };

struct OutputColumn {
  ColumnKind kind = ColumnKind::Key;
  int index = 0;     // Score: the score; TierSet: the tier set; Kept: the record field it was read into
  std::string name;  // as the header and the JSON keys say it
};

struct WriterOptions {
  OutputFormat format = OutputFormat::Csv;
  char delimiter = ',';
  bool explain = false;
  // CSV line ends: LF (the default, what Unix tools, pandas and git expect), or CRLF (RFC 4180,
  // `--line-ending crlf`). JSON Lines always ends lines with LF.
  bool crlf = false;
  // The columns in order; empty: the model's (output_columns(model, explain)). See choose_columns.
  std::vector<OutputColumn> columns;
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
  template <bool Last>
  void cell(const OutputColumn& c, const InputRecord& in, const interp::Outcome* o, const std::string* error);
  void json_value(const OutputColumn& c, const InputRecord& in, const interp::Outcome* o, const std::string* error);
  static const std::string* kept(const OutputColumn& c, const InputRecord& in);
  void write_row(const InputRecord& in, const interp::Outcome* o, const std::string* error);
  std::ostream* out_;  // null for a formatter
  const check::CheckedModel& model_;
  WriterOptions opts_;
  std::vector<std::string> json_names_;  // per column `"name":`, for JSON Lines
  std::string own_;
  std::string& buf_;  // own_, or a formatter's string
};

// The name of the output's first column: the key field's name, or `row`.
std::string key_column(const check::CheckedModel& m);
// The model's output columns in order: key, scores, total, tier sets, disqualified, error, and
// explain when asked for.
std::vector<OutputColumn> output_columns(const check::CheckedModel& m, bool explain);

// The columns of `rubric score --keep KEEP --columns CHOSEN`: input columns passed through
// (`keep`, after the key), and a choice of columns in an order of one's own (`chosen`: output
// column names, kept ones among them; empty: all). `reading` receives the model to read the
// input with: `m`, with a text field for each kept column (with_extra_fields). False with
// `error` for a name that is empty, listed twice, an output column's (in `keep`) or no column's
// (in `chosen`).
bool choose_columns(const std::shared_ptr<const check::CheckedModel>& m, const std::vector<std::string>& keep,
                    const std::vector<std::string>& chosen, bool explain, std::vector<OutputColumn>& columns,
                    std::shared_ptr<const check::CheckedModel>& reading, std::string& error);

// "fit: decision maker +20; engagement: email opens +6 (3 events, capped)".
std::string explain_text(const check::CheckedModel& m, const interp::Outcome& o);

}  // namespace rubric::io
