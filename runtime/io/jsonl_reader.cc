// JSON Lines: one lead object per line, its events in an `events` array of objects. Parsed with
// simdjson; every problem becomes a message naming the line and the field.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/reader.h"

namespace rubric::io {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const char* json_kind(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "a list";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "text";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::BOOL: return "true/false";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

// Decodes one line into a record. Owns a simdjson parser and recycled event buffers.
class JsonlDecoder : public RawDecoder {
 public:
  explicit JsonlDecoder(const check::CheckedModel& m) : model_(m), decoder_(m) {}

  void decode(const RawRecord& raw, InputRecord& out) override {
    const std::string& line = raw.text;
    for (interp::Event& e : out.record.events) spare_.push_back(std::move(e));
    out.reset(model_.lead.fields.size(), raw.line, raw.number, model_.key_field >= 0);
    element doc;
    if (auto err = parser_.parse(line.data(), line.size(), true).get(doc)) {
      out.errors.push_back(fmt::format("this line is not valid JSON: {}", simdjson::error_message(err)));
      return;
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) {
      out.errors.push_back(fmt::format("expected a JSON object for the lead, found {}", json_kind(doc.type())));
      return;
    }
    if (model_.key_field >= 0) {
      element k;
      if (!obj.at_key(model_.lead.fields[model_.key_field].column).get(k)) out.key = scalar_text(k);
    }
    read_fields(obj, model_.lead, out.record.fields, "", out.errors);
    element events;
    if (!obj.at_key("events").get(events) && !events.is_null()) {
      simdjson::dom::array arr;
      if (events.get_array().get(arr)) {
        out.errors.push_back(fmt::format("`events` must be a list of event objects, found {}", json_kind(events.type())));
      } else if (model_.has_events) {
        size_t i = 0;
        for (element ev : arr) {
          simdjson::dom::object eo;
          std::string where = fmt::format("events[{}]", i++);
          if (ev.get_object().get(eo)) {
            out.errors.push_back(fmt::format("{} must be an object, found {}", where, json_kind(ev.type())));
            continue;
          }
          // Event objects are recycled from earlier records, with their string buffers.
          if (spare_.empty()) spare_.emplace_back();
          out.record.events.push_back(std::move(spare_.back()));
          spare_.pop_back();
          interp::Event& e = out.record.events.back();
          e.fields.resize(model_.event.fields.size());
          for (check::Value& v : e.fields) v.kind = check::Value::Kind::Missing;
          size_t before = out.errors.size();
          read_fields(eo, model_.event, e.fields, where + ".", out.errors);
          const check::Value& t = e.fields[model_.event_time_field];
          if (out.errors.size() != before || t.is_missing()) {
            spare_.push_back(std::move(out.record.events.back()));
            out.record.events.pop_back();
            continue;
          }
          e.time = t.i;
        }
        std::stable_sort(out.record.events.begin(), out.record.events.end(),
                         [](const interp::Event& a, const interp::Event& b) { return a.time < b.time; });
      }
    }
  }

 private:
  static std::string scalar_text(element e) {
    switch (e.type()) {
      case element_type::STRING: return std::string(std::string_view(e));
      case element_type::INT64: return std::to_string(int64_t(e));
      case element_type::UINT64: return std::to_string(uint64_t(e));
      case element_type::DOUBLE: return fmt::format("{}", double(e));
      case element_type::BOOL: return bool(e) ? "true" : "false";
      default: return {};
    }
  }

  void read_fields(simdjson::dom::object obj, const check::Schema& schema, std::vector<check::Value>& values,
                   const std::string& prefix, std::vector<std::string>& errors) {
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      const check::Field& f = schema.fields[i];
      element v;
      std::string why;
      bool ok = true;
      if (obj.at_key(f.column).get(v) || v.is_null()) {
        values[i] = check::Value();
      } else {
        switch (v.type()) {
          case element_type::STRING: ok = decoder_.decode(f, std::string_view(v), values[i], why); break;
          case element_type::INT64:
          case element_type::UINT64:
          case element_type::DOUBLE: ok = decoder_.decode_number(f, double(v), scalar_text(v), values[i], why); break;
          case element_type::BOOL:
            if (f.type.is(check::TypeKind::Bool)) values[i] = check::Value::boolean(bool(v));
            else ok = decoder_.decode(f, bool(v) ? "true" : "false", values[i], why);
            break;
          default:
            ok = false;
            why = fmt::format("expected a single value, found {}", json_kind(v.type()));
        }
      }
      if (!ok) errors.push_back(fmt::format("field `{}{}`: {}", prefix, f.column, why));
      else if (!f.optional && values[i].is_missing())
        errors.push_back(fmt::format("field `{}{}` is required and is missing", prefix, f.column));
    }
  }

  const check::CheckedModel& model_;
  Decoder decoder_;
  simdjson::dom::parser parser_;
  std::vector<interp::Event> spare_;  // events of earlier records, kept for their buffers
};

// Splits the input into lines, skipping blank ones.
class JsonlReader : public RecordReader {
 public:
  JsonlReader(std::istream& in, const check::CheckedModel& m) : in_(in), model_(m) {}

  bool next_raw(RawRecord& out) override {
    std::string& line = out.text;
    do {
      if (!std::getline(in_, line)) return false;
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line_no_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // byte order mark
    } while (line.find_first_not_of(" \t") == std::string::npos);
    out.line = line_no_;
    out.number = ++count_;
    return true;
  }

  std::unique_ptr<RawDecoder> make_decoder() const override { return std::make_unique<JsonlDecoder>(model_); }

 private:
  std::istream& in_;
  const check::CheckedModel& model_;
  int64_t line_no_ = 0;
  int64_t count_ = 0;
};

}  // namespace

std::unique_ptr<RecordReader> open_jsonl_reader(std::istream& in, const check::CheckedModel& model) {
  return std::make_unique<JsonlReader>(in, model);
}

}  // namespace rubric::io
