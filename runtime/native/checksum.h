// SPDX-License-Identifier: Apache-2.0
// The checksum `rubric build` appends to every model it writes (.so and .o), and its check:
// SHA-256 (FIPS 180-4) of the whole file, in a 48-byte trailer that ELF tools and linkers ignore.
// It finds accidental damage (a bad disk, a cut-short copy, a stray edit); it is not a signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rubric::native {

// The SHA-256 digest of `bytes`: 32 bytes.
std::string sha256(std::string_view bytes);
// The same, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

// The trailer after a model's ELF data: the SHA-256 of every byte before it (32 bytes), that
// byte count (8 bytes, little-endian), then kSealMagic (8 bytes), so it is found from the end.
inline constexpr std::string_view kSealMagic{"rbsha256", 8};
inline constexpr size_t kSealSize = 48;

// `bytes` with its trailer appended.
std::string seal(std::string_view bytes);

// What check_seal found. `body` is the file without its trailer (when there is one);
// `expected` and `found` are the recorded and the actual digests (hex) when they differ.
struct SealCheck {
  enum Status { Ok, Missing, WrongLength, Mismatch } status = Missing;
  std::string_view body;
  uint64_t recorded_length = 0;
  std::string expected, found;
};
// Checks the trailer of a whole file's bytes.
SealCheck check_seal(std::string_view file);

}  // namespace rubric::native
