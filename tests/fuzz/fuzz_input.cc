// SPDX-License-Identifier: Apache-2.0
// Fuzz target: bytes as a lead file → io::Input (plain, gzip or zstd, found by the first bytes)
// → read to the end. Never a crash, a hang or unbounded memory; plain bytes come out exactly as
// they went in; damaged compressed data ends in badbit with a reason, never a silent stop.
#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/io/input.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rubric::io::Compression;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::FILE* f = fmemopen(bytes.data(), bytes.size() ? bytes.size() : 1, "rb");
  if (!f) return 0;
  if (bytes.empty()) std::fgetc(f);  // fmemopen needs a size of at least 1: make it read as empty
  rubric::io::Input in;
  std::string error;
  if (!in.open(f, "fuzz", error)) {
    if (error.empty()) rubric::fuzz::finding("open failed without a reason");
    return 0;
  }
  // Read at most 16 MiB of output: a small input can decompress to far more (the readers stream
  // it, and memory stays flat; here only the time would grow).
  std::string out;
  char buf[4096];
  std::istream& s = in.stream();
  while (out.size() < (size_t{16} << 20) && s.read(buf, sizeof buf)) out.append(buf, sizeof buf);
  if (out.size() < (size_t{16} << 20)) out.append(buf, static_cast<size_t>(s.gcount()));
  if (s.bad() && in.error().empty()) rubric::fuzz::finding("a read failed without a reason");
  if (in.compression() == Compression::None && (s.bad() || out != bytes))
    rubric::fuzz::finding(fmt::format("plain bytes changed: {} in, {} out", bytes.size(), out.size()));
  if (in.head().size() > out.size() && !s.bad()) rubric::fuzz::finding("the head holds more than the whole stream");
  return 0;
}
