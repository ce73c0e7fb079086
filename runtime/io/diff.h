// SPDX-License-Identifier: Apache-2.0
// `rubric diff`: how a changed model would move real leads between tiers, before it is published.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/model.h"
#include "runtime/io/events.h"
#include "runtime/io/reader.h"

namespace rubric::io {

enum class DiffFormat { Text, Csv, Json };

struct DiffInput {
  std::shared_ptr<const check::CheckedModel> old_model, new_model;
  std::string input;       // the lead file both models score
  ReaderOptions reader;
  EventsSpec events;       // --events: a flat events file joined to the leads (path empty: none)
  int64_t as_of = 0;
  std::string as_of_text;  // for the report
  size_t top = 10;         // how many of the largest total changes to list
  DiffFormat format = DiffFormat::Text;
  bool crlf = false;       // CSV line ends: LF, or CRLF (`--line-ending crlf`)
  // Known outcomes per input record (1 converted, 0 not, -1 unknown), from `--label`: the tier
  // moves then say how the leads in each cell converted. Empty: no outcomes.
  std::vector<int> outcomes;
};

// Scores every lead with both models and reports which tier sets were renamed, removed or added,
// for each tier set both have (a renamed one counts) a from/to table of tier moves with the tiers
// in model order, then the `top` largest total changes with the rules whose points changed.
// Text for people; CSV has a row per lead (key, old and new total, change, old and new tier of
// each compared tier set, error); JSON holds everything the text does (docs/language.md).
// False (with `error`) when the input cannot be read.
// `notes`, if given, gets what the reader has to say about the input as a whole (events whose lead
// is not in the input, say).
bool diff_models(const DiffInput& d, std::string& report, std::string& error, std::vector<std::string>* notes = nullptr);

}  // namespace rubric::io
