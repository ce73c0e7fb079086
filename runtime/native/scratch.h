// SPDX-License-Identifier: Apache-2.0
// Space for strings that compiled code makes during one scoring call, and the conversion of a
// Value into the ABI's slot. Owned by the caller of the compiled function.
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
RbSlot to_slot(const check::Value& v, Scratch* scratch);

}  // namespace rubric::native
