// SPDX-License-Identifier: Apache-2.0
// The parse phase: source text → ast::Module plus syntax diagnostics in Rubric's words.
// The only entry point; ANTLR is an implementation detail of parse.cc.
#pragma once

#include <optional>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace rubric::parse {

struct ParseResult {
  ast::Module module;
  // Names of fields, constants and predicates whose declaration had a syntax error and was
  // dropped: the checker treats uses of them as already reported.
  std::vector<std::string> poisoned_names;
  diag::DiagnosticList diagnostics;
};

// Parses file `file` of `sm`. Never throws; a declaration with a syntax error is left out of the
// module and reported, the rest of the file is still parsed.
ParseResult parse(const source::SourceManager& sm, uint32_t file);

// `rubric fmt`: the text in Rubric's canonical layout. Only white space changes, comments are
// kept, and formatting formatted text changes nothing. Nothing when the text holds characters
// Rubric cannot read (the file is then left as it is).
std::optional<std::string> format_source(const std::string& text);

}  // namespace rubric::parse
