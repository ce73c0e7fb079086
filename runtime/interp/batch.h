// SPDX-License-Identifier: Apache-2.0
// The batch interpreter: scores records a batch at a time. One fused pass over each record's
// events feeds every behaviour, then each rule's condition is evaluated node by node over the
// whole batch (a column per node) instead of one tree walk per record. Gives exactly the
// reference interpreter's results. Thread-safe: holds no per-call state.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "runtime/interp/interp.h"

namespace rubric::interp {

class BatchInterpreter : public Scorer {
 public:
  static constexpr size_t kBatch = 1024;

  explicit BatchInterpreter(std::shared_ptr<const check::CheckedModel> model);
  // Scores records[0..n) into out[0..n), kBatch at a time.
  void score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out) const override;
  Outcome score(const Record& record, int64_t as_of, bool explain) const override;

 private:
  struct Each {
    const check::Rule* rule;
    const check::Score* score;
  };
  std::shared_ptr<const check::CheckedModel> model_;
  std::vector<const check::EventQuery*> queries_;
  std::vector<const check::Node*> sums_;
  std::vector<Each> eaches_;
  std::unordered_map<const check::EventQuery*, size_t> query_index_;
  std::unordered_map<const check::Node*, size_t> sum_index_;
  std::unordered_map<const check::Rule*, size_t> each_index_;
  std::vector<const check::Node*> filters_;  // distinct event filters
  std::vector<size_t> query_filter_;         // per query: its filter's index in filters_
  double widest_ = 0;                        // the widest window, or -1 for none
  friend class BatchRun;
};

}  // namespace rubric::interp
