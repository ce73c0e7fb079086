// SPDX-License-Identifier: Apache-2.0
// The reference interpreter: scores one Record against a CheckedModel at a given as-of time.
// Every other back end must give exactly its results. Thread-safe: one Interpreter may score
// from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/model.h"
#include "runtime/interp/record.h"

namespace rubric::interp {

// Why a rule gave points, for explanations.
struct RuleHit {
  int score = 0;        // index into CheckedModel::scores
  int rule = 0;         // index into Score::rules
  int64_t cents = 0;    // points given, after decay and cap, in hundredths
  int64_t events = 0;   // events counted (each rules)
  bool capped = false;  // the rule's `at most` cut it
  bool decayed = false; // decay reduced it
};

struct Outcome {
  std::vector<int64_t> scores;  // per score, in hundredths of a point
  int64_t total = 0;            // hundredths
  std::vector<int> tiers;       // per tier set: the chosen tier, or -1 when disqualified
  int disqualifier = -1;        // index into CheckedModel::disqualifiers, or -1
  std::vector<RuleHit> hits;    // rules that gave points, when explaining
  // When explaining: the values the scoring computed that an explanation shows, one per
  // entry of the model's plan::Plan::trace, recorded by the back end that scored.
  std::vector<check::Value> trace;
};

// What every back end offers: score one record. Implementations are thread-safe.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual Outcome score(const Record& record, int64_t as_of, bool explain) const = 0;
  // score(record, as_of, true) with Outcome::trace filled, for explanations: the values come
  // from this back end's own run.
  virtual Outcome score_traced(const Record& record, int64_t as_of) const = 0;
  // score() into `out`: back ends that can write an outcome in place override it, so that a
  // batch's outcomes, reused batch after batch, keep their vectors' room.
  virtual void score_into(const Record& record, int64_t as_of, bool explain, Outcome& out) const {
    out = score(record, as_of, explain);
  }
  // Scores records[0..n) into out[0..n); back ends that work on batches override it.
  virtual void score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out) const {
    for (size_t i = 0; i < n; ++i) score_into(*records[i], as_of, explain, out[i]);
  }
};

class Executor;

class Interpreter : public Scorer {
 public:
  explicit Interpreter(std::shared_ptr<const check::CheckedModel> model);
  ~Interpreter() override;
  // `as_of` is seconds since the epoch; events after it are ignored.
  Outcome score(const Record& record, int64_t as_of, bool explain) const override;
  Outcome score_traced(const Record& record, int64_t as_of) const override;
  void score_into(const Record& record, int64_t as_of, bool explain, Outcome& out) const override;
  const check::CheckedModel& model() const { return *model_; }

 private:
  std::shared_ptr<const check::CheckedModel> model_;
  std::shared_ptr<const Executor> exec_;
};

// Rounds points to hundredths, half away from zero.
int64_t to_cents(double points);
// The share of an `each` rule's points an event of age `age` milliseconds keeps under `d`.
double decay_factor(const check::Decay& d, int64_t age);


}  // namespace rubric::interp
