// SPDX-License-Identifier: Apache-2.0
// Lower → optimise → object file, for the JIT and for ahead-of-time builds alike.
#include "runtime/jit/codegen.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/lower/lower.h"

namespace rubric::jit::codegen {

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return os.str();
}

namespace {

// IR optimisation: LLVM's O1 pipeline, or for large models just inlining what must be,
// promoting locals to registers, removing redundant loads and simplifying control flow.
void optimize(llvm::Module& m, llvm::TargetMachine* tm, bool large) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  if (!large) {
    pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O1).run(m, mam);
    return;
  }
  llvm::ModulePassManager mpm;
  if (auto err = pb.parsePassPipeline(mpm, "always-inline,function(sroa,early-cse,simplifycfg)")) {
    llvm::consumeError(std::move(err));
    return;
  }
  mpm.run(m, mam);
}

// Machine code for `module` as an object file.
bool emit_object(llvm::Module& module, llvm::TargetMachine* tm, llvm::SmallVector<char, 0>& out, std::string* error) {
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    if (error) *error = "this target cannot emit object files";
    return false;
  }
  pm.run(module);
  return true;
}

}  // namespace

bool compile_object(const check::CheckedModel& model, llvm::TargetMachine* tm, bool large,
                    const std::function<void(llvm::Module&)>& finish, llvm::SmallVector<char, 0>& out, CompileTimes& t,
                    std::string* error) {
  auto start = Clock::now();
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> module;
  try {
    module = lower::lower(model, ctx);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  module->setDataLayout(tm->createDataLayout());
  module->setTargetTriple(tm->getTargetTriple().str());
  finish(*module);
  t.lower_ms = ms_since(start);
  start = Clock::now();
  optimize(*module, tm, large);
  t.optimize_ms = ms_since(start);
  start = Clock::now();
  if (!emit_object(*module, tm, out, error)) return false;
  t.codegen_ms = ms_since(start);
  return true;
}

}  // namespace rubric::jit::codegen
