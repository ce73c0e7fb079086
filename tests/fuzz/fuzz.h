// SPDX-License-Identifier: Apache-2.0
// Shared by the libFuzzer targets in tests/fuzz: how a target reports a broken invariant.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/interp/interp.h"

namespace rubric::fuzz {

// Reports a broken invariant and aborts, so that libFuzzer keeps the input as a crash.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "\n== rubric fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Whether the targets built with the JIT (RUBRIC_FUZZ_JIT) compare it too: yes, unless the
// environment says RUBRIC_FUZZ_JIT=0 (to look past a JIT bug that stops every run).
inline bool jit_enabled() {
  const char* v = std::getenv("RUBRIC_FUZZ_JIT");
  return !(v && std::string(v) == "0");
}

// Everything an outcome holds, explanations included, to compare back ends field by field.
inline std::string describe(const interp::Outcome& o) {
  std::string s = fmt::format("scores={} total={} disq={} tiers={} hits=", fmt::join(o.scores, ","), o.total, o.disqualifier,
                              fmt::join(o.tiers, ","));
  for (const auto& h : o.hits) s += fmt::format("[{}.{} {} {} {}{}]", h.score, h.rule, h.cents, h.events, h.capped, h.decayed);
  return s;
}

}  // namespace rubric::fuzz
