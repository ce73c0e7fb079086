// SPDX-License-Identifier: Apache-2.0
// The code generation steps the JIT and ahead-of-time builds share: lower, optimise, emit an
// object file. Internal to runtime/jit: it is the only header here that names LLVM types.
#pragma once

#include <llvm/ADT/SmallVector.h>
#include <llvm/Support/Error.h>

#include <chrono>
#include <functional>
#include <string>

#include "common/model.h"
#include "runtime/jit/jit.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace rubric::jit::codegen {

using Clock = std::chrono::steady_clock;
inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string to_string(llvm::Error e);

// Models with more than kLargeModelRules rules (jit.h) compile with a lighter pipeline and
// the fast instruction selector (see docs/performance.md).

// Lowers `model`, lets `finish` add to the module (a key, a descriptor), optimises (O1, or the
// light pipeline for large models) and emits an object file for `tm` into `out`. Fills the
// lower, optimize and codegen times of `t`. On failure says why in `error`.
bool compile_object(const check::CheckedModel& model, llvm::TargetMachine* tm, bool large,
                    const std::function<void(llvm::Module&)>& finish, llvm::SmallVector<char, 0>& out, CompileTimes& t,
                    std::string* error);

}  // namespace rubric::jit::codegen
