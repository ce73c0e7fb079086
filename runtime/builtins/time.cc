// SPDX-License-Identifier: Apache-2.0
// Time built-ins, relative to the scoring time (as-of) and in UTC: hours_since, day_of_week
// (1 = Monday ... 7 = Sunday), hour_of_day (0-23).
#include "runtime/builtins/builtins.h"

namespace rubric::builtins {

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Times are milliseconds (check::kMsPerSecond).
constexpr int64_t kMsPerHour = 3600 * check::kMsPerSecond;

static Value hours_since(const Value* a, int64_t as_of) { return Value::number(double(as_of - a[0].i) / double(kMsPerHour)); }
static Value day_of_week(const Value* a, int64_t) {
  // 1970-01-01 was a Thursday (4).
  int64_t days = floor_div(a[0].i, check::kMsPerDay);
  return Value::integer(((days + 3) % 7 + 7) % 7 + 1);
}
static Value hour_of_day(const Value* a, int64_t) {
  return Value::integer(((a[0].i % check::kMsPerDay) + check::kMsPerDay) % check::kMsPerDay / kMsPerHour);
}

void register_time(Registry& r) {
  using B = check::Builtin;
  r.fns[static_cast<int>(B::HoursSince)] = hours_since;
  r.fns[static_cast<int>(B::DayOfWeek)] = day_of_week;
  r.fns[static_cast<int>(B::HourOfDay)] = hour_of_day;
}

}  // namespace rubric::builtins
