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
    : model_(std::move(model)), exec_(std::make_shared<Executor>(plan::build(*model_), model_->host_functions)) {
  int i = 0;
  for (const check::Node& n : model_->nodes) node_index_[&n] = i++;
}

Interpreter::~Interpreter() = default;

check::Value Interpreter::evaluate(const check::Node* node, const Record& record, int64_t as_of,
                                   const Outcome& outcome) const {
  auto it = node_index_.find(node);
  return it == node_index_.end() ? check::Value::missing() : exec_->value_of(it->second, record, as_of, outcome);
}

int64_t Interpreter::matching_events(const check::EventQuery& query, const Record& record, int64_t as_of) const {
  int index = 0;
  for (const check::EventQuery& q : model_->queries) {
    if (&q == &query) return exec_->events_matching(index, record, as_of);
    ++index;
  }
  return 0;
}

Outcome Interpreter::score(const Record& record, int64_t as_of, bool explain) const {
  return exec_->score(record, as_of, explain);
}

}  // namespace rubric::interp
