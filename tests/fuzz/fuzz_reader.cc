// SPDX-License-Identifier: Apache-2.0
// Fuzz target, built twice: fuzz_jsonl and fuzz_csv (RUBRIC_FUZZ_CSV). Bytes as a lead file →
// the reader for a fixed model that uses every kind of field → every record decoded (one at a
// time, split raw then decoded elsewhere as --threads does, and the general way with no one-pass
// path for good records: all must agree), each good
// record scored by the interpreter, the batch interpreter and the JIT (identical outcomes) and
// written; then the whole scoring loop on one and on two threads (identical bytes, and a
// summary that counts every record). Nothing may throw, crash or hang.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "compiler/driver/driver.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "tests/fuzz/fuzz.h"
#if RUBRIC_FUZZ_JIT
#include "runtime/jit/jit.h"
#endif

namespace {

using namespace rubric;

#if RUBRIC_FUZZ_CSV
constexpr io::InputFormat kFormat = io::InputFormat::Csv;
#else
constexpr io::InputFormat kFormat = io::InputFormat::Jsonl;
#endif

// Every kind of field (types, optional, enums with raw values and `otherwise`, `from`,
// per-field and model-wide missing texts, duration units) and of rule over them.
const char* kModel = R"rubric(model "fuzz readers"

missing values: "", "n/a"

lead:
  id: string key from "Lead ID"
  email: optional string
  title: optional string missing "unknown", "-"
  employees: optional int from "Number of Employees"
  revenue: optional number
  active: optional bool
  plan: optional enum {free, pro "Pro", enterprise "Enterprise (annual)", other otherwise}
  region: optional enum {emea, amer, apac}
  signed_up: optional time
  session: optional duration in minutes
  seen: optional duration

event:
  kind: enum {page_view, email_open, email_click, form_submit, download, webinar, cart_add, demo_request}
  page: optional string
  timestamp: time
  seconds: optional number

pages pricing: "*/pricing*", "*/plans*"

score fit, at most 60:
  title matches "\b(vp|director|chief)\b" ignoring case: +20 "decision maker"
  employees between 200 and 5000: +15 "mid-market"
  revenue / employees > 1000: +5 "rich"
  employees * 1000 > revenue: +1 "busy"
  email domain in {"gmail.com", "yahoo.com"}: -5 "free email"
  plan is enterprise: +10 "enterprise"
  active: +3 "active"
  region in {emea, amer}: +2 "region"
  signed_up within 30 days: +4 "new"
  days since signed_up > 400: -2 "old"
  session > 10 minutes: +1 "long session"
  seen < 1 hours: +1 "short visit"
  length(upper(trim(title))) > 40: -1 "long title"
  round(revenue) - employees > 0 or abs(employees) > 10: +1 "numbers"

score engagement, at least 0, decay half-life 30 days:
  visited pricing within 7 days: +15 "pricing this week"
  opened email within 30 days: +2 each, at most 10 "email opens"
  sum of seconds over visited any page within 30 days > 600: +3 "reads"
  count of clicked email within 90 days >= 2: +4 "clicks"
  days since last submitted form < 14: +5 "form"
  never visited any page within 60 days: -10 "gone quiet"

disqualify:
  title contains "student": "student"

tiers temperature:
  hot: total >= 50 and fit >= 20
  warm: total >= 20
  cold: otherwise
)rubric";

constexpr int64_t kAsOf = 1793491200000;  // 2026-11-01, in milliseconds

struct Fixture {
  std::shared_ptr<const check::CheckedModel> model;
  std::unique_ptr<interp::Interpreter> interp;
  std::unique_ptr<interp::BatchInterpreter> batch;
  std::shared_ptr<const interp::Scorer> jit;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture f;
    driver::Compilation c = driver::compile_source("fuzz_readers.rubric", kModel);
    if (!c.ok()) fuzz::finding("the fixed model does not compile:\n" + diag::render_text(c.diagnostics, *c.sources, false));
    f.model = c.model;
    f.interp = std::make_unique<interp::Interpreter>(f.model);
    f.batch = std::make_unique<interp::BatchInterpreter>(f.model);
#if RUBRIC_FUZZ_JIT
    if (fuzz::jit_enabled()) {
      std::string error;
      f.jit = jit::JitModel::compile(f.model, &error);
      if (!f.jit) fuzz::finding("the JIT cannot compile the fixed model: " + error);
    }
#endif
    return f;
  }();
  return f;
}

std::unique_ptr<io::RecordReader> open(std::istream& in, std::string& fatal, bool one_pass = true) {
  io::ReaderOptions opts;
  opts.format = kFormat;
  opts.one_pass = one_pass;
  return io::open_reader(in, *fixture().model, opts, fatal);
}

// The CLI's scoring loop over the bytes on `threads` threads: the output and the error stream.
std::string run(const std::string& bytes, int threads, io::RunStats& stats) {
  std::istringstream in(bytes);
  std::string fatal;
  auto reader = open(in, fatal);
  if (!reader) return "fatal: " + fatal;
  std::ostringstream out, errors;
  io::ResultWriter writer(out, *fixture().model, {io::OutputFormat::Csv, ',', true});
  writer.header();
  io::RunOptions opts;
  opts.as_of = kAsOf;
  opts.explain = true;
  opts.threads = threads;
  opts.input_name = "fuzz";
  stats = io::run_scoring(*reader, *fixture().interp, writer, opts, errors);
  writer.flush();
  return out.str() + "\n--\n" + errors.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& fx = fixture();
  std::string bytes(reinterpret_cast<const char*>(data), size);

  std::istringstream in(bytes), in_raw(bytes);
  std::string fatal, fatal_raw;
  auto reader = open(in, fatal);
  auto raw_reader = open(in_raw, fatal_raw);
  if (!reader || !raw_reader) {
    if (reader || raw_reader || fatal != fatal_raw) fuzz::finding("opening the same bytes twice gave different answers");
    if (fatal.empty()) fuzz::finding("the reader refused the input without saying why");
    return 0;
  }
  (void)reader->warnings();
  auto decoder = raw_reader->make_decoder();
  // Good records are read in one pass; the general way must read every record alike.
  std::istringstream in_general(bytes);
  std::string fatal_general;
  auto general = open(in_general, fatal_general, false);
  if (!general) fuzz::finding("read the general way, the bytes are refused: " + fatal_general);
  io::InputRecord rec3;
  std::ostringstream out;
  io::ResultWriter writer(out, *fx.model, {io::OutputFormat::Jsonl, ',', true});
  writer.header();

  io::InputRecord rec, rec2;
  io::RawRecord raw;
  int64_t count = 0, last_line = 0, good = 0;
  while (reader->next(rec)) {
    ++count;
    if (count > static_cast<int64_t>(size) + 1) fuzz::finding("more records than bytes in the input");
    if (rec.number != count) fuzz::finding(fmt::format("record {} is numbered {}", count, rec.number));
    if (rec.line < last_line) fuzz::finding(fmt::format("record {} starts on line {}, before line {}", count, rec.line, last_line));
    last_line = rec.line;
    if (!raw_reader->next_raw(raw)) fuzz::finding(fmt::format("split raw, the input ends before record {}", count));
    decoder->decode(raw, rec2);
    if (rec2.number != rec.number || rec2.line != rec.line || rec2.key != rec.key || rec2.errors != rec.errors)
      fuzz::finding(fmt::format("record {} decodes differently split raw: {} line {} key {} errors {}", count, rec2.number,
                                rec2.line, rec2.key, fmt::join(rec2.errors, "; ")));
    if (!general->next(rec3)) fuzz::finding(fmt::format("read the general way, the input ends before record {}", count));
    if (fuzz::describe(rec3) != fuzz::describe(rec))
      fuzz::finding(fmt::format("record {}: in one pass it reads\n{}\nthe general way\n{}", count, fuzz::describe(rec),
                                fuzz::describe(rec3)));
    if (!rec.ok()) {
      if (rec.errors[0].empty()) fuzz::finding("a record error without a message");
      writer.error_row(rec, rec.errors[0]);
      continue;
    }
    ++good;
    interp::Outcome a = fx.interp->score(rec.record, kAsOf, true);
    interp::Outcome b = fx.batch->score(rec.record, kAsOf, true);
    if (fuzz::describe(a) != fuzz::describe(b))
      fuzz::finding(fmt::format("record {}: interp {}\n  batch {}", count, fuzz::describe(a), fuzz::describe(b)));
    if (fx.jit) {
      interp::Outcome j = fx.jit->score(rec.record, kAsOf, true);
      if (fuzz::describe(a) != fuzz::describe(j))
        fuzz::finding(fmt::format("record {}: interp {}\n  jit {}", count, fuzz::describe(a), fuzz::describe(j)));
    }
    writer.row(rec, a);
    (void)io::explain_text(*fx.model, a);
  }
  if (raw_reader->next_raw(raw)) fuzz::finding("split raw, the input has more records");
  if (general->next(rec3)) fuzz::finding("read the general way, the input has more records");
  writer.flush();

  // The scoring loop: every record counted once, the same bytes on one thread and on two.
  io::RunStats one, two;
  std::string out1 = run(bytes, 1, one), out2 = run(bytes, 2, two);
  if (one.scored + one.errors != count || one.scored != good)
    fuzz::finding(fmt::format("{} records ({} good) but the summary says {} scored, {} errors", count, good, one.scored, one.errors));
  if (out1 != out2 || one.scored != two.scored || one.errors != two.errors)
    fuzz::finding("one thread and two threads give different output:\n" + out1 + "\n==\n" + out2);
  return 0;
}
