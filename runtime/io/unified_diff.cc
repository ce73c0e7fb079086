// SPDX-License-Identifier: Apache-2.0
// Unified diffs: common head and tail trimmed, the middle matched by longest common subsequence
// (a model is a few hundred lines; past kMaxCells the middle is shown as replaced whole).
#include "runtime/io/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace rubric::io {

namespace {

constexpr size_t kMaxCells = 16u << 20;

struct Line {
  std::string_view text;  // without its `\n`
  bool newline;           // false only for a last line without one
  bool operator==(const Line& o) const { return text == o.text && newline == o.newline; }
};

std::vector<Line> split(std::string_view s) {
  std::vector<Line> out;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string_view::npos) {
      out.push_back({s.substr(at), false});
      break;
    }
    out.push_back({s.substr(at, nl - at), true});
    at = nl + 1;
  }
  return out;
}

enum class Edit { Keep, Remove, Add };
struct Step {
  Edit edit;
  size_t a, b;  // line indices in before and after
};

std::vector<Step> script(const std::vector<Line>& a, const std::vector<Line>& b) {
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::vector<Step> steps;
  for (size_t i = 0; i < head; ++i) steps.push_back({Edit::Keep, i, i});
  if ((n + 1) * (m + 1) > kMaxCells) {
    for (size_t i = 0; i < n; ++i) steps.push_back({Edit::Remove, head + i, head});
    for (size_t j = 0; j < m; ++j) steps.push_back({Edit::Add, head + n, head + j});
  } else {
    // lcs[i][j]: the longest common subsequence of the middles from line i of a and j of b on.
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        steps.push_back({Edit::Keep, head + i++, head + j++});
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        steps.push_back({Edit::Remove, head + i++, head + j});  // removals first, as diff -u shows them
      } else {
        steps.push_back({Edit::Add, head + i, head + j++});
      }
    }
  }
  for (size_t k = 0; k < tail; ++k) steps.push_back({Edit::Keep, head + n + k, head + m + k});
  return steps;
}

void put(std::string& out, char mark, const Line& l) {
  out += mark;
  out += l.text;
  out += '\n';
  if (!l.newline) out += "\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, std::string_view before_name,
                         std::string_view after_name, int context) {
  std::vector<Line> a = split(before), b = split(after);
  std::vector<Step> steps = script(a, b);
  std::string out;
  size_t ctx = static_cast<size_t>(std::max(0, context));
  for (size_t k = 0; k < steps.size();) {
    if (steps[k].edit == Edit::Keep) {
      ++k;
      continue;
    }
    // A hunk: from `ctx` kept lines before this change to `ctx` after the last change that is
    // no more than 2 * ctx kept lines from the one before it.
    size_t first = k >= ctx ? k - ctx : 0;
    size_t last = k;  // the last change of the hunk
    for (size_t x = k; x < steps.size(); ++x) {
      if (steps[x].edit != Edit::Keep) last = x;
      else if (x - last > 2 * ctx) break;
    }
    size_t end = std::min(steps.size(), last + 1 + ctx);
    size_t a_start = steps[first].a, b_start = steps[first].b, a_len = 0, b_len = 0;
    std::string body;
    for (size_t x = first; x < end; ++x) {
      const Step& s = steps[x];
      if (s.edit == Edit::Keep) put(body, ' ', a[s.a]), ++a_len, ++b_len;
      else if (s.edit == Edit::Remove) put(body, '-', a[s.a]), ++a_len;
      else put(body, '+', b[s.b]), ++b_len;
    }
    if (out.empty()) out += fmt::format("--- {}\n+++ {}\n", before_name, after_name);
    // diff -u numbers an empty side by the line before it.
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_len ? a_start + 1 : a_start, a_len, b_len ? b_start + 1 : b_start, b_len);
    out += body;
    k = end;
  }
  return out;
}

}  // namespace rubric::io
