// SPDX-License-Identifier: Apache-2.0
// Internal to the check phase: the Checker's state shared by schema.cc, expr.cc and check.cc.
// Not part of the public interface (check.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/check/check.h"

namespace rubric::check {

// Where an expression is evaluated: on the lead, on one event (filters, behaviour bodies), or on
// the outcome (total and tiers, where scores are visible too).
enum class Scope { Lead, Event, Outcome };

struct Ctx {
  Scope scope = Scope::Lead;
  // Inside a behaviour body: the parameter's name and the page group or set bound to it.
  std::string param;
  const Node* param_value = nullptr;
  bool in_total = false;  // checking the `total = ...` line
};

// What a phrase names. `node` is set for values; `behaviour` for event behaviours.
struct Resolved {
  const Node* node = nullptr;
  const ast::Decl* behaviour = nullptr;
  const Node* argument = nullptr;  // the behaviour's page group or set argument
  bool error = false;              // already reported
};

// How deep one checked condition or value may nest, counting the levels inside the `define`s it
// uses. Everything after the checker walks the checked graph recursively, so this bounds their
// stacks (a product may score on a thread with a small stack).
inline constexpr int kMaxCheckDepth = 128;
// How many checked nodes a model may have (a node is about 200 bytes); beyond it the model is
// refused rather than exhausting memory in the checker and the back ends.
inline constexpr size_t kMaxNodes = 2'000'000;

// Diagnostics after which the checker stops computing "did you mean" hints.
inline constexpr size_t kMaxHintedDiagnostics = 500;

// Thrown by Checker::make past kMaxNodes, after reporting it; check() catches it.
struct TooLarge {};

class Checker {
 public:
  Checker(const CheckInput& in, CheckedModel& m, diag::DiagnosticList& d) : in_(in), m_(m), diags_(d) {}
  void run();

  // schema.cc
  void declare_names();
  void check_schema();
  Type field_type(const ast::FieldDecl& f, double& unit_seconds);

  // expr.cc
  const Node* value(const ast::Expr& e, const Ctx& ctx);
  const Node* condition(const ast::Expr& e, const Ctx& ctx);
  const Node* activity(const ast::Expr& e, const Ctx& ctx, bool allow_freq);
  Resolved resolve(const ast::Expr& phrase, const Ctx& ctx, const Type* expected = nullptr);
  const EventQuery* behaviour_query(const ast::Expr& use, const Resolved& r, const ast::Expr* where,
                                    const ast::Expr* span, const Ctx& ctx);
  double duration_seconds(const ast::Expr& e, const Ctx& ctx, const char* what, bool& ok);

  // helpers
  Node* make(Op op, Type t, SourceRange r);
  const Node* error_node(SourceRange r);
  diag::Diagnostic& error(diag::Kind k, SourceRange r, std::string msg) { return diags_.add(k, r, std::move(msg)); }
  void help(std::string text) { diags_.help(std::move(text)); }
  void note(std::string text) { diags_.note(std::move(text)); }
  std::string text_of(SourceRange r) const;
  int line_of(SourceRange r) const;
  bool poisoned(const std::string& name) const;

  const CheckInput& in_;
  CheckedModel& m_;
  diag::DiagnosticList& diags_;

  std::map<std::string, const ast::Decl*> consts_, defines_, pages_;
  std::map<std::string, const Node*> const_nodes_, define_nodes_, page_nodes_;
  std::set<std::string> defines_in_progress_;
  std::map<std::string, int> scores_;
  // Behaviours by their name words; a name may have a form with a parameter and one without.
  std::vector<const ast::Decl*> behaviours_;
  std::map<std::pair<const ast::Decl*, const Node*>, const Node*> behaviour_bodies_;
  std::set<const ast::Decl*> behaviours_in_progress_;
  std::set<const ast::Module*> library_modules_;
  std::map<std::string, SourceRange> declared_;  // every top-level name, for duplicates
  int depth_ = 0;                  // current recursion of value() and condition()
  bool depth_reported_ = false;    // E0104 for depth is given once per model
  bool decimal_comma_ = false;     // the model says `decimal comma`: every number field reads 15 000,50

  // Counts one level of value()/condition() recursion while alive.
  struct Deeper {
    explicit Deeper(Checker& c) : c_(c) { ++c_.depth_; }
    ~Deeper() { --c_.depth_; }
    bool too_deep() const { return c_.depth_ > kMaxCheckDepth; }
    Checker& c_;
  };
  const Node* too_deep(SourceRange r);
  // The closest candidate for a "did you mean" hint, or empty. Past kMaxHintedDiagnostics
  // diagnostics no more hints are computed: each costs an edit distance per declared name, and
  // a file of thousands of misspellings would take minutes.
  std::string suggest(std::string_view wrong, const std::vector<std::string>& candidates) const {
    if (diags_.items().size() > kMaxHintedDiagnostics) return {};
    return diag::closest_name(wrong, candidates);
  }
  // How deep a checked graph nests below `n`; a define counts with what it uses.
  int graph_depth(const Node* n);
  std::map<const Node*, int> define_depth_;  // of each Define node
};

}  // namespace rubric::check
