// SPDX-License-Identifier: Apache-2.0
// Fuzz target: bytes as a compiled model (`rubric build` .so) → native::load_shared_object →
// refused with a message, or loaded and scoring as the interpreter does; never a crash or a hang.
// A file whose checksum (runtime/native/checksum.h) does not hold, or that has none, must be
// refused before dlopen: it is loaded in this process, and a crash, or a load, is a finding.
// A file whose checksum holds is a model as `rubric build` wrote it, or one whose checksum the
// fuzzer forged (it sees the digests compared); dlopen runs such a file's code, which no check
// can make safe (a checksum is not a signature), so it is loaded first in a child process with a
// time limit. Its crash is a finding only with RUBRIC_FUZZ_LOADER_STRICT=1; otherwise it is
// counted and noted. When the child came through, the load is repeated here for coverage.
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "runtime/native/checksum.h"
#include "runtime/native/native.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace rubric;

constexpr int64_t kAsOf = 1793491200000;  // 2026-11-01, in milliseconds

// Exit codes of the loading child.
enum : int { kRefused = 10, kLoaded = 11, kScoredDifferently = 12, kNoMessage = 13, kDied = 14 };

const std::string& model_path() {
  static const std::string p = fmt::format("/tmp/rubric-fuzz-loader-{}.so", ::getpid());
  return p;
}

// Loads the file; when loaded, scores a lead with it and with the interpreter on the same
// model (a damaged model must not score differently without a word). One of the codes above.
int load_and_score(std::string& message) {
  native::Loaded l = native::load_shared_object(model_path());
  if (!l.scorer) {
    message = l.error;
    return l.error.empty() ? kNoMessage : kRefused;
  }
  const check::CheckedModel& model = l.scorer->model();
  interp::Interpreter interp(l.model);
  std::istringstream in(R"({"id":"L1","n":5,"title":"VP Sales","events":[]})"
                        "\n"
                        R"({"id":"L2","n":-3,"events":[{"kind":"page_view","page":"/pricing","timestamp":"2026-10-30T10:00:00Z"}]})"
                        "\n");
  std::string fatal;
  auto reader = io::open_reader(in, model, {}, fatal);
  io::InputRecord rec;
  while (reader && reader->next(rec)) {
    if (!rec.ok()) continue;
    std::string a = fuzz::describe(l.scorer->score(rec.record, kAsOf, true));
    std::string b = fuzz::describe(interp.score(rec.record, kAsOf, true));
    if (a != b) {
      message = "native " + a + "\n  interp " + b;
      return kScoredDifferently;
    }
  }
  return kLoaded;
}

// load_and_score in a child process, limited to 5 seconds: its code, or kDied with how.
int in_child(std::string& how) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) fuzz::finding("fork failed");
  if (pid == 0) {
    // A crash here is the parent's to judge: no sanitizer or libFuzzer report from the child.
    __sanitizer_set_death_callback([] { ::_exit(kDied); });
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGALRM}) ::signal(sig, SIG_DFL);
    ::alarm(5);
    std::string message;
    ::_exit(load_and_score(message));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) >= kRefused && WEXITSTATUS(status) < kDied) return WEXITSTATUS(status);
  how = WIFSIGNALED(status) ? fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)))
                            : fmt::format("exited with {}", WEXITSTATUS(status));
  return kDied;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit([] { std::remove(model_path().c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int sealed_notes = 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  {
    std::ofstream out(model_path(), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) fuzz::finding("cannot write " + model_path());
  }
  std::string message;
  if (native::check_seal(bytes).status != native::SealCheck::Ok) {
    int code = load_and_score(message);
    if (code == kNoMessage) fuzz::finding("a file without a valid checksum was refused without a message");
    if (code != kRefused) fuzz::finding("a file without a valid checksum was loaded: " + message);
    return 0;
  }
  std::string how;
  int code = in_child(how);
  if (code == kDied || code == kScoredDifferently || code == kNoMessage) {
    std::string what = code == kDied ? "loading a model whose checksum holds " + how
                       : code == kNoMessage ? "a model whose checksum holds was refused without a message"
                                            : "a model whose checksum holds scores differently from its text";
    if (const char* strict = std::getenv("RUBRIC_FUZZ_LOADER_STRICT"); strict && std::string(strict) == "1")
      fuzz::finding(what);
    if (++sealed_notes <= 5 || sealed_notes % 100 == 0)
      std::fprintf(stderr, "note (%d so far): %s; expected for a forged checksum, a finding with RUBRIC_FUZZ_LOADER_STRICT=1\n",
                   sealed_notes, what.c_str());
    return 0;
  }
  int again = load_and_score(message);
  if (again != code) fuzz::finding(fmt::format("loading the same file gave {} in a child and {} here", code, again));
  return 0;
}
