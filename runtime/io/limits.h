// SPDX-License-Identifier: Apache-2.0
// The input size limits, in one place: what one record and one value may hold before the
// record becomes an error row. They keep a damaged or hostile file from exhausting memory.
#pragma once

#include <cstddef>

namespace rubric::io {

// One record: a JSON Lines line, a CSV row (all its physical lines), or the text given to
// `score_json`. A longer record is an error row and its bytes are skipped, not kept.
inline constexpr size_t kMaxRecordBytes = size_t{64} << 20;  // 64 MiB
inline constexpr const char* kMaxRecordText = "64 MiB";

// One value: a CSV cell or a JSON string.
inline constexpr size_t kMaxFieldBytes = size_t{16} << 20;  // 16 MiB
inline constexpr const char* kMaxFieldText = "16 MiB";

// How deeply JSON arrays and objects may nest (simdjson's own default).
inline constexpr size_t kMaxJsonDepth = 1024;

// A batch in the scoring pipeline stops growing at this many bytes of raw input (it holds at
// most 1024 records), so that a file of huge records does not fill memory 1024 at a time.
inline constexpr size_t kMaxBatchBytes = size_t{128} << 20;  // 128 MiB

// A record's buffers up to this size are kept for the next record; a bigger one (from a huge
// value) is freed, so that one huge value does not hold its memory for the rest of the file.
inline constexpr size_t kKeepBytes = size_t{1} << 20;  // 1 MiB

}  // namespace rubric::io
