// SPDX-License-Identifier: Apache-2.0
// The C API (include/rubric/rubric.h) over the C++ API: handles, status codes, no exceptions.
#include "include/rubric/rubric.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "compiler/source/text.h"
#include "include/rubric/rubric.hpp"
#include "runtime/io/decode.h"

struct rubric_model {
  std::shared_ptr<const rubric::Model> model;
};

struct rubric_result {
  rubric::Result result;
};

namespace {

char* copy(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

std::string points(double v) { return rubric::io::format_points(std::llround(v * 100.0)); }

std::string to_json(const rubric::Result& r) {
  std::string j = "{\"key\":" + rubric::text::json_string(r.key);
  if (!r.ok()) return j + ",\"error\":" + rubric::text::json_string(r.error) + "}";
  j += ",\"scores\":{";
  for (size_t i = 0; i < r.scores.size(); ++i)
    j += (i ? "," : "") + rubric::text::json_string(r.scores[i].first) + ":" + points(r.scores[i].second);
  j += "},\"total\":" + points(r.total) + ",\"tiers\":{";
  for (size_t i = 0; i < r.tiers.size(); ++i)
    j += (i ? "," : "") + rubric::text::json_string(r.tiers[i].first) + ":" + rubric::text::json_string(r.tiers[i].second);
  j += "},\"disqualified\":" + (r.disqualified.empty() ? std::string("null") : rubric::text::json_string(r.disqualified));
  j += ",\"rules\":[";
  for (size_t i = 0; i < r.rules.size(); ++i)
    j += (i ? "," : "") + std::string("{\"score\":") + rubric::text::json_string(r.rules[i].score) +
         ",\"rule\":" + rubric::text::json_string(r.rules[i].label) + ",\"points\":" + points(r.rules[i].points) + "}";
  return j + "]}";
}

rubric_status compile(rubric::CompileResult c, rubric_model** model, char** diagnostics) {
  if (diagnostics) *diagnostics = copy(c.text);
  if (!c.ok()) return RUBRIC_COMPILE_ERROR;
  *model = new rubric_model{c.model};
  return RUBRIC_OK;
}

bool backend_of(rubric_backend b, rubric::Backend& out) {
  switch (b) {
    case RUBRIC_BACKEND_AUTO: out = rubric::Backend::Auto; return true;
    case RUBRIC_BACKEND_INTERP: out = rubric::Backend::Interpreter; return true;
    case RUBRIC_BACKEND_BATCH: out = rubric::Backend::Batch; return true;
    case RUBRIC_BACKEND_JIT: out = rubric::Backend::Jit; return true;
    case RUBRIC_BACKEND_NATIVE: return false;  // chosen by loading a compiled model, not asked for
  }
  return false;
}

}  // namespace

extern "C" {

rubric_status rubric_compile(const char* name, const char* text, rubric_backend backend, rubric_model** model,
                             char** diagnostics) {
  if (model) *model = nullptr;  // a failure never leaves a stale model behind
  rubric::Backend b;
  if (!text || !model || !backend_of(backend, b)) return RUBRIC_BAD_ARGUMENT;
  try {
    return compile(rubric::ModelBuilder().backend(b).build_source(name ? name : "model.rubric", text), model, diagnostics);
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

rubric_status rubric_compile_file(const char* path, rubric_backend backend, rubric_model** model, char** diagnostics) {
  if (model) *model = nullptr;  // a failure never leaves a stale model behind
  rubric::Backend b;
  if (!path || !model || !backend_of(backend, b)) return RUBRIC_BAD_ARGUMENT;
  try {
    return compile(rubric::ModelBuilder().backend(b).build_file(path), model, diagnostics);
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

rubric_status rubric_load_linked(const rubric_linked_model* linked, const char* name, rubric_model** model,
                                 char** diagnostics) {
  if (model) *model = nullptr;
  if (!linked || !model) return RUBRIC_BAD_ARGUMENT;
  try {
    return compile(rubric::ModelBuilder().build_linked(linked, name ? name : "linked model"), model, diagnostics);
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

void rubric_model_free(rubric_model* model) { delete model; }

rubric_backend rubric_model_scoring_backend(const rubric_model* model) {
  if (!model) return RUBRIC_BACKEND_AUTO;
  switch (model->model->scoring_backend()) {
    case rubric::Backend::Auto: return RUBRIC_BACKEND_AUTO;
    case rubric::Backend::Interpreter: return RUBRIC_BACKEND_INTERP;
    case rubric::Backend::Batch: return RUBRIC_BACKEND_BATCH;
    case rubric::Backend::Jit: return RUBRIC_BACKEND_JIT;
    case rubric::Backend::Native: return RUBRIC_BACKEND_NATIVE;
  }
  return RUBRIC_BACKEND_AUTO;
}

rubric_status rubric_score_json(const rubric_model* model, const char* json, const char* as_of, int explain,
                                rubric_result** result) {
  if (!model || !json || !as_of || !result) return RUBRIC_BAD_ARGUMENT;
  rubric::AsOf t;  // to the millisecond
  if (!rubric::AsOf::parse(as_of, t)) return RUBRIC_BAD_ARGUMENT;
  try {
    *result = new rubric_result{model->model->score_json(json, t, explain != 0)};
    return (*result)->result.ok() ? RUBRIC_OK : RUBRIC_BAD_RECORD;
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

rubric_status rubric_score_jsonl(const rubric_model* model, const char* lines, const char* as_of, int threads,
                                 char** output) {
  if (!model || !lines || !as_of || !output || threads < 1) return RUBRIC_BAD_ARGUMENT;
  rubric::AsOf t;  // to the millisecond
  if (!rubric::AsOf::parse(as_of, t)) return RUBRIC_BAD_ARGUMENT;
  try {
    std::string out;
    for (const rubric::Result& r : model->model->score_jsonl(lines, t, false, threads)) out += to_json(r) + "\n";
    *output = copy(out);
    return RUBRIC_OK;
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

rubric_status rubric_score_file(const rubric_model* model, const char* input, const char* events, const char* output,
                                const char* as_of, int threads, char** summary) {
  if (!model || !input || !output || !as_of || threads < 1) return RUBRIC_BAD_ARGUMENT;
  rubric::AsOf t;  // to the millisecond
  if (!rubric::AsOf::parse(as_of, t)) return RUBRIC_BAD_ARGUMENT;
  try {
    rubric::FileJob job;
    job.input = input;
    job.events = events ? events : "";
    job.output = output;
    job.as_of = t;
    job.threads = threads;
    rubric::FileStats s = model->model->score_file(job);
    if (summary)
      *summary = copy(fmt::format(
          "{{\"scored\": {}, \"errors\": {}, \"warnings\": {}, \"events_read\": {}, \"events_joined\": {}, "
          "\"orphan_events\": {}, \"keyless_events\": {}, \"messages\": {}, \"error\": {}}}",
          s.scored, s.errors, s.warnings, s.events_read, s.events_joined, s.orphan_events, s.keyless_events,
          rubric::text::json_string(s.messages), s.ok() ? std::string("null") : rubric::text::json_string(s.error)));
    if (!s.ok()) return RUBRIC_CANNOT_RUN;
    return s.errors || s.keyless_events ? RUBRIC_BAD_RECORD : RUBRIC_OK;
  } catch (...) {
    return RUBRIC_INTERNAL;
  }
}

size_t rubric_result_score_count(const rubric_result* r) { return r ? r->result.scores.size() : 0; }
const char* rubric_result_score_name(const rubric_result* r, size_t i) {
  return r && i < r->result.scores.size() ? r->result.scores[i].first.c_str() : nullptr;
}
double rubric_result_score(const rubric_result* r, size_t i) {
  return r && i < r->result.scores.size() ? r->result.scores[i].second : 0;
}
double rubric_result_total(const rubric_result* r) { return r ? r->result.total : 0; }
const char* rubric_result_tier(const rubric_result* r, const char* tier_set) {
  if (!r || !tier_set) return nullptr;
  for (const auto& [set, tier] : r->result.tiers)
    if (set == tier_set) return tier.c_str();
  return nullptr;
}
const char* rubric_result_disqualified(const rubric_result* r) { return r ? r->result.disqualified.c_str() : ""; }
const char* rubric_result_error(const rubric_result* r) { return r ? r->result.error.c_str() : ""; }
char* rubric_result_json(const rubric_result* r) { return r ? copy(to_json(r->result)) : nullptr; }
void rubric_result_free(rubric_result* r) { delete r; }
void rubric_string_free(char* text) { std::free(text); }
}
