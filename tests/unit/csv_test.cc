// CSV input: RFC 4180 quoting, line endings, delimiters, header matching, bad rows.
#include <catch2/catch.hpp>

#include "runtime/io/decode.h"
#include "tests/unit/helpers.h"

using namespace rubric;

namespace {

const char* kModel =
    "lead:\n  id: string key\n  name: optional string from \"Full Name\"\n  visits: optional int from \"Total Visits\"\n"
    "score s:\n  visits > 1: +1\n";

std::vector<io::InputRecord> read_all(const std::string& csv, std::string* fatal = nullptr, char delim = 0) {
  static auto c = test::compile(kModel);
  REQUIRE(c.ok());
  std::istringstream in(csv);
  std::string err;
  io::ReaderOptions opts{io::InputFormat::Csv, delim};
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
  CHECK(rows[1].errors.at(0) == "field `visits` (column \"Total Visits\"): expected a number, found \"ten\"");
  CHECK(rows[2].ok());
  CHECK(rows[3].errors.at(0).find("never ends") != std::string::npos);
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
