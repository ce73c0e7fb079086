// SPDX-License-Identifier: Apache-2.0
// Raw values to typed values: missing texts, booleans, enums with raw texts and fallbacks.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <cctype>
#include <random>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/writer.h"
#include "tests/unit/helpers.h"

using namespace rubric;

TEST_CASE("raw values decode by field type", "[io]") {
  auto c = test::compile(
      "missing values: \"Select\"\nlead:\n  b: bool\n  o: enum {student \"Student\", working \"Working Professional\", other otherwise}\n"
      "  e: enum {a, b}\n  d: duration in minutes\n  n: number missing \"n/a\"\nscore s:\n  b: +1\n");
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const auto& f = c.model->lead.fields;
  check::Value v;
  std::string err;
  for (const char* yes : {"yes", "TRUE", "y", "1", " Yes "}) {
    REQUIRE(dec.decode(f[0], yes, v, err));
    CHECK(v.b);
  }
  CHECK_FALSE(dec.decode(f[0], "maybe", v, err));
  CHECK(err == "expected yes or no (true/false, 1/0), found \"maybe\"");
  REQUIRE(dec.decode(f[1], "working professional", v, err));
  CHECK(v.i == 1);
  REQUIRE(dec.decode(f[1], "Housewife", v, err));
  CHECK(v.i == 2);
  REQUIRE(dec.decode(f[1], "Select", v, err));
  CHECK(v.is_missing());
  CHECK_FALSE(dec.decode(f[2], "c", v, err));
  CHECK(err == "\"c\" is not one of the values of `e` (a, b)");
  REQUIRE(dec.decode(f[3], "2.5", v, err));
  CHECK(v.d == 150);
  REQUIRE(dec.decode(f[4], "N/A", v, err));
  CHECK(v.is_missing());
}

TEST_CASE("enum values and missing texts are found by their folded text, beyond ASCII too", "[io]") {
  // The decoder looks values up by their case-folded text: the same answers as comparing
  // value by value ignoring case (text::iequals), the first value winning.
  auto c = test::compile(
      "missing values: \"Ei tiedossa\", \"НЕТ ДАННЫХ\"\nlead:\n"
      "  k: enum {kelvin \"\u212A\", city \"ŁÓDŹ\", street \"Straße\", plain, plain_too \"PLAIN\"}\n"
      "score s:\n  k is plain: +1\n");
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const check::Field& f = c.model->lead.fields[0];
  check::Value v;
  std::string err;
  auto index = [&](std::string_view t) {
    err.clear();
    return dec.decode(f, t, v, err) ? (v.is_missing() ? -2 : v.i) : -1;
  };
  CHECK(index("k") == 0);  // the Kelvin sign folds to k
  CHECK(index("K") == 0);
  CHECK(index("łódź") == 1);
  CHECK(index("Łódź") == 1);
  CHECK(index("STRASSE") == -1);  // simple folding: ß is not ss
  CHECK(index("straße") == 2);
  CHECK(index("Plain") == 3);      // `plain` and `PLAIN` fold alike: the first wins
  CHECK(index(" plain ") == 3);    // spaces around a value are trimmed
  CHECK(index("plainer") == -1);
  CHECK(index("ei TIEDOSSA") == -2);
  CHECK(index("нет данных") == -2);
  CHECK(index("нет") == -1);
}

TEST_CASE("yes and no in any case, and nothing else, read as a bool", "[io]") {
  // Against comparing with each word ignoring case the general way (text::iequals): every text
  // of one and two ASCII bytes, and every byte in every place of each word in any case.
  auto c = test::compile("lead:\n  b: optional bool\nscore s:\n  b: +1\n");
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const check::Field& f = c.model->lead.fields[0];
  const std::string_view words[] = {"true", "yes", "y", "1", "false", "no", "n", "0"};
  auto expect = [&](const std::string& t) {
    for (size_t k = 0; k < std::size(words); ++k)
      if (text::iequals(t, words[k])) return k < 4 ? 1 : 0;
    return -1;
  };
  std::vector<std::string> texts;
  for (int a = 1; a < 128; ++a) {
    texts.push_back(std::string(1, static_cast<char>(a)));
    for (int b = 1; b < 128; ++b) texts.push_back({static_cast<char>(a), static_cast<char>(b)});
  }
  for (std::string_view w : words)
    for (size_t at = 0; at < w.size(); ++at)
      for (int b = 1; b < 256; ++b) {
        std::string t(w);
        if (at % 2) t[0] = static_cast<char>(std::toupper(t[0]));
        t[at] = static_cast<char>(b);
        texts.push_back(t);
      }
  texts.push_back("yeſ");  // folds to yes
  texts.push_back("YES!");
  size_t checked = 0;
  for (const std::string& t : texts) {
    if (static_cast<unsigned char>(t.front()) <= ' ' || static_cast<unsigned char>(t.back()) <= ' ') continue;  // (trimmed)
    const int want = expect(t);
    check::Value v;
    std::string err;
    const bool ok = dec.decode(f, t, v, err);
    INFO(text::json_string(t));
    REQUIRE(ok == (want >= 0));
    if (ok) CHECK(v.b == (want == 1));
    check::Value plain;
    if (dec.decode_plain(f, t, plain)) CHECK((want >= 0 && plain.b == (want == 1)));
    ++checked;
  }
  CHECK(checked > 13000);
}

TEST_CASE("an enum of many values finds each, whatever their lengths", "[io]") {
  // Values of every length from 1 to 40 bytes, and long ones that share their first and last
  // eight bytes (the enum index hashes up to 16 bytes as two loads, and longer ones in words):
  // each reads as itself, in its own case and another, plain and with spaces to trim.
  std::vector<std::string> values;
  for (size_t n = 1; n <= 40; ++n) {
    std::string v;
    for (size_t k = 0; k < n; ++k) v += static_cast<char>('a' + (n * 7 + k * 3) % 26);
    values.push_back(v);
  }
  for (char mid = 'a'; mid <= 'h'; ++mid) values.push_back(std::string("abcdefgh") + std::string(9, mid) + "stuvwxyz");
  std::string text = "lead:\n  k: enum {";
  for (size_t i = 0; i < values.size(); ++i) text += fmt::format("{}v{} \"{}\"", i ? ", " : "", i, values[i]);
  text += "}\nscore s:\n  k is v0: +1\n";
  auto c = test::compile(text);
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const check::Field& f = c.model->lead.fields[0];
  check::Value v;
  std::string err;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string upper = values[i];
    for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
    for (const std::string& t : {values[i], upper, " " + values[i] + " "}) {
      err.clear();
      REQUIRE(dec.decode(f, t, v, err));
      CHECK(v.i == static_cast<int64_t>(i));
    }
    err.clear();
    CHECK_FALSE(dec.decode(f, values[i] + "x", v, err));
  }
}

TEST_CASE("points print without trailing zeros", "[io]") {
  CHECK(io::format_points(1500) == "15");
  CHECK(io::format_points(-250) == "-2.5");
  CHECK(io::format_points(25) == "0.25");
  CHECK(io::format_points(-5) == "-0.05");
  CHECK(io::format_points(0) == "0");
  CHECK(io::format_points(-100) == "-1");
  CHECK(io::format_points(INT64_MIN) == "-92233720368547758.08");
  std::string s = "x";
  io::append_points(s, 1234510);
  CHECK(s == "x12345.1");
  io::append_points(s, -250, ';');
  io::append_points(s, INT64_MIN, ',');
  io::append_points(s, 7, '\t');
  CHECK(s == "x12345.1-2.5;-92233720368547758.08,0.07\t");
}

TEST_CASE("points are quoted in CSV only when the delimiter could be part of them", "[io]") {
  auto c = test::compile("lead:\n  id: string key\nscore s:\n  id is present: +1\nscore t:\n  id is present: +1\n");
  REQUIRE(c.ok());
  io::InputRecord rec;
  rec.key = "L1";
  interp::Outcome o;
  o.scores = {-250, 1500};
  o.total = 1250;
  auto row = [&](char delim) {
    std::string text;
    io::WriterOptions opts;
    opts.delimiter = delim;
    io::ResultWriter(text, *c.model, opts).row(rec, o);
    return text;
  };
  CHECK(row(',') == "L1,-2.5,15,12.5,,\n");
  CHECK(row(';') == "L1;-2.5;15;12.5;;\n");
  CHECK(row('.') == "L1.\"-2.5\".15.\"12.5\"..\n");
  CHECK(row('-') == "L1-\"-2.5\"-15-12.5--\n");
  CHECK(row('5') == "L15\"-2.5\"5\"15\"5\"12.5\"55\n");
}

TEST_CASE("JSON strings are always valid UTF-8", "[io]") {
  CHECK(text::json_string("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(text::json_string("bad \xFF\x93 bytes") == "\"bad \xEF\xBF\xBD\xEF\xBF\xBD bytes\"");
  CHECK(text::json_string("cut \xC3") == "\"cut \xEF\xBF\xBD\"");
  CHECK(text::json_string("tab\tquote\"") == "\"tab\\tquote\\\"\"");
}

TEST_CASE("JSON strings escape every byte as one at a time would", "[io]") {
  // ASCII bytes of every kind, and two- to four-byte UTF-8 characters, at every place of runs
  // of plain bytes (which go in with one append), against escaping byte by byte.
  const std::string_view wide[] = {"\xC3\xA9", "\xD0\xB6", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s, expected = "\"";
    const size_t len = rng() % 40;
    for (size_t k = 0; k < len; ++k) {
      const unsigned pick = rng() % 10;
      if (pick == 0) {
        std::string_view w = wide[rng() % 4];
        s += w;
        expected += w;
        continue;
      }
      const char c = static_cast<char>(pick == 1 ? rng() % 0x20 : pick == 2 ? "\"\\"[rng() % 2] : 0x20 + rng() % 0x60);
      s += c;
      switch (c) {
        case '"': expected += "\\\""; break;
        case '\\': expected += "\\\\"; break;
        case '\n': expected += "\\n"; break;
        case '\r': expected += "\\r"; break;
        case '\t': expected += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) expected += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
          else expected += c;
      }
    }
    expected += '"';
    REQUIRE(text::json_string(s) == expected);
  }
}

TEST_CASE("missing texts apply to JSON numbers too", "[io]") {
  auto c = test::compile("lead:\n  id: string key\n  pdays: optional duration in days missing \"-1\"\nscore s:\n  pdays < 5 days: +1\n");
  REQUIRE(c.ok());
  std::istringstream in("{\"id\": \"a\", \"pdays\": -1}\n{\"id\": \"b\", \"pdays\": 3}\n");
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {}, fatal);
  io::InputRecord rec;
  REQUIRE(reader->next(rec));
  CHECK(rec.record.fields[1].is_missing());
  REQUIRE(reader->next(rec));
  CHECK(rec.record.fields[1].d == 3 * 86400);
}

TEST_CASE("times in seconds or milliseconds since 1970 read numbers and dates alike", "[io]") {
  auto c = test::compile(
      "lead:\n  id: string key\n  ms: optional time in milliseconds\n  s: optional time in seconds\n  iso: optional time\n"
      "score x:\n  id is present: +1\n");
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const auto& f = c.model->lead.fields;
  check::Value v;
  std::string err;
  // 2026-11-01T00:00:00Z is 1793491200 seconds since 1970; Rubric keeps times in milliseconds.
  REQUIRE(dec.decode(f[1], "1793491200500", v, err));  // CSV text, milliseconds: kept
  CHECK((v.kind == check::Value::Kind::Time && v.i == 1793491200500));
  REQUIRE(dec.decode_number(f[1], 1793491200500.0, "1793491200500", v, err));  // a JSON number
  CHECK(v.i == 1793491200500);
  REQUIRE(dec.decode(f[2], " 1793491200 ", v, err));
  CHECK(v.i == 1793491200000);
  REQUIRE(dec.decode_number(f[2], 1317422324.546, "1317422324.546", v, err));  // seconds with a fraction: to the ms
  CHECK(v.i == 1317422324546);
  REQUIRE(dec.decode_number(f[2], 1.0009, "1.0009", v, err));  // a fraction of a millisecond is dropped
  CHECK(v.i == 1000);
  REQUIRE(dec.decode(f[2], "2026-11-01T00:00:00Z", v, err));  // a date and time still reads
  CHECK(v.i == 1793491200000);
  REQUIRE(dec.decode(f[1], "-1000", v, err));  // before 1970
  CHECK(v.i == -1000);
  REQUIRE(dec.decode(f[2], "-0.5", v, err));  // rounded down to the millisecond
  CHECK(v.i == -500);
  CHECK_FALSE(dec.decode(f[2], "soon", v, err));
  CHECK(err == "expected seconds since 1970 or a time like 2026-11-01T09:30:00Z, found \"soon\"");
  CHECK_FALSE(dec.decode(f[1], "1e300", v, err));
  CHECK(err == "\"1e300\" milliseconds since 1970 is not a date between the years 1 and 9999");
  // A time without a unit is a date and time only, as before.
  CHECK_FALSE(dec.decode(f[3], "1793491200", v, err));
  CHECK_FALSE(dec.decode_number(f[3], 1793491200.0, "1793491200", v, err));
}

TEST_CASE("numbers with a decimal comma, thousands in groups of three", "[io]") {
  auto c = test::compile("decimal comma\nlead:\n  id: string key\n  n: optional number\n  i: optional int\n  s: optional string\n"
                         "score x:\n  id is present: +1\n");
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const auto& f = c.model->lead.fields;
  CHECK(f[1].decimal_comma);
  CHECK_FALSE(f[3].decimal_comma);  // text is text
  check::Value v;
  std::string err;
  for (auto [text, want] : std::vector<std::pair<std::string, double>>{{"15000,50", 15000.5},
                                                                       {"15 000,50", 15000.5},
                                                                       {"15.000,50", 15000.5},
                                                                       {"1'234'567", 1234567},
                                                                       {"1\xC2\xA0" "234,5", 1234.5},
                                                                       {"1\xE2\x80\xAF" "234", 1234},
                                                                       {"-0,25", -0.25},
                                                                       {"7", 7}}) {
    INFO(text);
    REQUIRE(dec.decode(f[1], text, v, err));
    CHECK(v.d == want);
  }
  for (const char* bad : {"1.5", "1,5,3", ",5", "1 23", "1.234 567", "12,", "1.2345", "abc"}) {
    INFO(bad);
    CHECK_FALSE(dec.decode(f[1], bad, v, err));
  }
  CHECK(err == "expected a number with a decimal comma, like 15 000,50, found \"abc\"");
  REQUIRE(dec.decode(f[2], "1.500", v, err));  // an int with a thousands dot
  CHECK(v.i == 1500);
  REQUIRE(dec.decode_number(f[1], 2.5, "2.5", v, err));  // a JSON number is a JSON number
  CHECK(v.d == 2.5);
}

TEST_CASE("a long enum finds each of its values and nothing else", "[io]") {
  // 300 values fill the lookup table through several sizes.
  std::string values;
  for (int i = 0; i < 300; ++i) values += fmt::format("{}v{} \"Value {}\"", i ? ", " : "", i, i);
  auto c = test::compile("lead:\n  e: enum {" + values + "}\nscore s:\n  e is v1: +1\n");
  INFO(test::diagnostics(c));
  REQUIRE(c.ok());
  io::Decoder dec(*c.model);
  const auto& f = c.model->lead.fields[0];
  check::Value v;
  std::string err;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(dec.decode(f, fmt::format("value {}", i), v, err));
    CHECK(v.i == i);
  }
  for (const char* absent : {"value 300", "value", "v1", "x"}) CHECK_FALSE(dec.decode(f, absent, v, err));
}
