// SPDX-License-Identifier: Apache-2.0
// The hand-written reference for the kernel benchmark: examples/b2b/b2b.rubric as plain C++.
#pragma once

#include <memory>

#include "runtime/interp/interp.h"

namespace re2 {
class RE2;
}

namespace rubric::bench {

class ReferenceB2B {
 public:
  ReferenceB2B();
  ~ReferenceB2B();
  // Scores, total, disqualifier and tiers, exactly as the interpreter gives them (no hits).
  interp::Outcome score(const interp::Record& r, int64_t as_of) const;

 private:
  std::unique_ptr<re2::RE2> decision_maker_;
};

}  // namespace rubric::bench
