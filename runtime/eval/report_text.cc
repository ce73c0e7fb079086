// SPDX-License-Identifier: Apache-2.0
// The terminal and JSON forms of an evaluation report.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "compiler/source/text.h"
#include "runtime/eval/evaluate.h"
#include "runtime/io/decode.h"

namespace rubric::eval {

namespace {

std::string pct(double x) { return std::isfinite(x) ? fmt::format("{:.1f}%", 100 * x) : "-"; }
std::string num3(double x) { return std::isfinite(x) ? fmt::format("{:.3f}", x) : "n/a"; }
std::string num2(double x) { return std::isfinite(x) ? fmt::format("{:.2f}", x) : "-"; }
std::string points(double p) { return fmt::format("{}{}", p > 0 ? "+" : "", io::format_points(std::llround(p * 100))); }
std::string count(int64_t n) { return thousands(n); }

// Pads `s` to `width` characters (code points, so names in any script line up).
std::string pad(std::string s, size_t width) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += std::max<size_t>(1, text::utf8_length(s, i))) ++n;
  if (n < width) s.append(width - n, ' ');
  return s;
}
std::string cut(const std::string& s, size_t width) {
  size_t n = 0, keep = 0;
  for (size_t i = 0; i < s.size(); i += std::max<size_t>(1, text::utf8_length(s, i))) {
    if (n + 1 == width) keep = i;
    ++n;
  }
  return n <= width ? s : s.substr(0, keep) + "…";
}


void auc_table(std::string& out, const Figures& f) {
  size_t w = 6;
  for (const AucRow& a : f.auc) w = std::max(w, a.name.size());
  for (const AucRow& a : f.auc)
    out += fmt::format("  {}  {}  ({} to {})\n", pad(a.name, w), num3(a.auc.auc), num3(a.auc.lo), num3(a.auc.hi));
}

}  // namespace

std::string format_text(const Report& r) {
  std::string out;
  const Figures& f = r.main;
  out += fmt::format("Evaluation of \"{}\"\n", r.model);
  out += fmt::format("  input    {}: {} records, {} with an outcome, {} without, {} with errors\n", r.input, count(r.records),
                     count(r.main.leads + (r.training ? r.training->leads : 0) + r.not_in_split), count(r.unlabelled), count(r.errors));
  out += fmt::format("  outcome  {}: {} of {} converted ({})\n", r.label, count(f.positives), count(f.leads), pct(f.base_rate));
  if (!r.outcome_values.empty()) {
    out += "  values  ";
    for (size_t i = 0; i < r.outcome_values.size(); ++i) {
      const OutcomeValue& v = r.outcome_values[i];
      out += fmt::format("{} {} {}{}", i ? "," : "", text::json_string(v.text), count(v.count),
                         v.outcome == 1 ? " (converted)" : v.outcome == kUndecided ? " (left out)" : "");
    }
    out += "\n";
  }
  if (r.training)
    out += fmt::format("  split    {}: the figures below are on {} held-out leads; {} leads are the training part{}\n", r.split,
                       count(f.leads), count(r.training->leads),
                       r.not_in_split ? fmt::format(" ({} left out: no split value)", count(r.not_in_split)) : "");
  else
    out += "  split    none: the figures are in-sample (add --split random:0.3 to hold leads out)\n";
  out += fmt::format("  as of    {}\n", r.as_of);
  for (const std::string& w : r.warnings) out += fmt::format("  warning: {}\n", w);

  out += "\nHow well each score ranks converting leads above the rest (ROC AUC, 95% interval; 0.5 is chance, 1 perfect)\n";
  auc_table(out, f);
  if (r.training) {
    out += fmt::format("  training part ({} leads): ", count(r.training->leads));
    for (size_t i = 0; i < r.training->auc.size(); ++i)
      out += fmt::format("{}{} {}", i ? ", " : "", r.training->auc[i].name, num3(r.training->auc[i].auc.auc));
    out += "\n";
  }

  out += fmt::format("\nGains by tenth of the leads, best first by {} (base rate {})\n", r.ranking, pct(f.base_rate));
  out += "  tenth   leads  converted    rate   lift  share of all conversions  total\n";
  for (const Decile& d : f.deciles)
    out += fmt::format("  {:>5}  {:>6}  {:>9}  {:>6}  {:>5}  {:>24}  {} to {}\n", d.decile, count(d.leads), count(d.positives), pct(d.rate),
                       num2(d.lift), pct(d.gain), points(d.low), points(d.high));

  for (const TierTable& t : f.tiers) {
    out += fmt::format("\nTiers `{}`: conversion per tier, best tier first\n", t.set);
    size_t w = 12;
    for (const TierRow& row : t.rows) w = std::max(w, row.name.size());
    out += fmt::format("  {}   leads  converted    rate   lift\n", pad("tier", w));
    for (const TierRow& row : t.rows)
      out += fmt::format("  {}  {:>6}  {:>9}  {:>6}  {:>5}{}\n", pad(row.name, w), count(row.leads), count(row.positives), pct(row.rate),
                         num2(row.lift), row.out_of_order ? "  ! converts better than the tier above it" : "");
  }

  out += "\nRules: conversion of the leads each rule fired on, against the leads it did not fire on (/e: points per event)\n";
  out += fmt::format("  {}  {}  points   fired   conv.  not fired   conv.   lift    IV  flag\n", pad("score", 12), pad("rule", 40));
  for (const RuleRow& row : f.rules)
    out += fmt::format("  {}  {}  {:>6}  {:>6}  {:>6}  {:>9}  {:>6}  {:>5}  {:>4}  {}\n", pad(cut(row.score, 12), 12),
                       pad(cut(row.label, 40), 40), points(row.points) + (row.each ? "/e" : ""), count(row.stats.in),
                       pct(row.stats.rate_in), count(row.stats.out), pct(row.stats.rate_out), num2(row.stats.lift), num2(row.stats.iv),
                       flag_name(row.flag));
  bool flagged = false;
  for (const RuleRow& row : f.rules) {
    if (row.flag == RuleRow::Flag::None) continue;
    if (!flagged) out += "\nRules to look at\n";
    flagged = true;
    out += fmt::format("  line {}: {}\n", row.line, row.message);
  }
  if (!f.disqualifiers.empty()) {
    out += "\nDisqualifiers: the leads each one disqualified (the first matching line wins)\n";
    for (const DisqualifierRow& d : f.disqualifiers)
      out += fmt::format("  {}  {:>6} leads, {:>6} converted{}\n", pad(cut("\"" + d.reason + "\"", 44), 44), count(d.stats.in),
                         pct(d.stats.rate_in), d.message.empty() ? "" : "  ! at or above the base rate");
    for (const DisqualifierRow& d : f.disqualifiers)
      if (!d.message.empty()) out += fmt::format("  ! {}\n", d.message);
  }

  if (r.suggestion) {
    const Suggestion& s = *r.suggestion;
    out += fmt::format("\nSuggested points: a logistic regression (L2 penalty {}) fitted on the {} training leads not disqualified,\n"
                       "scaled so that totals spread as widely as with the current points, rounded to whole points\n",
                       s.lambda, count(s.fitted_on));
    out += fmt::format("  {}  {}  current  suggested\n", pad("score", 12), pad("rule", 40));
    for (const SuggestedRule& row : s.rules)
      out += fmt::format("  {}  {}  {:>7}  {:>9}{}\n", pad(cut(row.score, 12), 12), pad(cut(row.label, 40), 40), points(row.current),
                         points(row.suggested), row.note.empty() ? "" : "  (" + row.note + ")");
    if (!s.converged) out += "  note: the fit did not converge; the points are the last estimate\n";
    for (const std::string& n : s.notes) out += fmt::format("  note: {}\n", n);
    if (!s.problem.empty()) {
      out += fmt::format("  no suggestion: {}\n", s.problem);
    } else {
      bool comparable = std::isfinite(s.auc_current) && std::isfinite(s.auc_suggested);
      out += fmt::format("  ROC AUC of {} on the {}: current points {}, suggested points {} ({})\n", r.ranking, s.evaluated_on,
                         num3(s.auc_current), num3(s.auc_suggested),
                         !comparable                       ? "cannot compare: the held-out part needs leads of both outcomes"
                         : s.auc_suggested > s.auc_current ? "the suggestion ranks better"
                         : s.auc_suggested < s.auc_current ? "the current points rank better: keep them"
                                                           : "no difference");
      out += s.written.empty() ? "  Nothing was changed. --write NEW.rubric writes the model with these points; `rubric diff` shows how tiers would move.\n"
                               : "  " + s.written + "\n";
    }
  }
  return out;
}

const char* flag_name(RuleRow::Flag f) {
  switch (f) {
    case RuleRow::Flag::None: return "";
    case RuleRow::Flag::TooFew: return "too few";
    case RuleRow::Flag::NoEffect: return "no effect";
    case RuleRow::Flag::Opposite: return "opposite";
  }
  return "";
}

std::string thousands(int64_t n) {
  uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(magnitude), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string format_json(const Report& r) {
  using nlohmann::json;
  auto outcome_values = [](const Report& rep) {
    json v = json::array();
    for (const OutcomeValue& x : rep.outcome_values)
      v.push_back({{"value", x.text}, {"leads", x.count}, {"means", x.outcome == 1 ? "converted" : x.outcome == kUndecided ? "left out" : "not converted"}});
    return v;
  };
  auto num = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
  auto split2 = [&](const Split2& s) {
    return json{{"in", s.in}, {"in_converted", s.in_pos}, {"out", s.out}, {"out_converted", s.out_pos}, {"rate_in", num(s.rate_in)},
                {"rate_out", num(s.rate_out)}, {"lift", num(s.lift)}, {"iv", num(s.iv)}, {"z", num(s.z)}};
  };
  auto figures = [&](const Figures& f) {
    json j{{"part", f.part}, {"leads", f.leads}, {"converted", f.positives}, {"base_rate", num(f.base_rate)}};
    j["auc"] = json::array();
    for (const AucRow& a : f.auc) j["auc"].push_back({{"name", a.name}, {"auc", num(a.auc.auc)}, {"low", num(a.auc.lo)}, {"high", num(a.auc.hi)}});
    j["deciles"] = json::array();
    for (const Decile& d : f.deciles)
      j["deciles"].push_back({{"decile", d.decile}, {"leads", d.leads}, {"converted", d.positives}, {"rate", num(d.rate)}, {"lift", num(d.lift)},
                              {"gain", num(d.gain)}, {"low", num(d.low)}, {"high", num(d.high)}});
    j["tiers"] = json::array();
    for (const TierTable& t : f.tiers) {
      json rows = json::array();
      for (const TierRow& row : t.rows)
        rows.push_back({{"tier", row.name}, {"leads", row.leads}, {"converted", row.positives}, {"rate", num(row.rate)}, {"lift", num(row.lift)},
                        {"out_of_order", row.out_of_order}});
      j["tiers"].push_back({{"set", t.set}, {"rows", rows}});
    }
    j["rules"] = json::array();
    for (const RuleRow& row : f.rules)
      j["rules"].push_back({{"score", row.score}, {"label", row.label}, {"line", row.line}, {"points", row.points}, {"each", row.each},
                            {"fired", split2(row.stats)}, {"flag", flag_name(row.flag)}, {"message", row.message}});
    j["disqualifiers"] = json::array();
    for (const DisqualifierRow& d : f.disqualifiers)
      j["disqualifiers"].push_back({{"reason", d.reason}, {"disqualified", split2(d.stats)}, {"message", d.message}});
    j["roc"] = json::array();
    for (auto [x, y] : f.roc) j["roc"].push_back({x, y});
    j["histogram"] = {{"edges", f.bin_edges}, {"converted", f.bin_pos}, {"not_converted", f.bin_neg}};
    return j;
  };
  json j{{"model", r.model}, {"input", r.input}, {"outcome", r.label}, {"as_of", r.as_of}, {"split", r.split.empty() ? json(nullptr) : json(r.split)},
         {"records", r.records}, {"errors", r.errors}, {"without_outcome", r.unlabelled}, {"not_in_split", r.not_in_split},
         {"warnings", r.warnings}, {"ranking", r.ranking}, {"outcome_values", outcome_values(r)}, {"figures", figures(r.main)}};
  if (r.training) j["training"] = figures(*r.training);
  if (r.suggestion) {
    const Suggestion& s = *r.suggestion;
    json rules = json::array();
    for (const SuggestedRule& row : s.rules)
      rules.push_back({{"score", row.score}, {"label", row.label}, {"line", row.line}, {"current", row.current}, {"suggested", row.suggested},
                       {"weight", num(row.weight)}, {"note", row.note}});
    j["suggestion"] = {{"rules", rules}, {"lambda", s.lambda}, {"fitted_on", s.fitted_on}, {"evaluated_on", s.evaluated_on},
                       {"auc_current", num(s.auc_current)}, {"auc_suggested", num(s.auc_suggested)}, {"converged", s.converged},
                       {"notes", s.notes},
                       {"problem", s.problem.empty() ? json(nullptr) : json(s.problem)}};
  }
  return j.dump(2) + "\n";
}

}  // namespace rubric::eval
