// SPDX-License-Identifier: Apache-2.0
// The front-end driver: file or text → parse (with the embedded standard library) → check.
// What the CLI and the embedding API call; each phase's output is kept for `--emit`.
#pragma once

#include <memory>
#include <string>

#include "compiler/ast/ast.h"
#include "common/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace rubric::driver {

struct Compilation {
  std::shared_ptr<source::SourceManager> sources;
  ast::Module module;                          // the user's file as parsed
  std::shared_ptr<const check::CheckedModel> model;  // null when there are errors
  diag::DiagnosticList diagnostics;            // parse and check, in file order
  bool ok() const { return model != nullptr; }
};

// Compiles model text named `name` (used in messages), with the embedding program's functions
// if any. Never throws.
Compilation compile_source(std::string name, std::string text,
                           std::shared_ptr<const check::HostFunctions> host_functions = nullptr);
// Reads and compiles a file; a file that cannot be read is reported as a diagnostic-free
// failure with `error` set.
Compilation compile_file(const std::string& path, std::string* error,
                         std::shared_ptr<const check::HostFunctions> host_functions = nullptr);

// The embedded standard library text (stdlib/prelude.rubric).
std::string_view prelude_text();

}  // namespace rubric::driver
