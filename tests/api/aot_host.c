// SPDX-License-Identifier: Apache-2.0
/* A product that scores with an ahead-of-time model and links only librubric_runtime (no
 * LLVM, no parser). Usage: aot_host MODEL LEADS.jsonl AS_OF [interp], where MODEL is a .so
 * from `rubric build` (loaded; with `interp`, its model read back and interpreted instead of
 * its code run), or `linked` for the model linked into this program (built with
 * -DRUBRIC_TEST_LINKED and `rubric build MODEL -o x.o --name linked_model`). A .rubric file is
 * refused by librubric_runtime (A0002).
 * Prints each lead's result, with its rules, as one JSON line; exit 0, or 2 and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rubric/rubric.h"

#ifdef RUBRIC_TEST_LINKED
RUBRIC_LINKED_MODEL(linked_model);
#endif

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && strcmp(argv[4], "interp") == 0)) {
    fprintf(stderr, "usage: aot_host MODEL|linked LEADS.jsonl AS_OF [interp]\n");
    return 2;
  }
  rubric_backend backend = argc == 5 ? RUBRIC_BACKEND_INTERP : RUBRIC_BACKEND_AUTO;
  rubric_model* model = NULL;
  char* diagnostics = NULL;
  rubric_status status;
  if (strcmp(argv[1], "linked") == 0) {
#ifdef RUBRIC_TEST_LINKED
    status = rubric_load_linked(&linked_model, "linked_model", &model, &diagnostics);
#else
    fprintf(stderr, "aot_host: built without a linked model\n");
    return 2;
#endif
  } else {
    status = rubric_compile_file(argv[1], backend, &model, &diagnostics);
  }
  if (status != RUBRIC_OK) {
    fprintf(stderr, "aot_host: %s", diagnostics ? diagnostics : "cannot load the model\n");
    rubric_string_free(diagnostics);
    return 2;
  }
  rubric_string_free(diagnostics);
  FILE* in = fopen(argv[2], "r");
  if (!in) {
    fprintf(stderr, "aot_host: cannot open %s\n", argv[2]);
    return 2;
  }
  char* line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, in) > 0) {
    rubric_result* result = NULL;
    if (rubric_score_json(model, line, argv[3], 1, &result) == RUBRIC_BAD_ARGUMENT) return 2;
    char* json = rubric_result_json(result);
    puts(json);
    rubric_string_free(json);
    rubric_result_free(result);
  }
  free(line);
  fclose(in);
  rubric_model_free(model);
  return 0;
}
