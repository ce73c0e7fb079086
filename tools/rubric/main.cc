// SPDX-License-Identifier: Apache-2.0
// `rubric`: the command line. Parses arguments and wires the libraries together; the work
// itself happens in compiler/ and runtime/.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/driver/driver.h"
#include "compiler/lint/lint.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/plan.h"
#include "compiler/source/text.h"
#include "runtime/eval/evaluate.h"
#include "runtime/interp/interp.h"
#include "runtime/jit/jit.h"
#include "runtime/native/native.h"
#include "runtime/io/diff.h"
#include "runtime/io/events.h"
#include "runtime/io/explain.h"
#include "runtime/io/input.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/test_runner.h"
#include "runtime/io/time.h"
#include "runtime/io/unified_diff.h"

// Both come from tools/rubric/CMakeLists.txt: CMake's project version, and where the docs
// folder is published (SARIF helpUri links; RUBRIC_DOCS_URL in the environment overrides it).
#ifndef RUBRIC_VERSION
#error "RUBRIC_VERSION is CMake's project version, defined in tools/rubric/CMakeLists.txt"
#endif
#ifndef RUBRIC_DOCS_URL
#error "RUBRIC_DOCS_URL is defined in tools/rubric/CMakeLists.txt"
#endif

namespace {

// Exit codes: what happened, for scripts and CI.
constexpr int kOk = 0;
constexpr int kFindings = 1;   // check: the model has errors; score: some records had errors
constexpr int kCannotRun = 2;  // bad arguments, unreadable files, a model that does not check

const char* kMainHelp = "Rubric scores leads with rules written in plain words.";
const char* kMainFooter = R"(Each command's --help has its options and a worked example. Example:
  rubric check examples/b2b/b2b.rubric
  rubric score examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain

Exit codes: 0 success, 1 errors in the model (check) or in some records (score), 2 could not run.)";

const char* kCheckHelp = R"(Check models for mistakes and report every error with its line, column and a hint.
A file named - is read from standard input.

Example:
  rubric check examples/b2b/b2b.rubric examples/xeducation/xeducation.rubric
  rubric check model.rubric --format json      # machine-readable diagnostics
  rubric check model.rubric --emit checked     # print the checked model
  rubric check model.rubric --emit plan        # print the scoring plan every back end runs)";

const char* kScoreHelp = R"(Score every lead in a CSV or JSON Lines file: one output row per input row, in order.

Example:
  rubric score examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --as-of 2026-11-01
  rubric score bank.rubric --input bank-full.csv --format jsonl --output scores.jsonl

Output columns: the key field (or `row`), each score, total, each tier set, disqualified, error.
A record that cannot be read gets a row with only its key and an error (or none with
--on-error skip); its problem is printed on stderr with the line number. A summary line
ends the run. Exit code 1 when any record had an error.)";

const char* kBuildHelp = R"(Compile a model ahead of time into native code that a product loads without LLVM.

Example:
  rubric build examples/b2b/b2b.rubric -o b2b.so     # a shared object, for dlopen or the APIs
  rubric score b2b.so --input leads.jsonl            # score with it, like the .rubric file
  rubric build b2b.rubric -o b2b.o --name b2b_model  # an object to link into a program

The output runs on any machine of this architecture (x86-64 baseline) unless --cpu native
asks for this machine's CPU. It embeds the model's text, and loads only into the build of
Rubric (librubric, librubric_runtime, the rubric command) that compiled it. Linking a .so
needs a C compiler (cc, or $CC); see docs/embedding.md for the ABI.)";

bool stderr_is_tty() { return isatty(STDERR_FILENO) != 0; }

// --color: auto (a terminal, unless NO_COLOR is set and not empty, see no-color.org, or TERM is
// dumb), always or never. Only diagnostics on stderr are colored.
std::string g_color = "auto";
bool stderr_color() {
  if (g_color == "always") return true;
  if (g_color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return stderr_is_tty();
}

// The name standard input goes by in messages, when a file is given as `-`.
const char* kStdinName = "<stdin>";

std::string read_stdin() {
  std::stringstream ss;
  ss << std::cin.rdbuf();
  return ss.str();
}

// Where SARIF links a rule's documentation: $RUBRIC_DOCS_URL, else the build's RUBRIC_DOCS_URL.
std::string docs_url() {
  const char* env = std::getenv("RUBRIC_DOCS_URL");
  return env && *env ? env : RUBRIC_DOCS_URL;
}

// --max-errors: how many diagnostics text output shows per file (0: all); JSON and SARIF list all.
size_t g_max_errors = 100;

int print_diagnostics(const rubric::driver::Compilation& c) {
  std::cerr << rubric::diag::render_text(c.diagnostics, *c.sources, stderr_color(), g_max_errors);
  return c.diagnostics.has_errors() ? kFindings : kOk;
}

// Compiles the file at `path`; false (after saying so) only when it cannot be read.
// Functions the embedding program will provide, declared with --function for check, lint and
// build (which never call them): `is_customer(string) -> bool`.
std::shared_ptr<const rubric::check::HostFunctions> g_declared;

// Parses --function declarations into g_declared; false (after saying why) on a bad one.
bool declare_functions(const std::vector<std::string>& decls) {
  if (decls.empty()) return true;
  auto out = std::make_shared<rubric::check::HostFunctions>();
  auto type_of = [](std::string t, rubric::check::TypeKind& k) {
    using rubric::check::TypeKind;
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    static const std::pair<const char*, TypeKind> kTypes[] = {{"bool", TypeKind::Bool}, {"int", TypeKind::Int},
        {"number", TypeKind::Number}, {"string", TypeKind::String}, {"text", TypeKind::String}, {"time", TypeKind::Time}};
    for (const auto& [name, kind] : kTypes)
      if (t == name) {
        k = kind;
        return true;
      }
    return false;
  };
  for (const std::string& d : decls) {
    size_t open = d.find('('), close = d.find(')'), arrow = d.find("->");
    rubric::check::HostFunction f;
    bool ok = open != std::string::npos && close != std::string::npos && arrow != std::string::npos && open < close &&
              close < arrow && type_of(d.substr(arrow + 2), f.result);
    if (ok) {
      f.name = d.substr(0, open);
      f.name.erase(f.name.find_last_not_of(" \t") + 1);
      f.name.erase(0, f.name.find_first_not_of(" \t"));
      std::string args = d.substr(open + 1, close - open - 1);
      for (size_t at = 0; ok && args.find_first_not_of(" \t") != std::string::npos;) {
        size_t comma = args.find(',', at);
        rubric::check::TypeKind k = rubric::check::TypeKind::Error;  // (set by type_of when it reads a type)
        ok = type_of(args.substr(at, comma == std::string::npos ? std::string::npos : comma - at), k);
        f.args.push_back(k);
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
      ok = ok && !f.name.empty() && !rubric::check::is_builtin_function(f.name) &&
           f.args.size() <= rubric::check::kMaxHostArgs;
    }
    if (!ok) {
      std::cerr << fmt::format("rubric: --function {}: write it like `is_customer(string) -> bool`, with types bool, "
                               "int, number, string or time, and a name that is not a built-in's\n", d);
      return false;
    }
    f.fn = [](const rubric::check::Value*, size_t) { return rubric::check::Value::missing(); };  // never called
    out->push_back(std::move(f));
  }
  g_declared = std::move(out);
  return true;
}

bool read_model(const std::string& path, rubric::driver::Compilation& c) {
  if (rubric::native::is_elf_file(path)) {
    std::cerr << fmt::format("rubric: {} is a compiled model (rubric build); give the .rubric file it was built from\n", path);
    return false;
  }
  if (path == "-") {
    c = rubric::driver::compile_source(kStdinName, read_stdin(), g_declared);
    return true;
  }
  std::string err;
  c = rubric::driver::compile_file(path, &err, g_declared);
  if (err.empty()) return true;
  std::cerr << "rubric: " << err << "\n";
  return false;
}

int run_check(const std::vector<std::string>& files, const std::string& format, const std::string& emit) {
  int status = kOk;
  size_t errors = 0;
  std::vector<rubric::driver::Compilation> all;  // kept for the one JSON document of the run
  all.reserve(files.size());
  for (const std::string& f : files) {
    rubric::driver::Compilation& c = all.emplace_back();
    if (!read_model(f, c)) {
      all.pop_back();
      status = kCannotRun;
      continue;
    }
    if (c.diagnostics.has_errors() && status == kOk) status = kFindings;
    if (format == "text") print_diagnostics(c);
    errors += c.diagnostics.error_count();
    if (emit == "ast") std::cout << rubric::ast::print(c.module);
    if (emit == "checked" && c.ok()) std::cout << rubric::check::print(*c.model);
    if (emit == "plan" && c.ok()) std::cout << rubric::plan::print(rubric::plan::build(*c.model), c.sources.get());
    if (emit == "llvm" && c.ok()) std::cout << rubric::jit::emit_llvm(*c.model);
  }
  if (format == "json") {
    std::vector<rubric::diag::FileReport> reports;
    for (size_t i = 0; i < all.size(); ++i) reports.push_back({&all[i].diagnostics, all[i].sources.get(), all[i].sources->file(1).name()});
    std::cout << rubric::diag::render_json(reports);
  }
  if (format == "text") {
    if (errors) std::cerr << fmt::format("{} error{} in {} file{}\n", errors, errors == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s");
    else if (status == kOk) std::cerr << fmt::format("{} file{} checked, no errors\n", files.size(), files.size() == 1 ? "" : "s");
  }
  return status;
}

struct ScoreArgs {
  std::string model, input, output = "-", as_of, format = "csv", input_format, on_error = "row";
  std::string delimiter, output_delimiter;
  std::string line_ending = "lf";
  std::string backend = "auto";
  std::string cache_dir;
  int threads = 1;
  bool explain = false;
  bool strict = false;
  std::vector<std::string> keep;     // input columns to pass through
  std::vector<std::string> columns;  // the output columns, in this order (empty: all)
  rubric::io::EventsSpec events;  // --events: a flat events file joined to the leads by key
};

// The scorer for --backend; null (after a message) when --backend jit cannot be used.
std::shared_ptr<const rubric::interp::Scorer> choose_backend(const ScoreArgs& a, const rubric::driver::Compilation& c,
                                                             bool csv, bool compressed,
                                                             std::shared_ptr<const rubric::interp::Scorer> native) {
  using rubric::jit::ScorerKind;
  ScorerKind kind = a.backend == "jit" ? ScorerKind::Jit : a.backend == "batch" ? ScorerKind::Batch
                    : a.backend == "interp"                                    ? ScorerKind::Interpreter
                                                                               : ScorerKind::Interpreted;
  if (a.backend == "auto") {
    // Below the break-even an interpreter scores (ScorerKind::Interpreted); from it on `auto` is
    // tiered (ScorerKind::Tiered): the interpreter scores while the model compiles on another
    // thread, so with a second core free the compile costs no time at all. Standard input has
    // no size: a long stream is assumed.
    const uint64_t weight = rubric::jit::input_weight(a.input, compressed, a.events.path, csv);
    if (weight >= rubric::jit::tier_up_bytes(csv) && rubric::jit::over_compile_budget(*c.model).empty()) kind = ScorerKind::Tiered;
  }
  rubric::jit::CompileOptions copts;
  copts.identity = c.sources->file(1).text();  // the model's own text keys the caches
  copts.cache_dir = a.cache_dir;
  std::string err;
  auto scorer = rubric::jit::make_scorer(c.model, kind, copts, &err, std::move(native));
  if (!err.empty()) {
    std::cerr << "rubric: the JIT failed: " << err << "\n";
    if (a.backend == "jit") return nullptr;
    std::cerr << "rubric: using the interpreter instead\n";
  }
  return scorer;
}

using rubric::io::parse_delimiter;

// Compiles the model at `path` for scoring, or loads it when it is a compiled model (`rubric
// build`), giving its native scorer in `native`; on failure prints why and returns false.
bool load_model(const std::string& path, rubric::driver::Compilation& c,
                std::shared_ptr<const rubric::interp::Scorer>* native = nullptr) {
  if (rubric::native::is_elf_file(path)) {
    rubric::native::Loaded loaded = rubric::native::load_shared_object(path);
    if (!loaded.scorer) {
      std::cerr << "rubric: " << loaded.error << "\n";
      return false;
    }
    c.model = std::move(loaded.model);
    c.sources = std::move(loaded.sources);
    if (native) *native = std::move(loaded.scorer);
    return true;
  }
  if (!read_model(path, c)) return false;
  if (!c.ok()) {
    print_diagnostics(c);
    std::cerr << "rubric: the model has errors; nothing was scored\n";
    return false;
  }
  return true;
}

// --as-of as milliseconds since the epoch (empty: now); on failure prints why and returns false.
bool parse_as_of(const std::string& text, int64_t& out) {
  if (text.empty()) {
    out = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return true;
  }
  if (auto t = rubric::io::parse_time(text)) {
    out = *t;
    return true;
  }
  std::cerr << fmt::format("rubric: --as-of {} is not a time; write 2026-11-01 or 2026-11-01T09:30:00Z\n", text);
  return false;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The reader options for `path` (see io::reader_options_for); on failure prints why.
bool reader_options(const std::string& path, const std::string& given, const std::string& delimiter, rubric::io::ReaderOptions& out) {
  if (!delimiter.empty() && !parse_delimiter(delimiter)) {
    std::cerr << fmt::format("rubric: --delimiter {} is not a delimiter; give one character like ';' or tab, comma, semicolon, pipe\n", delimiter);
    return false;
  }
  std::string error;
  if (rubric::io::reader_options_for(path, given, delimiter, out, error)) return true;
  std::cerr << "rubric: " << path << ": " << error << "\n";
  return false;
}

// --events: opens the events file and joins it to `reader`; on failure prints why.
bool join_events(const rubric::io::EventsSpec& spec, const std::string& input, std::shared_ptr<const rubric::check::CheckedModel> model,
                 std::unique_ptr<rubric::io::RecordReader>& reader, std::shared_ptr<rubric::io::EventFile>& file) {
  if (spec.path.empty()) return true;
  if (spec.path == "-" && input == "-") {
    std::cerr << "rubric: --input and --events cannot both be standard input\n";
    return false;
  }
  if (spec.path != "-" && std::filesystem::is_directory(spec.path)) {
    std::cerr << "rubric: " << spec.path << " is a folder, not a file of events\n";
    return false;
  }
  std::string error;
  file = rubric::io::open_events(spec, std::move(model), error);
  if (!file) {
    std::cerr << "rubric: --events: " << error << "\n";
    return false;
  }
  reader = rubric::io::join_events(std::move(reader), file);
  for (const std::string& w : rubric::io::warnings(*file)) std::cerr << "rubric: warning: " << w << "\n";
  return true;
}

// After the leads: what became of the events (messages and counts on stderr); the number of
// event rows that belong to no lead because their key could not be read.
int64_t report_events(rubric::io::EventFile& file, const std::string& name) {
  rubric::io::EventsSummary s = rubric::io::finish_events(file);
  for (const std::string& m : s.messages) std::cerr << "rubric: error: " << m << "\n";
  if (s.unreadable > static_cast<int64_t>(s.messages.size())) std::cerr << "... more event rows without a key are counted but not shown\n";
  std::cerr << fmt::format("events: {} read, {} given to leads", s.rows, s.joined);
  if (s.skipped) std::cerr << fmt::format(", {} skipped (unknown kinds, no time)", s.skipped);
  std::cerr << "\n";
  if (std::string d = rubric::io::describe(s, name); !d.empty()) std::cerr << "rubric: warning: " << d << "\n";
  return s.unreadable;
}

int run_score(const ScoreArgs& a) {
  if (a.input == "-" && a.events.path == "-") {
    std::cerr << "rubric: --input and --events cannot both be standard input\n";
    return kCannotRun;
  }
  rubric::driver::Compilation c;
  std::shared_ptr<const rubric::interp::Scorer> native;
  if (!load_model(a.model, c, &native)) return kCannotRun;
  int64_t as_of;
  if (!parse_as_of(a.as_of, as_of)) return kCannotRun;
  rubric::io::ReaderOptions ropts;
  if (!reader_options(a.input, a.input_format, a.delimiter, ropts)) return kCannotRun;
  ropts.strict = a.strict;
  if (a.input != "-" && std::filesystem::is_directory(a.input)) {
    std::cerr << "rubric: " << a.input << " is a folder, not a file of leads\n";
    return kCannotRun;
  }
  // Plain, gzip or zstd; CSV or JSON Lines from the name or the content.
  rubric::io::Input input;
  std::string fatal;
  if (!input.open(a.input, ropts, fatal)) {
    std::cerr << "rubric: " << fatal << "\n";
    return kCannotRun;
  }
  std::istream* in = &input.stream();
  // --keep and --columns: each kept column is read as text into a field added after the model's own.
  rubric::io::WriterOptions wopts;
  std::shared_ptr<const rubric::check::CheckedModel> reading;
  if (!rubric::io::choose_columns(c.model, a.keep, a.columns, a.explain, wopts.columns, reading, fatal)) {
    std::cerr << "rubric: " << fatal << "\n";
    return kCannotRun;
  }
  auto reader = rubric::io::open_reader(*in, *reading, ropts, fatal);
  if (!reader) {
    std::cerr << fmt::format("rubric: {}: {}\n", a.input, fatal);
    return kCannotRun;
  }
  std::shared_ptr<rubric::io::EventFile> events;
  rubric::io::EventsSpec espec = a.events;
  espec.strict = a.strict;
  espec.threads = a.threads;  // a loaded events file is decoded on a second thread too
  if (!join_events(espec, a.input, c.model, reader, events)) return kCannotRun;
  for (const auto& w : reader->warnings()) std::cerr << fmt::format("rubric: {}: warning: {}\n", a.input, w);
  if (ropts.format == rubric::io::InputFormat::Csv && c.model->has_events && !events)
    std::cerr << fmt::format("rubric: {}: warning: CSV rows carry no events, so behaviours see none; give them in a flat events file (--events FILE, one event per row) or use JSON Lines\n", a.input);
  std::ofstream outfile;
  std::ostream* out = &std::cout;
  if (a.output != "-") {
    outfile.open(a.output, std::ios::binary);
    if (!outfile) {
      std::cerr << "rubric: cannot write " << a.output << "\n";
      return kCannotRun;
    }
    out = &outfile;
  }
  wopts.format = a.format == "jsonl" ? rubric::io::OutputFormat::Jsonl : rubric::io::OutputFormat::Csv;
  wopts.explain = a.explain;
  wopts.crlf = a.line_ending == "crlf";
  if (wopts.crlf && wopts.format == rubric::io::OutputFormat::Jsonl)
    std::cerr << "rubric: warning: --line-ending crlf is for CSV output; JSON Lines lines end in LF\n";
  if (!a.output_delimiter.empty()) {
    char d = parse_delimiter(a.output_delimiter);
    if (!d) {
      std::cerr << fmt::format("rubric: --output-delimiter {} is not a delimiter; give one character like ';' or tab, comma, semicolon, pipe\n", a.output_delimiter);
      return kCannotRun;
    }
    wopts.delimiter = d;
  }
  rubric::io::ResultWriter writer(*out, *c.model, wopts);
  std::shared_ptr<const rubric::interp::Scorer> scorer =
      choose_backend(a, c, ropts.format == rubric::io::InputFormat::Csv, input.compression() != rubric::io::Compression::None, native);
  if (!scorer) return kCannotRun;
  rubric::io::RunOptions opts;
  opts.as_of = as_of;
  opts.explain = a.explain;
  opts.skip_errors = a.on_error == "skip";
  opts.threads = a.threads;
  opts.input_name = a.input == "-" ? "<stdin>" : a.input;
  bool tty = stderr_is_tty();
  if (tty) opts.progress = [](int64_t n) { std::cerr << fmt::format("\r{} leads read...", n) << std::flush; };
  rubric::io::RunStats stats;
  int64_t keyless_events = 0;
  try {
    stats = rubric::io::run_scoring(*reader, *scorer, writer, opts, std::cerr);
    if (auto tiered = std::dynamic_pointer_cast<const rubric::jit::TieredScorer>(scorer)) {
      std::string why = tiered->wait();
      if (!why.empty()) std::cerr << "rubric: the JIT failed: " << why << "; the interpreter scored every lead\n";
    }
    if (events) keyless_events = report_events(*events, a.events.path == "-" ? "<stdin>" : a.events.path);
  } catch (const rubric::io::InputError& e) {
    out->flush();
    std::cerr << "rubric: " << e.what() << "; the rows written may lack events, so the output cannot be used\n";
    return kCannotRun;
  }
  out->flush();
  if (tty && stats.scored + stats.errors >= opts.progress_every) std::cerr << "\r";
  if (in->bad()) {
    std::string why = input.error();
    std::cerr << "rubric: reading " << a.input << " failed part way" << (why.empty() ? "" : " (" + why + ")")
              << "; the output is incomplete\n";
    return kCannotRun;
  }
  if (!*out) {
    std::cerr << "rubric: writing the output failed\n";
    return kCannotRun;
  }
  if (stats.warnings)
    std::cerr << fmt::format("rubric: {} warning{} in {} scored lead{} (bad values of optional fields read as missing, events of "
                             "unknown kinds skipped); --strict makes them errors\n",
                             stats.warnings, stats.warnings == 1 ? "" : "s", stats.warned_leads, stats.warned_leads == 1 ? "" : "s");
  std::cerr << fmt::format("{} scored, {} error{}{}\n", stats.scored, stats.errors, stats.errors == 1 ? "" : "s",
                           stats.skipped ? fmt::format(" ({} skipped)", stats.skipped) : "");
  return stats.errors || keyless_events ? kFindings : kOk;
}

const char* kExplainHelp = R"(Explain one lead's scores rule by rule: whether each rule fired, the values it saw,
its points with decay and caps, and why the lead got its tier.

Below the top tier it says how many points the lead lacks for the next tier up, when that
tier's condition is a threshold on total or a score.

Example:
  rubric explain examples/b2b/b2b.rubric --lead '{"id": "L1", "email": "ann@acme.io", "job_title": "VP Sales"}'
  rubric explain examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --id L0000013 --as-of 2026-11-01
  rubric explain examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --id L0000013 --fired-only --format json)";

struct ExplainArgs {
  std::string model, lead, input, id, as_of, format = "text";
  std::string backend = "auto";
  bool fired_only = false;
  rubric::io::EventsSpec events;
};

int run_explain(const ExplainArgs& a) {
  rubric::driver::Compilation c;
  std::shared_ptr<const rubric::interp::Scorer> native;
  if (!load_model(a.model, c, &native)) return kCannotRun;
  // The back end that scores the lead also records the values the explanation shows: a
  // compiled model's own code, else the interpreter unless --backend says otherwise.
  using rubric::jit::ScorerKind;
  ScorerKind kind = a.backend == "jit"     ? ScorerKind::Jit
                    : a.backend == "batch"  ? ScorerKind::Batch
                    : a.backend == "interp" ? ScorerKind::Interpreter
                                            : ScorerKind::Interpreted;
  std::string jit_error;
  rubric::jit::CompileOptions copts;
  if (c.sources) copts.identity = c.sources->file(1).text();
  std::shared_ptr<const rubric::interp::Scorer> scorer = rubric::jit::make_scorer(c.model, kind, copts, &jit_error, native);
  if (!jit_error.empty()) {
    std::cerr << "rubric: the JIT failed: " << jit_error << "\n";
    return kCannotRun;
  }
  int64_t as_of;
  if (!parse_as_of(a.as_of, as_of)) return kCannotRun;
  std::istringstream text(a.lead + "\n");
  rubric::io::Input input;
  std::istream* in = &text;
  rubric::io::ReaderOptions ropts;
  std::string fatal;
  if (!a.input.empty()) {
    ropts.guess = true;  // plain, gzip or zstd; CSV or JSON Lines from the name or the content
    if (!input.open(a.input, ropts, fatal)) {
      std::cerr << "rubric: " << fatal << "\n";
      return kCannotRun;
    }
    in = &input.stream();
  }
  auto reader = rubric::io::open_reader(*in, *c.model, ropts, fatal);
  if (!reader) {
    std::cerr << "rubric: " << fatal << "\n";
    return kCannotRun;
  }
  std::shared_ptr<rubric::io::EventFile> events;
  if (!join_events(a.events, a.input.empty() ? "" : a.input, c.model, reader, events)) return kCannotRun;
  rubric::io::InputRecord rec;
  while (true) {
    try {
      if (!reader->next(rec)) break;
    } catch (const rubric::io::InputError& e) {  // --events-sorted on files out of order
      std::cerr << "rubric: " << e.what() << "\n";
      return kCannotRun;
    }
    if (!a.id.empty() && rec.key != a.id) continue;
    // Named as `rubric score` names records: the file and line (--lead: the JSON given).
    const std::string where = a.input.empty() ? "--lead" : fmt::format("{}:{}", a.input == "-" ? "<stdin>" : a.input, rec.line);
    if (!rec.ok()) {
      std::cerr << fmt::format("rubric: {}: error: {}\n", where, rec.error_text());
      return kFindings;
    }
    for (const std::string& w : rec.warnings) std::cerr << fmt::format("rubric: {}: warning: {}\n", where, w);
    rubric::io::ExplainOptions options;
    options.fired_only = a.fired_only;
    options.json = a.format == "json";
    std::cout << rubric::io::explain_lead(*c.model, *scorer, rec.record, as_of, *c.sources, options);
    return kOk;
  }
  if (!a.input.empty() && input.stream().bad()) {
    std::cerr << fmt::format("rubric: reading {} failed part way ({})\n", a.input, input.error());
    return kCannotRun;
  }
  std::cerr << (a.id.empty() ? std::string("rubric: no lead to explain\n") : fmt::format("rubric: no lead with key {}\n", a.id));
  return kFindings;
}

const char* kDiffHelp = R"(Before publishing a changed model: score the same leads with the old and the new model and
show how many move between tiers, the largest score changes and the rules that caused them.

A tier set that is renamed, removed or added is named as such. --format csv gives a row per
lead (old and new total and tiers); --format json the whole report.

Example:
  rubric diff old.rubric examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --as-of 2026-11-01
  rubric diff old.rubric new.rubric --input leads.jsonl --as-of 2026-11-01 --format csv > moves.csv)";

struct DiffArgs {
  std::string old_model, new_model, input, as_of, input_format, format = "text";
  std::string label, positive, outcomes, outcomes_key;
  std::vector<std::string> undecided;
  size_t top = 10;
  std::string line_ending = "lf";
  rubric::io::EventsSpec events;
};

int run_diff(const DiffArgs& a) {
  rubric::driver::Compilation before, after;
  if (!load_model(a.old_model, before) || !load_model(a.new_model, after)) return kCannotRun;
  rubric::io::DiffInput d;
  d.old_model = before.model;
  d.new_model = after.model;
  d.input = a.input;
  if (!parse_as_of(a.as_of, d.as_of)) return kCannotRun;
  d.as_of_text = rubric::io::format_time(d.as_of);
  if (!reader_options(a.input, a.input_format, "", d.reader)) return kCannotRun;
  d.top = a.top;
  d.crlf = a.line_ending == "crlf";
  if (!a.label.empty() || !a.outcomes.empty() || !a.positive.empty() || !a.outcomes_key.empty() || !a.undecided.empty()) {
    // Known outcomes, read as evaluate reads them: the tier-move tables say how the leads in
    // each cell converted.
    rubric::eval::Request r;
    r.input = a.input;
    r.input_format = a.input_format;
    r.label = a.label;
    r.positive = a.positive;
    r.undecided = a.undecided;
    r.outcomes = a.outcomes;
    r.outcomes_key = a.outcomes_key;
    r.as_of = d.as_of;
    rubric::eval::Options o;
    std::vector<std::string> notes;
    std::string err;
    if (!rubric::eval::make_options(r, o, notes, err) || !rubric::eval::check_leakage(*after.model, o, err) ||
        !rubric::eval::read_outcomes(before.model, o, d.outcomes, err)) {
      std::cerr << "rubric: " << err << "\n";
      return kCannotRun;
    }
  }
  d.format = a.format == "csv" ? rubric::io::DiffFormat::Csv : a.format == "json" ? rubric::io::DiffFormat::Json : rubric::io::DiffFormat::Text;
  d.events = a.events;
  if (d.events.path == "-") {
    std::cerr << "rubric: diff reads the events twice (once per model), so --events must be a file, not standard input\n";
    return kCannotRun;
  }
  std::string report, err;
  std::vector<std::string> notes;
  if (!rubric::io::diff_models(d, report, err, &notes)) {
    std::cerr << "rubric: " << err << "\n";
    return kCannotRun;
  }
  for (const std::string& n : notes) std::cerr << "rubric: warning: " << n << "\n";
  std::cout << report;
  return kOk;
}

const char* kEvaluateHelp = R"(Measure whether a model's scores predict who converts, against known outcomes: ROC AUC of
every score and the total (with a 95% interval), gains by tenth of the leads, conversion per
tier, and per rule how the leads it fired on converted (rules whose effect is absent or opposite
to their points are flagged). The outcome is a column of the input (--label) or of another file
joined by the key (--outcomes). A column the model itself reads is refused as an outcome.

--split holds leads out: the figures are then computed on them only. --suggest fits points to
the outcomes of the other leads and compares both models on the held-out ones; --write saves
the model with the suggested points (comments kept) for `rubric diff`. Nothing is changed
otherwise. See docs/evaluation.md.

Example:
  rubric evaluate examples/xeducation/xeducation_first_touch.rubric \
      --input ../shared/datasets/x_education_leads/Leads.csv --label Converted --as-of 2026-11-01
  rubric evaluate bank.rubric --input bank-full.csv --label 'y = "yes"' --split random:0.3 --seed 7
  rubric evaluate olist.rubric --input mqls.csv --outcomes closed_deals.csv --report olist.html
  rubric evaluate model.rubric --input leads.csv --label won --split random:0.3 --suggest --write suggested.rubric)";

struct EvaluateArgs {
  rubric::eval::Request request;
  std::string model, as_of, format = "text", report, write;
  bool force = false;
};

// `s` quoted for a POSIX shell when it needs it.
std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool write_atomically_new(const std::string& path, const std::string& text, std::string& error);

int run_evaluate(EvaluateArgs a) {
  namespace ev = rubric::eval;
  namespace fs = std::filesystem;
  if (rubric::native::is_elf_file(a.model)) {
    std::cerr << "rubric: evaluate reads the model's source (.rubric), not a compiled model\n";
    return kCannotRun;
  }
  // Outputs never replace what the run reads; --write makes a new file unless --force.
  for (const auto& [option, path] : {std::pair{"--report", a.report}, std::pair{"--write", a.write}}) {
    if (path.empty()) continue;
    std::error_code ec;
    for (const std::string& read : {a.model, a.request.input, a.request.outcomes})
      if (!read.empty() && fs::exists(path, ec) && fs::equivalent(path, read, ec)) {
        std::cerr << fmt::format("rubric: {} {} would replace {}, which this run reads; give another file\n", option, path, read);
        return kCannotRun;
      }
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0 || fs::is_directory(path, ec)) {
      std::cerr << fmt::format("rubric: {} {}: {}\n", option, path,
                               fs::is_directory(path, ec) ? "is a folder" : "its folder does not exist or cannot be written");
      return kCannotRun;
    }
  }
  if (!a.write.empty() && fs::exists(a.write) && !a.force) {
    std::cerr << fmt::format("rubric: --write {} exists; give a new file, or --force to replace it\n", a.write);
    return kCannotRun;
  }
  rubric::driver::Compilation c;
  if (!load_model(a.model, c)) return kCannotRun;
  ev::Request& r = a.request;
  if (!a.write.empty()) r.suggest = true;
  // The model as written, byte order mark included: --suggest rewrites its points.
  std::ifstream model_file(a.model, std::ios::binary);
  r.model_text.assign(std::istreambuf_iterator<char>(model_file), std::istreambuf_iterator<char>());
  r.model_name = a.model;
  r.max_error_messages = static_cast<int>(std::min<size_t>(g_max_errors ? g_max_errors : SIZE_MAX, 1u << 30));
  if (!parse_as_of(a.as_of, r.as_of)) return kCannotRun;
  ev::Options o;
  std::vector<std::string> notes;
  std::string err;
  if (!ev::make_options(r, o, notes, err)) {
    std::cerr << "rubric: " << err << "\n";
    return kCannotRun;
  }
  ev::Report report;
  if (!ev::evaluate(c.model, o, report, err, std::cerr)) {
    std::cerr << "rubric: " << err << "\n";
    return kCannotRun;
  }
  report.warnings.insert(report.warnings.begin(), notes.begin(), notes.end());
  if (!a.write.empty()) {
    if (!report.suggestion || !report.suggestion->problem.empty()) {
      std::cerr << "rubric: no model was written: " << (report.suggestion ? report.suggestion->problem : "nothing was suggested") << "\n";
      return kCannotRun;
    }
    if (!write_atomically_new(a.write, report.suggestion->model_text, err)) {
      std::cerr << fmt::format("rubric: cannot write {}: {}\n", a.write, err);
      return kCannotRun;
    }
    // How to see what the suggestion would change, with the same outcomes.
    std::string cmd = fmt::format("rubric diff {} {} --input {}", shell_quote(a.model), shell_quote(a.write), shell_quote(r.input));
    for (const auto& [option, value] : {std::pair{"--input-format", r.input_format}, std::pair{"--label", r.label},
                                        std::pair{"--positive", r.positive}, std::pair{"--outcomes", r.outcomes},
                                        std::pair{"--outcomes-key", r.outcomes_key}})
      if (!value.empty()) cmd += fmt::format(" {} {}", option, shell_quote(value));
    for (const std::string& u : r.undecided) cmd += " --undecided " + shell_quote(u);
    cmd += " --as-of " + o.as_of_text;
    report.suggestion->written = fmt::format("Wrote {} with the suggested points. Compare: {}", a.write, cmd);
  }
  std::cout << (a.format == "json" ? ev::format_json(report) : ev::format_text(report));
  if (!a.report.empty()) {
    if (!write_atomically_new(a.report, ev::format_html(report), err)) {
      std::cerr << fmt::format("rubric: cannot write {}: {}\n", a.report, err);
      return kCannotRun;
    }
    std::cerr << fmt::format("rubric: wrote the report to {}\n", a.report);
  }
  return report.errors ? kFindings : kOk;
}

const char* kFmtHelp = R"(Rewrite models in Rubric's canonical layout (comments kept; scores never change). A file
with syntax errors is left as it is and its errors are shown (exit 1). Files keep their line
endings (CRLF stays CRLF) and are replaced whole, never half written. A file named - is read
from standard input and written, formatted, to standard output.

Example:
  rubric fmt examples/b2b/b2b.rubric
  rubric fmt --check examples/*/*.rubric     # list files that are not formatted; exit 1 if any
  rubric fmt --diff model.rubric             # show the changes as a unified diff, write nothing
  rubric fmt - < model.rubric > formatted.rubric)";

struct FmtArgs {
  std::vector<std::string> files;
  bool check = false, diff = false;
};

// `formatted` (which ends its lines with \n) with the line endings of `original`: CRLF when
// most of the original's lines end so.
std::string with_line_endings_of(const std::string& original, const std::string& formatted) {
  size_t lf = 0, crlf = 0;
  for (size_t i = 0; i < original.size(); ++i)
    if (original[i] == '\n') ++lf, crlf += i > 0 && original[i - 1] == '\r';
  if (crlf * 2 <= lf || lf == 0) return formatted;
  std::string out;
  out.reserve(formatted.size() + formatted.size() / 16);
  for (size_t i = 0; i < formatted.size(); ++i) {
    if (formatted[i] == '\n' && (i == 0 || formatted[i - 1] != '\r')) out += '\r';
    out += formatted[i];
  }
  return out;
}

// Replaces the file at `path` by `text` through a temporary file in the same folder and a
// rename, so a reader sees the old file or the new one, never a part; the mode is kept, and a
// symbolic link keeps pointing at the (rewritten) file it named.
bool write_atomically(const std::string& path, const std::string& text, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::is_symlink(path, ec) ? fs::canonical(path, ec) : fs::path(path);
  if (ec) {
    error = ec.message();
    return false;
  }
  std::string tmpl = (target.parent_path() / ("." + target.filename().string() + ".fmt-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    error = "cannot create a temporary file beside it";
    return false;
  }
  std::string tmp(name.data());
  bool ok = true;
  for (size_t at = 0; ok && at < text.size();) {
    ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n <= 0) ok = false;
    else at += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (ok) fs::permissions(tmp, fs::status(target, ec).permissions(), ec);
  if (ok && std::rename(tmp.c_str(), target.c_str()) != 0) ok = false;
  if (!ok) {
    fs::remove(tmp, ec);
    error = "writing it failed; the file is unchanged";
  }
  return ok;
}

// Writes `text` to `path` (a new file, or one to replace) through write_atomically.
bool write_atomically_new(const std::string& path, const std::string& text, std::string& error) {
  if (!std::filesystem::exists(path)) {
    std::ofstream create(path, std::ios::binary);
    if (!create) {
      error = "cannot create it";
      return false;
    }
  }
  return write_atomically(path, text, error);
}

int run_fmt(const FmtArgs& a) {
  int status = kOk;
  auto worse = [&status](int s) { status = std::max(status, s); };
  for (const std::string& path : a.files) {
    bool from_stdin = path == "-";
    std::string name = from_stdin ? kStdinName : path;
    std::string text;
    if (from_stdin) {
      text = read_stdin();
    } else {
      if (rubric::native::is_elf_file(path)) {
        std::cerr << fmt::format("rubric: {} is a compiled model (rubric build), not model text\n", path);
        worse(kCannotRun);
        continue;
      }
      std::ifstream in(path, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!in) {
        std::cerr << "rubric: cannot read " << path << "\n";
        worse(kCannotRun);
        continue;
      }
      text = ss.str();
    }
    // Formatting text that does not parse would rewrite it by guesswork (`mid-size` as
    // `mid - size`): such a file is refused with its errors.
    rubric::source::SourceManager sm;
    uint32_t id = sm.add(name, text);
    rubric::parse::ParseResult parsed = rubric::parse::parse(sm, id);
    if (parsed.diagnostics.has_errors()) {
      std::cerr << rubric::diag::render_text(parsed.diagnostics, sm, stderr_color(), g_max_errors);
      std::cerr << fmt::format("rubric: {} has syntax errors, so it was not formatted; fix them first\n", name);
      worse(kFindings);
      continue;
    }
    auto formatted = rubric::parse::format_source(text);
    if (!formatted) {
      std::cerr << "rubric: " << name << " holds text Rubric cannot read; run `rubric check` on it\n";
      worse(kCannotRun);
      continue;
    }
    std::string out = with_line_endings_of(text, *formatted);
    if (a.diff) std::cout << rubric::io::unified_diff(text, out, name, name + " (formatted)");
    if (a.check) {
      if (out != text) {
        if (!a.diff) std::cout << name << "\n";
        worse(kFindings);
      }
      continue;
    }
    if (a.diff) continue;
    if (from_stdin) {
      std::cout << out;
      continue;
    }
    if (out == text) continue;
    std::string error;
    if (!write_atomically(path, out, error)) {
      std::cerr << fmt::format("rubric: cannot write {}: {}\n", path, error);
      worse(kCannotRun);
    }
  }
  return status;
}

const char* kLintHelp = R"(Find what compiles but is probably not meant: rules that can never fire, tiers that can
never be chosen, points over a ceiling, conditions counted twice, unused names, literal regexes,
reversed bounds, windows past the decay, empty sets. Each finding has an id documented in
docs/lints.md; silence one on its line with `# lint:ignore L0105`.

Example:
  rubric lint examples/*/*.rubric
  rubric lint --strict --format sarif model.rubric > rubric.sarif   # for GitHub code scanning

Exit codes: 0 clean (warnings allowed), 1 errors (or warnings with --strict), 2 could not run.)";

int run_lint(const std::vector<std::string>& files, const std::string& format, bool strict) {
  int status = kOk;
  std::string text_out;
  size_t warnings = 0, errors = 0;
  // Every file's findings, for the one JSON or SARIF document of the run.
  std::vector<rubric::driver::Compilation> all;
  std::vector<rubric::diag::DiagnosticList> found_all;
  all.reserve(files.size());
  found_all.reserve(files.size());
  for (const std::string& f : files) {
    rubric::driver::Compilation& c = all.emplace_back();
    if (!read_model(f, c)) {
      all.pop_back();
      status = kCannotRun;
      continue;
    }
    rubric::diag::DiagnosticList& found = found_all.emplace_back(c.diagnostics);
    if (c.ok()) found.append(rubric::lint::lint(c.module, *c.model, *c.sources));
    errors += found.error_count();
    warnings += found.items().size() - found.error_count();
    if (found.has_errors() && status == kOk) status = kFindings;
    if (strict && !found.items().empty() && status == kOk) status = kFindings;
    if (format == "text") text_out += rubric::diag::render_text(found, *c.sources, stderr_color(), g_max_errors);
    else if (format == "github") std::cout << rubric::diag::render_github(found, *c.sources);
  }
  std::vector<rubric::diag::FileReport> reports;
  for (size_t i = 0; i < all.size(); ++i) reports.push_back({&found_all[i], all[i].sources.get(), all[i].sources->file(1).name()});
  if (format == "json") std::cout << rubric::diag::render_json(reports);
  if (format == "sarif") std::cout << rubric::diag::render_sarif(reports, RUBRIC_VERSION, docs_url());
  if (format == "text") {
    std::cerr << text_out;
    std::cerr << fmt::format("{} error{}, {} warning{} in {} file{}\n", errors, errors == 1 ? "" : "s", warnings,
                             warnings == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s");
  }
  return status;
}

const char* kTestHelp = R"(Run the test cases written beside a model's rules (`test "name":` sections): each gives a
lead and its events, and says what scoring it must give. Failures show expected and actual
values and the rules that fired.

Example:
  rubric test examples/*/*.rubric
  rubric test examples/b2b/b2b.rubric --junit build/rubric-tests.xml)";

int run_test_cmd(const std::vector<std::string>& files, const std::string& junit) {
  int status = kOk, passed = 0, failed = 0;
  std::string suites;
  for (const std::string& f : files) {
    rubric::driver::Compilation c;
    if (!load_model(f, c)) {
      status = kCannotRun;
      continue;
    }
    rubric::io::TestReport r = rubric::io::run_tests(c.model, f);
    std::cout << r.text;
    passed += r.passed;
    failed += r.failed;
    suites += r.junit;
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed);
  if (!junit.empty()) {
    std::ofstream out(junit, std::ios::binary);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n" << suites << "</testsuites>\n";
    if (!out) {
      std::cerr << "rubric: cannot write " << junit << "\n";
      return kCannotRun;
    }
  }
  if (failed && status == kOk) status = kFindings;
  return status;
}

}  // namespace

struct BuildArgs {
  std::string model, output, name = "rubric_model", cpu;
};

int run_build(const BuildArgs& a) {
  bool shared = ends_with(a.output, ".so"), object = ends_with(a.output, ".o");
  if (!shared && !object) {
    std::cerr << fmt::format("rubric: -o {}: name the output .so (a shared object) or .o (an object to link)\n", a.output);
    return kCannotRun;
  }
  if (shared && a.name != "rubric_model") {
    std::cerr << "rubric: --name is for objects (.o) linked into a program; a shared object always exports rubric_model\n";
    return kCannotRun;
  }
  if (rubric::native::is_elf_file(a.model)) {
    std::cerr << fmt::format("rubric: {} is already compiled; build from the .rubric file\n", a.model);
    return kCannotRun;
  }
  rubric::driver::Compilation c;
  if (!load_model(a.model, c)) return kCannotRun;
  auto start = std::chrono::steady_clock::now();
  rubric::jit::BuildOptions opts;
  opts.name = a.name;
  opts.cpu = a.cpu;
  opts.model_name = std::filesystem::path(a.model).filename().string();
  opts.source = c.sources->file(1).text();
  rubric::jit::BuildOutput out;
  std::string err;
  if (!rubric::jit::build_object(*c.model, *c.sources, opts, out, &err)) {
    std::cerr << "rubric: " << err << "\n";
    return kCannotRun;
  }
  if (object) {
    if (!rubric::native::write_file(a.output, out.object)) {
      std::cerr << "rubric: cannot write " << a.output << "\n";
      return kCannotRun;
    }
  } else {
    if (!rubric::jit::link_shared_object(out.object, a.output, &err)) {
      std::cerr << "rubric: " << err << "\n";
      return kCannotRun;
    }
    // Load what was written, as a product will: a model that cannot load is not a build.
    rubric::native::Loaded check = rubric::native::load_shared_object(a.output, /*any_cpu=*/true, g_declared);
    if (!check.scorer) {
      std::cerr << "rubric: " << a.output << " was linked but does not load, so it was removed: " << check.error << "\n";
      std::filesystem::remove(a.output);
      return kCannotRun;
    }
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  auto bytes = std::filesystem::file_size(a.output, ec);
  std::cerr << fmt::format("built {}: {} rule{}, for {}, {} KiB, in {:.0f} ms\n", a.output, c.model->rule_count(),
                           c.model->rule_count() == 1 ? "" : "s", out.target, (bytes + 1023) / 1024, ms);
  return kOk;
}

// A file argument: an existing file, or `-` for standard input where the command reads one.
const CLI::Validator kFileOrStdin(
    [](std::string& s) { return s == "-" ? std::string() : CLI::ExistingFile(s); }, "FILE or -", "FILE_OR_STDIN");

// The leads of diff and evaluate, which read them more than once (once per model, and again for
// the outcomes): a file, never standard input.
const CLI::Validator kLeadsFile(
    [](std::string& s) {
      return s == "-" ? std::string("this command reads the leads more than once, so they must be in a file, not standard input "
                                    "(save them first, e.g. `cat > leads.csv`)")
                      : CLI::ExistingFile(s);
    },
    "FILE", "LEADS_FILE");

// The command the arguments name (the first word that is not an option or --color's value), or
// empty; when it is not a command, says so with the closest one and returns false.
bool known_command(int argc, char** argv, const CLI::App& app) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--color") {
      ++i;
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), arg) != names.end()) return true;
    std::string best = rubric::diag::closest_name(arg, names);
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    if (!best.empty()) std::cerr << fmt::format("rubric: `{}` is not a command; did you mean `{}`?\n", arg, best);
    else std::cerr << fmt::format("rubric: `{}` is not a command; the commands are {}\n", arg, all);
    return false;
  }
  return true;
}

int main(int argc, char** argv) {
  CLI::App app{kMainHelp, "rubric"};
  app.footer(kMainFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rubric ") + RUBRIC_VERSION, "print Rubric's version and exit");
  // --color on the command line before or after the command.
  auto add_color = [](CLI::App* cmd) {
    cmd->add_option("--color", g_color, "color the diagnostics: auto (a terminal without NO_COLOR), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
  };
  add_color(&app);
  // A command: a one-line summary (what `rubric --help` lists) and its own help's worked example.
  auto command = [&](const char* name, const char* summary, const char* details) {
    CLI::App* cmd = app.add_subcommand(name, summary);
    cmd->footer(details);
    add_color(cmd);
    return cmd;
  };

  std::vector<std::string> files;
  std::string check_format = "text", emit;
  CLI::App* check = command("check", "check models and report every mistake", kCheckHelp);
  check->add_option("files", files, "model files (.rubric), or - for standard input")->required()->check(kFileOrStdin);
  check->add_option("--format", check_format, "diagnostics as text (stderr) or json (stdout, one array for all files)")
      ->check(CLI::IsMember({"text", "json"}));
  check->add_option("--emit", emit, "also print a phase's output: ast, checked, plan or llvm")
      ->check(CLI::IsMember({"ast", "checked", "plan", "llvm"}));
  // --events and its companions, on every command that reads leads.
  auto add_events_options = [](CLI::App* cmd, rubric::io::EventsSpec& e) {
    cmd->add_option("--events", e.path,
                    "a flat events file (CSV or JSON Lines, one event per row, plain, gzip or zstd; - for standard input), "
                    "joined to the leads by key");
    cmd->add_option("--events-format", e.format, "csv or jsonl (default: from the file name or content)")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    cmd->add_flag("--events-sorted", e.sorted,
                  "stream the events: both files are sorted by lead key (whole numbers numerically, other keys byte by byte), "
                  "so only one lead's events are held at a time");
  };
  auto add_max_errors = [](CLI::App* cmd) {
    cmd->add_option("--max-errors", g_max_errors, "show at most this many diagnostics per file, then a count (default 100; 0: all)");
  };
  // --function, for the commands that check a model but never score it.
  std::vector<std::string> function_decls;
  auto add_function_option = [&function_decls](CLI::App* cmd) {
    cmd->add_option("--function", function_decls,
                    "a function the embedding program provides, like 'is_customer(string) -> bool' (repeatable)")
        ->allow_extra_args(false);
  };
  add_function_option(check);
  add_max_errors(check);

  ScoreArgs sa;
  CLI::App* score = command("score", "score a file of leads", kScoreHelp);
  score->add_option("model", sa.model, "the model file (.rubric, or a .so from rubric build)")->required()->check(CLI::ExistingFile);
  score->add_option("-i,--input", sa.input, "leads: CSV or JSON Lines (.csv, .jsonl, ...; plain, gzip or zstd), or - for standard input")->required();
  score->add_option("--as-of", sa.as_of, "the scoring time, ISO 8601 (default: now)");
  score->add_option("-f,--format", sa.format, "output format: csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  score->add_option("--input-format", sa.input_format, "csv or jsonl (default: from the file name, else the content)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  score->add_option("--delimiter", sa.delimiter, "CSV input delimiter, e.g. ';' or tab (default: detected)");
  score->add_option("--output-delimiter", sa.output_delimiter, "CSV output delimiter, e.g. ';' for spreadsheets (default: ,)");
  score->add_option("--line-ending", sa.line_ending, "CSV line ends: lf (default) or crlf (RFC 4180, for tools that want it)")
      ->check(CLI::IsMember({"lf", "crlf"}));
  score->add_option("-o,--output", sa.output, "output file (default: standard output)");
  score->add_flag("--explain", sa.explain, "add the rules that gave points to each row");
  score->add_option("--backend", sa.backend,
                    "interp (reference), batch (batch interpreter), jit (LLVM native code), auto (by input and model size)")
      ->check(CLI::IsMember({"interp", "batch", "jit", "auto"}));
  score->add_option("--threads", sa.threads, "scoring threads (default 1); rows stay in input order")
      ->check(CLI::Range(1, 256));
  score->add_option("--cache-dir", sa.cache_dir, "keep compiled models in this folder and reuse them (JIT only)");
  score->add_option("--keep", sa.keep, "input columns to pass through to the output, after the key: --keep \"Converted,Lead Source\"")
      ->delimiter(',');
  score->add_option("--columns", sa.columns, "the output columns, in this order (default: all): --columns \"id,total,temperature\"; "
                                             "kept columns are named as in --keep")
      ->delimiter(',');
  add_events_options(score, sa.events);
  score->add_flag("--strict", sa.strict, "a bad value of an optional field, or an event of an unknown kind, makes the record an "
                                         "error (default: read as missing / skipped, with a warning)");
  score->add_option("--on-error", sa.on_error, "a bad record gets an error row (row) or none (skip)")
      ->check(CLI::IsMember({"row", "skip"}));

  ExplainArgs ea;
  add_max_errors(score);
  CLI::App* explain = command("explain", "explain one lead's scores rule by rule", kExplainHelp);
  explain->add_option("model", ea.model, "the model file (.rubric, or a .so from rubric build)")->required()->check(CLI::ExistingFile);
  explain->add_option("--lead", ea.lead, "the lead as one JSON object");
  explain->add_option("-i,--input", ea.input, "or a .jsonl/.csv file of leads (the first, or the one with --id)");
  explain->add_option("--id", ea.id, "the key of the lead to explain in --input");
  explain->add_option("--as-of", ea.as_of, "the scoring time, ISO 8601 (default: now)");
  explain->add_flag("--fired-only", ea.fired_only, "list only the rules that fired");
  explain->add_option("--format", ea.format, "text, or json (one object)")->check(CLI::IsMember({"text", "json"}));
  explain->add_option("--backend", ea.backend,
                      "what scores the lead and records the values shown: auto (a compiled model's code, else interp), "
                      "interp, batch or jit")
      ->check(CLI::IsMember({"auto", "interp", "batch", "jit"}));
  add_events_options(explain, ea.events);

  // Known outcomes, for evaluate and diff.
  auto add_outcome_options = [](CLI::App* cmd, std::string& label, std::string& positive, std::string& outcomes, std::string& key,
                                std::vector<std::string>& undecided) {
    cmd->add_option("--label", label,
                    "the outcome: a column of the input (1/0, yes/no, true/false), or an expression like 'outcome = \"approved\"' "
                    "or 'stage in {\"won\", \"closed\"}'");
    cmd->add_option("--positive", positive, "the value of the --label column that means converted (e.g. yes)");
    cmd->add_option("--undecided", undecided, "a value of the --label column meaning not decided yet (e.g. open): those leads are "
                                              "left out (repeatable)");
    cmd->add_option("--outcomes", outcomes, "a file of outcomes joined to the leads by the key: a lead converted when its key is "
                                            "there (or, with --label, by that column of this file)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--outcomes-key", key, "the key column of --outcomes (default: the model key field's column)");
  };

  DiffArgs da;
  add_max_errors(explain);
  CLI::App* diff = command("diff", "compare two versions of a model on the same leads", kDiffHelp);
  diff->add_option("old", da.old_model, "the model as it is (.rubric)")->required()->check(CLI::ExistingFile);
  diff->add_option("new", da.new_model, "the changed model (.rubric)")->required()->check(CLI::ExistingFile);
  diff->add_option("-i,--input", da.input, "leads: CSV or JSON Lines (plain, gzip or zstd); a file, read once per model")->required()->check(kLeadsFile);
  diff->add_option("--as-of", da.as_of, "the scoring time, ISO 8601 (default: now)");
  diff->add_option("--input-format", da.input_format, "csv or jsonl (default: from the file name, else the content)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  add_outcome_options(diff, da.label, da.positive, da.outcomes, da.outcomes_key, da.undecided);
  diff->add_option("--top", da.top, "how many of the largest score changes to list (default 10)");
  diff->add_option("--format", da.format, "text, csv (a row per lead) or json")->check(CLI::IsMember({"text", "csv", "json"}));
  diff->add_option("--line-ending", da.line_ending, "CSV line ends: lf (default) or crlf")->check(CLI::IsMember({"lf", "crlf"}));
  add_events_options(diff, da.events);

  EvaluateArgs va;
  add_max_errors(diff);
  CLI::App* evaluate = command("evaluate", "measure whether a model's scores predict conversions", kEvaluateHelp);
  evaluate->add_option("model", va.model, "the model file (.rubric)")->required()->check(CLI::ExistingFile);
  evaluate->add_option("-i,--input", va.request.input, "leads with known outcomes: CSV or JSON Lines (plain, gzip or zstd); a file")->required()->check(kLeadsFile);
  add_outcome_options(evaluate, va.request.label, va.request.positive, va.request.outcomes, va.request.outcomes_key,
                      va.request.undecided);
  evaluate->add_option("--as-of", va.as_of, "the scoring time, ISO 8601 (default: now)");
  evaluate->add_option("--input-format", va.request.input_format, "csv or jsonl (default: from the file name, else the content)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  evaluate->add_option("--delimiter", va.request.delimiter, "CSV input delimiter, e.g. ';' or tab (default: detected)");
  add_events_options(evaluate, va.request.events);
  evaluate->add_option("--split", va.request.split, "hold leads out and report on them: random:0.3 (with --seed) or time:FIELD@DATE");
  evaluate->add_option("--seed", va.request.seed, "the seed of --split random (default 1)");
  evaluate->add_flag("--suggest", va.request.suggest, "fit the rules' points to the outcomes and compare on held-out leads");
  evaluate->add_option("--lambda", va.request.lambda, "--suggest's L2 penalty (default 1)")->check(CLI::NonNegativeNumber);
  evaluate->add_option("--write", va.write, "write the model with the suggested points to this new file (implies --suggest)");
  evaluate->add_flag("--force", va.force, "let --write replace an existing file");
  evaluate->add_option("--format", va.format, "text, or json")->check(CLI::IsMember({"text", "json"}));
  evaluate->add_option("--report", va.report, "also write a self-contained HTML report with charts to this file");
  add_max_errors(evaluate);

  FmtArgs fa;
  CLI::App* fmt_cmd = command("fmt", "rewrite models in the canonical layout", kFmtHelp);
  fmt_cmd->add_option("files", fa.files, "model files (.rubric), or - to format standard input to standard output")
      ->required()
      ->check(kFileOrStdin);
  fmt_cmd->add_flag("--check", fa.check, "only list the files that are not formatted (exit 1 if any)");
  fmt_cmd->add_flag("--diff", fa.diff, "print the changes as a unified diff instead of writing them");
  add_max_errors(fmt_cmd);

  std::vector<std::string> lint_files;
  std::string lint_format = "text";
  bool lint_strict = false;
  CLI::App* lint_cmd = command("lint", "find what compiles but is probably not meant", kLintHelp);
  lint_cmd->add_option("files", lint_files, "model files (.rubric), or - for standard input")->required()->check(kFileOrStdin);
  lint_cmd->add_option("--format", lint_format, "text (stderr), json, sarif or github (stdout, one document for all files)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  lint_cmd->add_flag("--strict", lint_strict, "warnings fail too (exit 1)");
  add_function_option(lint_cmd);
  add_max_errors(lint_cmd);

  BuildArgs ba;
  CLI::App* build = command("build", "compile a model to native code ahead of time", kBuildHelp);
  build->add_option("model", ba.model, "the model file (.rubric)")->required()->check(CLI::ExistingFile);
  build->add_option("-o,--output", ba.output, "model.so (shared object) or model.o (object to link)")->required();
  build->add_option("--name", ba.name, "the exported symbol of a .o (default rubric_model)");
  build->add_option("--cpu", ba.cpu, "the CPU to compile for: native, or an LLVM CPU name (default: portable)");
  add_function_option(build);
  add_max_errors(build);

  std::vector<std::string> test_files;
  std::string junit;
  CLI::App* test_cmd = command("test", "run the test cases written beside the rules", kTestHelp);
  test_cmd->add_option("files", test_files, "model files (.rubric) with test sections")->required()->check(CLI::ExistingFile);
  test_cmd->add_option("--junit", junit, "also write the results as JUnit XML to this file");
  add_max_errors(test_cmd);

  CLI::App* version = app.add_subcommand("version", "print Rubric's version");

  if (!known_command(argc, argv, app)) return kCannotRun;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kCannotRun;
  }
  // Standard input can be read once.
  for (const auto* list : {&files, &fa.files, &lint_files})
    if (std::count(list->begin(), list->end(), "-") > 1) {
      std::cerr << "rubric: - (standard input) can be given once\n";
      return kCannotRun;
    }
  try {
    if (version->parsed()) {
      std::cout << "rubric " << RUBRIC_VERSION << "\n";
      return kOk;
    }
    if (!declare_functions(function_decls)) return kCannotRun;
    if (check->parsed()) return run_check(files, check_format, emit);
    if (diff->parsed()) return run_diff(da);
    if (evaluate->parsed()) {
      va.request.seed_given = evaluate->count("--seed") > 0;
      va.request.lambda_given = evaluate->count("--lambda") > 0;
      return run_evaluate(va);
    }
    if (fmt_cmd->parsed()) return run_fmt(fa);
    if (lint_cmd->parsed()) return run_lint(lint_files, lint_format, lint_strict);
    if (test_cmd->parsed()) return run_test_cmd(test_files, junit);
    if (build->parsed()) return run_build(ba);
    if (explain->parsed()) {
      if (ea.lead.empty() == ea.input.empty()) {
        std::cerr << "rubric: explain needs either --lead JSON or --input FILE\n";
        return kCannotRun;
      }
      return run_explain(ea);
    }
    return run_score(sa);
  } catch (const std::exception& e) {
    std::cerr << "rubric: internal error: " << e.what() << "\n";
    return kCannotRun;
  }
}
