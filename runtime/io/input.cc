// SPDX-License-Identifier: Apache-2.0
// Plain, gzip (zlib) and zstd (libzstd) input behind one std::streambuf.
#include "runtime/io/input.h"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "compiler/source/text.h"

namespace rubric::io {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::None: return "plain";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
  }
  return "plain";
}

namespace {
constexpr size_t kChunk = size_t{1} << 16;
constexpr size_t kHead = size_t{1} << 16;
}  // namespace

// Reads raw bytes from a FILE (a file, or standard input) and hands out decompressed ones. The
// first decompressed block is read at open() and kept, so the format can be guessed from it
// before any reader consumes it. A damaged stream throws from underflow(), which std::istream
// turns into badbit; error() keeps the reason.
class InputBuffer : public std::streambuf {
 public:
  ~InputBuffer() override {
    if (gzip_ready_) inflateEnd(&z_);
    if (zstd_) ZSTD_freeDStream(zstd_);
    if (file_ && file_ != stdin) std::fclose(file_);
  }

  bool open(const std::string& path, std::string& error) {
    std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) {
      error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
      return false;
    }
    return open(f, path == "-" ? "<stdin>" : path, error);
  }

  bool open(std::FILE* file, std::string name, std::string& error) {
    name_ = std::move(name);
    file_ = file;
    raw_.resize(kChunk);
    if (!fill_raw()) {
      error = error_;
      return false;
    }
    const auto* b = reinterpret_cast<const unsigned char*>(raw_.data() + raw_at_);
    size_t n = raw_end_ - raw_at_;
    if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B) {  // gzip
      kind_ = Compression::Gzip;
      std::memset(&z_, 0, sizeof z_);
      if (inflateInit2(&z_, 15 + 16) != Z_OK) {  // 16: gzip headers only
        error = "cannot start gzip decompression";
        return false;
      }
      gzip_ready_ = true;
    } else if ((n >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD) ||
               (n >= 4 && (b[0] & 0xF0) == 0x50 && b[1] == 0x2A && b[2] == 0x4D && b[3] == 0x18)) {  // or a skippable frame (pzstd writes one first)
      kind_ = Compression::Zstd;
      zstd_ = ZSTD_createDStream();
      if (!zstd_ || ZSTD_isError(ZSTD_initDStream(zstd_))) {
        error = "cannot start zstd decompression";
        return false;
      }
    }
    if (kind_ != Compression::None) out_.resize(kChunk);  // (plain bytes are served from raw_)
    try {
      while (head_.size() < kHead && underflow() != traits_type::eof()) {
        head_.append(gptr(), egptr());
        kept_.append(gptr(), egptr());
        setg(out_.data(), out_.data(), out_.data());  // consumed into `kept_`, served first below
      }
    } catch (const std::exception& e) {
      error = error_.empty() ? e.what() : error_;
      return false;
    }
    serving_kept_ = !kept_.empty();
    if (serving_kept_) setg(kept_.data(), kept_.data(), kept_.data() + kept_.size());
    return true;
  }

  Compression kind() const { return kind_; }
  std::string_view head() const { return head_; }
  const std::string& error() const { return error_; }

 protected:
  // A large read of a plain file goes from the file straight into the caller's buffer (the
  // readers ask for a megabyte at a time), once what is buffered here is handed over: each byte
  // is copied once on its way, not three times.
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    std::streamsize got = 0;
    while (got < n) {
      if (gptr() < egptr()) {
        const std::streamsize k = std::min<std::streamsize>(egptr() - gptr(), n - got);
        std::memcpy(s + got, gptr(), static_cast<size_t>(k));
        gbump(static_cast<int>(k));
        got += k;
      } else if (kind_ == Compression::None && !serving_kept_ && raw_at_ == raw_end_ && !eof_ &&
                 static_cast<size_t>(n - got) >= kChunk) {
        size_t r = 0;
        if (!read_file(s + got, static_cast<size_t>(n - got), r)) throw std::runtime_error(error_);
        got += static_cast<std::streamsize>(r);
      } else if (underflow() == traits_type::eof()) {
        break;
      }
    }
    return got;
  }

  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (serving_kept_) {  // the head was served; from now on decompress into `out_`
      serving_kept_ = false;
      setg(nullptr, nullptr, nullptr);
      std::string().swap(kept_);
    }
    while (true) {
      if (kind_ == Compression::None && raw_at_ < raw_end_) {  // plain bytes are served where they were read
        setg(raw_.data() + raw_at_, raw_.data() + raw_at_, raw_.data() + raw_end_);
        raw_at_ = raw_end_;
        return traits_type::to_int_type(*gptr());
      }
      // Compressed data can still flush output when all its input is read.
      size_t before = raw_at_;
      size_t n = raw_at_ < raw_end_ || kind_ != Compression::None ? decode() : 0;
      if (n) {
        setg(out_.data(), out_.data(), out_.data() + n);
        return traits_type::to_int_type(*gptr());
      }
      if (raw_at_ < raw_end_) {
        if (raw_at_ == before) fail("the compressed data makes no progress");
        continue;
      }
      if (eof_) {
        if (kind_ == Compression::Gzip && gzip_started_ && !gzip_done_) fail("the gzip data ends early: the file is cut short");
        if (kind_ == Compression::Zstd && zstd_pending_) fail("the zstd data ends early: the file is cut short");
        return traits_type::eof();
      }
      if (!fill_raw()) throw std::runtime_error(error_);
    }
  }

 private:
  // Reads up to `want` bytes of the file into `into`, `got` of them (fewer at its end); false
  // (with error_) on a read error.
  bool read_file(char* into, size_t want, size_t& got) {
    got = std::fread(into, 1, want, file_);
    if (got < want) {
      if (std::ferror(file_)) {
        error_ = fmt::format("reading {} failed: {}", name_, std::strerror(errno));
        return false;
      }
      eof_ = true;
    }
    raw_read_ += got;
    return true;
  }

  // Reads the next raw block; false (with error_) on a read error.
  bool fill_raw() {
    size_t n = 0;
    if (!read_file(raw_.data(), raw_.size(), n)) return false;
    raw_at_ = 0;
    raw_end_ = n;
    return true;
  }

  [[noreturn]] void fail(std::string why) {
    setg(nullptr, nullptr, nullptr);
    error_ = fmt::format("{}: {} (near byte {} of the compressed file)", name_, why, raw_read_ - (raw_end_ - raw_at_));
    throw std::runtime_error(error_);
  }

  // Decodes what it can of the raw block into out_; the number of bytes made (0: needs input).
  size_t decode() {
    switch (kind_) {
      case Compression::None: return 0;  // (underflow serves plain bytes from raw_)
      case Compression::Gzip: {
        if (gzip_done_) {
          if (raw_at_ == raw_end_) return 0;
          // Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream; anything else
          // after the end is an error, never silently dropped.
          const auto* b = reinterpret_cast<const unsigned char*>(raw_.data() + raw_at_);
          if (b[0] != 0x1F) fail("text follows the end of the gzip data");
          inflateReset(&z_);
          gzip_done_ = false;
        }
        gzip_started_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_at_);
        z_.avail_in = static_cast<uInt>(raw_end_ - raw_at_);
        z_.next_out = reinterpret_cast<Bytef*>(out_.data());
        z_.avail_out = static_cast<uInt>(out_.size());
        int rc = inflate(&z_, Z_NO_FLUSH);
        raw_at_ = raw_end_ - z_.avail_in;
        if (rc == Z_STREAM_END) gzip_done_ = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR) fail(fmt::format("the gzip data is damaged ({})", z_.msg ? z_.msg : "zlib error"));
        return out_.size() - z_.avail_out;
      }
      case Compression::Zstd: {
        ZSTD_inBuffer in{raw_.data() + raw_at_, raw_end_ - raw_at_, 0};
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        size_t rc = ZSTD_decompressStream(zstd_, &out, &in);
        if (ZSTD_isError(rc)) fail(fmt::format("the zstd data is damaged ({})", ZSTD_getErrorName(rc)));
        // 0: a frame is complete. A call that neither read nor wrote says nothing (after a frame it
        // asks for the next one's header).
        if (in.pos || out.pos) zstd_pending_ = rc != 0;
        raw_at_ += in.pos;
        return out.pos;
      }
    }
    return 0;
  }

  std::string name_;
  std::FILE* file_ = nullptr;
  Compression kind_ = Compression::None;
  std::vector<char> raw_, out_;
  size_t raw_at_ = 0, raw_end_ = 0;
  uint64_t raw_read_ = 0;
  bool eof_ = false;
  z_stream z_{};
  bool gzip_ready_ = false, gzip_started_ = false, gzip_done_ = false;
  ZSTD_DStream* zstd_ = nullptr;
  bool zstd_pending_ = false;
  std::string head_, kept_;
  bool serving_kept_ = false;
  std::string error_;
};

Input::Input() = default;
Input::~Input() = default;

namespace {

// "UTF-16" or "UTF-32" when the input starts as text in one of them (Excel's "Unicode Text",
// PowerShell's `>`): a byte order mark, or a NUL beside every letter. Else empty: Rubric reads
// UTF-8, and such a file would otherwise fail later with a header that has none of its columns.
std::string_view wide_encoding(std::string_view head) {
  auto starts = [&](std::string_view bom) { return head.substr(0, bom.size()) == bom; };
  using namespace std::string_view_literals;
  if (starts("\xFF\xFE\0\0"sv) || starts("\0\0\xFE\xFF"sv)) return "UTF-32";
  if (starts("\xFF\xFE"sv) || starts("\xFE\xFF"sv)) return "UTF-16";
  const size_t n = std::min<size_t>(head.size(), 64) & ~size_t{1};
  if (n < 4) return {};
  bool odd_nul = true, even_nul = true;  // ASCII text in UTF-16 LE has a NUL in every odd place
  for (size_t i = 0; i < n; i += 2) {
    odd_nul &= head[i] != '\0' && head[i + 1] == '\0';
    even_nul &= head[i] == '\0' && head[i + 1] != '\0';
  }
  return odd_nul || even_nul ? "UTF-16" : std::string_view();
}

// Whether the input is a JSON array over many lines (what many APIs and `.json` exports give),
// which is no JSON Lines: each of its lines would be an error row. Told by its first line: `[`
// alone, or `[{...},` (a first line that is a whole array is one record).
bool json_array_over_lines(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  size_t i = head.find_first_not_of(" \t\r\n");
  size_t eol = i == std::string_view::npos ? i : head.find('\n', i);
  std::string_view first = eol == std::string_view::npos ? std::string_view() : head.substr(i, eol - i);
  while (!first.empty() && (first.back() == ' ' || first.back() == '\t' || first.back() == '\r')) first.remove_suffix(1);
  return first.starts_with('[') && (first.size() == 1 || first.back() == ',');
}

bool utf8_or_say(std::string_view head, const std::string& name, std::string& error) {
  std::string_view wide = wide_encoding(head);
  if (wide.empty()) return true;
  error = fmt::format("{} is {} text, and Rubric reads UTF-8: save it as UTF-8 (in Excel, \"CSV UTF-8\"), or convert it "
                      "with `iconv -f {} -t UTF-8`", name == "-" ? "standard input" : name, wide, wide);
  return false;
}

}  // namespace

bool Input::open(const std::string& path, std::string& error) {
  buffer_ = std::make_unique<InputBuffer>();
  if (!buffer_->open(path, error) || !utf8_or_say(buffer_->head(), path, error)) return false;
  stream_ = std::make_unique<std::istream>(buffer_.get());
  return true;
}

bool Input::open(const std::string& path, ReaderOptions& opts, std::string& error) {
  if (!open(path, error)) return false;
  if (opts.guess) opts.format = guess_format(path == "-" ? std::string_view() : std::string_view(path), head());
  if (opts.format == InputFormat::Jsonl && json_array_over_lines(head())) {
    std::string name = path == "-" ? "standard input" : path;
    error = fmt::format("{} holds a JSON array (it starts with `[`), and Rubric reads JSON Lines: one object per line, no "
                        "array around them; convert it with `jq -c '.[]' {} > leads.jsonl`",
                        name, path == "-" ? "FILE" : path);
    return false;
  }
  return true;
}

bool Input::open(std::FILE* file, const std::string& name, std::string& error) {
  buffer_ = std::make_unique<InputBuffer>();
  if (!buffer_->open(file, name, error) || !utf8_or_say(buffer_->head(), name, error)) return false;
  stream_ = std::make_unique<std::istream>(buffer_.get());
  return true;
}

std::istream& Input::stream() { return *stream_; }
Compression Input::compression() const { return buffer_ ? buffer_->kind() : Compression::None; }
std::string_view Input::head() const { return buffer_ ? buffer_->head() : std::string_view(); }
std::string Input::error() const { return buffer_ ? buffer_->error() : std::string(); }

InputFormat guess_format(std::string_view path, std::string_view head) {
  std::string name = text::to_lower(path);
  for (const char* ending : {".gz", ".gzip", ".zst", ".zstd"}) {
    std::string_view e = ending;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      name.resize(name.size() - e.size());
      break;
    }
  }
  auto ends = [&](std::string_view e) { return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0; };
  if (ends(".csv") || ends(".tsv") || ends(".txt")) return InputFormat::Csv;
  if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return InputFormat::Jsonl;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t i = head.find_first_not_of(" \t\r\n");
  // `[`: a JSON array, which Input::open then explains.
  return i != std::string_view::npos && (head[i] == '{' || head[i] == '[') ? InputFormat::Jsonl : InputFormat::Csv;
}

}  // namespace rubric::io
