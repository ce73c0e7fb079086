// SPDX-License-Identifier: Apache-2.0
// Running compiled scoring code and loading ahead-of-time models, without LLVM.
#include "runtime/native/native.h"

#include <dlfcn.h>
#include <elf.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "build_id.h"
#include "common/serialize.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/plan/plan.h"
#include "compiler/lower/refs.h"
#include "runtime/native/checksum.h"
#include "runtime/native/scratch.h"

namespace rubric::native {

std::string build_key_prefix() { return fmt::format("rubric {} build {}\n", RUBRIC_VERSION, RUBRIC_BUILD_ID); }

namespace {
constexpr std::string_view kModelKey = "rubric model format ";
std::string model_formats() {
  return fmt::format("{}.{}.{}", static_cast<int>(RB_ABI_VERSION), plan::kFormatVersion, check::kModelFormat);
}
}  // namespace

std::string model_key_prefix() { return fmt::format("{}{} (rubric {})\n", kModelKey, model_formats(), RUBRIC_VERSION); }

namespace {

// "name(Args)->Result;..." for these functions, sorted, each once.
std::string signatures(const std::vector<const check::HostFunction*>& fns) {
  // TypeKind's names, in its order (common/model.h).
  static const char* const kNames[] = {"Error", "Bool", "Int", "Number", "String", "Time", "Duration", "Enum", "Set", "Pages"};
  static_assert(static_cast<int>(check::TypeKind::Pages) == 9);
  std::vector<std::string> sigs;
  for (const check::HostFunction* f : fns) {
    std::vector<std::string> args;
    for (check::TypeKind k : f->args) args.push_back(kNames[static_cast<int>(k)]);
    sigs.push_back(fmt::format("{}({})->{}", f->name, fmt::join(args, ","), kNames[static_cast<int>(f->result)]));
  }
  std::sort(sigs.begin(), sigs.end());
  sigs.erase(std::unique(sigs.begin(), sigs.end()), sigs.end());
  return fmt::format("{}", fmt::join(sigs, ";"));
}

}  // namespace

std::string host_signatures(const check::CheckedModel& model) {
  std::vector<const check::HostFunction*> fns;
  for (const check::Node& n : model.nodes)
    if (n.op == check::Op::Call && n.host) fns.push_back(n.host);
  return signatures(fns);
}

void* const* helper_table() {
  static void* const table[] = {
#define RB_ADDRESS(name) reinterpret_cast<void*>(&name),
      RB_HELPERS(RB_ADDRESS)
#undef RB_ADDRESS
  };
  static_assert(sizeof(table) / sizeof(table[0]) == RB_HELPER_COUNT);
  return table;
}

namespace {

// Compiled code reads check::Value and interp::Event in place at the offsets abi.h gives; this
// checks them against this build's types (std::string's and std::vector's layouts included),
// once, before any compiled code runs.
static_assert(sizeof(check::Value) == RB_VALUE_SIZE && sizeof(interp::Event) == RB_EVENT_SIZE,
              "compiled code reads values and events at the sizes abi.h gives");

bool host_layout_matches() {
  static const bool ok = [] {
    auto read = [](const void* object, int64_t offset, auto out) {
      std::memcpy(&out, static_cast<const char*>(object) + offset, sizeof out);
      return out;
    };
    // A short text is held inside the value, a long one beyond it: both must read alike.
    check::Value small = check::Value::string("abc");
    if (read(&small, RB_VALUE_TEXT, static_cast<const char*>(nullptr)) != small.s.data() ||
        read(&small, RB_VALUE_LEN, int64_t{}) != 3)
      return false;
    check::Value v = check::Value::string(std::string(40, 'x'));  // beyond any short-string buffer
    v.b = true;
    v.i = 0x1122334455667788;
    v.d = 2.5;
    interp::Event e;
    e.time = 0x0102030405060708;
    e.fields.resize(2);
    return read(&v, RB_VALUE_KIND, uint8_t{}) == static_cast<uint8_t>(check::Value::Kind::String) &&
           read(&v, RB_VALUE_BOOL, uint8_t{}) == 1 && read(&v, RB_VALUE_INT, int64_t{}) == v.i &&
           read(&v, RB_VALUE_NUM, double{}) == v.d && read(&v, RB_VALUE_TEXT, static_cast<const char*>(nullptr)) == v.s.data() &&
           read(&v, RB_VALUE_LEN, int64_t{}) == static_cast<int64_t>(v.s.size()) && read(&e, RB_EVENT_TIME, int64_t{}) == e.time &&
           read(&e, RB_EVENT_FIELDS, static_cast<const check::Value*>(nullptr)) == e.fields.data();
  }();
  return ok;
}

}  // namespace

NativeModel::NativeModel(std::shared_ptr<const check::CheckedModel> model, RbScoreFn fn, std::shared_ptr<void> code)
    : model_(std::move(model)), fn_(fn), code_(std::move(code)), rules_(model_->rule_count()),
      refs_(lower::referenced_objects(*model_)) {
  if (!host_layout_matches())
    throw std::runtime_error("this build lays out values differently from what compiled scoring code reads (abi.h); "
                             "use --backend interp");
}

interp::Outcome NativeModel::score(const interp::Record& record, int64_t as_of, bool explain) const {
  interp::Outcome out;
  run(record, as_of, explain, false, out);
  return out;
}

interp::Outcome NativeModel::score_traced(const interp::Record& record, int64_t as_of) const {
  // The plan is built here, not when the code is loaded: loading stays as fast as it was.
  std::call_once(trace_once_, [this] { trace_size_ = plan::build(*model_).trace.size(); });
  interp::Outcome out;
  run(record, as_of, true, true, out);
  return out;
}

void NativeModel::score_into(const interp::Record& record, int64_t as_of, bool explain, interp::Outcome& out) const {
  run(record, as_of, explain, false, out);
}

void NativeModel::run(const interp::Record& record, int64_t as_of, bool explain, bool trace, interp::Outcome& out) const {
  // Per-thread buffers for the outputs; the record is read where it is (abi.h). The outcome's
  // vectors are written in place (score_into).
  thread_local std::vector<RbSlot> traced;
  thread_local std::vector<int64_t> tiers;
  thread_local std::vector<RbRuleOut> rules;
  thread_local Scratch scratch;
  const check::CheckedModel& m = *model_;
  out.scores.assign(m.scores.size(), 0);
  tiers.assign(m.tier_sets.size(), -1);
  rules.assign(rules_, RbRuleOut{0, 0, 0});
  scratch.clear();
  if (trace) traced.assign(trace_size_, RbSlot{0, 0, nullptr, 0, 0});
  RbCall call{record.fields.data(), record.events.data(), static_cast<int64_t>(record.events.size()), as_of, &scratch,
              refs_.data(), out.scores.data(), tiers.data(), rules.data(), 0, -1, trace ? traced.data() : nullptr};
  fn_(&call);
  out.total = call.total;
  out.disqualifier = static_cast<int>(call.disqualifier);
  out.tiers.assign(tiers.begin(), tiers.end());
  out.hits.clear();
  out.trace.clear();
  if (explain) {
    size_t k = 0;
    for (size_t s = 0; s < m.scores.size(); ++s) {
      for (size_t r = 0; r < m.scores[s].rules.size(); ++r, ++k) {
        const RbRuleOut& o = rules[k];
        if (!(o.flags & kRbFired)) continue;
        interp::RuleHit h{static_cast<int>(s), static_cast<int>(r), o.cents, o.events, (o.flags & kRbCapped) != 0,
                          (o.flags & kRbDecayed) != 0};
        out.hits.push_back(h);
      }
    }
  }
  if (trace) {  // before the next call reuses the scratch space its strings may point into
    out.trace.reserve(trace_size_);
    for (const RbSlot& s : traced) out.trace.push_back(value_of_slot(s));
  }
}

bool write_file(const std::string& path, std::string_view bytes) {
  std::string tmp = fmt::format("{}.tmp{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !out.flush()) {
      out.close();
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool is_elf_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

namespace {

std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

// Checks what dlopen takes on trust: that the file is a shared object for this machine and
// holds every segment its headers promise. dlopen maps a truncated file and the process dies
// (SIGBUS) on touching the missing pages; this refuses it with a message instead.
bool check_shared_object(std::string_view bytes, std::string& why) {
  Elf64_Ehdr eh{};
  if (bytes.size() < sizeof eh || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
    why = "it is not an ELF file";
    return false;
  }
  std::memcpy(&eh, bytes.data(), sizeof eh);
#if defined(__x86_64__)
  constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
  constexpr int kMachine = EM_AARCH64;
#else
  constexpr int kMachine = -1;
#endif
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || (kMachine >= 0 && eh.e_machine != kMachine)) {
    why = "it was compiled for another kind of machine";
    return false;
  }
  if (eh.e_type == ET_REL) {
    why = "it is an object file (.o), which is linked into a program and loaded with rubric_load_linked; "
          "build a .so to load a model at run time";
    return false;
  }
  if (eh.e_type != ET_DYN) {
    why = "it is not a shared object";
    return false;
  }
  uint64_t size = bytes.size();
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > size || eh.e_phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr)) {
    why = "the file is cut short or damaged (its program headers are missing)";
    return false;
  }
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    std::memcpy(&ph, bytes.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
      why = fmt::format("the file is cut short or damaged (it has {} bytes; segment {} needs {})", size, i,
                        ph.p_offset + ph.p_filesz);
      return false;
    }
  }
  return true;
}

// The key lines held in `bytes`: "rubric model format ..." lines (a model's text embedded in
// the file may hold such a line too, in a comment), else an old "rubric VERSION build ID" line.
std::vector<std::string> key_lines(std::string_view bytes) {
  std::vector<std::string> out;
  // "rubric model format N.N.N (rubric VERSION)", exactly: the loader's own text of the key
  // (in a Rubric library, say) is no key.
  auto is_key = [](std::string_view line) {
    line.remove_prefix(kModelKey.size());
    for (int part = 0; part < 3; ++part) {
      size_t digits = 0;
      while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
      if (digits == 0) return false;
      line.remove_prefix(digits);
      if (part < 2 && !line.starts_with('.')) return false;
      if (part < 2) line.remove_prefix(1);
    }
    return line.starts_with(" (rubric ") && line.ends_with(')');
  };
  for (size_t at = bytes.find(kModelKey); at != std::string_view::npos; at = bytes.find(kModelKey, at + 1)) {
    size_t nl = bytes.find('\n', at);
    if (nl == std::string_view::npos || nl - at > 80) continue;
    std::string_view line = bytes.substr(at, nl - at);
    if (is_key(line)) out.emplace_back(line);
  }
  if (!out.empty()) return out;
  // Models of Rubric 0.1 (ABI 2) began "rubric VERSION build ID".
  for (size_t at = bytes.find("rubric "); at != std::string_view::npos; at = bytes.find("rubric ", at + 1)) {
    size_t nl = bytes.find('\n', at);
    if (nl == std::string_view::npos || nl - at > 64) continue;
    std::string_view line = bytes.substr(at, nl - at);
    size_t b = line.find(" build ");
    if (b != std::string_view::npos && line.size() - (b + 7) == 16) return {std::string(line)};
  }
  return out;
}

// "format 4.1.2" from a key line, or the whole line when it has none.
std::string format_of(std::string_view line) {
  if (!line.starts_with(kModelKey)) return std::string(line);
  std::string_view rest = line.substr(kModelKey.size() - std::string_view("format ").size());
  return std::string(rest.substr(0, rest.find(' ', 7)));
}

// The CPU features a model's code may use (its key's last line, LLVM's names) that this
// machine lacks. Only features the compiler can test for are checked.
std::vector<std::string> missing_cpu_features(std::string_view features) {
  std::vector<std::string> missing;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  static const std::pair<const char*, bool> kHost[] = {
      {"sse3", __builtin_cpu_supports("sse3")},       {"ssse3", __builtin_cpu_supports("ssse3")},
      {"sse4.1", __builtin_cpu_supports("sse4.1")},   {"sse4.2", __builtin_cpu_supports("sse4.2")},
      {"popcnt", __builtin_cpu_supports("popcnt")},   {"avx", __builtin_cpu_supports("avx")},
      {"avx2", __builtin_cpu_supports("avx2")},       {"fma", __builtin_cpu_supports("fma")},
      {"bmi", __builtin_cpu_supports("bmi")},         {"bmi2", __builtin_cpu_supports("bmi2")},
      {"aes", __builtin_cpu_supports("aes")},         {"pclmul", __builtin_cpu_supports("pclmul")},
      {"avx512f", __builtin_cpu_supports("avx512f")}, {"avx512bw", __builtin_cpu_supports("avx512bw")},
      {"avx512dq", __builtin_cpu_supports("avx512dq")}, {"avx512vl", __builtin_cpu_supports("avx512vl")},
      {"avx512cd", __builtin_cpu_supports("avx512cd")}, {"avx512vnni", __builtin_cpu_supports("avx512vnni")},
      {"avx512bf16", __builtin_cpu_supports("avx512bf16")}, {"avx512vbmi", __builtin_cpu_supports("avx512vbmi")},
      {"avx512vbmi2", __builtin_cpu_supports("avx512vbmi2")}, {"avx512ifma", __builtin_cpu_supports("avx512ifma")},
      {"avx512bitalg", __builtin_cpu_supports("avx512bitalg")},
      {"avx512vpopcntdq", __builtin_cpu_supports("avx512vpopcntdq")},
      {"avx512vp2intersect", __builtin_cpu_supports("avx512vp2intersect")}, {"gfni", __builtin_cpu_supports("gfni")},
      {"vpclmulqdq", __builtin_cpu_supports("vpclmulqdq")}, {"sse4a", __builtin_cpu_supports("sse4a")},
      {"fma4", __builtin_cpu_supports("fma4")},       {"xop", __builtin_cpu_supports("xop")},
      {"avx512fp16", __builtin_cpu_supports("avx512fp16")}, {"amx-tile", __builtin_cpu_supports("amx-tile")},
      {"amx-int8", __builtin_cpu_supports("amx-int8")}, {"amx-bf16", __builtin_cpu_supports("amx-bf16")},
  };
  while (!features.empty()) {
    std::string_view f = features.substr(0, features.find(','));
    features.remove_prefix(std::min(features.size(), f.size() + 1));
    if (f.starts_with('+')) f.remove_prefix(1);
    for (const auto& [name, have] : kHost)
      if (f == name && !have) missing.emplace_back(f);
  }
#else
  (void)features;
#endif
  return missing;
}

// Why the fields of a loaded RbModelInfo cannot be right, or "": every pointer is set and points
// into the same loaded object as the record itself (for a .so, the copy just loaded; for a
// linked model, the program). A .so reaches this only with its checksum right; for a linked
// model these checks and the key's text hash are all there is.
std::string check_info(const RbModelInfo& info) {
  const std::pair<const void*, const char*> fields[] = {
      {info.key, "key"}, {info.name, "name"}, {info.source, "model text"}, {info.model, "model"},
      {reinterpret_cast<const void*>(info.score), "code"}, {info.helpers, "helper table"}};
  for (const auto& [p, what] : fields)
    if (!p) return fmt::format("its {} is missing (a null pointer)", what);
  Dl_info self{}, at{};
  if (!dladdr(&info, &self) || !self.dli_fbase) return "";  // not in a loaded object: nothing to compare
  for (const auto& [p, what] : fields)
    if (!dladdr(p, &at) || at.dli_fbase != self.dli_fbase) return fmt::format("its {} lies outside the model", what);
  return "";
}

Loaded load_info(const RbModelInfo* info, const std::string& where, std::shared_ptr<void> owner, bool any_cpu,
                 std::shared_ptr<const check::HostFunctions> host_functions) {
  Loaded out;
  if (!info) {
    out.error = where + " is not a Rubric model";
    return out;
  }
  if (info->abi_version != RB_ABI_VERSION || info->n_helpers != RB_HELPER_COUNT) {
    out.error = fmt::format("{} was built for compiled-model ABI {}, and this Rubric reads ABI {}; "
                            "build it again with this Rubric's `rubric build`", where, info->abi_version, RB_ABI_VERSION);
    return out;
  }
  if (std::string why = check_info(*info); !why.empty()) {
    out.error = fmt::format("the compiled model `{}` is damaged: {}; rebuild it with `rubric build`", where, why);
    return out;
  }
  std::string_view key = info->key ? info->key : "";
  std::string prefix = model_key_prefix();
  std::string ours = std::string(kModelKey) + model_formats() + " ";
  if (!key.starts_with(ours)) {
    out.error = fmt::format("{} is a compiled model of {}, and this Rubric reads {}: build it again with `rubric build`",
                            where, format_of(first_line(key)), format_of(first_line(prefix)));
    return out;
  }
  prefix = first_line(key) + "\n";  // the version that built it may differ
  // The rest of the key: triple, CPU, and the CPU features the code may use.
  std::string_view rest = key.substr(prefix.size());
  auto next_line = [&rest] {
    std::string line = first_line(rest);
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    return line;
  };
  std::string triple = next_line(), cpu = next_line(), features = next_line(), built_sigs = next_line();
  // The model bytes' hash, checked before they are read for the code's refs: code compiled with
  // one model and run against another's objects reads the wrong regexes, sets and decays.
  if (info->model_size < 0 || info->model_size > (int64_t(1) << 32)) {
    out.error = fmt::format("the compiled model `{}` is damaged: its model size is {}", where, info->model_size);
    return out;
  }
  std::string_view model_bytes(info->model, static_cast<size_t>(info->model_size));
  std::string recorded = next_line(), actual = "model sha256 " + sha256_hex(model_bytes);
  if (recorded != actual) {
    out.error = fmt::format("the compiled model `{}` is damaged: its model is not the one its code was compiled "
                            "with (SHA-256 {}, and its key records {}); rebuild it with `rubric build`", where,
                            actual.substr(13), recorded.starts_with("model sha256 ") ? recorded.substr(13) : "none");
    return out;
  }
  out.target = fmt::format("{}, CPU {}", triple, cpu);
  if (std::vector<std::string> missing = missing_cpu_features(features); !missing.empty() && !any_cpu) {
    out.error = fmt::format("{} was compiled for the CPU {} and uses {}, which this machine lacks; build it "
                            "without --cpu for a model that runs on any {} machine", where, cpu,
                            fmt::join(missing, ", "), triple.substr(0, triple.find('-')));
    return out;
  }
  // Its code passes and reads host functions' values as the types it was built with: the
  // program must register each function it calls, with those types.
  {
    std::vector<const check::HostFunction*> registered;
    std::vector<std::string> missing;
    for (std::string_view rest = built_sigs; !rest.empty();) {
      std::string_view sig = rest.substr(0, rest.find(';'));
      rest.remove_prefix(std::min(rest.size(), sig.size() + 1));
      std::string_view name = sig.substr(0, sig.find('('));
      const check::HostFunction* found = nullptr;
      if (host_functions)
        for (const check::HostFunction& h : *host_functions)
          if (h.name == name) found = &h;
      if (found) registered.push_back(found);
      else missing.push_back(fmt::format("`{}`", name));
    }
    if (!missing.empty()) {
      out.error = fmt::format("{} calls a function this program has not registered ({}); register the functions it was "
                              "built for: {}", where, fmt::join(missing, ", "), built_sigs);
      return out;
    }
    if (std::string sigs = signatures(registered); sigs != built_sigs) {
      out.error = fmt::format("{} was built for the functions {}, and this program registers {}; register the same "
                              "argument and result types, or build the model again", where,
                              built_sigs.empty() ? "(none)" : built_sigs, sigs.empty() ? "(none)" : sigs);
      return out;
    }
  }
  // The model, read back from its bytes: nothing is parsed or checked.
  check::Deserialized read = check::deserialize(model_bytes, std::move(host_functions));
  if (!read.model) {
    out.error = fmt::format("{} holds a model this program cannot use: {}", where, read.error);
    return out;
  }
  out.model = std::move(read.model);
  out.sources = std::move(read.sources);
  // The helper table lives in the model's writable data. It is written once, before any
  // scoring; later loads find it filled with the same addresses and leave it alone. (Each
  // load of a .so is a fresh copy, so only a linked model is ever found filled.) A table filled
  // by another copy of the Rubric runtime in this process is refused rather than rewritten
  // under that copy's scoring threads.
  static std::mutex mu;
  {
    std::lock_guard<std::mutex> lock(mu);
    void* const* mine = helper_table();
    bool empty = true, same = true;
    for (int i = 0; i < RB_HELPER_COUNT; ++i) {
      empty = empty && info->helpers[i] == nullptr;
      same = same && info->helpers[i] == mine[i];
    }
    if (!empty && !same) {
      out.error = where + " is already in use by another copy of the Rubric library in this process; "
                          "link one copy (librubric or librubric_runtime), not both";
      return out;
    }
    if (empty)
      for (int i = 0; i < RB_HELPER_COUNT; ++i) info->helpers[i] = mine[i];
  }
  try {
    out.scorer = std::make_shared<NativeModel>(out.model, info->score, std::move(owner));
  } catch (const std::exception& e) {
    out.error = where + ": " + e.what();
  }
  return out;
}

}  // namespace

Loaded load_linked(const RbModelInfo* info, const std::string& where,
                   std::shared_ptr<const check::HostFunctions> host_functions) {
  return load_info(info, where, nullptr, false, std::move(host_functions));
}

Loaded load_shared_object(const std::string& path, bool any_cpu,
                          std::shared_ptr<const check::HostFunctions> host_functions) {
  Loaded out;
  // The file is read once. Everything below checks these bytes, and dlopen loads a copy of
  // them, never the file again, so what runs is what was checked.
  std::ifstream in(path, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || (!in && !in.eof())) {
    out.error = fmt::format("cannot load {} as a compiled model: cannot read it", path);
    return out;
  }
  // First the checksum over the whole file (runtime/native/checksum.h): a file changed in any
  // byte since `rubric build` wrote it is refused before anything else reads its structure.
  auto damaged = [&path](const std::string& why) {
    return fmt::format("the compiled model `{}` is damaged: {}; rebuild it with `rubric build`", path, why);
  };
  SealCheck seal = check_seal(file);
  if (seal.status == SealCheck::Mismatch) {
    out.error = damaged(fmt::format("its checksum does not match (expected SHA-256 {}, found {})", seal.expected,
                                    seal.found));
    return out;
  }
  if (seal.status == SealCheck::WrongLength) {
    out.error = damaged(fmt::format("its checksum covers {} bytes, and {} precede it (the file was cut or extended)",
                                    seal.recorded_length, seal.body.size()));
    return out;
  }
  // Without a checksum, the file may still be something else: say what, when it can be told.
  std::string_view bytes = seal.status == SealCheck::Ok ? seal.body : std::string_view(file);
  std::string why;
  if (!check_shared_object(bytes, why)) {
    out.error = fmt::format("cannot load {} as a compiled model: {}", path, why);
    return out;
  }
  // Before dlopen runs anything of the file: is it a model (it holds a key), and of this build?
  std::vector<std::string> keys = key_lines(bytes);
  std::string prefix = model_key_prefix();
  if (keys.empty()) {
    out.error = fmt::format("{} is a shared object but not a compiled Rubric model; make one with "
                            "`rubric build MODEL -o {}`", path, path);
    return out;
  }
  // The record itself is checked after dlopen; here, before anything of the file runs, one of
  // its key lines must be of this Rubric's formats.
  if (std::none_of(keys.begin(), keys.end(), [&](const std::string& k) { return format_of(k) == format_of(first_line(prefix)); })) {
    out.error = fmt::format("{} is a compiled model of {}, and this Rubric reads {}: build it again with `rubric build`",
                            path, format_of(keys.front()), format_of(first_line(prefix)));
    return out;
  }
  if (seal.status == SealCheck::Missing) {
    out.error = damaged("it does not end with the checksum `rubric build` writes (it was cut short, extended, or "
                        "rewritten by a tool such as strip)");
    return out;
  }
  // dlopen a private copy in memory: a second load of the same path (a hot reload) then gets
  // the new code rather than the copy already loaded, and replacing the file cannot pull the
  // code out from under a running process. The descriptor stays open while the code is
  // loaded, so its /proc path names no other model meanwhile.
  int fd = memfd_create("rubric-model", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    if (fd >= 0) ::close(fd);
    out.error = fmt::format("cannot load {} as a compiled model: no memory for a copy ({})", path, std::strerror(errno));
    return out;
  }
  void* handle = dlopen(fmt::format("/proc/self/fd/{}", fd).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    ::close(fd);
    out.error = fmt::format("cannot load {} as a compiled model: {}", path, err ? err : "unknown reason");
    return out;
  }
  std::shared_ptr<void> owner(handle, [fd](void* h) {
    dlclose(h);
    ::close(fd);
  });
  auto* info = static_cast<const RbModelInfo*>(dlsym(handle, "rubric_model"));
  if (!info) {
    out.error = fmt::format("{} is a shared object but not a compiled Rubric model (it has no `rubric_model`); "
                            "make one with `rubric build MODEL -o {}`", path, path);
    return out;
  }
  return load_info(info, path, std::move(owner), any_cpu, std::move(host_functions));
}

}  // namespace rubric::native
