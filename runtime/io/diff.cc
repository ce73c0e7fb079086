// `rubric diff OLD NEW --input FILE`: what a changed model would do to real leads before it is
// published: tier moves (a from/to table per tier set), the largest total changes with the
// rules that caused them.
#include "runtime/io/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "runtime/interp/interp.h"
#include "runtime/io/decode.h"

namespace rubric::io {

namespace {

struct Scored {
  std::string key;
  bool ok = false;
  interp::Outcome outcome;
};

// Every record of `path` scored with `model`, in input order.
bool score_all(const check::CheckedModel& model, std::shared_ptr<const check::CheckedModel> shared, const std::string& path,
               const ReaderOptions& opts, int64_t as_of, std::vector<Scored>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  auto reader = open_reader(in, model, opts, error);
  if (!reader) return false;
  interp::Interpreter interp(std::move(shared));
  InputRecord rec;
  while (reader->next(rec)) {
    Scored s;
    s.key = rec.key;
    s.ok = rec.ok();
    if (s.ok) s.outcome = interp.score(rec.record, as_of, true);
    out.push_back(std::move(s));
  }
  return true;
}

std::string tier_name(const check::TierSet& set, int t) { return t < 0 ? "disqualified" : set.tiers[t].name; }

// Points per rule label ("score: label") for one outcome.
std::map<std::string, int64_t> rule_points(const check::CheckedModel& m, const interp::Outcome& o) {
  std::map<std::string, int64_t> points;
  for (const interp::RuleHit& h : o.hits) points[m.scores[h.score].name + ": " + m.scores[h.score].rules[h.rule].label] += h.cents;
  return points;
}

}  // namespace

bool diff_models(const DiffInput& d, std::string& report, std::string& error) {
  std::vector<Scored> before, after;
  if (!score_all(*d.old_model, d.old_model, d.input, d.reader, d.as_of, before, error)) return false;
  if (!score_all(*d.new_model, d.new_model, d.input, d.reader, d.as_of, after, error)) return false;
  size_t n = std::min(before.size(), after.size());
  std::string out = fmt::format("{} leads scored with both models as of {}.\n", n, d.as_of_text);
  size_t errors = 0;
  for (size_t i = 0; i < n; ++i) errors += !before[i].ok || !after[i].ok;
  if (errors) out += fmt::format("{} leads could not be read by one of the models and are left out below.\n", errors);

  // Tier moves, for every tier set both models have.
  for (size_t a = 0; a < d.old_model->tier_sets.size(); ++a) {
    const check::TierSet& old_set = d.old_model->tier_sets[a];
    const auto& sets = d.new_model->tier_sets;
    size_t nb = static_cast<size_t>(
        std::find_if(sets.begin(), sets.end(), [&](const check::TierSet& t) { return t.name == old_set.name; }) - sets.begin());
    if (nb == sets.size()) continue;  // the new model dropped this tier set
    const check::TierSet* new_set = &sets[nb];
    std::vector<std::string> names;
    auto add = [&](const std::string& x) {
      if (std::find(names.begin(), names.end(), x) == names.end()) names.push_back(x);
    };
    for (const auto& t : old_set.tiers) add(t.name);
    for (const auto& t : new_set->tiers) add(t.name);
    add("disqualified");
    std::map<std::pair<std::string, std::string>, size_t> moves;
    size_t moved = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!before[i].ok || !after[i].ok) continue;
      std::string from = tier_name(old_set, before[i].outcome.tiers[a]);
      std::string to = tier_name(*new_set, after[i].outcome.tiers[nb]);
      ++moves[{from, to}];
      moved += from != to;
    }
    out += fmt::format("\n{}: {} lead{} change tier (rows: old tier, columns: new tier)\n", old_set.name, moved,
                       moved == 1 ? "" : "s");
    size_t width = 12;
    for (const auto& x : names) width = std::max(width, x.size() + 2);
    out += fmt::format("  {:<{}}", "", width);
    for (const auto& x : names) out += fmt::format("{:>{}}", x, width);
    out += "\n";
    for (const auto& from : names) {
      out += fmt::format("  {:<{}}", from, width);
      for (const auto& to : names) {
        auto it = moves.find({from, to});
        out += fmt::format("{:>{}}", it == moves.end() ? std::string("-") : std::to_string(it->second), width);
      }
      out += "\n";
    }
  }

  // The largest total changes, with the rules whose points changed.
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i)
    if (before[i].ok && after[i].ok && before[i].outcome.total != after[i].outcome.total) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::llabs(after[x].outcome.total - before[x].outcome.total) > std::llabs(after[y].outcome.total - before[y].outcome.total);
  });
  out += fmt::format("\n{} lead{} change total; the largest changes:\n", order.size(), order.size() == 1 ? "" : "s");
  for (size_t k = 0; k < order.size() && k < d.top; ++k) {
    size_t i = order[k];
    int64_t delta = after[i].outcome.total - before[i].outcome.total;
    out += fmt::format("  {:<14} {:>9} -> {:<9} ({}{})\n", before[i].key, format_points(before[i].outcome.total),
                       format_points(after[i].outcome.total), delta > 0 ? "+" : "", format_points(delta));
    auto old_points = rule_points(*d.old_model, before[i].outcome);
    auto new_points = rule_points(*d.new_model, after[i].outcome);
    std::map<std::string, std::pair<int64_t, int64_t>> rules;
    for (const auto& [label, c] : old_points) rules[label].first = c;
    for (const auto& [label, c] : new_points) rules[label].second = c;
    for (const auto& [label, c] : rules)
      if (c.first != c.second)
        out += fmt::format("      {}: {} -> {}\n", label, format_points(c.first), format_points(c.second));
  }
  report = out;
  return true;
}

}  // namespace rubric::io
