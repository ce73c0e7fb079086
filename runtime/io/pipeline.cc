// SPDX-License-Identifier: Apache-2.0
// The scoring loop: a batch of records at a time (so memory does not grow with the input).
// With several threads, the reader only splits records off the input; persistent worker threads
// decode and score a batch in chunks while the next batch is split and the one before is written.
#include "runtime/io/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "runtime/io/limits.h"

namespace rubric::io {

namespace {

constexpr size_t kBatch = 1024;
// Records a worker takes at a time: small enough that the workers (and the reading thread,
// when it helps) share a batch evenly, large enough that taking one costs nothing.
constexpr size_t kChunk = 64;
// Batches in flight with several threads: being written, decoded and scored, or queued; each
// stops at kSlotBytes of input, so that all of them hold no more than two batches of
// kMaxBatchBytes did when there were two.
constexpr size_t kSlots = 4;
constexpr size_t kSlotBytes = 2 * kMaxBatchBytes / kSlots;

// The bytes of a raw record's input, and the release of a huge one's buffers (kept, they would
// add up over the positions of a batch).
size_t raw_bytes(const RawRecord& r) {
  size_t n = r.input().size();
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
  size_t cap = r.text.capacity();
  for (const std::string& c : r.cells) cap += c.capacity();
  if (cap > kKeepBytes) {
    std::string().swap(r.text);
    std::vector<std::string>().swap(r.cells);
  }
}

// A chunk's records as they are decoded, scored and formatted, and their outcomes (by
// position; only good records have one). One per thread, reused chunk after chunk, so it stays
// in the cache: a batch of 1,024 decoded records (some 6 MB for leads with twenty events) did
// not, and writing each value into memory gone cold cost more than decoding it.
struct Work {
  std::vector<InputRecord> records = std::vector<InputRecord>(kChunk);
  std::vector<interp::Outcome> outcomes = std::vector<interp::Outcome>(kChunk);
};

// What the writing thread reports of a record once its row is made: counts, messages, progress.
struct alignas(64) Summary {
  int64_t line = 0, number = 0;
  bool ok = true;
  std::string error;  // when not ok
  std::vector<std::string> warnings;
};
// With several threads a worker writes a summary and the writing thread reads it: the texts,
// usually empty, are written only when they change, so that a good record's summary writes the
// cache line of its numbers alone.
void summarize(const InputRecord& rec, Summary& out) {
  out.line = rec.line;
  out.number = rec.number;
  out.ok = rec.ok();
  if (!out.ok) out.error = rec.error_text();
  else if (!out.error.empty()) out.error.clear();
  if (!rec.warnings.empty() || !out.warnings.empty()) out.warnings = rec.warnings;
}

// One batch on its way through: the raw input split off in order (with several threads), and
// per record its summary, per chunk its rows; every chunk but the last holds kChunk records.
// A raw record may be a run of rows (RawRecord::rows), never across chunks: chunk c's records
// are those of raws[first_raw[c], first_raw[c + 1]).
// Its vectors grow to what the batches need (grow_to), so that a run over a few records, as an
// API call on a few leads makes, does not first make and zero a thousand of each.
struct Slot {
  std::vector<RawRecord> raws;
  std::vector<Summary> summaries;
  std::vector<std::string> texts = std::vector<std::string>(kBatch / kChunk + 1);  // the output rows, per chunk
  size_t first_raw[kBatch / kChunk + 2] = {};
  size_t n = 0;     // records
  size_t raws_n = 0;  // raw records
  // Room for `records` summaries, on the thread that fills the slot, before any other uses it.
  void grow_to(size_t records) {
    if (summaries.size() < records) summaries.resize(std::min(kBatch, std::max(records, 2 * summaries.size())));
  }
};

// Scores the good records among work.records[0, n) into their outcomes.
void score_range(Work& work, size_t n, const interp::Scorer& scorer, const RunOptions& opts) {
  std::vector<const interp::Record*> good;
  std::vector<size_t> where;
  for (size_t i = 0; i < n; ++i)
    if (work.records[i].ok()) {
      good.push_back(&work.records[i].record);
      where.push_back(i);
    }
  if (good.size() == n) {  // all good, the usual case: straight into place
    scorer.score_batch(good.data(), good.size(), opts.as_of, opts.explain, work.outcomes.data());
    return;
  }
  std::vector<interp::Outcome> out(good.size());
  scorer.score_batch(good.data(), good.size(), opts.as_of, opts.explain, out.data());
  for (size_t k = 0; k < where.size(); ++k) work.outcomes[where[k]] = std::move(out[k]);
}

// The output rows of work.records[0, n), scored, into `text`, formatted where they were scored
// (on a worker, with several threads): a bad record's error row, or none with --on-error skip.
void format_rows(const Work& work, size_t n, std::string& text, const ResultWriter& writer, const RunOptions& opts) {
  text.clear();
  ResultWriter rows = writer.formatter(text);
  for (size_t i = 0; i < n; ++i) {
    const InputRecord& rec = work.records[i];
    if (rec.ok()) rows.row(rec, work.outcomes[i]);
    else if (!opts.skip_errors) rows.error_row(rec, rec.error_text());
  }
}

// What every chunk goes through once decoded into work.records[0, n), on whichever thread:
// scored, its rows formatted into `text`, and each record summarized into summaries[0, n).
void finish_chunk(Work& work, size_t n, std::string& text, Summary* summaries, const interp::Scorer& scorer,
                  const ResultWriter& writer, const RunOptions& opts) {
  score_range(work, n, scorer, opts);
  format_rows(work, n, text, writer, opts);  // so that the writing thread only appends them
  for (size_t i = 0; i < n; ++i) summarize(work.records[i], summaries[i]);
}

// Persistent worker threads, started once per run, working through a queue of chunks of the
// batches in the slots (0 to kSlots - 1): start() queues a batch's chunks behind those already
// queued, so that the workers go from one batch straight on to the next; finish() has the
// calling thread run queued chunks too until none of its batch is left, waits for the ones of
// it in progress, and rethrows the first exception a task of that batch threw. A worker the
// system deschedules (on a busy machine) delays only its chunk, and the others do not wait.
class Pool {
 public:
  using Task = std::function<void(size_t worker, size_t batch, size_t chunk)>;
  Pool(size_t workers, Task task) : task_(std::move(task)) {
    try {
      for (size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { loop(w); });
    } catch (...) {  // a thread that cannot start: stop those that did, then say so
      stop();
      throw;
    }
  }
  ~Pool() { stop(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void start(size_t batch, size_t chunks) {
    std::lock_guard<std::mutex> lock(m_);
    for (size_t c = 0; c < chunks; ++c) queue_.push_back({batch, c});
    pending_[batch] += chunks;
    work_.notify_all();
  }

  void finish(size_t worker, size_t batch) {
    std::unique_lock<std::mutex> lock(m_);
    while (pending_[batch] > 0) {
      if (!queue_.empty()) run_one(worker, lock);
      else done_.wait(lock, [&] { return pending_[batch] == 0; });  // only this thread queues
    }
    if (error_[batch]) std::rethrow_exception(std::exchange(error_[batch], nullptr));
  }

 private:
  void stop() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }
  void loop(size_t worker) {
    std::unique_lock<std::mutex> lock(m_);
    while (true) {
      work_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      run_one(worker, lock);
    }
  }
  // Takes the next queued chunk and runs it without the lock.
  void run_one(size_t worker, std::unique_lock<std::mutex>& lock) {
    auto [batch, chunk] = queue_.front();
    queue_.pop_front();
    lock.unlock();
    std::exception_ptr error;
    try {
      task_(worker, batch, chunk);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_[batch]) error_[batch] = error;
    if (--pending_[batch] == 0) done_.notify_all();
  }

  Task task_;
  std::mutex m_;
  std::condition_variable work_, done_;
  std::deque<std::pair<size_t, size_t>> queue_;  // (batch, chunk), in order
  size_t pending_[kSlots] = {};                   // per slot: chunks queued or running
  bool stop_ = false;
  std::exception_ptr error_[kSlots];  // per slot: a batch's error never stops those before it being written
  std::vector<std::thread> threads_;
};

}  // namespace

RunStats run_scoring(RecordReader& reader, const interp::Scorer& scorer, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors) {
  RunStats stats;
  writer.header();
  // Counts and reports a record.
  auto report = [&](const Summary& rec) {
    if (!rec.ok) {
      ++stats.errors;
      if (stats.errors <= opts.max_error_messages)
        errors << fmt::format("{}:{}: error: {}\n", opts.input_name, rec.line, rec.error);
      else if (stats.errors == opts.max_error_messages + 1)
        errors << "... more record errors are counted but not shown\n";
      if (opts.skip_errors) ++stats.skipped;
    } else {
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
  };
  // Reports a batch's records, then writes its rows: a run stopped part way (an input error)
  // has shown nothing for rows it did not write.
  auto write = [&](const Slot& slot) {
    for (size_t i = 0; i < slot.n; ++i) report(slot.summaries[i]);
    for (size_t c = 0; c * kChunk < slot.n; ++c) writer.append(slot.texts[c]);
  };
  if (opts.threads <= 1 || reader.sequential()) {
    // A chunk is decoded, scored and formatted before the next is read into the same records
    // (Work); the batch is written at once.
    Work work;
    Slot slot;
    bool more = true;
    while (more) {
      slot.n = 0;
      size_t bytes = 0;
      while (more && slot.n < kBatch && bytes < kMaxBatchBytes) {
        size_t n = 0;
        while (n < kChunk && bytes < kMaxBatchBytes && (more = reader.next(work.records[n])))
          bytes += text_bytes(work.records[n++]);
        if (n == 0) break;
        slot.grow_to(slot.n + n);
        finish_chunk(work, n, slot.texts[slot.n / kChunk], &slot.summaries[slot.n], scorer, writer, opts);
        slot.n += n;
      }
      write(slot);
    }
    writer.flush();
    return stats;
  }
  // Several threads: `threads` persistent workers decode, score and format batches in chunks
  // of 64 records (each into its own Work), taken one at a time from the pool's queue, while
  // this thread splits the next batch off the input, helps with what is left of the current
  // one and writes it.
  size_t workers = static_cast<size_t>(opts.threads);
  std::vector<std::unique_ptr<RawDecoder>> decoders;  // one per worker, and this thread's last
  for (size_t w = 0; w <= workers; ++w) decoders.push_back(reader.make_decoder());
  std::vector<Work> works(workers + 1);
  // A batch ends at kBatch records or kSlotBytes of input, whichever comes first. The records
  // past the end of a short batch let go of the blocks of input they viewed.
  // A CSV reader hands over up to a chunk's worth of plain rows as one raw record (a run), so
  // that this thread writes one record's cache lines for them, not one line per row.
  auto split = [&](Slot& slot) {
    slot.n = slot.raws_n = 0;
    size_t bytes = 0;
    while (slot.n < kBatch && bytes < kSlotBytes) {
      if (slot.raws_n == slot.raws.size()) slot.raws.emplace_back();
      RawRecord& raw = slot.raws[slot.raws_n];
      release_if_huge(raw);
      const size_t room = kChunk - slot.n % kChunk;
      if (!reader.next_run(raw, room)) break;
      if (raw.rows < 1 || raw.rows > room) throw std::logic_error("a reader split off a run longer than asked for");
      if (slot.n % kChunk == 0) slot.first_raw[slot.n / kChunk] = slot.raws_n;
      slot.n += raw.rows;
      ++slot.raws_n;
      bytes += raw_bytes(raw);
    }
    slot.first_raw[(slot.n + kChunk - 1) / kChunk] = slot.raws_n;
    slot.grow_to(slot.n);
    for (size_t i = slot.raws_n; i < slot.raws.size(); ++i) {  // (runs leave most of them unused for a while)
      release_if_huge(slot.raws[i]);
      slot.raws[i].block.reset();
    }
    return slot.n > 0;
  };
  Slot slots[kSlots];  // declared before the pool, so that its workers stop before the slots go
  Pool pool(workers, [&slots, &decoders, &works, &scorer, &opts, &writer](size_t worker, size_t batch, size_t chunk) {
    Slot& slot = slots[batch];
    size_t from = chunk * kChunk, n = std::min(slot.n, from + kChunk) - from;
    Work& work = works[worker];
    size_t i = 0;
    for (size_t r = slot.first_raw[chunk]; r < slot.first_raw[chunk + 1]; ++r)
      for (size_t k = 0; k < slot.raws[r].rows; ++k) decoders[worker]->decode_row(slot.raws[r], k, work.records[i++]);
    finish_chunk(work, n, slot.texts[chunk], &slot.summaries[from], scorer, writer, opts);
  });
  auto chunks = [](const Slot& slot) { return (slot.n + kChunk - 1) / kChunk; };
  // Batches go round the slots: this thread splits batches off the input until every slot is
  // taken (queuing each one's chunks behind those before), then helps with what is left of
  // the oldest and writes it, which frees its slot for the next batch. The workers thus have
  // kSlots - 1 batches ahead of them, and a reading thread the system deschedules for a while
  // does not leave them idle.
  size_t written = 0, split_off = 0;  // batches written, and split off the input
  bool more = true;
  while (true) {
    while (more && split_off - written < kSlots) {
      size_t at = split_off % kSlots;
      if (!(more = split(slots[at]))) break;
      pool.start(at, chunks(slots[at]));
      ++split_off;
    }
    if (written == split_off) break;
    size_t at = written % kSlots;
    pool.finish(workers, at);  // helps, as worker `workers`, until that batch is done
    write(slots[at]);
    ++written;
  }
  writer.flush();
  return stats;
}

}  // namespace rubric::io
