// SPDX-License-Identifier: Apache-2.0
// Three-valued logic and the value semantics the executor (exec.cc) and the compiled code's
// helpers share. Kleene logic: a missing operand gives missing or unknown, and only true counts.
#pragma once

#include <cstdint>

#include "common/model.h"

namespace rubric::interp {

using check::Value;

enum class Tri : uint8_t { False, True, Unknown };

inline Tri tri(bool b) { return b ? Tri::True : Tri::False; }
inline Tri not3(Tri t) { return t == Tri::Unknown ? t : (t == Tri::True ? Tri::False : Tri::True); }
inline Tri and3(Tri a, Tri b) {
  if (a == Tri::False || b == Tri::False) return Tri::False;
  return a == Tri::True && b == Tri::True ? Tri::True : Tri::Unknown;
}
inline Tri or3(Tri a, Tri b) {
  if (a == Tri::True || b == Tri::True) return Tri::True;
  return a == Tri::False && b == Tri::False ? Tri::False : Tri::Unknown;
}
inline Value from_tri(Tri t) { return t == Tri::Unknown ? Value::missing() : Value::boolean(t == Tri::True); }

// Whole days in a span of `ms` milliseconds, rounded down (also for negative spans).
int64_t floor_days(int64_t ms);
// < 0, 0 or > 0; text ignores case, and booleans and enums compare only for equality.
int compare(const Value& a, const Value& b);

// Calls a host function with present arguments (`args` may be rewritten: ints become numbers
// where the function takes a number). The interpreters and the compiled code's helper share it.
Value call_host(const check::HostFunction& f, Value* args, size_t n);

}  // namespace rubric::interp
