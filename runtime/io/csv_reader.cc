// RFC 4180 CSV: quoted fields with doubled quotes and line breaks, CRLF or LF, a delimiter
// detected from the header, columns matched to fields by `from "Column"` or by field name.
#include <fmt/format.h>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/reader.h"

namespace rubric::io {

namespace {

// Splits a stream into CSV records, keeping count of physical lines.
class CsvParser {
 public:
  CsvParser(std::istream& in) : in_(in) {}

  // Skips a UTF-8 byte order mark, which many tools write before the header.
  void skip_bom() {
    more();
    if (buf_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) pos_ += 3;
  }

  char detect_delimiter() {
    fill_until_newline();
    int counts[4] = {};
    const char cands[4] = {',', ';', '\t', '|'};
    bool quoted = false;
    for (size_t i = pos_; i < buf_.size() && (quoted || (buf_[i] != '\n' && buf_[i] != '\r')); ++i) {
      if (buf_[i] == '"') quoted = !quoted;
      for (int c = 0; c < 4; ++c) counts[c] += !quoted && buf_[i] == cands[c];
    }
    int best = 0;
    for (int c = 1; c < 4; ++c)
      if (counts[c] > counts[best]) best = c;
    return cands[best];
  }

  // Reads one record; false at end of input. `error` is set for an unterminated quote, and
  // `blank` for a line with nothing on it (not even quotes).
  bool next(char delim, std::vector<std::string>& fields, int64_t& start_line, std::string& error, bool& blank) {
    fields.clear();
    error.clear();
    blank = false;
    if (!more()) return false;
    start_line = line_;
    bool any = false;
    std::string field;
    bool quoted = false, was_quoted = false;
    while (true) {
      if (!more()) {
        if (quoted) error = fmt::format("a quoted value that starts on line {} never ends", start_line);
        fields.push_back(std::move(field));
        return true;
      }
      char c = buf_[pos_++];
      if (c != '\n' && c != '\r') any = true;
      if (quoted) {
        if (c == '"') {
          if (more() && buf_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
        continue;
      }
      if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == delim) {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && more() && buf_[pos_] == '\n') ++pos_;
        ++line_;
        fields.push_back(std::move(field));
        blank = !any;
        return true;
      } else {
        field += c;
      }
    }
  }

 private:
  bool more() {
    if (pos_ < buf_.size()) return true;
    buf_.resize(1 << 20);
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.resize(static_cast<size_t>(in_.gcount()));
    pos_ = 0;
    return !buf_.empty();
  }
  void fill_until_newline() {
    more();
    while (buf_.find('\n', pos_) == std::string::npos && in_) {
      std::string chunk(1 << 16, '\0');
      in_.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      chunk.resize(static_cast<size_t>(in_.gcount()));
      if (chunk.empty()) break;
      buf_ += chunk;
    }
  }

  std::istream& in_;
  std::string buf_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

// Decodes one row's values into a record, given each lead field's column.
class CsvDecoder : public RawDecoder {
 public:
  CsvDecoder(const check::CheckedModel& m, std::vector<int> slots, size_t columns)
      : model_(m), decoder_(m), slots_(std::move(slots)), columns_(columns) {}

  void decode(const RawRecord& raw, InputRecord& out) override {
    const std::vector<std::string>& cells = raw.cells;
    out.reset(model_.lead.fields.size(), raw.line, raw.number, model_.key_field >= 0);
    if (model_.key_field >= 0 && slots_[model_.key_field] >= 0 && static_cast<size_t>(slots_[model_.key_field]) < cells.size())
      out.key = cells[slots_[model_.key_field]];
    if (!raw.error.empty()) {
      out.errors.push_back(raw.error);
      return;
    }
    size_t n = cells.size();
    if (n > columns_ && n == columns_ + 1 && cells.back().empty()) --n;  // trailing delimiter
    if (n != columns_) {
      out.errors.push_back(fmt::format("the row has {} values and the header has {} columns", n, columns_));
      return;
    }
    for (size_t i = 0; i < model_.lead.fields.size(); ++i) {
      const check::Field& f = model_.lead.fields[i];
      if (slots_[i] < 0) continue;
      std::string why;
      if (!decoder_.decode(f, cells[slots_[i]], out.record.fields[i], why))
        out.errors.push_back(fmt::format("field `{}` (column {}): {}", f.name, text::json_string(f.column), why));
      else if (!f.optional && out.record.fields[i].is_missing())
        out.errors.push_back(fmt::format("field `{}` (column {}) is required and is missing", f.name, text::json_string(f.column)));
    }
  }

 private:
  const check::CheckedModel& model_;
  Decoder decoder_;
  std::vector<int> slots_;
  size_t columns_;
};

class CsvReader : public RecordReader {
 public:
  CsvReader(std::istream& in, const check::CheckedModel& m) : parser_(in), model_(m) {}

  bool open(char delimiter, std::string& fatal) {
    parser_.skip_bom();
    delim_ = delimiter ? delimiter : parser_.detect_delimiter();
    std::vector<std::string> header;
    int64_t line;
    std::string err;
    bool blank;
    if (!parser_.next(delim_, header, line, err, blank)) {
      fatal = "the input is empty: expected a header line naming the columns";
      return false;
    }
    if (!err.empty()) {
      fatal = "the header line: " + err;
      return false;
    }
    columns_ = header.size();
    while (columns_ > 0 && header[columns_ - 1].empty()) --columns_;  // trailing delimiter
    std::vector<std::string> names(header.begin(), header.begin() + static_cast<long>(columns_));
    for (const check::Field& f : model_.lead.fields) {
      int found = -1;
      for (size_t i = 0; i < names.size() && found < 0; ++i)
        if (names[i] == f.column) found = static_cast<int>(i);
      for (size_t i = 0; i < names.size() && found < 0; ++i)
        if (text::iequals(names[i], f.column)) found = static_cast<int>(i);
      if (found < 0) {
        std::string best = diag::closest_name(f.column, names);
        std::string hint = best.empty() ? "" : fmt::format(" (did you mean {}?)", text::json_string(best));
        if (!f.optional) {
          fatal = fmt::format("the header has no column {} for the required field `{}`{}", text::json_string(f.column), f.name, hint);
          return false;
        }
        warnings_.push_back(fmt::format("the header has no column {} for the optional field `{}`, so it is always missing{}",
                                        text::json_string(f.column), f.name, hint));
      }
      slots_.push_back(found);
    }
    return true;
  }

  bool next_raw(RawRecord& out) override {
    bool blank;
    do {
      if (!parser_.next(delim_, out.cells, out.line, out.error, blank)) return false;
    } while (blank);  // an empty line is no record; a line holding `""` is one
    out.number = ++count_;
    return true;
  }

  std::unique_ptr<RawDecoder> make_decoder() const override {
    return std::make_unique<CsvDecoder>(model_, slots_, columns_);
  }

  std::vector<std::string> warnings() const override { return warnings_; }

 private:
  CsvParser parser_;
  const check::CheckedModel& model_;
  char delim_ = ',';
  size_t columns_ = 0;
  std::vector<int> slots_;  // per lead field: its column, or -1
  std::vector<std::string> warnings_;
  int64_t count_ = 0;
};

}  // namespace

std::unique_ptr<RecordReader> open_csv_reader(std::istream& in, const check::CheckedModel& model, char delimiter,
                                              std::string& fatal) {
  auto r = std::make_unique<CsvReader>(in, model);
  if (!r->open(delimiter, fatal)) return nullptr;
  return r;
}

}  // namespace rubric::io
