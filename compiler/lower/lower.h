// SPDX-License-Identifier: Apache-2.0
// The LLVM lowering phase: CheckedModel → llvm::Module defining `void rubric_score(RbCall*)`
// (compiler/lower/abi.h). It mirrors the interpreter operation by operation, so that the two
// back ends give identical results; every helper it calls is the interpreter's own code.
#pragma once

#include <memory>
#include <string>

#include "common/model.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace rubric::lower {

// The name of the generated entry point.
inline constexpr const char* kEntryName = "rubric_score";

// Emits the scoring function for `m`. The code refers to nodes of `m` by address (regexes,
// string sets, page globs, decay settings), so `m` must outlive the compiled code.
std::unique_ptr<llvm::Module> lower(const check::CheckedModel& m, llvm::LLVMContext& ctx);

}  // namespace rubric::lower
