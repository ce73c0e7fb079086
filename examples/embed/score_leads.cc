// SPDX-License-Identifier: Apache-2.0
// Scores a JSON Lines file with a model through the installed C++ API and prints each lead's
// total and temperature:  score_leads MODEL LEADS.jsonl
#include <rubric/rubric.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: score_leads MODEL LEADS.jsonl\n";
    return 2;
  }
  rubric::CompileResult c = rubric::ModelBuilder().build_file(argv[1]);
  if (!c.ok()) {
    std::cerr << c.text;
    return 1;
  }
  std::ifstream in(argv[2]);
  std::stringstream leads;
  leads << in.rdbuf();
  int hot = 0, n = 0;
  for (const rubric::Result& r : c.model->score_jsonl(leads.str(), rubric::Model::parse_time("2026-11-01"), false, 2)) {
    ++n;
    for (const auto& [set, tier] : r.tiers)
      if (set == "temperature" && tier == "hot") ++hot;
  }
  std::cout << n << " leads scored, " << hot << " hot\n";
  return 0;
}
