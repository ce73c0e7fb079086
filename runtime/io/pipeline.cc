// The scoring loop: one record at a time, so memory does not grow with the input.
#include "runtime/io/pipeline.h"

#include <fmt/format.h>

namespace rubric::io {

RunStats run_scoring(RecordReader& reader, const interp::Scorer& scorer, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors) {
  RunStats stats;
  writer.header();
  // Records are read, scored and written a batch at a time (back ends that work on batches
  // get the whole batch), so memory stays bounded and rows keep the input order.
  constexpr size_t kBatch = 1024;
  std::vector<InputRecord> batch(kBatch);
  std::vector<const interp::Record*> good;
  std::vector<interp::Outcome> outcomes;
  bool more = true;
  while (more) {
    size_t n = 0;
    while (n < kBatch && (more = reader.next(batch[n]))) ++n;
    good.clear();
    for (size_t i = 0; i < n; ++i)
      if (batch[i].ok()) good.push_back(&batch[i].record);
    outcomes.resize(good.size());
    scorer.score_batch(good.data(), good.size(), opts.as_of, opts.explain, outcomes.data());
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      const InputRecord& rec = batch[i];
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
        writer.row(rec, outcomes[k++]);
        ++stats.scored;
      }
      if (opts.progress && rec.number % opts.progress_every == 0) opts.progress(rec.number);
    }
  }
  writer.flush();
  return stats;
}

}  // namespace rubric::io
