// SPDX-License-Identifier: Apache-2.0
// Guessing a lead file's format from its name, then its content, and reading a plain file back
// (runtime/io/input.cc). Reading gzip and zstd is tested end to end by tests/cli/compressed_input_test.sh.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>

#include "runtime/io/input.h"

using rubric::io::guess_format;
using rubric::io::InputFormat;

TEST_CASE("the format from the name, ignoring case and a compression ending", "[io]") {
  CHECK(guess_format("leads.csv", "{") == InputFormat::Csv);
  CHECK(guess_format("LEADS.CSV", "") == InputFormat::Csv);
  CHECK(guess_format("export.TSV", "") == InputFormat::Csv);
  CHECK(guess_format("Leads.csv.GZ", "") == InputFormat::Csv);
  CHECK(guess_format("leads.csv.zst", "") == InputFormat::Csv);
  CHECK(guess_format("leads.jsonl", "id,visits") == InputFormat::Jsonl);
  CHECK(guess_format("leads.NDJSON.gz", "") == InputFormat::Jsonl);
  CHECK(guess_format("leads.json", "") == InputFormat::Jsonl);
}

TEST_CASE("the format from the content when the name does not say", "[io]") {
  CHECK(guess_format("export", "{\"id\": 1}\n") == InputFormat::Jsonl);
  CHECK(guess_format("", "\xEF\xBB\xBF  \r\n{\"id\": 1}") == InputFormat::Jsonl);  // standard input, a BOM
  CHECK(guess_format("leads.data", "id,visits\nL1,3\n") == InputFormat::Csv);
  CHECK(guess_format("leads.gz", "\"id\";\"visits\"\n") == InputFormat::Csv);
  CHECK(guess_format("x", "") == InputFormat::Csv);  // empty: the CSV reader says it has no header
}

TEST_CASE("a plain file reads back byte for byte, whatever the sizes of the reads", "[io]") {
  // Reads of a megabyte go from the file straight into the caller's buffer; smaller ones and
  // single characters come from the buffer, and the first 64 KiB (kept to guess the format)
  // first. Every mix of them gives the file's bytes in order.
  std::string bytes;
  std::mt19937 rng(11);
  for (size_t i = 0; i < 3'500'000; ++i) bytes += static_cast<char>(rng() % 256);
  const size_t sizes[] = {1, 7, 4096, 65535, 65536, 65537, 1 << 20, 3'000'000};
  for (size_t first : sizes) {
    for (size_t then : sizes) {
      std::FILE* f = fmemopen(bytes.data(), bytes.size(), "rb");  // closed by the Input
      REQUIRE(f);
      rubric::io::Input input;
      std::string error;
      REQUIRE(input.open(f, "bytes", error));
      std::istream& in = input.stream();
      std::string got, buf;
      for (size_t k = 0; in; ++k) {
        if (k % 5 == 4) {  // a single character now and then
          int c = in.get();
          if (c != std::char_traits<char>::eof()) got += static_cast<char>(c);
          continue;
        }
        buf.resize(k == 0 ? first : then);
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        got.append(buf.data(), static_cast<size_t>(in.gcount()));
      }
      CHECK_FALSE(in.bad());
      REQUIRE(got.size() == bytes.size());
      CHECK(got == bytes);
    }
  }
}
