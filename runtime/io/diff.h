// `rubric diff`: how a changed model would move real leads between tiers, before it is published.
#pragma once

#include <memory>
#include <string>

#include "compiler/check/model.h"
#include "runtime/io/reader.h"

namespace rubric::io {

struct DiffInput {
  std::shared_ptr<const check::CheckedModel> old_model, new_model;
  std::string input;       // the lead file both models score
  ReaderOptions reader;
  int64_t as_of = 0;
  std::string as_of_text;  // for the report
  size_t top = 10;         // how many of the largest total changes to list
};

// Scores every lead with both models and reports, for each tier set both have, a from/to table
// of tier moves, then the `top` largest total changes with the rules whose points changed.
// False (with `error`) when the input cannot be read.
bool diff_models(const DiffInput& d, std::string& report, std::string& error);

}  // namespace rubric::io
