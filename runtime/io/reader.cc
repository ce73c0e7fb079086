// SPDX-License-Identifier: Apache-2.0
// Choosing a reader by format, and what every reader does to start a record.
#include "runtime/io/reader.h"

#include <algorithm>
#include <charconv>

#include "runtime/io/limits.h"

namespace rubric::io {


std::unique_ptr<RecordReader> open_csv_reader(std::istream& in, const check::CheckedModel& model, char delimiter, bool strict,
                                              bool one_pass, std::string& fatal);
std::unique_ptr<RecordReader> open_jsonl_reader(std::istream& in, const check::CheckedModel& model, bool strict, bool one_pass);

std::unique_ptr<RecordReader> open_reader(std::istream& in, const check::CheckedModel& model, const ReaderOptions& opts,
                                          std::string& fatal) {
  if (opts.format == InputFormat::Jsonl) return open_jsonl_reader(in, model, opts.strict, opts.one_pass);
  return open_csv_reader(in, model, opts.delimiter, opts.strict, opts.one_pass, fatal);
}

char parse_delimiter(std::string_view s) {
  static const std::pair<const char*, char> kNames[] = {{"tab", '\t'}, {"\\t", '\t'}, {"comma", ','}, {"semicolon", ';'}, {"pipe", '|'}};
  for (const auto& [name, c] : kNames)
    if (s == name) return c;
  if (s.size() == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r') return s[0];
  return 0;
}

bool reader_options_for(std::string_view, std::string_view format, std::string_view delimiter, ReaderOptions& out,
                        std::string& error) {
  if (!format.empty() && format != "csv" && format != "jsonl") {
    error = "the input format is csv or jsonl, not " + std::string(format);
    return false;
  }
  out.guess = format.empty();
  out.format = format == "csv" ? InputFormat::Csv : InputFormat::Jsonl;
  if (!delimiter.empty()) {
    out.delimiter = parse_delimiter(delimiter);
    if (!out.delimiter) {
      error = std::string(delimiter) + " is not a delimiter; give one character like ';', or tab, comma, semicolon, pipe";
      return false;
    }
  }
  return true;
}

std::shared_ptr<const check::CheckedModel> derived_model(std::shared_ptr<const check::CheckedModel> base,
                                                         const std::function<void(check::CheckedModel&)>& edit) {
  auto copy = new check::CheckedModel(*base);
  edit(*copy);
  return std::shared_ptr<const check::CheckedModel>(copy, [base](const check::CheckedModel* p) { delete p; });
}

std::shared_ptr<const check::CheckedModel> with_extra_fields(std::shared_ptr<const check::CheckedModel> base,
                                                             const std::vector<check::Field>& extra) {
  return derived_model(std::move(base), [&](check::CheckedModel& m) {
    for (const check::Field& f : extra) m.lead.fields.push_back(f);
  });
}

std::string InputRecord::error_text() const {
  std::string all;
  for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
  return all;
}

void InputRecord::order_events() {
  auto earlier = [](const interp::Event& a, const interp::Event& b) { return a.time < b.time; };
  auto& ev = record.events;
  if (!std::is_sorted(ev.begin(), ev.end(), earlier))  // exports are mostly in order already
    std::stable_sort(ev.begin(), ev.end(), earlier);
}

check::Field text_field(std::string name, std::string column, bool raw) {
  check::Field f;
  f.name = std::move(name);
  f.column = std::move(column);
  f.type.kind = check::TypeKind::String;
  f.optional = true;
  f.raw = raw;
  return f;
}

void InputRecord::reset(size_t fields, int64_t at_line, int64_t at_number, bool keyed) {
  // Values are reset, not destroyed, so their string buffers serve the next record too.
  record.fields.resize(fields);
  for (check::Value& v : record.fields) {
    v.kind = check::Value::Kind::Missing;
    if (v.s.capacity() > kKeepBytes) std::string().swap(v.s);  // but not a huge one's
  }
  record.events.clear();  // readers with events refill `spare` first (see jsonl_reader.cc)
  errors.clear();
  warnings.clear();
  line = at_line;
  number = at_number;
  key.clear();  // (keeping its buffer)
  if (!keyed) {
    char digits[24];
    key.assign(digits, std::to_chars(digits, digits + sizeof digits, at_number).ptr);
  }
}

}  // namespace rubric::io
