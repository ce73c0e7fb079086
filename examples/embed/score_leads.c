// SPDX-License-Identifier: Apache-2.0
/* The same through the installed C API: score one lead and print its total and temperature. */
#include <rubric/rubric.h>
#include <stdio.h>

int main(int argc, char** argv) {
  rubric_model* model = NULL;
  char* diagnostics = NULL;
  if (argc != 2 || rubric_compile_file(argv[1], RUBRIC_BACKEND_AUTO, &model, &diagnostics) != RUBRIC_OK) {
    fprintf(stderr, "%s", diagnostics ? diagnostics : "usage: score_leads_c MODEL\n");
    rubric_string_free(diagnostics);
    return 1;
  }
  rubric_string_free(diagnostics);
  rubric_result* r = NULL;
  rubric_score_json(model, "{\"id\": \"c1\", \"email\": \"ann@acme.io\", \"job_title\": \"VP Sales\", \"employees\": 900}",
                    "2026-11-01", 0, &r);
  printf("total %.2f, temperature %s\n", rubric_result_total(r), rubric_result_tier(r, "temperature"));
  rubric_result_free(r);
  rubric_model_free(model);
  return 0;
}
