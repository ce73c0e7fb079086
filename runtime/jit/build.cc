// SPDX-License-Identifier: Apache-2.0
// Ahead-of-time builds (`rubric build`): the JIT's pipeline, for a portable CPU and
// position-independent code, into an object that exports one RbModelInfo and imports nothing
// (compiler/lower/abi.h). Shared objects are linked by the system's C compiler driver. Every
// file written ends with a SHA-256 trailer (runtime/native/checksum.h) that the loader checks.
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>
#include <llvm/TargetParser/Triple.h>
#include <fmt/format.h>
#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

extern char** environ;

#include "common/serialize.h"
#include "compiler/lower/lower.h"
#include "compiler/source/text.h"
#include "runtime/jit/codegen.h"
#include "runtime/native/checksum.h"

namespace rubric::jit {

using namespace codegen;

namespace {

// Makes `m` self-contained: each helper declaration becomes an internal function calling
// through `helpers` (filled by the loader), the entry point becomes internal, and the exported
// symbol is the RbModelInfo `name`. The thunks are always inlined: one indirect call each.
void make_self_contained(llvm::Module& m, const std::string& name, const std::string& key, const BuildOptions& o) {
  using namespace llvm;
  LLVMContext& C = m.getContext();
  Type* ptr = PointerType::getUnqual(C);
  Type* i64 = Type::getInt64Ty(C);
  ArrayType* table_type = ArrayType::get(ptr, RB_HELPER_COUNT);
  auto* table = new GlobalVariable(m, table_type, false, GlobalValue::InternalLinkage,
                                   ConstantAggregateZero::get(table_type), name + ".helpers");
  static const char* const kHelpers[] = {
#define RB_NAME(helper) #helper,
      RB_HELPERS(RB_NAME)
#undef RB_NAME
  };
  for (int i = 0; i < RB_HELPER_COUNT; ++i) {
    Function* f = m.getFunction(kHelpers[i]);
    if (!f || !f->isDeclaration()) continue;
    f->setLinkage(GlobalValue::InternalLinkage);
    f->addFnAttr(Attribute::AlwaysInline);
    IRBuilder<> b(BasicBlock::Create(C, "", f));
    Value* target = b.CreateLoad(ptr, b.CreateConstInBoundsGEP2_64(table_type, table, 0, i));
    std::vector<Value*> args;
    for (Argument& a : f->args()) args.push_back(&a);
    CallInst* call = b.CreateCall(f->getFunctionType(), target, args);
    if (f->getReturnType()->isVoidTy()) b.CreateRetVoid();
    else b.CreateRet(call);
  }
  Function* entry = m.getFunction(lower::kEntryName);
  entry->setLinkage(GlobalValue::InternalLinkage);
  entry->setName(name + ".score");
  auto text = [&](const std::string& s, const char* what) -> Constant* {
    Constant* init = ConstantDataArray::getString(C, s, true);
    return new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init, name + what);
  };
  // RbModelInfo, field for field (compiler/lower/abi.h).
  static_assert(sizeof(RbModelInfo) == 9 * 8 && offsetof(RbModelInfo, key) == 8 && offsetof(RbModelInfo, score) == 32 &&
                offsetof(RbModelInfo, helpers) == 40 && offsetof(RbModelInfo, n_helpers) == 48 &&
                offsetof(RbModelInfo, model) == 56 && offsetof(RbModelInfo, model_size) == 64);
  StructType* info_type = StructType::get(C, {i64, ptr, ptr, ptr, ptr, ptr, i64, ptr, i64});
  Constant* bytes = ConstantDataArray::getString(C, o.model_bytes, false);
  auto* model = new GlobalVariable(m, bytes->getType(), true, GlobalValue::PrivateLinkage, bytes, name + ".model");
  Constant* info = ConstantStruct::get(
      info_type, {ConstantInt::get(i64, RB_ABI_VERSION), text(key, ".key"), text(o.model_name, ".name"),
                  text(o.source, ".source"), entry, table, ConstantInt::get(i64, RB_HELPER_COUNT), model,
                  ConstantInt::get(i64, static_cast<int64_t>(o.model_bytes.size()))});
  new GlobalVariable(m, info_type, true, GlobalValue::ExternalLinkage, info, name);
}

// Why `s` cannot name a linked model's symbol, or "" when it can: it must be a C identifier,
// not a keyword, and not a symbol this process already has (`free`, `rubric_compile`, ...),
// which the model's data would otherwise take the place of.
std::string bad_c_name(const std::string& s) {
  static const char* const kKeywords[] = {"auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "true", "false", "class", "namespace", "new", "delete",
      "template", "this", "operator", "private", "public", "protected", "virtual", "friend", "try", "catch"};
  if (!rubric::text::is_identifier(s)) return "is not a C identifier; use letters, digits and _";
  for (const char* k : kKeywords)
    if (s == k) return "is a C or C++ keyword";
  if (dlsym(RTLD_DEFAULT, s.c_str())) return "is already a symbol of the C library or of Rubric";
  return "";
}

}  // namespace

bool build_object(const check::CheckedModel& model, const source::SourceManager& sources, const BuildOptions& given,
                  BuildOutput& out, std::string* error) {
  BuildOptions options = given;
  options.model_bytes = check::serialize(model, sources);
  if (options.name != "rubric_model") {
    if (std::string why = bad_c_name(options.name); !why.empty()) {
      *error = fmt::format("--name {} {}; choose another name for the model's symbol", options.name, why);
      return false;
    }
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string why;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple.str(), why);
  if (!target) {
    *error = "no code generator for " + triple.str() + ": " + why;
    return false;
  }
  // The CPU: the architecture's baseline unless asked, so the object runs on any machine of
  // its kind; `native` is this machine's CPU with its features.
  std::string cpu = options.cpu, features;
  if (cpu.empty()) cpu = triple.getArch() == llvm::Triple::x86_64 ? "x86-64" : "generic";
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (const auto& [feature, on] : llvm::sys::getHostCPUFeatures()) f.AddFeature(feature, on);
    features = f.getString();
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple.str(), "", ""));
  if (!sti || !sti->isCPUStringValid(cpu)) {
    *error = fmt::format("--cpu {} is not a CPU LLVM knows for {}; try native, or leave it out for a portable build",
                         options.cpu, triple.str());
    return false;
  }
  if (std::string why = over_compile_budget(model); !why.empty()) {
    *error = why;
    return false;
  }
  bool large = is_large(model);
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple.str(), cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      large ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default));
  if (!tm) {
    *error = "LLVM could not make a code generator for " + triple.str();
    return false;
  }
  // The key's last line lists every CPU feature the code may use, so a loader on a machine
  // without one refuses the model instead of crashing on an unknown instruction.
  const llvm::MCSubtargetInfo* used = tm->getMCSubtargetInfo();
  std::string enabled;
  for (const llvm::SubtargetFeatureKV& kv : used->getAllProcessorFeatures())
    if (used->getFeatureBits().test(kv.Value)) enabled += fmt::format("{}+{}", enabled.empty() ? "" : ",", kv.Key);
  // The last line pins the model bytes the code was compiled with: the loader rebuilds the
  // code's refs from them, so bytes changed after the build (by damage to a linked .o, or a tool
  // rewriting a .so and its checksum) would otherwise run against the wrong objects.
  std::string key = native::model_key_prefix() +
                    fmt::format("{}\n{}\n{}\n{}\nmodel sha256 {}", triple.str(), cpu, enabled,
                                native::host_signatures(model), native::sha256_hex(options.model_bytes));
  llvm::SmallVector<char, 0> bytes;
  auto finish = [&](llvm::Module& m) { make_self_contained(m, options.name, key, options); };
  if (!compile_object(model, tm.get(), large, finish, bytes, out.times, error)) return false;
  // Sealed: a linker reads an object by its headers and ignores the trailer after them (GNU ld,
  // gold, lld and ar take it), so the .o links as before and can be checked before it is.
  out.object = native::seal(std::string_view(bytes.data(), bytes.size()));
  out.target = fmt::format("{}, CPU {}", triple.str(), cpu);
  return true;
}

bool link_shared_object(const std::string& object, const std::string& path, std::string* error) {
  std::string tmp = fmt::format("{}.{}.tmp.o", path, ::getpid());
  std::string linked = fmt::format("{}.{}.tmp.so", path, ::getpid());
  if (!native::write_file(tmp, object)) {
    *error = "cannot write " + tmp;
    return false;
  }
  const char* cc = std::getenv("CC");
  std::string driver = cc && *cc ? cc : "cc";
  // -z defs: the object imports nothing but the C library's own functions (memcpy, and the
  // maths library's floor and pow where a CPU lacks the instruction), so any other undefined
  // symbol is an error here, not when a product loads the model.
  std::vector<std::string> args = {driver, "-shared", "-o", linked, tmp, "-lm", "-Wl,-z,defs", "-Wl,-z,noexecstack"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, driver.c_str(), nullptr, nullptr, argv.data(), environ);
  int status = 0;
  if (rc == 0) waitpid(pid, &status, 0);
  std::remove(tmp.c_str());
  if (rc != 0) {
    *error = fmt::format("cannot run the C compiler `{}` to link {}: {}; install one (apt install gcc), set CC, "
                         "or build an object with -o model.o and link it yourself", driver, path, std::strerror(rc));
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = fmt::format("linking {} with `{}` failed (its messages are above)", path, driver);
    std::remove(linked.c_str());
    return false;
  }
  // The linker's output, sealed with its checksum and renamed into place: `path` is never an
  // unsealed or half-written model.
  std::ifstream in(linked, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool read = !in.bad() && !bytes.empty();
  in.close();
  std::remove(linked.c_str());
  if (!read || !native::write_file(path, native::seal(bytes))) {
    *error = fmt::format("cannot write {} (the linker's output could not be read back and sealed)", path);
    return false;
  }
  return true;
}

}  // namespace rubric::jit
