// SPDX-License-Identifier: Apache-2.0
// Native scoring without LLVM: runs compiled scoring code (compiler/lower/abi.h) made by the JIT
// or ahead of time by `rubric build`, and loads ahead-of-time models (shared objects, or
// objects linked into the program). A product that links only this side of Rubric
// (librubric_runtime.so) scores with native code and never loads LLVM.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/model.h"
#include "compiler/source/source.h"
#include "compiler/lower/abi.h"
#include "runtime/interp/interp.h"

namespace rubric::native {

// What identifies this build of Rubric: "rubric VERSION build ID\n". The JIT's disk cache keys
// cached code with it, so a cache is only ever read by the build that wrote it.
std::string build_key_prefix();
// The first line of a compiled model's key: "rubric model format ABI.PLAN.MODEL (rubric
// VERSION)\n". A model loads in any Rubric whose three formats match, whatever its version.
std::string model_key_prefix();

// The signatures of the host functions `model` calls, sorted: "is_customer(String)->Bool;...".
// Compiled code depends on them, so a compiled model records them and is loaded only with the
// same ones.
std::string host_signatures(const check::CheckedModel& model);

// This process's helpers, in RB_HELPERS order.
void* const* helper_table();

// Compiled scoring code with the model it was compiled from. Immutable and thread-safe.
// `code` owns the code (a JIT dylib, a dlopen handle) and is released after the last use.
class NativeModel : public interp::Scorer {
 public:
  NativeModel(std::shared_ptr<const check::CheckedModel> model, RbScoreFn fn, std::shared_ptr<void> code);
  interp::Outcome score(const interp::Record& record, int64_t as_of, bool explain) const override;
  interp::Outcome score_traced(const interp::Record& record, int64_t as_of) const override;
  void score_into(const interp::Record& record, int64_t as_of, bool explain, interp::Outcome& out) const override;
  const check::CheckedModel& model() const { return *model_; }

 private:
  void run(const interp::Record& record, int64_t as_of, bool explain, bool trace, interp::Outcome& out) const;

  std::shared_ptr<const check::CheckedModel> model_;
  RbScoreFn fn_;
  std::shared_ptr<void> code_;
  size_t rules_;
  std::vector<const void*> refs_;
  mutable std::once_flag trace_once_;  // the plan's trace size, found when first explaining
  mutable size_t trace_size_ = 0;
};

// An ahead-of-time model, loaded. On failure `scorer` is null and `error` says why, in words
// for the person who ran the command.
struct Loaded {
  std::shared_ptr<const check::CheckedModel> model;  // read from the model's bytes
  std::shared_ptr<source::SourceManager> sources;    // its files, for explanations
  std::shared_ptr<NativeModel> scorer;
  std::string target;  // what the code was compiled for: "x86_64-pc-linux-gnu, CPU x86-64"
  std::string error;
};

// Writes `bytes` to `path` under a temporary name and renames it into place, so no reader
// ever sees half a file; false (and no file) on failure. For cached and built models.
bool write_file(const std::string& path, std::string_view bytes);

// True when the file at `path` starts like an ELF file (a `rubric build` output, perhaps).
bool is_elf_file(const std::string& path);
// Loads a shared object `rubric build MODEL -o model.so` wrote, with dlopen. The file is read
// once; its checksum (runtime/native/checksum.h) must match before dlopen, which loads a copy of
// the checked bytes; a damaged model is refused with a message. A model whose
// code uses CPU features this machine lacks is refused, unless `any_cpu` (for checking a
// build made for another machine: its code must then not be run here).
// A model calling host functions needs the same functions registered (`host_functions`).
Loaded load_shared_object(const std::string& path, bool any_cpu = false,
                          std::shared_ptr<const check::HostFunctions> host_functions = nullptr);
// Loads a model linked into this program (`rubric build MODEL -o model.o --name NAME`; pass
// &NAME). `where` names it in messages.
Loaded load_linked(const RbModelInfo* info, const std::string& where,
                   std::shared_ptr<const check::HostFunctions> host_functions = nullptr);

}  // namespace rubric::native
