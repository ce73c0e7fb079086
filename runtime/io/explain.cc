// `rubric explain`: one lead's scoring told rule by rule, for a marketer at a terminal: every
// rule with whether it fired, the values it saw, its points with decay and caps, and why the
// lead got its tier.
#include "runtime/io/explain.h"

#include <fmt/format.h>

#include <set>

#include "compiler/source/text.h"
#include "runtime/io/decode.h"
#include "runtime/io/time.h"

namespace rubric::io {

namespace {

using check::Node;
using check::Op;
using check::Value;

std::string show(const Value& v, const check::Type& t) {
  switch (v.kind) {
    case Value::Kind::Missing: return "missing";
    case Value::Kind::Bool: return v.b ? "yes" : "no";
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Number: return fmt::format("{}", v.d);
    case Value::Kind::String: return text::json_string(v.s);
    case Value::Kind::Time: return format_time(v.i);
    case Value::Kind::Duration: return fmt::format("{} seconds", v.d);
    case Value::Kind::Enum:
      if (t.enum_type && v.i >= 0 && static_cast<size_t>(v.i) < t.enum_type->values.size())
        return t.enum_type->values[v.i];
      return std::to_string(v.i);
  }
  return "?";
}

class Explainer {
 public:
  Explainer(const check::CheckedModel& m, const interp::Interpreter& interp, const interp::Record& r, int64_t as_of,
            const source::SourceManager& sm, const interp::Outcome& o)
      : m_(m), interp_(interp), r_(r), as_of_(as_of), sm_(sm), o_(o) {}

  // What the condition looked at: fields with their values, behaviours with their event counts,
  // computed values (`count of`, `sum of`, `days since`, functions) with their results.
  void facts(const Node* n, std::vector<std::string>& out, std::set<std::string>& seen) {
    if (n->op == Op::Define && !defines_seen_.insert(n).second) return;  // a shared define: its facts once
    std::string fact;
    switch (n->op) {
      case Op::LeadField: {
        const check::Field& f = m_.lead.fields[n->slot];
        fact = fmt::format("{} = {}", f.name, show(r_.fields[n->slot], f.type));
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
          Node count = *n;
          count.op = Op::CountEvents;
          count.type = check::Type{check::TypeKind::Int};
          int64_t events = interp_.evaluate(&count, r_, as_of_, o_).i;
          fact = fmt::format("{}: {} matching event{}", what, events, events == 1 ? "" : "s");
        } else {
          fact = fmt::format("{} = {}", what, show(interp_.evaluate(n, r_, as_of_, o_), n->type));
        }
        break;
      }
      case Op::ScoreRef:
        fact = fmt::format("{} = {}", m_.scores[n->slot].name, format_points(o_.scores[n->slot]));
        break;
      case Op::TotalRef: fact = fmt::format("total = {}", format_points(o_.total)); break;
      default: break;
    }
    if (!fact.empty() && seen.insert(fact).second) out.push_back(fact);
    if (n->op == Op::AnyEvents || n->op == Op::CountEvents || n->op == Op::SumEvents || n->op == Op::DaysSinceLast) return;
    for (const Node* k : n->kids) facts(k, out, seen);
  }

  std::string facts_of(const Node* n) {
    std::vector<std::string> list;
    std::set<std::string> seen;
    defines_seen_.clear();
    facts(n, list, seen);
    std::string s;
    for (const auto& f : list) s += (s.empty() ? "" : "; ") + f;
    return s;
  }

  std::string run() {
    std::string out;
    std::string key = m_.key_field >= 0 ? show(r_.fields[m_.key_field], m_.lead.fields[m_.key_field].type) : "";
    out += fmt::format("Lead {}, scored as of {}\n", key.empty() ? "(no key)" : key, format_time(as_of_));
    size_t hit = 0;
    for (size_t s = 0; s < m_.scores.size(); ++s) {
      const check::Score& score = m_.scores[s];
      std::vector<std::string> limits;
      if (score.ceiling) limits.push_back(fmt::format("at most {}", *score.ceiling));
      if (score.floor) limits.push_back(fmt::format("at least {}", *score.floor));
      if (score.decay.kind == check::Decay::Kind::HalfLife)
        limits.push_back(fmt::format("points per event halve every {} days", score.decay.period_seconds / 86400));
      if (score.decay.kind == check::Decay::Kind::Linear)
        limits.push_back(fmt::format("points per event lose {}% every {} days", score.decay.fraction * 100,
                                     score.decay.period_seconds / 86400));
      int64_t sum = 0;
      for (const auto& h : o_.hits)
        if (h.score == static_cast<int>(s)) sum += h.cents;
      out += fmt::format("\n{}: {}", score.name, format_points(o_.scores[s]));
      if (sum != o_.scores[s]) out += fmt::format(" (the rules add up to {})", format_points(sum));
      if (!limits.empty()) {
        std::string l;
        for (const auto& x : limits) l += (l.empty() ? "" : ", ") + x;
        out += "   [" + l + "]";
      }
      out += "\n";
      for (size_t r = 0; r < score.rules.size(); ++r) {
        const check::Rule& rule = score.rules[r];
        const interp::RuleHit* h = nullptr;
        while (hit < o_.hits.size() && (o_.hits[hit].score < static_cast<int>(s) ||
                                         (o_.hits[hit].score == static_cast<int>(s) && o_.hits[hit].rule < static_cast<int>(r))))
          ++hit;
        if (hit < o_.hits.size() && o_.hits[hit].score == static_cast<int>(s) && o_.hits[hit].rule == static_cast<int>(r))
          h = &o_.hits[hit];
        std::string status, points, detail;
        if (rule.each) {
          status = h ? "yes" : "no";
          if (h) {
            points = (h->cents >= 0 ? "+" : "") + format_points(h->cents);
            detail = fmt::format("{} event{} x {}{}", h->events, h->events == 1 ? "" : "s", rule.points,
                                 h->decayed ? ", decayed" : "");
            if (h->capped) detail += fmt::format(", capped at {}", *rule.cap);
          } else {
            detail = "no matching events";
          }
        } else {
          Value v = interp_.evaluate(rule.cond, r_, as_of_, o_);
          status = v.is_missing() ? "unknown" : (v.b ? "yes" : "no");
          if (h) points = (h->cents >= 0 ? "+" : "") + format_points(h->cents);
          detail = facts_of(rule.cond);
          if (v.is_missing()) detail += (detail.empty() ? "" : "; ") + std::string("a value it needs is missing");
        }
        out += fmt::format("  {:<8}{:>8}  {:<32}  {}\n", status, points, rule.label, detail);
        out += fmt::format("  {:<8}{:>8}  {}line {}: {}\n", "", "", "", rule.line, rule.text);
      }
    }
    out += fmt::format("\ntotal: {}\n", format_points(o_.total));
    if (o_.disqualifier >= 0) {
      const check::Disqualifier& d = m_.disqualifiers[o_.disqualifier];
      out += fmt::format("disqualified: {}  because {}  ({})\n", d.reason, std::string(sm_.text(d.cond->range)),
                         facts_of(d.cond));
    } else if (!m_.disqualifiers.empty()) {
      out += "disqualified: no\n";
    }
    for (size_t t = 0; t < m_.tier_sets.size(); ++t) {
      const check::TierSet& set = m_.tier_sets[t];
      if (o_.tiers[t] < 0) {
        out += fmt::format("{}: disqualified\n", set.name);
        continue;
      }
      const check::Tier& tier = set.tiers[o_.tiers[t]];
      std::string why = tier.cond ? fmt::format("{}  ({})", std::string(sm_.text(tier.cond->range)), facts_of(tier.cond))
                                  : std::string("otherwise: no earlier tier matched");
      out += fmt::format("{}: {}  because {}\n", set.name, tier.name, why);
    }
    return out;
  }

 private:
  const check::CheckedModel& m_;
  const interp::Interpreter& interp_;
  const interp::Record& r_;
  int64_t as_of_;
  const source::SourceManager& sm_;
  const interp::Outcome& o_;
  std::set<const Node*> defines_seen_;  // defines whose facts are listed for the current condition
};

}  // namespace

std::string explain_lead(const check::CheckedModel& m, const interp::Interpreter& interp, const interp::Record& record,
                         int64_t as_of, const source::SourceManager& sources) {
  interp::Outcome o = interp.score(record, as_of, true);
  return Explainer(m, interp, record, as_of, sources, o).run();
}

}  // namespace rubric::io
