// Running compiled scoring code and loading ahead-of-time models, without LLVM.
#include "runtime/native/native.h"

#include <dlfcn.h>
#include <elf.h>
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <mutex>

#include "build_id.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/lower/refs.h"
#include "runtime/native/scratch.h"

namespace rubric::native {

std::string build_key_prefix() { return fmt::format("rubric {} build {}\n", RUBRIC_VERSION, RUBRIC_BUILD_ID); }

void* const* helper_table() {
  static void* const table[] = {
#define RB_ADDRESS(name) reinterpret_cast<void*>(&name),
      RB_HELPERS(RB_ADDRESS)
#undef RB_ADDRESS
  };
  static_assert(sizeof(table) / sizeof(table[0]) == RB_HELPER_COUNT);
  return table;
}

NativeModel::NativeModel(std::shared_ptr<const check::CheckedModel> model, RbScoreFn fn, std::shared_ptr<void> code)
    : model_(std::move(model)), fn_(fn), code_(std::move(code)), rules_(model_->rule_count()),
      refs_(lower::referenced_objects(*model_)) {}

interp::Outcome NativeModel::score(const interp::Record& record, int64_t as_of, bool explain) const {
  // Per-thread buffers: the record laid out as slots, and the outputs.
  thread_local std::vector<RbSlot> lead, events;
  thread_local std::vector<int64_t> times, scores, tiers;
  thread_local std::vector<RbRuleOut> rules;
  thread_local Scratch scratch;
  const check::CheckedModel& m = *model_;
  lead.resize(record.fields.size());
  for (size_t i = 0; i < record.fields.size(); ++i) lead[i] = to_slot(record.fields[i], nullptr);
  size_t per = m.event.fields.size();
  events.resize(record.events.size() * per);
  times.resize(record.events.size());
  for (size_t e = 0; e < record.events.size(); ++e) {
    times[e] = record.events[e].time;
    for (size_t f = 0; f < per; ++f) events[e * per + f] = to_slot(record.events[e].fields[f], nullptr);
  }
  scores.assign(m.scores.size(), 0);
  tiers.assign(m.tier_sets.size(), -1);
  rules.assign(rules_, RbRuleOut{0, 0, 0});
  scratch.clear();
  RbCall call{lead.data(), events.data(), times.data(), static_cast<int64_t>(record.events.size()), as_of, &scratch,
              refs_.data(), scores.data(), tiers.data(), rules.data(), 0, -1};
  fn_(&call);
  interp::Outcome out;
  out.scores = scores;
  out.total = call.total;
  out.disqualifier = static_cast<int>(call.disqualifier);
  out.tiers.assign(tiers.begin(), tiers.end());
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
  return out;
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
bool check_shared_object(const std::string& path, std::string& why) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    why = "cannot open it";
    return false;
  }
  auto size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    why = "it is not an ELF file";
    return false;
  }
#if defined(__x86_64__)
  constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
  constexpr int kMachine = EM_AARCH64;
#else
  constexpr int kMachine = -1;
#endif
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN || (kMachine >= 0 && eh.e_machine != kMachine)) {
    why = "it is not a shared object for this kind of machine";
    return false;
  }
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > size || eh.e_phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr)) {
    why = "the file is cut short or damaged (its program headers are missing)";
    return false;
  }
  in.seekg(static_cast<std::streamoff>(eh.e_phoff));
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph) || ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
      why = fmt::format("the file is cut short or damaged (it has {} bytes; segment {} needs {})", size, i,
                        ph.p_offset + ph.p_filesz);
      return false;
    }
  }
  return true;
}

Loaded load_info(const RbModelInfo* info, const std::string& where, std::shared_ptr<void> owner) {
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
  std::string_view key = info->key ? info->key : "";
  std::string prefix = build_key_prefix();
  if (!key.starts_with(prefix)) {
    out.error = fmt::format("{} was built by {}, and this is {}; a compiled model runs only with the Rubric that "
                            "built it: build it again with `rubric build`", where, first_line(key), first_line(prefix));
    return out;
  }
  std::string_view rest = key.substr(prefix.size());
  std::string triple = first_line(rest);
  rest.remove_prefix(std::min(rest.size(), triple.size() + 1));
  out.target = fmt::format("{}, CPU {}", triple, first_line(rest));
  out.compilation = driver::compile_source(info->name ? info->name : where, info->source ? info->source : "");
  if (!out.compilation.ok()) {
    // The text compiled when the model was built, so only a damaged file gets here.
    out.error = fmt::format("{} holds a model that no longer compiles:\n{}", where,
                            diag::render_text(out.compilation.diagnostics, *out.compilation.sources, false));
    return out;
  }
  // The helper table lives in the model's writable data. It is written once, before any
  // scoring, and later loads find it filled with the same addresses and leave it alone.
  static std::mutex mu;
  {
    std::lock_guard<std::mutex> lock(mu);
    void* const* mine = helper_table();
    for (int i = 0; i < RB_HELPER_COUNT; ++i)
      if (info->helpers[i] != mine[i]) info->helpers[i] = mine[i];
  }
  out.scorer = std::make_shared<NativeModel>(out.compilation.model, info->score, std::move(owner));
  return out;
}

}  // namespace

Loaded load_linked(const RbModelInfo* info, const std::string& where) { return load_info(info, where, nullptr); }

Loaded load_shared_object(const std::string& path) {
  // dlopen searches the library path for a name without a slash; a model file is a path.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  std::string why;
  if (!check_shared_object(file, why)) {
    Loaded out;
    out.error = fmt::format("cannot load {} as a compiled model: {}", path, why);
    return out;
  }
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    Loaded out;
    out.error = fmt::format("cannot load {} as a compiled model: {}", path, err ? err : "unknown reason");
    return out;
  }
  std::shared_ptr<void> owner(handle, [](void* h) { dlclose(h); });
  auto* info = static_cast<const RbModelInfo*>(dlsym(handle, "rubric_model"));
  if (!info) {
    Loaded out;
    out.error = fmt::format("{} is a shared object but not a compiled Rubric model (it has no `rubric_model`); "
                            "make one with `rubric build MODEL -o {}`", path, path);
    return out;
  }
  return load_info(info, path, std::move(owner));
}

}  // namespace rubric::native
