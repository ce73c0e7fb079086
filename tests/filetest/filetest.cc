// SPDX-License-Identifier: Apache-2.0
// Golden-file test runner (after Carbon's file_test and Wren's `// expect:`). Each .rubric file
// holds its own expectations as comments at its end:
//   // CHECK:STDERR: <a line of the diagnostics>
//   // AS-OF: 2026-11-01            (scoring tests)
//   // INPUT: {"id": "a", ...}      (one JSON lead per line)
//   // EXPECT: <the CSV output row for that lead, with --explain>
// A `fail_` file must be rejected; any other must check clean. Files in a `lint` folder also
// show the lints' findings. `--update` rewrites the CHECK:STDERR and EXPECT lines from what
// Rubric does now.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/driver/driver.h"
#include "compiler/lint/lint.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/time.h"
#include "runtime/jit/jit.h"

namespace {

const std::string kCheck = "// CHECK:STDERR:";
const std::string kExpect = "// EXPECT:";
const std::string kInput = "// INPUT:";
const std::string kAsOf = "// AS-OF:";

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string after(const std::string& line, const std::string& prefix) {
  std::string rest = line.substr(prefix.size());
  return !rest.empty() && rest[0] == ' ' ? rest.substr(1) : rest;
}

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// What Rubric does with the file now, as expectation lines.
std::vector<std::string> actual_lines(const std::string& name, const std::string& text, bool lint, std::string& problem) {
  std::vector<std::string> out;
  rubric::driver::Compilation c = rubric::driver::compile_source(name, text);
  rubric::diag::DiagnosticList found = c.diagnostics;
  if (lint && c.ok()) found.append(rubric::lint::lint(c.module, *c.model, *c.sources));
  for (const std::string& l : split_lines(rubric::diag::render_text(found, *c.sources, false)))
    out.push_back(kCheck + (l.empty() ? "" : " " + l));
  bool fail = starts(name, "fail_");
  if (fail && c.ok()) problem = "a fail_ file must be rejected, and it checked clean";
  if (!fail && !c.ok()) problem = "this file must check clean (name it fail_... if it should not)";
  if (!c.ok()) return out;
  std::string inputs;
  std::string as_of = "2026-11-01T00:00:00Z";
  for (const std::string& l : split_lines(text)) {
    if (starts(l, kInput)) inputs += after(l, kInput) + "\n";
    if (starts(l, kAsOf)) as_of = after(l, kAsOf);
  }
  if (inputs.empty()) return out;
  auto t = rubric::io::parse_time(as_of);
  if (!t) {
    problem = "the AS-OF line is not a time";
    return out;
  }
  // Every scoring test runs on every back end, and they must agree to the byte.
  auto run = [&](const rubric::interp::Scorer& scorer) {
    std::istringstream in(inputs);
    std::ostringstream rows, errors;
    std::string fatal;
    auto reader = rubric::io::open_reader(in, *c.model, {}, fatal);
    rubric::io::WriterOptions wopts;
    wopts.explain = true;
    rubric::io::ResultWriter writer(rows, *c.model, wopts);
    rubric::io::RunOptions opts;
    opts.as_of = *t;
    opts.explain = true;
    opts.input_name = "input";
    rubric::io::run_scoring(*reader, scorer, writer, opts, errors);
    return rows.str();
  };
  std::string interp_rows = run(rubric::interp::Interpreter(c.model));
  std::string error;
  auto jit = rubric::jit::JitModel::compile(c.model, &error);
  if (!jit) {
    problem = "the JIT failed: " + error;
    return out;
  }
  std::string jit_rows = run(*jit);
  std::string batch_rows = run(rubric::interp::BatchInterpreter(c.model));
  if (jit_rows != interp_rows) problem = "the JIT and the interpreter disagree:\n--- interp\n" + interp_rows + "--- jit\n" + jit_rows;
  if (batch_rows != interp_rows)
    problem = "the batch interpreter and the interpreter disagree:\n--- interp\n" + interp_rows + "--- batch\n" + batch_rows;
  std::vector<std::string> lines = split_lines(interp_rows);
  for (size_t i = 1; i < lines.size(); ++i) out.push_back(kExpect + " " + lines[i]);
  return out;
}

bool run(const std::filesystem::path& path, bool update) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  std::vector<std::string> expected, kept;
  for (const std::string& l : split_lines(text)) {
    if (starts(l, kCheck) || starts(l, kExpect)) expected.push_back(l);
    else kept.push_back(l);
  }
  std::string problem;
  // Files under a `lint` folder also get the lints' findings.
  bool lint = path.parent_path().filename() == "lint";
  std::vector<std::string> actual = actual_lines(path.filename().string(), text, lint, problem);
  if (update) {
    while (!kept.empty() && kept.back().empty()) kept.pop_back();
    std::ofstream o(path, std::ios::binary);
    for (const auto& l : kept) o << l << "\n";
    if (!actual.empty()) o << "\n";
    for (const auto& l : actual) o << l << "\n";
  }
  if (!problem.empty()) {
    std::cout << fmt::format("FAIL {}: {}\n", path.string(), problem);
    return false;
  }
  if (!update && actual != expected) {
    std::cout << fmt::format("FAIL {}: the output differs from the expectations\n", path.string());
    size_t n = std::max(actual.size(), expected.size());
    for (size_t i = 0; i < n; ++i) {
      std::string a = i < actual.size() ? actual[i] : "<none>";
      std::string e = i < expected.size() ? expected[i] : "<none>";
      if (a != e) std::cout << fmt::format("  expected: {}\n  actual:   {}\n", e, a);
    }
    std::cout << "  (run with --update to accept the new output)\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool update = false;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--update") update = true;
    else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.path().extension() == ".rubric") files.push_back(e.path());
    } else files.push_back(a);
  }
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0;
  for (const auto& f : files) (run(f, update) ? passed : failed)++;
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed);
  return failed ? 1 : 0;
}
