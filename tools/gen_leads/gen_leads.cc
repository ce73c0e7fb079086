// SPDX-License-Identifier: Apache-2.0
// rubric-gen-leads: seeded generator of synthetic B2B SaaS leads with event histories, written as
// JSON Lines (one lead per line). The output depends only on the command-line arguments.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using std::string_view;
constexpr int64_t kDay = 86400;

constexpr char kUsage[] =
    "usage: rubric-gen-leads [--count N] [--seed S] [--as-of ISO8601] [--output FILE]\n"
    "  --count N      number of leads (default 1000, at most 9999999)\n"
    "  --seed S       random seed, an unsigned 64-bit integer (default 42)\n"
    "  --as-of TIME   the \"now\" of the data set, YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD\n"
    "                 (default 2026-11-01T00:00:00Z)\n"
    "  --output FILE  write to FILE instead of standard output\n";

// Random draws built directly on the 64-bit engine, so the stream is the same with every standard library.
struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  uint64_t below(uint64_t n) { return engine() % n; }
  int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(uint64_t(hi - lo) + 1)); }
  double unit() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <class T> T pick(std::span<const T> xs) { return xs[below(xs.size())]; }
  size_t weighted(std::span<const int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = static_cast<int>(below(static_cast<uint64_t>(total)));
    for (size_t i = 0;; ++i) if ((r -= weights[i]) < 0) return i;
  }
};

// ---- Vocabulary -------------------------------------------------------------------------------

enum Role : uint8_t { kOther, kManager, kDecisionMaker, kStudent };
struct Title { string_view name; int weight; Role role; };
constexpr Title kTitles[] = {
    {"Chief Revenue Officer", 2, kDecisionMaker}, {"Chief Marketing Officer", 2, kDecisionMaker},
    {"Chief Technology Officer", 1, kDecisionMaker}, {"VP Marketing", 4, kDecisionMaker},
    {"VP of Sales", 3, kDecisionMaker}, {"Vice President, Sales", 1, kDecisionMaker},
    {"vp demand generation", 1, kDecisionMaker}, {"Head of Growth", 3, kDecisionMaker},
    {"Head of Marketing Operations", 2, kDecisionMaker}, {"Director of Sales", 3, kDecisionMaker},
    {"Director of Marketing", 3, kDecisionMaker}, {"Marketing Manager", 7, kManager},
    {"Sales Manager", 5, kManager}, {"Product Manager", 5, kManager}, {"Account Manager", 3, kManager},
    {"Demand Generation Manager", 2, kManager}, {"Software Engineer", 8, kOther},
    {"Data Analyst", 4, kOther}, {"Analyst", 4, kOther}, {"Consultant", 5, kOther}, {"Founder", 4, kOther},
    {"CEO", 3, kOther}, {"Sales Representative", 5, kOther}, {"Marketing Coordinator", 4, kOther},
    {"Operations Associate", 3, kOther}, {"Recruiter", 2, kOther}, {"Intern", 3, kOther},
    {"Student", 2, kStudent}, {"Graduate Student", 1, kStudent},
};
constexpr auto kTitleWeights = [] {
  std::array<int, std::size(kTitles)> w{};
  for (size_t i = 0; i < w.size(); ++i) w[i] = kTitles[i].weight;
  return w;
}();
constexpr string_view kEduTitles[] = {"Student", "Graduate Student", "Research Assistant", "Professor"};
constexpr string_view kSeekerTitles[] = {"Software Engineer", "Data Analyst", "Analyst", "Intern"};

constexpr string_view kFirst[] = {"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
    "linda", "david", "elizabeth", "william", "susan", "richard", "jessica", "joseph", "sarah", "thomas",
    "karen", "priya", "arjun", "wei", "mei", "hiroshi", "yuki", "lucas", "ana", "mateo", "sofia", "liam",
    "emma", "noah", "olivia", "lukas", "lena", "pierre", "camille", "oliver", "amelia", "raj", "fatima"};
constexpr string_view kLast[] = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
    "davis", "rodriguez", "martinez", "wilson", "anderson", "taylor", "thomas", "moore", "jackson",
    "martin", "lee", "thompson", "white", "harris", "clark", "lewis", "walker", "patel", "sharma", "chen",
    "wang", "tanaka", "sato", "silva", "santos", "muller", "schmidt", "dubois", "bernard", "evans",
    "murphy", "van-dijk", "fernandez"};
constexpr string_view kCompanies[] = {"northwind", "globex", "initech", "umbrella", "stark", "hooli",
    "vandelay", "soylent", "tyrell", "cyberdyne", "wonka", "oscorp", "blue-harbor", "silverline",
    "redwood", "brightpath", "ironclad", "summit", "evergreen", "cobalt", "lumen", "nimbus", "quantum",
    "atlas", "beacon", "keystone", "meridian", "orbit", "pinnacle", "sterling", "vertex", "zenith",
    "falcon", "granite", "juniper", "maple", "polaris", "riverbend", "sunridge", "tidewater"};

// Industries 0-4 are the ones the example model lists; the rest are unlisted values (~10%).
constexpr string_view kIndustries[] = {"software", "finance", "healthcare", "retail", "education",
                                       "manufacturing", "nonprofit", "logistics", "government"};
constexpr int kIndustryWeights[] = {36, 15, 13, 12, 14, 4, 3, 2, 1};
constexpr std::array<std::array<string_view, 4>, 6> kSuffixes{{
    {"labs", "software", "systems", "cloud"}, {"capital", "financial", "partners", "bank"},
    {"health", "medical", "care", "bio"}, {"stores", "goods", "outfitters", "market"},
    {"learning", "academy", "edtech", "tutors"}, {"industries", "group", "works", "co"}}};

constexpr string_view kCountries[] = {"US", "GB", "DE", "FR", "CA", "IN", "BR", "AU", "NL", "ES", "JP"};
constexpr string_view kCountryTlds[] = {".com", ".co.uk", ".de", ".fr", ".ca", ".in", ".com.br",
                                        ".com.au", ".nl", ".es", ".co.jp"};
constexpr int kCountryWeights[] = {40, 10, 8, 6, 6, 10, 5, 4, 3, 4, 4};
constexpr string_view kFreeDomains[] = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com"};
constexpr string_view kCompetitors[] = {"rivalsoft.com", "competeco.io", "leadsgalore.com"};
constexpr string_view kEduDomains[] = {"stateu.edu", "techinstitute.edu", "northlake.edu",
                                       "riverside-college.edu", "metro-university.edu"};

enum Kind : uint8_t { kPageView, kEmailOpen, kEmailClick, kFormSubmit, kDownload, kWebinar, kCartAdd, kDemo };
constexpr string_view kKinds[] = {"page_view", "email_open", "email_click", "form_submit",
                                  "download", "webinar", "cart_add", "demo_request"};
constexpr int kKindWeights[] = {64, 15, 7, 3, 5, 2, 3, 1};

constexpr string_view kSite = "https://acme.example";
// Paths 0-9 are page views, 10-11 downloads, 12-13 form submissions.
constexpr string_view kPaths[] = {"/", "/pricing", "/plans/enterprise", "/docs/getting-started",
    "/docs/api", "/blog/lead-scoring-101", "/careers", "/jobs/engineering", "/features", "/customers",
    "/whitepapers/roi.pdf", "/whitepapers/security.pdf", "/contact", "/webinars/register"};
enum Profile { kBrowser, kBuyer, kJobSeeker };
constexpr int kPageWeights[3][10] = {
    {20, 10, 3, 8, 6, 12, 3, 2, 12, 6},  // browser
    {8, 30, 12, 8, 5, 4, 1, 0, 10, 8},   // buyer: pricing-heavy
    {10, 0, 0, 3, 2, 5, 30, 25, 5, 3},   // job seeker: careers, never pricing
};
constexpr uint8_t kNoPage = 0xFF;

// ---- Time ---------------------------------------------------------------------------------------

std::optional<int64_t> parse_time(string_view s) {
  bool full = s.size() == 20 && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z';
  if (!full && s.size() != 10) return std::nullopt;
  if (s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = s[i] >= '0' && s[i] <= '9' ? v * 10 + (s[i] - '0') : -99999;
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2);
  int h = full ? num(11, 2) : 0, mi = full ? num(14, 2) : 0, sec = full ? num(17, 2) : 0;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(unsigned(mo)),
                                  std::chrono::day(unsigned(d))};
  if (y < 1000 || !ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count() * kDay + h * 3600 + mi * 60 + sec;
}

// ---- Output -------------------------------------------------------------------------------------

class Out {
 public:
  explicit Out(std::FILE* f) : file_(f) { buf_.reserve(kFlushAt + 64 * 1024); }
  void put(string_view s) { buf_.append(s); }
  void put(char c) { buf_.push_back(c); }
  void str(string_view s) { put('"'); put(s); put('"'); }
  void key(string_view k) { put(",\""); put(k); put("\":"); }
  void num(int64_t v) { char b[24]; buf_.append(b, std::to_chars(b, b + sizeof b, v).ptr); }
  void fixed(double v, int digits) {
    char b[64];
    buf_.append(b, std::to_chars(b, b + sizeof b, v, std::chars_format::fixed, digits).ptr);
  }
  void digits(int64_t v, int width) {  // zero-padded
    char b[20];
    for (int i = width - 1; i >= 0; --i, v /= 10) b[i] = static_cast<char>('0' + v % 10);
    buf_.append(b, static_cast<size_t>(width));
  }
  void time(int64_t t) {
    int64_t d = t / kDay, s = t % kDay;
    if (s < 0) s += kDay, --d;
    std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d}}};
    put('"'); digits(int(ymd.year()), 4); put('-'); digits(unsigned(ymd.month()), 2); put('-');
    digits(unsigned(ymd.day()), 2); put('T'); digits(s / 3600, 2); put(':'); digits(s / 60 % 60, 2);
    put(':'); digits(s % 60, 2); put("Z\"");
  }
  bool end_line() { put('\n'); return buf_.size() < kFlushAt || flush(); }
  bool flush() {
    bool ok = std::fwrite(buf_.data(), 1, buf_.size(), file_) == buf_.size();
    buf_.clear();
    return ok;
  }

 private:
  static constexpr size_t kFlushAt = size_t{1} << 22;
  std::FILE* file_;
  std::string buf_;
};

// ---- Leads --------------------------------------------------------------------------------------

struct Event {
  int64_t ts;
  uint8_t kind, page;
  uint16_t seconds;
  auto operator<=>(const Event&) const = default;  // full-key order, so sorting is deterministic
};

class Generator {
 public:
  Generator(uint64_t seed, int64_t as_of) : rng_(seed), as_of_(as_of) {}

  void lead(uint64_t n, Out& out) {
    const double archetype = rng_.unit();
    const bool hot = archetype < 0.06, seeker = !hot && archetype < 0.09;

    // Who the lead is.
    size_t title = rng_.weighted(kTitleWeights);
    while (hot && kTitles[title].role != kDecisionMaker) title = rng_.weighted(kTitleWeights);
    string_view title_name = kTitles[title].name;
    Role role = kTitles[title].role;
    if (seeker) title_name = rng_.pick<string_view>(kSeekerTitles), role = kOther;
    const double title_draw = hot ? 1.0 : rng_.unit();  // <0.08 absent, <0.10 null
    int64_t employees = hot ? static_cast<int64_t>(200 * std::exp(rng_.unit() * std::log(25.0)))
                            : static_cast<int64_t>(std::exp(rng_.unit() * std::log(50001.0)));
    if (!hot && rng_.chance(0.10)) employees = -1;
    size_t industry = hot ? (rng_.chance(0.8) ? 0 : 1) : rng_.weighted(kIndustryWeights);
    bool has_industry = hot || !rng_.chance(0.05);
    size_t country = rng_.weighted(kCountryWeights);
    while (hot && (country == 5 || country == 6 || country == 9 || country == 10))  // not a target country
      country = rng_.weighted(kCountryWeights);
    bool has_country = hot || !rng_.chance(0.05);

    // Email: first.last@ a company domain, or a free, competitor or university domain.
    string_view first = rng_.pick<string_view>(kFirst), last = rng_.pick<string_view>(kLast);
    std::array<string_view, 4> domain{};
    const double d = hot ? 1.0 : rng_.unit();
    bool free_email = d < 0.15;
    if (free_email) domain[0] = rng_.pick<string_view>(kFreeDomains);
    else if (d < 0.18) domain[0] = rng_.pick<string_view>(kCompetitors);
    else if (d < 0.21) {
      domain[0] = rng_.pick<string_view>(kEduDomains);
      if (rng_.chance(0.6)) title_name = rng_.pick<string_view>(kEduTitles), role = kStudent;
    } else {
      domain[0] = rng_.pick<string_view>(kCompanies);
      domain[1] = rng_.chance(0.5) ? "-" : "";
      domain[2] = kSuffixes[std::min<size_t>(has_industry ? industry : rng_.below(6), 5)][rng_.below(4)];
      domain[3] = has_country && country != 0 && rng_.chance(0.35) ? kCountryTlds[country]
                  : industry == 0 && rng_.chance(0.15)             ? ".io" : ".com";
    }

    double revenue = -1;
    if (rng_.chance(0.70)) {
      revenue = employees > 0 ? employees * (60000 + 240000 * rng_.unit())
                              : std::exp(11.5 + 11 * rng_.unit());
      if (rng_.chance(0.5)) revenue = std::round(revenue / 1000) * 1000;
    }
    const double c = rng_.unit();
    int customer = c < 0.20 ? -1 : (c < 0.24 && !hot) ? 1 : 0;
    const int64_t created = as_of_ - rng_.between(hot ? 30 * kDay : kDay, 365 * kDay);

    // What the lead does: engagement loosely follows fit.
    double fit = (role == kDecisionMaker ? 0.4 : role == kManager ? 0.2 : role == kOther ? 0.05 : 0.0) +
                 (employees >= 200 && employees <= 5000 ? 0.25 : employees > 5000 ? 0.15 : 0.0) +
                 (has_industry && industry <= 1 ? 0.2 : 0.0) - (free_email ? 0.1 : 0.0);
    fit = std::clamp(fit, 0.0, 1.0);
    const int64_t max_age = std::min(120 * kDay, as_of_ - created);
    events_.clear();
    demos_ = 0;
    Profile profile = hot ? kBuyer : seeker ? kJobSeeker : fit >= 0.6 && rng_.chance(0.3) ? kBuyer : kBrowser;
    if (hot || seeker || !rng_.chance(0.10)) {
      double mean = hot ? 30 : (11 + 32 * fit) * (0.6 + 0.8 * rng_.unit());
      int count = 1 + static_cast<int>(-mean * std::log(1 - rng_.unit()));  // exponential
      if (count > 72) count = static_cast<int>(rng_.between(50, 72));  // a soft tail, not a pile at a cap
      // Half the leads are active now; the rest drifted off weeks ago, or went quiet (nothing in 60 days).
      const double r = hot || seeker ? 0.0 : rng_.unit();
      int64_t last_seen = r < 0.5 ? 1 : r < 0.88 ? rng_.between(kDay, 45 * kDay) : 60 * kDay + 1;
      if (last_seen >= max_age) last_seen = 1;
      add_events(profile, count, last_seen, max_age, last_seen < 60 * kDay);
    }
    if (hot) {  // recent pricing visits and a demo request
      for (int64_t i = 0, k = rng_.between(3, 6); i < k; ++i)
        events_.push_back({as_of_ - rng_.between(3600, 7 * kDay), kPageView,
                           uint8_t(rng_.chance(0.7) ? 1 : 2), uint16_t(rng_.between(60, 600))});
      if (demos_ < 2) events_.push_back({as_of_ - rng_.between(3600, 14 * kDay), kDemo, kNoPage, 0});
    }
    std::sort(events_.begin(), events_.end());

    // Write the line.
    out.put("{\"id\":\"L"); out.digits(static_cast<int64_t>(n), 7); out.put('"');
    out.key("email"); out.put('"'); out.put(first); out.put('.'); out.put(last); out.put('@');
    for (string_view part : domain) out.put(part);
    out.put('"');
    if (title_draw >= 0.10) { out.key("job_title"); out.str(title_name); }
    else if (title_draw >= 0.08) { out.key("job_title"); out.put("null"); }
    if (employees > 0) { out.key("employees"); out.num(employees); }
    if (has_industry) { out.key("industry"); out.str(kIndustries[industry]); }
    if (has_country) { out.key("country"); out.str(kCountries[country]); }
    if (revenue >= 0) {
      out.key("annual_revenue");
      out.fixed(revenue, revenue == std::floor(revenue) ? 0 : 2);
    }
    if (customer >= 0) { out.key("is_customer"); out.put(customer ? "true" : "false"); }
    out.key("created_at"); out.time(created);
    out.key("events"); out.put('[');
    for (size_t i = 0; i < events_.size(); ++i) {
      const Event& e = events_[i];
      out.put(i ? ",{\"kind\":\"" : "{\"kind\":\""); out.put(kKinds[e.kind]); out.put('"');
      if (e.page != kNoPage) {
        out.key("page"); out.put('"'); out.put(kSite); out.put(kPaths[e.page]); out.put('"');
      }
      out.key("timestamp"); out.time(e.ts);
      if (e.kind == kPageView) { out.key("seconds"); out.num(e.seconds); }
      out.put('}');
    }
    out.put("]}");
  }

 private:
  // Adds `count` events aged between min_age and max_age seconds before as-of, recent ones likelier.
  void add_events(Profile profile, int count, int64_t min_age, int64_t max_age, bool recent) {
    for (int i = 0; i < count; ++i) {
      double u = rng_.unit();
      double span = static_cast<double>(max_age - min_age);
      int64_t age = min_age + static_cast<int64_t>(span * (recent ? u * u : u));
      auto kind = static_cast<uint8_t>(rng_.weighted(kKindWeights));
      if (kind == kDemo && (demos_ >= 2 || profile == kJobSeeker)) kind = kPageView;
      demos_ += kind == kDemo;
      uint8_t page = kNoPage;
      uint16_t seconds = 0;
      if (kind == kPageView) {
        page = static_cast<uint8_t>(rng_.weighted(kPageWeights[profile]));
        double s = rng_.unit();
        seconds = static_cast<uint16_t>(5 + 895 * s * s * (page == 1 || page == 2 ? 1.0 : s));
      } else if (kind == kDownload) {
        page = rng_.chance(0.75) ? 10 : 11;
      } else if (kind == kFormSubmit) {
        page = rng_.chance(0.6) ? 12 : 13;
      }
      events_.push_back({as_of_ - age, kind, page, seconds});
    }
  }

  Rng rng_;
  int64_t as_of_;
  std::vector<Event> events_;
  int demos_ = 0;
};

bool parse_u64(string_view s, uint64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

int bad_usage(const std::string& msg) {
  std::fprintf(stderr, "rubric-gen-leads: %s\n(try --help)\n", msg.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 1000, seed = 42;
  int64_t as_of = *parse_time("2026-11-01T00:00:00Z");
  std::string output;
  for (int i = 1; i < argc; ++i) {
    string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return std::fputs(kUsage, stdout), 0;
    if (arg != "--count" && arg != "--seed" && arg != "--as-of" && arg != "--output")
      return bad_usage("unknown argument '" + std::string(arg) + "'");
    if (i + 1 == argc) return bad_usage("missing value for " + std::string(arg));
    const std::string value = argv[++i], quoted = " not '" + value + "'";
    if (arg == "--count" && (!parse_u64(value, count) || count > 9999999))
      return bad_usage("--count wants an integer from 0 to 9999999," + quoted);
    if (arg == "--seed" && !parse_u64(value, seed))
      return bad_usage("--seed wants an unsigned 64-bit integer," + quoted);
    if (arg == "--as-of") {
      auto t = parse_time(value);
      if (!t) return bad_usage("--as-of wants YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD," + quoted);
      as_of = *t;
    }
    if (arg == "--output") {
      if (value.empty()) return bad_usage("--output wants a file name");
      output = value;
    }
  }

  std::FILE* file = output.empty() ? stdout : std::fopen(output.c_str(), "wb");
  if (!file) return std::perror(("rubric-gen-leads: " + output).c_str()), 1;
  Out out(file);
  Generator gen(seed, as_of);
  bool ok = true;
  for (uint64_t n = 1; n <= count && ok; ++n) {
    gen.lead(n, out);
    ok = out.end_line();
  }
  ok = out.flush() && ok;
  ok = (file == stdout ? std::fflush(file) : std::fclose(file)) == 0 && ok;
  if (!ok) return std::fputs("rubric-gen-leads: write failed\n", stderr), 1;
  return 0;
}
