// SPDX-License-Identifier: Apache-2.0
/* Drives the C API from C: compile (with an error, then clean), score one record and a batch,
 * read results, free everything. Prints "N passed, M failed". */
#include <stdio.h>
#include <string.h>

#include "rubric/rubric.h"

static int passed = 0, failed = 0;
#define CHECK(cond)                                               \
  do {                                                            \
    if (cond) {                                                   \
      ++passed;                                                   \
    } else {                                                      \
      ++failed;                                                   \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
    }                                                             \
  } while (0)

static const char* kModel =
    "lead:\n  id: string key\n  employees: optional int\n  title: optional string\n"
    "score fit, at most 50:\n  employees > 100: +30 \"big\"\n  title contains \"vp\": +15 \"vp\"\n"
    "disqualify:\n  title contains \"student\": \"student\"\n"
    "tiers temperature:\n  hot: fit >= 40\n  cold: otherwise\n";

int main(void) {
  rubric_model* model = NULL;
  char* diags = NULL;
  CHECK(rubric_compile("bad.rubric", "lead:\n  id: string key\nscore s:\n  idd is present: +1\n", RUBRIC_BACKEND_AUTO, &model,
                       &diags) == RUBRIC_COMPILE_ERROR);
  CHECK(model == NULL);
  CHECK(diags != NULL && strstr(diags, "bad.rubric:4:3: error[E0201]") != NULL);
  rubric_string_free(diags);

  CHECK(rubric_compile("fit.rubric", kModel, RUBRIC_BACKEND_NATIVE, &model, NULL) == RUBRIC_BAD_ARGUMENT);
  CHECK(rubric_model_scoring_backend(NULL) == RUBRIC_BACKEND_AUTO);
  for (int backend = RUBRIC_BACKEND_AUTO; backend <= RUBRIC_BACKEND_JIT; ++backend) {
    CHECK(rubric_compile("fit.rubric", kModel, (rubric_backend)backend, &model, NULL) == RUBRIC_OK);
    /* auto starts on the interpreter (it tiers up to the JIT only after a large input) */
    CHECK(rubric_model_scoring_backend(model) == (backend == RUBRIC_BACKEND_AUTO ? RUBRIC_BACKEND_INTERP : (rubric_backend)backend));
    rubric_result* r = NULL;
    CHECK(rubric_score_json(model, "{\"id\": \"a\", \"employees\": 500, \"title\": \"VP Sales\"}", "2026-11-01", 1, &r) ==
          RUBRIC_OK);
    CHECK(rubric_result_score_count(r) == 1);
    CHECK(strcmp(rubric_result_score_name(r, 0), "fit") == 0);
    CHECK(rubric_result_score(r, 0) == 45);
    CHECK(rubric_result_total(r) == 45);
    CHECK(strcmp(rubric_result_tier(r, "temperature"), "hot") == 0);
    CHECK(rubric_result_tier(r, "nope") == NULL);
    CHECK(strcmp(rubric_result_disqualified(r), "") == 0);
    char* json = rubric_result_json(r);
    CHECK(json != NULL && strstr(json, "\"rule\":\"big\",\"points\":30") != NULL);
    rubric_string_free(json);
    rubric_result_free(r);

    CHECK(rubric_score_json(model, "{\"employees\": \"many\"}", "2026-11-01", 0, &r) == RUBRIC_BAD_RECORD);
    CHECK(strstr(rubric_result_error(r), "employees") != NULL);
    rubric_result_free(r);

    /* A pretty-printed object is one record; a second object after it is never dropped silently. */
    CHECK(rubric_score_json(model, "{\n  \"id\": \"a\",\n  \"employees\": 500\n}\n", "2026-11-01", 0, &r) == RUBRIC_OK);
    CHECK(rubric_result_total(r) == 30);
    rubric_result_free(r);
    CHECK(rubric_score_json(model, "{\"id\": \"a\"}\n{\"id\": \"b\"}\n", "2026-11-01", 0, &r) == RUBRIC_BAD_RECORD);
    CHECK(strstr(rubric_result_error(r), "line 2, column 1: more than one JSON value") != NULL);
    rubric_result_free(r);

    char* out = NULL;
    CHECK(rubric_score_jsonl(model, "{\"id\": \"x\", \"title\": \"PhD student\"}\n\n{\"id\": \"y\", \"employees\": 200}\n",
                             "2026-11-01T00:00:00Z", 2, &out) == RUBRIC_OK);
    CHECK(out != NULL && strstr(out, "\"disqualified\":\"student\"") != NULL && strstr(out, "\"key\":\"y\"") != NULL);
    rubric_string_free(out);
    CHECK(rubric_score_json(model, "{}", "yesterday", 0, &r) == RUBRIC_BAD_ARGUMENT);
    rubric_model_free(model);
  }
  CHECK(rubric_compile(NULL, NULL, RUBRIC_BACKEND_AUTO, &model, NULL) == RUBRIC_BAD_ARGUMENT);

  /* as_of keeps its fraction of a second: an event half a second after midnight is after an
   * as-of of midnight (ignored) and not after one of 00:00:00.500 (counted); times before 1970 are times. */
  CHECK(rubric_compile("ms.rubric",
                       "lead:\n  id: string key\nevent:\n  kind: enum {visit}\n  timestamp: time\n"
                       "behaviour visited: kind is visit\nscore s:\n  visited within 1 days: +1 \"visited\"\n",
                       RUBRIC_BACKEND_AUTO, &model, NULL) == RUBRIC_OK);
  const char* lead = "{\"id\": \"a\", \"events\": [{\"kind\": \"visit\", \"timestamp\": \"2026-11-01T00:00:00.5Z\"}]}";
  rubric_result* r = NULL;
  CHECK(rubric_score_json(model, lead, "2026-11-01T00:00:00Z", 0, &r) == RUBRIC_OK && rubric_result_total(r) == 0);
  rubric_result_free(r);
  CHECK(rubric_score_json(model, lead, "2026-11-01T00:00:00.500Z", 0, &r) == RUBRIC_OK && rubric_result_total(r) == 1);
  rubric_result_free(r);
  CHECK(rubric_score_json(model, lead, "1969-12-31T23:59:59Z", 0, &r) == RUBRIC_OK && rubric_result_total(r) == 0);
  rubric_result_free(r);
  rubric_model_free(model);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
