// SPDX-License-Identifier: Apache-2.0
// The runtime helpers compiled scoring code calls (compiler/lower/abi.h). Each reuses the
// interpreter's own function for the same job, so both back ends compute identical results.
#include <re2/re2.h>

#include <algorithm>
#include <deque>
#include <string>

#include "common/model.h"
#include "compiler/lower/abi.h"
#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"
#include "runtime/interp/apply.h"
#include "runtime/interp/interp.h"
#include "runtime/native/scratch.h"

using rubric::check::Node;
using rubric::check::Value;

extern "C" {

void rb_window(const void* events, int64_t n, int64_t as_of, double window_seconds, int64_t* begin, int64_t* end) {
  using rubric::interp::Event;
  const Event* all = static_cast<const Event*>(events);
  const Event* e = std::upper_bound(all, all + n, as_of, [](int64_t t, const Event& x) { return t < x.time; });
  const Event* b = all;
  if (window_seconds >= 0) {
    double from = double(as_of) - window_seconds * double(rubric::check::kMsPerSecond);  // times are ms
    b = std::lower_bound(all, e, from, [](const Event& x, double f) { return double(x.time) < f; });
  }
  *begin = b - all;
  *end = e - all;
}

double rb_decay(const void* decay, int64_t age) {
  return rubric::interp::decay_factor(*static_cast<const rubric::check::Decay*>(decay), age);
}

int64_t rb_to_cents(double points) { return rubric::interp::to_cents(points); }

int64_t rb_str_ieq(const char* a, int64_t an, const char* b, int64_t bn) {
  return rubric::text::iequals(std::string_view(a, an), std::string_view(b, bn));
}

int64_t rb_text_op(int64_t op, const char* a, int64_t an, const char* b, int64_t bn) {
  std::string_view x(a, an), y(b, bn);
  switch (static_cast<RbTextOp>(op)) {
    case kRbContains: return rubric::builtins::contains_icase(x, y);
    case kRbStartsWith: return rubric::builtins::starts_with_icase(x, y);
    case kRbEndsWith: return rubric::builtins::ends_with_icase(x, y);
    case kRbContainsExact: return x.find(y) != std::string_view::npos;
    case kRbStartsWithExact: return x.starts_with(y);
    case kRbEndsWithExact: return x.ends_with(y);
  }
  return 0;
}

int64_t rb_contains_folded(const char* hay, int64_t n, const char* needle, int64_t len) {
  return rubric::builtins::contains_folded_ascii(std::string_view(hay, n), std::string_view(needle, len));
}

int64_t rb_in_strings(const void* node, const char* s, int64_t n) {
  return rubric::builtins::in_lower_set(static_cast<const Node*>(node)->string_set, std::string_view(s, n));
}

int64_t rb_in_pages(const void* node, const char* s, int64_t n) {
  const Node* x = static_cast<const Node*>(node);
  std::string_view v(s, n);
  return std::any_of(x->patterns.begin(), x->patterns.end(), [&](const std::string& p) {
    return rubric::builtins::glob_match(rubric::text::glob_parts(p), v, x->exact_case);
  });
}

int64_t rb_regex(const void* node, const char* s, int64_t n) {
  return RE2::PartialMatch(re2::StringPiece(s, n), *static_cast<const Node*>(node)->regex);
}

void rb_email_domain(const char* s, int64_t n, void* scratch, RbSlot* out) {
  std::string d = rubric::builtins::email_domain(std::string_view(s, n));
  *out = rubric::native::to_slot(d.empty() ? Value::missing() : Value::string(std::move(d)),
                              static_cast<rubric::native::Scratch*>(scratch));
}

void rb_call(int64_t builtin, const RbSlot* args, int64_t nargs, int64_t as_of, void* scratch, RbSlot* out) {
  Value vals[2];
  for (int64_t i = 0; i < nargs; ++i) {
    vals[i] = rubric::native::value_of_slot(args[i]);
    if (vals[i].is_missing()) {
      *out = RbSlot{0, 0, nullptr, 0, 0};
      return;
    }
  }
  Value r = rubric::builtins::registry().fns[builtin](vals, as_of);
  *out = rubric::native::to_slot(r, static_cast<rubric::native::Scratch*>(scratch));
}

void rb_host_call(const void* node, const RbSlot* args, int64_t nargs, void* scratch, RbSlot* out) try {
  // No exception may unwind into compiled code: anything that fails gives a missing value.
  *out = RbSlot{0, 0, nullptr, 0, 0};
  const Node* n = static_cast<const Node*>(node);
  Value vals[rubric::check::kMaxHostArgs];
  for (int64_t i = 0; i < nargs; ++i) {
    vals[i] = rubric::native::value_of_slot(args[i]);
    if (vals[i].is_missing()) {
      *out = RbSlot{0, 0, nullptr, 0, 0};
      return;
    }
  }
  Value r = rubric::interp::call_host(*n->host, vals, static_cast<size_t>(nargs));
  *out = rubric::native::to_slot(r, static_cast<rubric::native::Scratch*>(scratch));
} catch (...) {
  *out = RbSlot{0, 0, nullptr, 0, 0};
}
}
