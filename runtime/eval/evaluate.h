// SPDX-License-Identifier: Apache-2.0
// `rubric evaluate`: whether a model's scores predict who converts. Scores every lead of a file
// with the reference interpreter, reads each lead's outcome (a column of the file, or of an
// outcomes file joined by the key), and measures the model as a whole, per tier and per rule;
// optionally on a held-out part only, and with points fitted to the outcomes (`--suggest`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/model.h"
#include "runtime/eval/metrics.h"
#include "runtime/io/events.h"
#include "runtime/io/reader.h"

namespace rubric::eval {

// Which leads converted: `COLUMN`, `COLUMN = VALUE`, `COLUMN != VALUE`, `COLUMN in {A, B}`
// (also `is` / `is not`); names and values may be "quoted". Values compare ignoring case and
// surrounding spaces. A bare column is true for 1/true/yes/y and false for 0/false/no/n.
struct Label {
  enum class Test { Truthy, Equals, NotEquals, OneOf };
  std::string column;
  Test test = Test::Truthy;
  std::vector<std::string> values;     // folded
  std::vector<std::string> undecided;  // folded values meaning "not decided yet" (--undecided)
  std::string text;                    // as the user wrote it, for reports
};
// Parses `expr`; `positive` (--positive) turns a bare column into `COLUMN = positive`.
bool parse_label(std::string_view expr, const std::string& positive, Label& out, std::string& error);
// 1 when `raw` is a positive, 0 when not; kUndecided for an --undecided value (the lead is left
// out); -1 when a bare column holds something that is not yes or no (the caller asks for
// --positive).
inline constexpr int kUndecided = -2;
int label_of(const Label& l, std::string_view raw);

// Which leads the figures are computed on: all of them, a seeded random share, or those whose
// time field is on or after a date (the rest are the training part, which `--suggest` fits on).
struct Split {
  enum class Kind { None, Random, Time };
  Kind kind = Kind::None;
  double fraction = 0.3;  // Random: the held-out share
  uint64_t seed = 1;
  std::string field;      // Time: a time field of the model, or a column of the input
  int64_t at = 0;         // Time: held out from this instant on
  std::string text;       // as written
};
// `random:0.3` or `time:FIELD@2026-01-01`.
bool parse_split(std::string_view spec, uint64_t seed, Split& out, std::string& error);
// Whether record `number` (1-based) falls in the held-out share of a random split: a hash of
// the seed and the number, so the same seed always picks the same leads.
bool random_held_out(const Split& s, int64_t number);

struct Options {
  std::string input;                 // the lead file
  io::ReaderOptions reader;
  io::EventsSpec events;             // a flat events file joined to the leads (path empty: none)
  int64_t as_of = 0;
  std::string as_of_text;
  Label label;
  std::string outcomes;              // optional outcomes file joined by the key
  io::ReaderOptions outcomes_reader;
  std::string outcomes_key;          // its key column; empty: the model key field's column
  Split split;
  bool suggest = false;
  double lambda = 1.0;               // --suggest's L2 penalty
  std::string model_text;            // the model's source, which --suggest rewrites
  std::string model_name;            // its file name, for messages
  int max_error_messages = 10;
};

// What a user asked for, as the CLI's options or the Python API's arguments, before checking.
struct Request {
  std::string input, input_format, delimiter;
  io::EventsSpec events;  // --events
  std::string label, positive, outcomes, outcomes_key, split;
  std::vector<std::string> undecided;
  uint64_t seed = 1;
  bool seed_given = false;
  bool suggest = false;
  double lambda = 1.0;
  bool lambda_given = false;
  int64_t as_of = 0;
  std::string model_text, model_name;  // --suggest rewrites the text; empty when there is none
  int max_error_messages = 100;
  // How an option is called in messages: `--label` on the command line, `label=` in Python.
  std::function<std::string(std::string_view option)> name = [](std::string_view o) { return "--" + std::string(o); };
};
// Checks a request and turns it into Options; `notes` gets what it implies (the held-out part
// --suggest makes without --split, options that have no effect). False with `error`.
bool make_options(const Request& r, Options& o, std::vector<std::string>& notes, std::string& error);

struct AucRow {
  std::string name;  // a score, `total`, or `total, disqualified last`
  Auc auc;
};

struct TierRow {
  std::string name;  // a tier, or `disqualified`
  int64_t leads = 0, positives = 0;
  double rate = 0, lift = 0;
  bool out_of_order = false;  // converts clearly better than the tier above it
};
struct TierTable {
  std::string set;
  std::vector<TierRow> rows;
};

struct RuleRow {
  std::string score, label, text;
  int line = 0;
  double points = 0;
  bool each = false;
  Split2 stats;          // fired vs not fired
  enum class Flag { None, TooFew, NoEffect, Opposite } flag = Flag::None;
  std::string message;   // the flag as a sentence
};

struct DisqualifierRow {
  std::string reason;
  int line = 0;
  Split2 stats;          // disqualified by it (the first matching line) vs not
  std::string message;   // set when its leads convert at or above the base rate
};

// The figures of one set of leads.
struct Figures {
  std::string part;  // "all leads", "held out", "training"
  int64_t leads = 0, positives = 0;
  double base_rate = 0;
  std::vector<AucRow> auc;                 // every score, then total (and total with disqualified last)
  std::vector<Decile> deciles;             // by the model's ranking
  std::vector<TierTable> tiers;
  std::vector<RuleRow> rules;
  std::vector<DisqualifierRow> disqualifiers;
  std::vector<std::pair<double, double>> roc;  // of the model's ranking
  // Histogram of the total: bin edges (bins + 1) and the leads per bin by outcome.
  std::vector<double> bin_edges;
  std::vector<int64_t> bin_pos, bin_neg;
};

struct SuggestedRule {
  std::string score, label;
  int line = 0;
  double current = 0, suggested = 0;
  double weight = 0;   // the fitted log-odds per firing (or per event)
  std::string note;    // why it was kept, when it was
};
struct Suggestion {
  std::vector<SuggestedRule> rules;
  double lambda = 0;
  int64_t fitted_on = 0;           // training leads
  std::string evaluated_on;        // what the AUCs below are computed on
  double auc_current = 0, auc_suggested = 0;
  bool converged = true;
  std::string model_text;          // the model with the suggested points (comments kept)
  std::vector<std::string> notes;  // what the fit leaves out (ceilings, a total that is not a sum)
  std::string written;             // set by the caller once it wrote the model (what and where)
  std::string problem;             // why there is no suggestion (too few outcomes, ...), or it could not be checked
};

// A value of the outcome column, how many leads had it, and what it meant: 1 converted, 0 not,
// kUndecided left out.
struct OutcomeValue {
  std::string text;
  int64_t count = 0;
  int outcome = 0;
};

struct Report {
  std::string model, input, label, as_of, split;
  std::vector<OutcomeValue> outcome_values;  // empty when the outcome is a key's presence
  int64_t records = 0, errors = 0, unlabelled = 0, not_in_split = 0, outcomes_rows = 0;
  std::vector<std::string> warnings;
  std::string ranking;   // the name of the AUC row deciles and the ROC curve use
  Figures main;          // held out when there is a split, else all leads
  std::optional<Figures> training;
  std::optional<Suggestion> suggestion;
};

// Runs the evaluation; false with `error` when it cannot (unreadable input, no labelled lead,
// the label is a column the model reads, ...). Record errors are counted and the first
// `max_error_messages` written to `errors`.
bool evaluate(std::shared_ptr<const check::CheckedModel> model, const Options& opts, Report& report, std::string& error,
              std::ostream& errors);

// Refuses (false, with `error`) an outcome column that `model` reads: its scores would be judged
// by the answer itself. A column of an outcomes file is never refused.
bool check_leakage(const check::CheckedModel& model, const Options& opts, std::string& error);

// Each record's outcome in input order: 1 converted, 0 not, -1 none or unreadable (for `rubric
// diff --label`). False with `error` as evaluate() would fail to read them.
bool read_outcomes(std::shared_ptr<const check::CheckedModel> model, const Options& opts, std::vector<int>& out, std::string& error);

std::string format_text(const Report& r);
// A rule's flag as the text and JSON name it: "", "too few", "no effect", "opposite".
const char* flag_name(RuleRow::Flag f);
// 12,345: counts for people, in every format.
std::string thousands(int64_t n);
std::string format_json(const Report& r);
// One self-contained HTML file (no scripts from elsewhere, no network): the figures with SVG charts.
std::string format_html(const Report& r);

}  // namespace rubric::eval
