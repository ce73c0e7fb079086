// SPDX-License-Identifier: Apache-2.0
// The batch interpreter: scores records a batch at a time. One fused pass over each record's
// events feeds every behaviour, then each program of the model's plan runs an instruction at a
// time over the whole batch (a column per register). Gives exactly the reference interpreter's
// results. Thread-safe: holds no per-call state.
#pragma once

#include <memory>
#include <vector>

#include "runtime/interp/interp.h"

namespace rubric::interp {

class BatchInterpreter : public Scorer {
 public:
  static constexpr size_t kBatch = 1024;

  explicit BatchInterpreter(std::shared_ptr<const check::CheckedModel> model);
  ~BatchInterpreter() override;
  // Scores records[0..n) into out[0..n), kBatch at a time.
  void score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out) const override;
  Outcome score(const Record& record, int64_t as_of, bool explain) const override;
  Outcome score_traced(const Record& record, int64_t as_of) const override;

 private:
  std::shared_ptr<const check::CheckedModel> model_;
  std::shared_ptr<const Executor> exec_;
};

}  // namespace rubric::interp
