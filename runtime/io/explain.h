// SPDX-License-Identifier: Apache-2.0
// `rubric explain`: a marketer-readable account of how one lead got its scores and tiers.
#pragma once

#include <string>

#include "common/model.h"
#include "compiler/source/source.h"
#include "runtime/interp/interp.h"

namespace rubric::io {

struct ExplainOptions {
  bool fired_only = false;  // leave out the rules that did not fire
  bool json = false;        // one JSON object instead of text (docs/language.md)
};

// Every rule of every score for `record`: fired or not (or unknown), the values it saw (a
// duration in the unit of the literal it is compared with, else of its field), its points with
// decay and caps; then the total, the disqualification and each tier decision, and below the
// top tier how many points the lead lacks for the next tier up when that tier's condition is a
// threshold on total or a score (or `and`s of them). `sources` is the compilation's source
// manager (rule and condition texts come from it). The lead is scored by `scorer`, any back
// end, and every value shown is one that back end computed and recorded in its trace
// (interp::Scorer::score_traced), not computed again here.
std::string explain_lead(const check::CheckedModel& m, const interp::Scorer& scorer, const interp::Record& record,
                         int64_t as_of, const source::SourceManager& sources, const ExplainOptions& options = {});

}  // namespace rubric::io
