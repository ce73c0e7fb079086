// SPDX-License-Identifier: Apache-2.0
// Rubric's C++ embedding API. A ModelBuilder (options) compiles model text into an immutable,
// thread-safe Model; a Model scores leads (one JSON record, or many JSON Lines at once) at a
// given time. Shaped like cel-cpp: builder -> compiled program -> per-call input.
//
// Ownership and lifetime: CompileResult::model is a shared_ptr; a Model lives while any copy
// of it does, and all scoring state is per call. Thread safety: one Model may score from any
// number of threads at once. No exception crosses this API: problems come back as
// diagnostics or as Result::error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// An ahead-of-time model linked into the program (include/rubric/rubric.h).
struct rubric_linked_model;

namespace rubric {

namespace check {
struct HostFunction;
using HostFunctions = std::vector<HostFunction>;
}  // namespace check

enum class Backend {
  Auto,         // the interpreter, then the JIT once the model has scored a large input (see
                // Model::scoring_backend); for a model compiled by `rubric build`, its native code
  Interpreter,  // the reference: the model's scoring plan run a lead at a time
  Batch,        // the same plan run an instruction at a time over batches of leads
  Jit,          // native code through LLVM (falls back to the interpreter if LLVM fails, or in
                // librubric_runtime, which is built without LLVM)
  Native,       // a model compiled ahead of time by `rubric build` (chosen on loading one)
};

// One problem found while compiling, as `rubric check` prints it.
struct Diagnostic {
  std::string id;        // "E0201"
  std::string severity;  // "error" or "warning"
  std::string file;
  int line = 0, column = 0;
  std::string message;
  std::vector<std::string> notes;  // "help: ..." and "note: ..."
};

// A rule that gave points, for explanations.
struct RuleResult {
  std::string score, label;
  double points = 0;
  int64_t events = 0;
  bool capped = false, decayed = false;
  int line = 0;  // the rule's line in the model
};

// The moment a lead is scored at ("as of"): events after it are ignored, windows end at it.
// An integer is seconds since 1970-01-01T00:00:00Z, as the API always took; a fraction of a
// second needs AsOf::milliseconds or AsOf::parse (`2026-11-01T00:00:00.500Z`). Held to the years
// 1 to 9999, as times in data are (a "far future" INT64_MAX is 9999-12-31).
class AsOf {
 public:
  AsOf(int64_t seconds = 0);  // NOLINT: implicit, for the seconds callers pass
  static AsOf milliseconds(int64_t ms);
  // ISO 8601 text as `rubric score --as-of` reads it ("2026-11-01", "2026-11-01T09:30:00.250+02:00");
  // false when it is not a time.
  static bool parse(std::string_view iso, AsOf& out);
  int64_t ms() const { return ms_; }
  // Whole seconds, rounded down.
  int64_t seconds() const;

 private:
  int64_t ms_;
};

// The scoring of one lead. `error` is set (and nothing else) when the record could not be read.
struct Result {
  std::string key;
  std::vector<std::pair<std::string, double>> scores;  // in model order
  double total = 0;
  std::vector<std::pair<std::string, std::string>> tiers;  // tier set -> tier ("disqualified")
  std::string disqualified;                                // the reason, or empty
  std::string error;
  std::vector<RuleResult> rules;  // with explain only
  bool ok() const { return error.empty(); }
};

class Model;

// A file of leads to score as `rubric score` does (Model::score_file).
struct FileJob {
  std::string input;   // leads: CSV or JSON Lines, plain, gzip or zstd (format from the name or content)
  std::string events;  // optional: a flat events file (one event per row), joined to the leads by key
  bool events_sorted = false;  // stream the events: both files sorted by lead key
  std::string output;  // where the rows go (one per lead, in input order)
  bool jsonl = false;  // rows as JSON Lines instead of CSV
  AsOf as_of;          // seconds since 1970-01-01T00:00:00Z, or AsOf::milliseconds
  bool explain = false;
  bool strict = false;  // bad optional values and unknown event kinds are record errors
  int threads = 1;
  std::vector<std::string> keep;     // input columns passed through, after the key (`--keep`)
  std::vector<std::string> columns;  // the output columns, in this order (`--columns`; empty: all)
};

// What score_file did. `error` set: it could not run (nothing, or not all, was written).
struct FileStats {
  std::string error;
  int64_t scored = 0, errors = 0, warnings = 0;
  int64_t events_read = 0, events_joined = 0;  // rows of the events file, events given to leads
  int64_t orphan_events = 0;                    // events whose lead is not in the input
  int64_t keyless_events = 0;                   // event rows without a readable lead key
  std::string messages;                         // record errors and warnings, as `rubric score` prints them
  bool ok() const { return error.empty(); }
};

// Values passed to and from host functions (ModelBuilder::function).
enum class ValueType { Bool, Int, Number, String, Time };
struct Value {
  ValueType type = ValueType::Number;
  bool b = false;   // Bool
  int64_t i = 0;    // Int; Time as seconds since 1970-01-01T00:00:00Z
  double d = 0;     // Number
  std::string s;    // String
  static Value boolean(bool v) { Value x; x.type = ValueType::Bool; x.b = v; return x; }
  static Value integer(int64_t v) { Value x; x.type = ValueType::Int; x.i = v; return x; }
  static Value number(double v) { Value x; x.type = ValueType::Number; x.d = v; return x; }
  static Value text(std::string v) { Value x; x.type = ValueType::String; x.s = std::move(v); return x; }
  static Value time(int64_t seconds) { Value x; x.type = ValueType::Time; x.i = seconds; return x; }
};

// A function a model may call like a built-in: `is_customer(email domain)`. It gets its
// arguments in their declared types (never missing: a call with a missing argument is missing
// without calling it) and returns a value of its result type, or std::nullopt for missing. It is
// called from every scoring thread at once, so it must be thread-safe; it should be pure (same
// arguments, same answer) so that scores stay explainable. If it throws, or returns a value of
// another type, the call is missing.
using Function = std::function<std::optional<Value>(const std::vector<Value>& args)>;

struct CompileResult {
  std::shared_ptr<const Model> model;    // null when there are errors
  std::vector<Diagnostic> diagnostics;   // every error and warning
  std::string text;                      // the diagnostics rendered with carets
  bool ok() const { return model != nullptr; }
};

// Compile options. Cheap to copy; build_* may be called from any thread.
class ModelBuilder {
 public:
  ModelBuilder& backend(Backend b);
  ModelBuilder& cache_dir(std::string dir);  // JIT: keep compiled code here
  // Adds a host function with up to 4 arguments; a Number argument also accepts an Int. A name
  // that is not an identifier, is a built-in's, is registered twice, or has too many arguments
  // makes every build fail with an A0001 diagnostic saying so. Models compiled ahead of time
  // that call it need it registered here when they are loaded, too.
  ModelBuilder& function(std::string name, std::vector<ValueType> args, ValueType result, Function fn);
  CompileResult build_source(std::string name, std::string text) const;
  // Compiles a .rubric file, or loads a shared object `rubric build MODEL -o model.so` made.
  // A loaded model scores with its compiled code (Backend::Native) unless the backend was set
  // to an interpreter; it loads only into the Rubric build that compiled it (else an error says
  // so). The shared object stays loaded while the Model lives.
  CompileResult build_file(const std::string& path) const;
  // Loads a model linked into the program (`rubric build MODEL -o model.o --name NAME`, then
  // RUBRIC_LINKED_MODEL(NAME) from rubric.h and build_linked(&NAME, "NAME")).
  CompileResult build_linked(const rubric_linked_model* linked, const std::string& name) const;

 private:
  std::shared_ptr<const rubric::check::HostFunctions> host_functions(std::vector<std::string>& errors) const;
  struct FunctionDef {
    std::string name;
    std::vector<ValueType> args;
    ValueType result;
    Function fn;
  };
  Backend backend_ = Backend::Auto;
  std::string cache_dir_;
  std::vector<FunctionDef> functions_;
};

class Model {
 public:
  // Scores one lead given as a JSON object (events in an `events` array), which may span lines;
  // text after the object makes the result an error.
  Result score_json(std::string_view json, AsOf as_of, bool explain = false) const;
  // Scores JSON Lines (LF, CRLF or CR line ends), one result per non-blank line, in order, on
  // `threads` threads.
  std::vector<Result> score_jsonl(std::string_view lines, AsOf as_of, bool explain = false, int threads = 1) const;
  // Scores a file of leads into `job.output`, joining `job.events` when given; rows as `rubric
  // score` writes them. Record errors are counted (and written as error rows), not thrown.
  FileStats score_file(const FileJob& job) const;
  const std::vector<std::string>& score_names() const;
  const std::vector<std::string>& tier_set_names() const;
  // The JSON key (or column) of the lead's `key` field, "" if the model has none.
  const std::string& key_field() const;
  // The column of a flat events file that holds each event's lead key (an `event:` field marked
  // `key`, else the lead key's column); "" if the model has no key or no events.
  const std::string& event_key_field() const;
  Backend backend() const;
  // What scores this model's leads now: for Backend::Auto, Interpreter until the model has
  // scored enough input to pay for compiling (some 128 MB of JSON Lines or 32 MB of CSV over
  // its calls, or one score_file of an input that large), then Jit once the compile, which
  // runs on a thread of its own meanwhile, is done. Other backends: backend().
  Backend scoring_backend() const;

  // ISO 8601 text ("2026-11-01", "2026-11-01T09:30:00Z") as whole seconds since the epoch
  // (rounded down); -1 if not a time. AsOf::parse keeps the fraction of a second.
  static int64_t parse_time(std::string_view iso);

  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  ~Model();
  // Internal: what the model holds, defined in runtime/api/impl.h (not installed), for Rubric's
  // own code built on this API. Not part of the stable API.
  const Impl& impl() const { return *impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// A model that can be replaced while other threads score with it (hot reload). Each scoring
// call takes the current model once, so a result always comes from one model entirely, old or
// new; replacing never waits for scoring, and scoring never takes a lock of ours (the swap
// itself is an atomic shared_ptr). Thread-safe.
class LiveModel {
 public:
  explicit LiveModel(std::shared_ptr<const Model> model);
  // Publishes `model` for every later call; calls already running finish with the old one.
  void replace(std::shared_ptr<const Model> model);
  std::shared_ptr<const Model> current() const;
  Result score_json(std::string_view json, AsOf as_of, bool explain = false) const;

 private:
  std::atomic<std::shared_ptr<const Model>> model_;
};

}  // namespace rubric
