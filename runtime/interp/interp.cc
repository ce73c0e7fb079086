// SPDX-License-Identifier: Apache-2.0
// The tree-walking interpreter: the reference every other back end must match. One walk of the
// checked tree per record; the meaning of each operation on values is in apply.cc.
#include "runtime/interp/interp.h"

#include <algorithm>
#include <cmath>

#include "runtime/interp/apply.h"

namespace rubric::interp {

using check::Node;
using check::Op;
using check::TypeKind;

int64_t to_cents(double points) { return check::to_cents(points); }

namespace {

struct Frame {
  const Record& record;
  const Event* event = nullptr;
  int64_t as_of = 0;
  const std::vector<int64_t>* scores = nullptr;
  int64_t total = 0;
};

// Walks the checked tree for one record; the meaning of each operation is in apply.cc.
class Eval {
 public:
  Eval(Frame& f, size_t defines) : f_(f), defined_(defines, kNotYet) {}

  // The events within the query's window, as an index range into the sorted events.
  std::pair<size_t, size_t> window(const check::EventQuery& q) const {
    const auto& ev = f_.record.events;
    auto end = std::upper_bound(ev.begin(), ev.end(), f_.as_of, [](int64_t t, const Event& e) { return t < e.time; });
    auto begin = ev.begin();
    if (q.window_seconds >= 0) {
      double from = double(f_.as_of) - q.window_seconds;
      begin = std::lower_bound(ev.begin(), end, from, [](const Event& e, double t) { return double(e.time) < t; });
    }
    return {static_cast<size_t>(begin - ev.begin()), static_cast<size_t>(end - ev.begin())};
  }

  bool matches(const check::EventQuery& q, const Event& e) {
    const Event* saved = f_.event;
    f_.event = &e;
    bool ok = test(q.filter) == Tri::True;
    f_.event = saved;
    return ok;
  }

  int64_t count(const check::EventQuery& q) {
    auto [b, e] = window(q);
    int64_t n = 0;
    for (size_t i = b; i < e; ++i) n += matches(q, f_.record.events[i]);
    return n;
  }

  Value value(const Node* n) {
    if (is_value_op(n->op)) {
      Value tmp[check::kMaxHostArgs];
      const Value* ptrs[check::kMaxHostArgs];
      for (size_t i = 0; i < n->kids.size(); ++i) ptrs[i] = operand(n->kids[i], tmp[i]);
      return apply_value(n, ptrs, f_.as_of);
    }
    switch (n->op) {
      case Op::Literal: return n->lit;
      case Op::LeadField: return f_.record.fields[n->slot];
      case Op::EventField: return f_.event ? f_.event->fields[n->slot] : Value::missing();
      case Op::CountEvents: return Value::integer(count(*n->query));
      case Op::SumEvents: {
        auto [b, e] = window(*n->query);
        double sum = 0;
        for (size_t i = b; i < e; ++i) {
          const Event& ev = f_.record.events[i];
          if (!matches(*n->query, ev)) continue;
          const Value& v = ev.fields[n->slot];
          if (!v.is_missing()) sum += v.as_double();
        }
        return Value::number(sum);
      }
      case Op::DaysSinceLast: {
        auto [b, e] = window(*n->query);
        for (size_t i = e; i > b; --i)
          if (matches(*n->query, f_.record.events[i - 1]))
            return Value::integer(floor_days(f_.as_of - f_.record.events[i - 1].time));
        return Value::missing();
      }
      case Op::ScoreRef: return Value::number(double((*f_.scores)[n->slot]) / 100.0);
      case Op::TotalRef: return Value::number(double(f_.total) / 100.0);
      default: return from_tri(test(n));
    }
  }

  Tri test(const Node* n) {
    if (is_test_op(n->op)) {
      Value tmp[3];
      const Value* ptrs[3];
      for (size_t i = 0; i < n->kids.size(); ++i) ptrs[i] = operand(n->kids[i], tmp[i]);
      return apply_test(n, ptrs, f_.as_of);
    }
    switch (n->op) {
      case Op::Not: return not3(test(n->kids[0]));
      case Op::And: {
        Tri a = test(n->kids[0]);
        return a == Tri::False ? a : and3(a, test(n->kids[1]));  // the right side only when needed
      }
      case Op::Or: {
        Tri a = test(n->kids[0]);
        return a == Tri::True ? a : or3(a, test(n->kids[1]));
      }
      case Op::AnyEvents: {
        int64_t c = count(*n->query);
        return tri(c >= n->freq_lo && c <= n->freq_hi);
      }
      case Op::Literal:
        if (n->lit.kind == Value::Kind::Bool) return tri(n->lit.b);
        return Tri::Unknown;
      case Op::Define: {
        // Once per record: a define reads only the lead and its events, never the current event.
        uint8_t& memo = defined_[n->slot];
        if (memo == kNotYet) memo = static_cast<uint8_t>(test(n->kids[0]));
        return static_cast<Tri>(memo);
      }
      default: {
        Value v = value(n);
        return v.kind == Value::Kind::Bool ? tri(v.b) : Tri::Unknown;
      }
    }
  }

  // An operand's value: stored values (fields, literals) are referenced, others computed into `tmp`.
  const Value* operand(const Node* k, Value& tmp) {
    switch (k->op) {
      case Op::Literal: return &k->lit;
      case Op::LeadField: return &f_.record.fields[k->slot];
      case Op::EventField:
        if (f_.event) return &f_.event->fields[k->slot];
        break;
      default: break;
    }
    tmp = value(k);
    return &tmp;
  }

 private:
  static constexpr uint8_t kNotYet = 0xFF;
  Frame& f_;
  std::vector<uint8_t> defined_;  // each define's Tri for this record, or kNotYet
};

}  // namespace

double decay_factor(const check::Decay& d, int64_t age) {
  if (age <= 0) return 1;
  switch (d.kind) {
    case check::Decay::Kind::None: return 1;
    case check::Decay::Kind::HalfLife: return std::pow(0.5, double(age) / d.period_seconds);
    case check::Decay::Kind::Linear:
      return std::max(0.0, 1.0 - d.fraction * std::floor(double(age) / d.period_seconds));
  }
  return 1;
}

Interpreter::Interpreter(std::shared_ptr<const check::CheckedModel> model) : model_(std::move(model)) {}

check::Value Interpreter::evaluate(const check::Node* node, const Record& record, int64_t as_of,
                                   const Outcome& outcome) const {
  Frame frame{record, nullptr, as_of, &outcome.scores, outcome.total};
  Eval ev(frame, model_->defines.size());
  return ev.value(node);
}

Outcome Interpreter::score(const Record& record, int64_t as_of, bool explain) const {
  const check::CheckedModel& m = *model_;
  Outcome out;
  Frame frame{record, nullptr, as_of, &out.scores, 0};
  Eval ev(frame, m.defines.size());
  out.scores.reserve(m.scores.size());
  for (size_t s = 0; s < m.scores.size(); ++s) {
    const check::Score& score = m.scores[s];
    __int128 wide = 0;  // no number of rules can overflow it; saturated below
    for (size_t r = 0; r < score.rules.size(); ++r) {
      const check::Rule& rule = score.rules[r];
      RuleHit hit{static_cast<int>(s), static_cast<int>(r)};
      if (!rule.each) {
        if (ev.test(rule.cond) != Tri::True) continue;
        hit.cents = to_cents(rule.points);
      } else {
        auto [b, e] = ev.window(*rule.query);
        double points = 0;
        for (size_t i = b; i < e; ++i) {
          const Event& event = record.events[i];
          if (!ev.matches(*rule.query, event)) continue;
          ++hit.events;
          double f = decay_factor(score.decay, as_of - event.time);
          if (f < 1) hit.decayed = true;
          points += rule.points * f;
        }
        if (hit.events == 0 || hit.events < rule.freq_lo || hit.events > rule.freq_hi) continue;
        if (rule.cap && std::abs(points) > *rule.cap) {
          points = points < 0 ? -*rule.cap : *rule.cap;
          hit.capped = true;
        }
        hit.cents = to_cents(points);
      }
      wide += hit.cents;
      if (explain) out.hits.push_back(hit);
    }
    int64_t sum = check::saturate_cents(wide);
    if (score.floor) sum = std::max(sum, to_cents(*score.floor));
    if (score.ceiling) sum = std::min(sum, to_cents(*score.ceiling));
    out.scores.push_back(sum);
  }
  if (m.total) {
    Value t = ev.value(m.total);
    out.total = t.is_missing() ? 0 : to_cents(t.as_double());
  } else {
    __int128 total = 0;
    for (int64_t s : out.scores) total += s;
    out.total = check::saturate_cents(total);
  }
  frame.total = out.total;
  for (size_t d = 0; d < m.disqualifiers.size(); ++d) {
    if (ev.test(m.disqualifiers[d].cond) == Tri::True) {
      out.disqualifier = static_cast<int>(d);
      break;
    }
  }
  for (const check::TierSet& set : m.tier_sets) {
    int chosen = -1;
    if (out.disqualifier < 0) {
      for (size_t t = 0; t < set.tiers.size() && chosen < 0; ++t)
        if (!set.tiers[t].cond || ev.test(set.tiers[t].cond) == Tri::True) chosen = static_cast<int>(t);
    }
    out.tiers.push_back(chosen);
  }
  return out;
}

}  // namespace rubric::interp
