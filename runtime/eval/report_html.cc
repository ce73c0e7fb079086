// SPDX-License-Identifier: Apache-2.0
// `rubric evaluate --report FILE`: the evaluation as one self-contained HTML page. Nothing is
// loaded from elsewhere (no fonts, scripts, images or style sheets) and there is no script: the
// charts are SVG drawn here (the ROC curve, the total by outcome, conversion by tier, conversion
// when each rule fires), the tables follow them, and tooltips are SVG <title> elements. Every text
// that comes from the model, the input or the command line is escaped; numbers that are not finite
// (an AUC when one class is empty) are written as "n/a" and never reach SVG coordinates.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/eval/evaluate.h"
#include "runtime/io/utf8.h"

namespace rubric::eval {

namespace {

// ---------------------------------------------------------------------------------------------
// Text

// `s` as HTML text or attribute value: markup characters as references, bytes that are not
// valid UTF-8 and control characters (other than tab and line breaks) as U+FFFD.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t':
        case '\n': out += static_cast<char>(c); break;
        case '\r': break;
        default: out += c < 0x20 || c == 0x7F ? std::string("\xEF\xBF\xBD") : std::string(1, static_cast<char>(c));
      }
      ++i;
      continue;
    }
    size_t n = io::utf8_length(s, i);
    if (!n) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    // C1 controls (U+0080..U+009F) are not allowed in HTML text either.
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// `s` as HTML with its `quoted` parts (names, commands) as <code>; an unpaired backquote stays text.
std::string with_code(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t open = s.find('`', i), close = open == std::string_view::npos ? open : s.find('`', open + 1);
    if (close == std::string_view::npos) {
      out += esc(s.substr(i));
      break;
    }
    out += esc(s.substr(i, open - i)) + "<code>" + esc(s.substr(open + 1, close - open - 1)) + "</code>";
    i = close + 1;
  }
  return out;
}

// The number of characters (code points) of `s`; an invalid byte counts as one.
size_t char_count(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) i += std::max<size_t>(1, io::utf8_length(s, i));
  return count;
}

// `s` cut to at most `max` characters (never inside one), with an ellipsis when cut.
std::string shorten(std::string_view s, size_t max) {
  if (char_count(s) <= max || max < 2) return std::string(s);
  size_t i = 0;
  for (size_t k = 0; k + 1 < max && i < s.size(); ++k) i += std::max<size_t>(1, io::utf8_length(s, i));
  return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

// Numbers for people: thousands grouped, rates as percentages, "n/a" for what is not a number.
std::string count(int64_t n) { return thousands(n); }

// A count with its noun: "1 lead", "2 leads" (`many` defaults to `one` + "s").
std::string counted(int64_t n, std::string_view one, std::string_view many = {}) {
  return count(n) + " " + (n == 1 ? std::string(one) : many.empty() ? std::string(one) + "s" : std::string(many));
}

const char* const kNa = "n/a";

std::string fixed(double x, int decimals) {
  if (!std::isfinite(x)) return kNa;
  std::string s = fmt::format("{:.{}f}", x, decimals);
  if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // no "-0.00"
  return s;
}

std::string pct(double rate, int decimals = 1) {
  if (!std::isfinite(rate)) return kNa;
  return fixed(100 * rate, decimals) + "%";
}

// A real minus sign for a leading "-".
std::string minus_sign(std::string s) { return !s.empty() && s[0] == '-' ? "\xE2\x88\x92" + s.substr(1) : s; }

// A difference: a sign always, a real minus sign.
std::string signed_fixed(double x, int decimals) {
  std::string s = fixed(x, decimals);
  if (s == kNa) return s;
  if (s[0] == '-') return "\xE2\x88\x92" + s.substr(1);
  return s.find_first_not_of("0.") == std::string::npos ? s : "+" + s;
}

// A score or a number of points: at most two decimals, trailing zeros dropped.
std::string plain(double x) {
  if (!std::isfinite(x)) return kNa;
  std::string s = fixed(x, 2);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s[0] == '-') s = "\xE2\x88\x92" + s.substr(1);
  return s;
}

std::string signed_points(double x) {
  if (!std::isfinite(x)) return kNa;
  std::string s = x > 0 ? "+" : "";  // (not "+" + string: g++ 12 warns of a false overlap, -Wrestrict)
  s += plain(x);
  return s;
}

// A rule's points for people: "+30 pts", "+1 pt", "+5 pts each".
std::string points_text(double x, bool each) {
  return signed_points(x) + (std::isfinite(x) && std::abs(x) == 1 ? " pt" : " pts") + (each ? " each" : "");
}

std::string auc_text(const Auc& a) { return fixed(a.auc, 3); }

std::string interval_text(const Auc& a) {
  if (!std::isfinite(a.lo) || !std::isfinite(a.hi)) return kNa;
  return fixed(a.lo, 3) + "\xE2\x80\x93" + fixed(a.hi, 3);
}

// A coordinate or length in SVG: one decimal, 0 for what is not finite, never huge.
std::string c(double x) {
  if (!std::isfinite(x)) x = 0;
  x = std::clamp(x, -1e6, 1e6);
  std::string s = fmt::format("{:.1f}", x);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

double finite_or(double x, double fallback) { return std::isfinite(x) ? x : fallback; }

double share(int64_t k, int64_t n) { return n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0.0; }

// The flag's name for people: "ok" when the rule has none.
const char* flag_label(RuleRow::Flag f) { return f == RuleRow::Flag::None ? "ok" : flag_name(f); }

const char* flag_class(RuleRow::Flag f) {
  switch (f) {
    case RuleRow::Flag::None: return "flag-none";
    case RuleRow::Flag::TooFew: return "flag-toofew";
    case RuleRow::Flag::NoEffect: return "flag-noeffect";
    case RuleRow::Flag::Opposite: return "flag-opposite";
  }
  return "flag-none";
}

// Colours (Okabe–Ito based, readable by the colour blind).
constexpr const char* kBlue = "#0072B2";
constexpr const char* kOrange = "#E69F00";
constexpr const char* kVermillion = "#D55E00";
constexpr const char* kGrey = "#9CA3AF";
constexpr const char* kLightBlue = "#A9C4DE";
constexpr const char* kInk = "#1F2937";
constexpr const char* kMuted = "#6B7280";
constexpr const char* kGrid = "#E5E7EB";

const char* flag_colour(RuleRow::Flag f) {
  switch (f) {
    case RuleRow::Flag::None: return kBlue;
    case RuleRow::Flag::TooFew: return kGrey;
    case RuleRow::Flag::NoEffect: return kOrange;
    case RuleRow::Flag::Opposite: return kVermillion;
  }
  return kBlue;
}

// ---------------------------------------------------------------------------------------------
// Chart helpers

// A linear map from data (d0..d1) to pixels (r0..r1); a zero-width domain maps to the middle.
struct Scale {
  double d0 = 0, d1 = 1, r0 = 0, r1 = 1;
  double operator()(double v) const {
    if (!std::isfinite(v)) v = d0;
    if (!(d1 - d0 != 0)) return (r0 + r1) / 2;
    return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }
};

// About `target` round tick values covering lo..hi (steps of 1, 2, 2.5 or 5 times a power of
// ten). `integer`: for an axis of counts, whole steps only (at least 1, never 2.5), so the ticks
// are distinct whole numbers.
std::vector<double> nice_ticks(double lo, double hi, int target = 5, bool integer = false) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo <= 0) {
    ticks.push_back(lo);
    return ticks;
  }
  double raw = (hi - lo) / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (integer && std::abs(m * mag - std::round(m * mag)) > 1e-9) continue;
    if (raw <= m * mag * 1.0000001) {
      step = m * mag;
      break;
    }
  }
  if (integer) step = std::max(1.0, std::round(step));
  double first = std::ceil(lo / step - 1e-9) * step;
  for (double t = first; t <= hi + step * 1e-9 && ticks.size() < 50; t += step) {
    double v = std::abs(t) < step * 1e-9 ? 0 : t;
    ticks.push_back(integer ? std::round(v) : v);
  }
  return ticks;
}

// The smallest round number at or above `x` on the tick grid of 0..x (`integer` as for nice_ticks).
double nice_max(double x, bool integer = false) {
  if (!std::isfinite(x) || x <= 0) return 1;
  std::vector<double> t = nice_ticks(0, x, 5, integer);
  if (t.empty()) return x;
  double step = t.size() > 1 ? t[1] - t[0] : x;
  return t.back() >= x - 1e-12 ? t.back() : t.back() + step;
}

// The fewest decimals (at most 4) that write every tick times `scale` exactly, so that no two
// tick labels read the same (0.5% and 1% are not both "1%").
int tick_decimals(const std::vector<double>& ticks, double scale = 1) {
  for (int d = 0; d < 4; ++d) {
    double k = std::pow(10.0, d) * scale;
    bool exact = true;
    for (double t : ticks)
      if (std::abs(t * k - std::round(t * k)) > 1e-6 * std::max(1.0, std::abs(t * k))) exact = false;
    if (exact) return d;
  }
  return 4;
}

void svg_open(std::string& out, const std::string& id, double w, double h, const std::string& title, const std::string& desc) {
  out += fmt::format(
      "<svg id=\"{0}\" class=\"chart\" viewBox=\"0 0 {1} {2}\" width=\"{1}\" height=\"{2}\" role=\"img\" "
      "aria-labelledby=\"{0}-title\" aria-describedby=\"{0}-desc\" aria-label=\"{3}\">\n<title id=\"{0}-title\">{3}</title>\n"
      "<desc id=\"{0}-desc\">{4}</desc>\n",
      id, c(w), c(h), esc(title), esc(desc));
}

// Text at (x, y); `extra` holds further attributes (already escaped).
std::string text_at(double x, double y, const std::string& text, const std::string& extra = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\"{}{}>{}</text>\n", c(x), c(y), extra.empty() ? "" : " ", extra, esc(text));
}

// A rectangle with a tooltip.
std::string rect(double x, double y, double w, double h, const std::string& fill, const std::string& tip,
                 const std::string& extra = "") {
  std::string r =
      fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}{}", c(x), c(y), c(std::max(0.0, finite_or(w, 0))),
                  c(std::max(0.0, finite_or(h, 0))), fill, extra.empty() ? "" : " ", extra);
  if (tip.empty()) return r + "/>\n";
  return r + "><title>" + esc(tip) + "</title></rect>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke, const std::string& extra = "") {
  return fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"{}{}/>\n", c(x1), c(y1), c(x2), c(y2), stroke,
                     extra.empty() ? "" : " ", extra);
}

// A legend entry: a swatch and a label; returns the x after it.
double legend_item(std::string& out, double x, double y, const std::string& colour, const std::string& label, bool dashed = false,
                   bool as_line = false) {
  if (as_line)
    out += line(x, y - 4, x + 18, y - 4, colour, dashed ? "stroke-width=\"2\" stroke-dasharray=\"5 3\"" : "stroke-width=\"2.5\"");
  else
    out += rect(x, y - 10, 12, 12, colour, "", "rx=\"2\"");
  double tx = x + (as_line ? 24 : 17);
  out += text_at(tx, y, label, "class=\"legend\"");
  return tx + 6.6 * static_cast<double>(char_count(label)) + 16;
}

// ---------------------------------------------------------------------------------------------
// Charts

std::string part_name(const Figures& f) { return f.part.empty() ? "all leads" : f.part; }

const AucRow* find_auc(const Figures& f, const std::string& name) {
  for (const AucRow& a : f.auc)
    if (a.name == name) return &a;
  return nullptr;
}

// The ROC curve points with finite coordinates, clamped to the unit square.
std::vector<std::pair<double, double>> clean_roc(const std::vector<std::pair<double, double>>& roc) {
  std::vector<std::pair<double, double>> out;
  for (auto [x, y] : roc)
    if (std::isfinite(x) && std::isfinite(y)) out.emplace_back(std::clamp(x, 0.0, 1.0), std::clamp(y, 0.0, 1.0));
  return out;
}

std::string roc_chart(const Report& r) {
  const double W = 480, left = 64, top = 24, size = 360;
  Scale x{0, 1, left, left + size}, y{0, 1, top + size, top};
  const Figures& f = r.main;
  const AucRow* main_auc = find_auc(f, r.ranking);
  std::vector<std::pair<double, double>> pts = clean_roc(f.roc);
  std::vector<std::pair<double, double>> train;
  const AucRow* train_auc = nullptr;
  if (r.training) {
    train = clean_roc(r.training->roc);
    train_auc = find_auc(*r.training, r.ranking);
  }
  std::string auc_label = main_auc ? auc_text(main_auc->auc) : kNa;
  // The legend's entries (label, colour), which size the chart: the legend goes below the x axis.
  std::vector<std::pair<std::string, std::string>> entries;
  std::string name = shorten(r.ranking.empty() ? "model" : r.ranking, 28);
  entries.emplace_back(fmt::format("{}, {}: AUC {}", name, part_name(f), auc_label), kBlue);
  if (main_auc && std::isfinite(main_auc->auc.lo)) entries.back().first += " (" + interval_text(main_auc->auc) + ")";
  if (!train.empty()) entries.emplace_back(fmt::format("training: AUC {}", train_auc ? auc_text(train_auc->auc) : kNa), kOrange);
  entries.emplace_back("chance: AUC 0.500", kMuted);
  const double kRow = 18, kChar = 6.2;  // about the width of a character of the legend
  double width = 0;
  for (auto& e : entries) {
    e.first = shorten(e.first, static_cast<size_t>((W - 16 - 44) / kChar));
    width = std::max(width, kChar * static_cast<double>(char_count(e.first)) + 44);
  }
  width = std::min(width, W - 16);
  const double lx = std::max(8.0, std::min(left, W - 8 - width)), ly = top + size + 54;
  const double lh = kRow * static_cast<double>(entries.size()) + 8, H = ly + lh + 8;
  std::string out;
  svg_open(out, "roc-chart", W, H,
           fmt::format("ROC curve of {} ({}): AUC {}", r.ranking.empty() ? "the model" : r.ranking, part_name(f), auc_label),
           "True positive rate against false positive rate as the cut-off on the model's ranking moves from the best-scored "
           "lead to the worst; the diagonal is a ranking by chance.");
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#F9FAFB\" stroke=\"{}\" rx=\"4\"/>\n", c(lx),
                     c(ly), c(width), c(lh), kGrid);
  // Grid, ticks and axes.
  for (int i = 0; i <= 5; ++i) {
    double t = i / 5.0;
    std::string label = fixed(t, 1);
    out += line(x(t), top, x(t), top + size, kGrid);
    out += line(left, y(t), left + size, y(t), kGrid);
    out += line(x(t), top + size, x(t), top + size + 5, kInk);
    out += line(left - 5, y(t), left, y(t), kInk);
    out += text_at(x(t), top + size + 19, label, "text-anchor=\"middle\" class=\"tick\"");
    out += text_at(left - 9, y(t) + 4, label, "text-anchor=\"end\" class=\"tick\"");
  }
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\"/>\n", c(left), c(top), c(size),
                     c(size), kInk);
  out += text_at(left + size / 2, top + size + 40, "False positive rate (share of non-converters above the cut-off)",
                 "text-anchor=\"middle\" class=\"axis\"");
  out += fmt::format("<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{}</text>\n", c(18),
                     c(top + size / 2), esc("True positive rate (share of converters found)"));
  // Chance.
  out += line(x(0), y(0), x(1), y(1), kMuted, "stroke-dasharray=\"6 4\" stroke-width=\"1.2\"");
  auto polyline = [&](const std::vector<std::pair<double, double>>& p) {
    std::string s;
    for (auto [px, py] : p) s += fmt::format("{}{},{}", s.empty() ? "" : " ", c(x(px)), c(y(py)));
    return s;
  };
  if (!train.empty())
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-dasharray=\"3 3\">"
        "<title>{}</title></polyline>\n",
        polyline(train), kOrange, esc(fmt::format("training: AUC {}", train_auc ? auc_text(train_auc->auc) : kNa)));
  if (!pts.empty()) {
    std::string p = polyline(pts);
    out += fmt::format("<polygon points=\"{} {},{} {},{}\" fill=\"{}\" fill-opacity=\"0.08\" stroke=\"none\"/>\n", p, c(x(1)), c(y(0)),
                       c(x(0)), c(y(0)), kBlue);
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\" stroke-linejoin=\"round\">"
        "<title>{}</title></polyline>\n",
        p, kBlue, esc(fmt::format("{}: AUC {}", part_name(f), auc_label)));
  } else {
    out += text_at(left + size / 2, top + 40, "No curve: the leads are all converted or all not converted.",
                   "text-anchor=\"middle\" class=\"note\"");
  }
  // Legend, below the plot (outside it, so it never hides the curve or the chance line), on a
  // light background.
  for (size_t i = 0; i < entries.size(); ++i) {
    bool chance = i + 1 == entries.size(), training = !train.empty() && i == 1;
    legend_item(out, lx + 10, ly - 2 + kRow * static_cast<double>(i + 1), entries[i].second, entries[i].first, chance || training,
                true);
  }
  out += "</svg>\n";
  return out;
}

std::string histogram_chart(const Figures& f) {
  const double W = 760, H = 360, left = 70, right = 24, top = 40, bottom = 58;
  const double pw = W - left - right, ph = H - top - bottom;
  size_t bins = f.bin_edges.size() > 1 ? f.bin_edges.size() - 1 : 0;
  bins = std::min({bins, f.bin_pos.size(), f.bin_neg.size()});
  std::string out;
  svg_open(out, "score-histogram", W, H, fmt::format("Total score by outcome ({})", part_name(f)),
           "Leads per band of the total score, stacked: converted leads on top of the leads that did not convert.");
  double lo = 0, hi = 1;
  int64_t peak = 0;
  bool any = false;
  for (size_t i = 0; i < bins; ++i) {
    double a = f.bin_edges[i], b = f.bin_edges[i + 1];
    if (!std::isfinite(a) || !std::isfinite(b)) continue;
    if (!any) lo = std::min(a, b), hi = std::max(a, b);
    lo = std::min({lo, a, b});
    hi = std::max({hi, a, b});
    any = true;
    peak = std::max(peak, std::max<int64_t>(0, f.bin_pos[i]) + std::max<int64_t>(0, f.bin_neg[i]));
  }
  if (!any || peak == 0) {
    out += text_at(W / 2, H / 2, "No scored leads to show.", "text-anchor=\"middle\" class=\"note\"");
    out += "</svg>\n";
    return out;
  }
  if (hi - lo <= 0) lo -= 0.5, hi += 0.5;
  Scale x{lo, hi, left, left + pw};
  double ymax = nice_max(static_cast<double>(peak), true);  // leads: whole numbers only
  Scale y{0, ymax, top + ph, top};
  for (double t : nice_ticks(0, ymax, 5, true)) {
    out += line(left, y(t), left + pw, y(t), kGrid);
    out += text_at(left - 8, y(t) + 4, count(static_cast<int64_t>(std::llround(t))), "text-anchor=\"end\" class=\"tick\"");
  }
  for (size_t i = 0; i < bins; ++i) {
    double a = f.bin_edges[i], b = f.bin_edges[i + 1];
    if (!std::isfinite(a) || !std::isfinite(b)) continue;
    int64_t pos = std::max<int64_t>(0, f.bin_pos[i]), neg = std::max<int64_t>(0, f.bin_neg[i]);
    double x0 = x(std::min(a, b)), x1 = x(std::max(a, b));
    if (x1 - x0 < 3) {  // a bin of one value (every lead has the same total): still visible
      double mid = (x0 + x1) / 2;
      x0 = mid - std::min(12.0, pw / static_cast<double>(2 * std::max<size_t>(bins, 1)));
      x1 = 2 * mid - x0;
    }
    double gap = x1 - x0 > 4 ? 1 : 0;
    std::string tip = fmt::format("total {} to {}: {}, {} converted ({})", plain(a), plain(b), counted(pos + neg, "lead"), count(pos),
                                  pos + neg ? pct(share(pos, pos + neg)) : std::string(kNa));
    double yneg = y(static_cast<double>(neg)), ytot = y(static_cast<double>(neg + pos));
    if (neg) out += rect(x0 + gap / 2, yneg, x1 - x0 - gap, top + ph - yneg, kLightBlue, tip);
    if (pos) out += rect(x0 + gap / 2, ytot, x1 - x0 - gap, yneg - ytot, kVermillion, tip);
  }
  // Axes.
  out += line(left, top + ph, left + pw, top + ph, kInk);
  out += line(left, top, left, top + ph, kInk);
  std::vector<double> xticks = nice_ticks(lo, hi, 8);
  int xdec = tick_decimals(xticks);
  for (double t : xticks) {
    out += line(x(t), top + ph, x(t), top + ph + 5, kInk);
    out += text_at(x(t), top + ph + 19, minus_sign(fixed(t, xdec)), "text-anchor=\"middle\" class=\"tick\"");
  }
  out += text_at(left + pw / 2, H - 14, "Total score", "text-anchor=\"middle\" class=\"axis\"");
  out += fmt::format("<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">Leads</text>\n", c(18),
                     c(top + ph / 2));
  double lx = left + pw - 260;
  lx = legend_item(out, lx, 22, kVermillion, "converted");
  legend_item(out, lx, 22, kLightBlue, "not converted");
  out += "</svg>\n";
  return out;
}

std::string tier_chart(const TierTable& t, size_t n, double base_rate) {
  const double left = 64, right = 24, top = 36, ph = 220, label_h = 64;
  size_t k = t.rows.size();
  double slot = k ? std::clamp(680.0 / static_cast<double>(k), 64.0, 140.0) : 140;
  double pw = std::max(240.0, slot * static_cast<double>(k));
  const double W = left + pw + right + 90, H = k ? top + ph + label_h : 60;
  std::string id = fmt::format("tier-chart-{}", n);
  std::string out;
  svg_open(out, id, W, H, fmt::format("Conversion rate by tier: {}", t.set),
           "The share of leads that converted in each tier, best tier first; the dashed line is the base rate.");
  if (!k) {
    out += text_at(W / 2, H / 2, "No tiers to show.", "text-anchor=\"middle\" class=\"note\"");
    out += "</svg>\n";
    return out;
  }
  out += fmt::format("<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">Conversion rate</text>\n",
                     c(16), c(top + ph / 2));
  double peak = finite_or(base_rate, 0);
  for (const TierRow& row : t.rows) peak = std::max(peak, finite_or(row.rate, 0));
  double ymax = std::min(1.0, nice_max(peak * 1.12));
  if (ymax <= 0) ymax = 1;
  Scale y{0, ymax, top + ph, top};
  std::vector<double> yticks = nice_ticks(0, ymax, 5);
  int ydec = tick_decimals(yticks, 100);
  for (double v : yticks) {
    out += line(left, y(v), left + pw, y(v), kGrid);
    out += text_at(left - 8, y(v) + 4, pct(v, ydec), "text-anchor=\"end\" class=\"tick\"");
  }
  size_t max_chars = static_cast<size_t>(std::max(6.0, slot / 7.2));
  for (size_t i = 0; i < k; ++i) {
    const TierRow& row = t.rows[i];
    double rate = std::clamp(finite_or(row.rate, 0), 0.0, 1.0);
    double bw = slot * 0.62, x0 = left + slot * static_cast<double>(i) + (slot - bw) / 2, cx = x0 + bw / 2;
    bool disq = row.name == "disqualified";
    const char* fill = row.out_of_order ? kVermillion : disq ? kGrey : kBlue;
    std::string tip =
        fmt::format("{}: {} of {} converted ({}), lift {}{}", row.name, count(row.positives), counted(row.leads, "lead"), pct(row.rate),
                    fixed(row.lift, 2), row.out_of_order ? "; converts better than the tier above it" : "");
    out += rect(x0, y(rate), bw, top + ph - y(rate), fill, tip, "rx=\"2\"");
    out += text_at(cx, y(rate) - 6, row.leads ? pct(row.rate) : std::string("no leads"), "text-anchor=\"middle\" class=\"value\"");
    if (row.out_of_order)
      out += text_at(cx, y(rate) - 21, "\xE2\x96\xB2 out of order",
                     fmt::format("text-anchor=\"middle\" class=\"warn\" fill=\"{}\"", kVermillion));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"cat\"><title>{}</title>{}</text>\n", c(cx),
                       c(top + ph + 18), esc(row.name), esc(shorten(row.name, max_chars)));
    out += text_at(cx, top + ph + 34, fmt::format("{}/{}", count(row.positives), count(row.leads)),
                   "text-anchor=\"middle\" class=\"tick\"");
  }
  out += line(left, top + ph, left + pw, top + ph, kInk);
  out += line(left, top, left, top + ph, kInk);
  if (std::isfinite(base_rate) && base_rate > 0) {
    double by = y(std::min(base_rate, ymax));
    out += line(left, by, left + pw + 6, by, kInk, "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
    out += text_at(left + pw + 10, by + 4, "base " + pct(base_rate), "class=\"value\"");
  }
  out += text_at(left, top + ph + 54, "converted/leads under each tier", "class=\"note\"");
  out += "</svg>\n";
  return out;
}

std::string rule_chart(const Figures& f) {
  const double left = 300, bar_w = 380, right = 210, top = 56, row_h = 40;
  const double W = left + bar_w + right;
  size_t k = f.rules.size();
  const double H = top + row_h * static_cast<double>(std::max<size_t>(k, 1)) + 40;
  std::string out;
  svg_open(out, "rule-lift-chart", W, H, fmt::format("Conversion when each rule fires ({})", part_name(f)),
           "For each rule, the conversion rate of the leads it fires for (coloured by the rule's flag) and of the leads it "
           "does not fire for (grey); the dashed line is the base rate.");
  // Legend.
  double lx = 10;
  for (RuleRow::Flag fl : {RuleRow::Flag::None, RuleRow::Flag::TooFew, RuleRow::Flag::NoEffect, RuleRow::Flag::Opposite})
    lx = legend_item(out, lx, 18, flag_colour(fl), std::string("fired: ") + flag_label(fl));
  legend_item(out, lx, 18, "#D1D5DB", "not fired");
  if (!k) {
    out += text_at(W / 2, top + 24, "No rules to show.", "text-anchor=\"middle\" class=\"note\"");
    out += "</svg>\n";
    return out;
  }
  double peak = finite_or(f.base_rate, 0);
  for (const RuleRow& rule : f.rules) peak = std::max({peak, finite_or(rule.stats.rate_in, 0), finite_or(rule.stats.rate_out, 0)});
  double xmax = std::min(1.0, nice_max(peak * 1.05));
  if (xmax <= 0) xmax = 1;
  Scale x{0, xmax, left, left + bar_w};
  double bottom = top + row_h * static_cast<double>(k);
  std::vector<double> xticks = nice_ticks(0, xmax, 5);
  int xdec = tick_decimals(xticks, 100);
  for (double v : xticks) {
    out += line(x(v), top - 6, x(v), bottom, kGrid);
    out += text_at(x(v), top - 12, pct(v, xdec), "text-anchor=\"middle\" class=\"tick\"");
  }
  for (size_t i = 0; i < k; ++i) {
    const RuleRow& rule = f.rules[i];
    const Split2& s = rule.stats;
    double y0 = top + row_h * static_cast<double>(i);
    if (i % 2) out += rect(0, y0, W, row_h, "#F9FAFB", "");
    std::string name = rule.score.empty() ? rule.label : rule.score + ": " + rule.label;
    std::string points = points_text(rule.points, rule.each);
    std::string tip = fmt::format(
        "{} ({}{}): fires for {}, {} converted ({}); not fired: {}, {} converted ({}); lift {}; {}{}{}", name, points,
        rule.line ? fmt::format(", line {}", rule.line) : "", counted(s.in, "lead"), count(s.in_pos), pct(s.rate_in),
        counted(s.out, "lead"), count(s.out_pos), pct(s.rate_out), fixed(s.lift, 2), flag_label(rule.flag),
        rule.message.empty() ? "" : ": ", rule.message);
    out += fmt::format("<g class=\"rule\"><title>{}</title>\n", esc(tip));
    out += text_at(left - 10, y0 + 17, shorten(name, 44), "text-anchor=\"end\" class=\"cat\"");
    out += text_at(left - 10, y0 + 31, points + (rule.line ? fmt::format(" \xC2\xB7 line {}", rule.line) : ""),
                   "text-anchor=\"end\" class=\"tick\"");
    out += rect(x(0), y0 + 7, x(std::clamp(finite_or(s.rate_in, 0), 0.0, 1.0)) - x(0), 15, flag_colour(rule.flag), "", "rx=\"2\"");
    out += rect(x(0), y0 + 25, x(std::clamp(finite_or(s.rate_out, 0), 0.0, 1.0)) - x(0), 8, "#D1D5DB", "", "rx=\"2\"");
    out += text_at(left + bar_w + 10, y0 + 17,
                   fmt::format("{} vs {} \xC2\xB7 lift {}", s.in ? pct(s.rate_in) : std::string(kNa),
                               s.out ? pct(s.rate_out) : std::string(kNa), fixed(s.lift, 2)),
                   "class=\"value\"");
    out += text_at(
        left + bar_w + 10, y0 + 31, "fires for " + counted(s.in, "lead"),
        rule.flag == RuleRow::Flag::None ? "class=\"tick\"" : fmt::format("class=\"tick\" fill=\"{}\"", flag_colour(rule.flag)));
    out += "</g>\n";
  }
  out += line(left, top - 6, left, bottom, kInk);
  if (std::isfinite(f.base_rate) && f.base_rate > 0) {
    double bx = x(std::min(f.base_rate, xmax));
    out += line(bx, top - 6, bx, bottom + 6, kInk, "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
    out += text_at(bx, bottom + 20, "base rate " + pct(f.base_rate), "text-anchor=\"middle\" class=\"value\"");
  }
  out += text_at(left, H - 8, "Conversion rate", "class=\"axis\"");
  out += "</svg>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables and sections

void add_row(std::string& out, const std::vector<std::string>& cells, const std::string& cls = "") {
  out += cls.empty() ? "<tr>" : "<tr class=\"" + cls + "\">";
  for (const std::string& cell : cells) out += cell;
  out += "</tr>\n";
}
std::string td(const std::string& text) { return "<td>" + esc(text) + "</td>"; }
std::string tn(const std::string& text) { return "<td class=\"n\">" + esc(text) + "</td>"; }  // a number
std::string th(const std::string& text, bool number = false) {
  return std::string(number ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">") + esc(text) + "</th>";
}

// A bar inside a table cell, `v` in 0..1.
std::string bar_cell(double v, const std::string& text) {
  double w = std::clamp(finite_or(v, 0), 0.0, 1.0) * 100;
  return fmt::format("<td class=\"n barcell\"><span class=\"bar\" style=\"width:{}%\"></span><span class=\"bartext\">{}</span></td>",
                     c(w), esc(text));
}

std::string auc_table(const Figures& f, const std::string& ranking) {
  std::string out =
      "<table>\n<thead><tr>" + th("Score") + th("AUC", true) + th("95% interval", true) + th("") + "</tr></thead>\n<tbody>\n";
  for (const AucRow& a : f.auc) {
    bool nan = !std::isfinite(a.auc.auc);
    add_row(out,
            {td(a.name), tn(auc_text(a.auc)), tn(interval_text(a.auc)),
             td(nan                 ? "one class is empty"
                : a.name == ranking ? "the ranking the charts and deciles use"
                                    : "")},
            a.name == ranking ? "ranking" : "");
  }
  if (f.auc.empty()) out += "<tr><td colspan=\"4\" class=\"empty\">No AUC was computed.</td></tr>\n";
  out += "</tbody>\n</table>\n";
  return out;
}

std::string decile_table(const Figures& f) {
  std::string out = "<table>\n<thead><tr>" + th("Decile") + th("Total score", true) + th("Leads", true) + th("Converted", true) +
                    th("Rate", true) + th("Lift", true) + th("Cumulative gain", true) + "</tr></thead>\n<tbody>\n";
  for (const Decile& d : f.deciles)
    add_row(out,
            {td(std::to_string(d.decile)), tn(d.low == d.high ? plain(d.low) : plain(d.low) + " to " + plain(d.high)),
             tn(count(d.leads)), tn(count(d.positives)), tn(pct(d.rate)), tn(fixed(d.lift, 2)), bar_cell(d.gain, pct(d.gain))},
            d.lift >= 1 ? "" : "below");
  if (f.deciles.empty()) out += "<tr><td colspan=\"7\" class=\"empty\">No leads.</td></tr>\n";
  out += "</tbody>\n</table>\n";
  return out;
}

std::string tier_table(const TierTable& t) {
  std::string out = "<table>\n<thead><tr>" + th("Tier") + th("Leads", true) + th("Converted", true) + th("Rate", true) +
                    th("Lift", true) + th("") + "</tr></thead>\n<tbody>\n";
  for (const TierRow& row : t.rows)
    add_row(out,
            {td(row.name), tn(count(row.leads)), tn(count(row.positives)), tn(row.leads ? pct(row.rate) : kNa), tn(fixed(row.lift, 2)),
             td(row.out_of_order ? "\xE2\x96\xB2 converts clearly better than the tier above it" : "")},
            row.out_of_order ? "warn" : "");
  if (t.rows.empty()) out += "<tr><td colspan=\"6\" class=\"empty\">No tiers.</td></tr>\n";
  out += "</tbody>\n</table>\n";
  return out;
}

std::string rule_table(const Figures& f) {
  std::string out = "<table class=\"wide rules\">\n<thead><tr>" + th("Rule") + th("Points", true) + th("Fires for", true) +
                    th("Converted", true) + th("Rate fired", true) + th("Rate not fired", true) + th("Lift", true) + th("IV", true) +
                    th("z", true) + th("Flag") + "</tr></thead>\n<tbody>\n";
  for (const RuleRow& rule : f.rules) {
    const Split2& s = rule.stats;
    std::string flag = rule.flag == RuleRow::Flag::None
                           ? std::string("<td class=\"flag\"></td>")
                           : fmt::format("<td class=\"flag\"><span class=\"pill {}\">{}</span>{}{}</td>", flag_class(rule.flag),
                                         esc(flag_label(rule.flag)), rule.message.empty() ? "" : " ", esc(rule.message));
    std::string where = rule.score;
    if (rule.line) where += (where.empty() ? "" : ", ") + fmt::format("line {}", rule.line);
    std::string label = "<td class=\"rule\">" + esc(rule.label);
    if (!where.empty()) label += " <span class=\"muted\">(" + esc(where) + ")</span>";
    if (!rule.text.empty()) label += "<div class=\"code\">" + esc(rule.text) + "</div>";
    label += "</td>";
    add_row(out,
            {label, tn(signed_points(rule.points) + (rule.each ? " each" : "")), tn(count(s.in)), tn(count(s.in_pos)),
             tn(s.in ? pct(s.rate_in) : kNa), tn(s.out ? pct(s.rate_out) : kNa), tn(fixed(s.lift, 2)), tn(fixed(s.iv, 3)),
             tn(signed_fixed(s.z, 1)), flag},
            rule.flag == RuleRow::Flag::None ? "" : "warn");
  }
  if (f.rules.empty()) out += "<tr><td colspan=\"10\" class=\"empty\">No rules.</td></tr>\n";
  out += "</tbody>\n</table>\n";
  return out;
}

std::string disqualifier_table(const Figures& f) {
  std::string out = "<table>\n<thead><tr>" + th("Reason") + th("Line", true) + th("Disqualified", true) + th("Converted", true) +
                    th("Rate", true) + th("Rate of the rest", true) + th("Lift", true) + "</tr></thead>\n<tbody>\n";
  for (const DisqualifierRow& d : f.disqualifiers)
    add_row(out,
            {td(d.reason), tn(d.line ? std::to_string(d.line) : ""), tn(count(d.stats.in)), tn(count(d.stats.in_pos)),
             tn(d.stats.in ? pct(d.stats.rate_in) : kNa), tn(d.stats.out ? pct(d.stats.rate_out) : kNa), tn(fixed(d.stats.lift, 2))});
  out += "</tbody>\n</table>\n";
  return out;
}

std::string suggestion_section(const Suggestion& s) {
  std::string out = "<section id=\"suggestion\">\n<h2>Suggested points</h2>\n";
  out += fmt::format("<p>Points fitted to the outcomes by an L2-penalised logistic regression (&lambda; = {}) on {}{}.", esc(plain(s.lambda)),
                     esc(counted(s.fitted_on, "training lead")), s.converged ? "" : " <strong>(the fit did not converge)</strong>");
  if (s.problem.empty())
    out += " AUCs computed on: " + esc(s.evaluated_on.empty() ? std::string("the same leads") : s.evaluated_on) + ".";
  out += "</p>\n";
  if (!s.problem.empty()) {
    // No AUCs were computed: the figures would be the zeros they start as.
    out += "<p class=\"callout\">No suggestion: " + with_code(s.problem) + "</p>\n";
  } else {
    bool comparable = std::isfinite(s.auc_current) && std::isfinite(s.auc_suggested);
    out += "<table class=\"compact\">\n<thead><tr>" + th("") + th("AUC", true) + "</tr></thead>\n<tbody>\n";
    add_row(out, {td("current points"), tn(fixed(s.auc_current, 3))});
    add_row(out, {td("suggested points"), tn(fixed(s.auc_suggested, 3))}, "ranking");
    add_row(out, {td("change"), tn(comparable ? signed_fixed(s.auc_suggested - s.auc_current, 3) : std::string(kNa))});
    out += "</tbody>\n</table>\n";
    if (!comparable)
      out += "<p class=\"muted\">The AUCs cannot be compared: the held-out part needs leads of both outcomes.</p>\n";
  }
  if (!s.notes.empty()) {
    out += "<ul class=\"notes\">\n";
    for (const std::string& n : s.notes) out += "<li><strong>Note:</strong> " + with_code(n) + "</li>\n";
    out += "</ul>\n";
  }
  if (!s.written.empty()) {
    // "Wrote FILE with the suggested points. Compare: rubric diff ...": the command as code.
    size_t cmd = s.written.find("rubric diff ");
    out += "<p class=\"written\">" +
           (cmd == std::string::npos ? esc(s.written)
                                     : esc(s.written.substr(0, cmd)) + "<code class=\"cmd\">" + esc(s.written.substr(cmd)) + "</code>") +
           "</p>\n";
  } else if (s.problem.empty()) {
    out +=
        "<p class=\"muted\">Nothing was changed. <code>--write NEW.rubric</code> writes the model with these points; "
        "<code>rubric diff</code> shows how tiers would move.</p>\n";
  }
  out += "<table>\n<thead><tr>" + th("Score") + th("Rule") + th("Line", true) + th("Current", true) + th("Suggested", true) +
         th("Change", true) + th("Weight (log-odds)", true) + th("Note") + "</tr></thead>\n<tbody>\n";
  for (const SuggestedRule& rule : s.rules) {
    double change = rule.suggested - rule.current;
    add_row(out,
            {td(rule.score), td(rule.label), tn(rule.line ? std::to_string(rule.line) : ""), tn(signed_points(rule.current)),
             tn(signed_points(rule.suggested)), tn(change == 0 ? std::string("") : signed_points(change)),
             tn(std::isfinite(rule.weight) ? minus_sign(fixed(rule.weight, 3)) : std::string("")), "<td>" + with_code(rule.note) + "</td>"},
            std::isfinite(change) && std::abs(change) > 0 ? "changed" : "");
  }
  if (s.rules.empty()) out += "<tr><td colspan=\"8\" class=\"empty\">No rule to fit.</td></tr>\n";
  out += "</tbody>\n</table>\n";
  if (!s.model_text.empty())
    out += "<details><summary>The model with the suggested points</summary>\n<pre class=\"model\">" + esc(s.model_text) +
           "</pre>\n</details>\n";
  out += "</section>\n";
  return out;
}

std::string training_section(const Figures& held, const Figures& train) {
  std::string out = "<section id=\"training\">\n<h2>Training against held out</h2>\n";
  out +=
      "<p>The same measures on the training leads. A much higher AUC there than on the held-out leads means the points "
      "fit the training leads better than new ones.</p>\n";
  out += "<table>\n<thead><tr>" + th("") + th(train.part.empty() ? "training" : train.part, true) +
         th(held.part.empty() ? "held out" : held.part, true) + th("Difference", true) + "</tr></thead>\n<tbody>\n";
  add_row(out, {td("leads"), tn(count(train.leads)), tn(count(held.leads)), tn("")});
  add_row(out, {td("converted"), tn(count(train.positives)), tn(count(held.positives)), tn("")});
  add_row(out, {td("base rate"), tn(pct(train.base_rate)), tn(pct(held.base_rate)),
                tn(signed_fixed(100 * (held.base_rate - train.base_rate), 1) + " pts")});
  for (const AucRow& a : train.auc) {
    const AucRow* h = find_auc(held, a.name);
    add_row(out, {td("AUC of " + a.name), tn(auc_text(a.auc)), tn(h ? auc_text(h->auc) : kNa),
                  tn(h ? signed_fixed(h->auc.auc - a.auc.auc, 3) : kNa)});
  }
  out += "</tbody>\n</table>\n</section>\n";
  return out;
}

const char* const kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #F7F8FA; color: #1F2937;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; }
header { background: #FFFFFF; border-bottom: 1px solid #E5E7EB; }
header .inner { max-width: 1160px; margin: 0 auto; padding: 20px 28px 16px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 0 0 12px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; overflow-wrap: anywhere; }
.subtitle { color: #6B7280; margin: 0 0 12px; }
nav { font-size: 0.9rem; }
nav a { color: #0072B2; text-decoration: none; margin-right: 14px; }
nav a:hover { text-decoration: underline; }
section { background: #FFFFFF; border: 1px solid #E5E7EB; border-radius: 8px; padding: 20px 22px; margin: 20px 0; overflow-x: auto; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.meta dt { color: #6B7280; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 0; }
.card { border: 1px solid #E5E7EB; border-radius: 8px; padding: 10px 14px; min-width: 130px; background: #FAFAFB; }
.card .v { font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: #6B7280; font-size: 0.85rem; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
table.wide { width: 100%; }
th, td { padding: 5px 10px; border-bottom: 1px solid #E5E7EB; text-align: left; vertical-align: top; }
th { background: #F3F4F6; font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #FAFAFB; }
tr.ranking td { font-weight: 600; }
table.rules th { white-space: normal; }
table.rules td.rule { min-width: 220px; }
table.rules td.flag { min-width: 220px; }
.muted { color: #6B7280; font-size: 0.85rem; }
tr.warn td { background: #FFF7ED; }
tr.below td { color: #6B7280; }
tr.changed td { background: #F0F9FF; }
td.empty { color: #6B7280; font-style: italic; }
.barcell { position: relative; min-width: 140px; }
.bar { position: absolute; left: 0; top: 4px; bottom: 4px; background: #DBEAFE; border-radius: 2px; }
.bartext { position: relative; }
.code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.8rem; color: #4B5563;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 0.8rem; color: #FFFFFF; margin-right: 4px; }
.pill.flag-toofew { background: #6B7280; }
.pill.flag-noeffect { background: #B45309; }
.pill.flag-opposite { background: #D55E00; }
.pill.flag-none { background: #0072B2; }
.callout { background: #FFF7ED; border-left: 4px solid #E69F00; padding: 8px 12px; margin: 8px 0; }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em;
  background: #F3F4F6; padding: 0 2px; border-radius: 3px; overflow-wrap: anywhere; }
ul.notes { margin: 8px 0; padding: 0; list-style: none; }
ul.notes li { background: #F9FAFB; border-left: 4px solid #9CA3AF; padding: 6px 12px; margin: 6px 0; overflow-wrap: anywhere; }
p.written { background: #F0F9FF; border-left: 4px solid #0072B2; padding: 8px 12px; margin: 8px 0; overflow-wrap: anywhere; }
p.written code.cmd { display: block; margin-top: 4px; padding: 4px 8px; white-space: pre-wrap; user-select: all; }
ul.warnings { margin: 12px 0 0; padding: 0; list-style: none; }
ul.warnings li { background: #FFF7ED; border-left: 4px solid #E69F00; padding: 6px 12px; margin: 6px 0; overflow-wrap: anywhere; }
figure { margin: 8px 0 0; }
figcaption { color: #6B7280; font-size: 0.85rem; max-width: 760px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg.chart text { font-size: 12px; fill: #1F2937; }
svg.chart text.tick { fill: #4B5563; font-size: 11px; }
svg.chart text.axis { font-size: 12px; fill: #374151; font-weight: 600; }
svg.chart text.value { font-size: 11.5px; font-weight: 600; }
svg.chart text.warn { font-size: 11px; font-weight: 600; }
svg.chart text.note { fill: #6B7280; font-style: italic; }
svg.chart text.legend { font-size: 12px; }
svg.chart g.rule:hover rect { opacity: 0.85; }
details { margin-top: 12px; }
summary { cursor: pointer; color: #0072B2; }
pre.model { background: #F3F4F6; padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 0.8rem; }
footer { color: #9CA3AF; font-size: 0.8rem; text-align: center; margin-top: 24px; }
@media print { body { background: #FFFFFF; } section { break-inside: avoid; border: none; } nav { display: none; } }
)css";

void meta_row(std::string& out, const std::string& key, const std::string& value) {
  out += "<dt>" + esc(key) + "</dt><dd>" + esc(value) + "</dd>\n";
}

void card(std::string& out, const std::string& value, const std::string& key) {
  out += "<div class=\"card\"><div class=\"v\">" + esc(value) + "</div><div class=\"k\">" + esc(key) + "</div></div>\n";
}

}  // namespace

std::string format_html(const Report& r) {
  const Figures& f = r.main;
  const AucRow* ranking = find_auc(f, r.ranking);
  std::string title = fmt::format("Evaluation of {}", r.model.empty() ? "a model" : r.model);

  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"rubric evaluate\">\n";
  out += "<title>" + esc(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";

  // Header: what was evaluated, on what.
  out += "<header><div class=\"inner\">\n<h1>" + esc(title) + "</h1>\n";
  out += "<p class=\"subtitle\">Whether the model's scores predict who converts: " + esc(part_name(f)) + ", label " +
         esc(r.label.empty() ? "?" : r.label) + ".</p>\n";
  out +=
      "<nav aria-label=\"Sections\"><a href=\"#summary\">Summary</a><a href=\"#ranking\">Ranking</a>"
      "<a href=\"#distribution\">Distribution</a><a href=\"#tiers\">Tiers</a><a href=\"#rules\">Rules</a>";
  if (!f.disqualifiers.empty()) out += "<a href=\"#disqualifiers\">Disqualifiers</a>";
  if (r.suggestion) out += "<a href=\"#suggestion\">Suggested points</a>";
  if (r.training) out += "<a href=\"#training\">Training</a>";
  out += "</nav>\n</div></header>\n<main>\n";

  out += "<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"meta\">\n";
  meta_row(out, "Model", r.model);
  meta_row(out, "Input", r.input);
  meta_row(out, "Label", r.label);
  meta_row(out, "As of", r.as_of);
  meta_row(out, "Split", r.split.empty() ? "none: all labelled leads" : r.split);
  meta_row(out, "Figures on", part_name(f));
  std::string records = fmt::format("{}: {} could not be read, {} {} no label", counted(r.records, "record"), count(r.errors),
                                    count(r.unlabelled), r.unlabelled == 1 ? "has" : "have");
  if (r.not_in_split)
    records += fmt::format(", {} {} not in this part of the split", count(r.not_in_split), r.not_in_split == 1 ? "is" : "are");
  if (r.outcomes_rows) records += "; " + counted(r.outcomes_rows, "outcome row");
  meta_row(out, "Records", records);
  out += "</dl>\n<div class=\"cards\">\n";
  card(out, count(f.leads), f.leads == 1 ? "lead evaluated" : "leads evaluated");
  card(out, count(f.positives), "converted");
  card(out, pct(f.base_rate), "base rate");
  card(out, ranking ? auc_text(ranking->auc) : std::string(kNa), "AUC" + (r.ranking.empty() ? std::string() : " of " + r.ranking));
  if (ranking) card(out, interval_text(ranking->auc), "95% interval");
  if (r.suggestion && r.suggestion->problem.empty()) card(out, fixed(r.suggestion->auc_suggested, 3), "AUC with suggested points");
  out += "</div>\n";
  if (!r.warnings.empty()) {
    out += "<ul class=\"warnings\">\n";
    for (const std::string& w : r.warnings) out += "<li>" + esc(w) + "</li>\n";
    out += "</ul>\n";
  }
  out += "</section>\n";

  // Ranking: AUC per score, the ROC curve, gains by decile.
  out += "<section id=\"ranking\">\n<h2>Ranking</h2>\n";
  out +=
      "<p>The AUC is the chance that a converted lead scores above one that did not convert (0.5 is chance, 1 a perfect "
      "ranking), with DeLong's 95% interval.</p>\n";
  out += auc_table(f, r.ranking);
  out += "<figure>\n" + roc_chart(r) +
         "<figcaption>ROC curve: each point is a cut-off on the ranking; the further the curve bends towards the top left, the "
         "better the ranking.</figcaption>\n</figure>\n";
  out += "<h3>Gains and lift by decile</h3>\n";
  out +=
      "<p>Leads ordered by the model, best first, in tenths: how many converted in each, the lift over the base rate and "
      "the share of all converted leads found down to it.</p>\n";
  out += decile_table(f);
  out += "</section>\n";

  out += "<section id=\"distribution\">\n<h2>Total score by outcome</h2>\n<figure>\n" + histogram_chart(f) +
         "<figcaption>Converted leads should sit to the right of the ones that did not convert.</figcaption>\n</figure>\n</section>\n";

  out += "<section id=\"tiers\">\n<h2>Tiers</h2>\n";
  if (f.tiers.empty()) out += "<p>The model has no tiers.</p>\n";
  for (size_t i = 0; i < f.tiers.size(); ++i) {
    const TierTable& t = f.tiers[i];
    out += "<h3>" + esc(t.set) + "</h3>\n<figure>\n" + tier_chart(t, i + 1, f.base_rate);
    if (t.rows.empty()) {
      out += "</figure>\n";
      continue;
    }
    out +=
        "<figcaption>Better tiers should convert more; a tier marked out of order converts clearly better than the one "
        "above it.</figcaption>\n</figure>\n" +
        tier_table(t);
  }
  out += "</section>\n";

  out += "<section id=\"rules\">\n<h2>Rules</h2>\n";
  out +=
      "<p>How the leads each rule fires for convert against the leads it does not fire for. Lift is the conversion rate "
      "when fired over the base rate; IV is the information value of the split; z is a two-proportion test.</p>\n";
  out += "<figure>\n" + rule_chart(f) + "</figure>\n";
  out += rule_table(f);
  out += "</section>\n";

  if (!f.disqualifiers.empty()) {
    out +=
        "<section id=\"disqualifiers\">\n<h2>Disqualifiers</h2>\n<p>A disqualifier is right when the leads it removes "
        "rarely convert.</p>\n";
    out += disqualifier_table(f);
    out += "</section>\n";
  }

  if (r.suggestion) out += suggestion_section(*r.suggestion);
  if (r.training) out += training_section(f, *r.training);

  out += "<footer>Written by rubric evaluate. This page is self-contained: it loads nothing from elsewhere.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace rubric::eval
