// SPDX-License-Identifier: Apache-2.0
// Flat event files (`--events`): one CSV row or JSON object per event, as CRMs and spreadsheets
// export them, joined to the leads by key. Each lead record gets its events before scoring, as
// if they had been nested in its JSON line.
//
// Two ways to join:
// - loaded (the default): the events file is read whole first, grouped by lead key; leads may
//   come in any order. Memory grows with the events file (about 80 bytes per event field, plus
//   text values longer than 15 bytes, plus one key per lead).
// - streaming (`sorted`): both files are sorted by lead key (numerically when both keys are whole
//   numbers, else byte by byte); one lead's events are held at a time. Reading is sequential.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/io/reader.h"

namespace rubric::io {

struct EventsSpec {
  std::string path;                  // "-": standard input
  std::string format, delimiter;     // as for the leads (empty: guessed, detected)
  bool sorted = false;               // streaming: both files in ascending key order
  bool strict = false;               // ReaderOptions::strict for events: unknown kinds are errors
  int threads = 1;                   // loaded mode: 2 or more decode the file on a second thread
};

// What happened to the events file's rows, for the summary.
struct EventsSummary {
  int64_t rows = 0;           // event records read
  int64_t joined = 0;         // events given to leads of the input
  int64_t skipped = 0;        // events skipped (an unknown kind, no time), with a warning on their lead
  int64_t orphans = 0;        // events whose lead is not in the input
  int64_t orphan_leads = 0;   // the distinct keys of those
  std::string first_orphan;   // "key `X` (events.csv:12)", the first of them
  int64_t unreadable = 0;     // rows without a readable lead key: they belong to no lead
  std::vector<std::string> messages;  // "events.csv:7: field `case_id` ... is required", the first 100
};

class EventFile;

// Opens `spec.path` for `model` (which must have a key field and an `event:` section), and in
// loaded mode reads it whole. Null with `error` when it cannot: a file that cannot be opened, a
// CSV header without the lead key column or a required event field's column.
std::shared_ptr<EventFile> open_events(const EventsSpec& spec, std::shared_ptr<const check::CheckedModel> model,
                                       std::string& error);
// The same over a stream that outlives the EventFile (the API's text); `name` for messages.
std::shared_ptr<EventFile> open_events(std::istream& in, const std::string& name, const EventsSpec& spec,
                                       std::shared_ptr<const check::CheckedModel> model, std::string& error);

// `leads` with each record's events from `events` added (by its key, after any it had). Events of
// a lead that fail to read make that lead a bad record, with the events file's line in the message.
// In streaming mode a lead or event out of key order throws InputError.
std::unique_ptr<RecordReader> join_events(std::unique_ptr<RecordReader> leads, std::shared_ptr<EventFile> events);

// Problems with the events file as a whole (an optional event field without a column), to show once.
const std::vector<std::string>& warnings(const EventFile& events);

// After the leads are read: what became of the events (in streaming mode this reads the rest of
// the events file, counting them as orphans).
EventsSummary finish_events(EventFile& events);
// The summary's counts in a line for stderr, or empty when every event found its lead.
std::string describe(const EventsSummary& s, const std::string& name);

// A problem with the input as a whole found part way (a file not sorted as promised): the run
// cannot go on.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rubric::io
