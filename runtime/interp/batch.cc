// SPDX-License-Identifier: Apache-2.0
// The batch interpreter: the model's plan run an instruction at a time over a batch of leads
// (Executor::score_batch), kBatch leads at a time.
#include "runtime/interp/batch.h"

#include <algorithm>

#include "runtime/interp/exec.h"

namespace rubric::interp {

BatchInterpreter::BatchInterpreter(std::shared_ptr<const check::CheckedModel> model)
    : model_(std::move(model)), exec_(std::make_shared<Executor>(plan::build(*model_), model_->host_functions)) {}

BatchInterpreter::~BatchInterpreter() = default;

void BatchInterpreter::score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain,
                                   Outcome* out) const {
  for (size_t start = 0; start < n; start += kBatch)
    exec_->score_batch(records + start, std::min(kBatch, n - start), as_of, explain, out + start);
}

Outcome BatchInterpreter::score(const Record& record, int64_t as_of, bool explain) const {
  const Record* r = &record;
  Outcome out;
  score_batch(&r, 1, as_of, explain, &out);
  return out;
}

Outcome BatchInterpreter::score_traced(const Record& record, int64_t as_of) const {
  const Record* r = &record;
  Outcome out;
  exec_->score_batch(&r, 1, as_of, true, &out, true);
  return out;
}

}  // namespace rubric::interp
