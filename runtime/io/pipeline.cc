// SPDX-License-Identifier: Apache-2.0
// The scoring loop: a batch of records at a time (so memory does not grow with the input).
// With several threads, the reader only splits records off the input; the threads decode and
// score parts of a batch while the next batch is split and the one before is written.
#include "runtime/io/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "runtime/io/limits.h"

namespace rubric::io {

namespace {

constexpr size_t kBatch = 1024;

// The bytes of a raw record's input, and the release of a huge one's buffers (kept, they would
// add up over the positions of a batch).
size_t raw_bytes(const RawRecord& r) {
  size_t n = r.text.size();
  for (const std::string& c : r.cells) n += c.size();
  return n;
}
size_t text_bytes(const InputRecord& r) {
  size_t n = 0;
  for (const check::Value& v : r.record.fields) n += v.kind == check::Value::Kind::String ? v.s.size() : 0;
  for (const interp::Event& e : r.record.events)
    for (const check::Value& v : e.fields) n += v.kind == check::Value::Kind::String ? v.s.size() : 0;
  return n;
}
void release_if_huge(RawRecord& r) {
  constexpr size_t kKeep = size_t{1} << 20;
  size_t cap = r.text.capacity();
  for (const std::string& c : r.cells) cap += c.capacity();
  if (cap > kKeep) {
    std::string().swap(r.text);
    std::vector<std::string>().swap(r.cells);
  }
}

// One batch on its way through: raw input, the records decoded from it, and their outcomes
// (by position; only good records have one).
struct Slot {
  std::vector<RawRecord> raws = std::vector<RawRecord>(kBatch);
  std::vector<InputRecord> records = std::vector<InputRecord>(kBatch);
  std::vector<interp::Outcome> outcomes = std::vector<interp::Outcome>(kBatch);
  size_t n = 0;
};

// Scores the good records among records[from, to) into their outcomes.
void score_range(Slot& slot, size_t from, size_t to, const interp::Scorer& scorer, const RunOptions& opts) {
  std::vector<const interp::Record*> good;
  std::vector<size_t> where;
  for (size_t i = from; i < to; ++i)
    if (slot.records[i].ok()) {
      good.push_back(&slot.records[i].record);
      where.push_back(i);
    }
  if (good.size() == to - from) {  // all good, the usual case: straight into place
    scorer.score_batch(good.data(), good.size(), opts.as_of, opts.explain, slot.outcomes.data() + from);
    return;
  }
  std::vector<interp::Outcome> out(good.size());
  scorer.score_batch(good.data(), good.size(), opts.as_of, opts.explain, out.data());
  for (size_t k = 0; k < where.size(); ++k) slot.outcomes[where[k]] = std::move(out[k]);
}

}  // namespace

RunStats run_scoring(RecordReader& reader, const interp::Scorer& scorer, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors) {
  RunStats stats;
  writer.header();
  auto write = [&](Slot& slot) {
    for (size_t i = 0; i < slot.n; ++i) {
      const InputRecord& rec = slot.records[i];
      if (!rec.ok()) {
        ++stats.errors;
        std::string all;
        for (const auto& e : rec.errors) all += (all.empty() ? "" : "; ") + e;
        if (stats.errors <= opts.max_error_messages)
          errors << fmt::format("{}:{}: error: {}\n", opts.input_name, rec.line, all);
        else if (stats.errors == opts.max_error_messages + 1)
          errors << "... more record errors are counted but not shown\n";
        if (opts.skip_errors) ++stats.skipped;
        else writer.error_row(rec, all);
      } else {
        writer.row(rec, slot.outcomes[i]);
        ++stats.scored;
        if (!rec.warnings.empty()) {
          ++stats.warned_leads;
          for (const std::string& w : rec.warnings) {
            if (++stats.warnings <= opts.max_error_messages)
              errors << fmt::format("{}:{}: warning: {}\n", opts.input_name, rec.line, w);
            else if (stats.warnings == opts.max_error_messages + 1)
              errors << "... more warnings are counted but not shown\n";
          }
        }
      }
      if (opts.progress && rec.number % opts.progress_every == 0) opts.progress(rec.number);
    }
  };
  if (opts.threads <= 1 || reader.sequential()) {
    Slot slot;
    while (true) {
      slot.n = 0;
      size_t bytes = 0;
      while (slot.n < kBatch && bytes < kMaxBatchBytes && reader.next(slot.records[slot.n]))
        bytes += text_bytes(slot.records[slot.n++]);
      if (slot.n == 0) break;
      score_range(slot, 0, slot.n, scorer, opts);
      write(slot);
    }
    writer.flush();
    return stats;
  }
  // Several threads: this one splits batch k+1 off the input and writes batch k-1 while
  // `threads` workers decode and score batch k, each its own part with its own decoder.
  size_t workers = static_cast<size_t>(opts.threads);
  std::vector<std::unique_ptr<RawDecoder>> decoders;
  for (size_t w = 0; w < workers; ++w) decoders.push_back(reader.make_decoder());
  // A batch ends at kBatch records or kMaxBatchBytes of input, whichever comes first.
  auto split = [&](Slot& slot) {
    slot.n = 0;
    size_t bytes = 0;
    while (slot.n < kBatch && bytes < kMaxBatchBytes) {
      release_if_huge(slot.raws[slot.n]);
      if (!reader.next_raw(slot.raws[slot.n])) break;
      bytes += raw_bytes(slot.raws[slot.n++]);
    }
    return slot.n > 0;
  };
  Slot slots[2];  // declared before the workers, so that they are joined before it goes
  // The workers of one batch; joined before anything else touches the batch, also when an
  // exception leaves this function (a thread that cannot start, say).
  struct Running {
    std::vector<std::thread> threads;
    void join() {
      for (auto& t : threads)
        if (t.joinable()) t.join();
      threads.clear();
    }
    ~Running() { join(); }
  } running;
  auto process = [&](Slot& slot) {
    // At least 64 records a thread: fewer cost more to hand out than they take to score.
    size_t parts = std::min(workers, std::max<size_t>(1, slot.n / 64));
    size_t per = (slot.n + parts - 1) / parts;
    for (size_t w = 0; w < parts; ++w) {
      size_t from = w * per, to = std::min(slot.n, from + per);
      if (from >= to) break;
      running.threads.emplace_back([&, w, from, to] {
        for (size_t i = from; i < to; ++i) decoders[w]->decode(slot.raws[i], slot.records[i]);
        score_range(slot, from, to, scorer, opts);
      });
    }
  };
  int cur = 0;
  bool have = split(slots[cur]);
  if (have) process(slots[cur]);
  while (have) {
    bool next = split(slots[1 - cur]);
    running.join();
    Slot& done = slots[cur];
    cur = 1 - cur;
    if (next) process(slots[cur]);
    write(done);
    have = next;
  }
  writer.flush();
  return stats;
}

}  // namespace rubric::io
