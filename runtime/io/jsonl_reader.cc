// SPDX-License-Identifier: Apache-2.0
// JSON Lines: one lead object per line (LF, CRLF or CR ends a line), its events in an `events`
// array of objects. Parsed with simdjson; every problem becomes a message naming the line, the
// field, and for broken JSON the column (runtime/io/json_check.h).
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/json_check.h"
#include "runtime/io/limits.h"
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

// A schema's fields by JSON key, for one pass over an object's keys: bucketed by the key's
// length, so that a key of the object is compared with the one or two columns of its length
// (every key of every event goes through here).
class KeyIndex {
 public:
  explicit KeyIndex(const check::Schema& s) {
    for (size_t i = 0; i < s.fields.size(); ++i) {
      std::string_view column = s.fields[i].column;
      if (column.size() >= by_length_.size()) by_length_.resize(column.size() + 1);
      by_length_[column.size()].emplace_back(column, i);
    }
  }
  // Calls f(field index) for each field read from `key` (usually none or one), in field order.
  template <typename F>
  void each(std::string_view key, F f) const {
    if (key.size() >= by_length_.size()) return;
    for (const auto& [column, i] : by_length_[key.size()])
      if (std::memcmp(column.data(), key.data(), key.size()) == 0) f(i);
  }

 private:
  std::vector<std::vector<std::pair<std::string_view, size_t>>> by_length_;  // views of the model's column names
};

// Decodes one line (or, for `score_json`, one document) into a record. Owns a simdjson parser
// and recycled event buffers.
class JsonlDecoder : public RawDecoder {
 public:
  JsonlDecoder(const check::CheckedModel& m, bool document, bool strict, bool one_pass = true)
      : model_(m), decoder_(m), document_(document), strict_(strict), one_pass_(one_pass), lead_keys_(m.lead), event_keys_(m.event),
        lead_required_(required_mask(m.lead)), event_required_(required_mask(m.event)) {}

  void decode_row(const RawRecord& raw, size_t, InputRecord& out) override {  // (a line is never a run)
    std::string_view line = raw.input();
    for (interp::Event& e : out.record.events) spare_.push_back(std::move(e));
    out.reset(model_.lead.fields.size(), raw.line, raw.number, model_.key_field >= 0);
    if (!raw.error.empty()) {
      out.errors.push_back(raw.error);
      return;
    }
    decode_text(raw, line, out);
    // simdjson keeps the capacity of the largest document it has seen; give back a huge one's.
    if (line.size() > (size_t{8} << 20)) parser_ = simdjson::dom::parser();
  }

 private:
  void decode_text(const RawRecord& raw, std::string_view line, InputRecord& out) {
    element doc;
    // In place: a view has its block's room to be read past, and `text` has it reserved (or is
    // copied when not).
    auto parsed = raw.block ? parser_.parse(line.data(), line.size(), false) : parser_.parse(raw.text);
    if (auto err = parsed.get(doc)) {
      // simdjson says only that something is wrong; the checker says where and what.
      std::string why = explain_json_error(line, document_);
      out.errors.push_back(why.empty() ? fmt::format("invalid JSON: {}", simdjson::error_message(err)) : why);
      return;
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) {
      out.errors.push_back(fmt::format("expected a JSON object for the lead, found {}{}", json_kind(doc.type()),
                                       doc.type() == simdjson::dom::element_type::ARRAY
                                           ? " (JSON Lines hold one object per line, not a list of them)"
                                           : ""));
      return;
    }
    if (model_.key_field >= 0) {
      element k;
      if (!obj.at_key(model_.lead.fields[model_.key_field].column).get(k)) out.key = scalar_text(k);
    }
    element events;
    int events_seen = 0;
    bool unused = false;
    if (!read_fields_fast(obj, model_.lead, lead_keys_, lead_required_, out.record.fields, &events, &events_seen)) {
      reset(out.record.fields);
      events = element();
      events_seen = 0;
      read_fields(obj, model_.lead, lead_keys_, out.record.fields, -1, out, &events, &events_seen, -1, unused);
    }
    if (events_seen > 1) {
      out.errors.push_back(fmt::format("`events`: the key appears {} times in the object", events_seen));
    } else if (events_seen == 1 && !events.is_null()) {
      simdjson::dom::array arr;
      if (events.get_array().get(arr)) {
        out.errors.push_back(fmt::format("`events` must be a list of event objects, found {}", json_kind(events.type())));
      } else if (model_.has_events) {
        size_t i = 0;
        for (element ev : arr) {
          simdjson::dom::object eo;
          const int index = static_cast<int>(i++);
          if (ev.get_object().get(eo)) {
            out.errors.push_back(fmt::format("events[{}] must be an object, found {}", index, json_kind(ev.type())));
            continue;
          }
          // Event objects are recycled from earlier records, with their string buffers.
          if (spare_.empty()) spare_.emplace_back();
          out.record.events.push_back(std::move(spare_.back()));
          spare_.pop_back();
          interp::Event& e = out.record.events.back();
          e.fields.resize(model_.event.fields.size());
          reset(e.fields);
          size_t before = out.errors.size();
          bool skip = false;  // an unknown kind: the event is skipped, with a warning
          if (!read_fields_fast(eo, model_.event, event_keys_, event_required_, e.fields, nullptr, nullptr)) {
            reset(e.fields);
            read_fields(eo, model_.event, event_keys_, e.fields, index, out, nullptr, nullptr, model_.event_kind_field, skip);
          }
          const check::Value& t = e.fields[model_.event_time_field];
          if (out.errors.size() != before || t.is_missing() || skip) {
            spare_.push_back(std::move(out.record.events.back()));
            out.record.events.pop_back();
            continue;
          }
          e.time = t.i;
        }
        out.order_events();
      }
    }
  }

 private:
  // A value as text: strings as they are, anything else as its JSON.
  static std::string raw_text(element e) {
    if (e.type() == element_type::STRING) return std::string(std::string_view(e));
    return simdjson::minify(e);
  }

  static std::string scalar_text(element e) {
    switch (e.type()) {
      case element_type::STRING: return std::string(std::string_view(e));
      case element_type::INT64: return std::to_string(int64_t(e));
      case element_type::UINT64: return std::to_string(uint64_t(e));
      case element_type::DOUBLE: return fmt::format("{}", double(e));
      case element_type::BOOL: return bool(e) ? "true" : "false";
      case element_type::ARRAY:
      case element_type::OBJECT:
      case element_type::NULL_VALUE: return {};
    }
    return {};
  }

  static void reset(std::vector<check::Value>& values) {
    for (check::Value& v : values) v.kind = check::Value::Kind::Missing;
  }

  // The fields `read_fields_fast` must find with a value: the schema's required ones, as a mask
  // (schemas of more than 64 fields are always read by read_fields).
  static uint64_t required_mask(const check::Schema& s) {
    uint64_t m = 0;
    for (size_t i = 0; i < s.fields.size() && i < 64; ++i)
      if (!s.fields[i].optional && !s.fields[i].raw) m |= uint64_t{1} << i;
    return m;
  }

  // The common case of read_fields, in one pass over the keys, decoding each value as its key
  // comes: every key the model reads appears once, every value decodes without a problem, and
  // every required field has a value. Anything else returns false, with `values` partly
  // written; the caller then resets them and reads the object again with read_fields, which
  // finds the same values and says what is wrong in field order. So the messages, warnings and
  // values are those of read_fields, and only a good record is read once. The lead object's
  // `events` value goes to `events` and `events_seen` (0 or 1), as read_fields gives them.
  bool read_fields_fast(simdjson::dom::object obj, const check::Schema& schema, const KeyIndex& keys, uint64_t required,
                        std::vector<check::Value>& values, element* events, int* events_seen) {
    if (schema.fields.size() > 64 || !one_pass_) return false;
    uint64_t seen = 0;
    bool ok = true;
    for (auto [key, value] : obj) {
      keys.each(key, [&](size_t i) {
        const uint64_t bit = uint64_t{1} << i;
        ok = ok && !(seen & bit) && fast_value(schema.fields[i], value, values[i]);
        seen |= bit;
      });
      if (events && key == "events") {
        ok = ok && (*events_seen)++ == 0;
        *events = value;
      }
      if (!ok) return false;
    }
    if ((seen & required) != required) return false;
    for (uint64_t m = required; m; m &= m - 1)
      if (values[static_cast<size_t>(std::countr_zero(m))].is_missing()) return false;
    return true;
  }

  // One value for read_fields_fast: false where read_fields would say something (an error or a
  // warning), or where the case is rare enough to leave to it.
  bool fast_value(const check::Field& f, element v, check::Value& out) {
    switch (v.type()) {
      case element_type::NULL_VALUE: out.kind = check::Value::Kind::Missing; return true;
      case element_type::STRING:
        if (f.raw) {
          std::string_view t(v);
          out.kind = check::Value::Kind::String;
          out.s.assign(t.data(), t.size());
          return true;
        }
        return decoder_.decode_plain(f, std::string_view(v), out) || decoder_.decode(f, std::string_view(v), out, scratch_);
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        if (f.raw) return false;
        // The number is written out only where a missing text or a text field needs it.
        if (!decoder_.numbers_can_be_missing(f)) switch (decoder_.number_value(f, double(v), {}, out, nullptr)) {
            case Decoder::NumberRead::Ok: return true;
            case Decoder::NumberRead::Bad: return false;
            case Decoder::NumberRead::AsText: break;
          }
        return decoder_.decode_number(f, double(v), scalar_text(v), out, scratch_);
      case element_type::BOOL:
        if (f.raw || !f.type.is(check::TypeKind::Bool)) return false;
        out = check::Value::boolean(bool(v));
        return true;
      case element_type::ARRAY:
      case element_type::OBJECT: return false;
    }
    return false;
  }

  // How messages name a field's place: "" for the lead, "events[3]." for its fourth event (made
  // only when a message needs it).
  static std::string where(int event) { return event < 0 ? std::string() : fmt::format("events[{}].", event); }

  // Reads `schema`'s fields from `obj` in one pass over its keys. A key the model reads that
  // appears more than once is an error (which one is meant is unclear); other keys are ignored.
  // The lead object's `events` value goes to `events` (and its count to `events_seen`).
  // A value of the wrong form in an optional field is read as missing with a warning, and one in
  // the field `skip_field` (an event's kind) sets `skip` with a warning, unless strict.
  void read_fields(simdjson::dom::object obj, const check::Schema& schema, const KeyIndex& keys,
                   std::vector<check::Value>& values, int event, InputRecord& out,
                   element* events, int* events_seen, int skip_field, bool& skip) {
    std::vector<std::string>& errors = out.errors;
    found_.assign(schema.fields.size(), element());
    seen_.assign(schema.fields.size(), 0);
    for (auto [key, value] : obj) {
      keys.each(key, [&](size_t i) {
        if (seen_[i]++ == 0) found_[i] = value;
      });
      if (events && key == "events" && (*events_seen)++ == 0) *events = value;
    }
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      const check::Field& f = schema.fields[i];
      element v = found_[i];
      std::string why;
      bool ok = true;
      if (f.raw) {  // passed through as written: the first value under the key, as text
        values[i] = seen_[i] == 0 || v.is_null() ? check::Value() : check::Value::string(raw_text(v));
        continue;
      }
      if (seen_[i] > 1) {
        errors.push_back(fmt::format("field `{}{}`: the key appears {} times in the object", where(event), f.column, seen_[i]));
        continue;
      }
      if (seen_[i] == 0 || v.is_null()) {
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
          case element_type::ARRAY:
          case element_type::OBJECT:
          case element_type::NULL_VALUE:
            ok = false;
            why = fmt::format("expected a single value, found {}", json_kind(v.type()));
        }
      }
      // Only a value that was there can be of the wrong form (`v` is empty otherwise).
      bool text = !ok && (v.type() != element_type::STRING || value_is_text(std::string_view(v)));
      if (!ok && !strict_ && text && static_cast<int>(i) == skip_field) {
        skip = true;
        out.warnings.push_back(fmt::format("field `{}{}`: {}; the event is skipped", where(event), f.column, why));
      } else if (!ok && !strict_ && text && f.optional) {
        values[i] = check::Value::missing();
        out.warnings.push_back(fmt::format("field `{}{}`: {}; read as missing", where(event), f.column, why));
      } else if (!ok) {
        errors.push_back(fmt::format("field `{}{}`: {}", where(event), f.column, why));
      } else if (!f.optional && values[i].is_missing())
        errors.push_back(fmt::format("field `{}{}` is required and is missing", where(event), f.column));
    }
  }

  const check::CheckedModel& model_;
  Decoder decoder_;
  bool document_;  // one document that may span lines (score_json), not one line
  bool strict_;    // bad optional values and unknown event kinds are errors
  bool one_pass_;  // good objects are read by read_fields_fast (ReaderOptions::one_pass)
  KeyIndex lead_keys_, event_keys_;
  uint64_t lead_required_, event_required_;  // read_fields_fast: the required fields
  std::string scratch_;                       // read_fields_fast: a message it does not use
  simdjson::dom::parser parser_;
  std::vector<interp::Event> spare_;  // events of earlier records, kept for their buffers
  std::vector<element> found_;        // read_fields: each field's value
  std::vector<int> seen_;             // read_fields: how often each field's key appears
};

// Splits a stream into lines at LF, CRLF or CR, reading it in chunks. A line longer than
// kMaxRecordBytes is skipped to its end, not kept.
class LineSplitter {
 public:
  explicit LineSplitter(std::istream& in) : in_(in) {}

  // The next line (without its end) into `out`: a view into the block it lies in (out.view and
  // out.block), or, for a line across blocks or a long one, a copy in out.text. False at the
  // end of the input. `too_long` says the line was over the limit (out.text is then empty).
  bool next(RawRecord& out, bool& too_long) {
    std::string& line = out.text;
    line.clear();
    out.block.reset();
    out.view = {};
    too_long = false;
    if (!fill()) return false;
    bool pieces = false;  // part of the line is in `line`, from a block before
    while (true) {
      if (!fill()) return !failed_;  // the last line has no line end; or the input failed: no line
      const char* b = buf_->data() + pos_;
      const char* e = buf_->data() + end_;
      // The line ends at the first LF or CR: memchr finds the LF; the next CR in the block is
      // looked for once and remembered (most files have none, or one before each LF).
      if (!cr_known_ || cr_ < pos_) {
        cr_known_ = true;
        const void* c = std::memchr(b, '\r', end_ - pos_);
        cr_ = c ? static_cast<size_t>(static_cast<const char*>(c) - buf_->data()) : end_;
      }
      const char* p = static_cast<const char*>(std::memchr(b, '\n', cr_ - pos_));
      if (!p) p = buf_->data() + cr_;
      size_t len = static_cast<size_t>(p - b);
      pos_ += len;
      // A line within a block, and not long, is a view; a long one is copied, so that a batch
      // of long lines does not hold a block per line (memory is bounded by the lines' bytes).
      if (!pieces && p != e && len <= kLongLine) {
        ++pos_;
        out.view = std::string_view(b, len);
        out.block = buf_;
      } else {
        if (!too_long && line.size() + len > kMaxRecordBytes) {
          too_long = true;
          std::string().swap(line);
        }
        if (!too_long) line.append(b, len);
        pieces = true;
        if (p == e) continue;  // the line goes on in the next block
        ++pos_;
        // Room for simdjson to read past the end, so that it parses the line where it lies.
        if (line.capacity() < line.size() + simdjson::SIMDJSON_PADDING) line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
      }
      if (*p == '\r' && fill() && buf_->data()[pos_] == '\n') ++pos_;  // CRLF is one line end
      return true;
    }
  }

 private:
  // Reads the next block when this one is used up, into a block no record holds any more.
  bool fill() {
    if (pos_ < end_) return true;
    buf_.reset();
    for (const auto& b : blocks_)
      if (b.use_count() == 1) buf_ = b;
    if (!buf_) {
      // Room past the end for simdjson (SIMDJSON_PADDING), which reads a line where it lies.
      blocks_.push_back(std::make_shared<Block>(kBlock + simdjson::SIMDJSON_PADDING));
      buf_ = blocks_.back();
    }
    in_.read(buf_->data(), static_cast<std::streamsize>(kBlock));
    end_ = static_cast<size_t>(in_.gcount());
    // The padding simdjson may read past the last line holds zeros, not what the block held.
    std::memset(buf_->data() + end_, 0, simdjson::SIMDJSON_PADDING);
    pos_ = 0;
    cr_known_ = false;
    if (end_ == 0) failed_ = in_.bad();  // damaged compressed data: a cut line is no line
    return end_ > 0;
  }

  // Small enough that, on one thread, the two blocks used in turn stay in a core's cache (the
  // machine of docs/performance.md has 2 MiB of L2 per core), large enough that few lines run
  // across two.
  static constexpr size_t kBlock = size_t{1} << 18;
  // Lines longer than this are copied: a view holds its whole block.
  static constexpr size_t kLongLine = kBlock / 8;
  bool failed_ = false;
  std::istream& in_;
  // Blocks of input; records hold the ones their lines lie in, and a block is read into again
  // once none does (with several threads, a few batches' worth are in use).
  std::vector<std::shared_ptr<Block>> blocks_;
  std::shared_ptr<Block> buf_;  // the block being split, of which [0, end_) was read
  size_t end_ = 0;
  size_t pos_ = 0;
  size_t cr_ = 0;  // where the next CR at or after pos_ is in the block (end_ for none), once looked for
  bool cr_known_ = false;
};

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// Splits the input into lines, skipping blank ones (nothing but spaces and tabs).
class JsonlReader : public RecordReader {
 public:
  JsonlReader(std::istream& in, const check::CheckedModel& m, bool strict, bool one_pass)
      : lines_(in), model_(m), strict_(strict), one_pass_(one_pass) {}

  bool next_run(RawRecord& out, size_t) override {  // one line at a time
    bool too_long;
    do {
      if (!lines_.next(out, too_long)) return false;
      ++line_no_;
      if (line_no_ == 1 && out.input().starts_with("\xEF\xBB\xBF")) {  // byte order mark
        if (out.block) out.view.remove_prefix(3);
        else out.text.erase(0, 3);
      }
    } while (!too_long && blank(out.input()));
    out.error.clear();
    if (too_long)
      out.error = fmt::format("the line is longer than the limit of {} ({} bytes) for one record; it was not read", kMaxRecordText,
                              kMaxRecordBytes);
    out.line = line_no_;
    out.number = ++count_;
    return true;
  }

  std::unique_ptr<RawDecoder> make_decoder() const override {
    return std::make_unique<JsonlDecoder>(model_, false, strict_, one_pass_);
  }

 private:
  LineSplitter lines_;
  const check::CheckedModel& model_;
  bool strict_;
  bool one_pass_;
  int64_t line_no_ = 0;
  int64_t count_ = 0;
};

}  // namespace

std::unique_ptr<RecordReader> open_jsonl_reader(std::istream& in, const check::CheckedModel& model, bool strict, bool one_pass) {
  return std::make_unique<JsonlReader>(in, model, strict, one_pass);
}

std::unique_ptr<RawDecoder> make_json_document_decoder(const check::CheckedModel& model) {
  return std::make_unique<JsonlDecoder>(model, true, true);  // one lead from a program: no warning channel, so strict
}

}  // namespace rubric::io
