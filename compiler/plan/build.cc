// SPDX-License-Identifier: Apache-2.0
// CheckedModel → Plan: each checked tree becomes a postorder instruction list (its kids first),
// `and`/`or` get a forward jump over their right side, and everything a back end needs besides
// code (sets, globs, regexes, decay, host signatures) goes into the object table as data.
#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "compiler/plan/plan.h"

namespace rubric::plan {

using check::Node;
using check::Op;

const char* opcode_name(Opcode op) {
  switch (op) {
#define PLAN_OP(name, operands, result, imm, traced, doc) \
  case Opcode::name: return #name;
#include "compiler/plan/ops.def"
#undef PLAN_OP
  }
  return "?";
}

Imm immediate_of(Opcode op) {
  switch (op) {
#define PLAN_OP(name, operands, result, imm, traced, doc) \
  case Opcode::name: return Imm::imm;
#include "compiler/plan/ops.def"
#undef PLAN_OP
  }
  return Imm::None;
}

bool traced_op(Opcode op) {
  switch (op) {
#define PLAN_OP(name, operands, result, imm, traced, doc) \
  case Opcode::name: return traced;
#include "compiler/plan/ops.def"
#undef PLAN_OP
  }
  return false;
}

namespace {

class Builder {
 public:
  explicit Builder(const check::CheckedModel& m) : m_(m) {
    int i = 0;
    for (const Node& n : m.nodes) node_id_[&n] = i++;
    lead_used_.assign(m.lead.fields.size(), false);
    event_used_.assign(m.event.fields.size(), false);
  }

  Plan run() {
    p_.name = m_.name;
    p_.lead_fields = m_.lead.fields.size();
    p_.event_fields = m_.event.fields.size();
    // The key is always read: every output row carries it.
    if (m_.key_field >= 0) lead_used_[m_.key_field] = true;
    if (m_.event_kind_field >= 0 && m_.has_events) event_used_[m_.event_kind_field] = true;
    if (m_.event_time_field >= 0 && m_.has_events) event_used_[m_.event_time_field] = true;
    event_plan();
    for (size_t q = 0; q < p_.events.queries.size(); ++q) p_.trace.push_back({-1, static_cast<int32_t>(q)});
    for (size_t d = 0; d < m_.defines.size(); ++d) {
      p_.defines.push_back(traced(program(m_.defines[d]->kids[0])));
      p_.define_names.push_back(d < m_.define_names.size() ? m_.define_names[d] : "");
    }
    for (size_t s = 0; s < m_.scores.size(); ++s) {
      const check::Score& cs = m_.scores[s];
      Score score;
      score.name = cs.name;
      if (cs.floor) score.floor = check::to_cents(*cs.floor);
      if (cs.ceiling) score.ceiling = check::to_cents(*cs.ceiling);
      score.decay = static_cast<int>(p_.objects.decays.size());
      p_.objects.decays.push_back(cs.decay);
      for (size_t r = 0; r < cs.rules.size(); ++r) {
        const check::Rule& cr = cs.rules[r];
        Rule rule;
        rule.label = cr.label;
        rule.line = cr.line;
        rule.range = cr.range;
        rule.points = cr.points;
        rule.cap = cr.cap;
        rule.freq_lo = cr.freq_lo;
        rule.freq_hi = cr.freq_hi;
        if (cr.each) {
          rule.each = static_cast<int>(p_.events.eaches.size());
          p_.events.eaches.push_back({static_cast<int>(s), static_cast<int>(r), query_index_.at(cr.query)});
        } else {
          rule.program = traced(program(cr.cond));
        }
        score.rules.push_back(std::move(rule));
      }
      p_.scores.push_back(std::move(score));
    }
    if (m_.total) p_.total = program(m_.total);
    for (const check::Disqualifier& d : m_.disqualifiers) p_.disqualifiers.push_back({d.reason, traced(program(d.cond))});
    for (const check::TierSet& set : m_.tier_sets) {
      TierSet ts{set.name, {}};
      for (const check::Tier& t : set.tiers) ts.tiers.push_back({t.name, t.cond ? traced(program(t.cond)) : -1});
      p_.tier_sets.push_back(std::move(ts));
    }
    if (m_.host_functions)
      for (const check::HostFunction& h : *m_.host_functions) p_.objects.hosts.push_back({h.name, h.args, h.result});
    for (size_t i = 0; i < lead_used_.size(); ++i)
      if (lead_used_[i]) p_.layout.lead.push_back({static_cast<int>(i), m_.lead.fields[i].name, m_.lead.fields[i].type.kind});
    for (size_t i = 0; i < event_used_.size(); ++i)
      if (event_used_[i]) p_.layout.event.push_back({static_cast<int>(i), m_.event.fields[i].name, m_.event.fields[i].type.kind});
    return std::move(p_);
  }

 private:
  // The queries in the checked model's order, their distinct filters, and every `sum of`.
  void event_plan() {
    std::unordered_map<const Node*, int> filter_index;
    double widest = 0;
    for (const check::EventQuery& q : m_.queries) {
      auto [it, fresh] = filter_index.emplace(q.filter, static_cast<int>(p_.events.filters.size()));
      if (fresh) {
        Program prog;
        cur_ = &prog;
        node(q.filter);
        cur_ = nullptr;
        p_.events.filters.push_back(std::move(prog));
        p_.events.filter_widest.push_back(0);
      }
      query_index_[&q] = static_cast<int>(p_.events.queries.size());
      p_.events.queries.push_back({it->second, q.window_seconds});
      auto wider = [&](double w) { return q.window_seconds < 0 || w < 0 ? -1 : std::max(w, q.window_seconds); };
      widest = wider(widest);
      double& fw = p_.events.filter_widest[static_cast<size_t>(it->second)];
      fw = wider(fw);
    }
    for (const Node& n : m_.nodes)
      if (n.op == Op::SumEvents) {
        sum_index_[&n] = static_cast<int>(p_.events.sums.size());
        p_.events.sums.push_back({query_index_.at(n.query), n.slot});
        event_used_[n.slot] = true;
      }
    p_.events.widest = widest;
  }

  int program(const Node* n) {
    p_.programs.emplace_back();
    int index = static_cast<int>(p_.programs.size() - 1);
    Program prog;
    cur_ = &prog;
    node(n);
    cur_ = nullptr;
    p_.programs[index] = std::move(prog);
    return index;
  }

  // Gives program `index` trace slots (Plan::trace): its result, and every instruction making a
  // value an explanation shows beside the fields it reads (ops.def's traced column).
  int traced(int index) {
    Program& prog = p_.programs[static_cast<size_t>(index)];
    for (size_t i = 0; i < prog.code.size(); ++i) {
      const Instr& x = prog.code[i];
      bool shown = traced_op(x.op);
      if (!shown && i + 1 != prog.code.size()) continue;
      prog.trace.push_back({static_cast<int32_t>(i), static_cast<int32_t>(p_.trace.size())});
      p_.trace.push_back({x.node, -1});
    }
    return index;
  }

  int emit(Opcode op, const Node* n, std::initializer_list<int> in = {}) {
    Instr x;
    x.op = op;
    x.type = n->type.kind;
    for (int r : in) x.in[x.n++] = r;
    x.node = node_id_.at(n);
    x.range = n->range;
    cur_->code.push_back(x);
    return static_cast<int>(cur_->code.size() - 1);
  }
  Instr& at(int r) { return cur_->code[static_cast<size_t>(r)]; }

  // Equal constants share one entry.
  int constant(const Value& v) {
    std::string key = std::to_string(static_cast<int>(v.kind)) + ":" + check::value_text(v);
    auto [it, fresh] = constant_index_.emplace(std::move(key), static_cast<int>(p_.objects.constants.size()));
    if (fresh) p_.objects.constants.push_back(v);
    return it->second;
  }

  // Emits `n` and returns its register.
  int node(const Node* n) {
    switch (n->op) {
      case Op::Literal: {
        int r = emit(Opcode::Const, n);
        at(r).arg = constant(n->lit);
        return r;
      }
      case Op::LeadField: {
        lead_used_[n->slot] = true;
        int r = emit(Opcode::LeadField, n);
        at(r).arg = n->slot;
        return r;
      }
      case Op::EventField: {
        event_used_[n->slot] = true;
        int r = emit(Opcode::EventField, n);
        at(r).arg = n->slot;
        return r;
      }
      case Op::Neg: {
        int a = node(n->kids[0]);
        return emit(n->type.is(TypeKind::Int) ? Opcode::NegInt : Opcode::NegNum, n, {a});
      }
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div: {
        int a = node(n->kids[0]);
        int b = node(n->kids[1]);
        bool whole = n->type.is(TypeKind::Int);
        Opcode op = n->op == Op::Add   ? (whole ? Opcode::AddInt : Opcode::AddNum)
                    : n->op == Op::Sub ? (whole ? Opcode::SubInt : Opcode::SubNum)
                    : n->op == Op::Mul ? (whole ? Opcode::MulInt : Opcode::MulNum)
                                       : Opcode::DivNum;
        return emit(op, n, {a, b});
      }
      case Op::Call: {
        int args[kMaxOperands];
        for (size_t i = 0; i < n->kids.size(); ++i) args[i] = node(n->kids[i]);
        int r = emit(n->host ? Opcode::HostCall : Opcode::Builtin, n);
        Instr& x = at(r);
        for (size_t i = 0; i < n->kids.size(); ++i) x.in[x.n++] = args[i];
        x.arg = n->host ? static_cast<int>(n->host - m_.host_functions->data()) : n->slot;
        return r;
      }
      case Op::EmailDomain: return emit(Opcode::EmailDomain, n, {node(n->kids[0])});
      case Op::DaysSinceTime: return emit(Opcode::DaysSinceTime, n, {node(n->kids[0])});
      case Op::CountEvents: return with_arg(emit(Opcode::CountEvents, n), query_index_.at(n->query));
      case Op::SumEvents: return with_arg(emit(Opcode::SumEvents, n), sum_index_.at(n));
      case Op::DaysSinceLast: return with_arg(emit(Opcode::DaysSinceLast, n), query_index_.at(n->query));
      case Op::AnyEvents: {
        int r = with_arg(emit(Opcode::AnyEvents, n), query_index_.at(n->query));
        at(r).lo = n->freq_lo;
        at(r).hi = n->freq_hi;
        return r;
      }
      case Op::ScoreRef: return with_arg(emit(Opcode::ScoreRef, n), n->slot);
      case Op::TotalRef: return emit(Opcode::TotalRef, n);
      case Op::Not: return emit(Opcode::Not, n, {node(n->kids[0])});
      case Op::And:
      case Op::Or: {
        bool is_and = n->op == Op::And;
        int a = node(n->kids[0]);
        int skip = emit(is_and ? Opcode::SkipIfFalse : Opcode::SkipIfTrue, n, {a});
        int b = node(n->kids[1]);
        int r = emit(is_and ? Opcode::And : Opcode::Or, n, {a, b});
        at(skip).arg = r;
        return r;
      }
      case Op::Compare: {
        int a = node(n->kids[0]);
        int b = node(n->kids[1]);
        int r = emit(Opcode::Compare, n, {a, b});
        at(r).cmp = n->cmp;
        return r;
      }
      case Op::IsMissing: return negated(emit(Opcode::IsMissing, n, {node(n->kids[0])}), n);
      case Op::InSet: {
        int a = node(n->kids[0]);
        if (n->kids[0]->type.is(TypeKind::String)) {
          std::vector<std::string> items(n->string_set.begin(), n->string_set.end());
          std::sort(items.begin(), items.end());
          p_.objects.text_sets.push_back(std::move(items));
          return negated(with_arg(emit(Opcode::InText, n, {a}), static_cast<int>(p_.objects.text_sets.size() - 1)), n);
        }
        p_.objects.value_sets.push_back(n->set);
        return negated(with_arg(emit(Opcode::InList, n, {a}), static_cast<int>(p_.objects.value_sets.size() - 1)), n);
      }
      case Op::InPages: {
        int a = node(n->kids[0]);
        p_.objects.globs.push_back(n->patterns);
        Opcode op = n->exact_case ? Opcode::InPagesExact : Opcode::InPages;
        return negated(with_arg(emit(op, n, {a}), static_cast<int>(p_.objects.globs.size() - 1)), n);
      }
      case Op::Between: {
        int a = node(n->kids[0]);
        int lo = node(n->kids[1]);
        int hi = node(n->kids[2]);
        return negated(emit(Opcode::Between, n, {a, lo, hi}), n);
      }
      case Op::Contains:
      case Op::StartsWith:
      case Op::EndsWith: {
        int a = node(n->kids[0]);
        int b = node(n->kids[1]);
        Opcode op = n->op == Op::Contains     ? (n->exact_case ? Opcode::ContainsExact : Opcode::Contains)
                    : n->op == Op::StartsWith ? (n->exact_case ? Opcode::StartsWithExact : Opcode::StartsWith)
                                              : (n->exact_case ? Opcode::EndsWithExact : Opcode::EndsWith);
        return emit(op, n, {a, b});
      }
      case Op::Matches: {
        int a = node(n->kids[0]);
        p_.objects.regexes.push_back({n->regex->pattern(), n->regex->options().case_sensitive()});
        return with_arg(emit(Opcode::Matches, n, {a}), static_cast<int>(p_.objects.regexes.size() - 1));
      }
      case Op::TimeWithin: {
        int r = emit(Opcode::TimeWithin, n, {node(n->kids[0])});
        at(r).d = n->span_seconds;
        return r;
      }
      case Op::Truthy: return emit(Opcode::Truthy, n, {node(n->kids[0])});
      case Op::Define: return with_arg(emit(Opcode::Define, n), n->slot);
    }
    throw std::logic_error("plan: an operation of the checked model has no opcode");
  }

  int with_arg(int r, int arg) {
    at(r).arg = arg;
    return r;
  }
  int negated(int r, const Node* n) {
    at(r).neg = n->negated;
    return r;
  }

  const check::CheckedModel& m_;
  Plan p_;
  Program* cur_ = nullptr;
  std::unordered_map<const Node*, int> node_id_;
  std::unordered_map<const check::EventQuery*, int> query_index_;
  std::unordered_map<const Node*, int> sum_index_;
  std::unordered_map<std::string, int> constant_index_;
  std::vector<bool> lead_used_, event_used_;
};

}  // namespace

Plan build(const check::CheckedModel& m) { return Builder(m).run(); }

}  // namespace rubric::plan
