// SPDX-License-Identifier: Apache-2.0
// The model objects compiled code reaches through RbCall::refs, in index order: nodes with a
// regex, a string set or page globs, and calls of host functions (in node order), then each
// score's decay settings.
// Header-only and free of LLVM: the JIT and the ahead-of-time loader both build this table.
#pragma once

#include <vector>

#include "common/model.h"

namespace rubric::lower {

inline std::vector<const void*> referenced_objects(const check::CheckedModel& m) {
  std::vector<const void*> refs;
  for (const check::Node& n : m.nodes)
    if (n.op == check::Op::Matches || n.op == check::Op::InPages || (n.op == check::Op::Call && n.host) ||
        (n.op == check::Op::InSet && !n.kids.empty() && n.kids[0]->type.is(check::TypeKind::String)))
      refs.push_back(&n);
  for (const check::Score& s : m.scores) refs.push_back(&s.decay);
  return refs;
}

}  // namespace rubric::lower
