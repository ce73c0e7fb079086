// SPDX-License-Identifier: Apache-2.0
// The scoring loop shared by the CLI and the API: read every record, score it, write one row
// per record in input order, report bad records, and count what happened.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>

#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"

namespace rubric::io {

struct RunOptions {
  int64_t as_of = 0;
  bool explain = false;      // collect the rules that gave points
  bool skip_errors = false;  // --on-error skip: no output row for a bad record
  int threads = 1;           // decoding and scoring threads; output order does not depend on it
  std::string input_name;    // for messages: "leads.jsonl:12: ..."
  int max_error_messages = 100;  // on the error stream; all are counted
  // Called every `progress_every` records (for a progress line), if set.
  std::function<void(int64_t)> progress;
  int64_t progress_every = 100000;
};

struct RunStats {
  int64_t scored = 0;
  int64_t errors = 0;
  int64_t skipped = 0;
  int64_t warnings = 0;      // values read as missing, events skipped (InputRecord::warnings)
  int64_t warned_leads = 0;  // scored leads with at least one
};

RunStats run_scoring(RecordReader& reader, const interp::Scorer& interp, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors);

}  // namespace rubric::io
