// SPDX-License-Identifier: Apache-2.0
// `--label` expressions, `--split` specifications and the other options of `rubric evaluate`,
// checked once for the CLI and the Python API.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "compiler/source/text.h"
#include "runtime/eval/evaluate.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"

namespace rubric::eval {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Token {
  enum class Kind { Word, Quoted, Symbol } kind;
  std::string text;
};

bool tokenize(std::string_view s, std::vector<Token>& out, std::string& error) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      size_t end = s.find(c, i + 1);
      if (end == std::string_view::npos) {
        error = fmt::format("the quote at position {} never ends", i + 1);
        return false;
      }
      out.push_back({Token::Kind::Quoted, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Token::Kind::Symbol, "!="});
      i += 2;
    } else if (c == '=' || c == '{' || c == '}' || c == ',') {
      out.push_back({Token::Kind::Symbol, std::string(1, c)});
      i += 1 + (c == '=' && i + 1 < s.size() && s[i + 1] == '=');  // `==` reads as `=`
    } else {
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '=' && s[j] != '!' && s[j] != '{' && s[j] != '}' &&
             s[j] != ',' && s[j] != '"')
        ++j;
      if (j == i) ++j;  // a lone `!`
      out.push_back({Token::Kind::Word, std::string(s.substr(i, j - i))});
      i = j;
    }
  }
  return true;
}

bool is_word(const Token& t, const char* w) { return t.kind == Token::Kind::Word && text::iequals(t.text, w); }
bool is_symbol(const Token& t, const char* s) { return t.kind == Token::Kind::Symbol && t.text == s; }
bool is_operator(const Token& t) { return is_symbol(t, "=") || is_symbol(t, "!=") || is_word(t, "is") || is_word(t, "in"); }

// A value: one quoted text, or bare words up to the next symbol (or the end) joined by one
// space. Empty, with `error` set, when a quoted value runs on into more words.
std::string value(const std::vector<Token>& t, size_t& i, std::string& error) {
  if (i < t.size() && t[i].kind == Token::Kind::Quoted) {
    if (i + 1 < t.size() && t[i + 1].kind != Token::Kind::Symbol) {
      error = fmt::format("`{}` follows the quoted value \"{}\": put the whole value in the quotes", t[i + 1].text, t[i].text);
      return {};
    }
    return t[i++].text;
  }
  std::string out;
  while (i < t.size() && t[i].kind == Token::Kind::Word) {
    out += (out.empty() ? "" : " ") + t[i].text;
    ++i;
  }
  return out;
}

}  // namespace

bool parse_label(std::string_view expr, const std::string& positive, Label& out, std::string& error) {
  out = Label{};
  out.text = std::string(trim(expr));
  std::vector<Token> t;
  if (!tokenize(out.text, t, error)) return false;
  size_t op = 0;
  while (op < t.size() && !is_operator(t[op])) ++op;
  if (op == t.size()) {
    // No operator: the whole text names the column (`--label "Lead Quality"` arrives unquoted).
    out.column = t.size() == 1 ? t[0].text : out.text;
    if (out.column.empty()) {
      error = "give the outcome column, e.g. --label Converted or --label 'outcome = \"approved\"'";
      return false;
    }
    if (!positive.empty()) {
      out.test = Label::Test::Equals;
      out.values = {text::fold_case(trim(positive))};
      out.text = fmt::format("{} = {}", out.column, text::json_string(positive));
    }
    return true;
  }
  if (!positive.empty()) {
    error = "give the positive value either with --positive or in the --label expression, not both";
    return false;
  }
  if (op == 0) {
    error = fmt::format("the label `{}` starts with an operator: name the column first, e.g. outcome = \"approved\" (quote a column "
                        "name holding `is` or `in`: '\"Is Won\" = yes')",
                        out.text);
    return false;
  }
  for (size_t i = 0; i < op; ++i) out.column += (i ? " " : "") + t[i].text;
  size_t i = op;
  if (is_word(t[i], "in")) {
    out.test = Label::Test::OneOf;
    ++i;
    if (i >= t.size() || !is_symbol(t[i], "{")) {
      error = "write the values after `in` in braces: status in {\"won\", \"closed won\"}";
      return false;
    }
    ++i;
    while (true) {
      bool quoted = i < t.size() && t[i].kind == Token::Kind::Quoted;
      std::string v = value(t, i, error);
      if (!error.empty()) return false;
      if (v.empty() && !quoted) {
        error = "a value is missing in the braces after `in`";
        return false;
      }
      out.values.push_back(text::fold_case(trim(v)));
      if (i < t.size() && is_symbol(t[i], ",")) {
        ++i;
        continue;
      }
      if (i < t.size() && is_symbol(t[i], "}")) {
        ++i;
        break;
      }
      error = "the braces after `in` never close: status in {\"won\", \"closed won\"}";
      return false;
    }
  } else {
    bool negated = is_symbol(t[i], "!=");
    if (is_word(t[i], "is") && i + 1 < t.size() && is_word(t[i + 1], "not")) negated = true, ++i;
    ++i;
    out.test = negated ? Label::Test::NotEquals : Label::Test::Equals;
    bool quoted = i < t.size() && t[i].kind == Token::Kind::Quoted;
    std::string v = value(t, i, error);
    if (!error.empty()) return false;
    if (v.empty() && !quoted) {
      error = fmt::format("a value is missing after the operator in `{}`", out.text);
      return false;
    }
    out.values.push_back(text::fold_case(trim(v)));
  }
  if (i != t.size()) {
    error = fmt::format("unexpected `{}` at the end of the label `{}`", t[i].text, out.text);
    return false;
  }
  return true;
}

int label_of(const Label& l, std::string_view raw) {
  std::string v = text::fold_case(trim(raw));
  for (const std::string& u : l.undecided)
    if (u == v) return kUndecided;
  auto listed = [&] {
    for (const std::string& x : l.values)
      if (x == v) return true;
    return false;
  };
  switch (l.test) {
    case Label::Test::Equals:
    case Label::Test::OneOf: return listed() ? 1 : 0;
    case Label::Test::NotEquals: return listed() ? 0 : 1;
    case Label::Test::Truthy: {
      for (const char* x : {"1", "true", "yes", "y"})
        if (v == x) return 1;
      for (const char* x : {"0", "false", "no", "n"})
        if (v == x) return 0;
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (!v.empty() && end && *end == '\0' && (d == 0 || d == 1)) return d == 1 ? 1 : 0;
      return -1;
    }
  }
  return -1;
}

bool parse_split(std::string_view spec, uint64_t seed, Split& out, std::string& error) {
  out = Split{};
  out.seed = seed;
  out.text = std::string(trim(spec));
  std::string_view s = out.text;
  if (s.empty() || s == "none") return true;
  if (s.substr(0, 6) == "random") {
    out.kind = Split::Kind::Random;
    std::string_view rest = s.substr(6);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        error = fmt::format("--split {}: write random:0.3 for 30% held out", out.text);
        return false;
      }
      std::string f(rest.substr(1));
      char* end = nullptr;
      out.fraction = std::strtod(f.c_str(), &end);
      if (f.empty() || *end == '%') out.fraction /= 100, ++end;
      if (f.empty() || *end != '\0' || !(out.fraction > 0 && out.fraction < 1)) {
        error = fmt::format("--split {}: the held-out share must be between 0 and 1, e.g. random:0.3", out.text);
        return false;
      }
    }
    out.text = fmt::format("random:{} (seed {})", out.fraction, seed);
    return true;
  }
  if (s.substr(0, 5) == "time:") {
    out.kind = Split::Kind::Time;
    std::string_view rest = s.substr(5);
    size_t at = rest.rfind('@');
    if (at == std::string_view::npos || at == 0) {
      error = fmt::format("--split {}: write time:FIELD@DATE, e.g. time:created@2026-06-01 (leads from that date on are held out)",
                          out.text);
      return false;
    }
    out.field = std::string(trim(rest.substr(0, at)));
    auto t = io::parse_time(trim(rest.substr(at + 1)));
    if (!t) {
      error = fmt::format("--split {}: {} is not a date; write 2026-06-01 or 2026-06-01T00:00:00Z", out.text, rest.substr(at + 1));
      return false;
    }
    out.at = *t;
    return true;
  }
  error = fmt::format("--split {}: write random:0.3 (with --seed N) or time:FIELD@DATE", out.text);
  return false;
}

bool make_options(const Request& r, Options& o, std::vector<std::string>& notes, std::string& error) {
  auto n = r.name;
  if (r.label.empty() && r.outcomes.empty()) {
    error = fmt::format("give the outcome: {}COLUMN (a column of the input), or {}FILE (a file of the leads that converted, joined "
                        "by the key)",
                        n("label") + (n("label").back() == '=' ? "" : " "), n("outcomes") + (n("outcomes").back() == '=' ? "" : " "));
    return false;
  }
  auto needs = [&](bool given, bool with, const char* option, const char* other) {
    if (given && !with) error = fmt::format("{} needs {} too", n(option), n(other));
    return error.empty();
  };
  if (!needs(!r.positive.empty(), !r.label.empty(), "positive", "label") ||
      !needs(!r.undecided.empty(), !r.label.empty(), "undecided", "label") ||
      !needs(!r.outcomes_key.empty(), !r.outcomes.empty(), "outcomes-key", "outcomes"))
    return false;
  o = Options{};
  o.input = r.input;
  o.events = r.events;
  o.as_of = r.as_of;
  o.as_of_text = io::format_time(r.as_of);
  o.max_error_messages = r.max_error_messages;
  if (!io::reader_options_for(r.input, r.input_format, r.delimiter, o.reader, error)) return false;
  if (!r.label.empty() && !parse_label(r.label, r.positive, o.label, error)) {
    error = n("label") + ": " + error;
    return false;
  }
  for (const std::string& u : r.undecided) o.label.undecided.push_back(text::fold_case(trim(u)));
  o.outcomes = r.outcomes;
  o.outcomes_key = r.outcomes_key;
  if (!r.outcomes.empty() && !io::reader_options_for(r.outcomes, "", "", o.outcomes_reader, error)) return false;
  std::string split = r.split;
  if (r.suggest && split == "none") {
    error = fmt::format("{} fits points on some leads and judges them on others: it needs a split, not none", n("suggest"));
    return false;
  }
  if (r.suggest && split.empty()) {
    split = "random:0.3";
    notes.push_back(fmt::format("{} holds out 30% of the leads ({}random:0.3, seed {}) to judge the suggested points", n("suggest"),
                                n("split") + (n("split").back() == '=' ? "" : " "), r.seed));
  }
  if (!parse_split(split, r.seed, o.split, error)) return false;
  if (r.seed_given && o.split.kind != Split::Kind::Random)
    notes.push_back(fmt::format("{} has no effect without a random split", n("seed")));
  if (r.lambda_given && !r.suggest) notes.push_back(fmt::format("{} has no effect without {}", n("lambda"), n("suggest")));
  o.suggest = r.suggest;
  o.lambda = r.lambda;
  if (r.suggest && r.model_text.empty()) {
    error = fmt::format("{} rewrites the model's source, and this model has none (a compiled model): use its .rubric file",
                        n("suggest"));
    return false;
  }
  o.model_text = r.model_text;
  o.model_name = r.model_name;
  return true;
}

bool random_held_out(const Split& s, int64_t number) {
  // splitmix64 of the seed and the record number: cheap, well mixed and the same everywhere.
  uint64_t z = s.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(number);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < s.fraction;
}

}  // namespace rubric::eval
