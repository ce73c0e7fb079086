// SPDX-License-Identifier: Apache-2.0
// The C ABI between compiled scoring code and its host: how a record is laid out for native
// code, what the generated `rubric_score` function fills in, and the runtime helpers it calls.
// Shared by compiler/lower (which emits code against it), runtime/jit (which compiles and runs
// it) and runtime/native (which runs it, and loads ahead-of-time models, without LLVM).
// Plain C types only: no LLVM, no C++ library types.
#pragma once

#include <cstdint>

extern "C" {

// A value made by the generated code for a helper, or recorded in a trace. `present` is 0
// when the value is missing, else 1 + check::Value::Kind. Bool, Int, Time and Enum use `i`;
// Number and Duration use `d`; String uses `s` and `n` (a view: the bytes belong to the
// record, or to the call's scratch space).
struct RbSlot {
  int64_t i;
  double d;
  const char* s;
  int64_t n;
  int64_t present;
};

// The record is read where the host holds it, with no copy: the lead's fields are an array of
// check::Value, its events an array of interp::Event, each with its fields as an array of
// check::Value. The generated code knows only these sizes and offsets; the host checks them
// against its own types when it runs compiled code (runtime/native/native.cc), so a layout
// that differs is refused, never misread. In a Value: the kind (0 missing, else
// check::Value::Kind) is a byte at RB_VALUE_KIND, a bool a byte at RB_VALUE_BOOL, whole
// numbers, times and enums an int64 at RB_VALUE_INT, numbers and durations a double at
// RB_VALUE_NUM, text a pointer to its bytes at RB_VALUE_TEXT and their count (int64) at
// RB_VALUE_LEN. In an Event: its time (ms, int64) at RB_EVENT_TIME and the pointer to its
// first field at RB_EVENT_FIELDS.
enum : int64_t {
  RB_VALUE_SIZE = 56, RB_VALUE_KIND = 0, RB_VALUE_BOOL = 1, RB_VALUE_INT = 8, RB_VALUE_NUM = 16, RB_VALUE_TEXT = 24,
  RB_VALUE_LEN = 32, RB_EVENT_SIZE = 32, RB_EVENT_TIME = 0, RB_EVENT_FIELDS = 8
};

// What a rule did for one lead: its points in hundredths, events counted, and flags.
enum : int64_t { kRbFired = 1, kRbCapped = 2, kRbDecayed = 4 };
struct RbRuleOut {
  int64_t cents;
  int64_t events;
  int64_t flags;
};

// One scoring call. Inputs first, then outputs the generated code writes.
struct RbCall {
  const void* lead;      // the lead's fields: check::Value[lead fields]
  const void* events;    // its events: interp::Event[n_events], oldest first (times ascending)
  int64_t n_events;
  int64_t as_of;         // milliseconds since 1970
  void* scratch;         // host-owned space for strings made during the call
  const void* const* refs;  // the model's objects the code uses, in lower::referenced_objects order
  int64_t* scores;       // out: per score, hundredths
  int64_t* tiers;        // out: per tier set, the chosen tier or -1
  RbRuleOut* rules;      // out: per rule of every score, in model order
  int64_t total;         // out: hundredths
  int64_t disqualifier;  // out: index or -1
  // Null, or (when explaining) one slot per entry of the plan's trace (plan::Plan::trace),
  // which the code fills: each query's count, and the traced registers of every rule,
  // define, disqualifier and tier condition it runs, running each such program in full.
  RbSlot* trace;
};

typedef void (*RbScoreFn)(RbCall*);

// Helpers the generated code calls (runtime/jit/helpers.cc). `node` and `decay` arguments come
// from RbCall::refs: objects of the model the code was compiled from (no address is baked
// into the code, so compiled objects can be cached and loaded by another process).
// The events [begin, end) of `events` (interp::Event[n], oldest first) at or before as-of and,
// with a window, within it.
void rb_window(const void* events, int64_t n, int64_t as_of, double window_seconds, int64_t* begin, int64_t* end);
double rb_decay(const void* decay, int64_t age);
int64_t rb_to_cents(double points);
int64_t rb_str_ieq(const char* a, int64_t an, const char* b, int64_t bn);
// `op` is an RbTextOp: the first three ignore case, the others compare bytes (`matching case`).
enum RbTextOp : int64_t {
  kRbContains = 0, kRbStartsWith = 1, kRbEndsWith = 2, kRbContainsExact = 3, kRbStartsWithExact = 4, kRbEndsWithExact = 5
};
int64_t rb_text_op(int64_t op, const char* a, int64_t an, const char* b, int64_t bn);
// kRbContains for a needle the lowering checked: ASCII, folded, 1 to 64 bytes (the usual
// page glob or `contains` literal), with no dispatch and no look at the needle per call.
int64_t rb_contains_folded(const char* hay, int64_t n, const char* needle, int64_t len);
int64_t rb_in_strings(const void* node, const char* s, int64_t n);
int64_t rb_in_pages(const void* node, const char* s, int64_t n);
int64_t rb_regex(const void* node, const char* s, int64_t n);
void rb_email_domain(const char* s, int64_t n, void* scratch, RbSlot* out);
void rb_call(int64_t builtin, const RbSlot* args, int64_t nargs, int64_t as_of, void* scratch, RbSlot* out);
// rb_in_pages matches a node's globs ignoring case, or as written when the node is `exact_case`.
// A host function (check::HostFunction), `node` being its Call node.
void rb_host_call(const void* node, const RbSlot* args, int64_t nargs, void* scratch, RbSlot* out);

// Every helper, in the order of an ahead-of-time model's helper table (RbModelInfo::helpers).
#define RB_HELPERS(X) \
  X(rb_window) X(rb_decay) X(rb_to_cents) X(rb_str_ieq) X(rb_text_op) X(rb_in_strings) X(rb_in_pages) X(rb_regex) \
  X(rb_email_domain) X(rb_call) X(rb_host_call) X(rb_contains_folded)

// An ahead-of-time model (`rubric build`): the object exports one RbModelInfo, named
// `rubric_model` unless --name says otherwise, and no other symbol. It imports none either:
// the code calls helpers through `helpers`, a table the loader fills once with the host's own
// helpers in RB_HELPERS order, so a shared object loads into any process with dlopen.
// It is self-contained: `model` holds the checked model as bytes (common/serialize.h), from
// which the loader rebuilds the objects `refs` point to (lower::referenced_objects order)
// without parsing or checking anything. A model loads in any Rubric whose formats match the
// key's first line: this ABI (the RbCall layout, the helpers and the refs order), the plan
// format the code was lowered from, and the model bytes' format.
enum { RB_ABI_VERSION = 7, RB_HELPER_COUNT = 12 };
struct RbModelInfo {
  int64_t abi_version;  // RB_ABI_VERSION (2: host functions; 3: self-contained, `model`; 4: times in milliseconds; 5: the trace; 6: the record read in place; 7: rb_contains_folded)
  const char* key;      // "rubric model format ABI.PLAN.MODEL (rubric VERSION)\nTRIPLE\nCPU\nFEATURES\nHOST SIGNATURES\nmodel sha256 HEX"
  const char* name;     // the model file's name, for messages
  const char* source;   // the model's text
  RbScoreFn score;
  void** helpers;       // RB_HELPER_COUNT entries, filled by the loader
  int64_t n_helpers;
  const char* model;    // the checked model's bytes (common/serialize.h)
  int64_t model_size;
};
}
