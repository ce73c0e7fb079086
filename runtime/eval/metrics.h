// SPDX-License-Identifier: Apache-2.0
// The statistics `rubric evaluate` reports, as plain functions over scores and 0/1 outcomes:
// ROC AUC with DeLong's interval, the ROC curve, gains by decile, and the figures per rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rubric::eval {

// The area under the ROC curve of `score` for the outcomes `positive` (ties count half), with
// DeLong's 95% interval (DeLong, DeLong & Clarke-Pearson 1988, computed by ranks as in Sun & Xu
// 2014). NaN when one class is empty; the interval is NaN when a class has fewer than two leads.
struct Auc {
  double auc = 0, lo = 0, hi = 0;
};
Auc roc_auc(const std::vector<double>& score, const std::vector<uint8_t>& positive);

// The ROC curve as (false positive rate, true positive rate) points from (0,0) to (1,1), one
// point per distinct score, thinned to at most `max_points`.
std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& score, const std::vector<uint8_t>& positive,
                                                 size_t max_points = 400);

// One tenth of the leads, best first, by `score`. Leads with the same score stay together, in
// the tenth where the middle of their run of ranks falls, so that the table does not depend on
// the order of the input; a tenth can then hold more or fewer leads than n/10, or none (it is
// left out).
struct Decile {
  int decile = 0;          // 1 = the best-scored tenth
  int64_t leads = 0, positives = 0;
  double low = 0, high = 0;  // the `display` values it spans
  double rate = 0;         // positives / leads
  double lift = 0;         // rate / the base rate
  double gain = 0;         // share of all positives in this decile and the ones above
};
// `display` (the same length as `score`) gives the values shown as each tenth's span.
std::vector<Decile> deciles(const std::vector<double>& score, const std::vector<uint8_t>& positive, const std::vector<double>& display);

// How leads in a group convert against the rest: two groups' counts and rates, the lift of the
// group over the base rate, the information value of the split (with half a lead added to each
// cell, so that an empty cell does not make it infinite), and a two-proportion z test. Figures
// of an empty group (and the IV and z when either is empty) are NaN.
struct Split2 {
  int64_t in = 0, in_pos = 0, out = 0, out_pos = 0;
  double rate_in = 0, rate_out = 0, lift = 0, iv = 0, z = 0;
};
Split2 compare_groups(int64_t in, int64_t in_pos, int64_t out, int64_t out_pos);

// Logistic regression with an L2 penalty `lambda` on the weights (not the intercept), fitted by
// Newton's method. `x` is n rows of p features, row-major. Returns p weights and the intercept
// last; false (with the best weights found) if it did not converge.
bool fit_logistic(const std::vector<double>& x, size_t n, size_t p, const std::vector<uint8_t>& positive, double lambda,
                  std::vector<double>& weights);

}  // namespace rubric::eval
