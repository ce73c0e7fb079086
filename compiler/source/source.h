// SPDX-License-Identifier: Apache-2.0
// Source files and locations: a SourceRange is a byte span in one registered file, and the
// SourceManager turns it into file:line:col and the text of its line for diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rubric::source {

// A half-open byte span [begin, end) in file `file`. file 0 means "no location".
struct SourceRange {
  uint32_t file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != 0; }
};

struct LineCol {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters (UTF-8 code points)
};

// One file's text with its line starts. Immutable once added. A UTF-8 byte order mark at the
// start is dropped, so offsets and columns count from the first real character.
class SourceFile {
 public:
  SourceFile(std::string name, std::string text);
  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  LineCol line_col(uint32_t offset) const;
  // Where the last character of `r` is: an end column is this column + 1 (exclusive).
  LineCol last_char(SourceRange r) const;
  // The text of 1-based line `line`, without its line ending.
  std::string_view line_text(int line) const;
  int line_count() const { return static_cast<int>(line_starts_.size()); }

 private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

// Owns every file of one compilation. Ids start at 1. Not thread-safe while adding; read-only
// use afterwards is safe from any thread.
class SourceManager {
 public:
  uint32_t add(std::string name, std::string text);
  const SourceFile& file(uint32_t id) const { return *files_.at(id - 1); }
  std::string_view text(SourceRange r) const;
  size_t size() const { return files_.size(); }  // files 1..size()

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace rubric::source
