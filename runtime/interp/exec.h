// SPDX-License-Identifier: Apache-2.0
// The executor: runs a scoring plan (compiler/plan) for leads, row-wise (one lead's programs in
// order, `and`/`or` skipping what cannot change their result) or over a batch (an instruction
// at a time for every lead of the batch). Both share the event pass and `step`, the one function
// that says what each opcode means. The tree walker and the batch interpreter are this class.
#pragma once

#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/plan/plan.h"
#include "compiler/source/text.h"
#include "runtime/interp/apply.h"
#include "runtime/interp/interp.h"

namespace re2 {
class RE2;
}

namespace rubric::interp {

// What the event pass found for one lead, per the plan's EventPlan.
struct EventFacts {
  std::vector<int64_t> count, last;  // per query: events matched, and the index of the latest (or -1)
  std::vector<double> sums;          // per sum
  std::vector<double> points;        // per `each` rule: points after decay, before the cap
  std::vector<uint8_t> decayed;      // per `each` rule: decay cut an event's points
};

class Executor {
 public:
  // `hosts` are the functions the plan's HostCall instructions call, in the plan's order.
  Executor(plan::Plan plan, std::shared_ptr<const check::HostFunctions> hosts);
  ~Executor();
  const plan::Plan& plan() const { return plan_; }

  // With `explain`, the outcome has its rule hits; with `trace`, its trace (Outcome::trace).
  Outcome score(const Record& record, int64_t as_of, bool explain, bool trace = false) const;
  // The same into `out`, whose vectors keep their room (a batch's outcomes are reused).
  void score_into(const Record& record, int64_t as_of, bool explain, bool trace, Outcome& out) const;
  // The same results, computed an instruction at a time over records[0..n).
  void score_batch(const Record* const* records, size_t n, int64_t as_of, bool explain, Outcome* out,
                   bool trace = false) const;

  struct Lead;  // one lead in flight (exec.cc)

 private:
  // Ready for its programs; `trace` (or null) receives Plan::trace's values as they are made.
  void start(Lead& lead, const Record& record, int64_t as_of, std::vector<Value>* trace) const;
  void event_pass(Lead& lead) const;
  const Value* run(const plan::Program& prog, Lead& lead, bool skip) const;
  const Value* step(const plan::Instr& x, const Value* const* in, Lead& lead, Value& tmp) const;
  Tri define(int slot, Lead& lead) const;

  plan::Plan plan_;
  std::shared_ptr<const check::HostFunctions> hosts_;
  std::vector<std::unique_ptr<re2::RE2>> regexes_;
  std::vector<std::unordered_set<std::string>> text_sets_;
  struct Glob {  // a page glob taken apart once (text::glob_parts)
    text::GlobShape shape;
    std::string text;
  };
  std::vector<std::vector<Glob>> globs_;
  size_t longest_ = 0;                                  // the longest program
  // Per event filter: the enum event field and value its first test requires (`kind is
  // page_view and ...`), or field -1. An event without that value skips the filter's program:
  // it could not be accepted (false, or unknown when the field is missing).
  struct Guard {
    int field = -1;
    int64_t value = 0;
  };
  std::vector<Guard> guards_;
};

}  // namespace rubric::interp
