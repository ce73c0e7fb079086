// The JIT's stand-in in librubric_runtime, the library built without LLVM: asking for the JIT
// gives an interpreter, with a message saying why. Ahead-of-time models still run natively
// (runtime/native).
#include "runtime/jit/jit.h"

namespace rubric::jit {

std::shared_ptr<const interp::Scorer> make_scorer(std::shared_ptr<const check::CheckedModel> model, ScorerKind kind,
                                                  const CompileOptions&, std::string* jit_error,
                                                  std::shared_ptr<const interp::Scorer> native) {
  if (native && kind != ScorerKind::Interpreter && kind != ScorerKind::Batch) return native;
  if (kind == ScorerKind::Jit && jit_error)
    *jit_error = "this library (librubric_runtime) is built without LLVM, so it has no JIT; "
                 "link librubric for the JIT, or load a model compiled with `rubric build`";
  return make_interpreter(std::move(model), kind);
}

}  // namespace rubric::jit
