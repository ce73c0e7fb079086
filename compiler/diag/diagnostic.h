// SPDX-License-Identifier: Apache-2.0
// Diagnostics: the registry of kinds (diagnostics.def), one reported Diagnostic, the list a phase
// returns, and renderers for terminals (file:line:col, source line, caret) and JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace rubric::diag {

enum class Kind {
#define DIAG(id, sev, phase, name, summary) id,
#include "compiler/diag/diagnostics.def"
#undef DIAG
};

enum class Severity { Error, Warning };

struct KindInfo {
  std::string_view id;       // "E0201"
  Severity severity;
  std::string_view phase;    // "names"
  std::string_view name;     // "unknown_name"
  std::string_view summary;  // one line for docs
};

const KindInfo& info(Kind k);
const std::vector<Kind>& all_kinds();

// A help or note line shown under the caret.
struct Note {
  enum class Type { Help, Note } type;
  std::string text;
};

struct Diagnostic {
  Kind kind;
  source::SourceRange range;
  std::string message;  // lower case, no trailing period, code in backticks
  std::vector<Note> notes;
};

// What a phase returns beside its result. Append-only; cheap to move.
class DiagnosticList {
 public:
  Diagnostic& add(Kind k, source::SourceRange r, std::string message);
  void help(std::string text) { items_.back().notes.push_back({Note::Type::Help, std::move(text)}); }
  void note(std::string text) { items_.back().notes.push_back({Note::Type::Note, std::move(text)}); }
  bool has_errors() const;
  size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const DiagnosticList& other);
  // Orders by file and position, keeping report order for ties.
  void sort_by_location();

 private:
  std::vector<Diagnostic> items_;
};

// `file:line:col: error[E0201]: message`, the line with a caret under the span, then notes.
std::string render_text(const Diagnostic& d, const source::SourceManager& sm, bool color = false);
// At most `max` diagnostics (0: all), then a line counting the errors and warnings left out.
std::string render_text(const DiagnosticList& list, const source::SourceManager& sm, bool color = false, size_t max = 0);
// One file's diagnostics with the sources they point into; `name` is the file reported for a
// diagnostic without a position. A run over several files renders a list of these as one document.
struct FileReport {
  const DiagnosticList* list;
  const source::SourceManager* sources;
  std::string name;
};

// One JSON array with an object per diagnostic: id, severity, name, file, line, column,
// end_line, end_column, message, notes (the schema is in docs/diagnostics.md).
std::string render_json(const std::vector<FileReport>& files);
std::string render_json(const DiagnosticList& list, const source::SourceManager& sm);

// SARIF 2.1.0 (what GitHub code scanning reads): one run of the tool `rubric` holding a rule
// for every kind of diagnostics.def (with its help_uri) and a result per diagnostic of every file.
std::string render_sarif(const std::vector<FileReport>& files, std::string_view version, std::string_view docs_uri);
std::string render_sarif(const DiagnosticList& list, const source::SourceManager& sm, std::string_view version,
                         std::string_view docs_uri);
// The documentation of kind `k` under `docs_uri`, the docs folder: lints.md#l0101-impossible_rule
// for lints, diagnostics.md#e0201-unknown_name for the rest (the anchors of their headings).
std::string help_uri(Kind k, std::string_view docs_uri);
// GitHub Actions workflow commands: `::warning file=F,line=L,col=C,...,title=ID name::message`.
std::string render_github(const DiagnosticList& list, const source::SourceManager& sm);

// The closest candidate within a small edit distance, or empty ("did you mean").
std::string closest_name(std::string_view wrong, const std::vector<std::string>& candidates);

}  // namespace rubric::diag
