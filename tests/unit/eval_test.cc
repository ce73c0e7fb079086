// SPDX-License-Identifier: Apache-2.0
// `rubric evaluate`'s statistics against their textbook definitions, and its option parsing.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "runtime/eval/evaluate.h"
#include "runtime/eval/metrics.h"

using namespace rubric::eval;

namespace {

// AUC and DeLong's variance straight from the definitions, in O(n²): psi(x, y) is 1 when a
// positive's score x is above a negative's y, a half on ties.
void brute_force(const std::vector<double>& s, const std::vector<uint8_t>& y, double& auc, double& var) {
  std::vector<double> pos, neg;
  for (size_t i = 0; i < s.size(); ++i) (y[i] ? pos : neg).push_back(s[i]);
  auto psi = [](double a, double b) { return a > b ? 1.0 : a == b ? 0.5 : 0.0; };
  std::vector<double> v10(pos.size()), v01(neg.size());
  auc = 0;
  for (size_t i = 0; i < pos.size(); ++i)
    for (size_t j = 0; j < neg.size(); ++j) {
      double p = psi(pos[i], neg[j]);
      auc += p;
      v10[i] += p / static_cast<double>(neg.size());
      v01[j] += p / static_cast<double>(pos.size());
    }
  auc /= static_cast<double>(pos.size() * neg.size());
  auto svar = [&](const std::vector<double>& v) {
    double ss = 0;
    for (double x : v) ss += (x - auc) * (x - auc);
    return ss / static_cast<double>(v.size() - 1);
  };
  var = svar(v10) / static_cast<double>(pos.size()) + svar(v01) / static_cast<double>(neg.size());
}

}  // namespace

TEST_CASE("AUC of perfect, reversed and tied rankings", "[eval]") {
  CHECK(roc_auc({1, 2, 3, 4}, {0, 0, 1, 1}).auc == 1.0);
  CHECK(roc_auc({4, 3, 2, 1}, {0, 0, 1, 1}).auc == 0.0);
  CHECK(roc_auc({5, 5, 5, 5}, {0, 1, 0, 1}).auc == 0.5);
  // One positive (3) above two of three negatives, tied with none: 2/3.
  CHECK(roc_auc({1, 2, 3, 4}, {0, 0, 1, 0}).auc == Approx(2.0 / 3));
  CHECK(std::isnan(roc_auc({1, 2}, {1, 1}).auc));
  Auc one = roc_auc({1, 2, 3}, {0, 0, 1});  // one positive: an AUC, but no interval
  CHECK(one.auc == 1.0);
  CHECK(std::isnan(one.lo));
}

TEST_CASE("AUC and DeLong's interval agree with the definitions on noisy data with ties", "[eval]") {
  std::mt19937 rng(42);
  std::vector<double> s;
  std::vector<uint8_t> y;
  for (int i = 0; i < 600; ++i) {
    uint8_t label = rng() % 3 == 0;
    y.push_back(label);
    s.push_back(std::floor((label ? 1.0 : 0.0) * 3 + static_cast<double>(rng() % 10)));  // many ties
  }
  double auc, var;
  brute_force(s, y, auc, var);
  Auc a = roc_auc(s, y);
  CHECK(a.auc == Approx(auc).margin(1e-12));
  CHECK(a.hi - a.auc == Approx(1.959963984540054 * std::sqrt(var)).margin(1e-9));
  CHECK(a.auc - a.lo == Approx(1.959963984540054 * std::sqrt(var)).margin(1e-9));
}

TEST_CASE("the ROC curve runs from (0,0) to (1,1) with one point per distinct score", "[eval]") {
  auto pts = roc_curve({1, 2, 2, 3}, {0, 1, 0, 1});
  REQUIRE(pts.size() == 4);
  CHECK(pts.front() == std::pair<double, double>{0, 0});
  CHECK(pts[1] == std::pair<double, double>{0, 0.5});    // score 3: one positive
  CHECK(pts[2] == std::pair<double, double>{0.5, 1.0});  // score 2: one of each
  CHECK(pts.back() == std::pair<double, double>{1, 1});
  std::vector<double> many(5000);
  std::vector<uint8_t> labels(5000);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<double>(i), labels[i] = i % 2;
  auto thin = roc_curve(many, labels, 100);
  CHECK(thin.size() == 100);
  CHECK(thin.back() == std::pair<double, double>{1, 1});
}

TEST_CASE("deciles rank best first and their gains reach all positives", "[eval]") {
  std::vector<double> s;
  std::vector<uint8_t> y;
  for (int i = 0; i < 100; ++i) s.push_back(i), y.push_back(i >= 80);  // the top 20 convert
  auto d = deciles(s, y, s);
  REQUIRE(d.size() == 10);
  CHECK(d[0].decile == 1);
  CHECK(d[0].high == 99);
  CHECK(d[0].low == 90);
  CHECK(d[0].positives == 10);
  CHECK(d[0].lift == Approx(5.0));
  CHECK(d[1].gain == Approx(1.0));
  CHECK(d[9].positives == 0);
  CHECK(d[9].gain == Approx(1.0));
}

TEST_CASE("deciles keep tied leads together, whatever the input order", "[eval]") {
  // 40 leads tied at the top score (10 convert), then 60 below; sorting the input by outcome
  // must not change the table.
  std::vector<double> s;
  std::vector<uint8_t> y;
  for (int i = 0; i < 100; ++i) s.push_back(i < 40 ? 5 : 1), y.push_back(i < 10 || (i >= 40 && i < 45));
  auto a = deciles(s, y, s);
  std::vector<size_t> order(100);
  for (size_t i = 0; i < 100; ++i) order[i] = i;
  std::reverse(order.begin(), order.end());
  std::vector<double> s2;
  std::vector<uint8_t> y2;
  for (size_t i : order) s2.push_back(s[i]), y2.push_back(y[i]);
  auto b = deciles(s2, y2, s2);
  REQUIRE(a.size() == b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].decile == b[k].decile);
    CHECK(a[k].leads == b[k].leads);
    CHECK(a[k].positives == b[k].positives);
  }
  // The 40 tied leads (ranks 1-40, middle at 20.5) all go to the 3rd tenth; the 60 others
  // (middle at 70.5) to the 8th.
  REQUIRE(a.size() == 2);
  CHECK(a[0].decile == 3);
  CHECK(a[0].leads == 40);
  CHECK(a[0].positives == 10);
  CHECK(a[1].decile == 8);
  CHECK(a[1].gain == Approx(1.0));
}

TEST_CASE("two groups: rates, lift, information value and the z test", "[eval]") {
  // 100 fired (60 converted) and 300 not (60 converted): base 30%.
  Split2 s = compare_groups(100, 60, 300, 60);
  CHECK(s.rate_in == Approx(0.6));
  CHECK(s.rate_out == Approx(0.2));
  CHECK(s.lift == Approx(2.0));
  CHECK(s.z > 7);
  double iv = 0;
  for (auto [k, n] : {std::pair{60.0, 100.0}, std::pair{60.0, 300.0}}) {
    double pg = (k + 0.5) / 121, ng = (n - k + 0.5) / 281;
    iv += (pg - ng) * std::log(pg / ng);
  }
  CHECK(s.iv == Approx(iv));
  CHECK(compare_groups(100, 30, 100, 30).z == 0);
}

TEST_CASE("logistic regression recovers known weights", "[eval]") {
  std::mt19937 rng(7);
  std::bernoulli_distribution coin(0.4);
  const size_t n = 20000, p = 3;
  const double truth[] = {1.5, -1.0, 0.0}, intercept = -0.5;
  std::vector<double> x(n * p);
  std::vector<uint8_t> y(n);
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t i = 0; i < n; ++i) {
    double eta = intercept;
    for (size_t j = 0; j < p; ++j) x[i * p + j] = coin(rng), eta += truth[j] * x[i * p + j];
    y[i] = u(rng) < 1 / (1 + std::exp(-eta));
  }
  std::vector<double> w;
  REQUIRE(fit_logistic(x, n, p, y, 1.0, w));
  REQUIRE(w.size() == p + 1);
  CHECK(w[0] == Approx(1.5).margin(0.12));
  CHECK(w[1] == Approx(-1.0).margin(0.12));
  CHECK(w[2] == Approx(0.0).margin(0.12));
  CHECK(w[3] == Approx(-0.5).margin(0.12));
  // A heavy penalty shrinks the weights towards zero.
  std::vector<double> shrunk;
  fit_logistic(x, n, p, y, 1e6, shrunk);
  CHECK(std::abs(shrunk[0]) < 0.1);
}

TEST_CASE("label expressions (--label)", "[eval]") {
  Label l;
  std::string err;
  REQUIRE(parse_label("Converted", "", l, err));
  CHECK(l.column == "Converted");
  CHECK(l.test == Label::Test::Truthy);
  CHECK(label_of(l, "1") == 1);
  CHECK(label_of(l, " Yes ") == 1);
  CHECK(label_of(l, "FALSE") == 0);
  CHECK(label_of(l, "1.0") == 1);
  CHECK(label_of(l, "maybe") == -1);

  REQUIRE(parse_label("Lead Quality", "", l, err));  // a shell-quoted name arrives unquoted
  CHECK(l.column == "Lead Quality");

  REQUIRE(parse_label("y", "yes", l, err));
  CHECK(l.test == Label::Test::Equals);
  CHECK(label_of(l, "YES") == 1);
  CHECK(label_of(l, "no") == 0);

  REQUIRE(parse_label("outcome = \"approved\"", "", l, err));
  CHECK(l.column == "outcome");
  CHECK(label_of(l, "Approved") == 1);
  CHECK(label_of(l, "declined") == 0);

  REQUIRE(parse_label("\"Deal Stage\" is not lost", "", l, err));
  CHECK(l.column == "Deal Stage");
  CHECK(l.test == Label::Test::NotEquals);
  CHECK(label_of(l, "LOST") == 0);
  CHECK(label_of(l, "won") == 1);

  REQUIRE(parse_label("stage in {\"closed won\", Won}", "", l, err));
  CHECK(l.test == Label::Test::OneOf);
  CHECK(label_of(l, "Closed Won") == 1);
  CHECK(label_of(l, "won") == 1);
  CHECK(label_of(l, "closed lost") == 0);

  REQUIRE(parse_label("Země = \"Česko\"", "", l, err));  // names and values in any script
  CHECK(l.column == "Země");
  CHECK(label_of(l, "ČESKO") == 1);

  CHECK_FALSE(parse_label("= yes", "", l, err));
  CHECK_FALSE(parse_label("y = yes", "yes", l, err));
  CHECK_FALSE(parse_label("stage in {won", "", l, err));
  CHECK_FALSE(parse_label("outcome = \"approved", "", l, err));
  CHECK_FALSE(parse_label("", "", l, err));
}

TEST_CASE("split specifications (--split) and the seeded random split", "[eval]") {
  Split s;
  std::string err;
  REQUIRE(parse_split("random:0.3", 7, s, err));
  CHECK(s.kind == Split::Kind::Random);
  int held = 0;
  for (int64_t i = 1; i <= 100000; ++i) held += random_held_out(s, i);
  CHECK(held == Approx(30000).margin(600));
  Split again;
  REQUIRE(parse_split("random:30%", 7, again, err));
  CHECK(again.fraction == Approx(0.3));
  for (int64_t i = 1; i <= 1000; ++i) CHECK(random_held_out(s, i) == random_held_out(again, i));
  Split other;
  REQUIRE(parse_split("random:0.3", 8, other, err));
  int differ = 0;
  for (int64_t i = 1; i <= 1000; ++i) differ += random_held_out(s, i) != random_held_out(other, i);
  CHECK(differ > 200);  // another seed picks other leads

  REQUIRE(parse_split("time:created@2026-06-01", 1, s, err));
  CHECK(s.kind == Split::Kind::Time);
  CHECK(s.field == "created");
  CHECK(s.at == 1780272000000);  // milliseconds
  CHECK_FALSE(parse_split("random:1.5", 1, s, err));
  CHECK_FALSE(parse_split("time:created", 1, s, err));
  CHECK_FALSE(parse_split("time:created@June", 1, s, err));
  CHECK_FALSE(parse_split("halves", 1, s, err));
}
