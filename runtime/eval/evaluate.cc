// SPDX-License-Identifier: Apache-2.0
// `rubric evaluate`: reads and scores every lead once (the reference interpreter, explaining,
// so that every rule's firing is known), then computes the figures of each part.
#include "runtime/eval/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "compiler/driver/driver.h"
#include "compiler/source/text.h"
#include "runtime/interp/interp.h"
#include "runtime/io/decode.h"
#include "runtime/io/input.h"
#include "runtime/io/test_runner.h"
#include "runtime/io/time.h"

namespace rubric::eval {

namespace {

// The ranking value of a disqualified lead: below every total (totals stop at ±10^13 points).
constexpr double kDisqualifiedRank = -1e15;
// Rules firing on fewer leads than this (or on all but this many) are not judged.
constexpr int64_t kMinGroup = 30;
// |z| above this is a difference beyond chance (two-sided 5%).
constexpr double kSignificant = 1.96;

// One lead as the evaluation keeps it: its outcome and what the model made of it, in about 40
// bytes and its scores, tiers and rules in flat tables (a million leads of a 30-rule model take
// about 200 MB).
struct Lead {
  uint8_t positive = 0;
  bool held_out = false;
  int32_t disqualifier = -1;
  double total = 0;
  const double* scores = nullptr;  // per score, in points
  const int32_t* tiers = nullptr;  // per tier set: the tier, or -1 when disqualified
  const float* rules = nullptr;    // per rule (all scores' rules in order): 1 fired, or the events counted
};

using io::with_extra_fields;

check::Field extra_field(std::string name, std::string column, check::TypeKind kind) {
  check::Field f = io::text_field(std::move(name), std::move(column));
  f.type.kind = kind;
  return f;
}

std::string percent(double x) { return fmt::format("{:.1f}%", 100 * x); }

// How leads that a rule fired on convert against those it did not, as one sentence when that
// contradicts the rule or cannot be told.
void judge_rule(RuleRow& r) {
  const Split2& s = r.stats;
  std::string name = fmt::format("\"{}\": {}{} points{}", r.label, r.points > 0 ? "+" : "", io::format_points(std::llround(r.points * 100)),
                                 r.each ? " each" : "");
  if (s.in < kMinGroup || s.out < kMinGroup) {
    r.flag = RuleRow::Flag::TooFew;
    r.message = s.in == 0          ? fmt::format("{}, but it never fired", name)
                : s.in < kMinGroup ? fmt::format("{}, but it fired on only {} lead{}: too few to measure", name, s.in, s.in == 1 ? "" : "s")
                                 : fmt::format("{}, but it fired on all but {} lead{}: too few left to compare", name, s.out,
                                               s.out == 1 ? "" : "s");
    return;
  }
  if (std::abs(s.z) < kSignificant) {
    r.flag = RuleRow::Flag::NoEffect;
    r.message = fmt::format("{}, but the leads it fired on convert no differently from the rest beyond chance ({} vs {})", name,
                            percent(s.rate_in), percent(s.rate_out));
    return;
  }
  bool converts_more = s.rate_in > s.rate_out;
  if (r.points == 0 || (r.points > 0) == converts_more) return;
  r.flag = RuleRow::Flag::Opposite;
  double ratio = converts_more ? (s.rate_out > 0 ? s.rate_in / s.rate_out : INFINITY) : (s.rate_in > 0 ? s.rate_out / s.rate_in : INFINITY);
  std::string times = std::isfinite(ratio) ? fmt::format("{:.1f}x", ratio) : "far";
  r.message = fmt::format("{}, but leads it fired on convert {} {} ({} vs {})", name, times, converts_more ? "more" : "less",
                          percent(s.rate_in), percent(s.rate_out));
}

// The histogram of `values` in about 20 bins of a round width.
void histogram(const std::vector<const Lead*>& leads, Figures& f) {
  if (leads.empty()) return;
  double lo = INFINITY, hi = -INFINITY;
  for (const Lead* l : leads) lo = std::min(lo, l->total), hi = std::max(hi, l->total);
  double range = hi - lo, width = 1;
  if (range > 0) {
    double raw = range / 20, mag = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
      if (m * mag >= raw) {
        width = m * mag;
        break;
      }
  }
  double start = std::floor(lo / width) * width;
  if (start > lo) start -= width;  // binary rounding of lo / width
  size_t bins = static_cast<size_t>(std::floor((hi - start) / width)) + 1;
  for (size_t b = 0; b <= bins; ++b) f.bin_edges.push_back(start + static_cast<double>(b) * width);
  f.bin_pos.assign(bins, 0);
  f.bin_neg.assign(bins, 0);
  for (const Lead* l : leads) {
    double at = std::clamp(std::floor((l->total - start) / width), 0.0, static_cast<double>(bins - 1));
    (l->positive ? f.bin_pos : f.bin_neg)[static_cast<size_t>(at)]++;
  }
}

double ranking_value(const Lead& l, bool disqualifiers) {
  return disqualifiers && l.disqualifier >= 0 ? kDisqualifiedRank : l.total;
}

Figures figures(const check::CheckedModel& m, const std::vector<const Lead*>& leads, std::string part) {
  Figures f;
  f.part = std::move(part);
  f.leads = static_cast<int64_t>(leads.size());
  std::vector<uint8_t> y;
  for (const Lead* l : leads) y.push_back(l->positive), f.positives += l->positive;
  f.base_rate = f.leads ? static_cast<double>(f.positives) / static_cast<double>(f.leads) : 0;
  const bool disq = !m.disqualifiers.empty();

  std::vector<double> v(leads.size());
  for (size_t s = 0; s < m.scores.size(); ++s) {
    for (size_t i = 0; i < leads.size(); ++i) v[i] = leads[i]->scores[s];
    f.auc.push_back({m.scores[s].name, roc_auc(v, y)});
  }
  for (size_t i = 0; i < leads.size(); ++i) v[i] = leads[i]->total;
  f.auc.push_back({"total", roc_auc(v, y)});
  std::vector<double> rank(leads.size());
  for (size_t i = 0; i < leads.size(); ++i) rank[i] = ranking_value(*leads[i], disq);
  if (disq) f.auc.push_back({"total, disqualified last", roc_auc(rank, y)});
  // Ranked by the model's ranking; the span shown is of the totals (not the stand-in value that
  // puts disqualified leads last).
  f.deciles = deciles(rank, y, v);
  f.roc = roc_curve(rank, y);
  histogram(leads, f);

  for (size_t t = 0; t < m.tier_sets.size(); ++t) {
    TierTable table;
    table.set = m.tier_sets[t].name;
    size_t n = m.tier_sets[t].tiers.size();
    std::vector<int64_t> count(n + 1), pos(n + 1);
    for (const Lead* l : leads) {
      size_t k = l->tiers[t] < 0 ? n : static_cast<size_t>(l->tiers[t]);
      count[k]++;
      pos[k] += l->positive;
    }
    for (size_t k = 0; k <= n; ++k) {
      if (k == n && !disq) break;
      TierRow row;
      row.name = k == n ? "disqualified" : m.tier_sets[t].tiers[k].name;
      row.leads = count[k];
      row.positives = pos[k];
      row.rate = count[k] ? static_cast<double>(pos[k]) / static_cast<double>(count[k]) : NAN;  // an empty tier has none
      row.lift = f.base_rate > 0 ? row.rate / f.base_rate : NAN;
      // A tier converting clearly better than the nearest non-empty tier above it is out of order.
      for (size_t above = table.rows.size(); above-- > 0;) {
        const TierRow& a = table.rows[above];
        if (!a.leads) continue;
        if (row.leads >= kMinGroup && a.leads >= kMinGroup &&
            compare_groups(row.leads, row.positives, a.leads, a.positives).z >= kSignificant)
          row.out_of_order = true;
        break;
      }
      table.rows.push_back(row);
    }
    f.tiers.push_back(std::move(table));
  }

  size_t r = 0;
  for (const check::Score& s : m.scores) {
    for (const check::Rule& rule : s.rules) {
      RuleRow row;
      row.score = s.name;
      row.label = rule.label;
      row.text = rule.text;
      row.line = rule.line;
      row.points = rule.points;
      row.each = rule.each;
      int64_t in = 0, in_pos = 0;
      for (const Lead* l : leads)
        if (l->rules[r] > 0) ++in, in_pos += l->positive;
      row.stats = compare_groups(in, in_pos, f.leads - in, f.positives - in_pos);
      judge_rule(row);
      f.rules.push_back(std::move(row));
      ++r;
    }
  }
  for (size_t d = 0; d < m.disqualifiers.size(); ++d) {
    DisqualifierRow row;
    row.reason = m.disqualifiers[d].reason;
    row.line = m.disqualifiers[d].line;
    int64_t in = 0, in_pos = 0;
    for (const Lead* l : leads)
      if (l->disqualifier == static_cast<int>(d)) ++in, in_pos += l->positive;
    row.stats = compare_groups(in, in_pos, f.leads - in, f.positives - in_pos);
    if (in >= kMinGroup && row.stats.rate_in >= f.base_rate)
      row.message = fmt::format("\"{}\" disqualifies {} leads, but they convert at {}, not below the base rate ({})", row.reason, in,
                                percent(row.stats.rate_in), percent(f.base_rate));
    f.disqualifiers.push_back(std::move(row));
  }
  return f;
}

// The model text with each rule's points replaced by `points` and, for `each` rules with a cap,
// the cap scaled with them (the same number of events reaches it). Labels, `each`, comments
// and layout stay as written; a UTF-8 byte order mark stays too.
bool rewrite_points(const check::CheckedModel& m, std::string_view text, const std::vector<double>& points, std::string& out,
                    std::string& error) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  bool bom = text.substr(0, 3) == kBom;
  if (bom) text.remove_prefix(3);  // source ranges count from after it
  struct Edit {
    size_t begin, end;
    std::string with;
  };
  std::vector<Edit> edits;
  auto number_end = [&](size_t e) {
    while (e < text.size() && (std::isdigit(static_cast<unsigned char>(text[e])) || text[e] == '.' || text[e] == '_')) ++e;
    return e;
  };
  size_t r = 0;
  for (const check::Score& s : m.scores) {
    for (const check::Rule& rule : s.rules) {
      double p = points[r++];
      if (p == rule.points) continue;
      size_t b = rule.points_range.begin, end = rule.points_range.end;
      if (rule.points_range.file != 1 || end > text.size() || b >= end || (text[b] != '+' && text[b] != '-')) {
        error = fmt::format("the points of \"{}\" (line {}) are not where the model's text has them", rule.label, rule.line);
        return false;
      }
      // `+ 5 each, at most 20`: the sign, spaces, and the number.
      size_t e = b + 1;
      while (e < end && (text[e] == ' ' || text[e] == '\t')) ++e;
      edits.push_back({b, number_end(e), fmt::format("{}{}", p < 0 ? "-" : "+", io::format_points(std::llround(std::abs(p) * 100)))});
      // The cap: the number after `most`.
      size_t most = text.substr(0, end).rfind("most");
      if (rule.cap && p != 0 && most != std::string_view::npos && most > b) {
        size_t c = most + 4;
        while (c < end && (text[c] == ' ' || text[c] == '\t')) ++c;
        double cap = *rule.cap * std::abs(p / rule.points);
        edits.push_back({c, number_end(c), io::format_points(std::max<int64_t>(1, std::llround(cap * 100)))});
      }
    }
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& x, const Edit& y) { return x.begin > y.begin; });
  out = bom ? std::string(kBom) : std::string();
  out += text;
  for (const Edit& e : edits) out.replace(e.begin + (bom ? 3 : 0), e.end - e.begin, e.with);
  return true;
}

// Reads the leads of `opts.input` with each one's outcome (and split value): the outcome column
// is read as an extra field of the model, or looked up by key in the outcomes file.
class LabelledReader {
 public:
  bool open(std::shared_ptr<const check::CheckedModel> model, const Options& opts, Report& report, std::string& error) {
    const check::CheckedModel& m = *model;
    opts_ = &opts;
    report_ = &report;
    joined_ = !opts.outcomes.empty();
    if (!check_leakage(m, opts, error)) return false;
    std::vector<check::Field> extra;
    const int base_fields = static_cast<int>(m.lead.fields.size());
    if (!joined_) {
      label_slot_ = base_fields + static_cast<int>(extra.size());
      extra.push_back(extra_field("--label", opts.label.column, check::TypeKind::String));
    }
    if (opts.split.kind == Split::Kind::Time) {
      int f = m.lead.index_of(opts.split.field);
      if (f >= 0) {
        if (m.lead.fields[f].type.kind != check::TypeKind::Time) {
          error = fmt::format("--split time:{}@...: the field `{}` is not a time", opts.split.field, opts.split.field);
          return false;
        }
        split_slot = f;
      } else {
        // A column the model does not read: its text, read as a time here, so that a bad value
        // leaves the lead out of both parts (counted) instead of making it a record error.
        split_slot = base_fields + static_cast<int>(extra.size());
        split_is_text_ = true;
        extra.push_back(extra_field("--split", opts.split.field, check::TypeKind::String));
      }
    }
    reading_ = with_extra_fields(model, extra);
    if (joined_ && !read_outcomes_file(m, error)) return false;
    io::ReaderOptions chosen = opts.reader;
    if (!in_.open(opts.input, chosen, error)) return false;
    csv_ = chosen.format == io::InputFormat::Csv;
    std::string fatal;
    reader_ = io::open_reader(in_.stream(), *reading_, chosen, fatal);
    if (!reader_) {
      error = fmt::format("{}: {}", opts.input, fatal);
      return false;
    }
    for (std::string w : reader_->warnings()) {
      // The reader names the added fields: say which option they come from.
      for (auto [field, option] : {std::pair{"the optional field `--label`", "the --label column"},
                                   std::pair{"the optional field `--split`", "the --split column"}}) {
        size_t at = w.find(field);
        if (at != std::string::npos) w.replace(at, std::string(field).size(), option);
      }
      report.warnings.push_back(fmt::format("{}: {}", opts.input, w));
    }
    if (!opts.events.path.empty()) {
      if (opts.events.path == "-") {
        error = "evaluate may read the leads more than once, so --events must be a file, not standard input";
        return false;
      }
      events_ = io::open_events(opts.events, model, error);
      if (!events_) {
        error = "--events: " + error;
        return false;
      }
      reader_ = io::join_events(std::move(reader_), events_);
      for (const std::string& w : io::warnings(*events_)) report.warnings.push_back(w);
    }
    if (csv_ && m.has_events && !events_)
      report.warnings.push_back(fmt::format("{}: CSV rows carry no events, so behaviours see none; give them in a flat events file (--events FILE, one event per row) or use JSON Lines",
                                            opts.input));
    return true;
  }

  // The next record and its outcome (1, 0, or -1 when it has none or cannot be read); false at
  // the end, or on an outcome that is neither yes nor no (with `error`).
  bool next(io::InputRecord& rec, int& y, std::string& error) {
    bool more;
    try {
      more = reader_->next(rec);
      if (!more && events_) {  // what became of the events, once
        io::EventsSummary s = io::finish_events(*events_);
        if (std::string d = io::describe(s, opts_->events.path); !d.empty()) report_->warnings.push_back(d);
        for (const std::string& m : s.messages) report_->warnings.push_back(m);
        events_.reset();
      }
    } catch (const io::InputError& e) {
      error = e.what();
      return false;
    }
    if (!more) {
      if (in_.stream().bad())
        error = fmt::format("reading {} failed part way{}", opts_->input, in_.error().empty() ? "" : " (" + in_.error() + ")");
      return false;
    }
    y = -1;
    if (!rec.ok()) return true;
    if (joined_) {
      auto it = outcomes_.find(rec.key);
      if (it != outcomes_.end()) matched_.insert(rec.key);
      y = it != outcomes_.end() ? it->second : opts_->label.column.empty() ? 0 : -1;
      return true;
    }
    const check::Value& v = rec.record.fields[label_slot_];
    if (v.is_missing()) return true;
    y = label_of(opts_->label, v.s);
    if (y == -1) {
      error = not_yes_or_no(opts_->input, rec.line, v.s);
      return false;
    }
    tally(v.s, y);
    if (y == kUndecided) y = -1;
    return true;
  }

  // The values the outcome column held, most frequent first (at most 12, then the rest as one).
  std::vector<OutcomeValue> values() const {
    std::vector<OutcomeValue> out;
    for (const auto& [folded, v] : values_) out.push_back(v);
    std::stable_sort(out.begin(), out.end(), [](const OutcomeValue& a, const OutcomeValue& b) { return a.count > b.count; });
    if (out.size() > 12) {
      OutcomeValue rest{fmt::format("{} other values", out.size() - 11), 0, 0};
      for (size_t i = 11; i < out.size(); ++i) rest.count += out[i].count, rest.outcome = std::max(rest.outcome, out[i].outcome);
      out.resize(11);
      out.push_back(rest);
    }
    return out;
  }

  // Keys of the outcomes file that no lead read so far had, and one of them.
  size_t unmatched(std::string& example) const {
    for (const auto& [key, y] : outcomes_)
      if (!matched_.count(key)) {
        example = key;
        break;
      }
    return outcomes_.size() - matched_.size();
  }

  // Whether a read lead is held out by the split; false when it has no value for a time split
  // (it is then in neither part).
  bool place(const io::InputRecord& rec, bool& held_out) const {
    held_out = false;
    switch (opts_->split.kind) {
      case Split::Kind::None: return true;
      case Split::Kind::Random: held_out = random_held_out(opts_->split, rec.number); return true;
      case Split::Kind::Time: {
        const check::Value& t = rec.record.fields[split_slot];
        if (t.is_missing()) return false;
        int64_t at = t.i;
        if (split_is_text_) {
          std::optional<int64_t> parsed = io::parse_time(t.s);
          if (!parsed) return false;
          at = *parsed;
        }
        held_out = at >= opts_->split.at;
        return true;
      }
    }
    return false;
  }

 private:
  int split_slot = -1;
  std::string not_yes_or_no(const std::string& file, int64_t line, const std::string& value) const {
    return fmt::format("{}:{}: the outcome column {} holds {}, which is not yes or no; say which value converted with --positive "
                       "VALUE or --label '{} = \"...\"'",
                       file, line, text::json_string(opts_->label.column), text::json_string(value), opts_->label.column);
  }

  // Outcomes kept in another file: key -> outcome (1 when the file only lists the converted).
  bool read_outcomes_file(const check::CheckedModel& m, std::string& error) {
    const Options& opts = *opts_;
    if (m.key_field < 0) {
      error = "--outcomes joins outcomes to leads by the key, and the model has no key field (`key from \"...\"`)";
      return false;
    }
    check::CheckedModel om;
    om.missing_values = m.missing_values;
    om.lead.fields.push_back(extra_field("key", opts.outcomes_key.empty() ? m.lead.fields[m.key_field].column : opts.outcomes_key,
                                         check::TypeKind::String));
    om.key_field = 0;
    if (!opts.label.column.empty()) om.lead.fields.push_back(extra_field("--label", opts.label.column, check::TypeKind::String));
    io::Input in;
    io::ReaderOptions chosen = opts.outcomes_reader;
    if (!in.open(opts.outcomes, chosen, error)) return false;
    std::string fatal;
    auto reader = io::open_reader(in.stream(), om, chosen, fatal);
    if (!reader) {
      error = fmt::format("{}: {}", opts.outcomes, fatal);
      return false;
    }
    for (const std::string& w : reader->warnings()) report_->warnings.push_back(fmt::format("{}: {}", opts.outcomes, w));
    io::InputRecord rec;
    int64_t conflicts = 0, unreadable = 0, keyless = 0;
    std::string first_problem;
    while (reader->next(rec)) {
      ++report_->outcomes_rows;
      if (!rec.ok() || rec.record.fields[0].is_missing()) {
        // A row without a key, or that cannot be read, says nothing about any lead: counted.
        ++(rec.ok() ? keyless : unreadable);
        if (first_problem.empty())
          first_problem = fmt::format(" (the first on line {}{})", rec.line, rec.ok() ? "" : ": " + rec.errors.front());
        continue;
      }
      int y = 1;
      if (!opts.label.column.empty()) {
        const check::Value& v = rec.record.fields[1];
        if (v.is_missing()) continue;
        y = label_of(opts.label, v.s);
        if (y == -1) {
          error = not_yes_or_no(opts.outcomes, rec.line, v.s);
          return false;
        }
        tally(v.s, y);
        if (y == kUndecided) continue;
      }
      auto [it, fresh] = outcomes_.emplace(rec.key, y);
      if (!fresh && it->second != y) ++conflicts, it->second = std::max(it->second, y);
    }
    if (conflicts)
      report_->warnings.push_back(fmt::format("{}: {} rows repeat a key with another outcome; a lead counts as converted when "
                                              "any of its rows says so",
                                              opts.outcomes, conflicts));
    if (in.stream().bad())
      error = fmt::format("reading {} failed part way{}", opts.outcomes, in.error().empty() ? "" : " (" + in.error() + ")");
    if (error.empty() && outcomes_.empty() && keyless)
      error = fmt::format("{}: no row has a key in column {}{}; name the outcomes file's key column with --outcomes-key", opts.outcomes,
                          text::json_string(om.lead.fields[0].column), first_problem);
    if (!error.empty()) return false;
    if (unreadable || keyless)
      report_->warnings.push_back(fmt::format("{}: {} rows could not be read and {} have no key; they are left out{}", opts.outcomes,
                                              unreadable, keyless, first_problem));
    return true;
  }

  bool split_is_text_ = false;
  const Options* opts_ = nullptr;
  Report* report_ = nullptr;
  bool joined_ = false;
  int label_slot_ = -1;
  std::shared_ptr<const check::CheckedModel> reading_;
  std::unordered_map<std::string, int> outcomes_;
  std::unordered_set<std::string> matched_;
  std::map<std::string, OutcomeValue> values_;  // by folded text

  void tally(const std::string& raw, int y) {
    if (values_.size() >= 1000 && !values_.count(text::fold_case(raw))) return;  // a column of ids, say
    OutcomeValue& v = values_[text::fold_case(raw)];
    if (!v.count) v.text = raw, v.outcome = y;
    ++v.count;
  }
  io::Input in_;
  bool csv_ = false;
  std::unique_ptr<io::RecordReader> reader_;
  std::shared_ptr<io::EventFile> events_;  // --events, until the leads end
};

// The total as a linear function of the scores: each score's coefficient (1 each without a
// `total =`; 0 for a score the total leaves out). False when the total is not linear in them (a
// product of scores, a field, a function): the coefficients are then all 1.
bool total_coefficients(const check::CheckedModel& m, std::vector<double>& coef) {
  coef.assign(m.scores.size(), m.total ? 0.0 : 1.0);
  if (!m.total) return true;
  // Walks sums, differences, negations and products or quotients with a number.
  std::vector<std::pair<const check::Node*, double>> todo{{m.total, 1.0}};
  auto number = [](const check::Node* n, double& v) {
    if (n->op != check::Op::Literal || (n->lit.kind != check::Value::Kind::Int && n->lit.kind != check::Value::Kind::Number)) return false;
    v = n->lit.as_double();
    return true;
  };
  while (!todo.empty()) {
    auto [n, k] = todo.back();
    todo.pop_back();
    double v;
    if (n->op == check::Op::Add || n->op == check::Op::Sub) {
      todo.push_back({n->kids[0], k});
      todo.push_back({n->kids[1], n->op == check::Op::Sub ? -k : k});
    } else if (n->op == check::Op::Neg) {
      todo.push_back({n->kids[0], -k});
    } else if (n->op == check::Op::Mul && number(n->kids[0], v)) {
      todo.push_back({n->kids[1], k * v});
    } else if (n->op == check::Op::Mul && number(n->kids[1], v)) {
      todo.push_back({n->kids[0], k * v});
    } else if (n->op == check::Op::Div && number(n->kids[1], v) && v != 0) {
      todo.push_back({n->kids[0], k / v});
    } else if (n->op == check::Op::ScoreRef && n->slot >= 0 && static_cast<size_t>(n->slot) < coef.size()) {
      coef[static_cast<size_t>(n->slot)] += k;
    } else if (n->op != check::Op::Literal) {
      coef.assign(m.scores.size(), 1.0);
      return false;
    }
  }
  return true;
}

// --suggest: fits the rules' points to the training leads that are not disqualified, scales
// them to the model's largest points, and checks the rewritten model on the held-out leads.
Suggestion suggest(std::shared_ptr<const check::CheckedModel> model, const Options& opts, const std::vector<Lead>& leads) {
  Suggestion s;
  s.lambda = opts.lambda;
  const check::CheckedModel& m = *model;
  std::vector<const check::Rule*> rules;
  std::vector<std::string> score_of;
  for (const check::Score& sc : m.scores)
    for (const check::Rule& r : sc.rules) rules.push_back(&r), score_of.push_back(sc.name);
  std::vector<const Lead*> train;
  for (const Lead& l : leads)
    if (!l.held_out && l.disqualifier < 0) train.push_back(&l);
  s.fitted_on = static_cast<int64_t>(train.size());
  int64_t train_pos = 0;
  for (const Lead* l : train) train_pos += l->positive;
  if (train_pos < 10 || s.fitted_on - train_pos < 10) {
    s.problem = fmt::format("the training part has {} leads that converted and {} that did not (not disqualified): too few to fit "
                            "points (at least 10 of each)",
                            train_pos, s.fitted_on - train_pos);
    return s;
  }
  // What the fit leaves out: it adds rules' points, as a total that is the sum of the scores
  // without ceilings or floors would.
  for (const check::Score& sc : m.scores)
    if (sc.ceiling || sc.floor)
      s.notes.push_back(fmt::format("`{}` has {}: the fit ignores {}, and the held-out figures below include {}", sc.name,
                                    sc.ceiling && sc.floor ? "a ceiling and a floor" : sc.ceiling ? "a ceiling" : "a floor",
                                    sc.ceiling && sc.floor ? "them" : "it", sc.ceiling && sc.floor ? "them" : "it"));
  // Each rule reaches the total through its score's coefficient there.
  std::vector<double> coef, rule_coef;
  if (!total_coefficients(m, coef))
    s.notes.push_back("the total is not a sum of the scores times numbers: the fit treats it as their plain sum, and the held-out "
                      "figures below are of the total as written");
  for (size_t sc = 0; sc < m.scores.size(); ++sc)
    for (size_t k = 0; k < m.scores[sc].rules.size(); ++k) rule_coef.push_back(coef[sc]);
  // Rules to fit: those that fire on enough training leads, and not on (nearly) all of them.
  std::vector<size_t> fit;
  std::vector<std::string> note(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) {
    int64_t fired = 0;
    for (const Lead* l : train) fired += l->rules[r] > 0;
    if (rule_coef[r] == 0) note[r] = fmt::format("its score `{}` is not in the total: kept", score_of[r]);
    else if (fired < 10 || s.fitted_on - fired < 10) note[r] = fmt::format("fired on {} of {} training leads: kept", thousands(fired), thousands(s.fitted_on));
    else fit.push_back(r);
  }
  std::vector<double> x(train.size() * fit.size());
  std::vector<uint8_t> y;
  for (size_t i = 0; i < train.size(); ++i) {
    y.push_back(train[i]->positive);
    for (size_t j = 0; j < fit.size(); ++j) x[i * fit.size() + j] = train[i]->rules[fit[j]];
  }
  std::vector<double> w;
  s.converged = fit.empty() || fit_logistic(x, train.size(), fit.size(), y, opts.lambda, w);
  // Scale: the fitted rules' part of the total spreads as widely over the training leads with the
  // suggested points as with the current ones (its centre can move: tier thresholds may need
  // moving too, which `rubric diff` shows).
  auto spread = [&](auto weight) {
    double sum = 0, sq = 0;
    for (const Lead* l : train) {
      double v = 0;
      for (size_t j = 0; j < fit.size(); ++j) v += weight(j) * l->rules[fit[j]];
      sum += v, sq += v * v;
    }
    double n = static_cast<double>(std::max<size_t>(1, train.size())), mean = sum / n;
    return std::sqrt(std::max(0.0, sq / n - mean * mean));
  };
  double now = spread([&](size_t j) { return rules[fit[j]]->points * rule_coef[fit[j]]; }),
         fitted = spread([&](size_t j) { return w[j]; });
  double scale = fitted > 0 ? (now > 0 ? now : 10) / fitted : 0;
  std::vector<double> points(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) points[r] = rules[r]->points;
  // A rule's points reach the total times its score's coefficient, so the weight is divided by it.
  for (size_t j = 0; j < fit.size(); ++j) points[fit[j]] = std::round(w[j] * scale / rule_coef[fit[j]]);
  for (size_t r = 0; r < rules.size(); ++r) {
    SuggestedRule row;
    row.score = score_of[r];
    row.label = rules[r]->label;
    row.line = rules[r]->line;
    row.current = rules[r]->points;
    row.suggested = points[r];
    row.note = note[r];
    row.weight = NAN;  // kept, not fitted
    for (size_t j = 0; j < fit.size(); ++j)
      if (fit[j] == r) row.weight = w[j];
    if (note[r].empty() && points[r] == 0) row.note = "rounds to 0 points: consider removing it";
    s.rules.push_back(std::move(row));
  }
  int64_t held = 0;
  for (const Lead& l : leads) held += l.held_out;
  s.evaluated_on = fmt::format("{} held-out leads", thousands(held));
  std::string error;
  if (!rewrite_points(m, opts.model_text, points, s.model_text, error)) {
    s.problem = error;
    return s;
  }
  driver::Compilation c = driver::compile_source(opts.model_name, s.model_text, m.host_functions);
  if (!c.ok()) {
    s.problem = "the model with the suggested points does not check:";
    for (const auto& d : c.diagnostics.items()) s.problem += " " + d.message + ";";
    return s;
  }
  // The model's own test cases (`test "..."`), which were written for the current points.
  if (!c.model->tests.empty()) {
    io::TestReport tests = io::run_tests(c.model, opts.model_name);
    if (tests.failed)
      s.notes.push_back(fmt::format("{} of the model's {} test case{} {} with the suggested points (`rubric test` shows which)",
                                    tests.failed, tests.passed + tests.failed, tests.passed + tests.failed == 1 ? "" : "s",
                                    tests.failed == 1 ? "fails" : "fail"));
  }
  // Both models on the held-out leads, read again (the split picks the same ones): memory stays
  // flat in the input's size.
  interp::Interpreter current(model), suggested(c.model);
  std::vector<double> rank_current, rank_suggested;
  std::vector<uint8_t> held_y;
  Report scratch;
  LabelledReader reader;
  if (!reader.open(model, opts, scratch, error)) {
    s.problem = error;
    return s;
  }
  auto rank = [](const check::CheckedModel& m, const interp::Outcome& o) {
    return !m.disqualifiers.empty() && o.disqualifier >= 0 ? kDisqualifiedRank : static_cast<double>(o.total) / 100;
  };
  io::InputRecord rec;
  int outcome;
  bool held_out;
  while (reader.next(rec, outcome, error)) {
    if (!rec.ok() || outcome < 0 || !reader.place(rec, held_out) || !held_out) continue;
    held_y.push_back(static_cast<uint8_t>(outcome));
    rank_current.push_back(rank(m, current.score(rec.record, opts.as_of, false)));
    rank_suggested.push_back(rank(*c.model, suggested.score(rec.record, opts.as_of, false)));
  }
  if (!error.empty()) {
    s.problem = error;
    return s;
  }
  if (static_cast<int64_t>(held_y.size()) != held) {
    s.problem = fmt::format("reading {} again gave {} held-out leads instead of {} (did it change, or is it a pipe?)", opts.input,
                            held_y.size(), held);
    return s;
  }
  s.auc_current = roc_auc(rank_current, held_y).auc;
  s.auc_suggested = roc_auc(rank_suggested, held_y).auc;
  return s;
}

}  // namespace

bool check_leakage(const check::CheckedModel& m, const Options& opts, std::string& error) {
  if (opts.label.column.empty() || !opts.outcomes.empty()) return true;
  for (const check::Field& f : m.lead.fields) {
    if (text::iequals(f.column, opts.label.column)) {
      error = fmt::format("the model reads the outcome column {} (field `{}`), so its scores would be judged by the answer itself; "
                          "remove the field from the model or choose another label",
                          text::json_string(opts.label.column), f.name);
      return false;
    }
  }
  return true;
}

bool read_outcomes(std::shared_ptr<const check::CheckedModel> model, const Options& opts, std::vector<int>& out, std::string& error) {
  Report report;
  LabelledReader reader;
  if (!reader.open(std::move(model), opts, report, error)) return false;
  io::InputRecord rec;
  int y;
  out.clear();
  int64_t known = 0;
  while (reader.next(rec, y, error)) out.push_back(y), known += y >= 0;
  if (!error.empty()) return false;
  if (known == 0) {
    error = fmt::format("no lead of {} has an outcome", opts.input);
    for (const std::string& w : report.warnings) error += "; " + w;
  }
  return error.empty();
}

bool evaluate(std::shared_ptr<const check::CheckedModel> model, const Options& opts, Report& report, std::string& error,
              std::ostream& errors) {
  const check::CheckedModel& m = *model;
  report = Report{};
  report.model = m.name;
  report.input = opts.input;
  report.as_of = opts.as_of_text;
  report.split = opts.split.kind == Split::Kind::None ? "" : opts.split.text;
  report.label = !opts.outcomes.empty() ? (opts.label.column.empty() ? fmt::format("the key is in {}", opts.outcomes)
                                                                     : fmt::format("{} in {}", opts.label.text, opts.outcomes))
                                        : opts.label.text;
  LabelledReader reader;
  if (!reader.open(model, opts, report, error)) return false;

  interp::Interpreter interp(model);
  std::vector<size_t> rule_base;
  size_t rule_count = 0;
  for (const check::Score& s : m.scores) rule_base.push_back(rule_count), rule_count += s.rules.size();
  const size_t n_scores = m.scores.size(), n_tiers = m.tier_sets.size();
  std::vector<Lead> leads;
  std::vector<double> score_table;
  std::vector<int32_t> tier_table;
  std::vector<float> rule_table;
  io::InputRecord rec;
  int y;
  int64_t warned = 0, read_as_missing = 0;
  while (reader.next(rec, y, error)) {
    ++report.records;
    if (!rec.ok()) {
      if (report.errors++ < opts.max_error_messages)
        errors << fmt::format("{}:{}: {}: {}\n", opts.input, rec.line, rec.key, rec.errors.front());
      continue;
    }
    if (y < 0) {
      ++report.unlabelled;
      continue;
    }
    if (!rec.warnings.empty()) ++warned, read_as_missing += static_cast<int64_t>(rec.warnings.size());
    Lead l;
    l.positive = static_cast<uint8_t>(y);
    if (!reader.place(rec, l.held_out)) {
      ++report.not_in_split;
      continue;
    }
    interp::Outcome o = interp.score(rec.record, opts.as_of, true);
    for (int64_t c : o.scores) score_table.push_back(static_cast<double>(c) / 100);
    l.total = static_cast<double>(o.total) / 100;
    tier_table.insert(tier_table.end(), o.tiers.begin(), o.tiers.end());
    l.disqualifier = o.disqualifier;
    size_t base = rule_table.size();
    rule_table.resize(base + rule_count, 0.0f);
    for (const interp::RuleHit& h : o.hits) {
      // How many times the rule's points were given: 1 for a live rule; for an `each` rule the
      // events counted, after decay and the rule's cap (what the points multiply).
      const check::Rule& rule = m.scores[h.score].rules[h.rule];
      double times = rule.points != 0 ? static_cast<double>(h.cents) / (rule.points * 100) : rule.each ? static_cast<double>(h.events) : 1;
      rule_table[base + rule_base[h.score] + h.rule] += static_cast<float>(times);
    }
    leads.push_back(l);
  }
  for (size_t i = 0; i < leads.size(); ++i) {
    leads[i].scores = score_table.data() + i * n_scores;
    leads[i].tiers = tier_table.data() + i * n_tiers;
    leads[i].rules = rule_table.data() + i * rule_count;
  }
  if (!error.empty()) return false;
  if (read_as_missing)
    report.warnings.push_back(fmt::format("{}: {} bad value{} of optional fields read as missing, or events of unknown kinds skipped, "
                                          "in {} lead{} (`rubric score` lists them)",
                                          opts.input, read_as_missing, read_as_missing == 1 ? "" : "s", warned, warned == 1 ? "" : "s"));
  if (report.errors > opts.max_error_messages)
    errors << fmt::format("{}: ... and {} more records with errors\n", opts.input, report.errors - opts.max_error_messages);
  report.outcome_values = reader.values();
  std::string example;
  if (size_t lost = reader.unmatched(example))
    report.warnings.push_back(fmt::format("{}: {} of its keys match no lead of {} (one is {}); keys are compared exactly, as written",
                                          opts.outcomes, lost, opts.input, text::json_string(example)));
  int64_t positives = 0;
  for (const Lead& l : leads) positives += l.positive;
  if (leads.empty() && report.not_in_split > 0) {
    error = fmt::format("no lead has a time in the --split column {} ({} records, {} with errors, {} without an outcome, {} without "
                        "a time there)",
                        text::json_string(opts.split.field), report.records, report.errors, report.unlabelled, report.not_in_split);
    for (const std::string& w : report.warnings)
      if (w.find("--split column") != std::string::npos) error += "; " + w;
    return false;
  }
  if (leads.empty() || positives == 0 || positives == static_cast<int64_t>(leads.size())) {
    std::string why = leads.empty() ? "no lead has an outcome"
                      : positives == 0 ? "no lead converted"
                                       : "every lead converted";
    std::string hint;
    for (const std::string& w : report.warnings)
      if (w.find("--label column") != std::string::npos || w.find("`key`") != std::string::npos) hint = "; " + w;
    std::string seen;
    for (const OutcomeValue& v : report.outcome_values)
      seen += fmt::format("{}{} ({})", seen.empty() ? "; the outcome column holds " : ", ", text::json_string(v.text), v.count);
    error = fmt::format("{} ({} records, {} with errors, {} without an outcome), so there is nothing to measure{}{}", why,
                        report.records, report.errors, report.unlabelled, seen, hint);
    return false;
  }
  std::vector<const Lead*> held, train, all;
  for (const Lead& l : leads) (l.held_out ? held : train).push_back(&l), all.push_back(&l);
  if (opts.split.kind == Split::Kind::None) {
    report.main = figures(m, all, "all leads");
  } else {
    if (held.empty() || train.empty()) {
      error = fmt::format("--split {} leaves {} leads held out and {} for training; both parts need leads", opts.split.text,
                          held.size(), train.size());
      return false;
    }
    report.main = figures(m, held, "held out");
    report.training = figures(m, train, "training");
    for (const Figures* f : {&report.main, &*report.training})
      if (f->positives == 0 || f->positives == f->leads)
        report.warnings.push_back(fmt::format("every lead of the {} part ({}) {}: its AUCs cannot be computed", f->part, f->leads,
                                              f->positives ? "converted" : "did not convert"));
  }
  report.ranking = m.disqualifiers.empty() ? "total" : "total, disqualified last";
  if (opts.suggest) report.suggestion = suggest(model, opts, leads);
  return true;
}

}  // namespace rubric::eval
