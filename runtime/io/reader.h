// SPDX-License-Identifier: Apache-2.0
// Streams lead records from CSV or JSON Lines, laid out by a model's schema. One InputRecord per
// input row, in order, bad rows included (with their errors), so that no row is ever dropped.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/model.h"
#include "runtime/interp/record.h"

namespace rubric::io {

struct InputRecord {
  interp::Record record;
  int64_t line = 0;                 // the input line the record starts on
  int64_t number = 0;               // 1-based position among the records
  std::string key;                  // the key field's raw text, or the record number
  std::vector<std::string> errors;  // "field `employees`: expected a number, found \"ten\""
  // What was read with a loss but still scored: a bad value of an optional field read as missing,
  // an event of an unknown kind skipped (ReaderOptions::strict makes these errors).
  std::vector<std::string> warnings;
  bool ok() const { return errors.empty(); }
  // The errors as a bad record's row and message show them, joined by "; ".
  std::string error_text() const;
  // Puts the record's events in time order (a stable sort, skipped when they already are).
  void order_events();
  // Starts record `number` on `line` with `fields` missing values, no events and no errors. The
  // key starts empty when the model has a key field (`keyed`), else it is the record number.
  void reset(size_t fields, int64_t line, int64_t number, bool keyed);
};

// A block of input a reader reads into. Its bytes are left as they are when it is made or grown
// (`new char[]`), not zeroed: zeroing a reader's first block, page by page, cost more than
// reading a small input (an API call on a few leads, each input of a fuzz target).
class Block {
 public:
  explicit Block(size_t n) : bytes_(new char[n]), size_(n) {}
  char* data() { return bytes_.get(); }
  const char* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  // Grows to `n` bytes (when larger), keeping the ones it has.
  void grow(size_t n) {
    if (n <= size_) return;
    Block more(n);
    std::memcpy(more.data(), data(), size_);
    *this = std::move(more);
  }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t size_;
};

// One record's input before decoding: split off in order by the reader (cheap), then decoded,
// possibly on another thread, by a RawDecoder.
// Aligned to a cache line, with what a reader writes for every record first: with several
// threads, the reading thread writes a record and a worker reads it, so each line written moves
// between the cores.
struct alignas(64) RawRecord {
  // A JSON line (of up to 32 KiB) or a CSV row kept whole (of up to 128 KiB) that lies in one
  // of the reader's blocks of input is a view into it, with the block kept alive here (for
  // JSON, with room to read past its end, for simdjson), instead of a copy in `text`; the
  // reading thread then only finds where it ends. Only the reading thread copies or drops
  // `block`: readers reuse a block once no record holds it (use_count() == 1).
  std::string_view view;
  std::shared_ptr<const Block> block;
  // CSV: how many bytes past the view's end were read before it was handed on (up to 64), so
  // that a worker may read them too: the reading thread writes only further on in the block
  // while a record views it.
  uint8_t after = 0;
  // CSV: the row is one line that the one-pass path would split (values plain or quoted, no
  // quote or line end inside), kept whole for the decoder to split at the delimiter (on a
  // worker, with several threads).
  bool unsplit = false;
  // CSV: how many records this is, more than one only when the reader was asked for a run
  // (RecordReader::next_run): `rows` unsplit rows, one per line, one after another in `view`.
  // Row k ends at ends[k] (an offset in the view) and is followed by its line end, CRLF where
  // bit k of `crlf` is set, else LF; it is on line `line + k` and is record `number + k`.
  // A run is one record's worth of writing for up to 64 rows: with several threads, the
  // reading thread hands a worker one of them instead of a cache line per row.
  uint32_t rows = 1;
  int64_t line = 0;
  int64_t number = 0;
  uint64_t crlf = 0;
  std::vector<uint32_t> ends;
  std::string text;                // JSON Lines: the line; CSV, when `unsplit`: the row (unless `view`)
  std::vector<std::string> cells;  // CSV: the row's values, unless `unsplit`
  std::string error;               // why the record could not be split (too long, a broken quote)
  // The record's input: the view when there is one, else `text`.
  std::string_view input() const { return block ? view : std::string_view(text); }
  // Row k's input (k < rows).
  std::string_view row_input(size_t k) const {
    if (rows == 1) return input();
    const size_t from = k == 0 ? 0 : ends[k - 1] + 1 + (crlf >> (k - 1) & 1);
    return view.substr(from, ends[k] - from);
  }
  // How many bytes from `p`, a place in the view, may be read: to its end and `after` beyond.
  size_t readable_from(const char* p) const { return static_cast<size_t>(view.data() + view.size() - p) + after; }
};

// Turns raw records into InputRecords. Not thread-safe: each thread makes its own.
class RawDecoder {
 public:
  virtual ~RawDecoder() = default;
  // Decodes row `row` of `raw` (see RawRecord::rows; 0 for a record that is no run).
  virtual void decode_row(const RawRecord& raw, size_t row, InputRecord& out) = 0;
  // Decodes a record that is no run (from next_raw), or a run's first row.
  void decode(const RawRecord& raw, InputRecord& out) { decode_row(raw, 0, out); }
};

// Reads records in order: next() for one at a time, or next_raw() and a decoder per thread
// for parallel decoding (the pipeline's --threads). Both give the same records.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record; false at the end of the input. It reads runs, and holds the rest of
  // one between calls: a caller uses either next() or next_raw()/next_run(), never both.
  bool next(InputRecord& out) {
    if (++row_ >= raw_.rows) {
      if (!next_run(raw_, kRunRecords)) return false;
      row_ = 0;
    }
    if (!own_) own_ = make_decoder();
    own_->decode_row(raw_, row_, out);
    return true;
  }
  // Splits off the next record's raw input; false at the end of the input.
  bool next_raw(RawRecord& out) { return next_run(out, 1); }
  // The same, or a run of up to `max_records` records (RawRecord::rows, CSV only) where the
  // reader has one; false at the end of the input.
  virtual bool next_run(RawRecord& out, size_t max_records) = 0;
  static constexpr size_t kRunRecords = 64;
  // A decoder for this reader's raw records, to use on one thread; it may outlive no reader.
  virtual std::unique_ptr<RawDecoder> make_decoder() const = 0;
  // Problems with the input as a whole that do not stop the run (an optional field's column
  // is absent, say), to show once.
  virtual std::vector<std::string> warnings() const { return {}; }
  // Whether records must be decoded in order, on the reading thread (next(), not next_raw() and
  // decoders on other threads): a join with a sorted events file, which streams it.
  virtual bool sequential() const { return false; }

 private:
  RawRecord raw_;
  size_t row_ = 0;  // the row of raw_ last decoded
  std::unique_ptr<RawDecoder> own_;
};

enum class InputFormat { Csv, Jsonl };

struct ReaderOptions {
  InputFormat format = InputFormat::Jsonl;
  char delimiter = 0;  // CSV: 0 detects `,`, `;`, tab or `|` from the header
  // No format was given: `format` is decided once the input is open, from its name or, when the
  // name does not say, its first bytes (see guess_format in input.h).
  bool guess = false;
  // A value an optional field cannot hold, and an event of a kind its enum does not list, make the
  // record an error (as before 0.x) instead of being read as missing / skipped with a warning.
  bool strict = false;
  // Good records take a one-pass path (a CSV row with no quote inside a value, a JSON object
  // with each key once and every value good), and plain values Decoder::decode_plain; false
  // reads every record and value the general way, which the fast ways must match: the unit
  // tests and fuzz_jsonl / fuzz_csv compare the two.
  bool one_pass = true;
};

// A delimiter given as one character or by name (tab, comma, semicolon, pipe); 0 when neither.
char parse_delimiter(std::string_view s);
// The reader options for the file `path`: `format` "csv" or "jsonl" (empty: guessed when the input
// is open, see ReaderOptions::guess) and `delimiter` (empty: detected from the header). False with
// `error` for a format or delimiter that is neither.
bool reader_options_for(std::string_view path, std::string_view format, std::string_view delimiter, ReaderOptions& out,
                        std::string& error);

// A copy of `base` changed by `edit`, for a reader to read other fields than the model's. The
// copy's nodes point into `base`, which it keeps alive.
std::shared_ptr<const check::CheckedModel> derived_model(std::shared_ptr<const check::CheckedModel> base,
                                                         const std::function<void(check::CheckedModel&)>& edit);
// `base` with `extra` lead fields appended, which readers fill like any other and back ends
// ignore (they read only the fields the model has): an outcome column for `rubric evaluate`, the
// columns `--keep` passes through.
std::shared_ptr<const check::CheckedModel> with_extra_fields(std::shared_ptr<const check::CheckedModel> base,
                                                             const std::vector<check::Field>& extra);
// An optional text field read from `column`, for with_extra_fields; `raw`: exactly as written
// (no missing values, no checks), for columns passed through.
check::Field text_field(std::string name, std::string column, bool raw = false);

// Opens a reader over `in`, which must outlive it. Returns null and sets `fatal` when the input
// cannot be read at all (a CSV header without a required field's column, for instance).
std::unique_ptr<RecordReader> open_reader(std::istream& in, const check::CheckedModel& model, const ReaderOptions& opts,
                                          std::string& fatal);

// A decoder for one JSON object that may span lines (the API's score_json): RawRecord::text
// holds the whole document, and error messages give positions as line and column. Strict (see
// ReaderOptions::strict): a program scoring one lead has no channel for warnings.
std::unique_ptr<RawDecoder> make_json_document_decoder(const check::CheckedModel& model);

}  // namespace rubric::io
