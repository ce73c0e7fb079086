// SPDX-License-Identifier: Apache-2.0
// rubric._rubric: the C++ embedding API (include/rubric/rubric.hpp) for Python, through
// pybind11. Takes leads as dicts or as a frame's columns, writes them as JSON Lines (to_json.h)
// and scores them chunk by chunk with the GIL released, the next chunk written while the last
// one scores; gives results as dicts or as columns. Evaluates a model against outcomes
// (runtime/eval, `rubric evaluate`). rubric/__init__.py is the Pythonic surface.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "include/rubric/rubric.hpp"
#include "python/src/to_json.h"
#include "runtime/api/impl.h"
#include "runtime/eval/evaluate.h"
#include "runtime/io/time.h"

namespace py = pybind11;

namespace {

using rubric::py::BadValue;

// Leads per chunk: bounds memory (one chunk's JSON text and results) whatever the input size.
constexpr size_t kChunk = 8192;

std::string describe(size_t index, const BadValue& e) {
  return "lead " + std::to_string(index) + (e.where.empty() ? "" : ", " + e.where) + ": " + e.what;
}

rubric::ValueType value_type(const std::string& t) {
  if (t == "bool") return rubric::ValueType::Bool;
  if (t == "int") return rubric::ValueType::Int;
  if (t == "number" || t == "float") return rubric::ValueType::Number;
  if (t == "string" || t == "str") return rubric::ValueType::String;
  if (t == "time") return rubric::ValueType::Time;
  throw py::value_error("`" + t + "` is not a type a host function can take or give (bool, int, number, string, time)");
}

py::object utc_datetime(int64_t seconds) {
  static py::object* from_ts = nullptr;
  static py::object* utc = nullptr;
  if (!from_ts) {
    py::module_ dt = py::module_::import("datetime");
    from_ts = new py::object(dt.attr("datetime").attr("fromtimestamp"));
    utc = new py::object(dt.attr("timezone").attr("utc"));
  }
  return (*from_ts)(seconds, *utc);
}

// A Python result as a Value of type `t`, or nullopt (missing) when it is not one.
std::optional<rubric::Value> from_python(py::handle r, rubric::ValueType t) {
  PyObject* o = r.ptr();
  if (o == Py_None) return std::nullopt;
  switch (t) {
    case rubric::ValueType::Bool:
      if (PyBool_Check(o)) return rubric::Value::boolean(o == Py_True);
      return std::nullopt;
    case rubric::ValueType::Int:
      if (PyLong_Check(o) && !PyBool_Check(o)) return rubric::Value::integer(r.cast<int64_t>());
      return std::nullopt;
    case rubric::ValueType::Number:
      if ((PyLong_Check(o) || PyFloat_Check(o)) && !PyBool_Check(o)) return rubric::Value::number(r.cast<double>());
      return std::nullopt;
    case rubric::ValueType::String:
      if (PyUnicode_Check(o)) return rubric::Value::text(r.cast<std::string>());
      return std::nullopt;
    case rubric::ValueType::Time:
      if (PyLong_Check(o) && !PyBool_Check(o)) return rubric::Value::time(r.cast<int64_t>());
      if (py::hasattr(r, "timestamp") && py::hasattr(r, "tzinfo")) {
        py::object d = py::reinterpret_borrow<py::object>(r);
        if (d.attr("tzinfo").is_none())  // a naive time is UTC, as in the readers
          d = d.attr("replace")(py::arg("tzinfo") = py::module_::import("datetime").attr("timezone").attr("utc"));
        return rubric::Value::time(static_cast<int64_t>(d.attr("timestamp")().cast<double>()));
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// A Python callable as a host function: it runs with the GIL held; an exception, None or a
// value of another type is a missing value. The callable is released with the GIL held.
rubric::Function host_function(py::function fn, std::vector<rubric::ValueType> types, rubric::ValueType result) {
  std::shared_ptr<py::object> held(new py::object(std::move(fn)), [](py::object* o) {
    if (!Py_IsInitialized()) return;  // at exit: leave it to the process
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [held, types, result](const std::vector<rubric::Value>& args) -> std::optional<rubric::Value> {
    py::gil_scoped_acquire gil;
    try {
      py::tuple in(args.size());
      for (size_t k = 0; k < args.size(); ++k) {
        const rubric::Value& a = args[k];
        switch (types[k]) {
          case rubric::ValueType::Bool: in[k] = py::bool_(a.b); break;
          case rubric::ValueType::Int: in[k] = py::int_(a.i); break;
          case rubric::ValueType::Number: in[k] = py::float_(a.d); break;
          case rubric::ValueType::String: in[k] = py::str(a.s); break;
          case rubric::ValueType::Time: in[k] = utc_datetime(a.i); break;
        }
      }
      return from_python((*held)(*in), result);
    } catch (py::error_already_set&) {
      return std::nullopt;  // the error was fetched into the exception, which drops it
    } catch (...) {
      return std::nullopt;
    }
  };
}

py::dict diagnostic_dict(const rubric::Diagnostic& d) {
  py::dict x;
  x["id"] = d.id;
  x["severity"] = d.severity;
  x["file"] = d.file;
  x["line"] = d.line;
  x["column"] = d.column;
  x["message"] = d.message;
  x["hints"] = d.notes;
  return x;
}

py::object or_none(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(py::str(s)); }

py::list rules_list(const rubric::Result& r) {
  py::list rules;
  for (const rubric::RuleResult& h : r.rules) {
    py::dict x;
    x["score"] = h.score;
    x["label"] = h.label;
    x["points"] = h.points;
    x["events"] = h.events;
    x["capped"] = h.capped;
    x["decayed"] = h.decayed;
    x["line"] = h.line;
    rules.append(x);
  }
  return rules;
}

py::dict result_dict(const rubric::Result& r, bool explain) {
  py::dict x, scores, tiers;
  x["key"] = r.key;
  for (const auto& [n, v] : r.scores) scores[py::str(n)] = v;
  x["scores"] = scores;
  x["total"] = r.ok() ? py::object(py::float_(r.total)) : py::object(py::none());
  for (const auto& [n, v] : r.tiers) tiers[py::str(n)] = v;
  x["tiers"] = tiers;
  x["disqualified"] = or_none(r.disqualified);
  x["error"] = or_none(r.error);
  if (explain) x["rules"] = rules_list(r);
  return x;
}

// Opens a JSON object in `text` with row `row` of `columns` under `keys` (the names as JSON); a
// value JSON cannot carry throws BadValue, its `where` naming the column.
void append_fields(std::string& text, const std::vector<std::string>& names, const std::vector<std::string>& keys,
                   const std::vector<py::list>& columns, size_t row) {
  text += '{';
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c) text += ',';
    text += keys[c];
    try {
      rubric::py::append_value(columns[c][row].ptr(), text);
    } catch (BadValue& e) {
      e.where = "column `" + names[c] + "`" + (e.where.empty() ? "" : ", " + e.where);
      throw;
    }
  }
}

struct PyModel {
  std::shared_ptr<const rubric::Model> model;

  // Writes chunks with `fill` (GIL held; returns false when there is no more) and scores each
  // while the next is written (on a thread of its own; input that fits one chunk is scored on
  // this thread, since starting a thread cost more than scoring a few leads); `take` gets each
  // chunk's results (GIL held), in order.
  void pipeline(int64_t as_of_ms, bool explain, int threads, const std::function<bool(std::string&)>& fill,
                const std::function<void(std::vector<rubric::Result>&)>& take) const {
    auto score = [m = model, as_of_ms, explain, threads](const std::string& text) {
      return m->score_jsonl(text, rubric::AsOf::milliseconds(as_of_ms), explain, threads);
    };
    auto start = [&](std::string text) {
      return std::async(std::launch::async, [score, text = std::move(text)] { return score(text); });
    };
    auto wait = [](std::future<std::vector<rubric::Result>>& f) {
      py::gil_scoped_release nogil;  // scoring (and host functions) may need the GIL meanwhile
      return f.get();
    };
    std::future<std::vector<rubric::Result>> running;
    bool more = true;
    while (more) {
      std::string text;
      try {
        more = fill(text);
      } catch (...) {
        if (running.valid()) wait(running);
        throw;
      }
      if (running.valid()) {
        std::vector<rubric::Result> done = wait(running);
        take(done);
      }
      if (text.empty()) continue;
      if (!more && !running.valid()) {  // all of it in one chunk: scored here, with no thread to start
        std::vector<rubric::Result> done;
        {
          py::gil_scoped_release nogil;
          done = score(text);
        }
        take(done);
      } else {
        running = start(std::move(text));
      }
    }
    if (running.valid()) {
      std::vector<rubric::Result> done = wait(running);
      take(done);
    }
  }

  py::dict score(py::handle lead, int64_t as_of_ms, bool explain) const {
    std::string text;
    try {
      rubric::py::append_lead(lead.ptr(), text);
    } catch (const BadValue& e) {
      throw py::type_error((e.where.empty() ? "" : e.where + ": ") + e.what);
    }
    rubric::Result r;
    {
      py::gil_scoped_release nogil;
      r = model->score_json(text, rubric::AsOf::milliseconds(as_of_ms), explain);
    }
    return result_dict(r, explain);
  }

  py::list score_many(py::iterable leads, int64_t as_of_ms, bool explain, int threads) const {
    py::list out;
    py::iterator it = py::iter(leads);
    size_t index = 0;
    pipeline(
        as_of_ms, explain, threads,
        [&](std::string& text) {
          for (size_t n = 0; n < kChunk; ++n, ++it, ++index) {
            if (it == py::iterator::sentinel()) return false;
            try {
              rubric::py::append_lead((*it).ptr(), text);
            } catch (const BadValue& e) {
              throw py::type_error(describe(index, e));
            }
          }
          return it != py::iterator::sentinel();
        },
        [&](std::vector<rubric::Result>& rs) {
          for (const rubric::Result& r : rs) out.append(result_dict(r, explain));
        });
    return out;
  }

  // Scores a frame given as columns (each a list of one value per row). `events_*`, when
  // given, are the columns of an events frame, joined to the leads on the key columns and
  // written as each lead's `events`. Returns the result columns as the CLI's JSON Lines has them,
  // and what became of the events (read, joined to leads, of no lead in the frame).
  py::tuple score_columns(std::vector<std::string> names, std::vector<py::list> columns, size_t rows, int64_t as_of_ms,
                         bool explain, int threads, std::vector<std::string> event_names,
                         std::vector<py::list> event_columns, int lead_key, int event_key) const {
    for (const py::list& c : columns)
      if (c.size() != rows) throw py::value_error("the columns differ in length");
    EventsOf events_of;
    std::vector<const EventsOf::value_type*> keys_in_order;  // each lead key of the events, first seen first
    if (event_key >= 0) {
      size_t n = event_columns.at(event_key).size();
      for (size_t i = 0; i < n; ++i) {
        auto [it, fresh] = events_of.try_emplace(rubric::py::key_text(event_columns[event_key][i].ptr()));
        if (fresh) keys_in_order.push_back(&*it);
        it->second.rows.push_back(i);
      }
    }
    std::vector<std::string> keys, event_keys;  // the names, as JSON, written once
    for (const std::string& n : names) keys.push_back(json_name(n));
    for (const std::string& n : event_names) event_keys.push_back(json_name(n));

    const auto& m = *model;
    std::string key_name = m.key_field().empty() ? "key" : m.key_field();
    std::vector<py::list> score_cols(m.score_names().size()), tier_cols(m.tier_set_names().size());
    py::list key_col, total_col, disq_col, error_col, rules_col;
    size_t row = 0, done = 0;
    // Rows holding a value Python cannot write as JSON (an int over 64 bits, a set, an object):
    // each becomes an error row saying which column, and the rest of the frame is scored.
    std::unordered_map<size_t, std::string> bad;
    int key_index = lead_key;  // the key column, for the key cell of those rows
    for (size_t c = 0; c < names.size() && key_index < 0; ++c)
      if (!m.key_field().empty() && names[c] == m.key_field()) key_index = static_cast<int>(c);
    pipeline(
        as_of_ms, explain, threads,
        [&](std::string& text) {
          for (size_t n = 0; n < kChunk && row < rows; ++n, ++row) {
            size_t start = text.size();
            // The lead's events: taken by it even when its row cannot be written (then it is an
            // error row, and its events are no orphans).
            Group* group = nullptr;
            if (event_key >= 0) {
              auto found = events_of.find(rubric::py::key_text(columns[lead_key][row].ptr()));
              if (found != events_of.end()) {
                group = &found->second;
                group->used = true;
              }
            }
            try {
              append_fields(text, names, keys, columns, row);
              if (event_key >= 0) append_events(text, group, event_keys, event_columns, event_key, columns.empty() ? 0 : 1, row);
              text += "}\n";
            } catch (BadValue& e) {
              text.resize(start);
              text += "{}\n";  // one record, so results stay in step; its error is replaced below
              bad[row] = describe(row, e);
            }
          }
          return row < rows;
        },
        [&](std::vector<rubric::Result>& results) {
          for (rubric::Result& r : results) {
            if (auto it = bad.find(done); it != bad.end()) {
              r = rubric::Result{};
              r.key = key_index >= 0 ? rubric::py::key_text(columns[key_index][done].ptr()) : std::to_string(done + 1);
              r.error = it->second;
            }
            ++done;
            key_col.append(r.key);
            for (size_t s = 0; s < score_cols.size(); ++s)
              score_cols[s].append(r.ok() ? py::object(py::float_(r.scores[s].second)) : py::object(py::none()));
            total_col.append(r.ok() ? py::object(py::float_(r.total)) : py::object(py::none()));
            for (size_t t = 0; t < tier_cols.size(); ++t)
              tier_cols[t].append(r.ok() ? py::object(py::str(r.tiers[t].second)) : py::object(py::none()));
            disq_col.append(or_none(r.disqualified));
            error_col.append(or_none(r.error));
            if (explain) rules_col.append(rules_list(r));
          }
        });
    py::dict out;  // in the CLI's column order
    out[py::str(key_name)] = key_col;
    for (size_t s = 0; s < score_cols.size(); ++s) out[py::str(m.score_names()[s])] = score_cols[s];
    out["total"] = total_col;
    for (size_t t = 0; t < tier_cols.size(); ++t) out[py::str(m.tier_set_names()[t])] = tier_cols[t];
    out["disqualified"] = disq_col;
    out["error"] = error_col;
    if (explain) out["rules"] = rules_col;
    // What became of the events, as `rubric score` counts them: none is dropped unsaid.
    py::dict summary;
    int64_t read = 0, joined = 0, orphans = 0, orphan_leads = 0;
    std::string first_orphan;
    for (const auto* key_group : keys_in_order) {  // in the events' order, for `first_orphan`
      const auto& [key, g] = *key_group;
      read += static_cast<int64_t>(g.rows.size());
      if (g.used) {
        joined += static_cast<int64_t>(g.rows.size());
      } else {
        orphans += static_cast<int64_t>(g.rows.size());
        if (orphan_leads++ == 0) first_orphan = key;
      }
    }
    summary["events_read"] = read;
    summary["events_joined"] = joined;
    summary["orphan_events"] = orphans;
    summary["orphan_leads"] = orphan_leads;
    summary["first_orphan"] = orphan_leads ? py::object(py::str(first_orphan)) : py::object(py::none());
    return py::make_tuple(out, summary);
  }

  // The rows of each lead's events in the events frame, by key; `used` once a lead took them.
  struct Group {
    std::vector<size_t> rows;
    bool used = false;
  };
  using EventsOf = std::unordered_map<std::string, Group>;

  static std::string json_name(const std::string& n) {
    std::string s;
    rubric::py::append_value(py::str(n).ptr(), s);
    return s + ':';
  }

  static void append_events(std::string& text, const Group* group,
                            const std::vector<std::string>& event_keys, const std::vector<py::list>& event_columns,
                            int event_key, size_t comma, size_t row) {
    if (comma) text += ',';
    text += "\"events\":[";
    if (group) {
      bool first_event = true;
      for (size_t e : group->rows) {
        if (!first_event) text += ',';
        first_event = false;
        text += '{';
        bool first = true;
        for (size_t c = 0; c < event_columns.size(); ++c) {
          if (int(c) == event_key) continue;
          if (!first) text += ',';
          first = false;
          text += event_keys[c];
          try {
            rubric::py::append_value(event_columns[c][e].ptr(), text);
          } catch (BadValue& err) {
            err.where = "event row " + std::to_string(e) + ", column " + event_keys[c].substr(0, event_keys[c].size() - 1) +
                        (err.where.empty() ? "" : ", " + err.where);
            throw py::type_error(describe(row, err));
          }
        }
        text += '}';
      }
    }
    text += ']';
  }
};

// Every `from` in `s` replaced by `to`.
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty() || from == to) return s;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// Writes a frame given as columns to `path` as JSON Lines, one object a row with every column
// (so a label column the model does not read is there too), for evaluate. A value JSON cannot
// carry raises TypeError naming the row and column.
void write_jsonl(const std::string& path, std::vector<std::string> names, std::vector<py::list> columns, size_t rows) {
  for (const py::list& c : columns)
    if (c.size() != rows) throw py::value_error("the columns differ in length");
  std::vector<std::string> keys;
  for (const std::string& n : names) keys.push_back(PyModel::json_name(n));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw py::value_error("cannot write " + path);
  std::string text;
  for (size_t row = 0; row < rows; ++row) {
    try {
      append_fields(text, names, keys, columns, row);
    } catch (BadValue& e) {
      throw py::type_error("row " + std::to_string(row) + ", " + e.where + ": " + e.what);
    }
    text += "}\n";
    if (text.size() > (1u << 20) || row + 1 == rows) {
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      text.clear();
    }
  }
  out.close();
  if (!out) throw py::value_error("writing " + path + " failed");
}

// `rubric evaluate` on the model Python compiled (the checked model behind it, host functions
// included), with the GIL released. Returns (the report as JSON text, as the CLI's text, the HTML
// report or None, the suggested model's text or None, the first record errors). `input_name`,
// when given, stands for `input` in what it says (a temporary file written from a frame).
// Raises ValueError when it cannot evaluate, with the reason.
py::tuple evaluate(const PyModel& self, const std::string& input, const std::string& input_format, const std::string& delimiter,
                   const std::string& events, const std::string& input_name, const std::string& label, const std::string& positive,
                   const std::vector<std::string>& undecided,
                   const std::string& outcomes, const std::string& outcomes_key, const std::string& split, uint64_t seed,
                   bool suggest, double penalty, int64_t as_of_ms, std::optional<std::string> model_text,
                   const std::string& model_name, bool html, int max_error_messages) {
  namespace ev = rubric::eval;
  ev::Request r;
  r.input = input;
  r.input_format = input_format;
  r.delimiter = delimiter;
  r.events.path = events;
  r.label = label;
  r.positive = positive;
  r.undecided = undecided;
  r.outcomes = outcomes;
  r.outcomes_key = outcomes_key;
  r.split = split;
  r.seed = seed;
  r.suggest = suggest;
  r.lambda = penalty;
  r.as_of = rubric::AsOf::milliseconds(as_of_ms).ms();
  r.model_text = model_text.value_or("");
  r.model_name = model_name;
  r.max_error_messages = max_error_messages;
  r.name = [](std::string_view option) {
    std::string n = option == "lambda" ? "penalty" : std::string(option);
    for (char& c : n)
      if (c == '-') c = '_';
    return n + "=";
  };
  ev::Options o;
  std::vector<std::string> notes;
  std::string err;
  if (!ev::make_options(r, o, notes, err)) throw py::value_error(err);
  auto checked = self.model->impl().model;
  ev::Report report;
  std::ostringstream errors;
  bool ok;
  std::string json, text, page;
  {
    py::gil_scoped_release nogil;  // scoring may call host functions, which take the GIL
    ok = ev::evaluate(checked, o, report, err, errors);
    if (ok) {
      report.warnings.insert(report.warnings.begin(), notes.begin(), notes.end());
      if (!input_name.empty()) {
        report.input = input_name;
        for (std::string& w : report.warnings) w = replace_all(w, input, input_name);
      }
      json = ev::format_json(report);
      text = ev::format_text(report);
      if (html) page = ev::format_html(report);
    }
  }
  if (!ok) throw py::value_error(input_name.empty() ? err : replace_all(err, input, input_name));
  py::list messages;
  std::istringstream lines(errors.str());
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) messages.append(input_name.empty() ? line : replace_all(line, input, input_name));
  py::object suggested = py::none();
  if (report.suggestion && report.suggestion->problem.empty()) suggested = py::str(report.suggestion->model_text);
  return py::make_tuple(json, text, html ? py::object(py::str(page)) : py::object(py::none()), suggested, messages);
}

// Model::score_file with the GIL released: a dict of what happened; OSError when it cannot run.
py::dict score_file(const PyModel& self, const std::string& input, const std::string& output, const std::string& events,
                    bool events_sorted, bool jsonl, int64_t as_of_ms, bool explain, bool strict, int threads,
                    std::vector<std::string> keep, std::vector<std::string> columns) {
  rubric::FileJob job;
  job.input = input;
  job.output = output;
  job.events = events;
  job.events_sorted = events_sorted;
  job.jsonl = jsonl;
  job.as_of = rubric::AsOf::milliseconds(as_of_ms);
  job.explain = explain;
  job.strict = strict;
  job.threads = threads;
  job.keep = std::move(keep);
  job.columns = std::move(columns);
  rubric::FileStats s;
  {
    py::gil_scoped_release nogil;  // host functions take it back when they run
    s = self.model->score_file(job);
  }
  if (!s.ok()) throw py::value_error(s.error);
  py::dict d;
  d["scored"] = s.scored;
  d["errors"] = s.errors;
  d["warnings"] = s.warnings;
  d["events_read"] = s.events_read;
  d["events_joined"] = s.events_joined;
  d["orphan_events"] = s.orphan_events;
  d["keyless_events"] = s.keyless_events;
  py::list messages;
  std::istringstream lines(s.messages);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) messages.append(line);
  d["messages"] = messages;
  return d;
}

py::tuple build(std::optional<std::string> name, std::optional<std::string> text, std::optional<std::string> path,
                py::list functions, const std::string& backend, const std::string& cache_dir) {
  rubric::ModelBuilder b;
  b.backend(backend == "interpreter" ? rubric::Backend::Interpreter
            : backend == "batch"     ? rubric::Backend::Batch
            : backend == "jit"       ? rubric::Backend::Jit
            : backend == "auto"      ? rubric::Backend::Auto
                                     : throw py::value_error("backend must be auto, interpreter, batch or jit, not " + backend));
  if (!cache_dir.empty()) b.cache_dir(cache_dir);
  for (py::handle f : functions) {
    py::tuple t = py::reinterpret_borrow<py::tuple>(f);
    std::vector<rubric::ValueType> args;
    for (py::handle a : t[1]) args.push_back(value_type(a.cast<std::string>()));
    rubric::ValueType result = value_type(t[2].cast<std::string>());
    b.function(t[0].cast<std::string>(), args, result, host_function(t[3].cast<py::function>(), args, result));
  }
  rubric::CompileResult c;
  {
    py::gil_scoped_release nogil;
    c = path ? b.build_file(*path) : b.build_source(name.value_or("<string>"), text.value_or(""));
  }
  py::list diagnostics;
  for (const rubric::Diagnostic& d : c.diagnostics) diagnostics.append(diagnostic_dict(d));
  py::object model = c.ok() ? py::cast(PyModel{c.model}) : py::object(py::none());
  return py::make_tuple(model, diagnostics, c.text);
}

const char* backend_name(rubric::Backend b) {
  switch (b) {
    case rubric::Backend::Auto: return "auto";
    case rubric::Backend::Interpreter: return "interpreter";
    case rubric::Backend::Batch: return "batch";
    case rubric::Backend::Jit: return "jit";
    case rubric::Backend::Native: return "native";
  }
  return "auto";
}

}  // namespace

PYBIND11_MODULE(_rubric, m) {
  m.doc() = "Rubric's C++ API for Python; use the `rubric` package, which wraps it.";
  py::class_<PyModel>(m, "Model")
      .def("score", &PyModel::score, py::arg("lead"), py::arg("as_of_ms"), py::arg("explain"))
      .def("score_many", &PyModel::score_many, py::arg("leads"), py::arg("as_of_ms"), py::arg("explain"), py::arg("threads"))
      .def("score_columns", &PyModel::score_columns)
      .def("score_file", &score_file, py::arg("input"), py::arg("output"), py::arg("events"), py::arg("events_sorted"),
           py::arg("jsonl"), py::arg("as_of_ms"), py::arg("explain"), py::arg("strict"), py::arg("threads"), py::arg("keep"),
           py::arg("columns"))
      .def("evaluate", &evaluate, py::arg("input"), py::arg("input_format"), py::arg("delimiter"), py::arg("events"), py::arg("input_name"),
           py::arg("label"), py::arg("positive"), py::arg("undecided"), py::arg("outcomes"), py::arg("outcomes_key"), py::arg("split"), py::arg("seed"),
           py::arg("suggest"), py::arg("penalty"), py::arg("as_of_ms"), py::arg("model_text"), py::arg("model_name"),
           py::arg("html"), py::arg("max_error_messages"))
      .def_property_readonly("score_names", [](const PyModel& p) { return p.model->score_names(); })
      .def_property_readonly("tier_set_names", [](const PyModel& p) { return p.model->tier_set_names(); })
      .def_property_readonly("key_field", [](const PyModel& p) { return p.model->key_field(); })
      .def_property_readonly("event_key_field", [](const PyModel& p) { return p.model->event_key_field(); })
      .def_property_readonly("backend", [](const PyModel& p) { return backend_name(p.model->backend()); })
      .def_property_readonly("scoring_backend", [](const PyModel& p) { return backend_name(p.model->scoring_backend()); });
  m.def("build", &build, py::arg("name"), py::arg("text"), py::arg("path"), py::arg("functions"), py::arg("backend"),
        py::arg("cache_dir"));
  m.def("parse_time", &rubric::Model::parse_time, py::arg("iso"));
  m.def(
      "parse_time_ms",
      [](std::string_view iso) -> std::optional<int64_t> {
        rubric::AsOf t;
        if (!rubric::AsOf::parse(iso, t)) return std::nullopt;
        return t.ms();
      },
      py::arg("iso"));
  m.def("write_jsonl", &write_jsonl, py::arg("path"), py::arg("names"), py::arg("columns"), py::arg("rows"));
}
