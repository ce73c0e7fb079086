// SPDX-License-Identifier: Apache-2.0
// Fuzz target: bytes as model text → parse and check (with the embedded standard library),
// every diagnostic rendering, lint, the --emit dumps, and fmt. Nothing may crash or hang, and
// fmt must keep its contract (compiler/parse/parse.h): formatting its own output changes
// nothing, only white space changes (and a leading byte order mark goes), and a model that
// compiled compiles to the same model.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/model.h"
#include "compiler/driver/driver.h"
#include "compiler/lint/lint.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/plan.h"
#include "tests/fuzz/fuzz.h"

namespace {

// The text without white space, nor the UTF-8 byte order mark fmt drops from the start.
std::string without_white_space(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rubric;
  std::string text(reinterpret_cast<const char*>(data), size);
  driver::Compilation c = driver::compile_source("fuzz.rubric", text);
  if (!c.sources) fuzz::finding("compile_source returned no source manager");
  (void)diag::render_text(c.diagnostics, *c.sources, true);
  (void)diag::render_json(c.diagnostics, *c.sources);
  (void)diag::render_sarif(c.diagnostics, *c.sources, "0.1.0", "https://example.invalid/lints");
  (void)diag::render_github(c.diagnostics, *c.sources);
  (void)ast::print(c.module);
  std::string checked;
  if (c.ok()) {
    diag::DiagnosticList lints = lint::lint(c.module, *c.model, *c.sources);
    (void)diag::render_text(lints, *c.sources, false);
    (void)diag::render_sarif(lints, *c.sources, "0.1.0", "https://example.invalid/lints");
    checked = check::print(*c.model);
    (void)plan::print(plan::build(*c.model), c.sources.get());  // every checked model has a plan
  }

  std::optional<std::string> formatted = parse::format_source(text);
  if (!formatted) return 0;
  std::optional<std::string> again = parse::format_source(*formatted);
  if (!again) fuzz::finding("fmt refuses the text it wrote:\n" + *formatted);
  if (*again != *formatted)
    fuzz::finding("fmt is not idempotent; format(x):\n" + *formatted + "\nformat(format(x)):\n" + *again);
  if (without_white_space(*formatted) != without_white_space(text))
    fuzz::finding("fmt changed more than white space:\n" + *formatted);
  if (c.ok()) {
    driver::Compilation f = driver::compile_source("formatted.rubric", *formatted);
    if (!f.ok())
      fuzz::finding("the formatted text of a model that compiles does not compile:\n" + *formatted + "\n" +
                    diag::render_text(f.diagnostics, *f.sources, false));
    if (check::print(*f.model) != checked) fuzz::finding("fmt changed what the model means:\n" + *formatted);
  }
  return 0;
}
