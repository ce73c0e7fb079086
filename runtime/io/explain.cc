// SPDX-License-Identifier: Apache-2.0
// `rubric explain`: one lead's scoring told rule by rule, for a marketer at a terminal (or as
// JSON for a program): every rule with whether it fired, the values it saw (durations in the
// rule's own unit), its points with decay and caps, why the lead got its tier, and how far it
// was from the next tier up.
#include "runtime/io/explain.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "compiler/plan/plan.h"
#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/time.h"

namespace rubric::io {

namespace {

using check::Node;
using check::Op;
using check::Value;

// A time unit: seconds per unit and its plural name.
struct Unit {
  double seconds;
  const char* plural;
};
constexpr Unit kUnits[] = {{31536000, "years"}, {2592000, "months"}, {604800, "weeks"}, {86400, "days"},
                           {3600, "hours"},     {60, "minutes"},     {1, "seconds"}};

// The unit a duration literal is written in (`90 days`, `10 min`), from its last word.
std::optional<Unit> unit_of_text(std::string_view text) {
  size_t end = text.find_last_not_of(" \t");
  if (end == std::string_view::npos) return std::nullopt;
  size_t begin = text.find_last_of(" \t0123456789.", end);
  std::string word = text::to_lower(text.substr(begin == std::string_view::npos ? 0 : begin + 1, end + 1 - (begin + 1)));
  static const std::pair<const char*, size_t> kPrefixes[] = {{"y", 0}, {"mo", 1}, {"w", 2}, {"d", 3},
                                                             {"h", 4}, {"mi", 5}, {"s", 6}};
  for (const auto& [prefix, unit] : kPrefixes)
    if (word.rfind(prefix, 0) == 0) return kUnits[unit];
  return std::nullopt;
}

// The unit whose length is `seconds` (a field's `duration in days`), if it is one of them.
std::optional<Unit> unit_of_seconds(double seconds) {
  for (const Unit& u : kUnits)
    if (u.seconds == seconds) return u;
  return std::nullopt;
}

std::string show_duration(double seconds, const Unit& u) {
  double n = seconds / u.seconds;
  std::string word = u.plural;
  if (n == 1 || n == -1) word.pop_back();
  return fmt::format("{} {}", n, word);
}

// A decay period in days when it is whole days (`30 days`, as models write them), else in the
// largest smaller unit that measures it whole (`12 hours`).
std::string show_period(double seconds) {
  for (size_t i = 3; i < std::size(kUnits); ++i)
    if (seconds >= kUnits[i].seconds && std::fmod(seconds, kUnits[i].seconds) == 0) return show_duration(seconds, kUnits[i]);
  return show_duration(seconds, kUnits[6]);
}

std::string show(const Value& v, const check::Type& t, std::optional<Unit> unit = std::nullopt) {
  switch (v.kind) {
    case Value::Kind::Missing: return "missing";
    case Value::Kind::Bool: return v.b ? "yes" : "no";
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Number: return fmt::format("{}", v.d);
    case Value::Kind::String: return text::json_string(v.s);
    case Value::Kind::Time: return format_time(v.i);
    case Value::Kind::Duration: return show_duration(v.d, unit.value_or(kUnits[6]));
    case Value::Kind::Enum:
      if (t.enum_type && v.i >= 0 && static_cast<size_t>(v.i) < t.enum_type->values.size())
        return t.enum_type->values[v.i];
      return std::to_string(v.i);
  }
  return "?";
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + text::json_string(items[i]);
  return out + "]";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& x : items) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

// One rule as explained.
struct RuleLine {
  std::string status;  // yes, no, unknown
  std::optional<int64_t> cents;
  std::string label, detail, text;
  std::vector<std::string> facts;
  int line = 0;
};

// One unmet part of the next tier's condition: `total >= 40` with the points missing.
struct Shortfall {
  std::string what, condition;
  int64_t cents = 0;
  bool strict = false;  // `>`: more than `cents` is needed
};

class Explainer {
 public:
  Explainer(const check::CheckedModel& m, const plan::Plan& p, const interp::Record& r, int64_t as_of,
            const source::SourceManager& sm, const interp::Outcome& o, const ExplainOptions& opts)
      : m_(m), p_(p), r_(r), as_of_(as_of), sm_(sm), o_(o), opts_(opts) {
    // Where each checked node's value and each query's count sit in the outcome's trace. A
    // value-making node is computed by one instruction, so it has one slot. A define's node is
    // the instruction of every condition that uses it, each with its own slot, filled only when
    // that program ran: it is not mapped, and a rule's result is read from its own program.
    std::vector<const Node*> nodes;
    for (const Node& n : m.nodes) nodes.push_back(&n);
    query_slot_.assign(m.queries.size(), -1);
    for (size_t k = 0; k < p.trace.size(); ++k) {
      const plan::TraceSlot& t = p.trace[k];
      if (t.node >= 0 && static_cast<size_t>(t.node) < nodes.size() && nodes[static_cast<size_t>(t.node)]->op != Op::Define)
        node_slot_.emplace(nodes[static_cast<size_t>(t.node)], static_cast<int>(k));
      if (t.query >= 0) query_slot_[static_cast<size_t>(t.query)] = static_cast<int>(k);
    }
    int q = 0;
    for (const check::EventQuery& query : m.queries) query_index_[&query] = q++;
  }

  // Whether rule `r` of score `s` (not an `each` rule) held in the scoring: its program's result.
  Value rule_result(size_t s, size_t r) const {
    const plan::Rule& rule = p_.scores[s].rules[r];
    if (rule.program < 0) return Value::missing();
    const plan::Program& prog = p_.programs[static_cast<size_t>(rule.program)];
    if (prog.trace.empty() || static_cast<size_t>(prog.trace.back().first) + 1 != prog.code.size()) return Value::missing();
    return o_.trace[static_cast<size_t>(prog.trace.back().second)];
  }

  // The value `n` had in the scoring, from its trace; missing when nothing computed it.
  Value traced(const Node* n) const {
    auto it = node_slot_.find(n);
    return it == node_slot_.end() ? Value::missing() : o_.trace[static_cast<size_t>(it->second)];
  }
  // How many events `query` matched in the scoring.
  int64_t matched(const check::EventQuery* query) const {
    auto it = query_index_.find(query);
    if (it == query_index_.end()) return 0;
    int slot = query_slot_[static_cast<size_t>(it->second)];
    if (slot < 0 || o_.trace[static_cast<size_t>(slot)].is_missing()) return 0;
    return o_.trace[static_cast<size_t>(slot)].i;
  }

  // What the condition looked at: fields with their values, behaviours with their event counts,
  // computed values (`count of`, `sum of`, `days since`, functions) with their results.
  // Durations are shown in `unit` (the condition's literals'), else in their field's unit.
  void facts(const Node* n, std::vector<std::string>& out, std::set<std::string>& seen, std::optional<Unit> unit) {
    if (n->op == Op::Define && !defines_seen_.insert(n).second) return;  // a shared define: its facts once
    std::string fact;
    switch (n->op) {
      case Op::LeadField: {
        const check::Field& f = m_.lead.fields[n->slot];
        fact = fmt::format("{} = {}", f.name, show(r_.fields[n->slot], f.type, unit ? unit : unit_of_seconds(f.unit_seconds)));
        break;
      }
      case Op::AnyEvents:
      case Op::CountEvents:
      case Op::SumEvents:
      case Op::DaysSinceLast:
      case Op::DaysSinceTime:
      case Op::Call:
      case Op::EmailDomain: {
        std::string what(sm_.text(n->range));
        if (n->op == Op::AnyEvents) {
          // Show how many events the behaviour found, not just yes/no.
          int64_t events = matched(n->query);
          fact = fmt::format("{}: {} matching event{}", what, events, events == 1 ? "" : "s");
        } else {
          fact = fmt::format("{} = {}", what, show(traced(n), n->type, unit));
        }
        break;
      }
      case Op::ScoreRef:
        fact = fmt::format("{} = {}", m_.scores[n->slot].name, format_points(o_.scores[n->slot]));
        break;
      case Op::TotalRef: fact = fmt::format("total = {}", format_points(o_.total)); break;
      case Op::Literal:
      case Op::EventField:
      case Op::Neg:
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Not:
      case Op::And:
      case Op::Or:
      case Op::Compare:
      case Op::IsMissing:
      case Op::InSet:
      case Op::InPages:
      case Op::Between:
      case Op::Contains:
      case Op::StartsWith:
      case Op::EndsWith:
      case Op::Matches:
      case Op::TimeWithin:
      case Op::Truthy:
      case Op::Define: break;  // no fact of their own: their parts have
    }
    if (!fact.empty() && seen.insert(fact).second) out.push_back(fact);
    if (n->op == Op::AnyEvents || n->op == Op::CountEvents || n->op == Op::SumEvents || n->op == Op::DaysSinceLast) return;
    for (const Node* k : n->kids) facts(k, out, seen, unit);
  }

  // The largest unit a duration literal of `n` is written in (`pdays <= 90 days`: days).
  static void literal_unit(const Node* n, std::optional<Unit>& unit, const source::SourceManager& sm) {
    if (n->op == Op::Literal && n->lit.kind == Value::Kind::Duration)
      if (auto u = unit_of_text(sm.text(n->range)); u && (!unit || u->seconds > unit->seconds)) unit = u;
    for (const Node* k : n->kids) literal_unit(k, unit, sm);
  }

  std::vector<std::string> facts_of(const Node* n) {
    std::vector<std::string> list;
    std::set<std::string> seen;
    defines_seen_.clear();
    std::optional<Unit> unit;
    literal_unit(n, unit, sm_);
    facts(n, list, seen, unit);
    return list;
  }

  // The unmet parts of `cond` when it is a threshold on total or a score, or `and`s of them
  // (`total >= 70 and fit >= 25`); nothing when any part is something else.
  std::optional<std::vector<Shortfall>> shortfalls(const Node* cond) {
    std::vector<Shortfall> out;
    std::vector<const Node*> parts{cond};
    for (size_t i = 0; i < parts.size(); ++i) {
      const Node* p = parts[i];
      if (p->op == Op::And) {
        parts.push_back(p->kids[0]);
        parts.push_back(p->kids[1]);
        continue;
      }
      if (p->op != Op::Compare || p->kids.size() != 2) return std::nullopt;
      const Node* lhs = p->kids[0];
      const Node* rhs = p->kids[1];
      check::Cmp cmp = p->cmp;
      if (lhs->op == Op::Literal) {  // `40 <= total` is `total >= 40`
        std::swap(lhs, rhs);
        cmp = cmp == check::Cmp::Le ? check::Cmp::Ge : cmp == check::Cmp::Lt ? check::Cmp::Gt : check::Cmp::Eq;
      }
      bool threshold = (lhs->op == Op::TotalRef || lhs->op == Op::ScoreRef) && rhs->op == Op::Literal &&
                       (rhs->lit.kind == Value::Kind::Int || rhs->lit.kind == Value::Kind::Number) &&
                       (cmp == check::Cmp::Ge || cmp == check::Cmp::Gt);
      if (!threshold) return std::nullopt;
      int64_t have = lhs->op == Op::TotalRef ? o_.total : o_.scores[lhs->slot];
      int64_t need = std::llround(rhs->lit.as_double() * 100);
      bool met = cmp == check::Cmp::Ge ? have >= need : have > need;
      if (met) continue;
      out.push_back({lhs->op == Op::TotalRef ? "total" : m_.scores[lhs->slot].name, std::string(sm_.text(p->range)), need - have,
                     cmp == check::Cmp::Gt});
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  std::string run() {
    std::string key = m_.key_field >= 0 ? show(r_.fields[m_.key_field], m_.lead.fields[m_.key_field].type) : "";
    std::string text = fmt::format("Lead {}, scored as of {}\n", key.empty() ? "(no key)" : key, format_time(as_of_));
    std::string json_key = "null";
    if (m_.key_field >= 0 && !r_.fields[m_.key_field].is_missing())
      json_key = text::json_string(r_.fields[m_.key_field].kind == Value::Kind::String ? r_.fields[m_.key_field].s : key);
    std::string json = fmt::format("{{\"lead\": {}, \"as_of\": {}, \"scores\": [", json_key,
                                   text::json_string(format_time(as_of_)));
    size_t hit = 0;
    for (size_t s = 0; s < m_.scores.size(); ++s) {
      const check::Score& score = m_.scores[s];
      std::vector<std::string> limits;
      if (score.ceiling) limits.push_back(fmt::format("at most {}", *score.ceiling));
      if (score.floor) limits.push_back(fmt::format("at least {}", *score.floor));
      if (score.decay.kind == check::Decay::Kind::HalfLife)
        limits.push_back(fmt::format("points per event halve every {}", show_period(score.decay.period_seconds)));
      if (score.decay.kind == check::Decay::Kind::Linear)
        limits.push_back(fmt::format("points per event lose {}% every {}", score.decay.fraction * 100,
                                     show_period(score.decay.period_seconds)));
      __int128 wide = 0;  // as the scorers add: no number of rules overflows it
      for (const auto& h : o_.hits)
        if (h.score == static_cast<int>(s)) wide += h.cents;
      int64_t sum = check::saturate_cents(wide);
      text += fmt::format("\n{}: {}", score.name, format_points(o_.scores[s]));
      if (sum != o_.scores[s]) text += fmt::format(" (the rules add up to {})", format_points(sum));
      if (!limits.empty()) text += "   [" + join(limits, ", ") + "]";
      text += "\n";
      json += fmt::format("{}\n  {{\"name\": {}, \"points\": {}, \"rules_add_up_to\": {}, \"limits\": {}, \"rules\": [",
                          s ? "," : "", text::json_string(score.name), format_points(o_.scores[s]), format_points(sum),
                          json_list(limits));
      bool first_rule = true;
      for (size_t r = 0; r < score.rules.size(); ++r) {
        const check::Rule& rule = score.rules[r];
        const interp::RuleHit* h = nullptr;
        while (hit < o_.hits.size() && (o_.hits[hit].score < static_cast<int>(s) ||
                                         (o_.hits[hit].score == static_cast<int>(s) && o_.hits[hit].rule < static_cast<int>(r))))
          ++hit;
        if (hit < o_.hits.size() && o_.hits[hit].score == static_cast<int>(s) && o_.hits[hit].rule == static_cast<int>(r))
          h = &o_.hits[hit];
        RuleLine l;
        l.label = rule.label;
        l.line = rule.line;
        l.text = rule.text;
        if (h) l.cents = h->cents;
        if (rule.each) {
          l.status = h ? "yes" : "no";
          if (h) {
            l.detail = fmt::format("{} event{} x {}{}", h->events, h->events == 1 ? "" : "s", rule.points,
                                   h->decayed ? ", decayed" : "");
            if (h->capped) l.detail += fmt::format(", capped at {}", *rule.cap);
          } else {
            l.detail = "no matching events";
          }
        } else {
          Value v = rule_result(s, r);
          l.status = v.is_missing() ? "unknown" : (v.b ? "yes" : "no");
          l.facts = facts_of(rule.cond);
          l.detail = join(l.facts, "; ");
          if (v.is_missing()) l.detail += (l.detail.empty() ? "" : "; ") + std::string("a value it needs is missing");
        }
        if (opts_.fired_only && l.status != "yes") continue;
        std::string points = l.cents ? (*l.cents >= 0 ? "+" : "") + format_points(*l.cents) : "";
        text += fmt::format("  {:<8}{:>8}  {:<32}  {}\n", l.status, points, l.label, l.detail);
        text += fmt::format("  {:<8}{:>8}  {}line {}: {}\n", "", "", "", l.line, l.text);
        json += fmt::format("{}\n    {{\"label\": {}, \"fired\": {}, \"status\": \"{}\", \"points\": {}, \"line\": {}, "
                            "\"text\": {}, \"facts\": {}, \"detail\": {}}}",
                            first_rule ? "" : ",", text::json_string(l.label), l.status == "yes" ? "true" : "false", l.status,
                            l.cents ? format_points(*l.cents) : "null", l.line, text::json_string(l.text), json_list(l.facts),
                            text::json_string(l.detail));
        first_rule = false;
      }
      json += first_rule ? "]}" : "\n  ]}";
    }
    text += fmt::format("\ntotal: {}\n", format_points(o_.total));
    json += fmt::format("\n], \"total\": {}, \"disqualified\": ", format_points(o_.total));
    if (o_.disqualifier >= 0) {
      const check::Disqualifier& d = m_.disqualifiers[o_.disqualifier];
      std::vector<std::string> f = facts_of(d.cond);
      std::string because(sm_.text(d.cond->range));
      text += fmt::format("disqualified: {}  because {}  ({})\n", d.reason, because, join(f, "; "));
      json += fmt::format("{{\"reason\": {}, \"because\": {}, \"facts\": {}}}", text::json_string(d.reason),
                          text::json_string(because), json_list(f));
    } else {
      if (!m_.disqualifiers.empty()) text += "disqualified: no\n";
      json += "null";
    }
    json += ", \"tiers\": [";
    for (size_t t = 0; t < m_.tier_sets.size(); ++t) {
      const check::TierSet& set = m_.tier_sets[t];
      json += fmt::format("{}\n  {{\"set\": {}, ", t ? "," : "", text::json_string(set.name));
      if (o_.tiers[t] < 0) {
        text += fmt::format("{}: disqualified\n", set.name);
        json += "\"tier\": null, \"disqualified\": true}";
        continue;
      }
      const check::Tier& tier = set.tiers[o_.tiers[t]];
      std::vector<std::string> f = tier.cond ? facts_of(tier.cond) : std::vector<std::string>{};
      std::string because = tier.cond ? std::string(sm_.text(tier.cond->range)) : std::string("otherwise");
      std::string why = tier.cond ? fmt::format("{}  ({})", because, join(f, "; ")) : std::string("otherwise: no earlier tier matched");
      text += fmt::format("{}: {}  because {}\n", set.name, tier.name, why);
      json += fmt::format("\"tier\": {}, \"disqualified\": false, \"because\": {}, \"facts\": {}", text::json_string(tier.name),
                          text::json_string(because), json_list(f));
      // Below the top tier: how far the lead is from the next one up, when that can be said.
      std::optional<std::vector<Shortfall>> gaps;
      const check::Tier* next = o_.tiers[t] > 0 ? &set.tiers[o_.tiers[t] - 1] : nullptr;
      if (next && next->cond) gaps = shortfalls(next->cond);
      if (gaps) {
        std::string cond(sm_.text(next->cond->range));
        auto amount = [](const Shortfall& g) {
          return fmt::format("{}{} point{}", g.strict ? "more than " : "", format_points(g.cents), g.cents == 100 ? "" : "s");
        };
        if (gaps->size() == 1)
          text += fmt::format("{}: {} short of `{}` ({})\n", set.name, amount(gaps->front()), next->name, cond);
        else {
          std::vector<std::string> parts;
          for (const Shortfall& g : *gaps) parts.push_back(fmt::format("{} {} short", g.what, amount(g)));
          text += fmt::format("{}: short of `{}` ({}): {}\n", set.name, next->name, cond, join(parts, ", "));
        }
        json += fmt::format(", \"next_tier\": {{\"tier\": {}, \"condition\": {}, \"short_by\": [", text::json_string(next->name),
                            text::json_string(cond));
        for (size_t g = 0; g < gaps->size(); ++g)
          json += fmt::format("{}{{\"of\": {}, \"condition\": {}, \"points\": {}, \"more_than\": {}}}", g ? ", " : "",
                              text::json_string((*gaps)[g].what), text::json_string((*gaps)[g].condition),
                              format_points((*gaps)[g].cents), (*gaps)[g].strict ? "true" : "false");
        json += "]}";
      }
      json += "}";
    }
    json += m_.tier_sets.empty() ? "]}\n" : "\n]}\n";
    return opts_.json ? json : text;
  }

 private:
  const check::CheckedModel& m_;
  const plan::Plan& p_;
  const interp::Record& r_;
  int64_t as_of_;
  const source::SourceManager& sm_;
  const interp::Outcome& o_;
  const ExplainOptions& opts_;
  std::set<const Node*> defines_seen_;  // defines whose facts are listed for the current condition
  std::unordered_map<const Node*, int> node_slot_;  // node → its value's trace slot
  std::unordered_map<const check::EventQuery*, int> query_index_;
  std::vector<int> query_slot_;                     // per query: its count's trace slot
};

}  // namespace

std::string explain_lead(const check::CheckedModel& m, const interp::Scorer& scorer, const interp::Record& record,
                         int64_t as_of, const source::SourceManager& sources, const ExplainOptions& options) {
  interp::Outcome o = scorer.score_traced(record, as_of);
  plan::Plan p = plan::build(m);
  if (o.trace.size() != p.trace.size())
    throw std::logic_error(fmt::format("explain: the back end recorded {} values, and the model's plan has {}", o.trace.size(),
                                       p.trace.size()));
  return Explainer(m, p, record, as_of, sources, o, options).run();
}

}  // namespace rubric::io
