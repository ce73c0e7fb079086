// SPDX-License-Identifier: Apache-2.0
#include "runtime/eval/metrics.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rubric::eval {

namespace {

double sample_variance(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return ss / static_cast<double>(v.size() - 1);
}

// The order of `idx` by score, ascending, ties in index order.
std::vector<size_t> sorted_by_score(const std::vector<double>& score, std::vector<size_t> idx) {
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  return idx;
}

// Midrank of each lead of `idx` (which is sorted by score), keyed by lead index.
void assign_midranks(const std::vector<double>& score, const std::vector<size_t>& sorted, std::vector<double>& rank_of) {
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && score[sorted[j]] == score[sorted[i]]) ++j;
    double mid = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) rank_of[sorted[k]] = mid;
    i = j;
  }
}

}  // namespace

Auc roc_auc(const std::vector<double>& score, const std::vector<uint8_t>& positive) {
  const size_t n = score.size();
  std::vector<size_t> all(n), pos, neg;
  std::iota(all.begin(), all.end(), size_t{0});
  for (size_t i = 0; i < n; ++i) (positive[i] ? pos : neg).push_back(i);
  Auc out;
  if (pos.empty() || neg.empty()) {
    out.auc = out.lo = out.hi = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  std::vector<double> r_all(n), r_pos(n), r_neg(n);
  assign_midranks(score, sorted_by_score(score, all), r_all);
  assign_midranks(score, sorted_by_score(score, pos), r_pos);
  assign_midranks(score, sorted_by_score(score, neg), r_neg);
  const double n1 = static_cast<double>(pos.size()), n0 = static_cast<double>(neg.size());
  double sum = 0;
  std::vector<double> v10, v01;
  v10.reserve(pos.size());
  v01.reserve(neg.size());
  for (size_t i : pos) {
    sum += r_all[i];
    v10.push_back((r_all[i] - r_pos[i]) / n0);  // share of negatives below this positive
  }
  for (size_t j : neg) v01.push_back(1 - (r_all[j] - r_neg[j]) / n1);  // share of positives above
  out.auc = (sum - n1 * (n1 + 1) / 2) / (n1 * n0);
  if (pos.size() < 2 || neg.size() < 2) {  // a variance needs two values of each class
    out.lo = out.hi = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  double se = std::sqrt(sample_variance(v10) / n1 + sample_variance(v01) / n0);
  out.lo = std::max(0.0, out.auc - 1.959963984540054 * se);
  out.hi = std::min(1.0, out.auc + 1.959963984540054 * se);
  return out;
}

std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& score, const std::vector<uint8_t>& positive,
                                                 size_t max_points) {
  std::vector<size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  double p = 0, q = 0;
  for (uint8_t y : positive) (y ? p : q) += 1;
  std::vector<std::pair<double, double>> pts{{0, 0}};
  if (p == 0 || q == 0) return pts;
  double tp = 0, fp = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    for (; j < idx.size() && score[idx[j]] == score[idx[i]]; ++j) (positive[idx[j]] ? tp : fp) += 1;
    pts.emplace_back(fp / q, tp / p);
    i = j;
  }
  if (max_points >= 2 && pts.size() > max_points) {
    std::vector<std::pair<double, double>> thin;
    double step = static_cast<double>(pts.size() - 1) / static_cast<double>(max_points - 1);
    for (size_t k = 0; k < max_points; ++k) thin.push_back(pts[static_cast<size_t>(std::llround(static_cast<double>(k) * step))]);
    thin.back() = pts.back();
    pts = std::move(thin);
  }
  return pts;
}

std::vector<Decile> deciles(const std::vector<double>& score, const std::vector<uint8_t>& positive, const std::vector<double>& display) {
  const size_t n = score.size();
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  int64_t total_pos = 0;
  for (uint8_t y : positive) total_pos += y;
  double base = n ? static_cast<double>(total_pos) / static_cast<double>(n) : 0;
  std::vector<Decile> rows(10);
  for (int d = 0; d < 10; ++d) {
    rows[d].decile = d + 1;
    rows[d].low = INFINITY;
    rows[d].high = -INFINITY;
  }
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && score[idx[j]] == score[idx[i]]) ++j;
    // The run of ranks [i, j) goes to the tenth its middle falls in.
    size_t d = std::min<size_t>(9, (i + j) * 10 / (2 * n));
    for (size_t k = i; k < j; ++k) {
      Decile& row = rows[d];
      ++row.leads;
      row.positives += positive[idx[k]];
      row.low = std::min(row.low, display[idx[k]]);
      row.high = std::max(row.high, display[idx[k]]);
    }
    i = j;
  }
  std::vector<Decile> out;
  int64_t cum = 0;
  for (Decile& row : rows) {
    if (!row.leads) continue;
    row.rate = static_cast<double>(row.positives) / static_cast<double>(row.leads);
    row.lift = base > 0 ? row.rate / base : 0;
    cum += row.positives;
    row.gain = total_pos ? static_cast<double>(cum) / static_cast<double>(total_pos) : 0;
    out.push_back(row);
  }
  return out;
}

Split2 compare_groups(int64_t in, int64_t in_pos, int64_t out, int64_t out_pos) {
  Split2 s{in, in_pos, out, out_pos};
  // An empty group has no rate, lift, information value or z: NaN (null in JSON, "-" in text).
  auto rate = [](int64_t k, int64_t n) { return n ? static_cast<double>(k) / static_cast<double>(n) : NAN; };
  s.rate_in = rate(in_pos, in);
  s.rate_out = rate(out_pos, out);
  double base = rate(in_pos + out_pos, in + out);
  s.lift = base > 0 ? s.rate_in / base : NAN;
  if (!in || !out) {
    s.iv = s.z = NAN;
    return s;
  }
  // Information value of the two groups, with half a lead added to every cell so that an empty
  // cell does not make it infinite.
  double pos = static_cast<double>(in_pos + out_pos), negs = static_cast<double>(in + out - in_pos - out_pos);
  for (auto [n, k] : {std::pair{in, in_pos}, std::pair{out, out_pos}}) {
    double pg = (static_cast<double>(k) + 0.5) / (pos + 1), ng = (static_cast<double>(n - k) + 0.5) / (negs + 1);
    s.iv += (pg - ng) * std::log(pg / ng);
  }
  double se = std::sqrt(base * (1 - base) * ((in ? 1.0 / static_cast<double>(in) : 0) + (out ? 1.0 / static_cast<double>(out) : 0)));
  s.z = se > 0 ? (s.rate_in - s.rate_out) / se : 0;
  return s;
}

bool fit_logistic(const std::vector<double>& x, size_t n, size_t p, const std::vector<uint8_t>& positive, double lambda,
                  std::vector<double>& weights) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  MatrixXd X(n, p + 1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < p; ++j) X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x[i * p + j];
    X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(p)) = 1.0;
  }
  VectorXd y(n);
  for (size_t i = 0; i < n; ++i) y(static_cast<Eigen::Index>(i)) = positive[i] ? 1.0 : 0.0;
  VectorXd beta = VectorXd::Zero(static_cast<Eigen::Index>(p + 1));
  VectorXd penalty = VectorXd::Constant(static_cast<Eigen::Index>(p + 1), lambda);
  penalty(static_cast<Eigen::Index>(p)) = 0;  // the intercept is free
  bool converged = false;
  for (int iter = 0; iter < 100 && !converged; ++iter) {
    VectorXd eta = X * beta;
    VectorXd mu = eta.unaryExpr([](double e) { return 1.0 / (1.0 + std::exp(-e)); });
    VectorXd w = mu.cwiseProduct(VectorXd::Ones(mu.size()) - mu).cwiseMax(1e-10);
    VectorXd grad = X.transpose() * (y - mu) - penalty.cwiseProduct(beta);
    MatrixXd hess = X.transpose() * w.asDiagonal() * X;
    hess.diagonal() += penalty;
    hess.diagonal().array() += 1e-9;  // keeps a feature that never varies from making it singular
    VectorXd step = hess.ldlt().solve(grad);
    if (!step.allFinite()) break;
    beta += step;
    converged = step.cwiseAbs().maxCoeff() < 1e-7;
  }
  weights.assign(beta.data(), beta.data() + beta.size());
  return converged;
}

}  // namespace rubric::eval
