// SPDX-License-Identifier: Apache-2.0
// Fuzz target: flat event files joined to leads (`--events`). The first byte chooses the formats
// (leads and events each CSV or JSON Lines); the rest is split at the first 0x1E byte into the
// leads file and the events file. Both are scored through the CLI's loop, with the events
// loaded (on one and on two threads, the events file decoded on a second thread too: the same
// bytes and the same counts) and streamed (--events-sorted). Checked:
// one row per lead whatever the events hold; every event row accounted for in the summary;
// and when streaming accepts the files (they are sorted), it gives the loaded rows exactly.
// Nothing may throw (but the streaming InputError), crash or hang.
#include <cstdint>
#include <sstream>
#include <string>

#include "compiler/driver/driver.h"
#include "runtime/interp/interp.h"
#include "runtime/io/events.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace rubric;

const char* kModel = R"rubric(model "fuzz events"

missing values: "", "n/a"

lead:
  id: string key
  title: optional string

event:
  kind: enum {page_view, email_open "Email Opened", demo_request}
  page: optional string
  timestamp: time
  seconds: optional number decimal comma

pages pricing: "*/pricing*"

score engagement, decay half-life 30 days:
  visited pricing within 7 days: +15 "pricing this week"
  opened email within 30 days: +2 each, at most 10 "email opens"
  sum of seconds over visited any page within 30 days > 600: +3 "reads"
  days since last requested demo < 14: +5 "demo"
  never visited any page within 60 days: -10 "gone quiet"
)rubric";

constexpr int64_t kAsOf = 1793491200000;  // 2026-11-01, in milliseconds

const std::shared_ptr<const check::CheckedModel>& model() {
  static const std::shared_ptr<const check::CheckedModel> m = [] {
    driver::Compilation c = driver::compile_source("fuzz_events.rubric", kModel);
    if (!c.ok()) fuzz::finding("the fixed model does not compile:\n" + diag::render_text(c.diagnostics, *c.sources, false));
    return c.model;
  }();
  return m;
}

struct Run {
  bool refused = false;   // the files could not be opened (a header without a column, say)
  bool unsorted = false;  // streaming stopped: the files are not sorted
  std::string rows;
  io::RunStats stats;
  io::EventsSummary events;
  int64_t leads = 0;      // records of the leads file alone
};

Run run(const std::string& leads, const std::string& events, io::InputFormat lf, io::InputFormat ef, bool sorted, int threads) {
  Run r;
  io::ReaderOptions lo;
  lo.format = lf;
  std::istringstream lin(leads), ein(events), count_in(leads);
  std::string fatal;
  auto reader = io::open_reader(lin, *model(), lo, fatal);
  auto counter = io::open_reader(count_in, *model(), lo, fatal);
  if (!reader || !counter) {
    r.refused = true;
    return r;
  }
  io::InputRecord rec;
  while (counter->next(rec)) ++r.leads;
  io::EventsSpec spec;
  spec.path = ef == io::InputFormat::Csv ? "events.csv" : "events.jsonl";
  spec.sorted = sorted;
  spec.threads = threads;  // loaded: decoded on a second thread too
  std::string error;
  auto file = io::open_events(ein, "events", spec, model(), error);
  if (!file) {
    if (error.empty()) fuzz::finding("the events file was refused without saying why");
    r.refused = true;
    return r;
  }
  reader = io::join_events(std::move(reader), file);
  interp::Interpreter interp(model());
  std::ostringstream out, errors;
  io::ResultWriter writer(out, *model(), {io::OutputFormat::Csv, ',', true});
  io::RunOptions opts;
  opts.as_of = kAsOf;
  opts.explain = true;
  opts.threads = threads;
  opts.input_name = "leads";
  try {
    r.stats = io::run_scoring(*reader, interp, writer, opts, errors);
    r.events = io::finish_events(*file);
  } catch (const io::InputError& e) {
    if (!sorted) fuzz::finding(std::string("loaded events threw: ") + e.what());
    r.unsorted = true;
    return r;
  }
  writer.flush();
  r.rows = out.str();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const io::InputFormat lf = data[0] & 1 ? io::InputFormat::Csv : io::InputFormat::Jsonl;
  const io::InputFormat ef = data[0] & 2 ? io::InputFormat::Csv : io::InputFormat::Jsonl;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t cut = rest.find('\x1e');
  std::string leads = rest.substr(0, cut), events = cut == std::string::npos ? "" : rest.substr(cut + 1);

  Run one = run(leads, events, lf, ef, false, 1);
  if (one.refused) return 0;
  if (one.stats.scored + one.stats.errors != one.leads)
    fuzz::finding(fmt::format("{} leads read, {} scored and {} errors with events", one.leads, one.stats.scored, one.stats.errors));
  const io::EventsSummary& s = one.events;
  // Each row is an event given to leads, a row of a lead not in the input, a row without a key,
  // or (with a lead) an error or a skipped event: never more than the rows.
  if (s.joined + s.orphans + s.unreadable > s.rows)
    fuzz::finding(fmt::format("the events summary does not add up: {} rows, {} joined, {} orphans, {} keyless, {} skipped", s.rows,
                              s.joined, s.orphans, s.unreadable, s.skipped));
  Run two = run(leads, events, lf, ef, false, 2);
  if (two.rows != one.rows) fuzz::finding("two threads wrote other rows than one:\n" + one.rows + "\n--\n" + two.rows);
  const io::EventsSummary& t = two.events;
  if (t.rows != s.rows || t.joined != s.joined || t.skipped != s.skipped || t.orphans != s.orphans ||
      t.orphan_leads != s.orphan_leads || t.first_orphan != s.first_orphan || t.unreadable != s.unreadable ||
      t.messages != s.messages)
    fuzz::finding(fmt::format("two threads counted the events otherwise: {} rows, {} joined, {} skipped, {} orphans against {}, {}, "
                              "{}, {}", t.rows, t.joined, t.skipped, t.orphans, s.rows, s.joined, s.skipped, s.orphans));
  Run streamed = run(leads, events, lf, ef, true, 1);
  if (!streamed.refused && !streamed.unsorted && streamed.rows != one.rows)
    fuzz::finding("streamed sorted events gave other rows than loaded ones:\n" + one.rows + "\n--\n" + streamed.rows);
  return 0;
}
