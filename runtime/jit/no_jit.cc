// SPDX-License-Identifier: Apache-2.0
// The JIT's stand-in in librubric_runtime, the library built without LLVM: asking for the JIT
// gives an interpreter (runtime/jit/scorer.cc), with a message saying why. Ahead-of-time models
// still run natively (runtime/native).
#include "runtime/jit/jit.h"

namespace rubric::jit {

std::shared_ptr<const interp::Scorer> compile_jit(std::shared_ptr<const check::CheckedModel>, const CompileOptions&,
                                                  std::string* error) {
  if (error)
    *error = "this library (librubric_runtime) is built without LLVM, so it has no JIT; "
             "link librubric for the JIT, or load a model compiled with `rubric build`";
  return nullptr;
}

}  // namespace rubric::jit
