// SPDX-License-Identifier: Apache-2.0
// The checked model as bytes: what `rubric build` embeds in a compiled model, so that loading it
// reads the model back without parsing or checking anything (and without the parser or the
// checker in the process). Also its source files, for explanations and messages.
// The format is versioned (kModelFormat); a reader refuses other versions and any byte string
// that does not describe a well-formed model (every index in range, every operation with the
// operands it needs, no cycle), with a message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/model.h"

namespace rubric::source {
class SourceManager;
}

namespace rubric::check {

// Bump when the bytes change meaning.
inline constexpr uint32_t kModelFormat = 2;  // 2: CheckedModel::event_key_column

std::string serialize(const CheckedModel& m, const source::SourceManager& sources);

struct Deserialized {
  std::shared_ptr<CheckedModel> model;               // null on failure
  std::shared_ptr<source::SourceManager> sources;
  std::string error;                                  // why not, in words
};

// `host_functions` are the embedding program's functions: each the model calls must be among
// them, by name, with the same argument and result types.
Deserialized deserialize(std::string_view bytes, std::shared_ptr<const HostFunctions> host_functions);

}  // namespace rubric::check
