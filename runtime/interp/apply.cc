// SPDX-License-Identifier: Apache-2.0
// What the executor and the compiled code's helpers share: days, comparison, host calls.
#include "runtime/interp/apply.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::interp {

using check::TypeKind;

int64_t floor_days(int64_t ms) {
  constexpr int64_t day = check::kMsPerDay;
  return ms >= 0 ? ms / day : -((-ms + day - 1) / day);
}

int compare(const Value& a, const Value& b) {
  switch (a.kind) {
    case Value::Kind::String: return text::iequals(a.s, b.s) ? 0 : 1;
    case Value::Kind::Bool: return a.b == b.b ? 0 : 1;
    case Value::Kind::Enum: return a.i == b.i ? 0 : 1;
    case Value::Kind::Missing:  // callers test for missing first
    case Value::Kind::Int:
    case Value::Kind::Number:
    case Value::Kind::Time:
    case Value::Kind::Duration: break;
  }
  double x = a.as_double(), y = b.as_double();
  return x < y ? -1 : x > y ? 1 : 0;
}

Value call_host(const check::HostFunction& f, Value* args, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (f.args[i] == TypeKind::Number && args[i].kind == Value::Kind::Int) args[i] = Value::number(double(args[i].i));
  try {
    return f.fn(args, n);
  } catch (...) {  // the program's function failed: its answer is missing
    return Value::missing();
  }
}

}  // namespace rubric::interp
