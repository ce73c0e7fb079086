// SPDX-License-Identifier: Apache-2.0
// Shared by the libFuzzer targets in tests/fuzz: how a target reports a broken invariant.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"

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

// A decoded record, field by field: each value by its kind (what a back end reads), then the
// events, errors and warnings, to compare readers.
inline std::string describe(const io::InputRecord& r) {
  auto value = [](const check::Value& v) -> std::string {
    switch (v.kind) {
      case check::Value::Kind::Missing: return "-";
      case check::Value::Kind::Bool: return v.b ? "yes" : "no";
      case check::Value::Kind::Int:
      case check::Value::Kind::Time:
      case check::Value::Kind::Enum: return fmt::format("{}#{}", static_cast<int>(v.kind), v.i);
      case check::Value::Kind::Number:
      case check::Value::Kind::Duration: return fmt::format("{}#{}", static_cast<int>(v.kind), v.d);
      case check::Value::Kind::String: return "\"" + v.s + "\"";
    }
    return "?";
  };
  std::string s = fmt::format("#{} line {} key {}:", r.number, r.line, r.key);
  for (const auto& v : r.record.fields) s += " " + value(v);
  for (const auto& e : r.record.events) {
    s += fmt::format("\n  event at {}:", e.time);
    for (const auto& v : e.fields) s += " " + value(v);
  }
  for (const auto& e : r.errors) s += "\n  error: " + e;
  for (const auto& w : r.warnings) s += "\n  warning: " + w;
  return s;
}

}  // namespace rubric::fuzz
