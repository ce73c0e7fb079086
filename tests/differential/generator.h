// SPDX-License-Identifier: Apache-2.0
// Random well-typed models and JSON Lines leads for differential testing (every kind of
// condition, rule, decay, cap, total and tier), driven by a source of choices: a seeded
// generator (rubric-difftest) or a fuzzer's bytes (tests/fuzz/fuzz_differential.cc).
// Header-only; the same choices always give the same text.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/model.h"

namespace rubric::difftest {

// Where the generator's decisions come from.
class Choices {
 public:
  virtual ~Choices() = default;
  // A number in [0, n), n > 0.
  virtual int64_t below(int64_t n) = 0;
  int64_t range(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(int percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(below(static_cast<int64_t>(v.size())))]; }
};

// A small deterministic generator (std distributions differ between standard libraries).
class SeededChoices : public Choices {
 public:
  explicit SeededChoices(uint64_t seed) : g_(seed) {}
  int64_t below(int64_t n) override { return static_cast<int64_t>(g_() % static_cast<uint64_t>(n)); }

 private:
  std::mt19937_64 g_;
};

// Choices read from bytes, as few as each choice needs (one byte below 256), so a fuzzer's
// small mutations make small changes to the model. When the bytes run out every choice is 0,
// which always ends the generation.
class ByteChoices : public Choices {
 public:
  ByteChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  int64_t below(int64_t n) override {
    uint64_t v = 0;
    for (uint64_t span = static_cast<uint64_t>(n - 1); span > 0 && at_ < size_; span >>= 8) v = (v << 8) | data_[at_++];
    return static_cast<int64_t>(v % static_cast<uint64_t>(n));
  }
  size_t left() const { return size_ - at_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// `extended` adds what rubric-difftest's corpus predates (so its seeded models stay the same):
// calls of every built-in function, defines, and extreme numbers in rules (up to 10^15, the
// largest literal) and in data.
struct Options {
  bool extended = false;
  bool hosts = false;  // conditions may call differential_hosts()' functions
};

// The embedding program's functions the generated models may call (Options::hosts): a number
// function that gives missing above 4000 and fails (throws) on 13, and a text test.
inline std::shared_ptr<const check::HostFunctions> differential_hosts() {
  using check::TypeKind;
  using check::Value;
  auto fns = std::make_shared<check::HostFunctions>();
  fns->push_back({"bonus", {TypeKind::Number}, TypeKind::Number, [](const Value* a, size_t) {
                    if (a[0].d == 13) throw std::runtime_error("unlucky");
                    return a[0].d > 4000 ? Value::missing() : Value::number(a[0].d * 1.5 + 1);
                  }});
  fns->push_back({"flagged", {TypeKind::String}, TypeKind::Bool,
                  [](const Value* a, size_t) { return Value::boolean(a[0].s.find('a') != std::string::npos); }});
  return fns;
}

inline const char* kSchema = R"(missing values: "", "n/a"
lead:
  id: string key
  email: optional string
  title: optional string
  country: optional string
  employees: optional int
  revenue: optional number
  industry: optional enum {software, finance, retail, other otherwise}
  is_customer: optional bool
  signed_up: optional time
  time_on_site: optional duration

event:
  kind: enum {page_view, email_open, email_click, download, demo_request}
  page: optional string
  timestamp: time
  seconds: optional number

pages pricing: "*/pricing*"
pages docs: "*/docs/*", "*/guide*"
pages pricing_exact: "*/Pricing*", "/GUIDE" matching case
pages shapes: "/docs/*", "*.pdf", "/a*b*"
pages shapes_exact: "/Docs/*", "*.PDF", "*/A*B" matching case
const free = {"gmail.com", "yahoo.com"}
)";

class Generator {
 public:
  Generator(Choices& r, Options opts = {}) : r_(r), opts_(opts) {}

  std::string behaviour() {
    static const std::vector<std::string> b = {"visited pricing", "visited docs", "visited pricing_exact", "visited any page", "opened email",
                                               "clicked email", "downloaded", "requested demo", "visited shapes",
                                               "visited shapes_exact"};
    std::string s = r_.pick(b);
    if (r_.chance(20)) s += fmt::format(" where seconds > {}", r_.range(0, 300));
    return s;
  }

  std::string window() {
    static const std::vector<std::string> units = {"days", "hours", "weeks"};
    return fmt::format(" within {} {}", r_.range(1, 60), r_.pick(units));
  }

  // A call of a built-in function (common/builtins.def), compared so it is a condition.
  std::string builtin_atom() {
    auto& r = r_;
    switch (r.below(12)) {
      case 0: return fmt::format("{}({}) = \"{}\"", r.pick<std::string>({"lower", "upper", "trim"}),
                                 r.pick<std::string>({"title", "country", "email"}), r.pick<std::string>({"us", "VP Sales", "", " x "}));
      case 1: return fmt::format("length({}({})) {} {}", r.pick<std::string>({"trim", "lower", "domain"}),
                                 r.pick<std::string>({"title", "email"}), r.pick<std::string>({">", "<", "="}), r.range(0, 20));
      case 2: return fmt::format("domain(email) {}", r.pick<std::string>({"= \"gmail.com\"", "contains \"acme\"", "in free"}));
      case 3: return fmt::format("{}(revenue / {}) {} {}", r.pick<std::string>({"abs", "round", "floor", "ceil"}), r.range(1, 1000),
                                 r.pick<std::string>({">", "<=", "="}), r.range(-5, 100));
      case 4: return fmt::format("{}(employees, revenue) {} {}", r.pick<std::string>({"min", "max"}),
                                 r.pick<std::string>({">", "<"}), r.range(0, 5000));
      case 5: return fmt::format("log({}) > {}", r.pick<std::string>({"employees", "revenue", "employees - 10", "0"}), r.range(-2, 10));
      case 6: return fmt::format("hours_since(signed_up) {} {}", r.pick<std::string>({">", "<"}), r.range(0, 5000));
      case 7: return fmt::format("day_of_week(signed_up) {} {}", r.pick<std::string>({"=", ">=", "<"}), r.range(0, 7));
      case 8: return fmt::format("hour_of_day(signed_up) {} {}", r.pick<std::string>({"=", ">", "<="}), r.range(0, 23));
      case 9: return fmt::format("abs(employees - {}) * {} > {}", r.pick<std::string>({"1000000000000000", "1", "-1000000000000000"}),
                                 r.range(1, 1000000), r.range(0, 1000));
      case 10: return fmt::format("employees {} {}", r.pick<std::string>({"<", ">", "="}),
                                  r.pick<std::string>({"1000000000000000", "-1000000000000000", "0"}));
      default: return fmt::format("round(revenue * {}) - employees {} {}", r.range(0, 1000000000), r.pick<std::string>({">", "<"}),
                                  r.range(-1000, 1000));
    }
  }

  std::string atom() {
    auto& r = r_;
    if (opts_.hosts && r.chance(12)) {
      switch (r.below(3)) {
        case 0: return fmt::format("bonus(employees) {} {}", r.pick<std::string>({">", "<=", "="}), r.range(0, 6000));
        case 1: return fmt::format("{}flagged({})", r.chance(30) ? "not " : "", r.pick<std::string>({"title", "country"}));
        case 2:
        default: return fmt::format("bonus(revenue / {}) + bonus(employees) > {}", r.range(1, 100), r.range(0, 5000));
      }
    }
    switch (r.below(opts_.extended ? 25 : 22)) {
      case 0: return fmt::format("employees {} {}", r.pick<std::string>({"<", "<=", ">", ">=", "=", "!="}), r.range(0, 3000));
      case 1: return fmt::format("revenue > {}.{}", r.range(0, 90000), r.range(0, 99));
      case 2: return fmt::format("employees {}between {} and {}", r.chance(30) ? "not " : "", r.range(0, 500), r.range(0, 5000));
      case 3: return fmt::format("employees {}in {{{}, {}, {}}}", r.chance(30) ? "not " : "", r.range(0, 20), r.range(0, 20), r.range(0, 20));
      case 4: return fmt::format("title {} \"{}\"{}", r.pick<std::string>({"contains", "starts with", "ends with"}),
                                 r.pick<std::string>({"vp", "Dir", "manager", "", "student", "VP", "a title longer than 16 bytes"}),
                                 r.chance(40) ? " matching case" : "");
      case 5: return fmt::format("title matches \"{}\"{}", r.pick<std::string>({"^(vp|head)\\b", "[Mm]anager$", "o", "^$"}),
                                 r.chance(50) ? " ignoring case" : "");
      case 6: return r.chance(50) ? "email domain in free" : "email domain in {\"acme.io\", \"Rival.com\"}";
      case 7: return fmt::format("country {} \"{}\"", r.pick<std::string>({"=", "!="}), r.pick<std::string>({"US", "de", "FR"}));
      case 8: return fmt::format("{} is {}", r.pick<std::string>({"title", "employees", "industry", "signed_up", "email"}),
                                 r.pick<std::string>({"missing", "present", "not missing"}));
      case 9: return fmt::format("industry {}", r.pick<std::string>({"is software", "is not retail", "in {software, finance}", "= other"}));
      case 10: return r.chance(50) ? "is_customer" : "is_customer is false";
      case 11: return "signed_up" + window();
      case 12: return fmt::format("days since signed_up {} {}", r.pick<std::string>({">", "<", "="}), r.range(0, 400));
      case 13: return fmt::format("time_on_site > {} minutes", r.range(0, 30));
      case 14: return behaviour() + window();
      case 15: return fmt::format("{} at least {} times{}", behaviour(), r.range(0, 4), window());
      case 16: return fmt::format("{}{} between {} and {} times", behaviour(), window(), r.range(0, 2), r.range(2, 6));
      case 17: return "never " + behaviour() + window();
      case 18: return fmt::format("count of {}{} > {}", behaviour(), window(), r.range(0, 5));
      case 19: return fmt::format("sum of seconds over {}{} > {}", behaviour(), window(), r.range(0, 900));
      case 20: return fmt::format("days since last {} < {}", behaviour(), r.range(0, 60));
      case 21:
        return r.pick<std::string>({"length(title) > 5", "round(revenue / 1000) >= 3", "employees * 2 - 10 > 100",
                                    "revenue / employees > 500", "hour_of_day(signed_up) < 12", "abs(employees - 100) < 50",
                                    "lower(country) = \"us\"", "max(employees, 10) = 10"});
      case 22:
      case 23: return builtin_atom();
      default: return defines_ > 0 ? fmt::format("d{}", r.below(defines_)) : builtin_atom();
    }
  }

  std::string condition(int depth) {
    if (depth > 2 || r_.chance(55)) return atom();
    switch (r_.below(3)) {
      case 0: return "(" + condition(depth + 1) + " and " + condition(depth + 1) + ")";
      case 1: return "(" + condition(depth + 1) + " or " + condition(depth + 1) + ")";
      default: return "not (" + condition(depth + 1) + ")";
    }
  }

  std::string points() {
    if (opts_.extended && r_.chance(3))
      return fmt::format("{}{}", r_.chance(50) ? "-" : "+", r_.pick<std::string>({"1000000000", "999999999.99", "0", "0.01"}));
    std::string p = fmt::format("{}{}", r_.chance(25) ? "-" : "+", r_.range(1, 40));
    if (r_.chance(30)) p += fmt::format(".{}", r_.range(1, 99));
    return p;
  }

  std::string model() {
    auto& r = r_;
    std::string m = kSchema;
    if (opts_.extended) {
      // Defines, each used by the next ones (a DAG shared between rules, as issue 9 item 1 has).
      int defines = static_cast<int>(r.below(4));
      for (int d = 0; d < defines; ++d) {
        m += fmt::format("define d{}: {}\n", d, condition(1));
        defines_ = d + 1;
      }
    }
    int scores = static_cast<int>(r.range(1, 3));
    for (int s = 0; s < scores; ++s) {
      m += fmt::format("\nscore s{}", s);
      if (r.chance(50)) m += fmt::format(", at most {}", r.range(20, 120));
      if (r.chance(50)) m += fmt::format(", at least {}", -r.range(0, 20));
      if (r.chance(40)) m += fmt::format(", decay half-life {} days", r.range(1, 30));
      else if (r.chance(30)) m += fmt::format(", decay {}% every {} days", r.range(5, 100), r.range(1, 14));
      m += ":\n";
      int rules = static_cast<int>(r.range(1, 8));
      for (int i = 0; i < rules; ++i) {
        if (r.chance(30)) {
          m += fmt::format("  {}{}: {} each", behaviour(), r.chance(70) ? window() : "", points());
          if (r.chance(60)) m += fmt::format(", at most {}", r.range(1, 30));
        } else {
          m += fmt::format("  {}: {}", condition(0), points());
        }
        m += r.chance(50) ? fmt::format(" \"rule {}\"\n", i) : "\n";
      }
    }
    if (r.chance(50)) m += fmt::format("\ntotal = s0 * {} + {}\n", r.range(1, 3), r.range(-5, 5));
    if (r.chance(60)) m += fmt::format("\ndisqualify:\n  {}: \"first\"\n  {}: \"second\"\n", condition(1), condition(1));
    m += fmt::format("\ntiers t:\n  hot: total >= {}\n  warm: s0 >= {} or {}\n  cold: otherwise\n", r.range(10, 60),
                     r.range(0, 30), condition(2));
    return m;
  }

  std::string lead_json(int n) {
    auto& r = r_;
    auto maybe = [&](const std::string& key, const std::string& value) {
      if (r.chance(15)) return std::string();
      if (r.chance(5)) return fmt::format(",\"{}\":null", key);
      return fmt::format(",\"{}\":{}", key, value);
    };
    // Without `extended`, the same choices in the same order as rubric-difftest always made.
    auto employees = [&] {
      std::string v = std::to_string(r.range(0, 6000));
      if (opts_.extended && r.chance(5))
        v = r.pick<std::string>({"9223372036854775807", "-9223372036854775808", "-1", "0", "4611686018427387904"});
      return v;
    };
    auto revenue = [&] {
      std::string v = fmt::format("{}.{}", r.range(0, 100000), r.range(0, 99));
      if (opts_.extended && r.chance(5)) v = r.pick<std::string>({"1e300", "-1e300", "0.0", "-0.0", "1e-320", "9007199254740993"});
      return v;
    };
    std::string j = fmt::format("{{\"id\":\"L{}\"", n);
    j += maybe("email", fmt::format("\"{}@{}\"", r.pick<std::string>({"ann", "bo"}),
                                    r.pick<std::string>({"gmail.com", "ACME.io", "rival.com", "x.org"})));
    j += maybe("title", fmt::format("\"{}\"", r.pick<std::string>({"VP Sales", "Director", "marketing manager", "Student", "", "n/a", "Head of Growth", "vp sales", "a title longer than 16 bytes, Manager"})));
    j += maybe("country", fmt::format("\"{}\"", r.pick<std::string>({"US", "us", "DE", "FR", ""})));
    j += maybe("employees", employees());
    j += maybe("revenue", revenue());
    j += maybe("industry", fmt::format("\"{}\"", r.pick<std::string>({"software", "Finance", "retail", "mining"})));
    j += maybe("is_customer", r.chance(50) ? "true" : "false");
    j += maybe("signed_up", fmt::format("\"2026-{:02}-{:02}T{:02}:00:00Z\"", r.range(1, 10), r.range(1, 28), r.range(0, 23)));
    j += maybe("time_on_site", std::to_string(r.range(0, 3600)));
    j += ",\"events\":[";
    int events = static_cast<int>(r.range(0, 25));
    for (int e = 0; e < events; ++e) {
      if (e) j += ",";
      std::string kind = r.pick<std::string>({"page_view", "page_view", "email_open", "email_click", "download", "demo_request"});
      // Some times have milliseconds, which every back end must keep.
      std::string ms = r.chance(30) ? fmt::format(".{:03}", r.range(0, 999)) : "";
      j += fmt::format("{{\"kind\":\"{}\",\"timestamp\":\"2026-{:02}-{:02}T{:02}:{:02}:00{}Z\"", kind, r.range(8, 11), r.range(1, 28),
                       r.range(0, 23), r.range(0, 59), ms);
      if (r.chance(80)) j += fmt::format(",\"page\":\"{}\"", r.pick<std::string>({"/pricing", "/docs/api", "/guide", "/", "/Pricing/x", "/GUIDE", "/Docs/a.PDF",
                                                                               "/x.pdf", "/aXbY", "/AxxB", "/ceník.pdf", "/DOCS/"}));
      if (r.chance(70)) j += fmt::format(",\"seconds\":{}", r.range(1, 600));
      j += "}";
    }
    return j + "]}";
  }

 private:
  Choices& r_;
  Options opts_;
  int defines_ = 0;
};

}  // namespace rubric::difftest
