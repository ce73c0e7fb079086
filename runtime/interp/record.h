// SPDX-License-Identifier: Apache-2.0
// A lead record laid out by its model's schema: one Value per lead field, and its events
// sorted by timestamp (oldest first), each with one Value per event field.
#pragma once

#include <cstdint>
#include <vector>

#include "common/model.h"

namespace rubric::interp {

using check::Value;

struct Event {
  int64_t time = 0;  // the event's timestamp, seconds since the epoch
  std::vector<Value> fields;
};

struct Record {
  std::vector<Value> fields;
  std::vector<Event> events;  // sorted by time
};

}  // namespace rubric::interp
