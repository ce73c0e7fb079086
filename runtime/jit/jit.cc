// SPDX-License-Identifier: Apache-2.0
// ORC LLJIT wrapper: one JIT per process, a JITDylib of runtime helpers every model links
// against, and one JITDylib per compiled model. IR is optimised at O1 and code generated at O2
// (as fast as IR O2 and quicker to compile). Models are compiled to object files, the same
// pipeline as ahead-of-time builds, which is what lets them be cached in memory and on disk.
#include "runtime/jit/jit.h"
#include "runtime/native/checksum.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <fmt/format.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>


#include <atomic>
#include <map>
#include <chrono>
#include <mutex>

#include "compiler/lower/lower.h"
#include "runtime/jit/codegen.h"
#include "runtime/interp/batch.h"

namespace rubric::jit {

using namespace codegen;

namespace {

// The process's one JIT. Creating an LLJIT costs tens of milliseconds; models share it.
class Engine {
 public:
  // Never destroyed: a model held by a static object of the program (or compiled on a tiered
  // scorer's thread after such an object was made) may drop its code at exit after function
  // statics made later are gone, and dropping code goes through the engine.
  static Engine& get() {
    static Engine* e = new Engine;
    return *e;
  }
  bool ok() const { return jit_ != nullptr; }
  const std::string& error() const { return error_; }
  std::mutex& mutex() { return mu_; }
  llvm::orc::LLJIT& jit() { return *jit_; }
  llvm::orc::JITDylib& runtime() { return *runtime_; }
  llvm::TargetMachine* target(bool large) { return large ? fast_tm_.get() : tm_.get(); }

 private:
  Engine() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      error_ = to_string(jtmb.takeError());
      return;
    }
    // Two code generators: O2 for the usual model, and the fast instruction selector for
    // large ones, where O2 alone took seconds (docs/performance.md).
    jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::None);
    auto fast = jtmb->createTargetMachine();
    jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
    auto tm = jtmb->createTargetMachine();
    if (!tm || !fast) {
      error_ = !tm ? to_string(tm.takeError()) : to_string(fast.takeError());
      if (tm) llvm::consumeError(fast.takeError());
      return;
    }
    tm_ = std::move(*tm);
    fast_tm_ = std::move(*fast);
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
    if (!jit) {
      error_ = to_string(jit.takeError());
      return;
    }
    jit_ = std::move(*jit);
    auto rt = jit_->createJITDylib("rubric_runtime");
    if (!rt) {
      error_ = to_string(rt.takeError());
      jit_.reset();
      return;
    }
    runtime_ = &*rt;
    llvm::orc::SymbolMap syms;
    auto add = [&](const char* name, auto* fn) {
      syms[jit_->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void*>(fn)),
                                           llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
    };
#define RB_ADD(name) add(#name, &name);
    RB_HELPERS(RB_ADD)
#undef RB_ADD
    if (auto err = runtime_->define(llvm::orc::absoluteSymbols(std::move(syms)))) {
      error_ = to_string(std::move(err));
      jit_.reset();
    }
  }

  std::mutex mu_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unique_ptr<llvm::TargetMachine> tm_, fast_tm_;
  llvm::orc::JITDylib* runtime_ = nullptr;
  std::string error_;
};

std::string print_module(const llvm::Module& m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os, nullptr);
  return os.str();
}

std::atomic<uint64_t> next_id{0};

}  // namespace

std::shared_ptr<const interp::Scorer> compile_jit(std::shared_ptr<const check::CheckedModel> model,
                                                  const CompileOptions& options, std::string* error) {
  return JitModel::compile(std::move(model), error, nullptr, options);
}

std::string emit_llvm(const check::CheckedModel& model) {
  llvm::LLVMContext ctx;
  return print_module(*lower::lower(model, ctx));
}

namespace {

// FNV-1a, 64 bits: enough to name cache files; the key text itself is long and exact.
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The models compiled in this process, by key, and their lock; made on first use and never
// destroyed, as the engine is not.
struct MemoryCache {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<JitModel>> models;
};
MemoryCache& memory() {
  static MemoryCache* c = new MemoryCache;
  return *c;
}

}  // namespace

std::shared_ptr<JitModel> JitModel::compile(std::shared_ptr<const check::CheckedModel> model, std::string* error,
                                            CompileTimes* times, const CompileOptions& options) {
  Engine& engine = Engine::get();
  if (!engine.ok()) {
    if (error) *error = "the JIT could not start: " + engine.error();
    return nullptr;
  }
  if (std::string why = over_compile_budget(*model); !why.empty()) {
    if (error) *error = why;
    return nullptr;
  }
  CompileTimes t;
  bool large = is_large(*model);
  llvm::TargetMachine* tm = engine.target(large);
  // The key: what the model is, which Rubric compiled it, and for which CPU.
  std::string key;
  if (!options.identity.empty()) {
    key = native::build_key_prefix() + fmt::format("{}\n{}\n{}\n{}", tm->getTargetTriple().str(), tm->getTargetCPU().str(),
                                                   tm->getTargetFeatureString().str(), options.identity);
    MemoryCache& cache = memory();
    std::lock_guard<std::mutex> lock(cache.mu);
    for (auto it = cache.models.begin(); it != cache.models.end();)  // forget models nobody holds
      it = it->second.expired() && it->first != key ? cache.models.erase(it) : std::next(it);
    if (auto hit = cache.models[key].lock()) {
      t.source = CompileTimes::Source::MemoryCache;
      if (times) *times = t;
      return hit;
    }
  }
  std::string file;
  if (!key.empty() && !options.cache_dir.empty())
    file = fmt::format("{}/rubric-{:016x}-{:016x}.o", options.cache_dir, fnv1a(key), fnv1a(options.identity));
  // Every object carries its full key (the symbol `rubric_key`): a loaded object is used only
  // when that key matches exactly, so a hash collision, a file of another model, or one an
  // older Rubric compiled is rebuilt instead of run.
  std::unique_ptr<llvm::MemoryBuffer> object;
  if (!file.empty()) {
    auto start = Clock::now();
    auto mb = llvm::MemoryBuffer::getFile(file);
    if (mb) {
      // Cache files carry the same SHA-256 trailer as `rubric build` output: a damaged one is
      // compiled afresh, never loaded (damaged machine code would crash the process).
      native::SealCheck sealed = native::check_seal((*mb)->getBuffer());
      if (sealed.status == native::SealCheck::Ok) {
        object = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(sealed.body.data(), sealed.body.size()), "rubric_model");
        t.source = CompileTimes::Source::DiskCache;
        t.link_ms = ms_since(start);
      } else {
        llvm::sys::fs::remove(file);
      }
    }
  }
  std::lock_guard<std::mutex> lock(engine.mutex());
  // Machine code for the model, as an object file (and into the disk cache when asked).
  auto build = [&]() -> std::unique_ptr<llvm::MemoryBuffer> {
    llvm::SmallVector<char, 0> bytes;
    auto add_key = [&](llvm::Module& module) {
      llvm::Constant* text = llvm::ConstantDataArray::getString(module.getContext(), key, true);
      new llvm::GlobalVariable(module, text->getType(), true, llvm::GlobalValue::ExternalLinkage, text, "rubric_key");
    };
    if (!compile_object(*model, tm, large, add_key, bytes, t, error)) return nullptr;
    return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(bytes.data(), bytes.size()), "rubric_model");
  };
  // Loads an object into a fresh JITDylib; on failure removes the dylib and says why.
  llvm::orc::LLJIT& jit = engine.jit();
  std::string name;
  auto load = [&](std::unique_ptr<llvm::MemoryBuffer> obj, std::string& why) -> RbScoreFn {
    name = "rubric_model_" + std::to_string(next_id++);
    auto jd = jit.createJITDylib(name);
    if (!jd) {
      why = to_string(jd.takeError());
      return nullptr;
    }
    jd->addToLinkOrder(engine.runtime());
    llvm::Error err = jit.addObjectFile(*jd, std::move(obj));
    if (!err) {
      auto stored = jit.lookup(*jd, "rubric_key");
      if (!stored) {
        err = stored.takeError();
      } else if (key != stored->toPtr<const char*>()) {
        err = llvm::createStringError(llvm::inconvertibleErrorCode(), "the object was compiled for another model or Rubric");
      } else {
        auto sym = jit.lookup(*jd, lower::kEntryName);
        if (sym) return sym->toPtr<RbScoreFn>();
        err = sym.takeError();
      }
    }
    why = "the compiled model could not be loaded: " + to_string(std::move(err));
    llvm::consumeError(jit.getExecutionSession().removeJITDylib(*jd));
    return nullptr;
  };
  if (!object && !(object = build())) return nullptr;
  auto start = Clock::now();
  std::string why;
  // The object is kept for the disk cache only once it has loaded and linked.
  std::string bytes = t.source == CompileTimes::Source::Compiled && !file.empty() ? object->getBuffer().str() : "";
  RbScoreFn fn = load(std::move(object), why);
  if (!fn && t.source == CompileTimes::Source::DiskCache) {
    // A damaged or foreign cache file: compile afresh and replace it.
    llvm::sys::fs::remove(file);
    t.source = CompileTimes::Source::Compiled;
    if (!(object = build())) return nullptr;
    bytes = object->getBuffer().str();
    start = Clock::now();
    fn = load(std::move(object), why);
  }
  if (!fn) {
    if (error) *error = why;
    return nullptr;
  }
  if (!bytes.empty()) {
    llvm::sys::fs::create_directories(options.cache_dir);
    native::write_file(file, native::seal(bytes));
  }
  t.link_ms += ms_since(start);
  if (times) *times = t;
  // The code's owner: removing the dylib frees it, once the last JitModel holding it is gone.
  std::shared_ptr<void> code(new std::string(name), [](void* p) {
    std::unique_ptr<std::string> dylib(static_cast<std::string*>(p));
    Engine& engine = Engine::get();
    std::lock_guard<std::mutex> lock(engine.mutex());
    if (auto* jd = engine.jit().getExecutionSession().getJITDylibByName(*dylib))
      llvm::consumeError(engine.jit().getExecutionSession().removeJITDylib(*jd));
  });
  std::shared_ptr<JitModel> result;
  try {
    result = std::make_shared<JitModel>(std::move(model), fn, std::move(code));
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
  if (!key.empty()) {
    MemoryCache& cache = memory();
    std::lock_guard<std::mutex> mlock(cache.mu);
    cache.models[key] = result;
  }
  return result;
}

}  // namespace rubric::jit
