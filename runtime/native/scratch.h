// SPDX-License-Identifier: Apache-2.0
// Space for strings that compiled code makes during one scoring call, and the conversions
// between a Value and the ABI's slot. Owned by the caller of the compiled function.
#pragma once

#include <deque>
#include <string>

#include "common/model.h"
#include "compiler/lower/abi.h"

namespace rubric::native {

class Scratch {
 public:
  const std::string& keep(std::string s) { return strings_.emplace_back(std::move(s)); }
  void clear() { strings_.clear(); }

 private:
  std::deque<std::string> strings_;
};

// A slot viewing `v`; strings are copied into `scratch` when given, else viewed in place.
// Inline: it runs for every field of every lead and event the compiled code scores.
inline RbSlot to_slot(const check::Value& v, Scratch* scratch) {
  using K = check::Value::Kind;
  RbSlot s{0, 0, nullptr, 0, 0};
  if (v.is_missing()) return s;
  s.present = 1 + static_cast<int64_t>(v.kind);
  switch (v.kind) {
    case K::Bool: s.i = v.b; break;
    case K::Int:
    case K::Time:
    case K::Enum: s.i = v.i; break;
    case K::Number:
    case K::Duration: s.d = v.d; break;
    case K::String: {
      const std::string& str = scratch ? scratch->keep(v.s) : v.s;
      s.s = str.data();
      s.n = static_cast<int64_t>(str.size());
      break;
    }
    case K::Missing: break;
  }
  return s;
}

// The Value a slot holds; strings are copied.
inline check::Value value_of_slot(const RbSlot& s) {
  using K = check::Value::Kind;
  check::Value v;
  if (!s.present) return v;
  v.kind = static_cast<K>(s.present - 1);
  switch (v.kind) {
    case K::Bool: v.b = s.i != 0; break;
    case K::Int:
    case K::Time:
    case K::Enum: v.i = s.i; break;
    case K::Number:
    case K::Duration: v.d = s.d; break;
    case K::String: v.s.assign(s.s, static_cast<size_t>(s.n)); break;
    case K::Missing: break;
  }
  return v;
}

}  // namespace rubric::native
