// SPDX-License-Identifier: Apache-2.0
// What a rubric::Model holds. include/rubric/rubric.hpp keeps it opaque; Rubric's own code built
// on the API reaches it through Model::impl() (the Python module's evaluate, which runs
// runtime/eval on the very model Python compiled, host functions included). Not a public header.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/model.h"
#include "include/rubric/rubric.hpp"
#include "runtime/interp/interp.h"

namespace rubric {

struct Model::Impl {
  std::shared_ptr<const check::CheckedModel> model;
  std::shared_ptr<const interp::Scorer> scorer;  // a JIT scorer keeps its compiled code alive
  Backend backend = Backend::Auto;
  // Backend::Auto on a model the JIT can compile: an interpreter scores (`scorer`) until the
  // calls have given the break-even's worth of input (jit::tier_up_bytes; a score_file call
  // counts its whole file at once), then a jit::TieredScorer takes over for good: it compiles
  // on a thread of its own while its interpreter scores on. Every back end gives identical
  // results, so the switch shows only in speed (and in Model::scoring_backend()).
  bool can_tier = false;
  std::string identity, cache_dir;          // the JIT's compile options
  std::atomic<uint64_t> input_seen{0};      // input scored so far, in JSON Lines bytes (CSV counts 4x)
  std::atomic<bool> tiering{false};         // one call has begun to make `tiered`
  std::shared_ptr<const interp::Scorer> tiered;  // set once, by that call
  std::atomic<bool> has_tiered{false};           // `tiered` is set
  // The scorer for a call that scores `bytes` of input (`csv`: counted as CSV). Takes no lock:
  // calls meanwhile score with `scorer` while one makes `tiered`.
  const interp::Scorer& scorer_for(uint64_t bytes, bool csv);
  std::vector<std::string> score_names, tier_set_names;
  std::string key_field;
  std::string event_key_field;
};

}  // namespace rubric
