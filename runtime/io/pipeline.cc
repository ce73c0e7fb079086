// The scoring loop: one record at a time, so memory does not grow with the input.
#include "runtime/io/pipeline.h"

#include <fmt/format.h>

namespace rubric::io {

RunStats run_scoring(RecordReader& reader, const interp::Scorer& interp, ResultWriter& writer,
                     const RunOptions& opts, std::ostream& errors) {
  RunStats stats;
  InputRecord rec;
  writer.header();
  while (reader.next(rec)) {
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
      writer.row(rec, interp.score(rec.record, opts.as_of, opts.explain));
      ++stats.scored;
    }
    if (opts.progress && rec.number % opts.progress_every == 0) opts.progress(rec.number);
  }
  writer.flush();
  return stats;
}

}  // namespace rubric::io
