// SPDX-License-Identifier: Apache-2.0
// Flat event files joined to leads by key (see events.h). The events file is read with the
// ordinary CSV and JSON Lines readers, through a model whose "lead" is one event: the event
// fields, the kind as text (so that an unknown kind can skip its event instead of failing the
// row), and the lead key column. Each row becomes an interp::Event of the lead with that key.
#include "runtime/io/events.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/input.h"
#include "runtime/io/limits.h"

namespace rubric::io {

namespace {

constexpr size_t kMaxMessages = 100;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The order of --events-sorted: whole numbers numerically, before all other keys, which go
// byte by byte (as `LC_ALL=C sort`); equal numbers written differently (`7`, `007`) by their
// bytes. A total order in which only the same text is equal, as keys join.
int compare_keys(std::string_view a, std::string_view b) {
  bool da = all_digits(a), db = all_digits(b);
  if (da != db) return da ? -1 : 1;
  if (da) {
    std::string_view x = a, y = b;
    while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
    while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    if (int c = x.compare(y)) return c < 0 ? -1 : 1;
  }
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// A lead's events, packed into bytes while the file is held: per event its time, then per
// field a kind byte and its payload (8 bytes for whole numbers, times, enums, numbers and
// durations; 1 for a bool; a 4-byte length and the bytes for text; nothing when missing).
// About 60 bytes for a page view with its URL, against some 330 as interp::Event (56 bytes a
// Value, a vector, and the URL's own allocation). Unpacked into the lead when it is scored.
class PackedEvents {
 public:
  static_assert(kMaxRecordBytes <= UINT32_MAX, "a text's length must fit its 4 bytes");
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  void clear() {
    bytes_.clear();
    count_ = 0;
  }
  void swap(PackedEvents& o) {
    bytes_.swap(o.bytes_);
    std::swap(count_, o.count_);
  }
  size_t byte_size() const { return bytes_.size(); }
  // Appends the one event that `from` holds in bytes [begin, end) (packed by another add()).
  void append_packed(const PackedEvents& from, size_t begin, size_t end) {
    bytes_.append(from.bytes_, begin, end - begin);
    ++count_;
  }
  void shrink_if_loose() {
    if (bytes_.capacity() - bytes_.size() > bytes_.size() / 4) bytes_.shrink_to_fit();
  }
  // Moves `run`'s events after these (leaving `run` empty, its room kept): the first run of a
  // lead is copied into room of its exact size.
  void append(PackedEvents& run) {
    if (bytes_.empty()) {
      bytes_.reserve(run.bytes_.size());
      bytes_.assign(run.bytes_);
    } else {
      bytes_.append(run.bytes_);
    }
    count_ += run.count_;
    run.clear();
  }

  // Appends an event: its time and `fields` (the event schema's, in order).
  void add(int64_t time, const check::Value* fields, size_t n) {
    put(&time, 8);
    for (size_t i = 0; i < n; ++i) {
      const check::Value& v = fields[i];
      char kind = static_cast<char>(v.kind);
      put(&kind, 1);
      switch (v.kind) {
        case check::Value::Kind::Missing: break;
        case check::Value::Kind::Bool: put(&v.b, 1); break;
        case check::Value::Kind::Int:
        case check::Value::Kind::Time:
        case check::Value::Kind::Enum: put(&v.i, 8); break;
        case check::Value::Kind::Number:
        case check::Value::Kind::Duration: put(&v.d, 8); break;
        case check::Value::Kind::String: {
          uint32_t len = static_cast<uint32_t>(v.s.size());
          put(&len, 4);
          put(v.s.data(), v.s.size());
          break;
        }
      }
    }
    ++count_;
  }

  // Appends the events to `out`, each with `n` fields.
  void unpack_into(std::vector<interp::Event>& out, size_t n) const {
    const char* p = bytes_.data();
    out.reserve(out.size() + count_);
    for (size_t e = 0; e < count_; ++e) {
      interp::Event& ev = out.emplace_back();
      get(p, &ev.time, 8);
      ev.fields.resize(n);
      for (size_t i = 0; i < n; ++i) {
        check::Value& v = ev.fields[i];
        v.kind = static_cast<check::Value::Kind>(*p++);
        switch (v.kind) {
          case check::Value::Kind::Missing: break;
          case check::Value::Kind::Bool: get(p, &v.b, 1); break;
          case check::Value::Kind::Int:
          case check::Value::Kind::Time:
          case check::Value::Kind::Enum: get(p, &v.i, 8); break;
          case check::Value::Kind::Number:
          case check::Value::Kind::Duration: get(p, &v.d, 8); break;
          case check::Value::Kind::String: {
            uint32_t len;
            get(p, &len, 4);
            v.s.assign(p, len);
            p += len;
            break;
          }
        }
      }
    }
  }

 private:
  void put(const void* data, size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  static void get(const char*& p, void* to, size_t n) {
    std::memcpy(to, p, n);
    p += n;
  }
  std::string bytes_;
  size_t count_ = 0;
};

// The events of one lead, as read from the file.
struct Group {
  std::string key;
  PackedEvents events;
  std::vector<std::string> errors, warnings;  // with the events file's name and line
  int64_t rows = 0;
  int64_t first_line = 0;
  std::atomic<bool> used{false};  // a lead took them (loaded mode: set from decoding threads)

  // Takes `from`'s contents (a Group is not movable, for its atomic).
  void take(Group& from) {
    key.swap(from.key);
    events.swap(from.events);
    errors.swap(from.errors);
    warnings.swap(from.warnings);
    rows = from.rows;
    first_line = from.first_line;
    used = false;
  }
  void clear() {
    key.clear();
    events.clear();
    errors.clear();
    warnings.clear();
    rows = 0;
    first_line = 0;
    used = false;
  }
};

// A model whose lead is one event row: the event fields, the kind as text, then the key.
std::shared_ptr<const check::CheckedModel> event_row_model(const std::shared_ptr<const check::CheckedModel>& m) {
  return derived_model(m, [](check::CheckedModel& row) {
    row.lead.fields = row.event.fields;
    check::Field& kind = row.lead.fields[row.event_kind_field];
    kind.type = check::Type{};
    kind.type.kind = check::TypeKind::String;
    check::Field key = text_field(row.event_key_column, row.event_key_column);
    key.optional = false;
    row.lead.fields.push_back(std::move(key));
    row.key_field = static_cast<int>(row.lead.fields.size() - 1);
    row.has_events = false;
    row.event = check::Schema{};
  });
}

}  // namespace

class EventFile {
 public:
  EventFile(std::shared_ptr<const check::CheckedModel> model, std::string name, bool sorted, bool strict, int threads)
      : model_(std::move(model)), rows_model_(event_row_model(model_)), decoder_(*model_), name_(std::move(name)),
        sorted_(sorted), strict_(strict), threads_(threads) {}

  // Starts reading `in` (which must outlive this); in loaded mode reads it all.
  bool start(std::istream& in, const ReaderOptions& opts, std::string& error) {
    // An export of no activity at all (0 bytes, not even a header): no lead has events.
    if (in.peek() == std::istream::traits_type::eof() && !in.bad()) {
      warnings_.push_back(fmt::format("{}: the file is empty, so no lead gets events from it", name_));
      return true;
    }
    reader_ = open_reader(in, *rows_model_, opts, error);
    if (!reader_) return false;
    for (const std::string& w : reader_->warnings()) warnings_.push_back(fmt::format("{}: {}", name_, w));
    if (sorted_) return true;
    if (threads_ > 1) load_in_parallel();
    else load();
    // A file in time order reopens groups row by row, and they grew as strings grow: give back
    // room that is over a quarter of what they hold.
    for (Group& g : groups_) g.events.shrink_if_loose();
    reader_.reset();
    return true;
  }

  bool sorted() const { return sorted_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Gives `out` the events of its lead. Loaded mode: from any thread.
  void attach(InputRecord& out) {
    if (model_->key_field < 0) return;
    std::string_view key = trim(out.key);
    if (key.empty()) return;
    if (!sorted_) {
      auto it = by_key_.find(std::string(key));
      if (it == by_key_.end()) return;
      it->second->used.store(true, std::memory_order_relaxed);
      give(*it->second, out);
      return;
    }
    // Streaming: the leads come in key order; so do the groups of the events file.
    if (any_lead_ && compare_keys(key, last_lead_) < 0)
      throw InputError(fmt::format("the lead `{}` (record {}) comes after `{}`: with --events-sorted the leads must be "
                                   "sorted by key like the events (whole numbers numerically, other keys byte by byte)",
                                   key, out.number, last_lead_));
    if (any_lead_ && key == last_lead_) {  // the same key again: the same events
      if (taken_.key == key) give(taken_, out);
      return;
    }
    any_lead_ = true;
    last_lead_ = std::string(key);
    while (true) {
      if (!have_pending_ && !load_group()) return;
      int c = compare_keys(pending_.key, key);
      if (c > 0) return;  // the group waits for a later lead; this one has no events
      if (c < 0) {        // no lead of the input has this key
        orphan(pending_);
        have_pending_ = false;
        continue;
      }
      taken_.take(pending_);
      have_pending_ = false;
      taken_.used = true;
      summary_.joined += static_cast<int64_t>(taken_.events.size());
      give(taken_, out);
      return;
    }
  }

  EventsSummary finish() {
    if (sorted_) {
      if (have_pending_) orphan(pending_);
      have_pending_ = false;
      while (load_group()) {
        orphan(pending_);
        have_pending_ = false;
      }
      return summary_;
    }
    EventsSummary s = summary_;
    for (const Group& g : groups_) {
      if (g.used) s.joined += static_cast<int64_t>(g.events.size());
      else note_orphan(s, g);
    }
    return s;
  }

 private:
  // One row into its group: an event, or an error or warning of the group's lead. Takes the
  // row's values.
  void add_row(Group& g, InputRecord& row) { add_row(g, row, g.events); }
  // The same, its event into `into` (the loaded mode's run of the group's rows).
  void add_row(Group& g, InputRecord& row, PackedEvents& into) {
    std::string message;
    RowKind kind = pack_row(row, into, message);
    file_row(g, row, kind, message);
  }

  // What a row gives its lead: an event, an error (the row, or with --strict its kind, cannot
  // be read), or a warning that the event is skipped (an unknown kind, no time).
  enum class RowKind { Event, Error, Skipped };

  // Packs the row's event into `into`, or says in `message` why it gives none. Changes nothing
  // else (a decoding thread calls it): file_row then counts the row and files the message.
  RowKind pack_row(InputRecord& row, PackedEvents& into, std::string& message) const {
    if (!row.ok()) {
      message = fmt::format("{}:{}: {}", name_, row.line, row.error_text());
      return RowKind::Error;
    }
    const check::Field& kind = model_->event.fields[model_->event_kind_field];
    // The row's fields are the event's, then the key: the event is all but the last.
    std::vector<check::Value>& fields = row.record.fields;
    const size_t n = fields.size() - 1;
    check::Value& k = fields[model_->event_kind_field];
    if (!k.is_missing()) {
      std::string text = std::move(k.s), why;
      if (!decoder_.decode(kind, text, k, why)) {
        message = fmt::format("{}:{}: field `{}` (column {}): {}", name_, row.line, kind.name, text::json_string(kind.column), why);
        if (strict_) return RowKind::Error;
        message += "; the event is skipped";
        return RowKind::Skipped;
      }
    }
    const check::Value& t = fields[model_->event_time_field];
    if (t.is_missing()) {  // an optional time: an event that happened at no known time
      message = fmt::format("{}:{}: the event has no `{}`; it is skipped", name_, row.line,
                            model_->event.fields[model_->event_time_field].name);
      return RowKind::Skipped;
    }
    into.add(t.i, fields.data(), n);
    return RowKind::Event;
  }

  // Counts a row of `g` and files its warnings, and its error or skipped event's message.
  void file_row(Group& g, const InputRecord& row, RowKind kind, std::string& message) {
    ++summary_.rows;
    ++g.rows;
    for (const std::string& w : row.warnings) g.warnings.push_back(fmt::format("{}:{}: {}", name_, row.line, w));
    switch (kind) {
      case RowKind::Event: break;
      case RowKind::Error: g.errors.push_back(std::move(message)); break;
      case RowKind::Skipped:
        ++summary_.skipped;
        g.warnings.push_back(std::move(message));
        break;
    }
  }

  // Loaded mode: the group of `key`. The rows of `last` are held in `run` while they come one
  // after another, and moved into it when the key changes.
  Group& group_for(std::string_view key, int64_t line, Group*& last, PackedEvents& run) {
    if (last && last->key == key) return *last;
    if (last) last->events.append(run);
    auto it = by_key_.find(std::string(key));
    Group* g;
    if (it == by_key_.end()) {
      g = &groups_.emplace_back();
      g->key = std::string(key);
      g->first_line = line;
      by_key_.emplace(g->key, g);
    } else {
      g = it->second;
    }
    last = g;
    return *g;
  }

  // Loaded mode, one thread: reads, decodes and groups every row.
  void load() {
    InputRecord row;
    Group* last = nullptr;  // the group of the row before: exports list a lead's events together
    PackedEvents run;
    while (reader_->next(row)) {
      std::string_view key = trim(row.key);
      if (key.empty()) {  // a bad row with a key still belongs to its lead (and fails it)
        unreadable(row);
        continue;
      }
      add_row(group_for(key, row.line, last, run), row, run);
    }
    if (last) last->events.append(run);
  }

  // Loaded mode, with threads: this thread splits the file into runs of rows and groups them,
  // in order, while another decodes and packs them, two batches in turn. The same groups, in
  // the same order, with the same messages, as load().
  void load_in_parallel() {
    struct Row {
      InputRecord record;
      RowKind kind = RowKind::Event;
      std::string message;
      size_t end = 0;  // where its packed event ends in the batch's `packed`
    };
    struct Batch {
      std::vector<RawRecord> raws;
      size_t n_raws = 0;
      std::vector<Row> rows;
      size_t n_rows = 0;
      PackedEvents packed;
      int state = 0;  // 0: this thread's; 1: split, to decode; 2: decoded, to group
    };
    constexpr size_t kRowsPerBatch = 1024;  // 16 CSV runs, or 1,024 JSON lines
    Batch batches[2];
    std::mutex mu;
    std::condition_variable cv;
    bool stop = false;
    std::exception_ptr failed;
    auto set_state = [&](Batch& b, int state) {
      {
        std::lock_guard lock(mu);
        b.state = state;
      }
      cv.notify_all();
    };
    auto decoder = reader_->make_decoder();
    std::thread worker([&] {
      for (size_t b = 0;; b ^= 1) {
        Batch& batch = batches[b];
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return batch.state == 1 || stop; });
          if (batch.state != 1) return;
        }
        try {
          batch.n_rows = 0;
          batch.packed.clear();
          for (size_t i = 0; i < batch.n_raws; ++i)
            for (size_t k = 0; k < batch.raws[i].rows; ++k) {
              if (batch.rows.size() == batch.n_rows) batch.rows.emplace_back();
              Row& row = batch.rows[batch.n_rows++];
              decoder->decode_row(batch.raws[i], k, row.record);
              row.kind = pack_row(row.record, batch.packed, row.message);
              row.end = batch.packed.byte_size();
            }
        } catch (...) {
          std::lock_guard lock(mu);
          failed = std::current_exception();
        }
        set_state(batch, 2);
      }
    });
    auto stop_worker = [&] {
      {
        std::lock_guard lock(mu);
        stop = true;
      }
      cv.notify_all();
      worker.join();
    };
    bool at_end = false;
    auto split = [&](Batch& b) {  // true when it holds rows to decode
      b.n_raws = 0;
      for (size_t rows = 0; !at_end && rows < kRowsPerBatch;) {
        if (b.raws.size() == b.n_raws) b.raws.emplace_back();
        if (reader_->next_run(b.raws[b.n_raws], RecordReader::kRunRecords)) rows += b.raws[b.n_raws++].rows;
        else at_end = true;
      }
      return b.n_raws > 0;
    };
    Group* last = nullptr;
    PackedEvents run;
    try {
      bool handed[2] = {false, false};  // to the worker, and not grouped since
      for (size_t g = 0; g < 2; ++g)
        if ((handed[g] = split(batches[g]))) set_state(batches[g], 1);
      for (size_t g = 0; handed[g]; g ^= 1) {
        Batch& b = batches[g];
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return b.state == 2; });
          if (failed) std::rethrow_exception(failed);
        }
        size_t from = 0;
        for (size_t r = 0; r < b.n_rows; ++r) {
          Row& row = b.rows[r];
          std::string_view key = trim(row.record.key);
          if (key.empty()) {
            unreadable(row.record);
          } else {
            Group& group = group_for(key, row.record.line, last, run);
            if (row.kind == RowKind::Event) run.append_packed(b.packed, from, row.end);
            file_row(group, row.record, row.kind, row.message);
          }
          from = row.end;
        }
        b.state = 0;  // (the worker waits for 1: this thread's alone until then)
        if ((handed[g] = split(b))) set_state(b, 1);
      }
    } catch (...) {
      stop_worker();
      throw;
    }
    stop_worker();
    if (last) last->events.append(run);
  }

  void unreadable(const InputRecord& row) {
    ++summary_.rows;
    ++summary_.unreadable;
    if (summary_.messages.size() < kMaxMessages)
      summary_.messages.push_back(fmt::format("{}:{}: {}", name_, row.line,
                                              row.ok() ? fmt::format("no lead key in column {}", text::json_string(model_->event_key_column))
                                                       : row.error_text()));
  }

  void give(const Group& g, InputRecord& out) const {
    out.errors.insert(out.errors.end(), g.errors.begin(), g.errors.end());
    out.warnings.insert(out.warnings.end(), g.warnings.begin(), g.warnings.end());
    if (g.events.empty()) return;
    g.events.unpack_into(out.record.events, model_->event.fields.size());
    out.order_events();
  }

  void note_orphan(EventsSummary& s, const Group& g) const {
    s.orphans += g.rows;
    if (s.orphan_leads++ == 0) s.first_orphan = fmt::format("key `{}` ({}:{})", g.key, name_, g.first_line);
  }
  void orphan(const Group& g) { note_orphan(summary_, g); }

  // Streaming: reads the next group (the rows of one key) into pending_; false at the end.
  bool load_group() {
    pending_.clear();
    bool started = false;
    while (true) {
      if (!have_ahead_) {
        if (!reader_ || !reader_->next(ahead_)) break;
        have_ahead_ = true;
      }
      std::string_view key = trim(ahead_.key);
      if (key.empty()) {
        unreadable(ahead_);
        have_ahead_ = false;
        continue;
      }
      if (!started) {
        if (any_group_) {
          int c = compare_keys(key, last_group_);
          if (c == 0)
            throw InputError(fmt::format("{}:{}: the events of the lead `{}` are not all together: with --events-sorted the "
                                         "events file must be sorted by lead key",
                                         name_, ahead_.line, key));
          if (c < 0)
            throw InputError(fmt::format("{}:{}: the events are not sorted by lead key (`{}` comes after `{}`), as "
                                         "--events-sorted needs",
                                         name_, ahead_.line, key, last_group_));
        }
        started = true;
        any_group_ = true;
        last_group_ = std::string(key);
        pending_.key = last_group_;
        pending_.first_line = ahead_.line;
      } else if (key != pending_.key) {
        break;  // the next group's first row stays ahead
      }
      add_row(pending_, ahead_);
      have_ahead_ = false;
    }
    have_pending_ = started;
    return started;
  }

  std::shared_ptr<const check::CheckedModel> model_, rows_model_;
  Decoder decoder_;
  std::string name_;
  bool sorted_, strict_;
  int threads_;  // loaded mode: more than one decodes on a second thread
  std::unique_ptr<RecordReader> reader_;
  std::vector<std::string> warnings_;
  EventsSummary summary_;
  // Loaded mode.
  std::deque<Group> groups_;
  std::unordered_map<std::string, Group*> by_key_;
  // Streaming mode.
  Group pending_, taken_;
  bool have_pending_ = false;
  InputRecord ahead_;
  bool have_ahead_ = false;
  bool any_group_ = false, any_lead_ = false;
  std::string last_group_, last_lead_;

 public:
  std::unique_ptr<Input> input_;  // the file, when open_events opened it
};

namespace {

class JoinDecoder : public RawDecoder {
 public:
  JoinDecoder(std::unique_ptr<RawDecoder> inner, EventFile& events) : inner_(std::move(inner)), events_(events) {}
  void decode_row(const RawRecord& raw, size_t row, InputRecord& out) override {
    // The record's old events may be copies of joined ones: drop them here, or a reader that
    // keeps a record's events for their buffers (JSON Lines) would keep every joined event.
    out.record.events.clear();
    inner_->decode_row(raw, row, out);
    events_.attach(out);
  }

 private:
  std::unique_ptr<RawDecoder> inner_;
  EventFile& events_;
};

class JoinReader : public RecordReader {
 public:
  JoinReader(std::unique_ptr<RecordReader> leads, std::shared_ptr<EventFile> events)
      : leads_(std::move(leads)), events_(std::move(events)) {}
  bool next_run(RawRecord& out, size_t max_records) override { return leads_->next_run(out, max_records); }
  std::unique_ptr<RawDecoder> make_decoder() const override {
    return std::make_unique<JoinDecoder>(leads_->make_decoder(), *events_);
  }
  // The leads' own; the events file's are warnings(EventFile).
  std::vector<std::string> warnings() const override { return leads_->warnings(); }
  bool sequential() const override { return events_->sorted() || leads_->sequential(); }

 private:
  std::unique_ptr<RecordReader> leads_;
  std::shared_ptr<EventFile> events_;
};

}  // namespace

std::shared_ptr<EventFile> open_events(std::istream& in, const std::string& name, const EventsSpec& spec,
                                       std::shared_ptr<const check::CheckedModel> model, std::string& error) {
  if (!model->has_events) {
    error = "the model has no `event:` section, so it reads no events";
    return nullptr;
  }
  if (model->key_field < 0) {
    error = "events are joined to leads by key, and the model's `lead:` has no key field";
    return nullptr;
  }
  ReaderOptions opts;
  if (!reader_options_for(spec.path, spec.format, spec.delimiter, opts, error)) return nullptr;
  if (opts.guess) opts.format = InputFormat::Jsonl;  // the caller guesses from the content when it can
  opts.strict = spec.strict;
  auto file = std::make_shared<EventFile>(std::move(model), name, spec.sorted, spec.strict, spec.threads);
  if (!file->start(in, opts, error)) {
    error = fmt::format("{}: {}", name, error);
    return nullptr;
  }
  return file;
}

std::shared_ptr<EventFile> open_events(const EventsSpec& spec, std::shared_ptr<const check::CheckedModel> model,
                                       std::string& error) {
  ReaderOptions opts;
  if (!reader_options_for(spec.path, spec.format, spec.delimiter, opts, error)) return nullptr;
  auto input = std::make_unique<Input>();
  if (!input->open(spec.path, opts, error)) return nullptr;
  EventsSpec chosen = spec;
  chosen.format = opts.format == InputFormat::Csv ? "csv" : "jsonl";
  std::string name = spec.path == "-" ? "<stdin>" : spec.path;
  auto file = open_events(input->stream(), name, chosen, std::move(model), error);
  if (!file) return nullptr;
  if (!spec.sorted && input->stream().bad()) {
    error = fmt::format("reading {} failed part way{}", name, input->error().empty() ? "" : " (" + input->error() + ")");
    return nullptr;
  }
  file->input_ = std::move(input);
  return file;
}

std::unique_ptr<RecordReader> join_events(std::unique_ptr<RecordReader> leads, std::shared_ptr<EventFile> events) {
  return std::make_unique<JoinReader>(std::move(leads), std::move(events));
}

const std::vector<std::string>& warnings(const EventFile& events) { return events.warnings(); }

EventsSummary finish_events(EventFile& events) {
  EventsSummary s = events.finish();
  if (events.sorted() && events.input_ && events.input_->stream().bad())
    throw InputError(fmt::format("reading the events failed part way ({})", events.input_->error()));
  return s;
}

std::string describe(const EventsSummary& s, const std::string& name) {
  std::string out;
  if (s.orphans)
    out += fmt::format("{}: {} event{} of {} lead{} not in the input (the first: {})", name, s.orphans, s.orphans == 1 ? "" : "s",
                       s.orphan_leads, s.orphan_leads == 1 ? "" : "s", s.first_orphan);
  if (s.unreadable)
    out += fmt::format("{}{}: {} row{} without a readable lead key", out.empty() ? "" : "; ", name, s.unreadable,
                       s.unreadable == 1 ? "" : "s");
  return out;
}

}  // namespace rubric::io
