// SPDX-License-Identifier: Apache-2.0
// The C++ embedding API (include/rubric/rubric.hpp) over the driver, the readers and the
// back ends.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "compiler/driver/driver.h"
#include "compiler/source/text.h"
#include "include/rubric/rubric.hpp"
#include "runtime/api/impl.h"
#include "runtime/interp/interp.h"
#include "runtime/io/events.h"
#include "runtime/io/input.h"
#include "runtime/io/limits.h"
#include "runtime/io/pipeline.h"
#include "runtime/io/writer.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"
#include "runtime/jit/jit.h"
#include "runtime/native/native.h"

namespace rubric {

namespace {

// An API diagnostic's id, from compiler/diag/diagnostics.def.
std::string api_id(diag::Kind k) { return std::string(diag::info(k).id); }

std::vector<Diagnostic> convert(const diag::DiagnosticList& list, const source::SourceManager& sm) {
  std::vector<Diagnostic> out;
  for (const diag::Diagnostic& d : list.items()) {
    Diagnostic x;
    const diag::KindInfo& k = diag::info(d.kind);
    x.id = std::string(k.id);
    x.severity = k.severity == diag::Severity::Error ? "error" : "warning";
    if (d.range.valid()) {
      const source::SourceFile& f = sm.file(d.range.file);
      source::LineCol lc = f.line_col(d.range.begin);
      x.file = f.name();
      x.line = lc.line;
      x.column = lc.column;
    }
    x.message = d.message;
    for (const diag::Note& n : d.notes) x.notes.push_back((n.type == diag::Note::Type::Help ? "help: " : "note: ") + n.text);
    out.push_back(std::move(x));
  }
  return out;
}

Result to_result(const check::CheckedModel& m, const io::InputRecord& rec, const interp::Outcome* o) {
  Result r;
  r.key = rec.key;
  if (!o) {
    for (const auto& e : rec.errors) r.error += (r.error.empty() ? "" : "; ") + e;
    return r;
  }
  for (size_t s = 0; s < m.scores.size(); ++s) r.scores.emplace_back(m.scores[s].name, double(o->scores[s]) / 100.0);
  r.total = double(o->total) / 100.0;
  for (size_t t = 0; t < m.tier_sets.size(); ++t)
    r.tiers.emplace_back(m.tier_sets[t].name, o->tiers[t] < 0 ? "disqualified" : m.tier_sets[t].tiers[o->tiers[t]].name);
  if (o->disqualifier >= 0) r.disqualified = m.disqualifiers[o->disqualifier].reason;
  for (const auto& h : o->hits) {
    const check::Rule& rule = m.scores[h.score].rules[h.rule];
    r.rules.push_back({m.scores[h.score].name, rule.label, double(h.cents) / 100.0, h.events, h.capped, h.decayed, rule.line});
  }
  return r;
}

}  // namespace

ModelBuilder& ModelBuilder::backend(Backend b) {
  backend_ = b;
  return *this;
}

ModelBuilder& ModelBuilder::cache_dir(std::string dir) {
  cache_dir_ = std::move(dir);
  return *this;
}

namespace {

// A compiled front end, and a scorer when one was loaded ahead of time, as a CompileResult.
CompileResult finish(driver::Compilation c, std::shared_ptr<const interp::Scorer> native, Backend backend,
                     const std::string& identity, const std::string& cache_dir) {
  CompileResult out;
  out.diagnostics = convert(c.diagnostics, *c.sources);
  out.text = diag::render_text(c.diagnostics, *c.sources, false);
  if (!c.ok()) return out;
  auto impl = std::make_unique<Model::Impl>();
  impl->model = c.model;
  jit::CompileOptions opts;
  // A model calling host functions is not cached: its compiled code is tied to these functions
  // (their types and the closures they hold), which the model text does not capture.
  bool host = c.model->host_functions && !c.model->host_functions->empty();
  opts.identity = host ? "" : identity;
  opts.cache_dir = cache_dir;
  jit::ScorerKind kind = backend == Backend::Jit           ? jit::ScorerKind::Jit
                         : backend == Backend::Batch       ? jit::ScorerKind::Batch
                         : backend == Backend::Interpreter ? jit::ScorerKind::Interpreter
                                                           : jit::ScorerKind::Interpreted;
  std::string err;
  impl->scorer = jit::make_scorer(c.model, kind, opts, &err, native);
  // What scores, as Model::backend() reports it.
  impl->backend = native && impl->scorer == native ? Backend::Native
                  : !err.empty()                       ? Backend::Interpreter
                  : backend == Backend::Native         ? Backend::Auto
                                                       : backend;
  if (!err.empty())
    out.diagnostics.push_back({api_id(diag::Kind::J0001), "warning", "", 0, 0, "the JIT failed, so the interpreter scores instead: " + err, {}});
#ifndef RUBRIC_RUNTIME_ONLY  // (librubric_runtime has no JIT to tier up to)
  impl->can_tier = impl->backend == Backend::Auto && kind == jit::ScorerKind::Interpreted &&
                   jit::over_compile_budget(*c.model).empty();
#endif
  impl->identity = opts.identity;
  impl->cache_dir = opts.cache_dir;
  for (const auto& s : c.model->scores) impl->score_names.push_back(s.name);
  for (const auto& t : c.model->tier_sets) impl->tier_set_names.push_back(t.name);
  if (c.model->key_field >= 0) impl->key_field = c.model->lead.fields[c.model->key_field].column;
  impl->event_key_field = c.model->event_key_column;
  out.model = std::make_shared<Model>(std::move(impl));
  return out;
}

// A compiled model that could not be loaded, as a CompileResult with one error.
CompileResult load_error(const std::string& file, const std::string& message) {
  CompileResult out;
  out.diagnostics.push_back({api_id(diag::Kind::E0000), "error", file, 0, 0, message, {}});
  out.text = message + "\n";
  return out;
}

CompileResult from_loaded(native::Loaded loaded, const std::string& file, Backend backend) {
  if (!loaded.scorer) return load_error(file, loaded.error);
  driver::Compilation c;
  c.model = std::move(loaded.model);
  c.sources = std::move(loaded.sources);
  std::string identity = c.sources->file(1).text();
  return finish(std::move(c), std::move(loaded.scorer), backend, identity, "");
}

}  // namespace

ModelBuilder& ModelBuilder::function(std::string name, std::vector<ValueType> args, ValueType result, Function fn) {
  functions_.push_back({std::move(name), std::move(args), result, std::move(fn)});
  return *this;
}

namespace {

check::TypeKind kind_of(ValueType t) {
  switch (t) {
    case ValueType::Bool: return check::TypeKind::Bool;
    case ValueType::Int: return check::TypeKind::Int;
    case ValueType::String: return check::TypeKind::String;
    case ValueType::Time: return check::TypeKind::Time;
    case ValueType::Number: break;
  }
  return check::TypeKind::Number;
}

// The API's times are seconds, Rubric's milliseconds.
using check::ms_from_seconds;
using check::seconds_from_ms;

// A host function as the checker and the back ends call it: converts the values, and turns a
// wrong type, a non-finite number or an exception into a missing value.
std::function<check::Value(const check::Value*, size_t)> adapt(const Function& fn, const std::vector<ValueType>& types,
                                                              ValueType result) {
  return [fn, types, result](const check::Value* args, size_t n) -> check::Value {
    std::vector<Value> in(n);
    for (size_t k = 0; k < n; ++k) {
      in[k].type = types[k];
      switch (types[k]) {
        case ValueType::Bool: in[k].b = args[k].b; break;
        case ValueType::Int: in[k].i = args[k].i; break;
        case ValueType::Time: in[k].i = seconds_from_ms(args[k].i); break;
        case ValueType::Number: in[k].d = args[k].as_double(); break;
        case ValueType::String: in[k].s = args[k].s; break;
      }
    }
    std::optional<Value> r;
    try {
      r = fn(in);
    } catch (...) {
      return check::Value::missing();
    }
    if (!r || r->type != result) return check::Value::missing();
    switch (result) {
      case ValueType::Bool: return check::Value::boolean(r->b);
      case ValueType::Int: return check::Value::integer(r->i);
      case ValueType::Time: return check::Value::time(ms_from_seconds(r->i));
      case ValueType::Number: return std::isfinite(r->d) ? check::Value::number(r->d) : check::Value::missing();
      case ValueType::String: return check::Value::string(std::move(r->s));
    }
    return check::Value::missing();
  };
}

}  // namespace

std::shared_ptr<const check::HostFunctions> ModelBuilder::host_functions(std::vector<std::string>& errors) const {
  if (functions_.empty()) return nullptr;
  auto out = std::make_shared<check::HostFunctions>();
  for (const FunctionDef& f : functions_) {
    std::string why = !text::is_identifier(f.name)          ? "is not a name (letters, digits and _)"
                      : check::is_builtin_function(f.name)  ? "is a built-in function's name"
                      : f.args.size() > check::kMaxHostArgs ? fmt::format("has {} arguments (at most {})", f.args.size(), check::kMaxHostArgs)
                      : !f.fn                               ? "has no implementation"
                                                            : "";
    for (const check::HostFunction& h : *out)
      if (why.empty() && h.name == f.name) why = "is registered twice";
    if (!why.empty()) {
      errors.push_back(fmt::format("the function `{}` cannot be registered: its name {}", f.name, why));
      continue;
    }
    check::HostFunction h{f.name, {}, kind_of(f.result), adapt(f.fn, f.args, f.result)};
    for (ValueType t : f.args) h.args.push_back(kind_of(t));
    out->push_back(std::move(h));
  }
  return out;
}

namespace {

CompileResult registration_errors(const std::vector<std::string>& errors) {
  CompileResult out;
  for (const std::string& e : errors) {
    out.diagnostics.push_back({api_id(diag::Kind::A0001), "error", "", 0, 0, e, {}});
    out.text += "error[" + api_id(diag::Kind::A0001) + "]: " + e + "\n";
  }
  return out;
}

}  // namespace

CompileResult ModelBuilder::build_source(std::string name, std::string text) const {
  std::vector<std::string> errors;
  auto functions = host_functions(errors);
  if (!errors.empty()) return registration_errors(errors);
#ifdef RUBRIC_RUNTIME_ONLY
  // librubric_runtime has no parser and no checker: it runs models `rubric build` compiled.
  (void)functions;
  (void)text;
  CompileResult out;
  std::string message = fmt::format("`{}` is a model's text, and this library (librubric_runtime) loads only models "
                                    "compiled by `rubric build`; compile it with `rubric build {} -o model.so`, or "
                                    "link librubric, which also reads models' text", name, name);
  out.diagnostics.push_back({api_id(diag::Kind::A0002), "error", name, 0, 0, message, {}});
  out.text = "error[" + api_id(diag::Kind::A0002) + "]: " + message + "\n";
  return out;
#else
  std::string identity = text;
  return finish(driver::compile_source(std::move(name), std::move(text), std::move(functions)), nullptr, backend_,
                identity, cache_dir_);
#endif
}

CompileResult ModelBuilder::build_file(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return load_error(path, "cannot open " + path);
  if (native::is_elf_file(path)) {
    std::vector<std::string> errors;
    auto functions = host_functions(errors);
    if (!errors.empty()) return registration_errors(errors);
    return from_loaded(native::load_shared_object(path, false, std::move(functions)), path, backend_);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return build_source(path, ss.str());
}

CompileResult ModelBuilder::build_linked(const rubric_linked_model* linked, const std::string& name) const {
  std::vector<std::string> errors;
  auto functions = host_functions(errors);
  if (!errors.empty()) return registration_errors(errors);
  return from_loaded(native::load_linked(reinterpret_cast<const RbModelInfo*>(linked), name, std::move(functions)), name,
                     backend_);
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

const std::vector<std::string>& Model::score_names() const { return impl_->score_names; }
const std::vector<std::string>& Model::tier_set_names() const { return impl_->tier_set_names; }
const std::string& Model::key_field() const { return impl_->key_field; }
const std::string& Model::event_key_field() const { return impl_->event_key_field; }
Backend Model::backend() const { return impl_->backend; }

Backend Model::scoring_backend() const {
  if (impl_->has_tiered.load(std::memory_order_acquire))
    return static_cast<const jit::TieredScorer&>(*impl_->tiered).compiled() ? Backend::Jit : Backend::Interpreter;
  return impl_->backend == Backend::Auto ? Backend::Interpreter : impl_->backend;
}

const interp::Scorer& Model::Impl::scorer_for(uint64_t bytes, bool csv) {
  if (has_tiered.load(std::memory_order_acquire)) return *tiered;
  if (!can_tier) return *scorer;
  // Counted in JSON Lines bytes: a CSV byte holds about as much scoring work as four.
  const uint64_t weight = jit::kTierUpBytesJsonl / jit::kTierUpBytesCsv;
  uint64_t add = csv ? (bytes > UINT64_MAX / weight ? UINT64_MAX : bytes * weight) : bytes;
  uint64_t before = input_seen.fetch_add(add, std::memory_order_relaxed);
  if (add < jit::kTierUpBytesJsonl && before + add < jit::kTierUpBytesJsonl && before + add >= before) return *scorer;
  if (tiering.exchange(true, std::memory_order_acq_rel)) return *scorer;  // another call makes it
  try {
    jit::CompileOptions opts;
    opts.identity = identity;
    opts.cache_dir = cache_dir;
    tiered = std::make_shared<jit::TieredScorer>(model, opts, scorer);
  } catch (const std::exception&) {  // out of memory, say: the interpreter scores on
    return *scorer;
  }
  has_tiered.store(true, std::memory_order_release);
  return *tiered;
}

int64_t Model::parse_time(std::string_view iso) {
  auto t = io::parse_time(iso);
  return t ? seconds_from_ms(*t) : -1;
}

AsOf::AsOf(int64_t seconds) : ms_(check::ms_from_seconds(seconds)) {}

AsOf AsOf::milliseconds(int64_t ms) {
  AsOf a;
  a.ms_ = check::ms_in_range(ms);
  return a;
}

int64_t AsOf::seconds() const { return check::seconds_from_ms(ms_); }

bool AsOf::parse(std::string_view iso, AsOf& out) {
  int64_t ms;
  if (!io::parse_time(iso, ms)) return false;
  out = AsOf::milliseconds(ms);
  return true;
}

Result Model::score_json(std::string_view json, AsOf as_of, bool explain) const {
  // One JSON document, which may be pretty-printed over many lines; anything after the object
  // (a second one, say) makes it a bad record rather than being dropped.
  if (json.compare(0, 3, "\xEF\xBB\xBF") == 0) json.remove_prefix(3);  // byte order mark
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    Result empty;
    empty.error = "no record: the text is blank";
    return empty;
  }
  try {
    io::RawRecord raw;
    raw.line = raw.number = 1;
    if (json.size() > io::kMaxRecordBytes)
      raw.error = fmt::format("the text is longer than the limit of {} ({} bytes) for one record", io::kMaxRecordText, io::kMaxRecordBytes);
    else raw.text = std::string(json);
    // A decoder per thread, kept for the last model it served: making one indexes the model's
    // keys and enum values and sets up a JSON parser, more than decoding one lead costs.
    struct Cached {
      std::weak_ptr<const check::CheckedModel> model;
      std::unique_ptr<io::RawDecoder> decoder;
    };
    thread_local Cached cached;
    if (cached.model.lock() != impl_->model) {
      cached.decoder = io::make_json_document_decoder(*impl_->model);
      cached.model = impl_->model;
    }
    io::InputRecord rec;
    cached.decoder->decode(raw, rec);
    if (!rec.ok()) return to_result(*impl_->model, rec, nullptr);
    interp::Outcome outcome;
    const interp::Record* one = &rec.record;
    impl_->scorer_for(json.size(), false).score_batch(&one, 1, as_of.ms(), explain, &outcome);
    return to_result(*impl_->model, rec, &outcome);
  } catch (const std::exception& e) {
    Result r;
    r.error = std::string("internal error: ") + e.what();
    return r;
  }
}

std::vector<Result> Model::score_jsonl(std::string_view lines, AsOf as_of, bool explain, int threads) const {
  std::vector<Result> out;
  try {
    std::istringstream in{std::string(lines)};
    std::string fatal;
    // Strict: a Result has no place for warnings, so a bad value stays an error the caller sees.
    io::ReaderOptions strict;
    strict.strict = true;
    auto reader = io::open_reader(in, *impl_->model, strict, fatal);
    std::vector<io::InputRecord> recs;
    io::InputRecord rec;
    while (reader->next(rec)) recs.push_back(rec);
    std::vector<const interp::Record*> good;
    std::vector<size_t> where;
    for (size_t i = 0; i < recs.size(); ++i)
      if (recs[i].ok()) {
        good.push_back(&recs[i].record);
        where.push_back(i);
      }
    std::vector<interp::Outcome> outcomes(good.size());
    const interp::Scorer& scorer = impl_->scorer_for(lines.size(), false);
    size_t parts = std::max<size_t>(1, std::min<size_t>(threads, good.size() / 64 + 1));
    std::vector<std::thread> workers;
    size_t per = (good.size() + parts - 1) / parts;
    const int64_t as_of_ms = as_of.ms();
    auto score_part = [&](size_t from, size_t len) {
      scorer.score_batch(good.data() + from, len, as_of_ms, explain, outcomes.data() + from);
    };
    if (parts == 1) {
      score_part(0, good.size());  // on this thread: starting one cost more than a few leads
    } else {
      for (size_t from = 0; from < good.size(); from += per) workers.emplace_back(score_part, from, std::min(per, good.size() - from));
      for (auto& w : workers) w.join();
    }
    std::vector<const interp::Outcome*> by_record(recs.size(), nullptr);
    for (size_t k = 0; k < where.size(); ++k) by_record[where[k]] = &outcomes[k];
    for (size_t i = 0; i < recs.size(); ++i) out.push_back(to_result(*impl_->model, recs[i], by_record[i]));
  } catch (const std::exception& e) {
    Result r;
    r.error = std::string("internal error: ") + e.what();
    out.assign(1, r);
  }
  return out;
}

FileStats Model::score_file(const FileJob& job) const {
  FileStats stats;
  try {
    io::ReaderOptions ropts;
    std::string error;
    if (!io::reader_options_for(job.input, "", "", ropts, error)) {
      stats.error = error;
      return stats;
    }
    ropts.strict = job.strict;
    io::Input input;
    if (!input.open(job.input, ropts, error)) {
      stats.error = error;
      return stats;
    }
    std::string fatal;
    io::WriterOptions wopts;
    std::shared_ptr<const check::CheckedModel> reading;  // with the kept columns
    if (!io::choose_columns(impl_->model, job.keep, job.columns, job.explain, wopts.columns, reading, fatal)) {
      stats.error = fatal;
      return stats;
    }
    auto reader = io::open_reader(input.stream(), *reading, ropts, fatal);
    if (!reader) {
      stats.error = fmt::format("{}: {}", job.input, fatal);
      return stats;
    }
    std::ostringstream messages;
    for (const std::string& w : reader->warnings()) messages << fmt::format("{}: warning: {}\n", job.input, w);
    std::shared_ptr<io::EventFile> events;
    if (!job.events.empty()) {
      io::EventsSpec spec;
      spec.path = job.events;
      spec.sorted = job.events_sorted;
      spec.strict = job.strict;
      spec.threads = std::max(1, job.threads);
      events = io::open_events(spec, impl_->model, error);
      if (!events) {
        stats.error = "events: " + error;
        return stats;
      }
      for (const std::string& w : io::warnings(*events)) messages << "warning: " << w << "\n";
      reader = io::join_events(std::move(reader), events);
    }
    std::ofstream out(job.output, std::ios::binary);
    if (!out) {
      stats.error = "cannot write " + job.output;
      return stats;
    }
    wopts.format = job.jsonl ? io::OutputFormat::Jsonl : io::OutputFormat::Csv;
    wopts.explain = job.explain;
    io::ResultWriter writer(out, *impl_->model, wopts);
    io::RunOptions opts;
    opts.as_of = job.as_of.ms();
    opts.explain = job.explain;
    opts.threads = std::max(1, job.threads);
    opts.input_name = job.input;
    // The whole input counts at once, weighed as the CLI weighs it.
    const bool csv = ropts.format == io::InputFormat::Csv;
    const uint64_t bytes = jit::input_weight(job.input, input.compression() != io::Compression::None, job.events, csv);
    const interp::Scorer& scorer = impl_->scorer_for(bytes, csv);
    io::RunStats run = io::run_scoring(*reader, scorer, writer, opts, messages);
    stats.scored = run.scored;
    stats.errors = run.errors;
    stats.warnings = run.warnings;
    if (events) {
      io::EventsSummary s = io::finish_events(*events);
      stats.events_read = s.rows;
      stats.events_joined = s.joined;
      stats.orphan_events = s.orphans;
      stats.keyless_events = s.unreadable;
      for (const std::string& m : s.messages) messages << "error: " << m << "\n";
      if (std::string d = io::describe(s, job.events); !d.empty()) messages << "warning: " << d << "\n";
    }
    stats.messages = messages.str();
    out.flush();
    if (input.stream().bad()) stats.error = fmt::format("reading {} failed part way ({}); the output is incomplete", job.input, input.error());
    else if (!out) stats.error = "writing " + job.output + " failed";
  } catch (const io::InputError& e) {
    stats.error = e.what();
  } catch (const std::exception& e) {
    stats.error = std::string("internal error: ") + e.what();
  }
  return stats;
}

LiveModel::LiveModel(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

void LiveModel::replace(std::shared_ptr<const Model> model) { model_.store(std::move(model)); }

std::shared_ptr<const Model> LiveModel::current() const { return model_.load(); }

Result LiveModel::score_json(std::string_view json, AsOf as_of, bool explain) const {
  std::shared_ptr<const Model> m = model_.load();  // one model for the whole call
  return m->score_json(json, as_of, explain);
}

}  // namespace rubric
