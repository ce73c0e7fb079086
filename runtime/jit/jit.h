// SPDX-License-Identifier: Apache-2.0
// The JIT back end: compiles a CheckedModel to native code with LLVM's ORC LLJIT and scores
// records with it. One JIT per process serves every model; each model lives in its own
// JITDylib. No LLVM type appears in this header.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/model.h"
#include "compiler/lower/abi.h"
#include "runtime/interp/interp.h"
#include "runtime/native/native.h"

namespace rubric::jit {

// Where compile time went, in milliseconds, and which cache served the code.
struct CompileTimes {
  double lower_ms = 0;     // CheckedModel → LLVM IR
  double optimize_ms = 0;  // IR optimisation (O1)
  double codegen_ms = 0;   // machine code (codegen at O2)
  double link_ms = 0;      // loading the object into the JIT and finding the entry point
  enum class Source { Compiled, MemoryCache, DiskCache } source = Source::Compiled;
};

struct CompileOptions {
  // What identifies the model for caching: its source text, for instance. Empty: no caching.
  std::string identity;
  // Keep compiled objects here, keyed by the identity, the Rubric version and the host CPU and
  // its features; empty: no disk cache. The folder is created when missing.
  std::string cache_dir;
};

// A model compiled to native code in this process. Immutable and thread-safe; keeps its
// CheckedModel alive, since the code refers to it. Frees its code when the last reference goes.
class JitModel : public native::NativeModel {
 public:
  // Compiles `model`; on failure returns null and says why in `error`.
  // With an identity, a model compiled before in this process is shared, not compiled again.
  static std::shared_ptr<JitModel> compile(std::shared_ptr<const check::CheckedModel> model, std::string* error,
                                           CompileTimes* times = nullptr, const CompileOptions& options = {});
  using NativeModel::NativeModel;
};

// How a model is scored. `Interpreted` is the row-wise executor, for every size of model (the
// batch runner is no faster since the scoring plan, docs/performance.md). `Tiered`: that
// executor while the model compiles on a thread of its own, then the compiled code
// (TieredScorer).
enum class ScorerKind { Interpreter, Batch, Jit, Interpreted, Tiered };
// Models with more rules than this compile with the light pipeline (runtime/jit/codegen.cc).
inline constexpr size_t kLargeModelRules = 200;
// A model with more checked nodes than this also counts as large for compiling: LLVM's full
// pipeline grows faster than linearly with a function's size (a 30,000-term condition took
// minutes), so large models get the light pipeline (runtime/jit/codegen.cc).
inline constexpr size_t kLargeModelNodes = 5'000;
inline bool is_large(const check::CheckedModel& m) {
  return m.rule_count() > kLargeModelRules || m.nodes.size() > kLargeModelNodes;
}
// The compile-time budget: past these sizes compiling to native code would take over a minute
// (docs/performance.md), so the JIT and `rubric build` refuse the model, and `--backend auto`
// scores it with the batch interpreter.
inline constexpr size_t kMaxJitRules = 10'000;
inline constexpr size_t kMaxJitNodes = 60'000;
// Why `m` is beyond the compile-time budget, or empty when it is within it.
std::string over_compile_budget(const check::CheckedModel& m);

// When an `auto` back end compiles (tiered, see TieredScorer): once a run, or an API Model over
// its calls, has this much input to score. Below it an interpreter scores, because starting LLVM
// and compiling (~130 ms) costs more CPU than the JIT saves per lead; measured break-evens in
// docs/performance.md: ~80k leads of JSON Lines with events (~170 MB), ~400k CSV rows (~40 MB),
// on one core. `rubric score --backend auto` decides by the input file's size; an API Model adds
// up the input of its calls (Model::Impl::scorer_for).
inline constexpr uint64_t kTierUpBytesJsonl = uint64_t{128} << 20;
inline constexpr uint64_t kTierUpBytesCsv = uint64_t{32} << 20;
inline uint64_t tier_up_bytes(bool csv) { return csv ? kTierUpBytesCsv : kTierUpBytesJsonl; }
// The input of one run as `auto` weighs it against tier_up_bytes, for the CLI and score_file
// alike: the leads file (`compressed`: gzip or zstd) and the events file (empty: none), a
// compressed byte as four (lead exports compress 4-10x), and a file of unknown size (standard
// input, a pipe) as one at the break-even.
uint64_t input_weight(const std::string& leads, bool compressed, const std::string& events, bool csv);

// The scorer of `kind` for `model`. A model compiled ahead of time (`native`, when given)
// scores with its own code unless an interpreter (Interpreter or Batch) is asked for. For Jit,
// when compiling fails, `jit_error` says why and the Interpreted choice is returned instead
// (every scorer gives identical results). Built without LLVM (librubric_runtime,
// runtime/jit/no_jit.cc), Jit always falls back so.
std::shared_ptr<const interp::Scorer> make_scorer(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind,
                                                  const CompileOptions& options, std::string* jit_error,
                                                  std::shared_ptr<const interp::Scorer> native = nullptr);

// Scores with the interpreter while the model compiles on a thread of its own, then with the
// compiled code, as a JVM's tiers do: what `rubric score --backend auto` uses on a large input,
// so that starting LLVM and compiling (some 80 ms for the B2B model) holds up neither the first
// lead nor, with --threads, the other cores. Every back end gives identical results, so which
// one scored a lead shows nowhere. Thread-safe; its destructor waits for the compile to end.
class TieredScorer : public interp::Scorer {
 public:
  // `interpreter`, when given, is the model's interpreter to score with until the code is ready
  // (else one is made).
  TieredScorer(std::shared_ptr<const check::CheckedModel> model, const CompileOptions& options,
               std::shared_ptr<const interp::Scorer> interpreter = nullptr);
  ~TieredScorer() override;
  TieredScorer(const TieredScorer&) = delete;
  TieredScorer& operator=(const TieredScorer&) = delete;
  interp::Outcome score(const interp::Record& record, int64_t as_of, bool explain) const override;
  interp::Outcome score_traced(const interp::Record& record, int64_t as_of) const override;
  void score_batch(const interp::Record* const* records, size_t n, int64_t as_of, bool explain,
                   interp::Outcome* out) const override;
  // Whether the compiled code scores now.
  bool compiled() const { return current_.load(std::memory_order_acquire) != interp_.get(); }
  // Waits for the compile to end; why it failed (the interpreter then scores on), or empty.
  std::string wait() const;

 private:
  const interp::Scorer& now() const { return *current_.load(std::memory_order_acquire); }
  std::shared_ptr<const interp::Scorer> interp_, compiled_;
  std::atomic<const interp::Scorer*> current_;  // interp_ until compiled_ is ready
  mutable std::mutex mu_;
  std::string error_;
  mutable std::once_flag joined_;
  mutable std::thread compiler_;  // last: it starts once the members above are made
};

// JitModel::compile as a Scorer: null, with `error` saying why, when compiling fails (and
// always in librubric_runtime, whose stand-in is runtime/jit/no_jit.cc).
std::shared_ptr<const interp::Scorer> compile_jit(std::shared_ptr<const check::CheckedModel> model,
                                                  const CompileOptions& options, std::string* error);

// The unoptimised IR of a model, for `rubric check --emit llvm`.
std::string emit_llvm(const check::CheckedModel& model);

// Ahead-of-time compilation (`rubric build`): an object file exporting one RbModelInfo named
// `name` (compiler/lower/abi.h), position-independent, for `cpu` (empty: the architecture's
// baseline, so it runs on any machine of that kind; "native": this machine's CPU). `model_name`
// and `source` are embedded for messages; the model itself is embedded as bytes.
struct BuildOptions {
  std::string name = "rubric_model";
  std::string cpu;
  std::string model_name, source;
  std::string model_bytes;  // set by build_object: the model as bytes (common/serialize.h)
};
struct BuildOutput {
  std::string object;  // the object file's bytes
  std::string target;  // "x86_64-pc-linux-gnu, CPU x86-64"
  CompileTimes times;
};
// The object embeds `model` as bytes (with `sources`, its files), so loading it compiles nothing.
bool build_object(const check::CheckedModel& model, const source::SourceManager& sources, const BuildOptions& options,
                  BuildOutput& out, std::string* error);
// Links `object` into the shared object `path` with the system's C compiler driver ($CC, or
// cc), which must be installed where models are built (not where they run).
bool link_shared_object(const std::string& object, const std::string& path, std::string* error);

}  // namespace rubric::jit
