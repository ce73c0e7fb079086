// SPDX-License-Identifier: Apache-2.0
// The check phase: ast::Module (the user's file and the standard library) → CheckedModel.
// Resolves names, types, units, enum values and regexes; reports every error it finds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "common/model.h"
#include "compiler/diag/diagnostic.h"

namespace rubric::check {

struct CheckInput {
  const ast::Module* model = nullptr;             // the user's file
  std::vector<const ast::Module*> libraries;      // stdlib: behaviours, checked only when used
  std::vector<std::string> poisoned_names;        // declarations dropped after syntax errors
  bool syntax_errors = false;                     // the parser reported errors: sections may be lost
  const source::SourceManager* sources = nullptr;
  std::shared_ptr<const HostFunctions> host_functions;  // the embedding program's; may be null
};

struct CheckResult {
  std::unique_ptr<CheckedModel> model;  // null when there are errors
  diag::DiagnosticList diagnostics;
};

CheckResult check(const CheckInput& input);

}  // namespace rubric::check
