// SPDX-License-Identifier: Apache-2.0
// ISO 8601 parsing and formatting with civil-date arithmetic (no time zone database needed).
#include "runtime/io/time.h"

#include <cstdio>

namespace rubric::io {

namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// Whether year `y`, month `mo`, day `d` is a date of the calendar.
bool real_date(int y, int mo, int d) { return mo >= 1 && mo <= 12 && d >= 1 && d <= kMonthDays[mo - 1] + (mo == 2 && leap(y)); }

// days_from_civil by table lookups for the years data mostly holds (1900-2199), without the
// general algorithm's divisions.
int64_t days_from_civil_table(int y, int m, int d) {
  constexpr int kFirst = 1900, kYears = 300;
  struct Table {
    int64_t year_start[kYears];
    int month_start[2][13];
  };
  static const Table t = [] {
    Table t{};
    for (int i = 0; i < kYears; ++i) t.year_start[i] = days_from_civil(kFirst + i, 1, 1);
    for (int l = 0; l < 2; ++l)
      for (int k = 1; k <= 12; ++k) t.month_start[l][k] = k == 1 ? 0 : t.month_start[l][k - 1] + kMonthDays[k - 2] + (l && k - 1 == 2);
    return t;
  }();
  if (y < kFirst || y >= kFirst + kYears) return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return t.year_start[y - kFirst] + t.month_start[leap(y)][m] + d - 1;
}

// The digits of a fraction of a second from s[at], kept to the millisecond (`5` is 500 ms;
// digits after the third are dropped): where they end, `at` when there are none.
size_t fraction_ms(std::string_view s, size_t at, int& ms) {
  size_t p = at;
  ms = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
    if (p - at < 3) ms = ms * 10 + (s[p] - '0');
    ++p;
  }
  for (size_t n = p - at; n < 3; ++n) ms *= 10;
  return p;
}

// An offset from UTC, `±hh:mm`, `±hhmm` or `±hh`, from s[at] to the end of `s`, in seconds;
// false for anything else (a colon needs its minutes: `+05:` is no offset).
bool parse_offset(std::string_view s, size_t at, int64_t& offset) {
  if (at >= s.size() || (s[at] != '+' && s[at] != '-')) return false;
  int oh, om = 0;
  if (!digits(s, at + 1, 2, oh)) return false;
  size_t q = at + 3;
  const bool colon = q < s.size() && s[q] == ':';
  if (colon) ++q;
  if ((colon || q < s.size()) && !digits(s, q, 2, om)) return false;
  if (q < s.size()) q += 2;
  if (q != s.size() || oh > 23 || om > 59) return false;
  offset = (s[at] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  return true;
}

// The forms event exports write most, `2026-10-30T14:02:11Z`, with a fraction of a second
// (`.250`) and an offset instead of `Z` (`+02:00`), read without the general parser's branches:
// the fourteen digits are checked at once. Anything else (or an impossible date) is left to it.
bool parse_time_fast(std::string_view s, int64_t& out) {
  const size_t n = s.size();
  if (n < 20) return false;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':') return false;
  static constexpr uint8_t kAt[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
  unsigned d[14];
  unsigned bad = 0;
  for (int k = 0; k < 14; ++k) {
    d[k] = static_cast<unsigned>(p[kAt[k]]) - '0';  // a byte below '0' wraps round to a large number
    bad |= d[k] > 9;
  }
  if (bad) return false;
  const int y = static_cast<int>(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]);
  const int mo = static_cast<int>(d[4] * 10 + d[5]), day = static_cast<int>(d[6] * 10 + d[7]);
  const int h = static_cast<int>(d[8] * 10 + d[9]), mi = static_cast<int>(d[10] * 10 + d[11]);
  const int sec = static_cast<int>(d[12] * 10 + d[13]);
  size_t i = 19;
  int ms = 0;
  if (p[i] == '.') {  // one or more digits
    i = fraction_ms(s, i + 1, ms);
    if (i == 20) return false;
  }
  int64_t offset = 0;
  if (!(i + 1 == n && p[i] == 'Z') && !parse_offset(s, i, offset)) return false;
  if (!real_date(y, mo, day) || h > 23 || mi > 59 || sec > 60) return false;
  out = (days_from_civil_table(y, mo, day) * 86400 + h * 3600 + mi * 60 + sec - offset) * 1000 + ms;
  return true;
}

}  // namespace

bool parse_time(std::string_view s, int64_t& out) {
  if (parse_time_fast(s, out)) return true;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d))
    return false;
  if (!real_date(y, mo, d)) return false;
  size_t p = 10;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    if (!digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, mi)) return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, sec)) return false;
      p += 3;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        size_t end = fraction_ms(s, p + 1, ms);
        if (end == p + 1) return false;
        p = end;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
  }
  int64_t offset = 0;
  if (p < s.size()) {
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
      ++p;
    } else if (parse_offset(s, p, offset)) {
      p = s.size();
    } else {
      return false;
    }
  }
  if (p != s.size()) return false;
  out = (days_from_civil_table(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset) * 1000 + ms;
  return true;
}

std::string format_time(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;  // rounded down
  int64_t frac = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                        static_cast<long long>(rem % 60));
  if (frac) n += std::snprintf(buf + n, sizeof buf - n, ".%03lld", static_cast<long long>(frac));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

}  // namespace rubric::io
