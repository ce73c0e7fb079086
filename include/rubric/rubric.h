// SPDX-License-Identifier: Apache-2.0
/* Rubric's C API: compile a model, score JSON records, read results and diagnostics.
 * Opaque handles; every call returns a status and never lets an exception out. Strings the
 * library returns through `char**` are the caller's to free with rubric_string_free; strings
 * returned as `const char*` belong to their handle and live as long as it does. A model handle
 * may be used from many threads at once; a result handle from one thread at a time. */
#ifndef RUBRIC_H
#define RUBRIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RUBRIC_OK = 0,
  RUBRIC_COMPILE_ERROR = 1, /* the model has errors: see the diagnostics text */
  RUBRIC_BAD_RECORD = 2,    /* the record could not be read: see rubric_result_error */
  RUBRIC_BAD_ARGUMENT = 3,  /* a null pointer, an unknown backend, a time that is not ISO 8601 */
  RUBRIC_INTERNAL = 4,
  RUBRIC_CANNOT_RUN = 5     /* a file could not be read or written: see the summary's "error" */
} rubric_status;

/* RUBRIC_BACKEND_NATIVE (a model `rubric build` compiled, chosen by loading one) is only ever
 * reported by rubric_model_scoring_backend; compiling with it is RUBRIC_BAD_ARGUMENT. */
typedef enum {
  RUBRIC_BACKEND_AUTO = 0,
  RUBRIC_BACKEND_INTERP = 1,
  RUBRIC_BACKEND_BATCH = 2,
  RUBRIC_BACKEND_JIT = 3,
  RUBRIC_BACKEND_NATIVE = 4
} rubric_backend;

typedef struct rubric_model rubric_model;
typedef struct rubric_result rubric_result;

/* Compiles model text. On success *model is set, on failure it is NULL; `diagnostics` (may be NULL) receives every
 * message, rendered like `rubric check` (empty when clean). */
rubric_status rubric_compile(const char* name, const char* text, rubric_backend backend, rubric_model** model,
                             char** diagnostics);
/* Compiles a .rubric file, or loads a shared object `rubric build MODEL -o model.so` made (its
 * compiled code scores unless `backend` names an interpreter; the shared object must come from
 * this build of Rubric, or RUBRIC_COMPILE_ERROR and the diagnostics say so). */
rubric_status rubric_compile_file(const char* path, rubric_backend backend, rubric_model** model, char** diagnostics);

/* An ahead-of-time model linked into the program: `rubric build MODEL -o model.o --name NAME`
 * makes an object exporting NAME; declare it with RUBRIC_LINKED_MODEL(NAME), link model.o and
 * pass &NAME here, with "NAME" (or any name) for messages. */
typedef struct rubric_linked_model rubric_linked_model;
#ifdef __cplusplus
#define RUBRIC_LINKED_MODEL(name) extern "C" const rubric_linked_model name
#else
#define RUBRIC_LINKED_MODEL(name) extern const rubric_linked_model name
#endif
rubric_status rubric_load_linked(const rubric_linked_model* linked, const char* name, rubric_model** model,
                                 char** diagnostics);
void rubric_model_free(rubric_model* model);
/* What scores the model's leads now (C++: Model::scoring_backend): with RUBRIC_BACKEND_AUTO,
 * RUBRIC_BACKEND_INTERP until the model has scored a large input, then RUBRIC_BACKEND_JIT once
 * its compile, on a thread of its own, is done. RUBRIC_BACKEND_AUTO for a NULL model. */
rubric_backend rubric_model_scoring_backend(const rubric_model* model);

/* Scores one JSON record at `as_of` (ISO 8601): one object, which may span lines (pretty-printed).
 * A record that cannot be read, or text after the object, still gives a result (with
 * RUBRIC_BAD_RECORD) whose error says why and where (line and column). */
rubric_status rubric_score_json(const rubric_model* model, const char* json, const char* as_of, int explain,
                                rubric_result** result);
/* Scores JSON Lines on `threads` threads; *output receives one JSON object per input line, in
 * order, as `rubric score --format jsonl` writes them. */
rubric_status rubric_score_jsonl(const rubric_model* model, const char* lines, const char* as_of, int threads,
                                 char** output);

/* Scores the file of leads `input` (CSV or JSON Lines, plain, gzip or zstd) into `output` as
 * `rubric score` does (CSV rows), joining the flat events file `events` (NULL: none) by key.
 * *summary (if not NULL) receives a JSON object: {"scored", "errors", "warnings", "events_read",
 * "events_joined", "orphan_events", "keyless_events", "messages", "error"}. Returns RUBRIC_OK,
 * RUBRIC_BAD_RECORD when some records (or event rows) could not be read (they got error rows),
 * or RUBRIC_CANNOT_RUN. */
rubric_status rubric_score_file(const rubric_model* model, const char* input, const char* events, const char* output,
                                const char* as_of, int threads, char** summary);

size_t rubric_result_score_count(const rubric_result* result);
const char* rubric_result_score_name(const rubric_result* result, size_t i);
double rubric_result_score(const rubric_result* result, size_t i);
double rubric_result_total(const rubric_result* result);
/* The tier chosen in the tier set `tier_set`, or NULL if the model has no such set. */
const char* rubric_result_tier(const rubric_result* result, const char* tier_set);
/* The disqualification reason, or "" when the lead is not disqualified. */
const char* rubric_result_disqualified(const rubric_result* result);
/* Why the record could not be read, or "". */
const char* rubric_result_error(const rubric_result* result);
/* The whole result as one JSON object (the caller frees it). */
char* rubric_result_json(const rubric_result* result);
void rubric_result_free(rubric_result* result);

void rubric_string_free(char* text);

#ifdef __cplusplus
}
#endif

#endif /* RUBRIC_H */
