// SPDX-License-Identifier: Apache-2.0
// Runs a model's test cases: each given lead becomes a JSON Lines record (events dated back from
// the test's as-of time), is read like any input and scored, and every expectation is compared.
#include "runtime/io/test_runner.h"

#include <cmath>
#include <fmt/format.h>

#include <sstream>

#include "compiler/source/text.h"
#include "runtime/interp/interp.h"
#include "runtime/io/decode.h"
#include "runtime/io/explain.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"
#include "runtime/io/writer.h"

namespace rubric::io {

namespace {

std::string json_fields(const std::vector<check::TestCase::Field>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ',';  // (not "," + string: g++ 12 warns of a false overlap, -Wrestrict)
    out += text::json_string(f.column);
    out += ':';
    switch (f.kind) {
      case check::Value::Kind::Number: out += fmt::format("{}", f.number); break;
      case check::Value::Kind::Bool: out += f.flag ? "true" : "false"; break;
      case check::Value::Kind::String: out += text::json_string(f.text); break;
      // A test's field is read as a number, a bool or text (TestCase::Field).
      case check::Value::Kind::Missing:
      case check::Value::Kind::Int:
      case check::Value::Kind::Time:
      case check::Value::Kind::Duration:
      case check::Value::Kind::Enum: out += text::json_string(f.text); break;
    }
  }
  return out;
}

std::string xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

}  // namespace

TestReport run_tests(std::shared_ptr<const check::CheckedModel> model, const std::string& file) {
  const check::CheckedModel& m = *model;
  interp::Interpreter interp(model);
  TestReport r;
  std::string cases;
  for (const check::TestCase& t : m.tests) {
    std::vector<std::string> problems;
    auto as_of = parse_time(t.as_of);
    interp::Outcome o;
    if (!as_of) {
      problems.push_back(fmt::format("`as of \"{}\"` is not a time; write \"2026-11-01\" or \"2026-11-01T09:30:00Z\"", t.as_of));
    } else {
      std::string lead = json_fields(t.lead);
      if (m.key_field >= 0 && lead.find(text::json_string(m.lead.fields[m.key_field].column) + ":") == std::string::npos)
        lead = text::json_string(m.lead.fields[m.key_field].column) + ":\"test\"" + (lead.empty() ? "" : ",") + lead;
      std::string events;
      for (const auto& e : t.events) {
        std::string ev = json_fields(e.fields);
        ev += (ev.empty() ? "" : ",") + fmt::format("\"timestamp\":\"{}\"", format_time(*as_of - static_cast<int64_t>(std::llround(e.seconds_ago * check::kMsPerSecond))));
        events += (events.empty() ? "{" : ",{") + ev + "}";
      }
      std::istringstream in("{" + lead + (m.has_events ? ",\"events\":[" + events + "]" : "") + "}\n");
      std::string fatal;
      auto reader = open_reader(in, m, {}, fatal);
      InputRecord rec;
      if (!reader || !reader->next(rec) || !rec.ok()) {
        problems.push_back("the test's lead cannot be read: " + (rec.errors.empty() ? fatal : rec.errors.front()));
      } else {
        o = interp.score(rec.record, *as_of, true);
        for (const auto& x : t.expects) {
          using K = check::TestCase::Expect::Kind;
          std::string got;
          bool ok = true;
          switch (x.kind) {
            case K::Score:
              ok = o.scores[x.index] == check::to_cents(x.number);
              got = fmt::format("{} = {}", m.scores[x.index].name, format_points(o.scores[x.index]));
              break;
            case K::Total:
              ok = o.total == check::to_cents(x.number);
              got = fmt::format("total = {}", format_points(o.total));
              break;
            case K::Tier: {
              int tier = o.tiers[x.index];
              std::string name = tier < 0 ? "disqualified" : m.tier_sets[x.index].tiers[tier].name;
              ok = name == x.text;
              got = fmt::format("{} is {}", m.tier_sets[x.index].name, name);
              break;
            }
            case K::Disqualified: {
              bool dq = o.disqualifier >= 0;
              std::string reason = dq ? m.disqualifiers[o.disqualifier].reason : "";
              ok = x.negated ? !dq : dq && (x.text.empty() || reason == x.text);
              got = dq ? fmt::format("disqualified as \"{}\"", reason) : "not disqualified";
              break;
            }
            case K::Fired: {
              bool fired = false;
              for (const auto& h : o.hits) fired |= m.scores[h.score].rules[h.rule].label == x.text;
              ok = fired != x.negated;
              got = fired ? "it fired" : "it did not fire";
              break;
            }
          }
          if (!ok) problems.push_back(fmt::format("line {}: expected `{}`, got {}", x.line, x.source, got));
        }
      }
    }
    if (problems.empty()) {
      ++r.passed;
      r.text += fmt::format("PASS {}: {}\n", file, t.name);
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\"/>\n", xml(t.name), xml(file));
      continue;
    }
    ++r.failed;
    r.text += fmt::format("FAIL {}:{}: {}\n", file, t.line, t.name);
    std::string all;
    for (const auto& p : problems) {
      r.text += "  " + p + "\n";
      all += p + "\n";
    }
    if (!o.scores.empty()) {
      std::string fired = explain_text(m, o);
      r.text += "  rules that fired: " + (fired.empty() ? std::string("none") : fired) + "\n";
      all += "rules that fired: " + fired + "\n";
    }
    cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                         xml(t.name), xml(file), xml(problems.front()), xml(all));
  }
  r.junit = fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n{}  </testsuite>\n", xml(file),
                        r.passed + r.failed, r.failed, cases);
  return r;
}

}  // namespace rubric::io
