// SPDX-License-Identifier: Apache-2.0
// Python values (a lead's dict, a frame's columns) as the JSON text Rubric's readers take:
// None/NaN/NA/NaT -> null, datetimes -> ISO 8601 text, numpy scalars -> numbers, lists of dicts
// -> events. Needs the GIL. A value JSON cannot carry raises BadValue naming where it was.
#pragma once

#include <Python.h>

#include <string>

namespace rubric::py {

// A value that cannot be sent to Rubric: `where` is the path to it (`lead 3, field "x"`).
struct BadValue {
  std::string where, what;
};

// Appends `lead` (a dict) as one JSON object on one line. Throws BadValue.
void append_lead(PyObject* lead, std::string& out);

// Appends any supported value as JSON (a dict's keys must be strings). Throws BadValue.
void append_value(PyObject* value, std::string& out, int depth = 0);

// The text a key value is matched by when events are joined to leads: a str as is, any
// other value as its JSON text.
std::string key_text(PyObject* value);

}  // namespace rubric::py
