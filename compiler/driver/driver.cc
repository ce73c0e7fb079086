// SPDX-License-Identifier: Apache-2.0
// Runs parse and check over a model and the embedded standard library.
#include "compiler/driver/driver.h"

#include <fstream>
#include <sstream>

#include "compiler/check/check.h"
#include "compiler/parse/parse.h"

namespace rubric::driver {

namespace {
constexpr char kPrelude[] = {
#include "prelude.inc"
    0};
}  // namespace

std::string_view prelude_text() { return std::string_view(kPrelude, sizeof(kPrelude) - 1); }

Compilation compile_source(std::string name, std::string text, std::shared_ptr<const check::HostFunctions> host_functions) {
  Compilation c;
  c.sources = std::make_shared<source::SourceManager>();
  uint32_t file = c.sources->add(std::move(name), std::move(text));
  uint32_t lib = c.sources->add("<stdlib>/prelude.rubric", std::string(prelude_text()));
  parse::ParseResult user = parse::parse(*c.sources, file);
  parse::ParseResult prelude = parse::parse(*c.sources, lib);
  c.diagnostics.append(prelude.diagnostics);  // empty unless the stdlib itself is broken
  c.diagnostics.append(user.diagnostics);
  check::CheckInput in;
  in.model = &user.module;
  in.libraries = {&prelude.module};
  in.poisoned_names = user.poisoned_names;
  in.syntax_errors = user.diagnostics.has_errors();
  in.sources = c.sources.get();
  in.host_functions = std::move(host_functions);
  check::CheckResult checked = check::check(in);
  c.diagnostics.append(checked.diagnostics);
  c.diagnostics.sort_by_location();
  if (!c.diagnostics.has_errors()) c.model = std::move(checked.model);
  c.module = std::move(user.module);
  return c;
}

Compilation compile_file(const std::string& path, std::string* error,
                         std::shared_ptr<const check::HostFunctions> host_functions) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (error) error->clear();
  return compile_source(path, ss.str(), std::move(host_functions));
}

}  // namespace rubric::driver
