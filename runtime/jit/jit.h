// The JIT back end: compiles a CheckedModel to native code with LLVM's ORC LLJIT and scores
// records with it. One JIT per process serves every model; each model lives in its own
// JITDylib. No LLVM type appears in this header.
#pragma once

#include <memory>
#include <string>

#include "compiler/check/model.h"
#include "compiler/lower/abi.h"
#include "runtime/interp/interp.h"

namespace rubric::jit {

// Where compile time went, in milliseconds.
struct CompileTimes {
  double lower_ms = 0;     // CheckedModel → LLVM IR
  double optimize_ms = 0;  // IR optimisation (O1)
  double codegen_ms = 0;   // machine code and linking (codegen at O2)
};

// A model compiled to native code. Immutable and thread-safe; keeps its CheckedModel alive,
// since the code refers to it. Frees its code when the last reference goes.
class JitModel : public interp::Scorer {
 public:
  // Compiles `model`; on failure returns null and says why in `error`.
  static std::shared_ptr<JitModel> compile(std::shared_ptr<const check::CheckedModel> model, std::string* error,
                                           CompileTimes* times = nullptr);
  ~JitModel() override;
  interp::Outcome score(const interp::Record& record, int64_t as_of, bool explain) const override;
  const check::CheckedModel& model() const { return *model_; }
  // The optimised IR, for `--emit llvm`.
  const std::string& ir() const { return ir_; }

  JitModel(std::shared_ptr<const check::CheckedModel> model, RbScoreFn fn, std::string dylib, std::string ir);

 private:
  std::shared_ptr<const check::CheckedModel> model_;
  RbScoreFn fn_;
  std::string dylib_;
  std::string ir_;
  size_t rules_;
};

// The unoptimised IR of a model, for `rubric check --emit llvm`.
std::string emit_llvm(const check::CheckedModel& model);

}  // namespace rubric::jit
