// SPDX-License-Identifier: Apache-2.0
// `rubric test`: runs the test cases written beside a model's rules and says which fail and why.
#pragma once

#include <memory>
#include <string>

#include "common/model.h"

namespace rubric::io {

struct TestReport {
  int passed = 0;
  int failed = 0;
  std::string text;   // a line per test, with expected and actual values for failures
  std::string junit;  // one <testsuite> element for the model
};

// Scores each test's lead with the reference interpreter at the test's `as of` time and
// compares every expectation. `file` names the model in the report.
TestReport run_tests(std::shared_ptr<const check::CheckedModel> model, const std::string& file);

}  // namespace rubric::io
