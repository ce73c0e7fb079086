// SPDX-License-Identifier: Apache-2.0
// RFC 4180 CSV: quoted fields with doubled quotes and line breaks, CRLF, LF or CR, a delimiter
// detected from the header, columns matched to fields by `from "Column"` or by field name. A
// stray quote costs one row, never the rows after it (see CsvParser::next).
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "compiler/diag/diagnostic.h"
#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/limits.h"
#include "runtime/io/reader.h"
#include "runtime/io/utf8.h"

namespace rubric::io {

namespace {

// How many values a row has for a header of `columns`: a trailing empty value after the last
// column (a delimiter at the end of the line) does not count.
template <typename Cells>
size_t row_width(const Cells& cells, size_t columns) {
  size_t n = cells.size();
  return n == columns + 1 && cells.back().empty() ? n - 1 : n;
}

#if defined(__SSE2__)
// Bit i: p[i] (of the 16 bytes from p) is x or y.
inline unsigned either16(const char* p, __m128i x, __m128i y) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, x), _mm_cmpeq_epi8(v, y))));
}
#endif

// The first of `b[from, n)` that is x or y, or n.
size_t find_either(const char* b, size_t from, size_t n, char x, char y) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i vx = _mm_set1_epi8(x), vy = _mm_set1_epi8(y);
  for (; i + 16 <= n; i += 16)
    if (unsigned m = either16(b + i, vx, vy)) return i + static_cast<size_t>(__builtin_ctz(m));
#endif
  for (; i < n; ++i)
    if (b[i] == x || b[i] == y) return i;
  return n;
}

// Bit i: byte i of the 64 from p is c.
inline uint64_t equal64(const char* p, char c) {
#if defined(__SSE2__)
  const __m128i v = _mm_set1_epi8(c);
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    m |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)))} << (16 * k);
  }
  return m;
#else
  uint64_t m = 0;
  for (int k = 0; k < 64; ++k) m |= uint64_t{p[k] == c} << k;
  return m;
#endif
}

// Bit i: the parity of the bits 0 to i of x.
inline uint64_t prefix_xor(uint64_t x) {
  for (int k = 1; k < 64; k *= 2) x ^= x << k;
  return x;
}

// Calls f(i, len, quotes, delims, inside) for each 64-byte word of the row b[0, n), in order,
// until f returns false (then so does this): the word starts at byte i and holds len bytes of
// the row; `quotes` and `delims` mask its quotes and delimiters (bits past the row's end clear),
// and bit k of `inside` says a quote is open after its byte k, by the parity of the quotes up
// to there (prefix_xor), carried from word to word. A word is read in place when 64 bytes can
// be read there (b[0, readable) holds bytes no thread writes meanwhile, past n too), else it is
// copied and padded.
template <typename F>
bool for_each_word(const char* b, size_t n, size_t readable, char delim, F f) {
  uint64_t open_at_start = 0;  // all ones when a quote is open where the word starts
  char tail[64];
  for (size_t i = 0; i < n; i += 64) {
    const size_t len = std::min<size_t>(64, n - i);
    const char* w = b + i;
    if (i + 64 > readable) {
      std::memcpy(tail, w, len);
      std::memset(tail + len, 0, 64 - len);
      w = tail;
    }
    const uint64_t valid = len == 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
    const uint64_t quotes = equal64(w, '"') & valid, delims = equal64(w, delim) & valid;
    const uint64_t inside = prefix_xor(quotes) ^ open_at_start;
    if (!f(i, len, quotes, delims, inside)) return false;
    open_at_start = inside >> 63 ? ~uint64_t{0} : 0;
  }
  return true;
}

// Whether the quotes of the row b[0, n), whose line end is at n, quote whole values: each
// opening one starts the row or follows a delimiter, each closing one is followed by a
// delimiter or the line end, and none is left open. `quotes` gets how many there are. The row
// is read 64 bytes at a time, as bit masks (for_each_word), so no quote costs a branch.
bool quotes_whole_values(const char* b, size_t n, size_t readable, char delim, size_t& quotes) {
  uint64_t after_delim = 1;  // bit 0: the byte before the word is a delimiter, or the row starts there
  uint64_t after_close = 0;  // bit 0: the byte before the word is a closing quote
  uint64_t open_at_end = 0;  // the last word ends inside quotes
  quotes = 0;
  return for_each_word(b, n, readable, delim, [&](size_t, size_t len, uint64_t q, uint64_t d, uint64_t inside) {
           const uint64_t opening = q & inside, closing = q & ~inside;
           if (opening & ~((d << 1) | after_delim)) return false;  // a quote inside a plain value
           const uint64_t line_end = len < 64 ? uint64_t{1} << len : 0;
           if (((closing << 1) | after_close) & ~(d | line_end)) return false;  // `""`, or text after a closing quote
           after_delim = d >> 63;
           after_close = closing >> 63;
           open_at_end = inside >> 63;
           quotes += static_cast<size_t>(std::popcount(q));
           return true;
         }) &&
         open_at_end == 0;  // (a closing quote that ends a full last word is followed by the line end)
}

// Whether the row b[0, n), holding `quotes` quotes, is a blank line (no record): nothing but
// spaces and tabs, with no delimiter and no quote.
inline bool blank_row(const char* b, size_t n, size_t quotes, char delim) {
  bool any = quotes > 0;
  for (size_t i = 0; i < n && !any; ++i) any = b[i] == delim || (b[i] != ' ' && b[i] != '\t');
  return !any;
}

// Splits a stream into CSV rows, keeping count of physical lines (LF, CRLF or CR). The buffer
// holds the current row from its first byte, so that a row can be read again; a row is never
// longer than kMaxRecordBytes.
class CsvParser {
 public:
  CsvParser(std::istream& in, bool simple_rows) : simple_rows_(simple_rows), in_(in) {}

  // Skips a UTF-8 byte order mark, which many tools write before the header.
  void skip_bom() {
    start_ = pos_;
    if (have(2) && buf_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) pos_ += 3;
  }

  // Skips lines of nothing but spaces and tabs (before the header).
  void skip_blank_lines() {
    while (true) {
      start_ = pos_;
      size_t k = 0;
      while (k < kMaxRecordBytes && have(k) && (buf_[pos_ + k] == ' ' || buf_[pos_ + k] == '\t')) ++k;
      if (!have(k)) {
        pos_ += k;
        return;
      }
      char c = buf_[pos_ + k];
      if (c != '\n' && c != '\r') return;
      pos_ += k + 1;
      if (c == '\r' && have(0) && buf_[pos_] == '\n') ++pos_;
      ++line_;
    }
  }

  // The delimiter among `,` `;` tab `|` that the header line (quotes aside) holds most of.
  char detect_delimiter() {
    start_ = pos_;
    int counts[4] = {};
    const char cands[4] = {',', ';', '\t', '|'};
    bool quoted = false;
    for (size_t k = 0; k < kMaxRecordBytes && have(k); ++k) {
      char c = buf_[pos_ + k];
      if (!quoted && (c == '\n' || c == '\r')) break;
      if (c == '"') quoted = !quoted;
      for (int d = 0; d < 4; ++d) counts[d] += !quoted && c == cands[d];
    }
    int best = 0;
    for (int d = 1; d < 4; ++d)
      if (counts[d] > counts[best]) best = d;
    return cands[best];
  }

  // Splits off the next row into out.cells (or, for a row plain_line takes, keeps it whole: see
  // there), out.line and out.error; false at the end of input.
  // `blank` is set for a line of nothing but spaces (and tabs, unless tab is the delimiter),
  // which is no record. After the header (`columns` > 0), a row whose quoted value runs past a
  // line end and then breaks the row (wrong number of values, a quote that never closes, text
  // after the closing quote, over a limit) was most likely cut open by a stray quote: its first
  // line becomes an error row of its own and the lines after it are read again as rows.
  bool next(char delim, size_t columns, RawRecord& out, bool& blank, size_t max_rows = 1) {
    // With several threads this record was last read on a worker: a field is written only when
    // it changes, so that a plain row (plain_line) writes one cache line of it, not four.
    if (!out.error.empty()) out.error.clear();
    if (!out.text.empty()) out.text.clear();
    blank = false;
    start_ = pos_;
    if (pos_ >= buf_.size()) out.block.reset();  // so that reading more may reuse the block it viewed
    if (!have(0)) {
      if (!out.cells.empty()) out.cells.clear();
      return false;
    }
    if (simple_rows_ && columns && plain_line(delim, out, blank)) {
      if (max_rows > 1 && !blank && out.block) more_plain_lines(delim, out, max_rows);
      return true;
    }
    if (out.rows != 1) out.rows = 1;
    out.unsplit = false;
    out.block.reset();
    out.view = {};
    const int64_t start_line = out.line = line_;
    // Values are written into the cells the last row left, reusing their buffers; `ncell` cells
    // are done, and out.cells[ncell] is the one being read.
    size_t ncell = 0;
    auto open_cell = [&]() -> std::string& {
      if (ncell == out.cells.size()) out.cells.push_back(std::move(spare_));
      if (out.cells[ncell].capacity() > kKeepBytes) std::string().swap(out.cells[ncell]);  // not a huge one's
      out.cells[ncell].clear();
      return out.cells[ncell];
    };
    std::string* field = &open_cell();
    // Appends to the value, which stops growing once over kMaxFieldBytes (the row is then an error).
    auto append = [&](const char* p, size_t n) {
      if (field->size() <= kMaxFieldBytes) field->append(p, std::min(n, kMaxFieldBytes + 1 - field->size()));
    };
    bool quoted = false, was_quoted = false, closed = false, any = false;
    size_t crossed = 0;   // the column whose quoted value ran past a line end, from 1
    size_t too_big = 0;   // the first column over kMaxFieldBytes, from 1
    std::string problem;  // the first thing wrong with the row's syntax
    auto end_field = [&] {
      if (field->size() > kMaxFieldBytes && !too_big) too_big = ncell + 1;
      ++ncell;
      field = &open_cell();
      quoted = was_quoted = closed = false;
    };
    auto finish = [&] {  // the cell opened after the last value is kept for the next row
      if (out.cells.size() > ncell) spare_.swap(out.cells[ncell]);
      out.cells.resize(ncell);
    };
    // The common row first: whole in the buffer, each value plain or quoted with no quote or
    // line end inside, every value within its limit. It is split in one pass; any other row is
    // read again below, byte by byte, which also says what is wrong with it.
    auto simple = [&]() -> bool {
      const char* p = buf_.data() + pos_;
      const char* e = buf_.data() + std::min(buf_.size(), start_ + kMaxRecordBytes);
      bool nonblank = false;
      while (true) {
        const char *v, *v_end;  // the value
        if (p < e && *p == '"') {
          v = ++p;
          while (p < e && *p != '"' && *p != '\n' && *p != '\r') ++p;
          if (p == e || *p != '"') return false;  // a line end inside the quotes, or the buffer's end
          v_end = p++;
          nonblank = true;
        } else {
          v = p;
          while (p < e && *p != delim && *p != '\n' && *p != '\r' && *p != '"') {
            nonblank |= *p != ' ' && *p != '\t';
            ++p;
          }
          v_end = p;
        }
        // Next: a delimiter or a line end (not a quote, which is written twice inside quotes,
        // or text after a closing quote), and for a CR, the byte after it to see whether an LF follows.
        if (p == e || (*p != delim && *p != '\n' && *p != '\r') || (*p == '\r' && p + 1 == e)) return false;
        if (static_cast<size_t>(v_end - v) > kMaxFieldBytes) return false;
        field->assign(v, static_cast<size_t>(v_end - v));
        ++ncell;
        if (*p == delim) {
          any = true;
          field = &open_cell();
          ++p;
          continue;
        }
        pos_ = static_cast<size_t>(p + 1 + (*p == '\r' && p[1] == '\n') - buf_.data());
        ++line_;
        finish();
        blank = !(any || nonblank);
        return true;
      }
    };
    if (simple_rows_ && simple()) return true;
    ncell = 0;  // read again, byte by byte
    any = false;
    field = &open_cell();
    while (true) {
      if (!have(0)) {
        // The input failed part way (damaged compressed data): the row read so far is cut, and
        // is no row at all; the caller reports the failure.
        if (failed_) return false;
        if (quoted) {
          if (crossed && columns) return recover(delim, out, start_line, crossed, true);
          problem = fmt::format("column {}: a quoted value that starts on line {} never ends", ncell + 1, start_line);
        }
        end_field();
        break;
      }
      if (pos_ - start_ >= kMaxRecordBytes) {
        if (crossed && columns) return recover(delim, out, start_line, crossed, false);
        skip_line();
        end_field();
        finish();
        out.error = fmt::format("the row is longer than the limit of {} ({} bytes) for one record; the rest of the line was skipped",
                                kMaxRecordText, kMaxRecordBytes);
        return true;
      }
      char c = buf_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (have(0) && buf_[pos_] == '"') {
            append("\"", 1);
            ++pos_;
          } else {
            quoted = false;
            closed = true;
          }
        } else {
          if (c == '\n' || c == '\r') {
            if (!crossed) crossed = ncell + 1;
            if (c == '\n' || !(have(0) && buf_[pos_] == '\n')) ++line_;
          }
          append(&c, 1);
        }
        continue;
      }
      if (c == delim) {
        any = true;
        end_field();
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\r' && have(0) && buf_[pos_] == '\n') ++pos_;
        ++line_;
        end_field();
        break;
      }
      if (closed) {
        if (c == ' ' || c == '\t') continue;  // spaces after a closing quote are dropped
        if (problem.empty())
          problem = fmt::format("column {}: text after the closing quote (a quote inside a quoted value is written twice: \"\")",
                                ncell + 1);
        closed = false;
      } else if (c == '"' && field->empty() && !was_quoted) {
        quoted = was_quoted = any = true;
        continue;
      }
      if (c != ' ' && c != '\t') any = true;
      append(&c, 1);
    }
    finish();
    if (columns && crossed && (row_width(out.cells, columns) != columns || !problem.empty() || too_big))
      return recover(delim, out, start_line, crossed, false);
    if (too_big)
      problem += fmt::format("{}column {}: the value is longer than the limit of {} ({} bytes) for one value", problem.empty() ? "" : "; ",
                             too_big, kMaxFieldText, kMaxFieldBytes);
    out.error = std::move(problem);
    blank = !any;
    return true;
  }

 private:
  // A data row that simple() would split, on one line ending in LF or CRLF: its values plain or
  // quoted with no quote or line end inside. Its bytes are kept whole (out.unsplit), as a view
  // into the block they lie in (a long row, or one in a block grown for a row longer than a
  // block, as a copy in out.text), and the decoder splits them at the delimiter, on a worker
  // with several threads, so that this thread only finds the line's end and checks where its
  // quotes are: each quote that opens a
  // value starts the line or follows a delimiter, and each that closes one is followed by a
  // delimiter or the line end. False, with nothing read, for any other row: next() reads it.
  bool plain_line(char delim, RawRecord& out, bool& blank) {
    // The line's end first: the first LF or CR (one inside quotes leaves a quote open below).
    size_t at = 0;
    for (size_t k = 0;; k = at) {
      size_t n = buf_.size() - pos_;
      at = find_either(buf_.data() + pos_, k, n, '\n', '\r');
      if (at > kMaxFieldBytes) return false;  // so that no value of such a row is over its limit
      if (at < n) break;
      out.block.reset();           // so that reading more may reuse the block it viewed
      if (!have(n)) return false;  // the last row, with no line end: next() reads it
    }
    size_t eol = 1;
    if (buf_[pos_ + at] == '\r') {
      if (pos_ + at + 1 >= buf_.size()) out.block.reset();
      if (!have(at + 1) || buf_[pos_ + at + 1] != '\n') return false;
      eol = 2;
    }
    // Then its quotes: one opening a value, one closing it, and none left open.
    const char* b = buf_.data() + pos_;
    size_t quotes = 0;
    if (!quotes_whole_values(b, at, buf_.size() - pos_, delim, quotes)) return false;
    if (at <= kLongRow && blocks_[cur_]->size() == kBlock) {
      out.view = std::string_view(b, at);
      out.after = static_cast<uint8_t>(std::min<size_t>(64, buf_.size() - pos_ - at));
      if (out.block != blocks_[cur_]) out.block = blocks_[cur_];  // usually the block of its last row
    } else {
      out.text.assign(b, at);
      out.block.reset();
      out.view = {};
    }
    if (!out.cells.empty()) out.cells.clear();
    if (!out.unsplit) out.unsplit = true;
    if (out.rows != 1) out.rows = 1;
    out.line = line_;
    blank = blank_row(b, at, quotes, delim);
    pos_ += at + eol;
    start_ = pos_;
    ++line_;
    return true;
  }

  // After plain_line took a row as a view, takes the plain lines that follow it into the same
  // record as a run (RawRecord::rows), up to `max_rows` (and 64) rows in all: lines whose end is
  // already in the buffer (nothing more is read, so they lie in the first one's block) and that
  // plain_line would take as views. It stops before any other line, a blank one say, which the
  // next call reads as usual.
  void more_plain_lines(char delim, RawRecord& out, size_t max_rows) {
    max_rows = std::min<size_t>(max_rows, 64);
    const char* first = out.view.data();
    uint32_t ends[64];
    ends[0] = static_cast<uint32_t>(out.view.size());
    uint64_t crlf = buf_.data() + pos_ - (first + ends[0]) == 2;
    size_t rows = 1;
    for (; rows < max_rows; ++rows) {
      const size_t n = buf_.size() - pos_, limit = std::min({n, kLongRow + 1, kMaxFieldBytes + 1});
      const size_t at = find_either(buf_.data() + pos_, 0, limit, '\n', '\r');
      if (at == limit) break;  // its end is not in the buffer yet, or it is too long to view
      size_t eol = 1;
      if (buf_[pos_ + at] == '\r') {
        if (at + 1 == n || buf_[pos_ + at + 1] != '\n') break;
        eol = 2;
      }
      const char* b = buf_.data() + pos_;
      size_t quotes = 0;
      if (!quotes_whole_values(b, at, n, delim, quotes)) break;
      if (blank_row(b, at, quotes, delim)) break;  // no record
      ends[rows] = static_cast<uint32_t>(b + at - first);  // (a block is a few MiB)
      crlf |= uint64_t{eol == 2} << rows;
      pos_ += at + eol;
      start_ = pos_;
      ++line_;
    }
    if (rows == 1) return;
    out.rows = static_cast<uint32_t>(rows);
    out.crlf = crlf;
    out.ends.assign(ends, ends + rows);
    out.view = std::string_view(first, ends[rows - 1]);
    out.after = static_cast<uint8_t>(std::min<size_t>(64, static_cast<size_t>(buf_.data() + buf_.size() - (first + ends[rows - 1]))));
  }

  // Reads the row that started at start_ again as its first line alone, quotes taken as plain
  // text, and makes it an error row; the next row starts on the line after it.
  bool recover(char delim, RawRecord& out, int64_t start_line, size_t column, bool never_ends) {
    pos_ = start_;
    line_ = start_line;
    out.cells.assign(1, std::string());
    while (have(0) && buf_[pos_] != '\n' && buf_[pos_] != '\r') {
      char c = buf_[pos_++];
      if (c == delim) out.cells.emplace_back();
      else out.cells.back() += c;
    }
    skip_line();
    out.line = start_line;
    out.error = fmt::format("column {}: {}; the lines after it are read as rows of their own", column,
                            never_ends ? "a quoted value that starts on this line never ends"
                                       : "a quoted value runs past the end of the line and breaks the row (a stray quote?)");
    return true;
  }

  // Skips to the start of the next line, keeping nothing.
  void skip_line() {
    while (have(0)) {
      char c = buf_[pos_++];
      start_ = pos_;
      if (c == '\n' || c == '\r') {
        if (c == '\r' && have(0) && buf_[pos_] == '\n') start_ = ++pos_;
        ++line_;
        return;
      }
    }
  }

  // Whether byte pos_ + k is in the buffer, reading more input (kChunk at a time) if needed.
  // When the block has no room for more, the current row's bytes so far (from start_) move to
  // the front of this block, if no record views it, or else of one no record holds any more.
  // A block grown for a row longer than a block is never viewed (plain_line copies rows in it)
  // and goes back to kBlock bytes once no longer needed, so that memory stays bounded by the
  // rows in flight. `use_count() == 1` says that no record views a block: only this thread
  // copies or drops a RawRecord's `block` (the pipeline's workers only read records).
  bool have(size_t k) {
    while (pos_ + k >= buf_.size()) {
      const size_t keep = buf_.size() - start_, need = keep + kChunk;
      if (buf_.size() + kChunk > blocks_[cur_]->size()) {
        size_t to = cur_;
        if (blocks_[cur_].use_count() > 1 || (blocks_[cur_]->size() > kBlock && need <= kBlock)) {
          to = blocks_.size();
          for (size_t i = 0; i < blocks_.size(); ++i) {
            if (i == cur_ || blocks_[i].use_count() > 1) continue;
            if (blocks_[i]->size() > kBlock) *blocks_[i] = Block(kBlock);  // a grown one, free
            if (to == blocks_.size()) to = i;
          }
          if (to == blocks_.size()) blocks_.push_back(std::make_shared<Block>(kBlock));
        }
        Block& into = *blocks_[to];
        into.grow(need);  // for a row longer than a block
        std::memmove(into.data(), blocks_[cur_]->data() + start_, keep);
        cur_ = to;
        pos_ -= start_;
        start_ = 0;
        buf_ = std::string_view(into.data(), keep);
      }
      Block& block = *blocks_[cur_];
      in_.read(block.data() + buf_.size(), static_cast<std::streamsize>(kChunk));
      const size_t got = static_cast<size_t>(in_.gcount());
      if (got == 0) {
        failed_ = in_.bad();
        return false;
      }
      buf_ = std::string_view(block.data(), buf_.size() + got);
    }
    return true;
  }

  static constexpr size_t kChunk = size_t{1} << 20;
  static constexpr size_t kBlock = 2 * kChunk;
  // Rows longer than this are copied: a view holds its whole block.
  static constexpr size_t kLongRow = kBlock / 16;
  bool failed_ = false;  // the input failed part way
  bool simple_rows_;     // rows are tried in one pass first (ReaderOptions::one_pass)
  std::istream& in_;
  // Blocks of input; plain rows are views into them (RawRecord::block), and a block is read
  // into again once no record holds it (with several threads, a few batches' worth are held).
  std::vector<std::shared_ptr<Block>> blocks_{std::make_shared<Block>(kBlock)};
  size_t cur_ = 0;         // the block being read
  std::string_view buf_;  // what was read into it: the current row from start_, and what follows
  size_t pos_ = 0;    // the next byte
  size_t start_ = 0;  // the current row's first byte
  int64_t line_ = 1;
  std::string spare_;  // a cell's buffer between rows (see next)
};

// Decodes one row's values into a record, given each lead field's column.
class CsvDecoder : public RawDecoder {
 public:
  CsvDecoder(const check::CheckedModel& m, std::vector<int> slots, size_t columns, char delim, bool strict, bool one_pass)
      : model_(m), decoder_(m), slots_(std::move(slots)), columns_(columns), delim_(delim), strict_(strict), plain_(one_pass) {}

  void decode_row(const RawRecord& raw, size_t row, InputRecord& out) override {
    // The row's values: split here from a plain line (CsvParser::plain_line), else as split.
    std::vector<std::string_view>& cells = cells_;
    cells.clear();
    if (raw.unsplit) {  // plain or quoted values, as CsvParser::plain_line checked them
      const std::string_view input = raw.row_input(row);
      const char* b = input.data();
      const size_t n = input.size();
      const size_t readable = raw.block ? raw.readable_from(b) : n;  // (never what the reading thread may be writing)
      // A value ends at each delimiter outside quotes, found 64 bytes at a time as in
      // quotes_whole_values; one that starts with a quote is quoted whole (plain_line saw to it).
      size_t from = 0;  // the value's first byte
      auto value = [&](size_t end) {
        cells.emplace_back(end > from && b[from] == '"' ? std::string_view(b + from + 1, end - from - 2)
                                                        : std::string_view(b + from, end - from));
        from = end + 1;
      };
      for_each_word(b, n, readable, delim_, [&](size_t i, size_t, uint64_t, uint64_t d, uint64_t inside) {
        for (uint64_t ends = d & ~inside; ends; ends &= ends - 1) value(i + static_cast<size_t>(std::countr_zero(ends)));
        return true;
      });
      value(n);
    } else {
      cells.assign(raw.cells.begin(), raw.cells.end());
    }
    out.reset(model_.lead.fields.size(), raw.line + static_cast<int64_t>(row), raw.number + static_cast<int64_t>(row),
              model_.key_field >= 0);
    if (model_.key_field >= 0 && slots_[model_.key_field] >= 0 && static_cast<size_t>(slots_[model_.key_field]) < cells.size())
      out.key = cells[slots_[model_.key_field]];
    if (!raw.error.empty()) {
      out.errors.push_back(raw.error);
      return;
    }
    size_t n = row_width(cells, columns_);
    if (n != columns_) {
      out.errors.push_back(fmt::format("the row has {} values and the header has {} columns", n, columns_));
      return;
    }
    for (size_t i = 0; i < model_.lead.fields.size(); ++i) {
      const check::Field& f = model_.lead.fields[i];
      if (slots_[i] < 0) continue;
      std::string why;
      std::string_view cell = cells[slots_[i]];
      if (f.raw) {  // passed through as written
        out.record.fields[i] = check::Value::string(std::string(cell));
        continue;
      }
      if (plain_ && decoder_.decode_plain(f, cell, out.record.fields[i])) continue;  // ASCII, so valid UTF-8; missing only if optional
      if (size_t bad = first_invalid_utf8(cell); bad != std::string::npos)
        out.errors.push_back(fmt::format("field `{}` (column {}): the text is not valid UTF-8 (byte 0x{:02X} at position {}); save the file as UTF-8",
                                         f.name, text::json_string(f.column), static_cast<unsigned char>(cell[bad]), bad + 1));
      else if (!decoder_.decode(f, cell, out.record.fields[i], why)) {
        // A value of the wrong form in an optional field is read as missing (the lead is still
        // scored); damaged text (a NUL byte, a value over the limit) never is.
        if (f.optional && !strict_ && value_is_text(cell)) {
          out.record.fields[i] = check::Value::missing();
          out.warnings.push_back(fmt::format("field `{}` (column {}): {}; read as missing", f.name, text::json_string(f.column), why));
        } else {
          out.errors.push_back(fmt::format("field `{}` (column {}): {}", f.name, text::json_string(f.column), why));
        }
      }
      else if (!f.optional && out.record.fields[i].is_missing())
        out.errors.push_back(fmt::format("field `{}` (column {}) is required and is missing", f.name, text::json_string(f.column)));
    }
  }

 private:
  const check::CheckedModel& model_;
  Decoder decoder_;
  std::vector<int> slots_;
  size_t columns_;
  char delim_;
  bool strict_;
  bool plain_;  // plain values through Decoder::decode_plain first (ReaderOptions::one_pass)
  std::vector<std::string_view> cells_;  // the row's values, reused
};

class CsvReader : public RecordReader {
 public:
  CsvReader(std::istream& in, const check::CheckedModel& m, bool strict, bool one_pass)
      : parser_(in, one_pass), model_(m), strict_(strict), one_pass_(one_pass) {}

  bool open(char delimiter, std::string& fatal) {
    parser_.skip_bom();
    parser_.skip_blank_lines();
    delim_ = delimiter ? delimiter : parser_.detect_delimiter();
    RawRecord header;
    bool blank;
    if (!parser_.next(delim_, 0, header, blank) || blank) {
      fatal = "the input is empty: expected a header line naming the columns";
      return false;
    }
    if (!header.error.empty()) {
      fatal = "the header line: " + header.error;
      return false;
    }
    columns_ = header.cells.size();
    while (columns_ > 0 && header.cells[columns_ - 1].empty()) --columns_;  // trailing delimiter
    std::vector<std::string> names(header.cells.begin(), header.cells.begin() + static_cast<long>(columns_));
    for (const check::Field& f : model_.lead.fields) {
      // Exact names first, then ignoring case; two columns that match equally well are ambiguous.
      std::vector<size_t> exact, loose;
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == f.column) exact.push_back(i);
        else if (text::iequals(names[i], f.column)) loose.push_back(i);
      }
      const std::vector<size_t>& match = exact.empty() ? loose : exact;
      if (match.size() > 1) {
        fatal = fmt::format("the header has {} columns for the field `{}`: {} (column {}) and {} (column {}){}; rename or remove all but one",
                            match.size(), f.name, text::json_string(names[match[0]]), match[0] + 1, text::json_string(names[match[1]]),
                            match[1] + 1, match.size() > 2 ? fmt::format(" and {} more", match.size() - 2) : "");
        return false;
      }
      if (exact.size() == 1 && !loose.empty())
        warnings_.push_back(fmt::format("the header has columns {} (column {}) and {} (column {}) for the field `{}`; the one "
                                        "named exactly {} is read", text::json_string(names[exact[0]]), exact[0] + 1,
                                        text::json_string(names[loose[0]]), loose[0] + 1, f.name, text::json_string(f.column)));
      int found = match.empty() ? -1 : static_cast<int>(match[0]);
      if (found < 0) {
        std::string best = diag::closest_name(f.column, names);
        std::string hint = best.empty() ? "" : fmt::format(" (did you mean {}?)", text::json_string(best));
        if (f.raw) {  // a column to pass through (--keep): a name mistyped would give an empty column
          fatal = fmt::format("the header has no column {} to keep (--keep){}", text::json_string(f.column), hint);
          return false;
        }
        if (!f.optional) {
          fatal = fmt::format("the header has no column {} for the required field `{}`{}", text::json_string(f.column), f.name, hint);
          return false;
        }
        warnings_.push_back(fmt::format("the header has no column {} for the optional field `{}`, so it is always missing{}",
                                        text::json_string(f.column), f.name, hint));
      }
      slots_.push_back(found);
    }
    return true;
  }

  bool next_run(RawRecord& out, size_t max_records) override {
    bool blank;
    do {
      if (!parser_.next(delim_, columns_ ? columns_ : 1, out, blank, max_records)) return false;
    } while (blank);  // a line of spaces is no record; a line holding `""` is one
    out.number = count_ + 1;
    count_ += out.rows;
    return true;
  }

  std::unique_ptr<RawDecoder> make_decoder() const override {
    return std::make_unique<CsvDecoder>(model_, slots_, columns_, delim_, strict_, one_pass_);
  }

  std::vector<std::string> warnings() const override { return warnings_; }

 private:
  CsvParser parser_;
  const check::CheckedModel& model_;
  char delim_ = ',';
  size_t columns_ = 0;
  std::vector<int> slots_;  // per lead field: its column, or -1
  std::vector<std::string> warnings_;
  int64_t count_ = 0;
  bool strict_;
  bool one_pass_;
};

}  // namespace

std::unique_ptr<RecordReader> open_csv_reader(std::istream& in, const check::CheckedModel& model, char delimiter, bool strict,
                                              bool one_pass, std::string& fatal) {
  auto r = std::make_unique<CsvReader>(in, model, strict, one_pass);
  if (!r->open(delimiter, fatal)) return nullptr;
  return r;
}

}  // namespace rubric::io
