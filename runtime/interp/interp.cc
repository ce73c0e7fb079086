// SPDX-License-Identifier: Apache-2.0
// The reference interpreter: the model's plan run a lead at a time (exec.cc). Every other back
// end must give exactly its results.
#include "runtime/interp/interp.h"

#include <algorithm>
#include <cmath>

#include "runtime/interp/exec.h"

namespace rubric::interp {

int64_t to_cents(double points) { return check::to_cents(points); }

double decay_factor(const check::Decay& d, int64_t age) {
  if (age <= 0) return 1;
  const double period = d.period_seconds * double(check::kMsPerSecond);  // ages are milliseconds
  switch (d.kind) {
    case check::Decay::Kind::None: return 1;
    case check::Decay::Kind::HalfLife: return std::pow(0.5, double(age) / period);
    case check::Decay::Kind::Linear:
      return std::max(0.0, 1.0 - d.fraction * std::floor(double(age) / period));
  }
  return 1;
}

Interpreter::Interpreter(std::shared_ptr<const check::CheckedModel> model)
    : model_(std::move(model)), exec_(std::make_shared<Executor>(plan::build(*model_), model_->host_functions)) {}

Interpreter::~Interpreter() = default;

Outcome Interpreter::score(const Record& record, int64_t as_of, bool explain) const {
  return exec_->score(record, as_of, explain);
}

Outcome Interpreter::score_traced(const Record& record, int64_t as_of) const { return exec_->score(record, as_of, true, true); }

void Interpreter::score_into(const Record& record, int64_t as_of, bool explain, Outcome& out) const {
  exec_->score_into(record, as_of, explain, false, out);
}

}  // namespace rubric::interp
