// SPDX-License-Identifier: Apache-2.0
// The checked model as bytes, and back. Little-endian fixed-width integers, doubles as their
// bits, texts and lists with a 32-bit length. The reader checks every length against what is
// left and every index against what it indexes, then the shape of every node, so that no byte
// string makes a model the back ends would misread.
#include "common/serialize.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <bit>
#include <cstring>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "compiler/source/source.h"

namespace rubric::check {

namespace {

constexpr std::string_view kMagic = "RUBRICMODEL";

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void i64(int64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
  }
  void f64(double v) { i64(std::bit_cast<int64_t>(v)); }
  void flag(bool b) { u8(b ? 1 : 0); }
  void raw(std::string_view s) { out_.append(s); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void range(const source::SourceRange& r) {
    u32(r.file);
    u32(r.begin);
    u32(r.end);
  }
  void value(const Value& v) {
    u8(static_cast<uint8_t>(v.kind));
    flag(v.b);
    i64(v.i);
    f64(v.d);
    str(v.s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i);
    return v;
  }
  int64_t i64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(u8()) << (8 * i);
    return static_cast<int64_t>(v);
  }
  int32_t index() { return static_cast<int32_t>(i64()); }
  double f64() { return std::bit_cast<double>(i64()); }
  bool flag() {
    uint8_t b = u8();
    if (b > 1) fail("a flag is neither 0 nor 1");
    return b == 1;
  }
  std::string str() {
    uint32_t n = u32();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count(4));
    for (auto& s : v) s = str();
    return v;
  }
  // A list length, each item at least `min_bytes` long: never more items than bytes left.
  size_t count(size_t min_bytes) {
    uint32_t n = u32();
    if (static_cast<size_t>(n) * min_bytes > in_.size() - pos_) fail("a list is longer than the data");
    return n;
  }
  source::SourceRange range() {
    source::SourceRange r;
    r.file = u32();
    r.begin = u32();
    r.end = u32();
    return r;
  }
  Value value() {
    Value v;
    uint8_t kind = u8();
    if (kind > static_cast<uint8_t>(Value::Kind::Enum)) fail("a value of an unknown kind");
    v.kind = static_cast<Value::Kind>(kind);
    v.b = flag();
    v.i = i64();
    v.d = f64();
    v.s = str();
    return v;
  }
  bool done() const { return pos_ == in_.size(); }
  // Skips `magic` if the data starts with it.
  bool starts_with(std::string_view magic) {
    if (!in_.substr(pos_).starts_with(magic)) return false;
    pos_ += magic.size();
    return true;
  }
  [[noreturn]] static void fail(const std::string& why) { throw std::runtime_error(why); }

 private:
  void need(size_t n) {
    if (in_.size() - pos_ < n) fail("the data ends early");
  }
  std::string_view in_;
  size_t pos_ = 0;
};

constexpr uint8_t kLastType = static_cast<uint8_t>(TypeKind::Pages);

class Out {
 public:
  Out(const CheckedModel& m, const source::SourceManager& sm) : m_(m), sm_(sm) {
    int i = 0;
    for (const Node& n : m.nodes) nodes_[&n] = i++;
    i = 0;
    for (const EventQuery& q : m.queries) queries_[&q] = i++;
    i = 0;
    for (const EnumType& e : m.enums) enums_[&e] = i++;
  }

  std::string run() {
    w_.raw(kMagic);
    w_.u32(kModelFormat);
    w_.u32(static_cast<uint32_t>(sm_.size()));
    for (uint32_t f = 1; f <= sm_.size(); ++f) {
      w_.str(sm_.file(f).name());
      w_.str(sm_.file(f).text());
    }
    w_.str(m_.name);
    w_.u32(static_cast<uint32_t>(m_.enums.size()));
    for (const EnumType& e : m_.enums) {
      w_.str(e.field);
      w_.strs(e.values);
      w_.u32(static_cast<uint32_t>(e.raw.size()));
      for (const auto& r : e.raw) {
        w_.flag(r.has_value());
        w_.str(r ? *r : "");
      }
      w_.i64(e.fallback);
    }
    schema(m_.lead);
    schema(m_.event);
    w_.flag(m_.has_events);
    w_.i64(m_.key_field);
    w_.i64(m_.event_kind_field);
    w_.i64(m_.event_time_field);
    w_.strs(m_.missing_values);
    w_.str(m_.event_key_column);
    // Only the program's functions the model calls: loading needs just those registered.
    for (const Node& n : m_.nodes)
      if (n.host && hosts_.emplace(n.host, static_cast<int64_t>(host_order_.size())).second) host_order_.push_back(n.host);
    w_.u32(static_cast<uint32_t>(host_order_.size()));
    for (const HostFunction* h : host_order_) {
      const HostFunction& f = *h;
      w_.str(f.name);
      w_.u32(static_cast<uint32_t>(f.args.size()));
      for (TypeKind a : f.args) w_.u8(static_cast<uint8_t>(a));
      w_.u8(static_cast<uint8_t>(f.result));
    }
    w_.u32(static_cast<uint32_t>(m_.nodes.size()));
    for (const Node& n : m_.nodes) node(n);
    w_.u32(static_cast<uint32_t>(m_.queries.size()));
    for (const EventQuery& q : m_.queries) {
      w_.i64(ref(q.filter));
      w_.f64(q.window_seconds);
    }
    w_.u32(static_cast<uint32_t>(m_.scores.size()));
    for (const Score& s : m_.scores) score(s);
    w_.i64(ref(m_.total));
    w_.u32(static_cast<uint32_t>(m_.tier_sets.size()));
    for (const TierSet& t : m_.tier_sets) {
      w_.str(t.name);
      w_.u32(static_cast<uint32_t>(t.tiers.size()));
      for (const Tier& x : t.tiers) {
        w_.str(x.name);
        w_.range(x.range);
        w_.i64(ref(x.cond));
      }
    }
    w_.u32(static_cast<uint32_t>(m_.disqualifiers.size()));
    for (const Disqualifier& d : m_.disqualifiers) {
      w_.str(d.reason);
      w_.range(d.range);
      w_.i64(ref(d.cond));
      w_.i64(d.line);
    }
    w_.u32(static_cast<uint32_t>(m_.tests.size()));
    for (const TestCase& t : m_.tests) test(t);
    w_.u32(static_cast<uint32_t>(m_.defines.size()));
    for (const Node* d : m_.defines) w_.i64(ref(d));
    w_.strs(m_.define_names);
    return w_.take();
  }

 private:
  int64_t ref(const Node* n) const { return n ? nodes_.at(n) : -1; }
  int64_t ref(const EventQuery* q) const { return q ? queries_.at(q) : -1; }

  void type(const Type& t) {
    w_.u8(static_cast<uint8_t>(t.kind));
    w_.i64(t.enum_type ? enums_.at(t.enum_type) : -1);
    w_.u8(static_cast<uint8_t>(t.elem));
  }

  void schema(const Schema& s) {
    w_.u32(static_cast<uint32_t>(s.fields.size()));
    for (const Field& f : s.fields) {
      w_.str(f.name);
      w_.str(f.column);
      type(f.type);
      w_.flag(f.optional);
      w_.strs(f.missing);
      w_.f64(f.unit_seconds);
      w_.flag(f.epoch);
      w_.flag(f.decimal_comma);
      w_.flag(f.raw);
      w_.range(f.range);
    }
  }

  void node(const Node& n) {
    w_.u8(static_cast<uint8_t>(n.op));
    type(n.type);
    w_.range(n.range);
    w_.u32(static_cast<uint32_t>(n.kids.size()));
    for (const Node* k : n.kids) w_.i64(ref(k));
    w_.value(n.lit);
    w_.i64(n.slot);
    w_.i64(n.host ? hosts_.at(n.host) : -1);
    w_.u8(static_cast<uint8_t>(n.cmp));
    w_.flag(n.negated);
    w_.flag(n.exact_case);
    w_.i64(ref(n.query));
    w_.i64(n.freq_lo);
    w_.i64(n.freq_hi);
    w_.f64(n.span_seconds);
    w_.u32(static_cast<uint32_t>(n.set.size()));
    for (const Value& v : n.set) w_.value(v);
    std::vector<std::string> strings(n.string_set.begin(), n.string_set.end());
    std::sort(strings.begin(), strings.end());
    w_.strs(strings);
    w_.strs(n.patterns);
    w_.flag(n.regex != nullptr);
    w_.str(n.regex ? n.regex->pattern() : "");
    w_.flag(n.regex ? n.regex->options().case_sensitive() : true);
  }

  void score(const Score& s) {
    w_.str(s.name);
    w_.range(s.range);
    w_.u32(static_cast<uint32_t>(s.rules.size()));
    for (const Rule& r : s.rules) {
      w_.str(r.label);
      w_.str(r.text);
      w_.range(r.range);
      w_.range(r.points_range);
      w_.i64(r.line);
      w_.f64(r.points);
      w_.flag(r.each);
      w_.flag(r.cap.has_value());
      w_.f64(r.cap.value_or(0));
      w_.i64(ref(r.cond));
      w_.i64(ref(r.query));
      w_.i64(r.freq_lo);
      w_.i64(r.freq_hi);
    }
    w_.flag(s.ceiling.has_value());
    w_.f64(s.ceiling.value_or(0));
    w_.flag(s.floor.has_value());
    w_.f64(s.floor.value_or(0));
    w_.u8(static_cast<uint8_t>(s.decay.kind));
    w_.f64(s.decay.period_seconds);
    w_.f64(s.decay.fraction);
  }

  void test_fields(const std::vector<TestCase::Field>& fields) {
    w_.u32(static_cast<uint32_t>(fields.size()));
    for (const auto& f : fields) {
      w_.str(f.column);
      w_.u8(static_cast<uint8_t>(f.kind));
      w_.f64(f.number);
      w_.str(f.text);
      w_.flag(f.flag);
    }
  }

  void test(const TestCase& t) {
    w_.str(t.name);
    w_.range(t.range);
    w_.i64(t.line);
    w_.str(t.as_of);
    test_fields(t.lead);
    w_.u32(static_cast<uint32_t>(t.events.size()));
    for (const auto& e : t.events) {
      test_fields(e.fields);
      w_.f64(e.seconds_ago);
    }
    w_.u32(static_cast<uint32_t>(t.expects.size()));
    for (const auto& e : t.expects) {
      w_.u8(static_cast<uint8_t>(e.kind));
      w_.i64(e.index);
      w_.flag(e.negated);
      w_.f64(e.number);
      w_.str(e.text);
      w_.str(e.source);
      w_.i64(e.line);
    }
  }

  const CheckedModel& m_;
  const source::SourceManager& sm_;
  Writer w_;
  std::unordered_map<const Node*, int64_t> nodes_;
  std::unordered_map<const EventQuery*, int64_t> queries_;
  std::unordered_map<const EnumType*, int64_t> enums_;
  std::unordered_map<const HostFunction*, int64_t> hosts_;
  std::vector<const HostFunction*> host_order_;
};

// How many operands an operation takes (Call: its function's), and whether it reads a query.
struct Shape {
  int kids;
  bool query;
};

Shape shape(const Node& n) {
  switch (n.op) {
    case Op::Literal:
    case Op::LeadField:
    case Op::EventField:
    case Op::ScoreRef:
    case Op::TotalRef: return {0, false};
    case Op::CountEvents:
    case Op::SumEvents:
    case Op::DaysSinceLast:
    case Op::AnyEvents: return {0, true};
    case Op::Neg:
    case Op::EmailDomain:
    case Op::DaysSinceTime:
    case Op::Not:
    case Op::IsMissing:
    case Op::InSet:
    case Op::InPages:
    case Op::Matches:
    case Op::TimeWithin:
    case Op::Truthy:
    case Op::Define: return {1, false};
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::And:
    case Op::Or:
    case Op::Compare:
    case Op::Contains:
    case Op::StartsWith:
    case Op::EndsWith: return {2, false};
    case Op::Between: return {3, false};
    case Op::Call: return {-1, false};  // its function's arity, checked by the caller
  }
  return {-2, false};
}

constexpr int kBuiltinArity[] = {
#define BUILTIN(id, name, result, family, arity, arg) arity,
#include "common/builtins.def"
#undef BUILTIN
};
constexpr int kBuiltins = sizeof kBuiltinArity / sizeof kBuiltinArity[0];
constexpr uint8_t kOps = 0
#define OP(name, doc) +1
#include "common/ops.def"
#undef OP
    ;

class In {
 public:
  In(std::string_view bytes, std::shared_ptr<const HostFunctions> hosts) : r_(bytes), hosts_(std::move(hosts)) {}

  Deserialized run() {
    Deserialized out;
    if (!r_.starts_with(kMagic)) Reader::fail("this is not a serialised Rubric model");
    if (uint32_t v = r_.u32(); v != kModelFormat)
      Reader::fail(fmt::format("the model is in format {}, and this Rubric reads format {}", v, kModelFormat));
    auto sources = std::make_shared<source::SourceManager>();
    size_t files = r_.count(8);
    for (size_t f = 0; f < files; ++f) {
      std::string name = r_.str();
      sources->add(std::move(name), r_.str());
    }
    auto m = std::make_shared<CheckedModel>();
    m_ = m.get();
    files_ = files;
    m->name = r_.str();
    size_t enums = r_.count(8);
    for (size_t e = 0; e < enums; ++e) {
      EnumType& t = m->enums.emplace_back();
      t.field = r_.str();
      t.values = r_.strs();
      size_t raws = r_.count(5);
      for (size_t i = 0; i < raws; ++i) {
        bool has = r_.flag();
        std::string s = r_.str();
        t.raw.push_back(has ? std::optional<std::string>(std::move(s)) : std::nullopt);
      }
      t.fallback = r_.index();
      if (t.raw.size() != t.values.size() || t.fallback < -1 || t.fallback >= static_cast<int>(t.values.size()))
        Reader::fail("an enum's values do not agree");
    }
    schema(m->lead);
    schema(m->event);
    m->has_events = r_.flag();
    m->key_field = field_index(m->lead, true);
    m->event_kind_field = field_index(m->event, true);
    m->event_time_field = field_index(m->event, true);
    m->missing_values = r_.strs();
    m->event_key_column = r_.str();
    hosts();
    size_t nodes = r_.count(40);
    for (size_t i = 0; i < nodes; ++i) m->nodes.emplace_back();
    for (Node& n : m->nodes) node(n);
    size_t queries = r_.count(16);
    for (size_t i = 0; i < queries; ++i) m->queries.emplace_back();
    for (EventQuery& q : m->queries) {
      q.filter = node_ref(false);
      q.window_seconds = r_.f64();
    }
    for (auto& [n, q] : pending_queries_) n->query = query_ref(q, false);
    size_t scores = r_.count(8);
    for (size_t i = 0; i < scores; ++i) score(m->scores.emplace_back());
    m->total = node_ref(true);
    size_t sets = r_.count(8);
    for (size_t i = 0; i < sets; ++i) {
      TierSet& t = m->tier_sets.emplace_back();
      t.name = r_.str();
      size_t tiers = r_.count(8);
      for (size_t k = 0; k < tiers; ++k) {
        Tier& x = t.tiers.emplace_back();
        x.name = r_.str();
        x.range = r_.range();
        x.cond = node_ref(true);
      }
    }
    size_t disq = r_.count(8);
    for (size_t i = 0; i < disq; ++i) {
      Disqualifier& d = m->disqualifiers.emplace_back();
      d.reason = r_.str();
      d.range = r_.range();
      d.cond = node_ref(false);
      d.line = r_.index();
    }
    size_t tests = r_.count(8);
    for (size_t i = 0; i < tests; ++i) test(m->tests.emplace_back());
    size_t defines = r_.count(8);
    for (size_t i = 0; i < defines; ++i) m->defines.push_back(node_ref(false));
    m->define_names = r_.strs();
    if (!r_.done()) Reader::fail("there are bytes after the model");
    validate();
    out.model = std::move(m);
    out.sources = std::move(sources);
    return out;
  }

 private:
  Type type() {
    Type t;
    uint8_t k = r_.u8();
    if (k > kLastType) Reader::fail("a type of an unknown kind");
    t.kind = static_cast<TypeKind>(k);
    int64_t e = r_.i64();
    if (e < -1 || e >= static_cast<int64_t>(m_->enums.size())) Reader::fail("a type names an enum that does not exist");
    t.enum_type = e < 0 ? nullptr : &m_->enums[static_cast<size_t>(e)];
    uint8_t el = r_.u8();
    if (el > kLastType) Reader::fail("a set of an unknown type");
    t.elem = static_cast<TypeKind>(el);
    return t;
  }

  source::SourceRange range() {
    source::SourceRange r = r_.range();
    if (r.file > files_) Reader::fail("a location in a file the model does not have");
    return r;
  }

  void schema(Schema& s) {
    size_t n = r_.count(8);
    for (size_t i = 0; i < n; ++i) {
      Field& f = s.fields.emplace_back();
      f.name = r_.str();
      f.column = r_.str();
      f.type = type();
      f.optional = r_.flag();
      f.missing = r_.strs();
      f.unit_seconds = r_.f64();
      f.epoch = r_.flag();
      f.decimal_comma = r_.flag();
      f.raw = r_.flag();
      f.range = range();
    }
  }

  int field_index(const Schema& s, bool may_be_none) {
    int64_t i = r_.i64();
    if (i < (may_be_none ? -1 : 0) || i >= static_cast<int64_t>(s.fields.size())) Reader::fail("a field that does not exist");
    return static_cast<int>(i);
  }

  void hosts() {
    size_t n = r_.count(9);
    for (size_t i = 0; i < n; ++i) {
      std::string name = r_.str();
      std::vector<TypeKind> args(r_.count(1));
      for (auto& a : args) {
        uint8_t k = r_.u8();
        if (k > kLastType) Reader::fail("a function argument of an unknown type");
        a = static_cast<TypeKind>(k);
      }
      uint8_t result = r_.u8();
      const HostFunction* found = nullptr;
      if (hosts_)
        for (const HostFunction& h : *hosts_)
          if (h.name == name) found = &h;
      if (!found)
        Reader::fail(fmt::format("the model calls `{}`, a function of the program that this program has not registered", name));
      if (found->args != args || static_cast<uint8_t>(found->result) != result)
        Reader::fail(fmt::format("the model calls `{}` with other types than this program registered", name));
      host_index_.push_back(found);
    }
    if (n) m_->host_functions = hosts_;
  }

  const Node* node_ref(bool may_be_null) {
    int64_t i = r_.i64();
    if (i == -1 && may_be_null) return nullptr;
    if (i < 0 || i >= static_cast<int64_t>(m_->nodes.size())) Reader::fail("a reference to a node that does not exist");
    return &m_->nodes[static_cast<size_t>(i)];
  }

  const EventQuery* query_ref(int64_t i, bool may_be_null) {
    if (i == -1 && may_be_null) return nullptr;
    if (i < 0 || i >= static_cast<int64_t>(m_->queries.size())) Reader::fail("a reference to a query that does not exist");
    return &m_->queries[static_cast<size_t>(i)];
  }

  void node(Node& n) {
    uint8_t op = r_.u8();
    if (op >= kOps) Reader::fail("an operation of an unknown kind");
    n.op = static_cast<Op>(op);
    n.type = type();
    n.range = range();
    size_t kids = r_.count(8);
    for (size_t i = 0; i < kids; ++i) n.kids.push_back(node_ref(false));
    n.lit = r_.value();
    n.slot = r_.index();
    int64_t host = r_.i64();
    if (host < -1 || host >= static_cast<int64_t>(host_index_.size())) Reader::fail("a call of a function that does not exist");
    n.host = host < 0 ? nullptr : host_index_[static_cast<size_t>(host)];
    uint8_t cmp = r_.u8();
    if (cmp > static_cast<uint8_t>(Cmp::Ge)) Reader::fail("a comparison of an unknown kind");
    n.cmp = static_cast<Cmp>(cmp);
    n.negated = r_.flag();
    n.exact_case = r_.flag();
    int64_t q = r_.i64();
    if (q != -1) pending_queries_.push_back({&n, q});
    n.freq_lo = r_.i64();
    n.freq_hi = r_.i64();
    n.span_seconds = r_.f64();
    size_t set = r_.count(22);
    for (size_t i = 0; i < set; ++i) n.set.push_back(r_.value());
    for (std::string& s : r_.strs()) n.string_set.insert(std::move(s));
    n.patterns = r_.strs();
    bool has_regex = r_.flag();
    std::string pattern = r_.str();
    bool case_sensitive = r_.flag();
    if (has_regex) {
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_case_sensitive(case_sensitive);
      auto re = std::make_shared<const RE2>(pattern, opts);
      if (!re->ok()) Reader::fail("a regular expression that does not compile");
      n.regex = std::move(re);
    }
  }

  void score(Score& s) {
    s.name = r_.str();
    s.range = range();
    size_t rules = r_.count(8);
    for (size_t i = 0; i < rules; ++i) {
      Rule& x = s.rules.emplace_back();
      x.label = r_.str();
      x.text = r_.str();
      x.range = range();
      x.points_range = range();
      x.line = r_.index();
      x.points = r_.f64();
      x.each = r_.flag();
      bool capped = r_.flag();
      double cap = r_.f64();
      if (capped) x.cap = cap;
      x.cond = node_ref(true);
      x.query = query_ref(r_.i64(), true);
      x.freq_lo = r_.i64();
      x.freq_hi = r_.i64();
      if (x.each ? !x.query : !x.cond) Reader::fail("a rule without its condition or behaviour");
    }
    bool ceiling = r_.flag();
    double c = r_.f64();
    if (ceiling) s.ceiling = c;
    bool floor = r_.flag();
    double f = r_.f64();
    if (floor) s.floor = f;
    uint8_t decay = r_.u8();
    if (decay > static_cast<uint8_t>(Decay::Kind::Linear)) Reader::fail("a decay of an unknown kind");
    s.decay.kind = static_cast<Decay::Kind>(decay);
    s.decay.period_seconds = r_.f64();
    s.decay.fraction = r_.f64();
  }

  void test_fields(std::vector<TestCase::Field>& fields) {
    size_t n = r_.count(8);
    for (size_t i = 0; i < n; ++i) {
      TestCase::Field& f = fields.emplace_back();
      f.column = r_.str();
      uint8_t kind = r_.u8();
      if (kind > static_cast<uint8_t>(Value::Kind::Enum)) Reader::fail("a test value of an unknown kind");
      f.kind = static_cast<Value::Kind>(kind);
      f.number = r_.f64();
      f.text = r_.str();
      f.flag = r_.flag();
    }
  }

  void test(TestCase& t) {
    t.name = r_.str();
    t.range = range();
    t.line = r_.index();
    t.as_of = r_.str();
    test_fields(t.lead);
    size_t events = r_.count(8);
    for (size_t i = 0; i < events; ++i) {
      TestCase::GivenEvent& e = t.events.emplace_back();
      test_fields(e.fields);
      e.seconds_ago = r_.f64();
    }
    size_t expects = r_.count(8);
    for (size_t i = 0; i < expects; ++i) {
      TestCase::Expect& e = t.expects.emplace_back();
      uint8_t kind = r_.u8();
      if (kind > static_cast<uint8_t>(TestCase::Expect::Kind::Fired)) Reader::fail("a test expectation of an unknown kind");
      e.kind = static_cast<TestCase::Expect::Kind>(kind);
      e.index = r_.index();
      e.negated = r_.flag();
      e.number = r_.f64();
      e.text = r_.str();
      e.source = r_.str();
      e.line = r_.index();
      bool scores = e.kind == TestCase::Expect::Kind::Score, tiers = e.kind == TestCase::Expect::Kind::Tier;
      size_t limit = scores ? m_->scores.size() : tiers ? m_->tier_sets.size() : 0;
      if ((scores || tiers) && (e.index < 0 || static_cast<size_t>(e.index) >= limit))
        Reader::fail("a test expects a score or tiers that do not exist");
    }
  }

  // The checker lets a condition nest 128 levels (defines included); later phases recurse that
  // deep, so a read model may nest no deeper than this generous bound.
  static constexpr size_t kMaxDepth = 2000;

  // No node is its own operand, however indirectly: a depth-first walk without recursion.
  void acyclic(const std::unordered_map<const Node*, size_t>& index) {
    enum : uint8_t { kNew, kOnPath, kDone };
    std::vector<uint8_t> state(index.size(), kNew);
    std::vector<std::pair<const Node*, size_t>> path;
    for (const Node& root : m_->nodes) {
      if (state[index.at(&root)] != kNew) continue;
      path.push_back({&root, 0});
      state[index.at(&root)] = kOnPath;
      while (!path.empty()) {
        auto& [n, next] = path.back();
        if (next == n->kids.size()) {
          state[index.at(n)] = kDone;
          path.pop_back();
          continue;
        }
        const Node* k = n->kids[next++];
        uint8_t& s = state[index.at(k)];
        if (s == kOnPath) Reader::fail("a node that is its own operand");
        if (path.size() > kMaxDepth) Reader::fail("conditions nested deeper than any model the checker accepts");
        if (s == kNew) {
          s = kOnPath;
          path.push_back({k, 0});
        }
      }
    }
  }

  // Fields: a value's type, enums with their values; events with their kind and time.
  void fields() {
    const CheckedModel& m = *m_;
    for (const Schema* s : {&m.lead, &m.event})
      for (const Field& f : s->fields) {
        switch (f.type.kind) {
          case TypeKind::Bool:
          case TypeKind::Int:
          case TypeKind::Number:
          case TypeKind::String:
          case TypeKind::Time:
          case TypeKind::Duration: break;
          case TypeKind::Enum:
            if (!f.type.enum_type) Reader::fail("an enum field without its values");
            break;
          case TypeKind::Error:
          case TypeKind::Set:
          case TypeKind::Pages: Reader::fail("a field of a type no field has");
        }
        if (!(f.unit_seconds > 0) || !std::isfinite(f.unit_seconds)) Reader::fail("a field with a bad unit");
      }
    if (m.has_events) {
      if (m.event_time_field < 0 || !m.event.fields[m.event_time_field].type.is(TypeKind::Time) || m.event_kind_field < 0 ||
          !m.event.fields[m.event_kind_field].type.is(TypeKind::Enum))
        Reader::fail("events without their time and kind fields");
    }
  }

  // Defines: entry i is the Define node of slot i, every Define node is its slot's entry, and a
  // define's condition uses only earlier defines (so none uses itself, however indirectly).
  // Scores and the total are read only where they are known: the total, tiers, disqualifiers.
  void defines_and_scores() {
    const CheckedModel& m = *m_;
    for (size_t i = 0; i < m.defines.size(); ++i)
      if (m.defines[i]->op != Op::Define || m.defines[i]->slot != static_cast<int>(i)) Reader::fail("a define out of place");
    for (const Node& n : m.nodes)
      if (n.op == Op::Define && m.defines[static_cast<size_t>(n.slot)] != &n) Reader::fail("two defines in one place");
    // Walks `root` without entering other defines; `visit` sees every node reached.
    auto walk = [&](const Node* root, auto visit) {
      std::vector<const Node*> todo{root};
      std::unordered_set<const Node*> seen;
      while (!todo.empty()) {
        const Node* n = todo.back();
        todo.pop_back();
        if (!seen.insert(n).second) continue;
        visit(n);
        if (n->op == Op::Define && n != root) continue;
        for (const Node* k : n->kids) todo.push_back(k);
      }
    };
    for (size_t i = 0; i < m.defines.size(); ++i)
      walk(m.defines[i], [&](const Node* n) {
        if (n->op == Op::Define && n->slot >= static_cast<int>(i) && n != m.defines[i]) Reader::fail("a define that uses a later one, or itself");
      });
    auto no_scores = [&](const Node* n) {
      if (n->op == Op::ScoreRef || n->op == Op::TotalRef) Reader::fail("a score read where scores are not known yet");
    };
    for (const Score& s : m.scores)
      for (const Rule& r : s.rules)
        if (r.cond) walk(r.cond, no_scores);
    for (const Node* d : m.defines) walk(d, no_scores);
    for (const EventQuery& q : m.queries) walk(q.filter, no_scores);
  }

  // What the back ends rely on: each node has the operands and references its operation reads,
  // and nothing is its own operand.
  void validate() {
    const CheckedModel& m = *m_;
    std::unordered_map<const Node*, size_t> index;
    size_t i = 0;
    for (const Node& n : m.nodes) index[&n] = i++;
    i = 0;
    for (const Node& n : m.nodes) {
      Shape s = shape(n);
      int want = s.kids;
      if (n.op == Op::Call) {
        if (n.host) want = static_cast<int>(n.host->args.size());
        else if (n.slot >= 0 && n.slot < kBuiltins) want = kBuiltinArity[n.slot];
        else Reader::fail("a call of a built-in function that does not exist");
        if (want > static_cast<int>(kMaxHostArgs)) Reader::fail("a call with too many arguments");
      }
      if (static_cast<int>(n.kids.size()) != want) Reader::fail(fmt::format("a `{}` with {} operands", op_name(n.op), n.kids.size()));
      if (s.query != (n.query != nullptr)) Reader::fail(fmt::format("a `{}` without its behaviour", op_name(n.op)));
      auto slot_below = [&](size_t limit) {
        if (n.slot < 0 || static_cast<size_t>(n.slot) >= limit) Reader::fail(fmt::format("a `{}` of something that does not exist", op_name(n.op)));
      };
      if (n.op == Op::LeadField) slot_below(m.lead.fields.size());
      if (n.op == Op::EventField || n.op == Op::SumEvents) slot_below(m.event.fields.size());
      if (n.op == Op::ScoreRef) slot_below(m.scores.size());
      if (n.op == Op::Define) slot_below(m.defines.size());
      if (n.op == Op::Matches && !n.regex) Reader::fail("a `matches` without its regular expression");
      ++i;
    }
    acyclic(index);
    fields();
    defines_and_scores();
  }

  Reader r_;
  std::shared_ptr<const HostFunctions> hosts_;
  CheckedModel* m_ = nullptr;
  size_t files_ = 0;
  std::vector<const HostFunction*> host_index_;
  std::vector<std::pair<Node*, int64_t>> pending_queries_;
};

}  // namespace

std::string serialize(const CheckedModel& m, const source::SourceManager& sources) { return Out(m, sources).run(); }

Deserialized deserialize(std::string_view bytes, std::shared_ptr<const HostFunctions> host_functions) {
  try {
    return In(bytes, std::move(host_functions)).run();
  } catch (const std::exception& e) {
    Deserialized out;
    out.error = e.what();
    return out;
  }
}

}  // namespace rubric::check
