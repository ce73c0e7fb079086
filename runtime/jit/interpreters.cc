// Choosing an interpreter; shared by the JIT library and its LLVM-free stand-in.
#include "runtime/interp/batch.h"
#include "runtime/jit/jit.h"

namespace rubric::jit {

std::shared_ptr<const interp::Scorer> make_interpreter(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind) {
  if (kind == ScorerKind::Interpreted || kind == ScorerKind::Jit)
    kind = model->rule_count() > kLargeModelRules ? ScorerKind::Batch : ScorerKind::Interpreter;
  if (kind == ScorerKind::Batch) return std::make_shared<interp::BatchInterpreter>(std::move(model));
  return std::make_shared<interp::Interpreter>(std::move(model));
}

}  // namespace rubric::jit
