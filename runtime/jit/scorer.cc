// SPDX-License-Identifier: Apache-2.0
// Choosing and building a scorer; shared by the JIT library and its LLVM-free stand-in, which
// differ only in compile_jit (runtime/jit/jit.cc, runtime/jit/no_jit.cc).
#include <fmt/format.h>

#include "runtime/interp/batch.h"
#include "runtime/jit/jit.h"

namespace rubric::jit {

namespace {

// The interpreter `kind` names (Interpreter, Batch, or Interpreted's choice).
std::shared_ptr<const interp::Scorer> make_interpreter(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind) {
  // Since the scoring plan, the row-wise executor is at least as fast as the batch runner on
  // small and large models alike (docs/performance.md), so it is the interpreters' choice.
  if (kind == ScorerKind::Interpreted || kind == ScorerKind::Jit) kind = ScorerKind::Interpreter;
  if (kind == ScorerKind::Batch) return std::make_shared<interp::BatchInterpreter>(std::move(model));
  return std::make_shared<interp::Interpreter>(std::move(model));
}

}  // namespace

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
  if (kind == ScorerKind::Jit) {
    if (auto compiled = compile_jit(model, options, jit_error)) return compiled;
    kind = ScorerKind::Interpreted;
  }
  return make_interpreter(std::move(model), kind);
}

}  // namespace rubric::jit
