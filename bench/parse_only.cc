// SPDX-License-Identifier: Apache-2.0
// The I/O ceiling for end-to-end scoring: reads a JSON Lines lead file with simdjson, or a
// CSV file, and extracts the fields a model reads without scoring anything.
//   rubric-parse-only FILE.jsonl | FILE.csv
#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <string>

namespace {

// The B2B model's lead fields and event fields.
const char* kLeadKeys[] = {"id", "email", "job_title", "employees", "industry", "country", "annual_revenue", "is_customer", "created_at"};
const char* kEventKeys[] = {"kind", "page", "timestamp", "seconds"};

uint64_t touch(simdjson::dom::element e) {
  std::string_view s;
  if (!e.get_string().get(s)) return s.size();
  double d;
  if (!e.get_double().get(d)) return static_cast<uint64_t>(d);
  return 1;
}

int jsonl(std::istream& in) {
  simdjson::dom::parser parser;
  std::string line;
  uint64_t sum = 0, leads = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size(), true).get(doc)) continue;
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) continue;
    for (const char* k : kLeadKeys) {
      simdjson::dom::element v;
      if (!obj.at_key(k).get(v)) sum += touch(v);
    }
    simdjson::dom::array events;
    if (!obj.at_key("events").get_array().get(events))
      for (simdjson::dom::element ev : events)
        for (const char* k : kEventKeys) {
          simdjson::dom::element v;
          if (!ev.at_key(k).get(v)) sum += touch(v);
        }
    ++leads;
  }
  std::cerr << fmt::format("{} leads parsed (checksum {})\n", leads, sum);
  return 0;
}

int csv(std::istream& in) {
  // RFC 4180 splitting into fields, as the CSV reader does, without decoding values.
  std::string buf(1 << 20, '\0');
  uint64_t fields = 0, rows = 0;
  bool quoted = false;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount()) {
    size_t n = static_cast<size_t>(in.gcount());
    for (size_t i = 0; i < n; ++i) {
      char c = buf[i];
      if (c == '"') quoted = !quoted;
      else if (!quoted && (c == ',' || c == ';')) ++fields;
      else if (!quoted && c == '\n') ++rows;
    }
  }
  std::cerr << fmt::format("{} rows split ({} delimiters)\n", rows, fields);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rubric-parse-only FILE.jsonl|FILE.csv\n";
    return 2;
  }
  std::string path = argv[1];
  std::ifstream in(path, std::ios::binary);
  if (!in) return 2;
  return path.size() > 4 && path.substr(path.size() - 4) == ".csv" ? csv(in) : jsonl(in);
}
