// SPDX-License-Identifier: Apache-2.0
// CSV (RFC 4180 quoting; LF line ends, or CRLF when asked) and JSON Lines output of scoring results.
#include "runtime/io/writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "compiler/source/text.h"
#include "compiler/diag/diagnostic.h"
#include "runtime/io/decode.h"

namespace rubric::io {

std::string key_column(const check::CheckedModel& m) {
  return m.key_field >= 0 ? m.lead.fields[m.key_field].name : "row";
}

std::vector<OutputColumn> output_columns(const check::CheckedModel& m, bool explain) {
  std::vector<OutputColumn> out{{ColumnKind::Key, 0, key_column(m)}};
  for (size_t i = 0; i < m.scores.size(); ++i) out.push_back({ColumnKind::Score, static_cast<int>(i), m.scores[i].name});
  out.push_back({ColumnKind::Total, 0, "total"});
  for (size_t i = 0; i < m.tier_sets.size(); ++i) out.push_back({ColumnKind::TierSet, static_cast<int>(i), m.tier_sets[i].name});
  out.push_back({ColumnKind::Disqualified, 0, "disqualified"});
  out.push_back({ColumnKind::Error, 0, "error"});
  if (explain) out.push_back({ColumnKind::Explain, 0, "explain"});
  return out;
}

namespace {

// The names in a comma-separated option, trimmed; false with `error` for an empty one or one
// listed twice.
bool column_names(std::string_view option, std::string_view example, const std::vector<std::string>& given,
                  std::vector<std::string>& names, std::string& error) {
  for (std::string name : given) {
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name.empty()) {
      error = fmt::format("{}: a column name is empty; give names separated by commas, like {} \"{}\"", option, option, example);
      return false;
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      error = fmt::format("{}: the column {} is listed twice", option, text::json_string(name));
      return false;
    }
    names.push_back(std::move(name));
  }
  return true;
}

}  // namespace

bool choose_columns(const std::shared_ptr<const check::CheckedModel>& shared, const std::vector<std::string>& keep,
                    const std::vector<std::string>& chosen, bool explain, std::vector<OutputColumn>& columns,
                    std::shared_ptr<const check::CheckedModel>& reading, std::string& error) {
  const check::CheckedModel& m = *shared;
  std::vector<std::string> kept, picked;  // (a name left empty is refused, so `picked` is empty only when `chosen` is)
  if (!column_names("--keep", "Converted,Lead Source", keep, kept, error) ||
      !column_names("--columns", key_column(m) + ",total", chosen, picked, error))
    return false;
  std::vector<OutputColumn> model = output_columns(m, explain);
  std::vector<check::Field> extra;  // the kept columns, read as text after the model's fields
  for (const std::string& name : kept) {
    for (const OutputColumn& c : model)
      if (c.name == name) {
        error = fmt::format("--keep {}: the output already has a column {}; kept columns must have other names", name,
                            text::json_string(name));
        return false;
      }
    model.insert(model.begin() + 1 + static_cast<long>(extra.size()),
                 {ColumnKind::Kept, static_cast<int>(m.lead.fields.size() + extra.size()), name});
    extra.push_back(text_field("--keep " + name, name, true));
  }
  reading = extra.empty() ? shared : with_extra_fields(shared, extra);
  if (picked.empty()) {
    columns = std::move(model);
    return true;
  }
  columns.clear();
  for (const std::string& name : picked) {
    auto it = std::find_if(model.begin(), model.end(), [&](const OutputColumn& c) { return c.name == name; });
    if (it != model.end()) {
      columns.push_back(*it);
      continue;
    }
    if (name == "explain") {
      error = "--columns: the column \"explain\" is written with --explain; add it";
      return false;
    }
    std::vector<std::string> names;
    for (const OutputColumn& c : model) names.push_back(c.name);
    std::string best = diag::closest_name(name, names);
    error = fmt::format("--columns: the output has no column {}{}; its columns are {} (input columns are added with --keep)",
                        text::json_string(name), best.empty() ? "" : fmt::format(" (did you mean {}?)", text::json_string(best)),
                        fmt::join(names, ", "));
    return false;
  }
  return true;
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

std::string signed_points(int64_t cents) {
  std::string s = cents >= 0 ? "+" : "";  // (not "+" + string: g++ 12 warns of a false overlap, -Wrestrict)
  s += format_points(cents);
  return s;
}

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
    : ResultWriter(own_, model, std::move(opts)) {
  out_ = &out;
}

ResultWriter::ResultWriter(std::string& into, const check::CheckedModel& model, WriterOptions opts)
    : out_(nullptr), model_(model), opts_(std::move(opts)), buf_(into) {
  if (opts_.columns.empty()) opts_.columns = output_columns(model_, opts_.explain);
  for (const OutputColumn& c : opts_.columns) {
    std::string n;
    text::append_json_string(n, c.name);
    json_names_.push_back(n + ':');
  }
}

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
  for (size_t i = 0; i < opts_.columns.size(); ++i) csv_cell(opts_.columns[i].name, i + 1 == opts_.columns.size());
}

// A kept column's text as read; null when missing or not read.
const std::string* ResultWriter::kept(const OutputColumn& c, const InputRecord& in) {
  const check::Value* v = static_cast<size_t>(c.index) < in.record.fields.size() ? &in.record.fields[c.index] : nullptr;
  return v && v->kind == check::Value::Kind::String ? &v->s : nullptr;
}

// One CSV cell of a row: of a scored lead (`o`), or of a record that failed (`error`).
// (Inlined into the row loop, with `Last` known: a CSV row is mostly this.)
template <bool Last>
[[gnu::always_inline]] inline void ResultWriter::cell(const OutputColumn& c, const InputRecord& in, const interp::Outcome* o,
                                                      const std::string* error) {
  constexpr bool last = Last;
  const check::CheckedModel& m = model_;
  switch (c.kind) {
    case ColumnKind::Key:
      // A record whose key cannot be read (not JSON, not an object, no key) is named by its
      // number, so that it can still be found.
      if (error && in.key.empty()) return csv_cell(std::to_string(in.number), last);
      return csv_cell(in.key, last);
    case ColumnKind::Kept: {
      const std::string* v = kept(c, in);
      return csv_cell(v ? std::string_view(*v) : std::string_view(), last);
    }
    case ColumnKind::Score:
      if (o && !last) return points_cell(o->scores[c.index]);
      return csv_cell(o ? format_points(o->scores[c.index]) : "", last);
    case ColumnKind::Total:
      if (o && !last) return points_cell(o->total);
      return csv_cell(o ? format_points(o->total) : "", last);
    case ColumnKind::TierSet: {
      if (!o) return csv_cell("", last);
      int t = o->tiers[c.index];
      return csv_cell(t >= 0 ? std::string_view(m.tier_sets[c.index].tiers[t].name) : "disqualified", last);
    }
    case ColumnKind::Disqualified:
      return csv_cell(o && o->disqualifier >= 0 ? std::string_view(m.disqualifiers[o->disqualifier].reason) : "", last);
    case ColumnKind::Error: return csv_cell(error ? std::string_view(*error) : "", last);
    case ColumnKind::Explain: return csv_cell(o ? explain_text(m, *o) : "", last);
  }
}

// One value of a JSON Lines row, after its name.
void ResultWriter::json_value(const OutputColumn& c, const InputRecord& in, const interp::Outcome* o, const std::string* error) {
  const check::CheckedModel& m = model_;
  auto quoted = [&](std::string_view s) { text::append_json_string(buf_, s); };
  auto null = [&] { buf_ += "null"; };
  switch (c.kind) {
    case ColumnKind::Key: return error && in.key.empty() ? quoted(std::to_string(in.number)) : quoted(in.key);
    case ColumnKind::Kept: {
      const std::string* v = kept(c, in);
      return v ? quoted(*v) : null();
    }
    case ColumnKind::Score: return o ? append_points(buf_, o->scores[c.index]) : null();
    case ColumnKind::Total: return o ? append_points(buf_, o->total) : null();
    case ColumnKind::TierSet:
      if (!o) return null();
      return quoted(o->tiers[c.index] >= 0 ? std::string_view(m.tier_sets[c.index].tiers[o->tiers[c.index]].name) : "disqualified");
    case ColumnKind::Disqualified: return o && o->disqualifier >= 0 ? quoted(m.disqualifiers[o->disqualifier].reason) : null();
    case ColumnKind::Error: return error ? quoted(*error) : null();
    case ColumnKind::Explain:
      if (!o) return null();
      buf_ += '[';
      for (size_t i = 0; i < o->hits.size(); ++i) {
        const interp::RuleHit& h = o->hits[i];
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
      return;
  }
}

void ResultWriter::row(const InputRecord& in, const interp::Outcome& o) { write_row(in, &o, nullptr); }

void ResultWriter::error_row(const InputRecord& in, const std::string& message) { write_row(in, nullptr, &message); }

void ResultWriter::write_row(const InputRecord& in, const interp::Outcome* o, const std::string* error) {
  const size_t n = opts_.columns.size();
  if (opts_.format == OutputFormat::Csv) {
    for (size_t i = 0; i + 1 < n; ++i) cell<false>(opts_.columns[i], in, o, error);
    if (n) cell<true>(opts_.columns[n - 1], in, o, error);
  } else {
    for (size_t i = 0; i < n; ++i) {
      buf_ += i ? ',' : '{';
      buf_ += json_names_[i];
      json_value(opts_.columns[i], in, o, error);
    }
    buf_ += "}\n";
  }
  if (buf_.size() > (1 << 16)) flush();
}

void ResultWriter::flush() {
  if (!out_) return;  // a formatter keeps its rows for the writing thread
  out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

}  // namespace rubric::io
