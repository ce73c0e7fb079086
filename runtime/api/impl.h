// SPDX-License-Identifier: Apache-2.0
// What a rubric::Model holds. include/rubric/rubric.hpp keeps it opaque; Rubric's own code built
// on the API reaches it through Model::impl() (the Python module's evaluate, which runs
// runtime/eval on the very model Python compiled, host functions included). Not a public header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/model.h"
#include "include/rubric/rubric.hpp"
#include "runtime/interp/interp.h"

namespace rubric {

struct Model::Impl {
  std::shared_ptr<const check::CheckedModel> model;
  std::shared_ptr<const interp::Scorer> scorer;  // a JIT scorer keeps its compiled code alive
  Backend backend = Backend::Auto;
  std::vector<std::string> score_names, tier_set_names;
  std::string key_field;
  std::string event_key_field;
};

}  // namespace rubric
