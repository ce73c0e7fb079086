// SPDX-License-Identifier: Apache-2.0
// Math built-ins: abs, round (half away from zero), floor, ceil, min, max, log (natural).
#include <cmath>

#include "runtime/builtins/builtins.h"

namespace rubric::builtins {

static Value num(double d) { return std::isfinite(d) ? Value::number(d) : Value::missing(); }
static Value abs_(const Value* a, int64_t) { return num(std::fabs(a[0].as_double())); }
static Value round_(const Value* a, int64_t) { return num(std::round(a[0].as_double())); }
static Value floor_(const Value* a, int64_t) { return num(std::floor(a[0].as_double())); }
static Value ceil_(const Value* a, int64_t) { return num(std::ceil(a[0].as_double())); }
static Value min_(const Value* a, int64_t) { return num(std::min(a[0].as_double(), a[1].as_double())); }
static Value max_(const Value* a, int64_t) { return num(std::max(a[0].as_double(), a[1].as_double())); }
// log of zero or a negative number has no value: missing, like division by zero.
static Value log_(const Value* a, int64_t) { return a[0].as_double() > 0 ? num(std::log(a[0].as_double())) : Value::missing(); }

void register_math(Registry& r) {
  using B = check::Builtin;
  r.fns[static_cast<int>(B::Abs)] = abs_;
  r.fns[static_cast<int>(B::Round)] = round_;
  r.fns[static_cast<int>(B::Floor)] = floor_;
  r.fns[static_cast<int>(B::Ceil)] = ceil_;
  r.fns[static_cast<int>(B::Min)] = min_;
  r.fns[static_cast<int>(B::Max)] = max_;
  r.fns[static_cast<int>(B::Log)] = log_;
}

}  // namespace rubric::builtins
