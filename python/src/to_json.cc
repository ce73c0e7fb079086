// SPDX-License-Identifier: Apache-2.0
// Python values as JSON text for Rubric's readers (to_json.h).
#include "python/src/to_json.h"

#include "compiler/source/text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace rubric::py {

namespace {

constexpr int kMaxDepth = 32;

// A new reference, or nullptr with the Python error cleared.
PyObject* call_method(PyObject* obj, const char* name) {
  PyObject* r = PyObject_CallMethod(obj, name, nullptr);
  if (!r) PyErr_Clear();
  return r;
}

std::string type_name(PyObject* obj) { return Py_TYPE(obj)->tp_name; }

bool ends_with(const std::string& s, const char* tail) {
  size_t n = std::strlen(tail);
  return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

void append_str(PyObject* str, std::string& out) {
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(str, &n);
  if (!s) {
    PyErr_Clear();
    throw BadValue{"", "the text is not valid Unicode (a lone surrogate?)"};
  }
  rubric::text::append_json_string(out, std::string_view(s, static_cast<size_t>(n)));
}

void append_double(double d, std::string& out) {
  if (!std::isfinite(d)) out += "null";  // NaN is how pandas writes a missing number
  else out += fmt::format("{}", d);
}

PyObject* datetime_type() {
  static PyObject* dt = [] {
    PyObject* m = PyImport_ImportModule("datetime");
    PyObject* t = m ? PyObject_GetAttrString(m, "date") : nullptr;  // datetime is a date too
    Py_XDECREF(m);
    if (!t) PyErr_Clear();
    return t;
  }();
  return dt;
}

void append_dict(PyObject* dict, std::string& out, int depth) {
  out += '{';
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  bool first = true;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    if (!PyUnicode_Check(k)) throw BadValue{"", fmt::format("a key is a {}, not a str", type_name(k))};
    if (!first) out += ',';
    first = false;
    append_str(k, out);
    out += ':';
    try {
      append_value(v, out, depth + 1);
    } catch (BadValue& e) {
      Py_ssize_t n = 0;
      const char* s = PyUnicode_AsUTF8AndSize(k, &n);
      std::string name = s ? std::string(s, n) : "?";
      e.where = fmt::format("field `{}`", name) + (e.where.empty() ? "" : ", " + e.where);
      throw;
    }
  }
  out += '}';
}

void append_sequence(PyObject* seq, std::string& out, int depth) {
  PyObject* fast = PySequence_Fast(seq, "a sequence");
  if (!fast) {
    PyErr_Clear();
    throw BadValue{"", "cannot be read as a list"};
  }
  out += '[';
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (i) out += ',';
    try {
      append_value(PySequence_Fast_GET_ITEM(fast, i), out, depth + 1);
    } catch (BadValue& e) {
      Py_DECREF(fast);
      e.where = fmt::format("[{}]", i) + (e.where.empty() ? "" : ", " + e.where);
      throw;
    }
  }
  Py_DECREF(fast);
  out += ']';
}

}  // namespace

void append_value(PyObject* v, std::string& out, int depth) {
  if (depth > kMaxDepth) throw BadValue{"", fmt::format("values nest deeper than {} levels", kMaxDepth)};
  if (v == Py_None) return void(out += "null");
  if (PyBool_Check(v)) return void(out += v == Py_True ? "true" : "false");
  if (PyLong_Check(v)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow) throw BadValue{"", "the integer is too large"};
    return void(out += fmt::format("{}", x));
  }
  if (PyFloat_Check(v)) return append_double(PyFloat_AS_DOUBLE(v), out);
  if (PyUnicode_Check(v)) return append_str(v, out);
  if (PyDict_Check(v)) return append_dict(v, out, depth);
  if (PyList_Check(v) || PyTuple_Check(v)) return append_sequence(v, out, depth);
  std::string tn = type_name(v);
  // pandas' missing markers: pd.NA, pd.NaT (NaT is a datetime subclass, so before datetimes).
  if (ends_with(tn, "NAType") || ends_with(tn, "NaTType")) return void(out += "null");
  if (PyObject* dt = datetime_type(); dt && PyObject_IsInstance(v, dt) == 1) {
    PyObject* iso = call_method(v, "isoformat");
    if (!iso || !PyUnicode_Check(iso)) {
      Py_XDECREF(iso);
      throw BadValue{"", "the date cannot be written as ISO 8601 text"};
    }
    append_str(iso, out);
    Py_DECREF(iso);
    return;
  }
  if (tn == "numpy.bool_" || tn == "numpy.bool") return void(out += PyObject_IsTrue(v) ? "true" : "false");
  if (tn == "numpy.ndarray") {  // events read from Parquet come as arrays of dicts
    PyObject* list = call_method(v, "tolist");
    if (!list) throw BadValue{"", "the array cannot be read as a list"};
    try {
      append_value(list, out, depth);
    } catch (...) {
      Py_DECREF(list);
      throw;
    }
    Py_DECREF(list);
    return;
  }
  if (PyIndex_Check(v)) {  // numpy integers
    PyObject* i = PyNumber_Index(v);
    if (i) {
      int overflow = 0;
      long long x = PyLong_AsLongLongAndOverflow(i, &overflow);
      Py_DECREF(i);
      if (!overflow) return void(out += fmt::format("{}", x));
    }
    PyErr_Clear();
    throw BadValue{"", "the integer is too large"};
  }
  if (Py_TYPE(v)->tp_as_number && Py_TYPE(v)->tp_as_number->nb_float && !PyComplex_Check(v)) {  // numpy floats, Decimal
    double d = PyFloat_AsDouble(v);
    if (d == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      throw BadValue{"", fmt::format("a {} cannot be read as a number", tn)};
    }
    return append_double(d, out);
  }
  throw BadValue{"", fmt::format("a value of type {} cannot be scored (use str, int, float, bool, None, datetime, "
                                 "or a list of event dicts)", tn)};
}

void append_lead(PyObject* lead, std::string& out) {
  if (!PyDict_Check(lead)) throw BadValue{"", fmt::format("a lead must be a dict, not a {}", type_name(lead))};
  append_dict(lead, out, 0);
  out += '\n';
}

std::string key_text(PyObject* v) {
  if (PyUnicode_Check(v)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(v, &n);
    if (s) return std::string(s, n);
    PyErr_Clear();
  }
  std::string out;
  try {
    append_value(v, out, 0);
  } catch (const BadValue&) {
    out = "?";
  }
  return out;
}

}  // namespace rubric::py
