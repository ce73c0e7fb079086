// `rubric explain`: a marketer-readable account of how one lead got its scores and tiers.
#pragma once

#include <string>

#include "compiler/check/model.h"
#include "compiler/source/source.h"
#include "runtime/interp/interp.h"

namespace rubric::io {

// Every rule of every score for `record`: fired or not (or unknown), the values it saw, its
// points with decay and caps; then the total, the disqualification and each tier decision.
// `sources` is the compilation's source manager (rule and condition texts come from it).
std::string explain_lead(const check::CheckedModel& m, const interp::Interpreter& interp, const interp::Record& record,
                         int64_t as_of, const source::SourceManager& sources);

}  // namespace rubric::io
