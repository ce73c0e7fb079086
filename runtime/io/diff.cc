// SPDX-License-Identifier: Apache-2.0
// `rubric diff OLD NEW --input FILE`: what a changed model would do to real leads before it is
// published: tier moves (a from/to table per tier set, renamed, removed and added sets named),
// the largest total changes with the rules that caused them; as text, CSV or JSON.
#include "runtime/io/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <tuple>

#include "compiler/source/text.h"

#include "runtime/interp/interp.h"
#include "runtime/io/decode.h"
#include "runtime/io/input.h"

namespace rubric::io {

namespace {

struct Scored {
  std::string key;
  bool ok = false;
  interp::Outcome outcome;
};

// Every record of `path` scored with `model`, in input order.
// With `events` (a path), each lead gets its events from that file; what became of them goes to
// `notes`.
bool score_all(const check::CheckedModel& model, std::shared_ptr<const check::CheckedModel> shared, const std::string& path,
               const ReaderOptions& opts, const EventsSpec& events, int64_t as_of, std::vector<Scored>& out,
               std::vector<std::string>* notes, std::string& error) {
  Input in;
  ReaderOptions chosen = opts;
  if (!in.open(path, chosen, error)) return false;
  auto reader = open_reader(in.stream(), model, chosen, error);
  if (!reader) return false;
  std::shared_ptr<EventFile> file;
  if (!events.path.empty() && model.has_events) {  // a model without events reads none (an old model, say)
    file = open_events(events, shared, error);
    if (!file) {
      error = "--events: " + error;
      return false;
    }
    reader = join_events(std::move(reader), file);
  }
  if (notes)
    for (const std::string& w : reader->warnings()) notes->push_back(fmt::format("{}: {}", path, w));
  interp::Interpreter interp(std::move(shared));
  InputRecord rec;
  int64_t warned = 0;  // values read as missing, events skipped (as `rubric score` warns of them)
  std::string first_warning;
  while (reader->next(rec)) {
    Scored s;
    s.key = rec.key;
    s.ok = rec.ok();
    if (s.ok) s.outcome = interp.score(rec.record, as_of, true);
    if (!rec.warnings.empty() && warned == 0) first_warning = fmt::format("record {}: {}", rec.number, rec.warnings.front());
    warned += static_cast<int64_t>(rec.warnings.size());
    out.push_back(std::move(s));
  }
  if (notes && warned)
    notes->push_back(fmt::format("{}: {} warning{} in the records: bad values of optional fields read as missing, events "
                                 "skipped (the first: {}); --strict makes them record errors in `rubric score`",
                                 path, warned, warned == 1 ? "" : "s", first_warning));
  if (in.stream().bad()) {
    error = fmt::format("reading {} failed part way{}", path, in.error().empty() ? "" : " (" + in.error() + ")");
    return false;
  }
  if (file) {
    EventsSummary s = finish_events(*file);  // read to the end also when nobody hears of it (streaming)
    if (notes) {
      if (std::string d = describe(s, events.path); !d.empty()) notes->push_back(d);
      notes->insert(notes->end(), s.messages.begin(), s.messages.end());
    }
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

// A tier set of the old model and its counterpart in the new one: the same name, or a rename
// (the only set each model lacks, or a set with the same tiers under another name).
struct SetPair {
  int old_index = -1, new_index = -1;  // -1: the set is not in that model
  const check::TierSet* old_set = nullptr;
  const check::TierSet* new_set = nullptr;
  std::string status;                  // same, renamed, removed, added
  std::vector<std::string> tiers;      // the new model's order, removed tiers after their old predecessor
  std::map<std::pair<std::string, std::string>, size_t> moves;
  // With outcomes: per cell, the leads with a known outcome and those of them that converted.
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> converted;
  size_t moved = 0;
};

std::vector<std::string> tier_names(const check::TierSet& s) {
  std::vector<std::string> out;
  for (const auto& t : s.tiers) out.push_back(t.name);
  return out;
}

std::vector<SetPair> pair_sets(const check::CheckedModel& before, const check::CheckedModel& after) {
  const auto& olds = before.tier_sets;
  const auto& news = after.tier_sets;
  std::vector<int> match_old(olds.size(), -1), match_new(news.size(), -1);
  std::vector<bool> renamed(olds.size(), false);
  for (size_t a = 0; a < olds.size(); ++a)
    for (size_t b = 0; b < news.size(); ++b)
      if (match_new[b] < 0 && olds[a].name == news[b].name) {
        match_old[a] = static_cast<int>(b);
        match_new[b] = static_cast<int>(a);
        break;
      }
  for (size_t a = 0; a < olds.size(); ++a)
    for (size_t b = 0; b < news.size() && match_old[a] < 0; ++b)
      if (match_new[b] < 0 && tier_names(olds[a]) == tier_names(news[b])) {
        match_old[a] = static_cast<int>(b);
        match_new[b] = static_cast<int>(a);
        renamed[a] = true;
      }
  auto unmatched = [](const std::vector<int>& m) {
    std::vector<size_t> out;
    for (size_t i = 0; i < m.size(); ++i)
      if (m[i] < 0) out.push_back(i);
    return out;
  };
  std::vector<size_t> lone_old = unmatched(match_old), lone_new = unmatched(match_new);
  if (lone_old.size() == 1 && lone_new.size() == 1) {
    match_old[lone_old[0]] = static_cast<int>(lone_new[0]);
    match_new[lone_new[0]] = static_cast<int>(lone_old[0]);
    renamed[lone_old[0]] = true;
  }
  std::vector<SetPair> out;
  for (size_t a = 0; a < olds.size(); ++a) {
    SetPair p;
    p.old_index = static_cast<int>(a);
    p.old_set = &olds[a];
    p.new_index = match_old[a];
    if (p.new_index >= 0) p.new_set = &news[p.new_index];
    p.status = p.new_index < 0 ? "removed" : renamed[a] ? "renamed" : "same";
    out.push_back(std::move(p));
  }
  for (size_t b = 0; b < news.size(); ++b)
    if (match_new[b] < 0) {
      SetPair p;
      p.new_index = static_cast<int>(b);
      p.new_set = &news[b];
      p.status = "added";
      out.push_back(std::move(p));
    }
  for (SetPair& p : out) {
    if (!p.old_set || !p.new_set) continue;
    p.tiers = tier_names(*p.new_set);
    std::string after_this;  // the old tier before a removed one; it goes after that tier
    for (const auto& t : p.old_set->tiers) {
      auto at = std::find(p.tiers.begin(), p.tiers.end(), t.name);
      if (at == p.tiers.end()) {
        auto prev = std::find(p.tiers.begin(), p.tiers.end(), after_this);
        at = p.tiers.insert(prev == p.tiers.end() ? p.tiers.begin() : prev + 1, t.name);
      }
      after_this = *at;
    }
    p.tiers.push_back("disqualified");
  }
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string rate(size_t k, size_t n) { return n ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(k) / static_cast<double>(n)) : "-"; }

// With outcomes: the conversion rate of each cell of a tier-move table, then of the leads that
// move to a better tier (earlier in the model's order), to a worse one, and that stay.
std::string conversion_of_moves(const SetPair& p, size_t width) {
  std::string out = "  converted (of the leads with a known outcome in each cell):\n";
  out += fmt::format("  {:<{}}", "", width);
  for (const auto& x : p.tiers) out += fmt::format("{:>{}}", x, width);
  out += "\n";
  size_t n[3] = {0, 0, 0}, k[3] = {0, 0, 0};  // up, down, same
  for (size_t a = 0; a < p.tiers.size(); ++a) {
    out += fmt::format("  {:<{}}", p.tiers[a], width);
    for (size_t b = 0; b < p.tiers.size(); ++b) {
      auto it = p.converted.find({p.tiers[a], p.tiers[b]});
      if (it == p.converted.end()) {
        out += fmt::format("{:>{}}", "-", width);
        continue;
      }
      out += fmt::format("{:>{}}", rate(it->second.second, it->second.first), width);
      size_t way = b < a ? 0 : b > a ? 1 : 2;
      n[way] += it->second.first;
      k[way] += it->second.second;
    }
    out += "\n";
  }
  out += fmt::format("  moved to a better tier: {} leads, {} converted; to a worse tier: {} leads, {} converted; stayed: {} leads, {} converted\n",
                     n[0], rate(k[0], n[0]), n[1], rate(k[1], n[1]), n[2], rate(k[2], n[2]));
  return out;
}

}  // namespace

bool diff_models(const DiffInput& d, std::string& report, std::string& error, std::vector<std::string>* notes) {
  std::vector<Scored> before, after;
  try {
    // What became of the events is said once, for the new model (the old one reads the same file).
    if (!score_all(*d.old_model, d.old_model, d.input, d.reader, d.events, d.as_of, before, nullptr, error)) return false;
    if (!score_all(*d.new_model, d.new_model, d.input, d.reader, d.events, d.as_of, after, notes, error)) return false;
  } catch (const InputError& e) {
    error = e.what();
    return false;
  }
  size_t n = std::min(before.size(), after.size());
  size_t errors = 0;
  for (size_t i = 0; i < n; ++i) errors += !before[i].ok || !after[i].ok;

  std::vector<SetPair> sets = pair_sets(*d.old_model, *d.new_model);
  for (SetPair& p : sets) {
    if (!p.old_set || !p.new_set) continue;
    for (size_t i = 0; i < n; ++i) {
      if (!before[i].ok || !after[i].ok) continue;
      std::string from = tier_name(*p.old_set, before[i].outcome.tiers[p.old_index]);
      std::string to = tier_name(*p.new_set, after[i].outcome.tiers[p.new_index]);
      ++p.moves[{from, to}];
      p.moved += from != to;
      if (i < d.outcomes.size() && d.outcomes[i] >= 0) {
        auto& c = p.converted[{from, to}];
        ++c.first;
        c.second += static_cast<size_t>(d.outcomes[i]);
      }
    }
  }

  // The leads whose total changed, largest change first.
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i)
    if (before[i].ok && after[i].ok && before[i].outcome.total != after[i].outcome.total) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::llabs(after[x].outcome.total - before[x].outcome.total) > std::llabs(after[y].outcome.total - before[y].outcome.total);
  });
  // The rules whose points changed for lead `i`: label, old points, new points.
  auto changed_rules = [&](size_t i) {
    std::map<std::string, std::pair<int64_t, int64_t>> rules;
    for (const auto& [label, c] : rule_points(*d.old_model, before[i].outcome)) rules[label].first = c;
    for (const auto& [label, c] : rule_points(*d.new_model, after[i].outcome)) rules[label].second = c;
    std::vector<std::tuple<std::string, int64_t, int64_t>> out;
    for (const auto& [label, c] : rules)
      if (c.first != c.second) out.emplace_back(label, c.first, c.second);
    return out;
  };
  size_t shown = std::min(order.size(), d.top);

  std::string out;
  if (d.format == DiffFormat::Csv) {
    std::vector<const SetPair*> compared;
    out += "key,old_total,new_total,change";
    for (const SetPair& p : sets)
      if (p.old_set && p.new_set) {
        compared.push_back(&p);
        out += "," + csv_cell(p.old_set->name + "_old") + "," + csv_cell(p.new_set->name + "_new");
      }
    const char* eol = d.crlf ? "\r\n" : "\n";
    out += ",error";
    out += eol;
    for (size_t i = 0; i < n; ++i) {
      out += csv_cell(before[i].ok ? before[i].key : after[i].key);
      if (!before[i].ok || !after[i].ok) {
        out += std::string(3 + 2 * compared.size(), ',');
        out += !before[i].ok ? "the old model could not read it" : "the new model could not read it";
        out += eol;
        continue;
      }
      int64_t b = before[i].outcome.total, a = after[i].outcome.total;
      out += fmt::format(",{},{},{}", format_points(b), format_points(a), format_points(a - b));
      for (const SetPair* p : compared)
        out += "," + csv_cell(tier_name(*p->old_set, before[i].outcome.tiers[p->old_index])) + "," +
               csv_cell(tier_name(*p->new_set, after[i].outcome.tiers[p->new_index]));
      out += ",";
      out += eol;
    }
    report = out;
    return true;
  }

  if (d.format == DiffFormat::Json) {
    out += fmt::format("{{\"as_of\": {}, \"leads\": {}, \"unreadable\": {}, \"tier_sets\": [", text::json_string(d.as_of_text), n,
                       errors);
    for (size_t s = 0; s < sets.size(); ++s) {
      const SetPair& p = sets[s];
      out += fmt::format("{}\n  {{\"old\": {}, \"new\": {}, \"status\": \"{}\"", s ? "," : "",
                         p.old_set ? text::json_string(p.old_set->name) : "null",
                         p.new_set ? text::json_string(p.new_set->name) : "null", p.status);
      if (p.old_set && p.new_set) {
        out += fmt::format(", \"changed\": {}, \"tiers\": [", p.moved);
        for (size_t t = 0; t < p.tiers.size(); ++t) out += (t ? ", " : "") + text::json_string(p.tiers[t]);
        out += "], \"moves\": [";
        bool first = true;
        for (const auto& from : p.tiers)
          for (const auto& to : p.tiers) {
            auto it = p.moves.find({from, to});
            if (it == p.moves.end()) continue;
            out += fmt::format("{}{{\"from\": {}, \"to\": {}, \"leads\": {}", first ? "" : ", ", text::json_string(from),
                               text::json_string(to), it->second);
            if (!d.outcomes.empty()) {
              auto c = p.converted.find({from, to});
              out += c == p.converted.end() ? ", \"with_outcome\": 0, \"converted\": 0"
                                            : fmt::format(", \"with_outcome\": {}, \"converted\": {}", c->second.first, c->second.second);
            }
            out += "}";
            first = false;
          }
        out += "]";
      }
      out += "}";
    }
    out += fmt::format("{}], \"changed_total\": {}, \"largest_changes\": [", sets.empty() ? "" : "\n", order.size());
    for (size_t k = 0; k < shown; ++k) {
      size_t i = order[k];
      int64_t b = before[i].outcome.total, a = after[i].outcome.total;
      out += fmt::format("{}\n  {{\"key\": {}, \"old_total\": {}, \"new_total\": {}, \"change\": {}, \"rules\": [", k ? "," : "",
                         text::json_string(before[i].key), format_points(b), format_points(a), format_points(a - b));
      bool first = true;
      for (const auto& [label, was, now] : changed_rules(i)) {
        out += fmt::format("{}{{\"rule\": {}, \"old\": {}, \"new\": {}}}", first ? "" : ", ", text::json_string(label),
                           format_points(was), format_points(now));
        first = false;
      }
      out += "]}";
    }
    out += shown ? "\n]}\n" : "]}\n";
    report = out;
    return true;
  }

  out += fmt::format("{} leads scored with both models as of {}.\n", n, d.as_of_text);
  if (errors) out += fmt::format("{} leads could not be read by one of the models and are left out below.\n", errors);
  // Tier sets that are not compared under the same name: said, never left out silently.
  std::string renames;
  for (const SetPair& p : sets) {
    if (p.status == "renamed")
      renames += fmt::format("tier set `{}` is `{}` in the new model (renamed): compared as one\n", p.old_set->name, p.new_set->name);
    else if (p.status == "removed")
      renames += fmt::format("tier set `{}` is not in the new model (removed): not compared\n", p.old_set->name);
    else if (p.status == "added")
      renames += fmt::format("tier set `{}` is new (added): not compared\n", p.new_set->name);
  }
  if (!renames.empty()) out += "\n" + renames;

  for (const SetPair& p : sets) {
    if (!p.old_set || !p.new_set) continue;
    std::string title = p.status == "renamed" ? fmt::format("{} (now {})", p.old_set->name, p.new_set->name) : p.old_set->name;
    out += fmt::format("\n{}: {} lead{} change tier (rows: old tier, columns: new tier)\n", title, p.moved, p.moved == 1 ? "" : "s");
    size_t width = 12;
    for (const auto& x : p.tiers) width = std::max(width, x.size() + 2);
    out += fmt::format("  {:<{}}", "", width);
    for (const auto& x : p.tiers) out += fmt::format("{:>{}}", x, width);
    out += "\n";
    for (const auto& from : p.tiers) {
      out += fmt::format("  {:<{}}", from, width);
      for (const auto& to : p.tiers) {
        auto it = p.moves.find({from, to});
        out += fmt::format("{:>{}}", it == p.moves.end() ? std::string("-") : std::to_string(it->second), width);
      }
      out += "\n";
    }
    if (!d.outcomes.empty()) out += conversion_of_moves(p, width);
  }

  // The largest total changes, with the rules whose points changed.
  if (order.empty()) {
    out += "\n0 leads change total.\n";
  } else {
    out += fmt::format("\n{} lead{} change total; the largest {}:\n", order.size(), order.size() == 1 ? "" : "s",
                       shown == 1 ? "change" : "changes");
  }
  for (size_t k = 0; k < shown; ++k) {
    size_t i = order[k];
    int64_t delta = after[i].outcome.total - before[i].outcome.total;
    out += fmt::format("  {:<14} {:>9} -> {:<9} ({}{})\n", before[i].key, format_points(before[i].outcome.total),
                       format_points(after[i].outcome.total), delta > 0 ? "+" : "", format_points(delta));
    for (const auto& [label, was, now] : changed_rules(i))
      out += fmt::format("      {}: {} -> {}\n", label, format_points(was), format_points(now));
  }
  report = out;
  return true;
}

}  // namespace rubric::io
