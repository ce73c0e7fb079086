// SPDX-License-Identifier: Apache-2.0
// ISO 8601 parsing and formatting.
#include <catch2/catch.hpp>

#include "runtime/io/time.h"

using rubric::io::format_time;
using rubric::io::parse_time;

TEST_CASE("dates and times in the accepted forms", "[io]") {
  CHECK(parse_time("1970-01-01") == 0);
  CHECK(parse_time("2026-11-01") == 1793491200000);
  CHECK(parse_time("2026-11-01T00:00:00Z") == 1793491200000);
  CHECK(parse_time("2026-11-01 00:00:00") == 1793491200000);
  CHECK(parse_time("2026-11-01T02:00:00+02:00") == 1793491200000);
  CHECK(parse_time("2026-10-31T19:00:00-0500") == 1793491200000);
  CHECK(parse_time("2026-11-01T00:00:00.250Z") == 1793491200250);
  CHECK(parse_time("2026-11-01T00:00:00.5Z") == 1793491200500);
  CHECK(parse_time("2026-11-01T00:00") == 1793491200000);
  CHECK(parse_time("2024-02-29") == 1709164800000);
}

TEST_CASE("impossible or malformed times are rejected", "[io]") {
  CHECK_FALSE(parse_time("2025-02-29"));
  CHECK_FALSE(parse_time("2026-13-01"));
  CHECK_FALSE(parse_time("2026-11-01T25:00:00Z"));
  CHECK_FALSE(parse_time("01/11/2026"));
  CHECK_FALSE(parse_time("2026-11-01Tx"));
  CHECK_FALSE(parse_time("2026-11-01Z junk"));
  CHECK_FALSE(parse_time(""));
  // An offset's colon needs its minutes.
  CHECK_FALSE(parse_time("2026-11-01T09:30:00+05:"));
  CHECK_FALSE(parse_time("2026-11-01T09:30:00+05:3"));
  CHECK(parse_time("2026-11-01T09:30:00+05") == parse_time("2026-11-01T04:30:00Z"));
}

TEST_CASE("the fast forms of a time read as the general parser reads them", "[io]") {
  // Times with `Z`, a fraction of one to nine digits and an offset take the fast parser; the
  // same instant written in forms only the general parser reads must give the same milliseconds.
  CHECK(parse_time("2026-10-30T14:02:11Z") == parse_time("2026-10-30 14:02:11"));
  CHECK(parse_time("2026-10-30T14:02:11.250Z") == parse_time("2026-10-30T14:02:11,25z"));
  CHECK(parse_time("2026-10-30T14:02:11.5Z") == *parse_time("2026-10-30T14:02:11Z") + 500);
  CHECK(parse_time("2026-10-30T14:02:11.123456789Z") == *parse_time("2026-10-30T14:02:11Z") + 123);
  CHECK(parse_time("2026-10-30T16:02:11.250+02:00") == parse_time("2026-10-30T14:02:11.250Z"));
  CHECK(parse_time("2026-10-30T09:02:11-05:00") == parse_time("2026-10-30T09:02:11-0500"));
  CHECK(parse_time("1969-12-31T23:59:59.750Z") == -250);
  CHECK(parse_time("2026-10-30T14:02:11.Z") == std::nullopt);
  CHECK(parse_time("2026-10-30T14:02:11+24:00") == std::nullopt);
  CHECK(parse_time("2026-02-29T14:02:11Z") == std::nullopt);
}

TEST_CASE("formatting round-trips", "[io]") {
  CHECK(format_time(1793491200000) == "2026-11-01T00:00:00Z");
  CHECK(format_time(1793491200250) == "2026-11-01T00:00:00.250Z");
  CHECK(format_time(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_time(-1000) == "1969-12-31T23:59:59Z");
  CHECK(parse_time(format_time(1234567890)) == 1234567890);
  CHECK(parse_time(format_time(-1234567890123)) == -1234567890123);
}

TEST_CASE("lower-case t and z, short offsets, comma fractions, a zone after a date, leap seconds", "[io]") {
  CHECK(parse_time("2026-11-01t00:00:00z") == 1793491200000);
  CHECK(parse_time("2026-11-01T02:00:00+0200") == 1793491200000);
  CHECK(parse_time("2026-11-01T02:00:00+02") == 1793491200000);
  CHECK(parse_time("2026-11-01T00:00:00,999Z") == 1793491200999);  // kept to the millisecond
  CHECK(parse_time("2026-10-31T23:59:59.999999999Z") == 1793491199999);  // digits after the third dropped
  CHECK(parse_time("2026-11-01Z") == 1793491200000);
  CHECK(parse_time("2026-10-31T23:59:60Z") == 1793491200000);  // a leap second is the next second
  CHECK(parse_time(" 2026-11-01\t") == 1793491200000);
  CHECK_FALSE(parse_time("2026-11-01T00:00:00."));
  CHECK_FALSE(parse_time("2026-11-01T00:00:61Z"));
  CHECK_FALSE(parse_time("2026-11-01T00:00:00+2"));
  CHECK_FALSE(parse_time("2026-11-01T00:00:00+24:00"));
}
