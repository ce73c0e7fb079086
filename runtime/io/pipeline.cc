// The scoring loop: a batch of records at a time (so memory does not grow with the input),
// optionally scored on several threads while the next batch is read.
#include "runtime/io/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace rubric::io {

namespace {

constexpr size_t kBatch = 1024;

// One batch on its way through: the records read, which were good, and their outcomes.
struct Slot {
  std::vector<InputRecord> records = std::vector<InputRecord>(kBatch);
  size_t n = 0;
  std::vector<const interp::Record*> good;
  std::vector<interp::Outcome> outcomes;
};

// Scores a slot's good records, split over `threads` threads (each scorer is thread-safe).
void score_slot(Slot& slot, const interp::Scorer& scorer, const RunOptions& opts) {
  slot.good.clear();
  for (size_t i = 0; i < slot.n; ++i)
    if (slot.records[i].ok()) slot.good.push_back(&slot.records[i].record);
  slot.outcomes.resize(slot.good.size());
  size_t n = slot.good.size();
  // One thread reads while the others score, so scoring gets threads - 1 of them.
  size_t parts = std::min<size_t>(std::max(1, opts.threads - 1), std::max<size_t>(1, n / 64));
  if (parts <= 1) {
    scorer.score_batch(slot.good.data(), n, opts.as_of, opts.explain, slot.outcomes.data());
    return;
  }
  std::vector<std::thread> workers;
  size_t per = (n + parts - 1) / parts;
  for (size_t p = 0; p < parts; ++p) {
    size_t from = p * per, len = std::min(per, n - std::min(n, from));
    if (len == 0) break;
    workers.emplace_back([&, from, len] {
      scorer.score_batch(slot.good.data() + from, len, opts.as_of, opts.explain, slot.outcomes.data() + from);
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace

RunStats run_scoring(RecordReader& reader, const interp::Scorer& scorer, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors) {
  RunStats stats;
  writer.header();
  // Records are read, scored and written a batch at a time, so memory stays bounded and rows
  // keep the input order. With more than one thread, the next batch is read while the current
  // one is scored (split over the threads), and written after.
  Slot slots[2];
  auto read = [&](Slot& slot) {
    slot.n = 0;
    while (slot.n < kBatch && reader.next(slot.records[slot.n])) ++slot.n;
    return slot.n > 0;
  };
  auto write = [&](Slot& slot) {
    size_t k = 0;
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
        writer.row(rec, slot.outcomes[k++]);
        ++stats.scored;
      }
      if (opts.progress && rec.number % opts.progress_every == 0) opts.progress(rec.number);
    }
  };
  if (opts.threads <= 1) {
    while (read(slots[0])) {
      score_slot(slots[0], scorer, opts);
      write(slots[0]);
    }
  } else {
    bool have = read(slots[0]);
    int cur = 0;
    while (have) {
      std::thread scoring([&, cur] { score_slot(slots[cur], scorer, opts); });
      bool next = read(slots[1 - cur]);  // meanwhile
      scoring.join();
      write(slots[cur]);
      cur = 1 - cur;
      have = next;
    }
  }
  writer.flush();
  return stats;
}

}  // namespace rubric::io
