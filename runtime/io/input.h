// SPDX-License-Identifier: Apache-2.0
// Opening lead files as marketers have them: plain, gzip or zstd (told by their first bytes, not
// their names), from a file or standard input, decompressed as they are read; and the format
// (CSV or JSON Lines) from the name, or from the content when the name does not say.
#pragma once

#include <cstdint>
#include <cstdio>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/io/reader.h"

namespace rubric::io {

enum class Compression { None, Gzip, Zstd };
const char* compression_name(Compression c);

class InputBuffer;  // the decompressing stream buffer (input.cc)

class Input {
 public:
  Input();
  ~Input();
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // Opens `path`, or standard input for "-", and reads its first block. False with `error` when
  // it cannot be opened or read, or its compressed data is damaged from the start.
  bool open(const std::string& path, std::string& error);
  // Reads an already open file, which it closes (tests and fuzzing use fmemopen); `name` is for
  // messages.
  bool open(std::FILE* file, const std::string& name, std::string& error);
  // open(), then the format when `opts` leaves it to be guessed (ReaderOptions::guess).
  bool open(const std::string& path, ReaderOptions& opts, std::string& error);
  // The (decompressed) bytes. A read error or damaged compressed data later on sets badbit;
  // error() then says what happened and where.
  std::istream& stream();
  Compression compression() const;
  // The first bytes of the (decompressed) content, up to 64 KiB, for guessing its format.
  std::string_view head() const;
  std::string error() const;

 private:
  std::unique_ptr<InputBuffer> buffer_;
  std::unique_ptr<std::istream> stream_;
};

// The format of `path` from its name, ignoring case and a .gz, .gzip or .zst ending: CSV for
// .csv, .tsv and .txt, JSON Lines for .jsonl, .ndjson and .json; else from `head`: JSON Lines
// when its first character (after a byte order mark and blank space) is `{`, else CSV.
InputFormat guess_format(std::string_view path, std::string_view head);

}  // namespace rubric::io
