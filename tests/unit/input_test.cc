// SPDX-License-Identifier: Apache-2.0
// Guessing a lead file's format from its name, then its content (runtime/io/input.cc). Reading
// gzip and zstd is tested end to end by tests/cli/compressed_input_test.sh.
#include <catch2/catch.hpp>

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
