// SPDX-License-Identifier: Apache-2.0
// A hand-written C++ implementation of examples/b2b/b2b.rubric over the same in-memory records
// the interpreter and the JIT read: the "as fast as the machine allows" reference of the kernel
// benchmark. It follows the language's semantics exactly (checked against the interpreter on
// every lead before anything is timed).
#include "bench/reference_b2b.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

namespace rubric::bench {

namespace {

using check::Value;

// Field numbers, in the order b2b.rubric declares them.
enum Lead { kId, kEmail, kTitle, kEmployees, kIndustry, kCountry, kRevenue, kCustomer, kCreated };
enum Ev { kKind, kPage, kTime, kSeconds };
enum Kind { kView, kOpen, kClick, kForm, kDownload, kWebinar, kCart, kDemo };
enum Industry { kSoftware, kFinance };

constexpr int64_t kDay = check::kMsPerDay;  // times are milliseconds

bool ieq_any(std::string_view s, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set)
    if (text::iequals(s, x)) return true;
  return false;
}

// "*/pricing*" and "*/plans*": the page holds "/pricing" or "/plans" (any case).
bool is_pricing(std::string_view p) {
  return builtins::contains_icase(p, "/pricing") || builtins::contains_icase(p, "/plans");
}
// "*/docs/*": "/docs/" anywhere.
bool is_docs(std::string_view p) { return builtins::contains_icase(p, "/docs/"); }
bool is_careers(std::string_view p) {
  return builtins::contains_icase(p, "/careers") || builtins::contains_icase(p, "/jobs");
}

}  // namespace

ReferenceB2B::ReferenceB2B() {
  RE2::Options o;
  o.set_case_sensitive(false);
  decision_maker_ = std::make_unique<RE2>("\\b(chief|vp|vice president|head|director)\\b", o);
}

ReferenceB2B::~ReferenceB2B() = default;

interp::Outcome ReferenceB2B::score(const interp::Record& r, int64_t as_of) const {
  const auto& f = r.fields;
  const Value& title = f[kTitle];
  const Value& employees = f[kEmployees];
  std::string domain = builtins::email_domain(f[kEmail].s);

  // Fit: live conditions on the lead.
  double fit_points[8] = {};
  if (!title.is_missing() && RE2::PartialMatch(title.s, *decision_maker_)) fit_points[0] = 20;
  if (!title.is_missing() && builtins::contains_icase(title.s, "manager")) fit_points[1] = 10;
  if (!employees.is_missing() && employees.i >= 200 && employees.i <= 5000) fit_points[2] = 15;
  if (!employees.is_missing() && employees.i > 5000) fit_points[3] = 10;
  if (!f[kIndustry].is_missing() && (f[kIndustry].i == kSoftware || f[kIndustry].i == kFinance)) fit_points[4] = 10;
  if (!f[kCountry].is_missing() && ieq_any(f[kCountry].s, {"us", "ca", "gb", "de", "fr", "nl", "au"})) fit_points[5] = 5;
  if (!domain.empty() && ieq_any(domain, {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com"})) fit_points[6] = -10;
  if (title.is_missing()) fit_points[7] = -5;
  int64_t fit = 0;
  for (double p : fit_points) fit += check::to_cents(p);
  fit = std::clamp<int64_t>(fit, 0, 6000);

  // Engagement: one pass over the events of the last 90 days (the longest window).
  auto end = std::upper_bound(r.events.begin(), r.events.end(), as_of,
                              [](int64_t t, const interp::Event& e) { return t < e.time; });
  int pricing7 = 0, pricing30 = 0, views30 = 0, views60 = 0, docs30 = 0, opens30 = 0, clicks30 = 0, downloads60 = 0;
  int webinars90 = 0, demos30 = 0, careers30 = 0;
  double views_pts = 0, docs_pts = 0, opens_pts = 0, clicks_pts = 0, downloads_pts = 0, demos_pts = 0, pricing_secs = 0;
  bool views_decayed = false, docs_decayed = false, opens_decayed = false, clicks_decayed = false;
  bool downloads_decayed = false, demos_decayed = false;
  for (auto it = r.events.begin(); it != end; ++it) {
    int64_t age = as_of - it->time;
    if (age > 90 * kDay) continue;
    const auto& ev = it->fields;
    double decay = age <= 0 ? 1.0 : std::pow(0.5, double(age) / (30.0 * kDay));
    bool d30 = age <= 30 * kDay, d60 = age <= 60 * kDay;
    int64_t kind = ev[kKind].i;
    bool has_page = !ev[kPage].is_missing();
    if (kind == kView) {
      if (d60) ++views60;
      if (d30) {
        ++views30;
        views_pts += 1 * decay;
        views_decayed |= decay < 1;
        if (has_page && is_docs(ev[kPage].s)) {
          ++docs30;
          docs_pts += 2 * decay;
          docs_decayed |= decay < 1;
        }
        if (has_page && is_careers(ev[kPage].s)) ++careers30;
      }
      if (has_page && is_pricing(ev[kPage].s)) {
        if (age <= 7 * kDay) ++pricing7;
        if (d30) {
          ++pricing30;
          if (!ev[kSeconds].is_missing()) pricing_secs += ev[kSeconds].d;
        }
      }
    } else if (kind == kOpen && d30) {
      ++opens30;
      opens_pts += 2 * decay;
      opens_decayed |= decay < 1;
    } else if (kind == kClick && d30) {
      ++clicks30;
      clicks_pts += 3 * decay;
      clicks_decayed |= decay < 1;
    } else if (kind == kDownload && d60) {
      ++downloads60;
      downloads_pts += 5 * decay;
      downloads_decayed |= decay < 1;
    } else if (kind == kWebinar) {
      ++webinars90;
    } else if (kind == kDemo && d30) {
      ++demos30;
      demos_pts += 30 * decay;
      demos_decayed |= decay < 1;
    }
  }
  (void)views_decayed, (void)docs_decayed, (void)opens_decayed, (void)clicks_decayed, (void)downloads_decayed,
      (void)demos_decayed;
  auto capped = [](int n, double pts, double cap) { return n == 0 ? 0 : check::to_cents(std::min(pts, cap)); };
  int64_t engagement = 0;
  if (pricing7) engagement += 1500;
  if (pricing30 >= 3) engagement += 1000;
  engagement += capped(views30, views_pts, 10);
  engagement += capped(docs30, docs_pts, 8);
  engagement += capped(opens30, opens_pts, 10);
  engagement += capped(clicks30, clicks_pts, 15);
  engagement += capped(downloads60, downloads_pts, 15);
  if (webinars90) engagement += 1000;
  engagement += capped(demos30, demos_pts, 30);
  if (pricing_secs > 300) engagement += 1000;
  if (views60 == 0) engagement -= 1000;
  engagement = std::clamp<int64_t>(engagement, 0, 10000);

  interp::Outcome out;
  out.scores = {fit, engagement};
  out.total = check::to_cents(double(fit) / 100.0 + double(engagement) / 100.0);
  bool title_student = !title.is_missing() && builtins::contains_icase(title.s, "student");
  if (!domain.empty() && ieq_any(domain, {"rivalsoft.com", "competeco.io", "leadsgalore.com"})) out.disqualifier = 0;
  else if (title_student || builtins::ends_with_icase(f[kEmail].s, ".edu")) out.disqualifier = 1;
  else if (careers30 >= 2 && pricing30 == 0) out.disqualifier = 2;
  else if (!f[kCustomer].is_missing() && f[kCustomer].b) out.disqualifier = 3;
  if (out.disqualifier >= 0) {
    out.tiers = {-1, -1};
  } else {
    int temperature = (out.total >= 7000 && fit >= 2500) ? 0 : out.total >= 4000 ? 1 : 2;
    int grade = fit >= 4500 ? 0 : fit >= 3000 ? 1 : fit >= 1500 ? 2 : 3;
    out.tiers = {temperature, grade};
  }
  return out;
}

}  // namespace rubric::bench
