// Differential test: generates random models (every kind of condition, rule, decay, cap, total
// and tier) and random leads with events from a seed, scores each lead with the interpreter,
// the batch interpreter and the JIT, and requires identical outcomes field by field,
// explanations included.
//   rubric-difftest [--models N] [--leads N] [--seed S] [--print-model]
#include <fmt/format.h>

#include <iostream>
#include <random>
#include <sstream>

#include "compiler/driver/driver.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "runtime/jit/jit.h"

namespace {

// A small deterministic generator (std distributions differ between standard libraries).
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  int64_t below(int64_t n) { return static_cast<int64_t>(g_() % static_cast<uint64_t>(n)); }
  int64_t range(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(int percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(below(static_cast<int64_t>(v.size())))]; }

 private:
  std::mt19937_64 g_;
};

const char* kSchema = R"(missing values: "", "n/a"
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
const free = {"gmail.com", "yahoo.com"}
)";

std::string behaviour(Rng& r) {
  static const std::vector<std::string> b = {"visited pricing", "visited docs", "visited any page", "opened email",
                                             "clicked email", "downloaded", "requested demo"};
  std::string s = r.pick(b);
  if (r.chance(20)) s += fmt::format(" where seconds > {}", r.range(0, 300));
  return s;
}

std::string window(Rng& r) {
  static const std::vector<std::string> units = {"days", "hours", "weeks"};
  return fmt::format(" within {} {}", r.range(1, 60), r.pick(units));
}

std::string condition(Rng& r, int depth);

std::string atom(Rng& r) {
  switch (r.below(22)) {
    case 0: return fmt::format("employees {} {}", r.pick<std::string>({"<", "<=", ">", ">=", "=", "!="}), r.range(0, 3000));
    case 1: return fmt::format("revenue > {}.{}", r.range(0, 90000), r.range(0, 99));
    case 2: return fmt::format("employees {}between {} and {}", r.chance(30) ? "not " : "", r.range(0, 500), r.range(0, 5000));
    case 3: return fmt::format("employees {}in {{{}, {}, {}}}", r.chance(30) ? "not " : "", r.range(0, 20), r.range(0, 20), r.range(0, 20));
    case 4: return fmt::format("title {} \"{}\"", r.pick<std::string>({"contains", "starts with", "ends with"}),
                               r.pick<std::string>({"vp", "Dir", "manager", "", "student"}));
    case 5: return fmt::format("title matches \"{}\"{}", r.pick<std::string>({"^(vp|head)\\b", "[Mm]anager$", "o", "^$"}),
                               r.chance(50) ? " ignoring case" : "");
    case 6: return r.chance(50) ? "email domain in free" : "email domain in {\"acme.io\", \"Rival.com\"}";
    case 7: return fmt::format("country {} \"{}\"", r.pick<std::string>({"=", "!="}), r.pick<std::string>({"US", "de", "FR"}));
    case 8: return fmt::format("{} is {}", r.pick<std::string>({"title", "employees", "industry", "signed_up", "email"}),
                               r.pick<std::string>({"missing", "present", "not missing"}));
    case 9: return fmt::format("industry {}", r.pick<std::string>({"is software", "is not retail", "in {software, finance}", "= other"}));
    case 10: return r.chance(50) ? "is_customer" : "is_customer is false";
    case 11: return "signed_up" + window(r);
    case 12: return fmt::format("days since signed_up {} {}", r.pick<std::string>({">", "<", "="}), r.range(0, 400));
    case 13: return fmt::format("time_on_site > {} minutes", r.range(0, 30));
    case 14: return behaviour(r) + window(r);
    case 15: return fmt::format("{} at least {} times{}", behaviour(r), r.range(0, 4), window(r));
    case 16: return fmt::format("{}{} between {} and {} times", behaviour(r), window(r), r.range(0, 2), r.range(2, 6));
    case 17: return "never " + behaviour(r) + window(r);
    case 18: return fmt::format("count of {}{} > {}", behaviour(r), window(r), r.range(0, 5));
    case 19: return fmt::format("sum of seconds over {}{} > {}", behaviour(r), window(r), r.range(0, 900));
    case 20: return fmt::format("days since last {} < {}", behaviour(r), r.range(0, 60));
    default:
      return r.pick<std::string>({"length(title) > 5", "round(revenue / 1000) >= 3", "employees * 2 - 10 > 100",
                                  "revenue / employees > 500", "hour_of_day(signed_up) < 12", "abs(employees - 100) < 50",
                                  "lower(country) = \"us\"", "max(employees, 10) = 10"});
  }
}

std::string condition(Rng& r, int depth) {
  if (depth > 2 || r.chance(55)) return atom(r);
  switch (r.below(3)) {
    case 0: return "(" + condition(r, depth + 1) + " and " + condition(r, depth + 1) + ")";
    case 1: return "(" + condition(r, depth + 1) + " or " + condition(r, depth + 1) + ")";
    default: return "not (" + condition(r, depth + 1) + ")";
  }
}

std::string points(Rng& r) {
  std::string p = fmt::format("{}{}", r.chance(25) ? "-" : "+", r.range(1, 40));
  if (r.chance(30)) p += fmt::format(".{}", r.range(1, 99));
  return p;
}

std::string model(Rng& r) {
  std::string m = kSchema;
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
        m += fmt::format("  {}{}: {} each", behaviour(r), r.chance(70) ? window(r) : "", points(r));
        if (r.chance(60)) m += fmt::format(", at most {}", r.range(1, 30));
      } else {
        m += fmt::format("  {}: {}", condition(r, 0), points(r));
      }
      m += r.chance(50) ? fmt::format(" \"rule {}\"\n", i) : "\n";
    }
  }
  if (r.chance(50)) m += fmt::format("\ntotal = s0 * {} + {}\n", r.range(1, 3), r.range(-5, 5));
  if (r.chance(60)) m += fmt::format("\ndisqualify:\n  {}: \"first\"\n  {}: \"second\"\n", condition(r, 1), condition(r, 1));
  m += fmt::format("\ntiers t:\n  hot: total >= {}\n  warm: s0 >= {} or {}\n  cold: otherwise\n", r.range(10, 60),
                   r.range(0, 30), condition(r, 2));
  return m;
}

std::string lead_json(Rng& r, int n) {
  auto maybe = [&](const std::string& key, const std::string& value) {
    if (r.chance(15)) return std::string();
    if (r.chance(5)) return fmt::format(",\"{}\":null", key);
    return fmt::format(",\"{}\":{}", key, value);
  };
  std::string j = fmt::format("{{\"id\":\"L{}\"", n);
  j += maybe("email", fmt::format("\"{}@{}\"", r.pick<std::string>({"ann", "bo"}),
                                  r.pick<std::string>({"gmail.com", "ACME.io", "rival.com", "x.org"})));
  j += maybe("title", fmt::format("\"{}\"", r.pick<std::string>({"VP Sales", "Director", "marketing manager", "Student", "", "n/a", "Head of Growth"})));
  j += maybe("country", fmt::format("\"{}\"", r.pick<std::string>({"US", "us", "DE", "FR", ""})));
  j += maybe("employees", std::to_string(r.range(0, 6000)));
  j += maybe("revenue", fmt::format("{}.{}", r.range(0, 100000), r.range(0, 99)));
  j += maybe("industry", fmt::format("\"{}\"", r.pick<std::string>({"software", "Finance", "retail", "mining"})));
  j += maybe("is_customer", r.chance(50) ? "true" : "false");
  j += maybe("signed_up", fmt::format("\"2026-{:02}-{:02}T{:02}:00:00Z\"", r.range(1, 10), r.range(1, 28), r.range(0, 23)));
  j += maybe("time_on_site", std::to_string(r.range(0, 3600)));
  j += ",\"events\":[";
  int events = static_cast<int>(r.range(0, 25));
  for (int e = 0; e < events; ++e) {
    if (e) j += ",";
    std::string kind = r.pick<std::string>({"page_view", "page_view", "email_open", "email_click", "download", "demo_request"});
    j += fmt::format("{{\"kind\":\"{}\",\"timestamp\":\"2026-{:02}-{:02}T{:02}:{:02}:00Z\"", kind, r.range(8, 11), r.range(1, 28),
                     r.range(0, 23), r.range(0, 59));
    if (r.chance(80)) j += fmt::format(",\"page\":\"{}\"", r.pick<std::string>({"/pricing", "/docs/api", "/guide", "/", "/Pricing/x"}));
    if (r.chance(70)) j += fmt::format(",\"seconds\":{}", r.range(1, 600));
    j += "}";
  }
  return j + "]}";
}

std::string describe(const rubric::interp::Outcome& o) {
  std::string s = fmt::format("scores={} total={} disq={} tiers={} hits=", fmt::join(o.scores, ","), o.total, o.disqualifier,
                              fmt::join(o.tiers, ","));
  for (const auto& h : o.hits) s += fmt::format("[{}.{} {} {} {}{}]", h.score, h.rule, h.cents, h.events, h.capped, h.decayed);
  return s;
}

bool same(const rubric::interp::Outcome& a, const rubric::interp::Outcome& b) { return describe(a) == describe(b); }

}  // namespace

int main(int argc, char** argv) {
  int models = 60, leads = 200;
  uint64_t seed = 1;
  bool print = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--models" && i + 1 < argc) models = std::stoi(argv[++i]);
    else if (a == "--leads" && i + 1 < argc) leads = std::stoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (a == "--print-model") print = true;
    else {
      std::cerr << "usage: rubric-difftest [--models N] [--leads N] [--seed S] [--print-model]\n";
      return 2;
    }
  }
  Rng r(seed);
  int passed = 0, failed = 0, rejected = 0;
  for (int m = 0; m < models; ++m) {
    std::string text = model(r);
    if (print) std::cout << text << "\n";
    auto c = rubric::driver::compile_source(fmt::format("model{}.rubric", m), text);
    if (!c.ok()) {
      // The generator only writes valid models; a rejection is a bug in one or the other.
      ++rejected;
      std::cout << fmt::format("FAIL model {} was rejected:\n{}\n{}", m, text,
                               rubric::diag::render_text(c.diagnostics, *c.sources));
      continue;
    }
    std::string error;
    auto jit = rubric::jit::JitModel::compile(c.model, &error);
    if (!jit) {
      ++failed;
      std::cout << fmt::format("FAIL model {}: the JIT failed: {}\n", m, error);
      continue;
    }
    rubric::interp::Interpreter interp(c.model);
    rubric::interp::BatchInterpreter batch(c.model);
    std::string json;
    for (int l = 0; l < leads; ++l) json += lead_json(r, l) + "\n";
    std::istringstream in(json);
    std::string fatal;
    auto reader = rubric::io::open_reader(in, *c.model, {}, fatal);
    rubric::io::InputRecord rec;
    bool ok = true;
    std::vector<rubric::interp::Record> all;
    std::vector<int64_t> as_ofs;
    while (reader->next(rec)) {
      if (!rec.ok()) {
        std::cout << fmt::format("FAIL model {} lead {} did not read: {}\n", m, rec.number, rec.errors[0]);
        ok = false;
        break;
      }
      int64_t as_of = 1793491200 + r.range(-86400 * 20, 86400 * 20);  // around 2026-11-01
      all.push_back(rec.record);
      auto a = interp.score(rec.record, as_of, true);
      auto b = jit->score(rec.record, as_of, true);
      auto d = batch.score(rec.record, as_of, true);
      if (!same(a, b) || !same(a, d)) {
        std::cout << fmt::format("FAIL model {} lead {} as-of {}:\n  interp {}\n  jit    {}\n  batch  {}\n{}\n", m, rec.number,
                                 as_of, describe(a), describe(b), describe(d), text);
        ok = false;
        break;
      }
    }
    // The batch interpreter again, on all the leads as one batch (one as-of time).
    if (ok) {
      std::vector<const rubric::interp::Record*> ptrs;
      for (const auto& x : all) ptrs.push_back(&x);
      std::vector<rubric::interp::Outcome> outs(ptrs.size());
      // Twice into the same outcomes, as the scoring loop reuses them between batches.
      batch.score_batch(ptrs.data(), ptrs.size(), 1793491200, true, outs.data());
      batch.score_batch(ptrs.data(), ptrs.size(), 1793491200, true, outs.data());
      for (size_t i = 0; i < ptrs.size() && ok; ++i) {
        auto a = interp.score(*ptrs[i], 1793491200, true);
        if (!same(a, outs[i])) {
          std::cout << fmt::format("FAIL model {} lead {} in a batch:\n  interp {}\n  batch  {}\n{}\n", m, i + 1, describe(a),
                                   describe(outs[i]), text);
          ok = false;
        }
      }
    }
    (ok ? passed : failed)++;
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed + rejected);
  return failed + rejected ? 1 : 0;
}
