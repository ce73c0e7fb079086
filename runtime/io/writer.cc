// SPDX-License-Identifier: Apache-2.0
// CSV (RFC 4180 quoting; LF line ends, or CRLF when asked) and JSON Lines output of scoring results.
#include "runtime/io/writer.h"

#include <fmt/format.h>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"

namespace rubric::io {

std::string key_column(const check::CheckedModel& m) {
  return m.key_field >= 0 ? m.lead.fields[m.key_field].name : "row";
}

std::vector<std::string> output_columns(const check::CheckedModel& m, bool explain) {
  std::vector<std::string> out{key_column(m)};
  for (const auto& s : m.scores) out.push_back(s.name);
  out.push_back("total");
  for (const auto& t : m.tier_sets) out.push_back(t.name);
  out.push_back("disqualified");
  out.push_back("error");
  if (explain) out.push_back("explain");
  return out;
}

namespace {

std::string hit_detail(const interp::RuleHit& h) {
  std::vector<std::string> parts;
  if (h.events) parts.push_back(fmt::format("{} event{}", h.events, h.events == 1 ? "" : "s"));
  if (h.decayed) parts.push_back("decayed");
  if (h.capped) parts.push_back("capped");
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

std::string signed_points(int64_t cents) { return (cents >= 0 ? "+" : "") + format_points(cents); }

}  // namespace

std::string explain_text(const check::CheckedModel& m, const interp::Outcome& o) {
  std::string s;
  for (const interp::RuleHit& h : o.hits) {
    const check::Rule& r = m.scores[h.score].rules[h.rule];
    if (!s.empty()) s += "; ";
    s += fmt::format("{}: {} {}", m.scores[h.score].name, r.label, signed_points(h.cents));
    std::string d = hit_detail(h);
    if (!d.empty()) s += " (" + d + ")";
  }
  if (o.disqualifier >= 0) s += (s.empty() ? "" : "; ") + std::string("disqualified: ") + m.disqualifiers[o.disqualifier].reason;
  return s;
}

ResultWriter::ResultWriter(std::ostream& out, const check::CheckedModel& model, WriterOptions opts)
    : out_(&out), model_(model), opts_(std::move(opts)), buf_(own_) {}

ResultWriter::ResultWriter(std::string& into, const check::CheckedModel& model, WriterOptions opts)
    : out_(nullptr), model_(model), opts_(std::move(opts)), buf_(into) {}

void ResultWriter::append(std::string_view rows) {
  buf_ += rows;
  if (buf_.size() > (1 << 16)) flush();
}

void ResultWriter::csv_cell(std::string_view s, bool last) {
  bool quote = false;  // (find_first_of searches the four for each byte)
  for (char c : s) quote |= c == '"' || c == '\r' || c == '\n' || c == opts_.delimiter;
  if (quote) {
    buf_ += '"';
    for (char c : s) {
      if (c == '"') buf_ += '"';
      buf_ += c;
    }
    buf_ += '"';
  } else {
    buf_ += s;
  }
  buf_ += last ? std::string_view(opts_.crlf ? "\r\n" : "\n") : std::string_view(&opts_.delimiter, 1);
}

// Points as a cell, written in place: they need quotes only when the delimiter is a digit, a
// minus or a point.
void ResultWriter::points_cell(int64_t cents) {
  const char d = opts_.delimiter;
  if ((d >= '0' && d <= '9') || d == '-' || d == '.') return csv_cell(format_points(cents));
  append_points(buf_, cents, d);
}

void ResultWriter::header() {
  if (opts_.format != OutputFormat::Csv) return;
  csv_cell(key_column(model_));
  for (const auto& [name, slot] : opts_.keep) csv_cell(name);
  for (const auto& s : model_.scores) csv_cell(s.name);
  csv_cell("total");
  for (const auto& t : model_.tier_sets) csv_cell(t.name);
  csv_cell("disqualified");
  csv_cell("error", !opts_.explain);
  if (opts_.explain) csv_cell("explain", true);
}

void ResultWriter::row(const InputRecord& in, const interp::Outcome& o) {
  const check::CheckedModel& m = model_;
  if (opts_.format == OutputFormat::Csv) {
    csv_cell(in.key);
    kept_cells(in);
    for (int64_t s : o.scores) points_cell(s);
    points_cell(o.total);
    for (size_t t = 0; t < m.tier_sets.size(); ++t)
      csv_cell(o.tiers[t] >= 0 ? m.tier_sets[t].tiers[o.tiers[t]].name : "disqualified");
    csv_cell(o.disqualifier >= 0 ? m.disqualifiers[o.disqualifier].reason : "");
    csv_cell("", !opts_.explain);
    if (opts_.explain) csv_cell(explain_text(m, o), true);
  } else {
    buf_ += "{";
    text::append_json_string(buf_, key_column(m));
    buf_ += ':';
    text::append_json_string(buf_, in.key);
    kept_json(in);
    for (size_t s = 0; s < o.scores.size(); ++s) {
      buf_ += ',';
      text::append_json_string(buf_, m.scores[s].name);
      buf_ += ':';
      append_points(buf_, o.scores[s]);
    }
    buf_ += ",\"total\":";
    append_points(buf_, o.total);
    for (size_t t = 0; t < m.tier_sets.size(); ++t) {
      buf_ += ',';
      text::append_json_string(buf_, m.tier_sets[t].name);
      buf_ += ':';
      text::append_json_string(buf_, o.tiers[t] >= 0 ? m.tier_sets[t].tiers[o.tiers[t]].name : "disqualified");
    }
    buf_ += ",\"disqualified\":";
    if (o.disqualifier >= 0) text::append_json_string(buf_, m.disqualifiers[o.disqualifier].reason);
    else buf_ += "null";
    buf_ += ",\"error\":null";
    if (opts_.explain) {
      buf_ += ",\"explain\":[";
      for (size_t i = 0; i < o.hits.size(); ++i) {
        const interp::RuleHit& h = o.hits[i];
        const check::Rule& r = m.scores[h.score].rules[h.rule];
        if (i) buf_ += ',';
        buf_ += "{\"score\":";
        text::append_json_string(buf_, m.scores[h.score].name);
        buf_ += ",\"rule\":";
        text::append_json_string(buf_, r.label);
        buf_ += fmt::format(",\"points\":{},\"events\":{},\"capped\":{},\"decayed\":{},\"line\":{}}}", format_points(h.cents),
                            h.events, h.capped, h.decayed, r.line);
      }
      buf_ += ']';
    }
    buf_ += "}\n";
  }
  if (buf_.size() > (1 << 16)) flush();
}

void ResultWriter::error_row(const InputRecord& in, const std::string& message) {
  const check::CheckedModel& m = model_;
  // A record whose key cannot be read (not JSON, not an object, no key) is named by its number,
  // so that it can still be found.
  const std::string key = in.key.empty() ? std::to_string(in.number) : in.key;
  if (opts_.format == OutputFormat::Csv) {
    csv_cell(key);
    kept_cells(in);
    for (size_t i = 0; i < m.scores.size() + 1 + m.tier_sets.size() + 1; ++i) csv_cell("");
    csv_cell(message, !opts_.explain);
    if (opts_.explain) csv_cell("", true);
  } else {
    buf_ += "{";
    text::append_json_string(buf_, key_column(m));
    buf_ += ':';
    text::append_json_string(buf_, key);
    kept_json(in);
    for (const auto& s : m.scores) {
      buf_ += ',';
      text::append_json_string(buf_, s.name);
      buf_ += ":null";
    }
    buf_ += ",\"total\":null";
    for (const auto& t : m.tier_sets) {
      buf_ += ',';
      text::append_json_string(buf_, t.name);
      buf_ += ":null";
    }
    buf_ += ",\"disqualified\":null,\"error\":";
    text::append_json_string(buf_, message);
    buf_ += "}\n";
  }
  if (buf_.size() > (1 << 16)) flush();
}

// The kept columns' text as read (empty / null when missing or not read).
void ResultWriter::kept_cells(const InputRecord& in) {
  for (const auto& [name, slot] : opts_.keep) {
    const check::Value* v = static_cast<size_t>(slot) < in.record.fields.size() ? &in.record.fields[slot] : nullptr;
    csv_cell(v && v->kind == check::Value::Kind::String ? std::string_view(v->s) : std::string_view());
  }
}

void ResultWriter::kept_json(const InputRecord& in) {
  for (const auto& [name, slot] : opts_.keep) {
    buf_ += ',';
    text::append_json_string(buf_, name);
    buf_ += ':';
    const check::Value* v = static_cast<size_t>(slot) < in.record.fields.size() ? &in.record.fields[slot] : nullptr;
    if (v && v->kind == check::Value::Kind::String) text::append_json_string(buf_, v->s);
    else buf_ += "null";
  }
}

void ResultWriter::flush() {
  if (!out_) return;  // a formatter keeps its rows for the writing thread
  out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

}  // namespace rubric::io
