// SPDX-License-Identifier: Apache-2.0
// SourceFile line tables and SourceManager lookups.
#include "compiler/source/source.h"

#include <algorithm>

namespace rubric::source {

SourceFile::SourceFile(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  // A byte order mark is not part of the text: offsets and columns start after it.
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) text_.erase(0, 3);
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineCol SourceFile::line_col(uint32_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  int line = static_cast<int>(it - line_starts_.begin());
  // Columns count characters, not bytes, so carets line up under non-ASCII text.
  int column = 1;
  for (uint32_t i = line_starts_[line - 1]; i < offset && i < text_.size(); ++i)
    column += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
  return {line, column};
}

LineCol SourceFile::last_char(SourceRange r) const {
  uint32_t last = std::max(r.end, r.begin + 1) - 1;
  // Back to the first byte of the character, so that a character of several bytes counts once.
  while (last > r.begin && last < text_.size() && (static_cast<unsigned char>(text_[last]) & 0xC0) == 0x80) --last;
  return line_col(last);
}

std::string_view SourceFile::line_text(int line) const {
  if (line < 1 || line > line_count()) return {};
  uint32_t b = line_starts_[line - 1];
  uint32_t e = line < line_count() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  std::string_view s(text_.data() + b, e - b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

uint32_t SourceManager::add(std::string name, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(name), std::move(text)));
  return static_cast<uint32_t>(files_.size());
}

std::string_view SourceManager::text(SourceRange r) const {
  if (!r.valid()) return {};
  const std::string& t = file(r.file).text();
  return std::string_view(t).substr(r.begin, r.end - r.begin);
}

}  // namespace rubric::source
