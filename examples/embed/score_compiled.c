// SPDX-License-Identifier: Apache-2.0
/* A product that scores with a model compiled ahead of time and linked into the program: the
 * build runs `rubric build b2b.rubric -o b2b.o --name b2b` (CMake: rubric_add_model), and the
 * program links only librubric_runtime, so LLVM is neither linked nor loaded.
 * Usage: score_compiled LEADS.jsonl -> "N leads scored, M hot" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rubric/rubric.h"

RUBRIC_LINKED_MODEL(b2b);

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: score_compiled LEADS.jsonl\n");
    return 2;
  }
  rubric_model* model = NULL;
  char* diagnostics = NULL;
  if (rubric_load_linked(&b2b, "b2b", &model, &diagnostics) != RUBRIC_OK) {
    fprintf(stderr, "%s", diagnostics);  /* e.g. built by another version of Rubric */
    rubric_string_free(diagnostics);
    return 2;
  }
  rubric_string_free(diagnostics);
  FILE* in = fopen(argv[1], "r");
  if (!in) {
    fprintf(stderr, "cannot open %s\n", argv[1]);
    return 2;
  }
  int leads = 0, hot = 0;
  char* line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, in) > 0) {
    rubric_result* r = NULL;
    rubric_score_json(model, line, "2026-11-01", 0, &r);
    const char* tier = rubric_result_tier(r, "temperature");
    ++leads;
    hot += tier && strcmp(tier, "hot") == 0;
    rubric_result_free(r);
  }
  free(line);
  fclose(in);
  rubric_model_free(model);
  printf("%d leads scored, %d hot\n", leads, hot);
  return 0;
}
