// SPDX-License-Identifier: Apache-2.0
// Runs a scoring plan. `step` is the meaning of every opcode, for one lead; the row runner and
// the batch runner differ only in the order they call it.
#include "runtime/interp/exec.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>

#include "runtime/builtins/builtins.h"

namespace rubric::interp {

using check::TypeKind;
using plan::Instr;
using plan::Opcode;
using plan::Program;

namespace {

const Value kTrueValue = Value::boolean(true);
const Value kFalseValue = Value::boolean(false);
const Value kMissingValue = Value::missing();

const Value* of_tri(Tri t) { return t == Tri::True ? &kTrueValue : t == Tri::False ? &kFalseValue : &kMissingValue; }
Tri tri_of(const Value& v) { return v.kind == Value::Kind::Bool ? tri(v.b) : Tri::Unknown; }

// Registers of the row runner: a stack of frames, one per program being run (a define runs
// inside the program that uses it). Values are reused from lead to lead, with their strings'
// storage; a deque keeps them in place as the stack grows.
struct Scratch {
  std::vector<const Value*> regs;
  std::deque<Value> own;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

Value negate(const Value& v) {
  Value a = v;
  if (a.is_missing()) return a;
  if (a.kind == Value::Kind::Int) {
    if (a.i == std::numeric_limits<int64_t>::min()) return Value::missing();  // does not fit, like overflow
    a.i = -a.i;
  } else {
    a.d = -a.d;
  }
  return a;
}

// A whole-number result that does not fit is missing, like division by zero.
template <typename F>
Value whole(const Value& a, const Value& b, F op_overflows) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  int64_t r = 0;
  return op_overflows(a.i, b.i, &r) ? Value::missing() : Value::integer(r);
}

// In doubles; a result that is not finite (or a division by zero) is missing.
template <typename F>
Value real(TypeKind type, const Value& a, const Value& b, F op) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  double d = op(a.as_double(), b.as_double());
  if (!std::isfinite(d)) return Value::missing();
  return type == TypeKind::Duration ? Value::duration(d) : Value::number(d);
}

Tri compare_with(check::Cmp cmp, const Value& a, const Value& b) {
  if (a.is_missing() || b.is_missing()) return Tri::Unknown;
  int c = compare(a, b);
  switch (cmp) {
    case check::Cmp::Eq: return tri(c == 0);
    case check::Cmp::Ne: return tri(c != 0);
    case check::Cmp::Lt: return tri(c < 0);
    case check::Cmp::Le: return tri(c <= 0);
    case check::Cmp::Gt: return tri(c > 0);
    case check::Cmp::Ge: return tri(c >= 0);
  }
  return Tri::Unknown;
}

}  // namespace

struct Executor::Lead {
  const Record* record = nullptr;
  int64_t as_of = 0;
  const Event* event = nullptr;      // inside an event filter
  EventFacts facts;
  const int64_t* scores = nullptr;  // per score, hundredths (in the total and tiers)
  int64_t total = 0;
  std::vector<uint8_t> defined;     // each define's Tri for this lead, or kNotYet
  std::vector<Value>* trace = nullptr;  // when explaining: Plan::trace's values
  static constexpr uint8_t kNotYet = 0xFF;
  static constexpr uint8_t kTraced = 0x10;  // or'ed into a define's Tri: its values are in the trace
};

namespace {

// What a call works in: its leads and, for batches, the column registers. Kept per thread and
// reused from call to call, so that vectors and strings keep their storage; a stack, so that a
// host function scoring on the same thread gets its own.
struct Workspace {
  std::vector<Executor::Lead> leads;
  std::vector<const Value*> regs;
  std::vector<Value> own;
};

class WorkspaceGuard {
 public:
  WorkspaceGuard() {
    Stack& s = stack();
    if (s.depth == s.items.size()) s.items.push_back(std::make_unique<Workspace>());
    w_ = s.items[s.depth++].get();
  }
  ~WorkspaceGuard() { --stack().depth; }
  Workspace& operator*() { return *w_; }
  Workspace* operator->() { return w_; }

 private:
  struct Stack {
    std::vector<std::unique_ptr<Workspace>> items;
    size_t depth = 0;
  };
  static Stack& stack() {
    thread_local Stack s;
    return s;
  }
  Workspace* w_;
};

}  // namespace

void Executor::start(Lead& lead, const Record& record, int64_t as_of, std::vector<Value>* trace) const {
  lead.record = &record;
  lead.as_of = as_of;
  lead.event = nullptr;
  lead.scores = nullptr;
  lead.total = 0;
  lead.defined.assign(plan_.defines.size(), Lead::kNotYet);
  lead.trace = trace;
  event_pass(lead);
  if (trace) {
    trace->assign(plan_.trace.size(), Value::missing());
    for (size_t q = 0; q < plan_.events.queries.size(); ++q) (*trace)[q] = Value::integer(lead.facts.count[q]);
  }
}

Executor::Executor(plan::Plan p, std::shared_ptr<const check::HostFunctions> hosts)
    : plan_(std::move(p)), hosts_(std::move(hosts)) {
  for (const plan::Regex& r : plan_.objects.regexes) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_case_sensitive(r.case_sensitive);
    regexes_.push_back(std::make_unique<RE2>(r.pattern, opts));
    if (!regexes_.back()->ok()) throw std::runtime_error("the plan's regular expression does not compile: " + r.pattern);
  }
  for (const auto& set : plan_.objects.text_sets) text_sets_.emplace_back(set.begin(), set.end());
  for (const auto& globs : plan_.objects.globs) {
    std::vector<Glob>& parts = globs_.emplace_back();
    for (const std::string& g : globs) {
      text::GlobParts p = text::glob_parts(g);
      parts.push_back({p.shape, std::string(p.text)});
    }
  }
  if (!plan_.objects.hosts.empty() && (!hosts_ || hosts_->size() != plan_.objects.hosts.size()))
    throw std::runtime_error("the plan calls functions of the program that are not given");
  for (const Program& prog : plan_.programs) longest_ = std::max(longest_, prog.code.size());
  // A filter `field = enum value` alone (three instructions), or that test `and` the rest (the
  // last instruction an And of it): only events with that value can pass.
  for (const plan::Program& f : plan_.events.filters) {
    Guard g;
    const auto& c = f.code;
    bool test = c.size() >= 3 && c[0].op == Opcode::EventField && c[1].op == Opcode::Const && c[2].op == Opcode::Compare &&
                c[2].cmp == check::Cmp::Eq && c[2].n == 2 && c[2].in[0] == 0 && c[2].in[1] == 1 &&
                plan_.objects.constants[static_cast<size_t>(c[1].arg)].kind == Value::Kind::Enum;
    bool whole = c.size() == 3 || (c.back().op == Opcode::And && (c.back().in[0] == 2 || c.back().in[1] == 2));
    if (test && whole) {
      g.field = c[0].arg;
      g.value = plan_.objects.constants[static_cast<size_t>(c[1].arg)].i;
    }
    guards_.push_back(g);
  }
}

Executor::~Executor() = default;

const Value* Executor::step(const Instr& x, const Value* const* in, Lead& lead, Value& tmp) const {
  const int64_t as_of = lead.as_of;
  switch (x.op) {
    case Opcode::Const: return &plan_.objects.constants[x.arg];
    case Opcode::LeadField: return &lead.record->fields[x.arg];
    case Opcode::EventField: return lead.event ? &lead.event->fields[x.arg] : &kMissingValue;
    case Opcode::NegInt:
    case Opcode::NegNum: tmp = negate(*in[0]); return &tmp;
    case Opcode::AddInt: tmp = whole(*in[0], *in[1], [](int64_t a, int64_t b, int64_t* r) { return __builtin_add_overflow(a, b, r); }); return &tmp;
    case Opcode::SubInt: tmp = whole(*in[0], *in[1], [](int64_t a, int64_t b, int64_t* r) { return __builtin_sub_overflow(a, b, r); }); return &tmp;
    case Opcode::MulInt: tmp = whole(*in[0], *in[1], [](int64_t a, int64_t b, int64_t* r) { return __builtin_mul_overflow(a, b, r); }); return &tmp;
    case Opcode::AddNum: tmp = real(x.type, *in[0], *in[1], [](double a, double b) { return a + b; }); return &tmp;
    case Opcode::SubNum: tmp = real(x.type, *in[0], *in[1], [](double a, double b) { return a - b; }); return &tmp;
    case Opcode::MulNum: tmp = real(x.type, *in[0], *in[1], [](double a, double b) { return a * b; }); return &tmp;
    case Opcode::DivNum:
      if (!in[1]->is_missing() && in[1]->as_double() == 0) return &kMissingValue;
      tmp = real(x.type, *in[0], *in[1], [](double a, double b) { return a / b; });
      return &tmp;
    case Opcode::Builtin:
    case Opcode::HostCall: {
      Value args[check::kMaxHostArgs];
      for (int i = 0; i < x.n; ++i) {
        if (in[i]->is_missing()) return &kMissingValue;
        args[i] = *in[i];
      }
      tmp = x.op == Opcode::HostCall ? call_host((*hosts_)[x.arg], args, x.n) : builtins::registry().fns[x.arg](args, as_of);
      return &tmp;
    }
    case Opcode::EmailDomain: {
      if (in[0]->is_missing()) return &kMissingValue;
      std::string d = builtins::email_domain(in[0]->s);
      tmp = d.empty() ? Value::missing() : Value::string(std::move(d));
      return &tmp;
    }
    case Opcode::DaysSinceTime:
      if (in[0]->is_missing()) return &kMissingValue;
      tmp = Value::integer(floor_days(as_of - in[0]->i));
      return &tmp;
    case Opcode::CountEvents: tmp = Value::integer(lead.facts.count[x.arg]); return &tmp;
    case Opcode::SumEvents: tmp = Value::number(lead.facts.sums[x.arg]); return &tmp;
    case Opcode::DaysSinceLast: {
      int64_t last = lead.facts.last[x.arg];
      if (last < 0) return &kMissingValue;
      tmp = Value::integer(floor_days(as_of - lead.record->events[last].time));
      return &tmp;
    }
    case Opcode::AnyEvents: {
      int64_t c = lead.facts.count[x.arg];
      return of_tri(tri(c >= x.lo && c <= x.hi));
    }
    case Opcode::ScoreRef: tmp = Value::number(double(lead.scores[x.arg]) / 100.0); return &tmp;
    case Opcode::TotalRef: tmp = Value::number(double(lead.total) / 100.0); return &tmp;
    case Opcode::Not: return of_tri(not3(tri_of(*in[0])));
    case Opcode::And: return of_tri(and3(tri_of(*in[0]), tri_of(*in[1])));
    case Opcode::Or: return of_tri(or3(tri_of(*in[0]), tri_of(*in[1])));
    case Opcode::Compare: return of_tri(compare_with(x.cmp, *in[0], *in[1]));
    case Opcode::IsMissing: return of_tri(tri(in[0]->is_missing() != x.neg));
    case Opcode::InText:
      if (in[0]->is_missing()) return &kMissingValue;
      return of_tri(tri(builtins::in_lower_set(text_sets_[x.arg], in[0]->s) != x.neg));
    case Opcode::InList: {
      if (in[0]->is_missing()) return &kMissingValue;
      const auto& items = plan_.objects.value_sets[x.arg];
      bool found = std::any_of(items.begin(), items.end(), [&](const Value& v) { return compare(*in[0], v) == 0; });
      return of_tri(tri(found != x.neg));
    }
    case Opcode::InPages:
    case Opcode::InPagesExact: {
      if (in[0]->is_missing()) return &kMissingValue;
      bool exact = x.op == Opcode::InPagesExact;
      const auto& globs = globs_[x.arg];
      bool found = std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return builtins::glob_match({g.shape, g.text}, in[0]->s, exact); });
      return of_tri(tri(found != x.neg));
    }
    case Opcode::Between: {
      const Value &a = *in[0], &lo = *in[1], &hi = *in[2];
      if (a.is_missing() || lo.is_missing() || hi.is_missing()) return &kMissingValue;
      return of_tri(tri((compare(lo, a) <= 0 && compare(a, hi) <= 0) != x.neg));
    }
    case Opcode::Contains:
    case Opcode::StartsWith:
    case Opcode::EndsWith: {
      const Value &a = *in[0], &b = *in[1];
      if (a.is_missing() || b.is_missing()) return &kMissingValue;
      if (x.op == Opcode::Contains) return of_tri(tri(builtins::contains_icase(a.s, b.s)));
      if (x.op == Opcode::StartsWith) return of_tri(tri(builtins::starts_with_icase(a.s, b.s)));
      return of_tri(tri(builtins::ends_with_icase(a.s, b.s)));
    }
    case Opcode::ContainsExact:
    case Opcode::StartsWithExact:
    case Opcode::EndsWithExact: {
      const Value &a = *in[0], &b = *in[1];
      if (a.is_missing() || b.is_missing()) return &kMissingValue;
      std::string_view s = a.s;
      if (x.op == Opcode::ContainsExact) return of_tri(tri(s.find(b.s) != std::string_view::npos));
      return of_tri(tri(x.op == Opcode::StartsWithExact ? s.starts_with(b.s) : s.ends_with(b.s)));
    }
    case Opcode::Matches:
      if (in[0]->is_missing()) return &kMissingValue;
      return of_tri(tri(RE2::PartialMatch(in[0]->s, *regexes_[x.arg])));
    case Opcode::TimeWithin: {
      const Value& t = *in[0];
      if (t.is_missing()) return &kMissingValue;
      return of_tri(tri(double(t.i) >= double(as_of) - x.d * double(check::kMsPerSecond) && t.i <= as_of));
    }
    case Opcode::Truthy:
      if (in[0]->is_missing()) return &kMissingValue;
      return of_tri(tri(in[0]->b));
    case Opcode::Define: return of_tri(define(x.arg, lead));
    case Opcode::SkipIfFalse:
    case Opcode::SkipIfTrue: return &kMissingValue;  // the runners act on jumps; they have no value
  }
  return &kMissingValue;
}

// Runs `prog` for one lead and returns its result. The pointer is valid
// until the next run. With `skip`, `and`/`or` skip their right side when the left decides,
// unless the lead is traced and so is the program: then every instruction runs and the traced
// registers are recorded.
const Value* Executor::run(const Program& prog, Lead& lead, bool skip) const {
  const bool tracing = lead.trace && !prog.trace.empty();
  if (tracing) skip = false;
  Scratch& s = scratch();
  const size_t base = s.regs.size(), len = prog.code.size();
  struct Pop {  // the frame goes however the run ends
    Scratch& s;
    size_t base;
    ~Pop() { s.regs.resize(base); }
  } pop{s, base};
  s.regs.resize(base + len, &kMissingValue);
  while (s.own.size() < base + len) s.own.emplace_back();
  for (size_t i = 0; i < len; ++i) {
    const Instr& x = prog.code[i];
    if (x.op == Opcode::SkipIfFalse || x.op == Opcode::SkipIfTrue) {
      const Value* a = s.regs[base + x.in[0]];
      if (skip && tri_of(*a) == (x.op == Opcode::SkipIfFalse ? Tri::False : Tri::True)) {
        s.regs[base + x.arg] = a;
        i = static_cast<size_t>(x.arg);
      }
      continue;
    }
    const Value* in[plan::kMaxOperands];
    for (int k = 0; k < x.n; ++k) in[k] = s.regs[base + x.in[k]];
    s.regs[base + i] = step(x, in, lead, s.own[base + i]);
  }
  if (tracing)
    for (auto [i, slot] : prog.trace) (*lead.trace)[static_cast<size_t>(slot)] = *s.regs[base + static_cast<size_t>(i)];
  return len ? s.regs[base + len - 1] : &kMissingValue;
}

Tri Executor::define(int slot, Lead& lead) const {
  uint8_t& memo = lead.defined[slot];
  // A define first run untraced (the batch runner runs programs the row runner would not) runs
  // again when a traced program needs it, so that its values are recorded.
  bool record = lead.trace && (memo == Lead::kNotYet || !(memo & Lead::kTraced));
  if (memo == Lead::kNotYet || record) {
    struct Restore {  // a define reads the lead and its events, never the current event
      Lead& lead;
      const Event* saved;
      ~Restore() { lead.event = saved; }
    } restore{lead, lead.event};
    lead.event = nullptr;
    memo = static_cast<uint8_t>(tri_of(*run(plan_.programs[plan_.defines[slot]], lead, true)));
    if (record) memo |= Lead::kTraced;
  }
  return static_cast<Tri>(memo & ~Lead::kTraced);
}

void Executor::event_pass(Lead& lead) const {
  const plan::EventPlan& ep = plan_.events;
  EventFacts& f = lead.facts;
  size_t q = ep.queries.size();
  f.count.assign(q, 0);
  f.last.assign(q, -1);
  f.sums.assign(ep.sums.size(), 0.0);
  f.points.assign(ep.eaches.size(), 0.0);
  f.decayed.assign(ep.eaches.size(), 0);
  if (q == 0) return;
  const auto& ev = lead.record->events;
  const int64_t as_of = lead.as_of;
  auto end = std::upper_bound(ev.begin(), ev.end(), as_of, [](int64_t t, const Event& e) { return t < e.time; });
  auto begin = ev.begin();
  if (ep.widest >= 0) {
    double from = double(as_of) - ep.widest * double(check::kMsPerSecond);  // windows are seconds, times ms
    begin = std::lower_bound(ev.begin(), end, from, [](const Event& e, double t) { return double(e.time) < t; });
  }
  // Per event: which filters accepted it, and which queries count it.
  uint8_t small[128];
  std::vector<uint8_t> big;
  size_t need = ep.filters.size() + q;
  uint8_t* acc = need <= sizeof small ? small : (big.resize(need), big.data());
  uint8_t* hit = acc + ep.filters.size();
  // A filter is not tested on events older than its queries' widest window (filter_widest).
  thread_local std::vector<double> filter_from;
  filter_from.resize(ep.filters.size());
  for (size_t k = 0; k < ep.filters.size(); ++k)
    filter_from[k] = ep.filter_widest[k] < 0 ? -std::numeric_limits<double>::infinity()
                                             : double(as_of) - ep.filter_widest[k] * double(check::kMsPerSecond);
  for (auto it = begin; it != end; ++it) {
    lead.event = &*it;
    for (size_t k = 0; k < ep.filters.size(); ++k) {
      if (double(it->time) < filter_from[k]) {
        acc[k] = 0;
        continue;
      }
      const Guard& g = guards_[k];
      if (g.field >= 0) {
        const Value& v = it->fields[static_cast<size_t>(g.field)];
        if (v.is_missing() || v.i != g.value) {
          acc[k] = 0;
          continue;
        }
      }
      acc[k] = tri_of(*run(ep.filters[k], lead, true)) == Tri::True;
    }
    lead.event = nullptr;
    for (size_t k = 0; k < q; ++k) {
      const plan::Query& query = ep.queries[k];
      hit[k] = acc[query.filter] &&
               (query.window < 0 || double(it->time) >= double(as_of) - query.window * double(check::kMsPerSecond));
      if (!hit[k]) continue;
      ++f.count[k];
      f.last[k] = it - ev.begin();
    }
    for (size_t k = 0; k < ep.sums.size(); ++k) {
      const Value& v = it->fields[ep.sums[k].field];
      if (hit[ep.sums[k].query] && !v.is_missing()) f.sums[k] += v.as_double();
    }
    for (size_t k = 0; k < ep.eaches.size(); ++k) {
      const plan::Each& e = ep.eaches[k];
      if (!hit[e.query]) continue;
      const plan::Score& score = plan_.scores[e.score];
      double factor = decay_factor(plan_.objects.decays[score.decay], as_of - it->time);
      if (factor < 1) f.decayed[k] = 1;
      f.points[k] += score.rules[e.rule].points * factor;
    }
  }
}

namespace {

// An `each` rule's hit from the event pass, or false when it gives nothing.
bool each_hit(const plan::Rule& rule, const EventFacts& f, int64_t events, RuleHit& hit) {
  hit.events = events;
  if (events == 0 || events < rule.freq_lo || events > rule.freq_hi) return false;
  double points = f.points[rule.each];
  hit.decayed = f.decayed[rule.each] != 0;
  if (rule.cap && std::abs(points) > *rule.cap) {
    points = points < 0 ? -*rule.cap : *rule.cap;
    hit.capped = true;
  }
  hit.cents = check::to_cents(points);
  return true;
}

int64_t clamp_score(const plan::Score& score, __int128 wide) {
  int64_t sum = check::saturate_cents(wide);
  if (score.floor) sum = std::max(sum, *score.floor);
  if (score.ceiling) sum = std::min(sum, *score.ceiling);
  return sum;
}

int64_t sum_of_scores(const std::vector<int64_t>& scores) {
  __int128 total = 0;
  for (int64_t s : scores) total += s;
  return check::saturate_cents(total);
}

int64_t total_cents(const Value& v) { return v.is_missing() ? 0 : check::to_cents(v.as_double()); }

}  // namespace

Outcome Executor::score(const Record& record, int64_t as_of, bool explain, bool trace) const {
  Outcome out;
  score_into(record, as_of, explain, trace, out);
  return out;
}

void Executor::score_into(const Record& record, int64_t as_of, bool explain, bool trace, Outcome& out) const {
  WorkspaceGuard w;
  if (w->leads.empty()) w->leads.emplace_back();
  Lead& lead = w->leads[0];
  out.scores.clear();
  out.tiers.clear();
  out.hits.clear();
  out.total = 0;
  out.disqualifier = -1;
  if (!trace) out.trace.clear();
  start(lead, record, as_of, trace ? &out.trace : nullptr);
  out.scores.reserve(plan_.scores.size());
  for (size_t s = 0; s < plan_.scores.size(); ++s) {
    const plan::Score& score = plan_.scores[s];
    __int128 wide = 0;  // no number of rules can overflow it; saturated below
    for (size_t r = 0; r < score.rules.size(); ++r) {
      const plan::Rule& rule = score.rules[r];
      RuleHit hit{static_cast<int>(s), static_cast<int>(r)};
      if (rule.program >= 0) {
        if (tri_of(*run(plan_.programs[rule.program], lead, true)) != Tri::True) continue;
        hit.cents = check::to_cents(rule.points);
      } else if (!each_hit(rule, lead.facts, lead.facts.count[plan_.events.eaches[rule.each].query], hit)) {
        continue;
      }
      wide += hit.cents;
      if (explain) out.hits.push_back(hit);
    }
    out.scores.push_back(clamp_score(score, wide));
  }
  lead.scores = out.scores.data();
  out.total = plan_.total >= 0 ? total_cents(*run(plan_.programs[plan_.total], lead, true)) : sum_of_scores(out.scores);
  lead.total = out.total;
  for (size_t d = 0; d < plan_.disqualifiers.size() && out.disqualifier < 0; ++d)
    if (tri_of(*run(plan_.programs[plan_.disqualifiers[d].program], lead, true)) == Tri::True) out.disqualifier = static_cast<int>(d);
  for (const plan::TierSet& set : plan_.tier_sets) {
    int chosen = -1;
    for (size_t t = 0; out.disqualifier < 0 && t < set.tiers.size() && chosen < 0; ++t)
      if (set.tiers[t].program < 0 || tri_of(*run(plan_.programs[set.tiers[t].program], lead, true)) == Tri::True)
        chosen = static_cast<int>(t);
    out.tiers.push_back(chosen);
  }
}

void Executor::score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out,
                           bool trace) const {
  WorkspaceGuard w;
  if (w->leads.size() < n) w->leads.resize(n);
  std::vector<Lead>& leads = w->leads;
  for (size_t i = 0; i < n; ++i) {
    out[i] = Outcome();
    start(leads[i], *records[i], as_of, trace ? &out[i].trace : nullptr);
    out[i].scores.assign(plan_.scores.size(), 0);
  }
  // Column registers: regs[i * n + lead], reused by every program of the batch.
  std::vector<const Value*>& regs = w->regs;
  std::vector<Value>& own = w->own;
  if (regs.size() < longest_ * n) regs.resize(longest_ * n);
  if (own.size() < longest_ * n) own.resize(longest_ * n);
  std::vector<Tri> col(n);
  // Runs `prog` for every lead. When tracing, only the leads for which the row runner would
  // run it (`needed`) record its values, and the defines it reaches, in their traces, so that
  // both runners leave the same slots missing. (Traced batches are of one lead today, from
  // BatchInterpreter::score_traced; the rule holds for any size.)
  auto run_all = [&](const Program& prog, auto needed) {
    if (trace)
      for (size_t l = 0; l < n; ++l) leads[l].trace = needed(l) ? &out[l].trace : nullptr;
    const Value* in[plan::kMaxOperands];
    for (size_t i = 0; i < prog.code.size(); ++i) {
      const Instr& x = prog.code[i];
      if (x.op == Opcode::SkipIfFalse || x.op == Opcode::SkipIfTrue) continue;  // every lead runs everything
      for (size_t l = 0; l < n; ++l) {
        for (int k = 0; k < x.n; ++k) in[k] = regs[static_cast<size_t>(x.in[k]) * n + l];
        regs[i * n + l] = step(x, in, leads[l], own[i * n + l]);
      }
    }
    size_t last = prog.code.size() - 1;
    for (size_t l = 0; l < n; ++l) col[l] = tri_of(*regs[last * n + l]);
    if (!trace) return;
    for (size_t l = 0; l < n; ++l) {
      if (!leads[l].trace) continue;
      for (auto [i, slot] : prog.trace) out[l].trace[static_cast<size_t>(slot)] = *regs[static_cast<size_t>(i) * n + l];
    }
  };
  auto every = [](size_t) { return true; };
  std::vector<__int128> wide(n);
  for (size_t s = 0; s < plan_.scores.size(); ++s) {
    const plan::Score& score = plan_.scores[s];
    std::fill(wide.begin(), wide.end(), 0);
    for (size_t r = 0; r < score.rules.size(); ++r) {
      const plan::Rule& rule = score.rules[r];
      if (rule.program >= 0) run_all(plan_.programs[rule.program], every);
      for (size_t l = 0; l < n; ++l) {
        RuleHit hit{static_cast<int>(s), static_cast<int>(r)};
        if (rule.program >= 0) {
          if (col[l] != Tri::True) continue;
          hit.cents = check::to_cents(rule.points);
        } else if (!each_hit(rule, leads[l].facts, leads[l].facts.count[plan_.events.eaches[rule.each].query], hit)) {
          continue;
        }
        wide[l] += hit.cents;
        if (explain) out[l].hits.push_back(hit);
      }
    }
    for (size_t l = 0; l < n; ++l) out[l].scores[s] = clamp_score(score, wide[l]);
  }
  for (size_t l = 0; l < n; ++l) leads[l].scores = out[l].scores.data();
  if (plan_.total >= 0) {
    const Program& prog = plan_.programs[plan_.total];
    run_all(prog, every);
    for (size_t l = 0; l < n; ++l) out[l].total = total_cents(*regs[(prog.code.size() - 1) * n + l]);
  } else {
    for (size_t l = 0; l < n; ++l) out[l].total = sum_of_scores(out[l].scores);
  }
  for (size_t l = 0; l < n; ++l) leads[l].total = out[l].total;
  for (const plan::Disqualifier& d : plan_.disqualifiers) {
    run_all(plan_.programs[d.program], [&](size_t l) { return out[l].disqualifier < 0; });
    for (size_t l = 0; l < n; ++l)
      if (out[l].disqualifier < 0 && col[l] == Tri::True) out[l].disqualifier = static_cast<int>(&d - plan_.disqualifiers.data());
  }
  for (size_t l = 0; l < n; ++l) out[l].tiers.assign(plan_.tier_sets.size(), -1);
  for (size_t set = 0; set < plan_.tier_sets.size(); ++set) {
    for (size_t t = 0; t < plan_.tier_sets[set].tiers.size(); ++t) {
      int program = plan_.tier_sets[set].tiers[t].program;
      if (program >= 0)
        run_all(plan_.programs[program], [&](size_t l) { return out[l].disqualifier < 0 && out[l].tiers[set] < 0; });
      for (size_t l = 0; l < n; ++l) {
        if (out[l].disqualifier >= 0 || out[l].tiers[set] >= 0) continue;
        if (program < 0 || col[l] == Tri::True) out[l].tiers[set] = static_cast<int>(t);
      }
    }
  }
}

}  // namespace rubric::interp
