// SPDX-License-Identifier: Apache-2.0
// Interpreter semantics that need exact numbers: windows, decay, caps, rounding, unknowns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "runtime/builtins/builtins.h"
#include "runtime/jit/jit.h"
#include "tests/unit/helpers.h"

using namespace rubric;

namespace {

const char* kEvents =
    "lead:\n  id: string key\n  employees: optional int\n  title: optional string\n"
    "event:\n  kind: enum {page_view, email_open}\n  page: optional string\n  timestamp: time\n  seconds: optional number\n"
    "pages pricing: \"*/pricing*\"\n";

std::string lead(const std::string& events, const std::string& extra = "") {
  return "{\"id\":\"x\"" + extra + ",\"events\":[" + events + "]}";
}
std::string view(const std::string& page, const std::string& ts, int secs = 10) {
  return "{\"kind\":\"page_view\",\"page\":\"" + page + "\",\"timestamp\":\"" + ts + "\",\"seconds\":" + std::to_string(secs) + "}";
}

}  // namespace

TEST_CASE("windows include both ends and ignore events after as-of", "[interp]") {
  auto c = test::compile(std::string(kEvents) + "score s:\n  visited pricing within 7 days: +1\n");
  REQUIRE(c.ok());
  CHECK(test::score(c, lead(view("/pricing", "2026-10-25T00:00:00Z")), "2026-11-01").scores[0] == 100);
  CHECK(test::score(c, lead(view("/pricing", "2026-10-24T23:59:59Z")), "2026-11-01").scores[0] == 0);
  CHECK(test::score(c, lead(view("/pricing", "2026-11-01T00:00:00Z")), "2026-11-01").scores[0] == 100);
  CHECK(test::score(c, lead(view("/pricing", "2026-11-01T00:00:01Z")), "2026-11-01").scores[0] == 0);
}

TEST_CASE("half-life decay halves per-event points every period", "[interp]") {
  auto c = test::compile(std::string(kEvents) + "score s, decay half-life 10 days:\n  visited pricing: +10 each\n");
  REQUIRE(c.ok());
  CHECK(test::score(c, lead(view("/pricing", "2026-10-22")), "2026-11-01").scores[0] == 500);
  CHECK(test::score(c, lead(view("/pricing", "2026-10-27")), "2026-11-01").scores[0] == std::llround(1000 * std::pow(0.5, 0.5)));
}

TEST_CASE("linear decay loses a share per whole period", "[interp]") {
  auto c = test::compile(std::string(kEvents) + "score s, decay 25% every 7 days:\n  visited pricing: +8 each\n");
  REQUIRE(c.ok());
  CHECK(test::score(c, lead(view("/pricing", "2026-10-26")), "2026-11-01").scores[0] == 800);  // 6 days: none lost
  CHECK(test::score(c, lead(view("/pricing", "2026-10-25")), "2026-11-01").scores[0] == 600);  // 7 days: 25%
  CHECK(test::score(c, lead(view("/pricing", "2026-09-01")), "2026-11-01").scores[0] == 0);    // never negative
}

TEST_CASE("caps, floors and ceilings", "[interp]") {
  auto c = test::compile(std::string(kEvents) +
                         "score s, at most 12, at least -3:\n  visited pricing: +5 each, at most 9\n  employees > 10: +5\n"
                         "score t, at least -3:\n  employees < 10: -5\n");
  REQUIRE(c.ok());
  std::string three = view("/pricing", "2026-10-30") + "," + view("/pricing", "2026-10-30") + "," + view("/pricing", "2026-10-31");
  interp::Outcome o = test::score(c, lead(three, ",\"employees\":20"));
  CHECK(o.scores[0] == 1200);  // 9 (capped from 15) + 5 = 14, ceiling 12
  CHECK(o.hits.at(0).capped);
  CHECK(o.hits.at(0).events == 3);
  CHECK(test::score(c, lead("", ",\"employees\":2")).scores[1] == -300);
}

TEST_CASE("points round to hundredths, half away from zero", "[interp]") {
  CHECK(interp::to_cents(0.125) == 13);
  CHECK(interp::to_cents(-0.125) == -13);
  CHECK(interp::to_cents(2.5) == 250);
  CHECK(interp::to_cents(2.01 * 0.5) == 101);  // 1.005 in binary is just below; noise is removed first
  CHECK(interp::to_cents(1e300) == 1000000000000000);  // saturates instead of overflowing
}

TEST_CASE("a condition on a missing value is unknown, and unknown never fires", "[interp]") {
  auto c = test::compile(std::string(kEvents) +
                         "score s:\n  employees > 10: +1\n  not employees > 10: +2\n  employees is missing: +4\n"
                         "  employees > 10 or title is missing: +8\n  employees > 10 and title is present: +16\n");
  REQUIRE(c.ok());
  // employees missing, title missing: only `is missing` (4) and the `or` with a true side (8).
  CHECK(test::score(c, lead("")).scores[0] == 1200);
  // employees 5, title missing: not(>10) is true (2), the `or` is true (8).
  CHECK(test::score(c, lead("", ",\"employees\":5")).scores[0] == 1000);
}

TEST_CASE("tiers are tried top to bottom and disqualified leads get no tier", "[interp]") {
  auto c = test::compile(std::string(kEvents) +
                         "score s:\n  employees > 10: +50\n  employees > 100: +50\n"
                         "disqualify:\n  title contains \"student\": \"student\"\n"
                         "tiers t:\n  hot: s >= 100\n  warm: s >= 50\n  cold: otherwise\n");
  REQUIRE(c.ok());
  CHECK(test::score(c, lead("", ",\"employees\":500")).tiers[0] == 0);
  CHECK(test::score(c, lead("", ",\"employees\":50")).tiers[0] == 1);
  CHECK(test::score(c, lead("")).tiers[0] == 2);
  interp::Outcome d = test::score(c, lead("", ",\"employees\":500,\"title\":\"PhD Student\""));
  CHECK(d.disqualifier == 0);
  CHECK(d.tiers[0] == -1);
  CHECK(d.scores[0] == 10000);
}

TEST_CASE("sum of, count of and days since over events", "[interp]") {
  auto c = test::compile(std::string(kEvents) +
                         "score s:\n  sum of seconds over visited pricing within 30 days >= 100: +1\n"
                         "  count of visited any page > 2: +2\n  days since last visited pricing = 3: +4\n");
  REQUIRE(c.ok());
  std::string ev = view("/pricing", "2026-10-28T12:00:00Z", 60) + "," + view("/pricing", "2026-10-20", 50) + "," + view("/home", "2026-10-01");
  CHECK(test::score(c, lead(ev)).scores[0] == 700);
}

TEST_CASE("page globs: any text for *, whole-text match, ignoring case", "[interp]") {
  using builtins::glob_match;
  CHECK(glob_match("*/pricing*", "https://acme.io/PRICING/team"));
  CHECK_FALSE(glob_match("*/pricing*", "https://acme.io/price"));
  CHECK(glob_match("/docs/*", "/Docs/api"));
  CHECK_FALSE(glob_match("/docs/*", "x/docs/api"));
  CHECK(glob_match("*.pdf", "/whitepapers/ROI.PDF"));
  CHECK(glob_match("/a*b*c", "/aXXbYYc"));
  CHECK_FALSE(glob_match("/a*b*c", "/aXXbYYcd"));
  CHECK(glob_match("/exact", "/EXACT"));
  CHECK_FALSE(glob_match("/exact", "/exactly"));
  CHECK(glob_match("*", ""));
}

TEST_CASE("a batch scores into outcomes left by other leads as into fresh ones", "[interp]") {
  // Back ends write a batch's outcomes in place, reusing their vectors from the batch before:
  // nothing of an earlier lead (scores, tiers, rule hits, a disqualifier) may be left over.
  auto c = test::compile(std::string(kEvents) +
                         "score fit:\n  employees > 100: +10 \"big\"\n  title contains \"vp\": +5 \"vp\"\n"
                         "score engagement:\n  visited pricing within 30 days: +3 each, at most 9 \"pricing\"\n"
                         "disqualify:\n  title contains \"student\": \"student\"\n"
                         "tiers temperature:\n  hot: total >= 15\n  cold: otherwise\n");
  REQUIRE(c.ok());
  const std::string leads[] = {
      lead(view("/pricing", "2026-10-20T00:00:00Z") + "," + view("/pricing/x", "2026-10-21T00:00:00Z"),
           ",\"employees\":500,\"title\":\"vp sales\""),
      lead("", ",\"title\":\"student\""),
      lead(view("/blog", "2026-10-20T00:00:00Z")),
  };
  std::vector<io::InputRecord> recs(3);
  for (size_t i = 0; i < 3; ++i) {
    std::istringstream in(leads[i] + "\n");
    std::string fatal;
    auto reader = io::open_reader(in, *c.model, {}, fatal);
    REQUIRE(reader->next(recs[i]));
    REQUIRE(recs[i].ok());
  }
  const int64_t as_of = *io::parse_time("2026-11-01");
  std::string why;
  std::vector<std::shared_ptr<const interp::Scorer>> scorers = {
      jit::make_scorer(c.model, jit::ScorerKind::Interpreted, {}, &why),
      jit::make_scorer(c.model, jit::ScorerKind::Batch, {}, &why),
      jit::make_scorer(c.model, jit::ScorerKind::Jit, {}, &why),
  };
  REQUIRE(why.empty());
  auto same = [](const interp::Outcome& a, const interp::Outcome& b) {
    if (a.scores != b.scores || a.total != b.total || a.tiers != b.tiers || a.disqualifier != b.disqualifier) return false;
    if (a.hits.size() != b.hits.size()) return false;
    for (size_t h = 0; h < a.hits.size(); ++h)
      if (a.hits[h].score != b.hits[h].score || a.hits[h].rule != b.hits[h].rule || a.hits[h].cents != b.hits[h].cents ||
          a.hits[h].events != b.hits[h].events)
        return false;
    return true;
  };
  for (const auto& scorer : scorers) {
    std::vector<interp::Outcome> fresh;
    for (const io::InputRecord& r : recs) fresh.push_back(scorer->score(r.record, as_of, true));
    // The leads differ in every part of an outcome: 10 + 5 + 2 x 3 with three hits and hot; a
    // disqualified one; one with nothing.
    CHECK(fresh[0].total == 2100);
    CHECK(fresh[0].hits.size() == 3);
    CHECK(fresh[0].tiers == std::vector<int>{0});
    CHECK(fresh[1].disqualifier == 0);
    CHECK(fresh[1].tiers == std::vector<int>{-1});
    CHECK(fresh[2].total == 0);
    CHECK(fresh[2].tiers == std::vector<int>{1});
    // Every order of the three, each batch into the outcomes the one before left.
    std::vector<interp::Outcome> out(3);
    size_t order[] = {0, 1, 2};
    do {
      const interp::Record* batch[3];
      for (size_t k = 0; k < 3; ++k) batch[k] = &recs[order[k]].record;
      for (bool explain : {true, false}) {
        scorer->score_batch(batch, 3, as_of, explain, out.data());
        for (size_t k = 0; k < 3; ++k) {
          interp::Outcome want = fresh[order[k]];
          if (!explain) want.hits.clear();
          CHECK(same(out[k], want));
        }
      }
    } while (std::next_permutation(order, order + 3));
  }
}
