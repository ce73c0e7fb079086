// SPDX-License-Identifier: Apache-2.0
// JSON Lines input and the API's one-document JSON: line ends, one value per line, messages
// that say where and what is wrong, duplicate keys, NUL bytes and the size limits.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "include/rubric/rubric.hpp"
#include "runtime/io/json_check.h"
#include "runtime/io/limits.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/helpers.h"

using namespace rubric;

namespace {

const char* kModel =
    "lead:\n  id: string key\n  name: optional string\n  employees: optional int\n"
    "event:\n  kind: enum {visit, call}\n  timestamp: time\n"
    "score s:\n  employees > 1: +1\n";

std::vector<io::InputRecord> read_jsonl(const std::string& text) {
  static auto c = test::compile(kModel);
  REQUIRE(c.ok());
  std::istringstream in(text);
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {}, fatal);
  REQUIRE(reader);
  std::vector<io::InputRecord> out;
  io::InputRecord r;
  while (reader->next(r)) out.push_back(r);
  return out;
}

std::string first_error(const std::string& line) {
  auto rows = read_jsonl(line + "\n");
  REQUIRE(rows.size() == 1);
  REQUIRE_FALSE(rows[0].ok());
  return rows[0].errors.at(0);
}

}  // namespace

TEST_CASE("CR alone, CRLF and LF all end a JSON line", "[io]") {
  auto rows = read_jsonl("{\"id\": \"a\"}\r{\"id\": \"b\"}\r\n{\"id\": \"c\"}\n{\"id\": \"d\"}\r");
  REQUIRE(rows.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(rows[i].ok());
    CHECK(rows[i].line == static_cast<int64_t>(i + 1));
  }
  CHECK(rows[3].key == "d");
}

TEST_CASE("a line holding two JSON values is one error row that says so", "[io]") {
  auto rows = read_jsonl("{\"id\": \"a\"} {\"id\": \"b\"}\n{\"id\": \"c\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) ==
        "invalid JSON at column 13: this line holds more than one JSON value: another one starts here (one lead per line)");
  CHECK(rows[1].ok());
}

TEST_CASE("broken JSON is reported with its column and what is wrong", "[io]") {
  CHECK(first_error(std::string("{\"id\": \"a\", \0}", 14)) == "invalid JSON at column 13: NUL byte");
  CHECK(first_error("{\"id\": \"a\", \"employees\": 1e400}") ==
        "invalid JSON at column 26: number out of range `1e400` in field `employees`");
  CHECK(first_error("{\"id\": \"a\", \"employees\": 99999999999999999999999}") ==
        "invalid JSON at column 26: number out of range `99999999999999999999999` in field `employees` (whole numbers must fit in 64 bits)");
  CHECK(first_error("{\"id\": \"a\"} trailing") == "invalid JSON at column 13: text after the JSON object (`trailing`)");
  CHECK(first_error("{\"id\": \"a\", \"employees\": NaN}") ==
        "invalid JSON at column 26: `NaN` in field `employees` is not a JSON value (write null for a missing value, or the text in quotes)");
  CHECK(first_error("{\"id\": \"a\", \"employees\": -Infinity}").find("`-Infinity` in field `employees` is not a JSON value") !=
        std::string::npos);
  CHECK(first_error("{\"id\": \"a\", \"name\": \"x\ty\"}") ==
        "invalid JSON at column 23: the control character 0x09 in a string (write it escaped, like \\n or \\t)");
  CHECK(first_error("{\"id\": \"a\", \"name\": \"caf\xE9\"}") == "invalid JSON at column 25: invalid UTF-8 (byte 0xE9) in a string");
  CHECK(first_error("{\"id\": \"a\", \"name\": \"open}") == "invalid JSON at column 21: a string that starts here never ends");
  CHECK(first_error("{\"id\": \"a\", \"events\": [{\"kind\": \"visit\"}") ==
        "invalid JSON at column 41: the text ends before the list that starts at column 23 is closed");
  CHECK(first_error("{\"id\": \"a\",}") == "invalid JSON at column 12: `}` after a comma (a comma too many?)");
  CHECK(first_error("{\"id\" \"a\"}") == "invalid JSON at column 7: expected `:` after the key `id`, found `\"`");
  CHECK(first_error("{'id': 'a'}") == "invalid JSON at column 2: expected a key in double quotes, found `'`");
  CHECK(first_error("{\"id\": \"a\" \"name\": \"b\"}") == "invalid JSON at column 12: expected `,` or `}` after the value of `id`, found `\"`");
  CHECK(first_error("{\"id\": 01}") == "invalid JSON at column 8: invalid number `01` in field `id` (no leading zeros)");
  CHECK(first_error("{\"id\": \"a\\x\"}") == "invalid JSON at column 10: invalid escape `\\x` in a string");
  CHECK(first_error("{\"id\": \"\\ud800\"}") == "invalid JSON at column 9: invalid `\\u` escape: a high surrogate without a low one after it");
}

TEST_CASE("a byte order mark is skipped at the start of the input and refused later", "[io]") {
  auto rows = read_jsonl("\xEF\xBB\xBF{\"id\": \"a\"}\n\xEF\xBB\xBF{\"id\": \"b\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].ok());
  CHECK(rows[1].errors.at(0) == "invalid JSON at column 1: byte order mark in the middle of the input");
}

TEST_CASE("nesting far deeper than any lead is refused with a message, not a crash", "[io]") {
  std::string deep(200000, '[');
  CHECK(first_error(deep) == "invalid JSON at column 1025: lists and objects nested deeper than 1024 levels");
  std::string obj = "{\"id\": \"a\", \"x\": " + std::string(5000, '[') + std::string(5000, ']') + "}";
  CHECK(first_error(obj).find("nested deeper than 1024 levels") != std::string::npos);
}

TEST_CASE("a key the model reads given twice is an error; other repeated keys are ignored", "[io]") {
  auto rows = read_jsonl(
      "{\"id\": \"a\", \"employees\": 5, \"employees\": 500}\n"
      "{\"id\": \"b\", \"note\": 1, \"note\": 2}\n"
      "{\"id\": \"c\", \"events\": [{\"kind\": \"visit\", \"kind\": \"call\", \"timestamp\": \"2026-01-01\"}]}\n"
      "{\"id\": \"d\", \"events\": [], \"events\": []}\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].errors.at(0) == "field `employees`: the key appears 2 times in the object");
  CHECK(rows[1].ok());
  CHECK(rows[2].errors.at(0) == "field `events[0].kind`: the key appears 2 times in the object");
  CHECK(rows[3].errors.at(0) == "`events`: the key appears 2 times in the object");
}

TEST_CASE("a NUL in a text value the model reads is an error", "[io]") {
  auto rows = read_jsonl("{\"id\": \"a\", \"name\": \"x\\u0000y\"}\n{\"id\": \"b\", \"other\": \"x\\u0000y\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) == "field `name`: the text holds a NUL byte (at position 2; a damaged or binary file?)");
  CHECK(rows[1].ok());
}

TEST_CASE("lines of spaces and tabs are skipped; line numbers count them", "[io]") {
  auto rows = read_jsonl("  \t \n{\"id\": \"a\"}\n\t\r\n   \n{\"id\": \"b\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].line == 2);
  CHECK(rows[1].line == 5);
  CHECK(rows[1].number == 2);
}

TEST_CASE("a JSON value over 16 MiB and a line over 64 MiB are error rows naming the limit", "[io]") {
  std::string big(io::kMaxFieldBytes + 1, 'x');
  auto rows = read_jsonl("{\"id\": \"a\", \"name\": \"" + big + "\"}\n{\"id\": \"b\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) == "field `name`: the value is longer than the limit of 16 MiB (16777216 bytes) for one value");
  CHECK(rows[1].ok());
  std::string huge = "{\"id\": \"c\", \"junk\": \"" + std::string(io::kMaxRecordBytes, 'y') + "\"}";
  rows = read_jsonl(huge + "\n{\"id\": \"d\"}\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) == "the line is longer than the limit of 64 MiB (67108864 bytes) for one record; it was not read");
  CHECK(rows[1].ok());
  CHECK(rows[1].line == 2);
}

TEST_CASE("the JSON checker accepts what simdjson accepts", "[io]") {
  for (const char* ok : {"{}", "[]", "{\"a\": [1, -2.5e3, true, false, null, \"\\u00e9\\ud83d\\ude00\"], \"b\": {\"c\": {}}}",
                         " \"text\" ", "0", "-0.0E+1", "{\"caf\xC3\xA9\": \"\xF0\x9F\x98\x80\"}"})
    CHECK(io::explain_json_error(ok, false).empty());
  CHECK(io::explain_json_error("{\n  \"a\": 1,\n  \"b\": x\n}", true) == "invalid JSON at line 3, column 8: expected a value in field `b`, found `x`");
}

TEST_CASE("score_json takes a pretty-printed object and never drops what follows it", "[api]") {
  auto c = rubric::ModelBuilder().build_source("m.rubric", kModel);
  REQUIRE(c.ok());
  rubric::Result r = c.model->score_json("{\n  \"id\": \"a\",\n  \"employees\": 5\n}\n", 0);
  CHECK(r.ok());
  CHECK(r.key == "a");
  CHECK(r.total == 1);
  r = c.model->score_json("{\r\n  \"id\": \"a\",\r\n  \"employees\": 5\r\n}", 0);
  CHECK(r.ok());
  CHECK(r.total == 1);
  r = c.model->score_json("{\"id\": \"a\"}\n{\"id\": \"b\"}\n", 0);
  CHECK_FALSE(r.ok());
  CHECK(r.error == "invalid JSON at line 2, column 1: more than one JSON value: another one starts here (give one lead at a time)");
  r = c.model->score_json("{\"id\": \"a\"}\n\ngarbage", 0);
  CHECK_FALSE(r.ok());
  CHECK(r.error == "invalid JSON at line 3, column 1: text after the JSON object (`garbage`)");
  r = c.model->score_json("{\n  \"id\": \"a\",\n  \"employees\": 1e999\n}", 0);
  CHECK(r.error == "invalid JSON at line 3, column 16: number out of range `1e999` in field `employees`");
  r = c.model->score_json(" \n\t", 0);
  CHECK(r.error == "no record: the text is blank");
}

TEST_CASE("score_jsonl splits at CR too and keeps one result per line", "[api]") {
  auto c = rubric::ModelBuilder().build_source("m.rubric", kModel);
  REQUIRE(c.ok());
  auto rs = c.model->score_jsonl("{\"id\": \"a\"}\r{\"id\": \"b\"} {\"id\": \"c\"}\r{\"id\": \"d\"}", 0);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].ok());
  CHECK(rs[1].error.find("more than one JSON value") != std::string::npos);
  CHECK(rs[2].key == "d");
}

namespace {

// A lead line from `seed`: each key absent, null, well formed, of the wrong form or kind, or
// written twice, so that both the one-pass path and every way out of it are taken.
std::string random_line(std::mt19937& g) {
  auto pick = [&](std::initializer_list<const char*> xs) { return std::string(*(xs.begin() + g() % xs.size())); };
  auto one_in = [&](unsigned n) { return g() % n == 0; };
  std::vector<std::string> parts;
  auto field = [&](const std::string& key, std::initializer_list<const char*> good, std::initializer_list<const char*> bad) {
    unsigned r = g() % 20;
    if (r == 0) return;                                   // absent
    std::string v = r == 1 ? "null" : r == 2 ? pick(bad) : r == 3 ? pick({"[1]", "{}", "true", "2.5", "\"\""}) : pick(good);
    parts.push_back("\"" + key + "\": " + v);
    if (one_in(40)) parts.push_back("\"" + key + "\": " + pick(good));  // a key twice
  };
  field("id", {"\"L1\"", "\"L2\"", "7", "\"Ž-3\""}, {"[]", "null"});
  field("name", {"\"Ann\"", "\"n/a\"", "\"  Åsa \"", "\"-1\"", "\"\""}, {"\"a\\u0000b\"", "{}"});
  field("employees", {"12", "-1", "\"40\"", "3e2", "\"n/a\""}, {"1.5", "\"ten\"", "1e300"});
  field("revenue", {"1.5", "\"15 000,50\"", "-3", "\"1.000,5\""}, {"\"1,2,3\"", "\"x\""});
  field("active", {"true", "false", "\"yes\"", "0", "1"}, {"\"maybe\"", "2"});
  field("plan", {"\"free\"", "\"PRO\"", "\"Enterprise (annual)\"", "\"whatever\""}, {"5", "[]"});
  field("region", {"\"emea\"", "\"AMER\"", "\"apac\""}, {"\"mars\"", "1"});
  field("signed_up", {"\"2026-10-01T10:00:00Z\"", "\"2026-10-01\"", "\"2026-10-01T10:00:00.5+02:00\"", "1793491200000"},
        {"\"2026-13-01\"", "\"soon\"", "1e30"});
  field("session", {"12", "\"1,5\"", "0.5"}, {"\"long\""});
  field("Kept", {"\"x\"", "1", "[1, 2]", "{\"a\": 1}", "true"}, {"null"});
  if (!one_in(10)) {
    std::string ev;
    int n = static_cast<int>(g() % 6);
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> saved;
      saved.swap(parts);
      field("kind", {"\"page_view\"", "\"Email_Open\"", "\"page_view\""}, {"\"tweet\"", "3"});
      field("page", {"\"https://a.example/pricing\"", "\"/docs/x\"", "\"n/a\""}, {"5", "[]"});
      field("timestamp", {"\"2026-10-30T14:02:11Z\"", "\"2026-10-30T14:02:11.250Z\"", "\"2026-10-29 08:00\"",
                          "\"2026-10-30T14:02:11-05:00\""},
            {"\"yesterday\"", "\"\"", "17"});
      field("seconds", {"30", "\"45\"", "0"}, {"\"long\"", "true"});
      ev += (i ? ", " : "") + (one_in(30) ? std::string("7") : "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}");
      parts.swap(saved);
    }
    parts.push_back("\"events\": [" + ev + "]");
    if (one_in(50)) parts.push_back("\"events\": []");
  }
  std::shuffle(parts.begin(), parts.end(), g);
  return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
}

}  // namespace

TEST_CASE("the one-pass JSON reader decodes every line as the general reader does", "[io]") {
  // Every kind of field, missing texts with and without digits, raw enum values, `otherwise`,
  // decimal commas, epoch times, durations, and a passed-through column (`--keep`).
  auto c = test::compile(
      "missing values: \"\", \"n/a\"\n"
      "lead:\n  id: string key\n  name: optional string missing \"-1\"\n  employees: optional int missing \"-1\"\n"
      "  revenue: optional number decimal comma\n  active: optional bool\n"
      "  plan: optional enum {free, pro \"Pro\", enterprise \"Enterprise (annual)\", other otherwise}\n"
      "  region: enum {emea, amer, apac}\n  signed_up: optional time in milliseconds\n"
      "  session: optional duration in minutes\n"
      "event:\n  kind: enum {page_view, email_open}\n  page: optional string\n  timestamp: time\n  seconds: optional number\n"
      "score s:\n  employees > 1: +1\n");
  REQUIRE(c.ok());
  auto model = io::with_extra_fields(c.model, {io::text_field("kept", "Kept", true)});
  for (bool strict : {false, true}) {
    std::mt19937 g(strict ? 7 : 42);
    std::string text;
    for (int i = 0; i < 3000; ++i) text += random_line(g) + "\n";
    std::istringstream in_a(text), in_b(text);
    io::ReaderOptions one_pass, general;
    one_pass.strict = general.strict = strict;
    general.one_pass = false;
    std::string fatal;
    auto a_reader = io::open_reader(in_a, *model, one_pass, fatal);
    auto b_reader = io::open_reader(in_b, *model, general, fatal);
    REQUIRE((a_reader && b_reader));
    int good = 0, bad = 0;
    io::InputRecord a, b;
    while (a_reader->next(a)) {
      REQUIRE(b_reader->next(b));
      REQUIRE(fuzz::describe(a) == fuzz::describe(b));
      (a.ok() && a.warnings.empty() ? good : bad)++;
    }
    CHECK_FALSE(b_reader->next(b));
    // Both ways are taken often.
    CHECK(good > 150);
    CHECK(bad > 300);
  }
}

TEST_CASE("lines across the reader's blocks of input are read as each line alone", "[io]") {
  // The reader hands out lines as views into 256 KiB blocks, and copies a line that runs from one
  // block into the next: lines of every length (some longer than a block), LF, CRLF and CR line
  // ends (a CRLF cut by a block's end too), blank lines and a byte order mark.
  auto c = test::compile(
      "lead:\n  id: string key\n  name: optional string\n  employees: optional int\n"
      "event:\n  kind: enum {page_view, email_open}\n  page: optional string\n  timestamp: time\n"
      "score s:\n  employees > 1: +1\n");
  REQUIRE(c.ok());
  std::mt19937 g(12);
  std::string text = "\xEF\xBB\xBF";
  std::vector<std::pair<int64_t, std::string>> lines;  // (line number, line) of each record
  int64_t line_no = 1;
  while (text.size() < (size_t{9} << 20)) {
    if (g() % 40 == 0) {
      text += std::string(g() % 3, ' ') + (g() % 2 ? "\n" : "\r\n");
      ++line_no;
      continue;
    }
    size_t pad = g() % 30 == 0 ? g() % (size_t{1} << 21) : g() % 3000;
    std::string line = fmt::format(R"({{"id": "L{}", "name": "{}", "employees": {}, "events": [{{"kind": "page_view", "page": "/p{}", "timestamp": "2026-10-0{}"}}]}})",
                                   lines.size(), std::string(pad, 'x'), g() % 500, g() % 9, 1 + g() % 9);
    if (g() % 50 == 0) line = "{\"id\": \"broken" + std::string(g() % 5000, 'y');  // invalid JSON
    lines.emplace_back(line_no++, line);
    text += line;
    text += g() % 3 == 0 ? "\r\n" : g() % 10 == 0 ? "\r" : "\n";
  }
  std::istringstream in(text);
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {}, fatal);
  REQUIRE(reader);
  io::InputRecord a, alone;
  size_t n = 0;
  while (reader->next(a)) {
    REQUIRE(n < lines.size());
    std::istringstream one(lines[n].second + "\n");
    auto single = io::open_reader(one, *c.model, {}, fatal);
    REQUIRE(single->next(alone));
    alone.line = lines[n].first;
    alone.number = static_cast<int64_t>(n + 1);
    REQUIRE(fuzz::describe(a) == fuzz::describe(alone));
    ++n;
  }
  CHECK(n == lines.size());
  // Through the pipeline, where batches in flight hold blocks while the reader reads on: two
  // and three threads write what one does.
  auto score = [&](int threads) {
    test::Scored s = test::score_through_pipeline(c, text, {}, threads, "in.jsonl", *io::parse_time("2026-11-01"));
    CHECK(s.stats.scored + s.stats.errors == static_cast<int64_t>(lines.size()));
    return s.rows + s.messages;
  };
  std::string one = score(1);
  CHECK(score(2) == one);
  CHECK(score(3) == one);
}
