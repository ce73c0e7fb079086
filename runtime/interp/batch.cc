// SPDX-License-Identifier: Apache-2.0
// The batch interpreter: a fused event pass per record, then conditions evaluated a node at a
// time over columns of the whole batch. Operations mean what apply.cc says, as in the tree
// walker; only the order of work differs (every operation here is free of side effects).
#include "runtime/interp/batch.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <cmath>

#include "runtime/interp/apply.h"

namespace rubric::interp {

using check::Node;
using check::Op;

namespace {

// A condition on one event (an event filter), evaluated directly.
Value event_value(const Node* n, const Event& e, int64_t as_of);

// Stored values (event fields, literals) are referenced, not copied.
const Value* event_operand(const Node* k, const Event& e, int64_t as_of, Value& tmp) {
  if (k->op == Op::Literal) return &k->lit;
  if (k->op == Op::EventField) return &e.fields[k->slot];
  tmp = event_value(k, e, as_of);
  return &tmp;
}

Tri event_test(const Node* n, const Event& e, int64_t as_of) {
  switch (n->op) {
    case Op::Not: return not3(event_test(n->kids[0], e, as_of));
    case Op::And: {
      Tri a = event_test(n->kids[0], e, as_of);
      return a == Tri::False ? a : and3(a, event_test(n->kids[1], e, as_of));
    }
    case Op::Or: {
      Tri a = event_test(n->kids[0], e, as_of);
      return a == Tri::True ? a : or3(a, event_test(n->kids[1], e, as_of));
    }
    case Op::Literal: return n->lit.kind == Value::Kind::Bool ? tri(n->lit.b) : Tri::Unknown;
    default: {
      if (!is_test_op(n->op)) {
        Value v = event_value(n, e, as_of);
        return v.kind == Value::Kind::Bool ? tri(v.b) : Tri::Unknown;
      }
      Value tmp[3];
      const Value* ptrs[3];
      for (size_t i = 0; i < n->kids.size(); ++i) ptrs[i] = event_operand(n->kids[i], e, as_of, tmp[i]);
      return apply_test(n, ptrs, as_of);
    }
  }
}

Value event_value(const Node* n, const Event& e, int64_t as_of) {
  if (is_value_op(n->op)) {
    Value tmp[check::kMaxHostArgs];
    const Value* ptrs[check::kMaxHostArgs];
    for (size_t i = 0; i < n->kids.size(); ++i) ptrs[i] = event_operand(n->kids[i], e, as_of, tmp[i]);
    return apply_value(n, ptrs, as_of);
  }
  switch (n->op) {
    case Op::Literal: return n->lit;
    case Op::EventField: return e.fields[n->slot];
    default: return from_tri(event_test(n, e, as_of));
  }
}

}  // namespace

// One batch in flight: the records, what the event pass found, and the scores so far.
class BatchRun {
 public:
  BatchRun(const BatchInterpreter& bi, const Record* const* recs, size_t n, int64_t as_of)
      : bi_(bi), recs_(recs), n_(n), as_of_(as_of) {}

  // Per record: count and last match per query, sum per `sum of`, points and decay per `each`.
  void event_pass() {
    size_t q = bi_.queries_.size(), s = bi_.sums_.size(), r = bi_.eaches_.size(), f = bi_.filters_.size();
    count_.assign(n_ * q, 0);
    last_.assign(n_ * q, -1);
    sums_.assign(n_ * s, 0.0);
    points_.assign(n_ * r, 0.0);
    decayed_.assign(n_ * r, 0);
    std::vector<uint8_t> accepted(f), in(q);
    for (size_t i = 0; i < n_; ++i) {
      const auto& ev = recs_[i]->events;
      auto end = std::upper_bound(ev.begin(), ev.end(), as_of_, [](int64_t t, const Event& e) { return t < e.time; });
      auto begin = ev.begin();
      if (bi_.widest_ >= 0) {
        double from = double(as_of_) - bi_.widest_;
        begin = std::lower_bound(ev.begin(), end, from, [](const Event& e, double t) { return double(e.time) < t; });
      }
      for (auto it = begin; it != end; ++it) {
        for (size_t k = 0; k < f; ++k) accepted[k] = event_test(bi_.filters_[k], *it, as_of_) == Tri::True;
        for (size_t k = 0; k < q; ++k) {
          const check::EventQuery* query = bi_.queries_[k];
          in[k] = accepted[bi_.query_filter_[k]] &&
                  (query->window_seconds < 0 || double(it->time) >= double(as_of_) - query->window_seconds);
          if (!in[k]) continue;
          ++count_[i * q + k];
          last_[i * q + k] = it - ev.begin();
        }
        for (size_t k = 0; k < s; ++k) {
          const Node* sum = bi_.sums_[k];
          const Value& v = it->fields[sum->slot];
          if (in[bi_.query_index_.at(sum->query)] && !v.is_missing()) sums_[i * s + k] += v.as_double();
        }
        for (size_t k = 0; k < r; ++k) {
          const auto& e = bi_.eaches_[k];
          if (!in[bi_.query_index_.at(e.rule->query)]) continue;
          double factor = decay_factor(e.score->decay, as_of_ - it->time);
          if (factor < 1) decayed_[i * r + k] = 1;
          points_[i * r + k] += e.rule->points * factor;
        }
      }
    }
  }

  struct Col {
    std::vector<const Value*> at;
    std::vector<Value> own;
  };

  // Columns for the operands of a node at `depth`, kept and reused so that their storage (and
  // the strings in it) is allocated once, not once per node.
  Col& col(size_t depth, size_t k) {
    if (cols_.size() <= depth) cols_.resize(depth + 1);
    while (cols_[depth].size() <= k) cols_[depth].push_back(std::make_unique<Col>());
    return *cols_[depth][k];
  }
  std::vector<Tri>& tris(size_t depth) {
    while (tris_.size() <= depth) tris_.push_back(std::make_unique<std::vector<Tri>>());
    return *tris_[depth];
  }

  void value(const Node* nd, Col& out, size_t depth = 0) {
    out.at.resize(n_);
    if (is_value_op(nd->op)) {
      size_t nk = nd->kids.size();
      for (size_t k = 0; k < nk; ++k) value(nd->kids[k], col(depth + 1, k), depth + 1);
      out.own.resize(n_);
      const Value* ptrs[check::kMaxHostArgs];
      for (size_t i = 0; i < n_; ++i) {
        for (size_t k = 0; k < nk; ++k) ptrs[k] = col(depth + 1, k).at[i];
        out.own[i] = apply_value(nd, ptrs, as_of_);
      }
      for (size_t i = 0; i < n_; ++i) out.at[i] = &out.own[i];
      return;
    }
    switch (nd->op) {
      case Op::Literal:
        std::fill(out.at.begin(), out.at.end(), &nd->lit);
        return;
      case Op::LeadField:
        for (size_t i = 0; i < n_; ++i) out.at[i] = &recs_[i]->fields[nd->slot];
        return;
      case Op::CountEvents:
        out.own.resize(n_);
        for (size_t i = 0; i < n_; ++i) out.own[i] = Value::integer(count(i, nd->query));
        break;
      case Op::SumEvents: {
        out.own.resize(n_);
        size_t k = bi_.sum_index_.at(nd), s = bi_.sums_.size();
        for (size_t i = 0; i < n_; ++i) out.own[i] = Value::number(sums_[i * s + k]);
        break;
      }
      case Op::DaysSinceLast: {
        out.own.resize(n_);
        size_t k = bi_.query_index_.at(nd->query), q = bi_.queries_.size();
        for (size_t i = 0; i < n_; ++i) {
          int64_t l = last_[i * q + k];
          out.own[i] = l < 0 ? Value::missing() : Value::integer(floor_days(as_of_ - recs_[i]->events[l].time));
        }
        break;
      }
      case Op::ScoreRef:
        out.own.resize(n_);
        for (size_t i = 0; i < n_; ++i) out.own[i] = Value::number(double(scores_[i][nd->slot]) / 100.0);
        break;
      case Op::TotalRef:
        out.own.resize(n_);
        for (size_t i = 0; i < n_; ++i) out.own[i] = Value::number(double(totals_[i]) / 100.0);
        break;
      default: {
        std::vector<Tri>& t = tris(depth + 1);
        test(nd, t, depth + 1);
        out.own.resize(n_);
        for (size_t i = 0; i < n_; ++i) out.own[i] = from_tri(t[i]);
        break;
      }
    }
    for (size_t i = 0; i < n_; ++i) out.at[i] = &out.own[i];
  }

  void test(const Node* nd, std::vector<Tri>& out, size_t depth = 0) {
    out.resize(n_);
    if (is_test_op(nd->op)) {
      size_t nk = nd->kids.size();
      for (size_t k = 0; k < nk; ++k) value(nd->kids[k], col(depth + 1, k), depth + 1);
      const Value* ptrs[3];
      for (size_t i = 0; i < n_; ++i) {
        for (size_t k = 0; k < nk; ++k) ptrs[k] = col(depth + 1, k).at[i];
        out[i] = apply_test(nd, ptrs, as_of_);
      }
      return;
    }
    switch (nd->op) {
      case Op::Not:
        test(nd->kids[0], out, depth + 1);
        for (Tri& t : out) t = not3(t);
        return;
      case Op::And:
      case Op::Or: {
        std::vector<Tri>& rhs = tris(depth + 1);
        test(nd->kids[0], out, depth + 1);
        test(nd->kids[1], rhs, depth + 1);
        for (size_t i = 0; i < n_; ++i) out[i] = nd->op == Op::And ? and3(out[i], rhs[i]) : or3(out[i], rhs[i]);
        return;
      }
      case Op::AnyEvents:
        for (size_t i = 0; i < n_; ++i) {
          int64_t c = count(i, nd->query);
          out[i] = tri(c >= nd->freq_lo && c <= nd->freq_hi);
        }
        return;
      case Op::Literal:
        std::fill(out.begin(), out.end(), nd->lit.kind == Value::Kind::Bool ? tri(nd->lit.b) : Tri::Unknown);
        return;
      case Op::Define: {
        // Once per batch: the column is kept for every later use of the same define.
        if (defined_.empty()) defined_.resize(bi_.model_->defines.size());
        std::optional<std::vector<Tri>>& memo = defined_[nd->slot];
        if (!memo) {
          test(nd->kids[0], out, depth + 1);
          memo = out;
        } else {
          out = *memo;
        }
        return;
      }
      default: {
        Col& v = col(depth + 1, 0);
        value(nd, v, depth + 1);
        for (size_t i = 0; i < n_; ++i) out[i] = v.at[i]->kind == Value::Kind::Bool ? tri(v.at[i]->b) : Tri::Unknown;
        return;
      }
    }
  }

  void score(bool explain, Outcome* out) {
    const check::CheckedModel& m = *bi_.model_;
    for (size_t i = 0; i < n_; ++i) out[i] = Outcome();  // callers reuse their outcomes
    event_pass();
    scores_.assign(n_, std::vector<int64_t>(m.scores.size(), 0));
    std::vector<__int128> wide(n_);  // this score's sum per record, saturated when complete
    std::vector<Tri> t;
    size_t r_count = bi_.eaches_.size();
    for (size_t s = 0; s < m.scores.size(); ++s) {
      const check::Score& score = m.scores[s];
      for (size_t r = 0; r < score.rules.size(); ++r) {
        const check::Rule& rule = score.rules[r];
        if (!rule.each) {
          test(rule.cond, t);
          int64_t cents = to_cents(rule.points);
          for (size_t i = 0; i < n_; ++i) {
            if (t[i] != Tri::True) continue;
            wide[i] += cents;
            if (explain) out[i].hits.push_back(RuleHit{static_cast<int>(s), static_cast<int>(r), cents, 0, false, false});
          }
          continue;
        }
        size_t k = bi_.each_index_.at(&rule);
        for (size_t i = 0; i < n_; ++i) {
          RuleHit hit{static_cast<int>(s), static_cast<int>(r)};
          hit.events = count(i, rule.query);
          if (hit.events == 0 || hit.events < rule.freq_lo || hit.events > rule.freq_hi) continue;
          double points = points_[i * r_count + k];
          hit.decayed = decayed_[i * r_count + k] != 0;
          if (rule.cap && std::abs(points) > *rule.cap) {
            points = points < 0 ? -*rule.cap : *rule.cap;
            hit.capped = true;
          }
          hit.cents = to_cents(points);
          wide[i] += hit.cents;
          if (explain) out[i].hits.push_back(hit);
        }
      }
      for (size_t i = 0; i < n_; ++i) {
        int64_t& sum = scores_[i][s];
        sum = check::saturate_cents(wide[i]);
        wide[i] = 0;
        if (score.floor) sum = std::max(sum, to_cents(*score.floor));
        if (score.ceiling) sum = std::min(sum, to_cents(*score.ceiling));
      }
    }
    totals_.assign(n_, 0);
    if (m.total) {
      Col& c = col(0, 0);
      value(m.total, c);
      for (size_t i = 0; i < n_; ++i) totals_[i] = c.at[i]->is_missing() ? 0 : to_cents(c.at[i]->as_double());
    } else {
      for (size_t i = 0; i < n_; ++i) {
        __int128 total = 0;
        for (int64_t s : scores_[i]) total += s;
        totals_[i] = check::saturate_cents(total);
      }
    }
    for (size_t i = 0; i < n_; ++i) {
      out[i].scores = scores_[i];
      out[i].total = totals_[i];
      out[i].disqualifier = -1;
    }
    for (size_t d = 0; d < m.disqualifiers.size(); ++d) {
      test(m.disqualifiers[d].cond, t);
      for (size_t i = 0; i < n_; ++i)
        if (out[i].disqualifier < 0 && t[i] == Tri::True) out[i].disqualifier = static_cast<int>(d);
    }
    for (size_t i = 0; i < n_; ++i) out[i].tiers.assign(m.tier_sets.size(), -1);
    for (size_t set = 0; set < m.tier_sets.size(); ++set) {
      const auto& tiers = m.tier_sets[set].tiers;
      for (size_t k = 0; k < tiers.size(); ++k) {
        if (tiers[k].cond) test(tiers[k].cond, t);
        for (size_t i = 0; i < n_; ++i) {
          if (out[i].disqualifier >= 0 || out[i].tiers[set] >= 0) continue;
          if (!tiers[k].cond || t[i] == Tri::True) out[i].tiers[set] = static_cast<int>(k);
        }
      }
    }
  }

 private:
  int64_t count(size_t i, const check::EventQuery* q) const {
    return count_[i * bi_.queries_.size() + bi_.query_index_.at(q)];
  }

  const BatchInterpreter& bi_;
  const Record* const* recs_;
  size_t n_;
  int64_t as_of_;
  std::vector<int64_t> count_, last_;
  std::vector<double> sums_, points_;
  std::vector<uint8_t> decayed_;
  std::vector<std::vector<int64_t>> scores_;
  std::vector<int64_t> totals_;
  std::vector<std::vector<std::unique_ptr<Col>>> cols_;  // operand columns by depth
  std::vector<std::unique_ptr<std::vector<Tri>>> tris_;   // condition columns by depth
  std::vector<std::optional<std::vector<Tri>>> defined_;  // each define's column, once computed
};

BatchInterpreter::BatchInterpreter(std::shared_ptr<const check::CheckedModel> model) : model_(std::move(model)) {
  std::unordered_map<const Node*, size_t> filter_index;
  for (const check::EventQuery& q : model_->queries) {
    query_index_[&q] = queries_.size();
    queries_.push_back(&q);
    auto [it, fresh] = filter_index.emplace(q.filter, filters_.size());
    if (fresh) filters_.push_back(q.filter);
    query_filter_.push_back(it->second);
    widest_ = q.window_seconds < 0 || widest_ < 0 ? -1 : std::max(widest_, q.window_seconds);
  }
  for (const Node& n : model_->nodes)
    if (n.op == Op::SumEvents) {
      sum_index_[&n] = sums_.size();
      sums_.push_back(&n);
    }
  for (const check::Score& s : model_->scores)
    for (const check::Rule& r : s.rules)
      if (r.each) {
        each_index_[&r] = eaches_.size();
        eaches_.push_back({&r, &s});
      }
}

void BatchInterpreter::score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain,
                                   Outcome* out) const {
  for (size_t start = 0; start < n; start += kBatch) {
    size_t len = std::min(kBatch, n - start);
    BatchRun run(*this, records + start, len, as_of);
    run.score(explain, out + start);
  }
}

Outcome BatchInterpreter::score(const Record& record, int64_t as_of, bool explain) const {
  const Record* r = &record;
  Outcome out;
  score_batch(&r, 1, as_of, explain, &out);
  return out;
}

}  // namespace rubric::interp
