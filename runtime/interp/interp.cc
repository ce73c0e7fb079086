// The tree-walking interpreter over checked nodes, with Kleene three-valued conditions:
// anything computed from a missing value is unknown, and only a true condition counts.
#include "runtime/interp/interp.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::interp {

using check::Node;
using check::Op;
using check::TypeKind;

int64_t to_cents(double points) { return check::to_cents(points); }

namespace {

enum class Tri : uint8_t { False, True, Unknown };

Tri tri(bool b) { return b ? Tri::True : Tri::False; }
Tri negate(Tri t) { return t == Tri::Unknown ? t : (t == Tri::True ? Tri::False : Tri::True); }

struct Frame {
  const Record& record;
  const Event* event = nullptr;
  int64_t as_of = 0;
  const std::vector<int64_t>* scores = nullptr;
  int64_t total = 0;
};

int64_t floor_days(int64_t secs) { return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400); }

class Eval {
 public:
  explicit Eval(Frame& f) : f_(f) {}

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
    switch (n->op) {
      case Op::Literal: return n->lit;
      case Op::LeadField: return f_.record.fields[n->slot];
      case Op::EventField: return f_.event ? f_.event->fields[n->slot] : Value::missing();
      case Op::Neg: {
        Value a = value(n->kids[0]);
        if (a.is_missing()) return a;
        if (a.kind == Value::Kind::Int) a.i = -a.i;
        else a.d = -a.d;
        return a;
      }
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div: return arithmetic(n);
      case Op::Call: {
        Value args[2];
        for (size_t i = 0; i < n->kids.size(); ++i) {
          args[i] = value(n->kids[i]);
          if (args[i].is_missing()) return Value::missing();
        }
        return builtins::registry().fns[n->slot](args, f_.as_of);
      }
      case Op::EmailDomain: {
        Value a = value(n->kids[0]);
        if (a.is_missing()) return a;
        std::string d = builtins::email_domain(a.s);
        return d.empty() ? Value::missing() : Value::string(std::move(d));
      }
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
      case Op::DaysSinceTime: {
        Value t = value(n->kids[0]);
        if (t.is_missing()) return t;
        return Value::integer(floor_days(f_.as_of - t.i));
      }
      case Op::ScoreRef: return Value::number(double((*f_.scores)[n->slot]) / 100.0);
      case Op::TotalRef: return Value::number(double(f_.total) / 100.0);
      default: {
        Tri t = test(n);
        return t == Tri::Unknown ? Value::missing() : Value::boolean(t == Tri::True);
      }
    }
  }

  Value arithmetic(const Node* n) {
    Value a = value(n->kids[0]), b = value(n->kids[1]);
    if (a.is_missing() || b.is_missing()) return Value::missing();
    if (n->type.is(TypeKind::Int)) {
      // A whole-number result that does not fit is missing, like division by zero.
      int64_t r = 0;
      bool overflow = n->op == Op::Add   ? __builtin_add_overflow(a.i, b.i, &r)
                      : n->op == Op::Sub ? __builtin_sub_overflow(a.i, b.i, &r)
                                         : __builtin_mul_overflow(a.i, b.i, &r);
      return overflow ? Value::missing() : Value::integer(r);
    }
    double x = a.as_double(), y = b.as_double(), r;
    switch (n->op) {
      case Op::Add: r = x + y; break;
      case Op::Sub: r = x - y; break;
      case Op::Mul: r = x * y; break;
      default:
        if (y == 0) return Value::missing();
        r = x / y;
    }
    if (!std::isfinite(r)) return Value::missing();
    return n->type.is(TypeKind::Duration) ? Value::duration(r) : Value::number(r);
  }

  static int compare(const Value& a, const Value& b) {
    switch (a.kind) {
      case Value::Kind::String: return text::iequals(a.s, b.s) ? 0 : 1;
      case Value::Kind::Bool: return a.b == b.b ? 0 : 1;
      case Value::Kind::Enum: return a.i == b.i ? 0 : 1;
      default: {
        double x = a.as_double(), y = b.as_double();
        return x < y ? -1 : x > y ? 1 : 0;
      }
    }
  }

  Tri test(const Node* n) {
    switch (n->op) {
      case Op::Not: return negate(test(n->kids[0]));
      case Op::And: {
        Tri a = test(n->kids[0]);
        if (a == Tri::False) return a;
        Tri b = test(n->kids[1]);
        if (b == Tri::False) return b;
        return (a == Tri::True && b == Tri::True) ? Tri::True : Tri::Unknown;
      }
      case Op::Or: {
        Tri a = test(n->kids[0]);
        if (a == Tri::True) return a;
        Tri b = test(n->kids[1]);
        if (b == Tri::True) return b;
        return (a == Tri::False && b == Tri::False) ? Tri::False : Tri::Unknown;
      }
      case Op::Compare: {
        Value a = value(n->kids[0]), b = value(n->kids[1]);
        if (a.is_missing() || b.is_missing()) return Tri::Unknown;
        int c = compare(a, b);
        switch (n->cmp) {
          case check::Cmp::Eq: return tri(c == 0);
          case check::Cmp::Ne: return tri(c != 0);
          case check::Cmp::Lt: return tri(c < 0);
          case check::Cmp::Le: return tri(c <= 0);
          case check::Cmp::Gt: return tri(c > 0);
          case check::Cmp::Ge: return tri(c >= 0);
        }
        return Tri::Unknown;
      }
      case Op::IsMissing: {
        bool missing = value(n->kids[0]).is_missing();
        return tri(n->negated ? !missing : missing);
      }
      case Op::InSet: {
        Value a = value(n->kids[0]);
        if (a.is_missing()) return Tri::Unknown;
        bool found = false;
        if (a.kind == Value::Kind::String) {
          found = n->string_set.count(text::to_lower(a.s)) > 0;
        } else {
          for (const Value& v : n->set)
            if (compare(a, v) == 0) found = true;
        }
        return tri(found != n->negated);
      }
      case Op::InPages: {
        Value a = value(n->kids[0]);
        if (a.is_missing()) return Tri::Unknown;
        bool found = std::any_of(n->patterns.begin(), n->patterns.end(),
                                 [&](const std::string& p) { return builtins::glob_match(p, a.s); });
        return tri(found != n->negated);
      }
      case Op::Between: {
        Value a = value(n->kids[0]), lo = value(n->kids[1]), hi = value(n->kids[2]);
        if (a.is_missing() || lo.is_missing() || hi.is_missing()) return Tri::Unknown;
        bool in = compare(lo, a) <= 0 && compare(a, hi) <= 0;
        return tri(in != n->negated);
      }
      case Op::Contains:
      case Op::StartsWith:
      case Op::EndsWith: {
        Value a = value(n->kids[0]), b = value(n->kids[1]);
        if (a.is_missing() || b.is_missing()) return Tri::Unknown;
        if (n->op == Op::Contains) return tri(builtins::contains_icase(a.s, b.s));
        if (n->op == Op::StartsWith) return tri(builtins::starts_with_icase(a.s, b.s));
        return tri(builtins::ends_with_icase(a.s, b.s));
      }
      case Op::Matches: {
        Value a = value(n->kids[0]);
        if (a.is_missing()) return Tri::Unknown;
        return tri(regex_search(*n->regex, a.s));
      }
      case Op::AnyEvents: {
        int64_t c = count(*n->query);
        return tri(c >= n->freq_lo && c <= n->freq_hi);
      }
      case Op::TimeWithin: {
        Value t = value(n->kids[0]);
        if (t.is_missing()) return Tri::Unknown;
        return tri(double(t.i) >= double(f_.as_of) - n->span_seconds && t.i <= f_.as_of);
      }
      case Op::Truthy: {
        Value v = value(n->kids[0]);
        if (v.is_missing()) return Tri::Unknown;
        return tri(v.b);
      }
      case Op::Literal:
        if (n->lit.kind == Value::Kind::Bool) return tri(n->lit.b);
        return Tri::Unknown;
      default: {
        Value v = value(n);
        return v.kind == Value::Kind::Bool ? tri(v.b) : Tri::Unknown;
      }
    }
  }

  static bool regex_search(const re2::RE2& re, const std::string& s) { return RE2::PartialMatch(s, re); }

 private:
  Frame& f_;
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

Outcome Interpreter::score(const Record& record, int64_t as_of, bool explain) const {
  const check::CheckedModel& m = *model_;
  Outcome out;
  Frame frame{record, nullptr, as_of, &out.scores, 0};
  Eval ev(frame);
  out.scores.reserve(m.scores.size());
  for (size_t s = 0; s < m.scores.size(); ++s) {
    const check::Score& score = m.scores[s];
    int64_t sum = 0;
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
      sum += hit.cents;
      if (explain) out.hits.push_back(hit);
    }
    if (score.floor) sum = std::max(sum, to_cents(*score.floor));
    if (score.ceiling) sum = std::min(sum, to_cents(*score.ceiling));
    out.scores.push_back(sum);
  }
  if (m.total) {
    Value t = ev.value(m.total);
    out.total = t.is_missing() ? 0 : to_cents(t.as_double());
  } else {
    for (int64_t s : out.scores) out.total += s;
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
