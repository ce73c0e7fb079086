// SPDX-License-Identifier: Apache-2.0
// Choosing and building a scorer; shared by the JIT library and its LLVM-free stand-in, which
// differ only in compile_jit (runtime/jit/jit.cc, runtime/jit/no_jit.cc).
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>

#include "runtime/interp/batch.h"
#include "runtime/jit/jit.h"

namespace rubric::jit {

namespace {

// The interpreter `kind` names (Interpreter, Batch, or Interpreted's choice).
std::shared_ptr<const interp::Scorer> make_interpreter(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind) {
  // Since the scoring plan, the row-wise executor is at least as fast as the batch runner on
  // small and large models alike (docs/performance.md), so it is the interpreters' choice.
  if (kind == ScorerKind::Interpreted || kind == ScorerKind::Jit || kind == ScorerKind::Tiered) kind = ScorerKind::Interpreter;
  if (kind == ScorerKind::Batch) return std::make_shared<interp::BatchInterpreter>(std::move(model));
  return std::make_shared<interp::Interpreter>(std::move(model));
}

}  // namespace

uint64_t input_weight(const std::string& leads, bool compressed, const std::string& events, bool csv) {
  auto size_of = [&](const std::string& path, bool packed) -> uint64_t {
    if (path == "-") return tier_up_bytes(csv);
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return tier_up_bytes(csv);
    return packed && size < UINT64_MAX / 4 ? uint64_t{size} * 4 : uint64_t{size};
  };
  uint64_t bytes = size_of(leads, compressed);
  if (!events.empty()) bytes += std::min<uint64_t>(size_of(events, false), UINT64_MAX - bytes);
  return bytes;
}

std::string over_compile_budget(const check::CheckedModel& m) {
  if (m.rule_count() > kMaxJitRules)
    return fmt::format("the model has {} rules, and native code is compiled for at most {} (it would take minutes); "
                       "use --backend interp, which scores large models within about 1.2x of native code",
                       m.rule_count(), kMaxJitRules);
  if (m.nodes.size() > kMaxJitNodes)
    return fmt::format("the model has {} conditions and values, and native code is compiled for at most {} (it would "
                       "take minutes); use --backend interp",
                       m.nodes.size(), kMaxJitNodes);
  return {};
}

std::shared_ptr<const interp::Scorer> make_scorer(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind,
                                                  const CompileOptions& options, std::string* jit_error,
                                                  std::shared_ptr<const interp::Scorer> native) {
  if (native && kind != ScorerKind::Interpreter && kind != ScorerKind::Batch) return native;
  if (kind == ScorerKind::Tiered) return std::make_shared<TieredScorer>(std::move(model), options);
  if (kind == ScorerKind::Jit) {
    if (auto compiled = compile_jit(model, options, jit_error)) return compiled;
    kind = ScorerKind::Interpreted;
  }
  return make_interpreter(std::move(model), kind);
}

TieredScorer::TieredScorer(std::shared_ptr<const check::CheckedModel> model, const CompileOptions& options,
                           std::shared_ptr<const interp::Scorer> interpreter)
    : interp_(interpreter ? std::move(interpreter) : make_interpreter(model, ScorerKind::Interpreter)), current_(interp_.get()) {
  try {
    compiler_ = std::thread([this, model = std::move(model), options] {
      std::string error;
      std::shared_ptr<const interp::Scorer> compiled;
      try {
        compiled = compile_jit(model, options, &error);
      } catch (const std::exception& e) {  // out of memory, say: the interpreter scores on
        error = e.what();
      } catch (...) {
        error = "compiling failed";
      }
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::move(error);
      if (compiled) {
        compiled_ = std::move(compiled);
        current_.store(compiled_.get(), std::memory_order_release);
      }
    });
  } catch (const std::system_error& e) {  // no thread to compile on: the interpreter scores
    error_ = std::string("no thread to compile on: ") + e.what();
  }
}

TieredScorer::~TieredScorer() { wait(); }

std::string TieredScorer::wait() const {
  std::call_once(joined_, [this] {
    if (compiler_.joinable()) compiler_.join();
  });
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

interp::Outcome TieredScorer::score(const interp::Record& record, int64_t as_of, bool explain) const {
  return now().score(record, as_of, explain);
}

interp::Outcome TieredScorer::score_traced(const interp::Record& record, int64_t as_of) const {
  return now().score_traced(record, as_of);
}

void TieredScorer::score_batch(const interp::Record* const* records, size_t n, int64_t as_of, bool explain,
                               interp::Outcome* out) const {
  now().score_batch(records, n, as_of, explain, out);
}

}  // namespace rubric::jit
