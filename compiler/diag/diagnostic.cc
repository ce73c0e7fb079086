// SPDX-License-Identifier: Apache-2.0
// The diagnostic registry, DiagnosticList and the text/JSON renderers.
#include "compiler/diag/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "compiler/source/text.h"

namespace rubric::diag {

namespace {
const KindInfo kInfos[] = {
#define DIAG(id, sev, phase, name, summary) {#id, Severity::sev, #phase, #name, summary},
#include "compiler/diag/diagnostics.def"
#undef DIAG
};
}  // namespace

const KindInfo& info(Kind k) { return kInfos[static_cast<int>(k)]; }

const std::vector<Kind>& all_kinds() {
  static const std::vector<Kind> kinds = {
#define DIAG(id, sev, phase, name, summary) Kind::id,
#include "compiler/diag/diagnostics.def"
#undef DIAG
  };
  return kinds;
}

Diagnostic& DiagnosticList::add(Kind k, source::SourceRange r, std::string message) {
  items_.push_back({k, r, std::move(message), {}});
  return items_.back();
}

bool DiagnosticList::has_errors() const { return error_count() > 0; }

size_t DiagnosticList::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return info(d.kind).severity == Severity::Error; });
}

void DiagnosticList::append(const DiagnosticList& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void DiagnosticList::sort_by_location() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file != b.range.file) return a.range.file < b.range.file;
    return a.range.begin < b.range.begin;
  });
}

static std::string_view severity_word(Severity s) { return s == Severity::Error ? "error" : "warning"; }

// Source lines longer than this (in characters) are cut around the caret in text output.
constexpr int kMaxShownChars = 160;

std::string render_text(const Diagnostic& d, const source::SourceManager& sm, bool color) {
  const KindInfo& k = info(d.kind);
  const char* bold = color ? "\x1b[1m" : "";
  const char* red = color ? (k.severity == Severity::Error ? "\x1b[1;31m" : "\x1b[1;33m") : "";
  const char* blue = color ? "\x1b[1;34m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string out;
  if (!d.range.valid()) {
    out += fmt::format("{}{}[{}]{}: {}{}{}\n", red, severity_word(k.severity), k.id, reset, bold, d.message, reset);
  } else {
    const source::SourceFile& f = sm.file(d.range.file);
    source::LineCol lc = f.line_col(d.range.begin);
    out += fmt::format("{}{}:{}:{}: {}{}[{}]{}: {}{}\n", bold, f.name(), lc.line, lc.column, red,
                       severity_word(k.severity), k.id, reset, d.message, reset);
    std::string_view full = f.line_text(lc.line);
    std::string num = std::to_string(lc.line);
    std::string pad(num.size(), ' ');
    // The caret runs to the span's end, or to the end of the line for spans that continue.
    source::LineCol end = f.last_char(d.range);
    int line_chars = 0;
    for (unsigned char ch : full) line_chars += (ch & 0xC0) != 0x80;
    int last_col = end.line == lc.line ? end.column : line_chars;
    // A very long line is shown as a window around the caret, with `...` where it is cut.
    std::string shown(full);
    int first_char = 0;  // the first character shown, 0-based
    if (line_chars > kMaxShownChars) {
      first_char = std::max(0, std::min(lc.column - 1 - kMaxShownChars / 3, line_chars - kMaxShownChars));
      int last_char = std::min(line_chars, first_char + kMaxShownChars);
      auto byte_of = [&](int ch) {
        size_t i = 0;
        for (int c = 0; i < full.size(); ++i) {
          if ((static_cast<unsigned char>(full[i]) & 0xC0) == 0x80) continue;
          if (c++ == ch) break;
        }
        return i;
      };
      size_t b = byte_of(first_char), e = byte_of(last_char);
      shown = std::string(first_char > 0 ? "..." : "") + std::string(full.substr(b, e - b)) + (last_char < line_chars ? "..." : "");
      int shift = first_char - (first_char > 0 ? 3 : 0);
      lc.column -= shift;
      last_col = std::min(last_col, last_char) - shift;
    }
    std::string_view line = shown;
    out += fmt::format("{}  {} |{} {}\n", blue, num, reset, line);
    int width = std::max(1, last_col - lc.column + 1);
    std::string marks;
    int col = 1;
    for (size_t i = 0; i < line.size() && col < lc.column; ++i) {
      if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
      marks += line[i] == '\t' ? '\t' : ' ';
      ++col;
    }
    marks += '^';
    marks += std::string(width - 1, '~');
    out += fmt::format("{}  {} |{} {}{}{}\n", blue, pad, reset, red, marks, reset);
    for (const Note& n : d.notes)
      out += fmt::format("{}  {} = {}{}: {}\n", blue, pad, n.type == Note::Type::Help ? "help" : "note", reset, n.text);
    return out;
  }
  for (const Note& n : d.notes)
    out += fmt::format("{}  = {}{}: {}\n", blue, n.type == Note::Type::Help ? "help" : "note", reset, n.text);
  return out;
}

std::string render_text(const DiagnosticList& list, const source::SourceManager& sm, bool color, size_t max) {
  std::string out;
  size_t shown = 0, errors = 0, warnings = 0;
  for (const Diagnostic& d : list.items()) {
    if (max == 0 || shown < max) {
      out += render_text(d, sm, color);
      ++shown;
    } else if (info(d.kind).severity == Severity::Error) {
      ++errors;
    } else {
      ++warnings;
    }
  }
  if (errors + warnings > 0) {
    auto count = [](size_t n, const char* what) { return fmt::format("{} more {}{}", n, what, n == 1 ? "" : "s"); };
    std::string rest = errors && warnings ? count(errors, "error") + " and " + count(warnings, "warning")
                       : errors           ? count(errors, "error")
                                          : count(warnings, "warning");
    out += fmt::format("note: {} not shown (the first {} are; --max-errors 0 shows all)\n", rest, max);
  }
  return out;
}

std::string help_uri(Kind k, std::string_view docs_uri) {
  const KindInfo& i = info(k);
  // The anchor GitHub derives from the heading `## L0101 impossible_rule`: lower case, spaces as `-`.
  std::string anchor = text::to_lower(fmt::format("{}-{}", i.id, i.name));
  std::string_view page = i.phase == "lint" ? "lints.md" : "diagnostics.md";
  std::string base(docs_uri);
  if (!base.empty() && base.back() == '/') base.pop_back();
  return fmt::format("{}/{}#{}", base, page, anchor);
}

namespace {

// A file name as a URI reference: unreserved characters and `/` kept, everything else %-escaped.
std::string uri_of(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

struct Position {
  std::string file;
  source::LineCol begin, end;  // end.column is exclusive
  bool located = false;
};

Position position_of(const Diagnostic& d, const FileReport& r) {
  Position p;
  p.file = r.name;
  if (!d.range.valid()) return p;
  const source::SourceFile& f = r.sources->file(d.range.file);
  p.file = f.name();
  p.begin = f.line_col(d.range.begin);
  p.end = f.last_char(d.range);
  p.end.column += 1;
  p.located = true;
  return p;
}

}  // namespace

std::string render_json(const std::vector<FileReport>& files) {
  std::string out = "[";
  bool first = true;
  for (const FileReport& r : files) {
    for (const Diagnostic& d : r.list->items()) {
      const KindInfo& k = info(d.kind);
      out += first ? "\n  {" : ",\n  {";
      first = false;
      out += fmt::format("\"id\": \"{}\", \"severity\": \"{}\", \"name\": \"{}\"", k.id, severity_word(k.severity), k.name);
      Position p = position_of(d, r);
      if (!p.file.empty()) out += ", \"file\": " + text::json_string(p.file);
      if (p.located)
        out += fmt::format(", \"line\": {}, \"column\": {}, \"end_line\": {}, \"end_column\": {}", p.begin.line, p.begin.column,
                           p.end.line, p.end.column);
      out += ", \"message\": " + text::json_string(d.message) + ", \"notes\": [";
      for (size_t i = 0; i < d.notes.size(); ++i) {
        if (i) out += ", ";
        out += fmt::format("{{\"kind\": \"{}\", \"text\": {}}}", d.notes[i].type == Note::Type::Help ? "help" : "note",
                           text::json_string(d.notes[i].text));
      }
      out += "]}";
    }
  }
  out += first ? "]\n" : "\n]\n";
  return out;
}

std::string render_json(const DiagnosticList& list, const source::SourceManager& sm) {
  return render_json(std::vector<FileReport>{{&list, &sm, ""}});
}

std::string render_sarif(const std::vector<FileReport>& files, std::string_view version, std::string_view docs_uri) {
  // Every kind is a rule, so a rule's index never depends on what a run found.
  const std::vector<Kind>& kinds = all_kinds();
  std::string base(docs_uri);
  if (!base.empty() && base.back() == '/') base.pop_back();
  std::string out = "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n";
  out += "  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": \"rubric\", \"version\": " + text::json_string(version) +
         ", \"semanticVersion\": " + text::json_string(version) +
         ", \"informationUri\": " + text::json_string(base + "/diagnostics.md") + ", \"rules\": [";
  for (size_t i = 0; i < kinds.size(); ++i) {
    const KindInfo& k = info(kinds[i]);
    out += fmt::format("{}\n      {{\"id\": \"{}\", \"name\": \"{}\", \"shortDescription\": {{\"text\": {}}}, "
                       "\"helpUri\": {}, \"defaultConfiguration\": {{\"level\": \"{}\"}}}}",
                       i ? "," : "", k.id, k.name, text::json_string(k.summary), text::json_string(help_uri(kinds[i], base)),
                       severity_word(k.severity));
  }
  out += "]}},\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [";
  bool first = true;
  for (const FileReport& r : files) {
    for (const Diagnostic& d : r.list->items()) {
      const KindInfo& k = info(d.kind);
      size_t index = static_cast<size_t>(std::find(kinds.begin(), kinds.end(), d.kind) - kinds.begin());
      std::string message = d.message;
      for (const Note& n : d.notes) message += (n.type == Note::Type::Help ? "; help: " : "; note: ") + n.text;
      out += first ? "\n      {" : ",\n      {";
      first = false;
      out += fmt::format("\"ruleId\": \"{}\", \"ruleIndex\": {}, \"level\": \"{}\", \"message\": {{\"text\": {}}}", k.id, index,
                         severity_word(k.severity), text::json_string(message));
      // Code scanning needs a location on every result: one without a position points at line 1.
      Position p = position_of(d, r);
      if (!p.located) p.begin = p.end = {1, 1};
      std::string region = p.located ? fmt::format("\"startLine\": {}, \"startColumn\": {}, \"endLine\": {}, \"endColumn\": {}",
                                                   p.begin.line, p.begin.column, p.end.line, p.end.column)
                                     : std::string("\"startLine\": 1");
      if (!p.file.empty())
        out += fmt::format(", \"locations\": [{{\"physicalLocation\": {{\"artifactLocation\": {{\"uri\": {}}}, \"region\": {{{}}}}}}}]",
                           text::json_string(uri_of(p.file)), region);
      out += "}";
    }
  }
  out += first ? "]\n  }]\n}\n" : "\n    ]\n  }]\n}\n";
  return out;
}

std::string render_sarif(const DiagnosticList& list, const source::SourceManager& sm, std::string_view version,
                         std::string_view docs_uri) {
  return render_sarif(std::vector<FileReport>{{&list, &sm, ""}}, version, docs_uri);
}

std::string render_github(const DiagnosticList& list, const source::SourceManager& sm) {
  // Workflow commands escape %, CR and LF in the message, and also , and : in properties.
  auto escape = [](std::string_view s, bool property) {
    std::string out;
    for (char c : s) {
      if (c == '%') out += "%25";
      else if (c == '\r') out += "%0D";
      else if (c == '\n') out += "%0A";
      else if (property && c == ':') out += "%3A";
      else if (property && c == ',') out += "%2C";
      else out += c;
    }
    return out;
  };
  std::string out;
  for (const Diagnostic& d : list.items()) {
    const KindInfo& k = info(d.kind);
    std::string message = d.message;
    for (const Note& n : d.notes) message += (n.type == Note::Type::Help ? "\nhelp: " : "\nnote: ") + n.text;
    out += fmt::format("::{} ", severity_word(k.severity));
    if (d.range.valid()) {
      const source::SourceFile& f = sm.file(d.range.file);
      source::LineCol b = f.line_col(d.range.begin), e = f.last_char(d.range);
      out += fmt::format("file={},line={},col={},endLine={},endColumn={},", escape(f.name(), true), b.line, b.column, e.line,
                         e.column + 1);
    }
    out += fmt::format("title={}::{}\n", escape(fmt::format("{} {}", k.id, k.name), true), escape(message, false));
  }
  return out;
}

// Edits from `a` to `b`, ignoring case: inserting, deleting or changing a character, or swapping
// two neighbours (`socre` is one edit from `score`), the commonest typing slip.
static size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
  // Three rows of the table: the one before the previous is needed for a swap.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_name(std::string_view wrong, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(1, wrong.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(wrong, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace rubric::diag
