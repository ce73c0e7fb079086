// SPDX-License-Identifier: Apache-2.0
// The reference interpreter: scores one Record against a CheckedModel at a given as-of time.
// Every other back end must give exactly its results. Thread-safe: one Interpreter may score
// from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
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
};

// What every back end offers: score one record. Implementations are thread-safe.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual Outcome score(const Record& record, int64_t as_of, bool explain) const = 0;
  // Scores records[0..n) into out[0..n); back ends that work on batches override it.
  virtual void score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out) const {
    for (size_t i = 0; i < n; ++i) out[i] = score(*records[i], as_of, explain);
  }
};

class Executor;

class Interpreter : public Scorer {
 public:
  explicit Interpreter(std::shared_ptr<const check::CheckedModel> model);
  ~Interpreter() override;
  // `as_of` is seconds since the epoch; events after it are ignored.
  Outcome score(const Record& record, int64_t as_of, bool explain) const override;
  const check::CheckedModel& model() const { return *model_; }
  // One condition or value of this model for `record`, as the scoring saw it (for explanations);
  // `outcome` supplies the scores and total that tier conditions read. A condition gives a
  // boolean Value, or missing when unknown.
  check::Value evaluate(const check::Node* node, const Record& record, int64_t as_of, const Outcome& outcome) const;
  // How many events `query` (one of the model's) matched for `record`.
  int64_t matching_events(const check::EventQuery& query, const Record& record, int64_t as_of) const;

 private:
  std::shared_ptr<const check::CheckedModel> model_;
  std::shared_ptr<const Executor> exec_;
  std::unordered_map<const check::Node*, int> node_index_;
};

// Rounds points to hundredths, half away from zero.
int64_t to_cents(double points);
// The share of an `each` rule's points an event of age `age` milliseconds keeps under `d`.
double decay_factor(const check::Decay& d, int64_t age);


}  // namespace rubric::interp
