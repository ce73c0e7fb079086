// SPDX-License-Identifier: Apache-2.0
// Scalar semantics of every operation that depends only on its operands' values.
#include "runtime/interp/apply.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::interp {

using check::Node;
using check::Op;
using check::TypeKind;

int64_t floor_days(int64_t secs) { return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400); }

int compare(const Value& a, const Value& b) {
  switch (a.kind) {
    case Value::Kind::String: return text::iequals(a.s, b.s) ? 0 : 1;
    case Value::Kind::Bool: return a.b == b.b ? 0 : 1;
    case Value::Kind::Enum: return a.i == b.i ? 0 : 1;
    default: {
      double x = a.as_double(), y = b.as_double();
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

static Value arithmetic(const Node* n, const Value& a, const Value& b) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  if (n->type.is(TypeKind::Int)) {
    // A whole-number result that does not fit is missing, like division by zero.
    int64_t r = 0;
    bool overflow = n->op == Op::Add   ? __builtin_add_overflow(a.i, b.i, &r)
                    : n->op == Op::Sub ? __builtin_sub_overflow(a.i, b.i, &r)
                                       : __builtin_mul_overflow(a.i, b.i, &r);
    return overflow ? Value::missing() : Value::integer(r);
  }
  double x = a.as_double(), y = b.as_double(), r;
  switch (n->op) {
    case Op::Add: r = x + y; break;
    case Op::Sub: r = x - y; break;
    case Op::Mul: r = x * y; break;
    default:
      if (y == 0) return Value::missing();
      r = x / y;
  }
  if (!std::isfinite(r)) return Value::missing();
  return n->type.is(TypeKind::Duration) ? Value::duration(r) : Value::number(r);
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

bool is_value_op(Op op) {
  switch (op) {
    case Op::Neg:
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Call:
    case Op::EmailDomain:
    case Op::DaysSinceTime: return true;
    default: return false;
  }
}

bool is_test_op(Op op) {
  switch (op) {
    case Op::Compare:
    case Op::IsMissing:
    case Op::InSet:
    case Op::InPages:
    case Op::Between:
    case Op::Contains:
    case Op::StartsWith:
    case Op::EndsWith:
    case Op::Matches:
    case Op::TimeWithin:
    case Op::Truthy: return true;
    default: return false;
  }
}

Value apply_value(const Node* n, const Value* const* kids, int64_t as_of) {
  switch (n->op) {
    case Op::Neg: {
      Value a = *kids[0];
      if (a.is_missing()) return a;
      if (a.kind == Value::Kind::Int) {
        if (a.i == std::numeric_limits<int64_t>::min()) return Value::missing();  // does not fit, like overflow
        a.i = -a.i;
      } else {
        a.d = -a.d;
      }
      return a;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div: return arithmetic(n, *kids[0], *kids[1]);
    case Op::Call: {
      Value args[check::kMaxHostArgs];
      for (size_t i = 0; i < n->kids.size(); ++i) {
        if (kids[i]->is_missing()) return Value::missing();
        args[i] = *kids[i];
      }
      if (n->host) return call_host(*n->host, args, n->kids.size());
      return builtins::registry().fns[n->slot](args, as_of);
    }
    case Op::EmailDomain: {
      if (kids[0]->is_missing()) return Value::missing();
      std::string d = builtins::email_domain(kids[0]->s);
      return d.empty() ? Value::missing() : Value::string(std::move(d));
    }
    case Op::DaysSinceTime:
      if (kids[0]->is_missing()) return Value::missing();
      return Value::integer(floor_days(as_of - kids[0]->i));
    default: return Value::missing();
  }
}

Tri apply_test(const Node* n, const Value* const* kids, int64_t as_of) {
  switch (n->op) {
    case Op::Compare: {
      const Value &a = *kids[0], &b = *kids[1];
      if (a.is_missing() || b.is_missing()) return Tri::Unknown;
      int c = compare(a, b);
      switch (n->cmp) {
        case check::Cmp::Eq: return tri(c == 0);
        case check::Cmp::Ne: return tri(c != 0);
        case check::Cmp::Lt: return tri(c < 0);
        case check::Cmp::Le: return tri(c <= 0);
        case check::Cmp::Gt: return tri(c > 0);
        case check::Cmp::Ge: return tri(c >= 0);
      }
      return Tri::Unknown;
    }
    case Op::IsMissing: {
      bool missing = kids[0]->is_missing();
      return tri(n->negated ? !missing : missing);
    }
    case Op::InSet: {
      const Value& a = *kids[0];
      if (a.is_missing()) return Tri::Unknown;
      bool found = false;
      if (a.kind == Value::Kind::String) {
        found = builtins::in_lower_set(n->string_set, a.s);
      } else {
        for (const Value& v : n->set)
          if (compare(a, v) == 0) found = true;
      }
      return tri(found != n->negated);
    }
    case Op::InPages: {
      const Value& a = *kids[0];
      if (a.is_missing()) return Tri::Unknown;
      bool found = std::any_of(n->patterns.begin(), n->patterns.end(),
                               [&](const std::string& p) { return builtins::glob_match(p, a.s); });
      return tri(found != n->negated);
    }
    case Op::Between: {
      const Value &a = *kids[0], &lo = *kids[1], &hi = *kids[2];
      if (a.is_missing() || lo.is_missing() || hi.is_missing()) return Tri::Unknown;
      bool in = compare(lo, a) <= 0 && compare(a, hi) <= 0;
      return tri(in != n->negated);
    }
    case Op::Contains:
    case Op::StartsWith:
    case Op::EndsWith: {
      const Value &a = *kids[0], &b = *kids[1];
      if (a.is_missing() || b.is_missing()) return Tri::Unknown;
      if (n->op == Op::Contains) return tri(builtins::contains_icase(a.s, b.s));
      if (n->op == Op::StartsWith) return tri(builtins::starts_with_icase(a.s, b.s));
      return tri(builtins::ends_with_icase(a.s, b.s));
    }
    case Op::Matches:
      if (kids[0]->is_missing()) return Tri::Unknown;
      return tri(RE2::PartialMatch(kids[0]->s, *n->regex));
    case Op::TimeWithin: {
      const Value& t = *kids[0];
      if (t.is_missing()) return Tri::Unknown;
      return tri(double(t.i) >= double(as_of) - n->span_seconds && t.i <= as_of);
    }
    case Op::Truthy:
      if (kids[0]->is_missing()) return Tri::Unknown;
      return tri(kids[0]->b);
    default: return Tri::Unknown;
  }
}

}  // namespace rubric::interp
