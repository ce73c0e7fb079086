// SPDX-License-Identifier: Apache-2.0
// `rubric check --emit plan`: the plan as text, one instruction a line, `%N` for registers and
// `@line:col` for where each instruction is written. Golden tests compare these dumps.
#include <fmt/format.h>

#include "compiler/plan/plan.h"
#include "compiler/source/source.h"
#include "compiler/source/text.h"

namespace rubric::plan {

namespace {

const char* const kBuiltinNames[] = {
#define BUILTIN(id, name, result, family, arity, arg) name,
#include "common/builtins.def"
#undef BUILTIN
};

const char* const kCmpNames[] = {"=", "!=", "<", "<=", ">", ">="};

std::string type_text(TypeKind k) { return check::type_name(check::Type{k}); }

std::string seconds_text(double s) { return s < 0 ? "none" : fmt::format("{}s", s); }

std::string list_text(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + text::json_string(i);
  return "[" + s + "]";
}

class Printer {
 public:
  Printer(const Plan& p, const source::SourceManager* sm) : p_(p), sm_(sm) {}

  std::string run() {
    out_ += fmt::format("plan {} (format {})\n", text::json_string(p_.name), kFormatVersion);
    out_ += "layout\n";
    for (const FieldUse& f : p_.layout.lead) out_ += fmt::format("  lead.{} {}: {}\n", f.index, f.name, type_text(f.type));
    for (const FieldUse& f : p_.layout.event) out_ += fmt::format("  event.{} {}: {}\n", f.index, f.name, type_text(f.type));
    objects();
    if (!p_.events.queries.empty()) {
      out_ += fmt::format("events (widest window {})\n", seconds_text(p_.events.widest));
      for (size_t i = 0; i < p_.events.filters.size(); ++i)
        program(p_.events.filter_widest[i] < 0 ? fmt::format("filter#{}", i)
                                               : fmt::format("filter#{} (tested within {})", i, seconds_text(p_.events.filter_widest[i])),
                p_.events.filters[i], "  ");
      for (size_t i = 0; i < p_.events.queries.size(); ++i)
        out_ += fmt::format("  query#{} = filter#{} within {}\n", i, p_.events.queries[i].filter,
                            seconds_text(p_.events.queries[i].window));
      for (size_t i = 0; i < p_.events.sums.size(); ++i)
        out_ += fmt::format("  sum#{} = event.{} over query#{}\n", i, p_.events.sums[i].field, p_.events.sums[i].query);
      for (size_t i = 0; i < p_.events.eaches.size(); ++i)
        out_ += fmt::format("  each#{} = score#{} rule#{} over query#{}\n", i, p_.events.eaches[i].score,
                            p_.events.eaches[i].rule, p_.events.eaches[i].query);
    }
    for (size_t d = 0; d < p_.defines.size(); ++d)
      program(fmt::format("define#{} {}", d, p_.define_names[d]), p_.programs[p_.defines[d]], "");
    for (size_t s = 0; s < p_.scores.size(); ++s) {
      const Score& score = p_.scores[s];
      out_ += fmt::format("score#{} {}", s, text::json_string(score.name));
      if (score.floor) out_ += fmt::format(" floor {}c", *score.floor);
      if (score.ceiling) out_ += fmt::format(" ceiling {}c", *score.ceiling);
      out_ += fmt::format(" decay#{}\n", score.decay);
      for (size_t r = 0; r < score.rules.size(); ++r) {
        const Rule& rule = score.rules[r];
        std::string head = fmt::format("rule#{} {} {:+}", r, text::json_string(rule.label), rule.points);
        if (rule.each >= 0) head += fmt::format(" each#{}", rule.each);
        if (rule.cap) head += fmt::format(" at most {}", *rule.cap);
        if (rule.freq_lo != 1 || rule.freq_hi != INT64_MAX) head += fmt::format(" events {}..{}", rule.freq_lo, rule.freq_hi);
        head += fmt::format(" line {}", rule.line);
        if (rule.program < 0) out_ += "  " + head + "\n";
        else program(head, p_.programs[rule.program], "  ");
      }
    }
    if (p_.total >= 0) program("total", p_.programs[p_.total], "");
    else out_ += "total = the sum of the scores\n";
    for (size_t d = 0; d < p_.disqualifiers.size(); ++d)
      program(fmt::format("disqualifier#{} {}", d, text::json_string(p_.disqualifiers[d].reason)),
              p_.programs[p_.disqualifiers[d].program], "");
    for (size_t t = 0; t < p_.tier_sets.size(); ++t) {
      out_ += fmt::format("tiers#{} {}\n", t, text::json_string(p_.tier_sets[t].name));
      for (const Tier& tier : p_.tier_sets[t].tiers) {
        if (tier.program < 0) out_ += fmt::format("  tier {} otherwise\n", text::json_string(tier.name));
        else program(fmt::format("tier {}", text::json_string(tier.name)), p_.programs[tier.program], "  ");
      }
    }
    return out_;
  }

 private:
  void objects() {
    const Objects& o = p_.objects;
    out_ += "objects\n";
    for (size_t i = 0; i < o.constants.size(); ++i) out_ += fmt::format("  const#{} = {}\n", i, check::value_text(o.constants[i]));
    for (size_t i = 0; i < o.text_sets.size(); ++i) out_ += fmt::format("  texts#{} = {}\n", i, list_text(o.text_sets[i]));
    for (size_t i = 0; i < o.value_sets.size(); ++i) {
      std::string s;
      for (const Value& v : o.value_sets[i]) s += (s.empty() ? "" : ", ") + check::value_text(v);
      out_ += fmt::format("  values#{} = [{}]\n", i, s);
    }
    for (size_t i = 0; i < o.globs.size(); ++i) out_ += fmt::format("  globs#{} = {}\n", i, list_text(o.globs[i]));
    for (size_t i = 0; i < o.regexes.size(); ++i)
      out_ += fmt::format("  regex#{} = {}{}\n", i, text::json_string(o.regexes[i].pattern),
                          o.regexes[i].case_sensitive ? "" : " ignoring case");
    for (size_t i = 0; i < o.decays.size(); ++i) {
      const check::Decay& d = o.decays[i];
      switch (d.kind) {
        case check::Decay::Kind::None: out_ += fmt::format("  decay#{} = none\n", i); break;
        case check::Decay::Kind::HalfLife: out_ += fmt::format("  decay#{} = half-life {}s\n", i, d.period_seconds); break;
        case check::Decay::Kind::Linear:
          out_ += fmt::format("  decay#{} = lose {} every {}s\n", i, d.fraction, d.period_seconds);
          break;
      }
    }
    for (size_t i = 0; i < o.hosts.size(); ++i) {
      std::string args;
      for (TypeKind a : o.hosts[i].args) args += (args.empty() ? "" : ", ") + type_text(a);
      out_ += fmt::format("  host#{} = {}({}): {}\n", i, o.hosts[i].name, args, type_text(o.hosts[i].result));
    }
  }

  void program(const std::string& head, const Program& prog, const std::string& indent) {
    out_ += indent + head + "\n";
    size_t t = 0;  // prog.trace is in instruction order
    for (size_t i = 0; i < prog.code.size(); ++i) {
      out_ += indent + "  " + instr(static_cast<int>(i), prog.code[i]);
      if (t < prog.trace.size() && prog.trace[t].first == static_cast<int32_t>(i)) out_ += fmt::format("  trace#{}", prog.trace[t++].second);
      out_ += "\n";
    }
  }

  std::string instr(int r, const Instr& x) {
    std::string s = fmt::format("%{} = {}", r, opcode_name(x.op));
    switch (immediate_of(x.op)) {
      case Imm::None: break;
      case Imm::Const: s += fmt::format(" const#{}", x.arg); break;
      case Imm::Lead: s += fmt::format(" lead.{}", x.arg); break;
      case Imm::Event: s += fmt::format(" event.{}", x.arg); break;
      case Imm::Builtin: s += fmt::format(" {}", kBuiltinNames[x.arg]); break;
      case Imm::Host: s += fmt::format(" host#{}", x.arg); break;
      case Imm::Query: s += fmt::format(" query#{}", x.arg); break;
      case Imm::QueryCount:
        s += fmt::format(" query#{}", x.arg);
        if (x.lo != 1 || x.hi != INT64_MAX) s += fmt::format(" {}..{}", x.lo, x.hi);
        break;
      case Imm::Sum: s += fmt::format(" sum#{}", x.arg); break;
      case Imm::Score: s += fmt::format(" score#{}", x.arg); break;
      case Imm::Cmp: s += fmt::format(" {}", kCmpNames[static_cast<int>(x.cmp)]); break;
      case Imm::Texts: s += fmt::format(" texts#{}", x.arg); break;
      case Imm::Values: s += fmt::format(" values#{}", x.arg); break;
      case Imm::Globs: s += fmt::format(" globs#{}", x.arg); break;
      case Imm::Regex: s += fmt::format(" regex#{}", x.arg); break;
      case Imm::Span: s += fmt::format(" {}s", x.d); break;
      case Imm::Define: s += fmt::format(" define#{}", x.arg); break;
      case Imm::Jump: s += fmt::format(" to %{}", x.arg); break;
    }
    if (x.neg) s += " not";
    for (int i = 0; i < x.n; ++i) s += fmt::format(" %{}", x.in[i]);
    if (immediate_of(x.op) != Imm::Jump) s += ": " + type_text(x.type);
    if (sm_ && x.range.valid()) {
      const source::SourceFile& f = sm_->file(x.range.file);
      source::LineCol lc = f.line_col(x.range.begin);
      // Ranges in the model's own file (the first) print as @line:col, others with their file.
      std::string file = x.range.file == 1 ? "" : f.name().substr(f.name().find_last_of('/') + 1) + ":";
      s += fmt::format("  @{}{}:{}", file, lc.line, lc.column);
    }
    return s;
  }

  const Plan& p_;
  const source::SourceManager* sm_;
  std::string out_;
};

}  // namespace

std::string print(const Plan& p, const source::SourceManager* sm) { return Printer(p, sm).run(); }

}  // namespace rubric::plan
