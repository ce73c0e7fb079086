// SPDX-License-Identifier: Apache-2.0
// CSV input: RFC 4180 quoting, line endings, delimiters, header matching, bad rows.
#include <catch2/catch.hpp>

#include <functional>
#include <random>

#include "runtime/io/decode.h"
#include "runtime/io/limits.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/helpers.h"

using namespace rubric;

namespace {

const char* kModel =
    "lead:\n  id: string key\n  name: optional string from \"Full Name\"\n  visits: optional int from \"Total Visits\"\n"
    "score s:\n  visits > 1: +1\n";

std::vector<io::InputRecord> read_all(const std::string& csv, std::string* fatal = nullptr, char delim = 0, bool strict = false) {
  static auto c = test::compile(kModel);
  REQUIRE(c.ok());
  std::istringstream in(csv);
  std::string err;
  io::ReaderOptions opts{io::InputFormat::Csv, delim};
  opts.strict = strict;
  auto reader = io::open_reader(in, *c.model, opts, err);
  if (fatal) *fatal = err;
  std::vector<io::InputRecord> out;
  if (!reader) return out;
  io::InputRecord r;
  while (reader->next(r)) out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("quoted fields hold delimiters, doubled quotes and line breaks", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\r\na,\"Doe, \"\"JD\"\" Jane\",3\r\nb,\"two\nlines\",4\r\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].record.fields[1].s == "Doe, \"JD\" Jane");
  CHECK(rows[1].record.fields[1].s == "two\nlines");
  CHECK(rows[1].line == 3);
  CHECK(rows[1].record.fields[2].i == 4);
}

TEST_CASE("the delimiter is detected from the header", "[io]") {
  auto rows = read_all("\"id\";\"Full Name\";\"Total Visits\"\n\"a\";\"x\";7\n");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].ok());
  CHECK(rows[0].record.fields[2].i == 7);
  auto tabs = read_all("id\tFull Name\tTotal Visits\na\tx\t8\n");
  REQUIRE(tabs.size() == 1);
  CHECK(tabs[0].record.fields[2].i == 8);
}

TEST_CASE("a trailing empty column and a byte order mark are ignored", "[io]") {
  auto rows = read_all("\xEF\xBB\xBFid,Full Name,Total Visits,\r\na,x,1,\r\n");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].ok());
  CHECK(rows[0].key == "a");
}

TEST_CASE("bad rows are reported, never dropped", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,x\nb,y,ten\nc,z,2\nd,\"open,5\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].errors.at(0) == "the row has 2 values and the header has 3 columns");
  // `visits` is optional: its bad value is read as missing, with a warning, and the lead scored.
  CHECK(rows[1].ok());
  CHECK(rows[1].record.fields[2].is_missing());
  CHECK(rows[1].warnings.at(0) == "field `visits` (column \"Total Visits\"): expected a number, found \"ten\"; read as missing");
  CHECK(rows[2].ok());
  CHECK(rows[3].errors.at(0).find("never ends") != std::string::npos);
  // Strict: a record error, as before.
  auto strict = read_all("id,Full Name,Total Visits\nb,y,ten\n", nullptr, 0, true);
  REQUIRE(strict.size() == 1);
  CHECK(strict[0].errors.at(0) == "field `visits` (column \"Total Visits\"): expected a number, found \"ten\"");
  // A NUL byte is damage, never read as missing.
  const char kNul[] = "id,Full Name,Total Visits\nb,y,1\0\n";
  auto nul = read_all(std::string(kNul, sizeof kNul - 1));
  REQUIRE(nul.size() == 1);
  CHECK_FALSE(nul[0].ok());
}

TEST_CASE("a missing required column stops the run with a hint", "[io]") {
  std::string fatal;
  auto rows = read_all("ID,Full Name\na,b\n", &fatal);  // names match ignoring case
  CHECK(fatal.empty());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].record.fields[2].is_missing());  // optional column absent: always missing
  rows = read_all("ident,Full Name\na,b\n", &fatal);
  CHECK(rows.empty());
  CHECK(fatal == "the header has no column \"id\" for the required field `id`");
}

TEST_CASE("blank lines are not records", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,x,1\n\nb,y,2\n");
  CHECK(rows.size() == 2);
}

TEST_CASE("a header whose quote never ends stops the run instead of swallowing the rows", "[io]") {
  std::string fatal;
  auto rows = read_all("id,\"Full Name,Total Visits\na,x,1\n", &fatal);
  CHECK(rows.empty());
  CHECK(fatal.find("never ends") != std::string::npos);
}

TEST_CASE("a byte order mark before a quoted header is skipped", "[io]") {
  auto rows = read_all("\xEF\xBB\xBF\"id\",\"Full Name\",\"Total Visits\"\r\n\"a\",\"x\",2\r\n");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].ok());
  CHECK(rows[0].key == "a");
}

TEST_CASE("a row holding an empty quoted value is a record, not a blank line", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,,\n\"\",,\n\nb,,\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].errors.at(0) == "field `id` (column \"id\") is required and is missing");
  CHECK(rows[1].key.empty());
}

// --- Issue 9: no CSV input may silently lose or merge rows (docs/language.md, section 12) ---

namespace {

// Reads CSV with a model that has no key field: rows are known by their number.
std::vector<io::InputRecord> read_keyless(const std::string& csv) {
  static auto c = test::compile("lead:\n  name: optional string\n  visits: optional int\nscore s:\n  visits > 1: +1\n");
  REQUIRE(c.ok());
  std::istringstream in(csv);
  std::string err;
  auto reader = io::open_reader(in, *c.model, {io::InputFormat::Csv, 0}, err);
  REQUIRE(reader);
  std::vector<io::InputRecord> out;
  io::InputRecord r;
  while (reader->next(r)) out.push_back(r);
  return out;
}

// Scores CSV through the pipeline on `threads` threads; the output rows and the messages.
std::string score_csv(const std::string& csv, int threads) {
  static auto c = test::compile(kModel);
  test::Scored s = test::score_through_pipeline(c, csv, {io::InputFormat::Csv, 0}, threads, "in.csv");
  return s.rows + s.messages + std::to_string(s.stats.scored) + " scored, " + std::to_string(s.stats.errors) + " errors";
}

// Reads `text` as the pipeline's threads read it: raw records split off by next_run, asking for
// ask(i) records the i-th time, each row decoded by decode_row. The size of each run, and the
// records in order.
struct Runs {
  std::vector<size_t> sizes;
  std::vector<io::InputRecord> records;
};
Runs read_in_runs(const std::string& text, const check::CheckedModel& model, char delim, const std::function<size_t(size_t)>& ask) {
  std::istringstream in(text);
  std::string fatal;
  auto reader = io::open_reader(in, model, {io::InputFormat::Csv, delim}, fatal);
  REQUIRE(reader);
  auto decoder = reader->make_decoder();
  Runs out;
  io::RawRecord raw;
  io::InputRecord rec;
  for (size_t i = 0; reader->next_run(raw, ask(i)); ++i) {
    REQUIRE((raw.rows >= 1 && raw.rows <= ask(i)));
    out.sizes.push_back(raw.rows);
    for (size_t k = 0; k < raw.rows; ++k) {
      decoder->decode_row(raw, k, rec);
      out.records.push_back(rec);
    }
  }
  return out;
}

// Reads `text` the one-pass way and the general way (ReaderOptions::one_pass = false), which
// must give the same records; counts them, the bad ones and the ones with warnings. The
// one-pass way is also read a third way, as the pipeline's threads read it: raw records split
// off by next_run, asked for runs of 1 to 64 rows in turn, each row decoded by decode_row;
// `in_runs` counts the rows that came in runs of more than one.
struct Counts {
  int rows = 0, bad = 0, warned = 0, in_runs = 0;
};
Counts read_both_ways(const std::string& text, const check::CheckedModel& model, char delim) {
  Counts n;
  const Runs runs = read_in_runs(text, model, delim, [](size_t i) { return i % 64 + 1; });
  for (size_t size : runs.sizes) n.in_runs += size > 1 ? static_cast<int>(size) : 0;
  std::vector<std::string> via_runs;
  for (const io::InputRecord& r : runs.records) via_runs.push_back(fuzz::describe(r));
  std::istringstream in_a(text), in_b(text);
  io::ReaderOptions one_pass{io::InputFormat::Csv, delim}, general{io::InputFormat::Csv, delim};
  general.one_pass = false;
  std::string fatal;
  auto a_reader = io::open_reader(in_a, model, one_pass, fatal);
  auto b_reader = io::open_reader(in_b, model, general, fatal);
  REQUIRE((a_reader && b_reader));
  io::InputRecord a, b;
  while (a_reader->next(a)) {
    REQUIRE(b_reader->next(b));
    REQUIRE(fuzz::describe(a) == fuzz::describe(b));
    REQUIRE(static_cast<size_t>(n.rows) < via_runs.size());
    REQUIRE(via_runs[static_cast<size_t>(n.rows)] == fuzz::describe(a));
    ++n.rows;
    n.bad += !a.ok();
    n.warned += !a.warnings.empty();
  }
  CHECK_FALSE(b_reader->next(b));
  CHECK(via_runs.size() == static_cast<size_t>(n.rows));
  return n;
}

}  // namespace

TEST_CASE("a stray quote costs its own row, not the rows after it", "[io]") {
  // The stray quote on row 2 pairs with the first quote of row 4: read as RFC 4180 says, rows
  // 2-4 would be one row ending in text after a closing quote.
  auto rows = read_all("id,Full Name,Total Visits\na,x,1\nb,\"y,2\nc,z,3\nd,\"w\",4\ne,v,5\nf,u,\"6\nwith\",7\n");
  REQUIRE(rows.size() == 7);
  CHECK(rows[0].ok());
  CHECK(rows[1].key == "b");
  CHECK(rows[1].line == 3);
  CHECK(rows[1].errors.at(0) ==
        "column 2: a quoted value runs past the end of the line and breaks the row (a stray quote?); the lines after it are read "
        "as rows of their own");
  CHECK(rows[2].ok());
  CHECK(rows[2].key == "c");
  CHECK(rows[2].line == 4);
  CHECK(rows[3].ok());
  CHECK(rows[3].record.fields[1].s == "w");
  CHECK(rows[4].ok());
  CHECK(rows[4].line == 6);
  CHECK(rows[4].record.fields[2].i == 5);
  // A quoted value over two lines that then has one value too many: the same, for each line.
  CHECK(rows[5].key == "f");
  CHECK(rows[5].line == 7);
  CHECK_FALSE(rows[5].ok());
  CHECK(rows[6].line == 8);
  CHECK(rows[6].errors.at(0) == "the row has 2 values and the header has 3 columns");
}

TEST_CASE("a quote that never closes costs one row and every later line is read", "[io]") {
  auto rows = read_keyless("name,visits\nann,1\n\"bob,2\ncid,3\ndan,4\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].errors.at(0).find("column 1: a quoted value that starts on this line never ends") == 0);
  for (size_t i : {0, 2, 3}) CHECK(rows[i].ok());
  // Without a key, rows are known by their number: each line keeps its own.
  CHECK(rows[2].key == "3");
  CHECK(rows[3].key == "4");
  CHECK(rows[3].record.fields[0].s == "dan");
  CHECK(rows[3].line == 5);
}

TEST_CASE("a quoted value over two lines that keeps the row whole is still one value", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,\"two\nlines\",3\nb,y,4\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].ok());
  CHECK(rows[0].record.fields[1].s == "two\nlines");
  CHECK(rows[1].line == 4);
}

TEST_CASE("stray quotes give the same rows on one thread and on two", "[io]") {
  std::string csv = "id,Full Name,Total Visits\n";
  for (int i = 0; i < 3000; ++i) {
    if (i % 401 == 7) csv += "s" + std::to_string(i) + ",\"open,1\n";
    else csv += "r" + std::to_string(i) + ",name " + std::to_string(i) + "," + std::to_string(i % 5) + "\n";
  }
  std::string one = score_csv(csv, 1);
  CHECK(one.find("2992 scored, 8 errors") != std::string::npos);
  CHECK(score_csv(csv, 2) == one);
  CHECK(score_csv(csv, 3) == one);
}

TEST_CASE("two header columns for one field stop the run, naming both", "[io]") {
  std::string fatal;
  auto rows = read_all("id,Full Name,Total Visits,Full Name\na,x,1,y\n", &fatal);
  CHECK(rows.empty());
  CHECK(fatal == "the header has 2 columns for the field `name`: \"Full Name\" (column 2) and \"Full Name\" (column 4); rename or "
                 "remove all but one");
  rows = read_all("id,full name,Total Visits,FULL NAME\na,x,1,y\n", &fatal);
  CHECK(rows.empty());
  CHECK(fatal.find("\"full name\" (column 2) and \"FULL NAME\" (column 4)") != std::string::npos);
  // Columns the model does not read may repeat.
  rows = read_all("id,Full Name,Total Visits,notes,notes\na,x,1,p,q\n", &fatal);
  CHECK(fatal.empty());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].ok());
}

TEST_CASE("a column named exactly wins over one that matches ignoring case, with a warning", "[io]") {
  static auto c = test::compile(kModel);
  std::istringstream in("id,Full Name,Total Visits,full name\na,x,1,y\n");
  std::string fatal;
  auto reader = io::open_reader(in, *c.model, {io::InputFormat::Csv, 0}, fatal);
  REQUIRE(reader);
  REQUIRE(reader->warnings().size() == 1);
  CHECK(reader->warnings()[0] ==
        "the header has columns \"Full Name\" (column 2) and \"full name\" (column 4) for the field `name`; the one named exactly "
        "\"Full Name\" is read");
  io::InputRecord r;
  REQUIRE(reader->next(r));
  CHECK(r.record.fields[1].s == "x");
}

TEST_CASE("invalid UTF-8 and NUL bytes in a column the model reads make the row an error", "[io]") {
  static const char kText[] = "id,Full Name,Total Visits,other\na,caf\xE9,1,x\nb,nul\0l,2,x\nc,ok,3,\xFF\0\n";
  auto rows = read_all(std::string(kText, sizeof kText - 1));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].errors.at(0) ==
        "field `name` (column \"Full Name\"): the text is not valid UTF-8 (byte 0xE9 at position 4); save the file as UTF-8");
  CHECK(rows[1].errors.at(0) == "field `name` (column \"Full Name\"): the text holds a NUL byte (at position 4; a damaged or binary file?)");
  CHECK(rows[2].ok());  // a column the model does not read is never looked at
}

TEST_CASE("text after a closing quote makes the row an error; spaces there are dropped", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,\"Doe\" Jane,1\nb,\"Doe\"  ,2\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) ==
        "column 2: text after the closing quote (a quote inside a quoted value is written twice: \"\")");
  CHECK(rows[1].ok());
  CHECK(rows[1].record.fields[1].s == "Doe");
}

TEST_CASE("lines of spaces are skipped like blank lines, also before the header", "[io]") {
  std::string fatal;
  auto rows = read_all("\n   \r\n\t\nid,Full Name,Total Visits\na,x,1\n   \n \t \nb,y,2\n", &fatal);
  CHECK(fatal.empty());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].ok());
  CHECK(rows[0].line == 5);
  CHECK(rows[1].ok());
  CHECK(rows[1].line == 8);
  rows = read_all(" \n\n", &fatal);
  CHECK(fatal == "the input is empty: expected a header line naming the columns");
}

TEST_CASE("CR alone ends a CSV line too", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\ra,x,1\rb,y,2\r");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].key == "b");
  CHECK(rows[1].line == 3);
}

TEST_CASE("a value over 16 MiB and a row over 64 MiB are error rows naming the limit", "[io]") {
  std::string big(io::kMaxFieldBytes + 10, 'x');
  auto rows = read_all("id,Full Name,Total Visits\na," + big + ",1\nb,y,2\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].errors.at(0) == "column 2: the value is longer than the limit of 16 MiB (16777216 bytes) for one value");
  CHECK(rows[1].ok());
  std::string row = "c";
  for (int i = 0; i < 5; ++i) row += "," + std::string(io::kMaxFieldBytes - 100, 'y');
  rows = read_all("id,Full Name,Total Visits\n" + row + "\nd,z,3\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "c");
  CHECK(rows[0].errors.at(0) ==
        "the row is longer than the limit of 64 MiB (67108864 bytes) for one record; the rest of the line was skipped");
  CHECK(rows[1].ok());
  CHECK(rows[1].key == "d");
  CHECK(rows[1].line == 3);
}

TEST_CASE("the delimiter is the one the header holds most of; ties go to , then ; then tab then |", "[io]") {
  std::string fatal;
  auto tie = read_all("id,Full Name;Total Visits\na,x;1\n", &fatal);  // one `,` and one `;`: `,`
  REQUIRE(tie.size() == 1);
  CHECK(tie[0].key == "a");  // read with `;`, the header would have no `id` column
  CHECK(tie[0].record.fields[1].is_missing());  // no column is headed "Full Name" alone
  auto most = read_all("id;Full Name;Total Visits,x\na;y;2,z\n");  // two `;`, one `,`: `;`
  REQUIRE(most.size() == 1);
  CHECK(most[0].ok());
  CHECK(most[0].record.fields[1].s == "y");
  auto pipes = read_all("id|Full Name|Total Visits\tx\nb|y|3\tz\n");  // two `|`, one tab: `|`
  REQUIRE(pipes.size() == 1);
  CHECK(pipes[0].key == "b");
}

TEST_CASE("a trailing delimiter on only some lines is tolerated; a value after it is not", "[io]") {
  auto rows = read_all("id,Full Name,Total Visits\na,x,1,\nb,y,2\nc,z,3,extra\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].ok());
  CHECK(rows[0].record.fields[2].i == 1);
  CHECK(rows[1].ok());
  CHECK(rows[2].errors.at(0) == "the row has 4 values and the header has 3 columns");
  auto header = read_all("id,Full Name,Total Visits,\na,x,1\nb,y,2,\n");
  REQUIRE(header.size() == 2);
  CHECK(header[0].ok());
  CHECK(header[1].ok());
}

TEST_CASE("rows split in one pass are read as the byte-by-byte reader reads them", "[io]") {
  // Cells plain, quoted, quoted around delimiters and line ends, with doubled or stray quotes,
  // spaces around them, empty, and over the value limit; LF, CRLF and CR; blank lines; rows one
  // value short or long; and a passed-through column (`--keep`).
  auto c = test::compile(kModel);
  REQUIRE(c.ok());
  auto model = io::with_extra_fields(c.model, {io::text_field("kept", "Kept", true)});
  std::mt19937 g(2026);
  auto pick = [&](std::initializer_list<std::string> xs) { return *(xs.begin() + g() % xs.size()); };
  const std::string big(io::kMaxFieldBytes + 1, 'x');
  for (char delim : {',', ';', '\t'}) {
    const std::string d(1, delim);
    std::string text = "id" + d + "Full Name" + d + "Total Visits" + d + "Kept\n";
    for (int i = 0; i < 4000; ++i) {
      int cells = 4 + (g() % 25 == 0 ? (g() % 2 ? 1 : -1) : 0);
      for (int k = 0; k < cells; ++k) {
        if (k) text += d;
        // Values of any length, so that quotes fall on every place of the reader's 64-byte words.
        const std::string pad(g() % 140, 'p');
        text += pick({"a", "12", " 7 ", "", "\"q\"", "\"with" + d + "delim\"", "\"two\nlines\"", "\"say \"\"hi\"\"\"", "\"x\" ",
                      "ab\"c", "\"open", "n/a", "\"\"", "  ", "Žofie", g() % 200 == 0 ? big : "b", pad, "\"" + pad + "\"",
                      "\"" + pad + "\"\"\"", pad + "\"", "\"" + pad + "\" ", "\"" + pad + d + pad + "\""});
      }
      text += pick({"\n", "\n", "\n", "\r\n", "\r", "\n\n", " \n"});
    }
    Counts n = read_both_ways(text, *model, delim);
    CHECK(n.rows > 3000);
    CHECK(n.bad > 100);
  }
}

TEST_CASE("values read the plain way are read as the general way reads them", "[io]") {
  // Bools in every spelling, enum values as listed and in other cases, missing texts of the
  // model and of a field (in any case, and values of the same length that are not missing),
  // numbers, times and text, and a few values the plain way leaves to decode().
  auto c = test::compile(
      "missing values: \"\", \"unknown\"\n"
      "lead:\n  id: string key\n  active: optional bool\n  marital: optional enum {married, single, divorced}\n"
      "  pdays: optional duration in days missing \"-1\"\n  balance: optional int\n  seen: optional time\n  note: optional string\n"
      "  ratio: optional number\n  age: int\n"
      "score s:\n  balance > 1: +1\n");
  REQUIRE(c.ok());
  std::mt19937 g(99);
  auto pick = [&](std::initializer_list<std::string> xs) { return *(xs.begin() + g() % xs.size()); };
  // Whole numbers are read the plain way without from_chars: with a sign, leading zeros, 15 and
  // 16 digits; `+5`, `-` and the like are left to the general way. A required field (`age`)
  // holding a missing text is left to decode(), which makes the row an error.
  std::string text = "id,active,marital,pdays,balance,seen,note,ratio,age\n";
  for (int i = 0; i < 6000; ++i) {
    text += fmt::format("L{},{},{},{},{},{},{},{},{}\n", i,
                        pick({"yes", "No", "TRUE", "false", "y", "N", "1", "0", "maybe", "2", "unknown", "Unknown", " yes", ""}),
                        pick({"married", "Married", "single", "SINGLE", "divorced", "widowed", "unknown", "UNKNOWN", "marri", ""}),
                        pick({"-1", "-2", "10", "0", "unknown", "1.5", "x", ""}),
                        pick({"2143", "-7", "1e3", "12.5", "unknown", "n/a", "15000,50", ""}),
                        pick({"2026-10-01", "2026-10-01T09:30:00Z", "2026-10-01T09:30:00.250+02:00", "unknown", "yesterday", ""}),
                        pick({"unknown", "unknowns", "Unknown", "known", "-1", "yes", ""}),
                        pick({"-0", "0", "007", "+5", "-", "--1", "123456789012345", "-999999999999999", "1234567890123456", "2.50"}),
                        pick({"42", "-0", "0042", "unknown", "Unknown", "", "1e2", "9000000000000001", "4x"}));
  }
  Counts n = read_both_ways(text, *c.model, ',');
  CHECK(n.rows == 6000);
  CHECK(n.warned > 1000);
  CHECK(n.bad > 1000);
  CHECK(n.in_runs > 5000);  // bad values too: a run holds rows of plain or whole-quoted values
}

TEST_CASE("rows cut by the reader's refill of its buffer are read as the general way reads them", "[io]") {
  // The reader reads 1 MiB at a time; the first refill comes at byte 1,048,576. Each input puts
  // one of the bytes that decide a row's way at that boundary: a line end (LF, CR of a CRLF, a
  // lone CR), a quote that opens or closes a value, a doubled quote, and a delimiter.
  auto c = test::compile(kModel);
  REQUIRE(c.ok());
  const size_t boundary = size_t{1} << 20;
  const std::string header = "id,Full Name,Total Visits\n";
  // A row whose byte `at` is the one to put at the boundary.
  struct Case {
    std::string row;
    size_t at;
  };
  const Case cases[] = {
      {"k,name,5\n", 8},          {"k,name,5\r\n", 8},          {"k,name,5\r\n", 9},        {"k,name,5\rk2,n,6\n", 8},
      {"k,\"name\",5\n", 2},      {"k,\"name\",5\n", 7},        {"k,\"na\"\"me\",5\n", 5},   {"k,\"na\"\"me\",5\n", 6},
      {"k,name,5\n", 1},          {"k,\"na,me\",5\n", 5},       {"k,\"two\nlines\",5\n", 6}, {"k,name\",5\n", 6},
  };
  for (const Case& k : cases) {
    std::string text = header;
    // Plain rows of varied length up to a few bytes before the spot, then padding in the last one.
    const std::string filler = "f,filler name,7\n";
    while (text.size() + filler.size() + 64 < boundary - k.at) text += filler;
    std::string pad(boundary - k.at - text.size() - 5, 'p');
    text += "g," + pad + ",1\n";
    REQUIRE(text.size() + k.at == boundary);
    text += k.row;
    text += "z,last,9\n";
    CHECK(read_both_ways(text, *c.model, ',').rows > 60000);
    CHECK(score_csv(text, 1) == score_csv(text, 2));
  }
}

TEST_CASE("rows kept as views into the reader's blocks read alike across blocks, long rows and threads", "[io]") {
  // Some 17 MiB, so that rows are kept as views into the reader's 2 MiB blocks, cross from one
  // block into the next (their start moved to another block while rows before still view this
  // one), run past a block's size (two 3 MiB values: a block grows, then shrinks once free), or
  // are long enough to be copied (200 KiB); mixed with rows the reading thread splits itself (a
  // doubled quote).
  auto c = test::compile(kModel);
  REQUIRE(c.ok());
  std::mt19937 g(7);
  std::string text = "id,Full Name,Total Visits\n";
  for (int i = 0; text.size() < (size_t{17} << 20); ++i) {
    switch (g() % 8) {
      case 0: text += fmt::format("\"L{}\",\"a, b\",{}\r\n", i, g() % 9); break;
      case 1: text += fmt::format("L{},\"say \"\"hi\"\"\",{}\n", i, g() % 9); break;
      case 2: text += fmt::format("L{},{},{}\n", i, std::string(g() % 3000 == 0 ? 200 << 10 : g() % 90, 'n'), g() % 9); break;
      default: text += fmt::format("L{},name {},{}\n", i, i, g() % 9);
    }
    if (i == 30000 || i == 60000) text += fmt::format("huge{},{},1\n", i, std::string(size_t{3} << 20, 'h'));
    // Rows of some 2.5 KiB: a batch of 1,024 spans a whole block, so that rows at a block's
    // start are still waiting to be decoded when the reader needs room after them.
    if (i >= 40000 && i < 44000) text += fmt::format("w{},{},2\n", i, std::string(2500 + g() % 100, 'w'));
  }
  Counts n = read_both_ways(text, *c.model, ',');
  CHECK(n.rows > 60000);
  CHECK(n.in_runs > 30000);
  io::ReaderOptions general{io::InputFormat::Csv, 0};
  general.one_pass = false;
  const test::Scored base = test::score_through_pipeline(c, text, general, 1, "in.csv");
  CHECK(base.stats.scored > 60000);
  for (int threads : {1, 2, 3}) {
    test::Scored s = test::score_through_pipeline(c, text, {io::InputFormat::Csv, 0}, threads, "in.csv");
    CHECK(s.rows == base.rows);
    CHECK(s.messages == base.messages);
  }
}

TEST_CASE("a row quoting whole values is kept whole for the one-pass split, others are not", "[io]") {
  // Which rows CsvParser::plain_line keeps whole (RawRecord::unsplit), checked 64 bytes at a
  // time as bit masks: quotes at the ends of a 64-byte word, a quoted value across one, and rows
  // it must leave to the general way. Each kept row must then split into the values the general
  // way reads.
  static auto c = test::compile(kModel);
  REQUIRE(c.ok());
  const std::string p62(62, 'p'), p63(63, 'p'), p64(64, 'p');
  struct Case {
    std::string row;
    bool whole;
    std::vector<std::string> cells;
  };
  const std::vector<Case> cases = {
      {"a,b,c", true, {"a", "b", "c"}},
      {"\"a\",\"\",c", true, {"a", "", "c"}},
      {"a," + p62 + "\"", false, {}},                          // a quote inside a plain value
      {"\"" + p62 + "\"", true, {p62, "", ""}},                // 64 bytes, its closing quote the word's last byte
      {"\"" + p62 + "\",x", true, {p62, "x", ""}},             // closing quote at byte 63, delimiter at 64
      {"\"" + p62 + "\"x,y", false, {}},                       // text after that closing quote, in the next word
      {"\"" + p62 + "\"\"z\",y", false, {}},                   // a doubled quote across the words
      {p63 + ",\"q\",y", true, {p63, "q", "y"}},                // delimiter at byte 63, opening quote at 64
      {"\"" + p64 + "," + p64 + "\",y", true, {p64 + "," + p64, "y", ""}},  // a delimiter inside quotes, past a word
      {"\"open," + p64, false, {}},                             // a quote never closed
      {"\"" + p64 + p64 + "\"", true, {p64 + p64, "", ""}},      // 130 bytes
      {"", true, {"", "", ""}},
  };
  for (const Case& k : cases) {
    INFO("row: " << k.row);
    std::istringstream in("id,Full Name,Total Visits\n" + k.row + "\n");
    std::string err;
    auto reader = io::open_reader(in, *c.model, io::ReaderOptions{io::InputFormat::Csv, 0}, err);
    REQUIRE(reader);
    io::RawRecord raw;
    bool got = reader->next_raw(raw);
    if (k.row.empty()) {  // a blank line is no record
      CHECK_FALSE(got);
      continue;
    }
    REQUIRE(got);
    CHECK(raw.unsplit == k.whole);
    if (!k.whole) continue;
    io::InputRecord rec;
    reader->make_decoder()->decode(raw, rec);
    std::vector<io::InputRecord> general = read_all("id,Full Name,Total Visits\n" + k.row + "\n");
    REQUIRE(general.size() == 1);
    if (k.cells[0].empty()) continue;
    CHECK(rec.key == k.cells[0]);
    CHECK(rec.key == general[0].key);
    CHECK(rec.errors == general[0].errors);
  }
}

TEST_CASE("plain rows are handed over in runs, each row with its own line and number", "[io]") {
  // A run (RawRecord::rows) takes the plain lines after its first, LF or CRLF, up to the number
  // asked for; it stops before a blank line and before a row the reader splits itself (a doubled
  // quote), whose lines and record numbers go on from the run's.
  auto c = test::compile(kModel);
  REQUIRE(c.ok());
  const std::string text = "id,Full Name,Total Visits\na,x,1\r\nb,\"y, z\",2\r\nc,w,3\nc2,w,3\n\nd,v,4\ne,\"q\"\"q\",5\nf,u,6";
  for (size_t ask : {size_t{64}, size_t{3}}) {
    const Runs got = read_in_runs(text, *c.model, 0, [ask](size_t) { return ask; });
    std::vector<std::string> rows;
    for (const io::InputRecord& rec : got.records)
      rows.push_back(fmt::format("{}:{}:{}:{}", rec.number, rec.line, rec.key, fuzz::describe(rec).substr(fuzz::describe(rec).find(':') + 1)));
    // (The last row has no line end: the reader reads it on its own.)
    CHECK(fmt::format("{}", fmt::join(got.sizes, " ")) == (ask == 64 ? "4 1 1 1" : "3 1 1 1 1"));
    REQUIRE(rows.size() == 7);
    CHECK(rows[0] == "1:2:a: \"a\" \"x\" 2#1");
    CHECK(rows[1] == "2:3:b: \"b\" \"y, z\" 2#2");
    CHECK(rows[2] == "3:4:c: \"c\" \"w\" 2#3");
    CHECK(rows[3] == "4:5:c2: \"c2\" \"w\" 2#3");
    CHECK(rows[4] == "5:7:d: \"d\" \"v\" 2#4");
    CHECK(rows[5] == "6:8:e: \"e\" \"q\"q\" 2#5");
    CHECK(rows[6] == "7:9:f: \"f\" \"u\" 2#6");
  }
}
