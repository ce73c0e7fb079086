// Streams lead records from CSV or JSON Lines, laid out by a model's schema. One InputRecord per
// input row, in order, bad rows included (with their errors), so that no row is ever dropped.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "compiler/check/model.h"
#include "runtime/interp/record.h"

namespace rubric::io {

struct InputRecord {
  interp::Record record;
  int64_t line = 0;                 // the input line the record starts on
  int64_t number = 0;               // 1-based position among the records
  std::string key;                  // the key field's raw text, or the record number
  std::vector<std::string> errors;  // "field `employees`: expected a number, found \"ten\""
  bool ok() const { return errors.empty(); }
  // Starts record `number` on `line` with `fields` missing values, no events and no errors. The
  // key starts empty when the model has a key field (`keyed`), else it is the record number.
  void reset(size_t fields, int64_t line, int64_t number, bool keyed);
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record; false at the end of the input.
  virtual bool next(InputRecord& out) = 0;
  // Problems with the input as a whole that do not stop the run (an optional field's column
  // is absent, say), to show once.
  virtual std::vector<std::string> warnings() const { return {}; }
};

enum class InputFormat { Csv, Jsonl };

struct ReaderOptions {
  InputFormat format = InputFormat::Jsonl;
  char delimiter = 0;  // CSV: 0 detects `,`, `;`, tab or `|` from the header
};

// Opens a reader over `in`, which must outlive it. Returns null and sets `fatal` when the input
// cannot be read at all (a CSV header without a required field's column, for instance).
std::unique_ptr<RecordReader> open_reader(std::istream& in, const check::CheckedModel& model, const ReaderOptions& opts,
                                          std::string& fatal);

}  // namespace rubric::io
