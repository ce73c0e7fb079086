// SPDX-License-Identifier: Apache-2.0
// The lint phase: warnings for models that compile but probably do not say what was meant
// (diagnostics L01xx in compiler/diag/diagnostics.def, documented in docs/lints.md).
#pragma once

#include "compiler/ast/ast.h"
#include "common/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace rubric::lint {

// The findings for a model that checked clean, minus those silenced on their line with
// `# lint:ignore ID` (or the lint's name). `module` is the user's file as parsed.
diag::DiagnosticList lint(const ast::Module& module, const check::CheckedModel& model, const source::SourceManager& sm);

}  // namespace rubric::lint
