// SPDX-License-Identifier: Apache-2.0
// Lowers a model's scoring plan (compiler/plan) to LLVM IR: each plan instruction becomes IR,
// with values as (present, payload) pairs and conditions as (known, truth) pairs, `and`/`or`
// jumps as branches, and the event plan as one loop over the events. Each opcode follows its
// meaning in runtime/interp/exec.cc (Executor::step).
#include "compiler/lower/lower.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <cmath>
#include <functional>
#include <unordered_map>

#include "compiler/lower/abi.h"
#include "compiler/lower/refs.h"
#include "compiler/plan/plan.h"
#include "compiler/source/text.h"

namespace rubric::lower {

using check::Node;
using check::TypeKind;
using plan::Instr;
using plan::Opcode;

namespace {

using namespace llvm;

constexpr int kTriFalse = 0, kTriTrue = 1, kTriUnknown = 2;
// Times are milliseconds; windows and `within` spans in the plan are seconds.
constexpr double kMs = double(check::kMsPerSecond);
// The most counters, sums and points an event pass keeps in registers (Lowerer::event_pass).
constexpr size_t kPassRegisters = 64;
// Field numbers of RbSlot and RbCall.
enum SlotField { kI, kD, kS, kN, kPresent };
enum CallField { kLead, kEvents, kNEvents, kAsOf, kScratch, kRefs, kScores, kTiers, kRules, kTotal, kDisq, kTrace };

// A lowered value: `present` is i1; the payload fields used depend on the type.
struct LVal {
  llvm::Value* present = nullptr;
  llvm::Value* i = nullptr;  // Bool, Int, Time, Enum
  llvm::Value* d = nullptr;  // Number, Duration
  llvm::Value* s = nullptr;  // String bytes
  llvm::Value* n = nullptr;  // String length
};

int64_t value_kind(TypeKind t) {
  using K = check::Value::Kind;
  switch (t) {
    case TypeKind::Bool: return int64_t(K::Bool);
    case TypeKind::Int: return int64_t(K::Int);
    case TypeKind::Number: return int64_t(K::Number);
    case TypeKind::String: return int64_t(K::String);
    case TypeKind::Time: return int64_t(K::Time);
    case TypeKind::Duration: return int64_t(K::Duration);
    case TypeKind::Enum: return int64_t(K::Enum);
    // Not the type of a value.
    case TypeKind::Error:
    case TypeKind::Set:
    case TypeKind::Pages: break;
  }
  return int64_t(K::Missing);
}

bool uses_i(TypeKind t) { return t == TypeKind::Bool || t == TypeKind::Int || t == TypeKind::Time || t == TypeKind::Enum; }
bool uses_d(TypeKind t) { return t == TypeKind::Number || t == TypeKind::Duration; }

class Lowerer {
 public:
  Lowerer(const check::CheckedModel& m, LLVMContext& ctx)
      : m_(m), p_(plan::build(m)), C(ctx), M(std::make_unique<Module>("rubric_model", ctx)), B(ctx) {
    for (const Node& n : m.nodes) nodes_.push_back(&n);
    i1 = Type::getInt1Ty(C);
    i8 = Type::getInt8Ty(C);
    i64 = Type::getInt64Ty(C);
    f64 = Type::getDoubleTy(C);
    ptr = PointerType::getUnqual(C);
    slotTy = StructType::create(C, {i64, f64, ptr, i64, i64}, "RbSlot");
    ruleTy = StructType::create(C, {i64, i64, i64}, "RbRuleOut");
    callTy = StructType::create(C, {ptr, ptr, i64, i64, ptr, ptr, ptr, ptr, ptr, i64, i64, ptr}, "RbCall");
    std::vector<const void*> refs = referenced_objects(m);
    for (size_t i = 0; i < refs.size(); ++i) ref_index_[refs[i]] = static_cast<int64_t>(i);
    auto fn = [&](const char* name, Type* ret, std::vector<Type*> args) {
      return M->getOrInsertFunction(name, FunctionType::get(ret, args, false));
    };
    window_ = fn("rb_window", Type::getVoidTy(C), {ptr, i64, i64, f64, ptr, ptr});
    decay_ = fn("rb_decay", f64, {ptr, i64});
    cents_ = fn("rb_to_cents", i64, {f64});
    str_ieq_ = fn("rb_str_ieq", i64, {ptr, i64, ptr, i64});
    text_op_ = fn("rb_text_op", i64, {i64, ptr, i64, ptr, i64});
    contains_folded_ = fn("rb_contains_folded", i64, {ptr, i64, ptr, i64});
    in_strings_ = fn("rb_in_strings", i64, {ptr, ptr, i64});
    in_pages_ = fn("rb_in_pages", i64, {ptr, ptr, i64});
    regex_ = fn("rb_regex", i64, {ptr, ptr, i64});
    domain_ = fn("rb_email_domain", Type::getVoidTy(C), {ptr, i64, ptr, ptr});
    call_ = fn("rb_call", Type::getVoidTy(C), {i64, ptr, i64, i64, ptr, ptr});
    host_call_ = fn("rb_host_call", Type::getVoidTy(C), {ptr, ptr, i64, ptr, ptr});
  }

  std::unique_ptr<Module> run() {
    // Each define is a function that computes its condition once per lead and keeps the answer
    // in its qi slot (-1 until then), so a define used many times costs one evaluation. Defines
    // come after those they use, so each body finds its callees made.
    for (size_t d = 0; d < p_.defines.size(); ++d) {
      Function* f = begin_function(fmt_name("define", d), i8);
      Value* memo = define_slot(static_cast<int64_t>(d));
      Value* known = B.CreateLoad(i64, memo);
      BasicBlock* compute = block("define.compute");
      BasicBlock* cached = block("define.cached");
      B.CreateCondBr(B.CreateICmpSGE(known, B.getInt64(0)), cached, compute);
      B.SetInsertPoint(cached);
      B.CreateRet(B.CreateTrunc(known, i8));
      B.SetInsertPoint(compute);
      Value* t = condition(p_.programs[p_.defines[d]]);
      B.CreateStore(B.CreateZExt(t, i64), define_slot(static_cast<int64_t>(d)));
      B.CreateRet(t);
      define_fns_.push_back(f);
    }
    // Each rule and each disqualifier or tier condition is a function of its own: LLVM's
    // passes grow faster than linearly with function size, and a 1000-rule model in one
    // function took seconds to compile.
    std::vector<Function*> rules;
    size_t k = 0;
    for (const plan::Score& score : p_.scores) {
      for (const plan::Rule& r : score.rules) {
        Function* f = begin_function(fmt_name("rule", k), Type::getVoidTy(C));
        auto [cents, events, flags] = r.each >= 0 ? each_rule(r) : live_rule(r);
        Value* out = B.CreateGEP(ruleTy, field(kRules, ptr), B.getInt64(static_cast<int64_t>(k++)));
        B.CreateStore(cents, B.CreateStructGEP(ruleTy, out, 0));
        B.CreateStore(events, B.CreateStructGEP(ruleTy, out, 1));
        B.CreateStore(flags, B.CreateStructGEP(ruleTy, out, 2));
        B.CreateRetVoid();
        rules.push_back(f);
      }
    }
    auto condition_function = [&](int program, const std::string& name) -> Function* {
      if (program < 0) return nullptr;
      Function* f = begin_function(name, i8);
      B.CreateRet(condition(p_.programs[program]));
      return f;
    };
    std::vector<Function*> disq;
    for (size_t i = 0; i < p_.disqualifiers.size(); ++i)
      disq.push_back(condition_function(p_.disqualifiers[i].program, fmt_name("disqualify", i)));
    std::vector<std::vector<Function*>> tiers(p_.tier_sets.size());
    for (size_t t = 0; t < p_.tier_sets.size(); ++t)
      for (size_t i = 0; i < p_.tier_sets[t].tiers.size(); ++i)
        tiers[t].push_back(condition_function(p_.tier_sets[t].tiers[i].program, fmt_name("tier", t * 1000 + i)));

    Function* main = Function::Create(FunctionType::get(Type::getVoidTy(C), {ptr}, false), Function::ExternalLinkage,
                                      kEntryName, M.get());
    main->addFnAttr(Attribute::NoUnwind);
    fn_ = main;
    entry_ = BasicBlock::Create(C, "entry", main);
    B.SetInsertPoint(entry_);
    Value* call = main->getArg(0);
    call_arg_ = call;
    load_inputs();
    // What every behaviour found, from one pass over the events: counts, last matches, sums and
    // per-event points live in two arrays the rule and condition functions read.
    qi_ = B.CreateAlloca(i64, B.getInt64(static_cast<int64_t>(std::max<size_t>(1, qi_size()))), "qi");
    qd_ = B.CreateAlloca(f64, B.getInt64(static_cast<int64_t>(std::max<size_t>(1, qd_size()))), "qd");
    event_pass();
    // When explaining, each query's count goes into its trace slot (plan::Plan::trace).
    if (!p_.events.queries.empty())
      when_tracing([&] {
        for (size_t q = 0; q < p_.events.queries.size(); ++q) {
          LVal count;
          count.present = B.getTrue();
          count.i = B.CreateLoad(i64, count_slot(static_cast<int64_t>(q)));
          store_trace(static_cast<int64_t>(q), count, TypeKind::Int);
        }
      });
    Value* scores_out = field(kScores, ptr);
    Value* tiers_out = field(kTiers, ptr);
    Value* rules_out = field(kRules, ptr);
    k = 0;
    for (size_t s = 0; s < p_.scores.size(); ++s) {
      const plan::Score& score = p_.scores[s];
      // Summed in 128 bits, then saturated (check::saturate_cents): no rule count can overflow.
      Value* sum = B.getIntN(128, 0);
      for (size_t r = 0; r < score.rules.size(); ++r, ++k) {
        B.CreateCall(rules[k], {call, qi_, qd_});
        Value* out = B.CreateGEP(ruleTy, rules_out, B.getInt64(static_cast<int64_t>(k)));
        sum = B.CreateAdd(sum, B.CreateSExt(B.CreateLoad(i64, B.CreateStructGEP(ruleTy, out, 0)), B.getIntNTy(128)));
      }
      sum = saturate(sum);
      if (score.floor) sum = smax(sum, B.getInt64(*score.floor));
      if (score.ceiling) sum = smin(sum, B.getInt64(*score.ceiling));
      B.CreateStore(sum, B.CreateGEP(i64, scores_out, B.getInt64(static_cast<int64_t>(s))));
    }
    Value* total;
    if (p_.total >= 0) {
      const plan::Program& prog = p_.programs[p_.total];
      LVal t = program(prog);  // reads the scores just stored
      Value* c = B.CreateCall(cents_, {as_double(t, prog.code.back().type)});
      total = B.CreateSelect(t.present, c, B.getInt64(0));
    } else {
      total = B.getIntN(128, 0);
      for (size_t s = 0; s < p_.scores.size(); ++s)
        total = B.CreateAdd(total, B.CreateSExt(B.CreateLoad(i64, B.CreateGEP(i64, scores_out, B.getInt64(static_cast<int64_t>(s)))),
                                                B.getIntNTy(128)));
      total = saturate(total);
    }
    B.CreateStore(total, B.CreateStructGEP(callTy, call, kTotal));
    // The first true disqualifier wins; later ones are not evaluated.
    auto is_true = [&](Function* f) -> Value* {
      return f ? B.CreateICmpEQ(B.CreateCall(f, {call, qi_, qd_}), tri(kTriTrue)) : nullptr;
    };
    Value* d = first_true(disq.size(), [&](size_t i) { return is_true(disq[i]); }, nullptr);
    B.CreateStore(d, B.CreateStructGEP(callTy, call, kDisq));
    Value* qualified = B.CreateICmpSLT(d, B.getInt64(0));
    for (size_t t = 0; t < tiers.size(); ++t) {
      Value* chosen = first_true(tiers[t].size(), [&](size_t i) { return is_true(tiers[t][i]); }, qualified);
      B.CreateStore(chosen, B.CreateGEP(i64, tiers_out, B.getInt64(static_cast<int64_t>(t))));
    }
    B.CreateRetVoid();
    std::string err;
    raw_string_ostream os(err);
    if (verifyModule(*M, &os)) throw std::runtime_error("generated code does not verify: " + os.str());
    return std::move(M);
  }

 private:
  // An i128 sum of hundredths clamped to ±check::kMaxCents, as i64.
  Value* saturate(Value* wide) {
    Type* i128 = B.getIntNTy(128);
    Value* hi = ConstantInt::get(i128, check::kMaxCents, true);
    Value* lo = ConstantInt::get(i128, -check::kMaxCents, true);
    Value* c = B.CreateSelect(B.CreateICmpSGT(wide, hi), hi, wide);
    c = B.CreateSelect(B.CreateICmpSLT(c, lo), lo, c);
    return B.CreateTrunc(c, i64);
  }

  static std::string fmt_name(const char* what, size_t i) { return std::string(what) + "." + std::to_string(i); }

  // Starts `ret name(RbCall*, i64* qi, double* qd)`, internal and never inlined.
  Function* begin_function(const std::string& name, Type* ret) {
    Function* f = Function::Create(FunctionType::get(ret, {ptr, ptr, ptr}, false), Function::InternalLinkage, name, M.get());
    f->addFnAttr(Attribute::NoUnwind);
    f->addFnAttr(Attribute::NoInline);
    fn_ = f;
    entry_ = BasicBlock::Create(C, "entry", f);
    B.SetInsertPoint(entry_);
    call_arg_ = f->getArg(0);
    qi_ = f->getArg(1);
    qd_ = f->getArg(2);
    load_inputs();
    return f;
  }

  // A function's inputs are loaded from RbCall in its entry block, once, when first used.
  void load_inputs() {
    inputs_.clear();
    event_ = nullptr;
  }
  Value* input(CallField k, Type* t) {
    Value*& v = inputs_[k];
    if (!v) {
      IRBuilder<> eb(entry_, entry_->getFirstInsertionPt());
      v = eb.CreateLoad(t, eb.CreateStructGEP(callTy, call_arg_, k));
    }
    return v;
  }
  Value* lead() { return input(kLead, ptr); }
  Value* events() { return input(kEvents, ptr); }
  Value* n_events() { return input(kNEvents, i64); }
  Value* as_of() { return input(kAsOf, i64); }
  Value* scratch() { return input(kScratch, ptr); }
  Value* refs() { return input(kRefs, ptr); }
  Value* trace() { return input(kTrace, ptr); }
  Value* tracing() { return B.CreateICmpNE(trace(), ConstantPointerNull::get(cast<PointerType>(ptr))); }
  // Records `v` in trace slot `slot` (plan::Plan::trace); only inside when_tracing.
  void store_trace(int64_t slot, const LVal& v, TypeKind t) { store_slot(B.CreateGEP(slotTy, trace(), B.getInt64(slot)), v, t); }
  // Emits `body` to run only when the caller asked for a trace (RbCall::trace is not null).
  template <typename Body>
  void when_tracing(Body body) {
    BasicBlock* rec = block("trace.store");
    BasicBlock* next = block("trace.next");
    B.CreateCondBr(tracing(), rec, next);
    B.SetInsertPoint(rec);
    body();
    B.CreateBr(next);
    B.SetInsertPoint(next);
  }

  // The event pass's results. qi: counts[Q], decayed[R], last[Q], defines[D]; qd: sums[S],
  // points[R], for the plan's Q queries, R `each` rules, S sums and D defines.
  int64_t n_queries() const { return static_cast<int64_t>(p_.events.queries.size()); }
  int64_t n_eaches() const { return static_cast<int64_t>(p_.events.eaches.size()); }
  size_t qi_size() const { return static_cast<size_t>(2 * n_queries() + n_eaches()) + p_.defines.size(); }
  size_t qd_size() const { return p_.events.sums.size() + p_.events.eaches.size(); }
  Value* qi_at(int64_t i) { return B.CreateGEP(i64, qi_, B.getInt64(i)); }
  Value* qd_at(int64_t i) { return B.CreateGEP(f64, qd_, B.getInt64(i)); }
  Value* count_slot(int64_t q) { return qi_at(q); }
  Value* decayed_slot(int64_t each) { return qi_at(n_queries() + each); }
  Value* last_slot(int64_t q) { return qi_at(n_queries() + n_eaches() + q); }
  // A define's answer for this lead (a tri), or -1 before it is computed.
  Value* define_slot(int64_t d) { return qi_at(2 * n_queries() + n_eaches() + d); }
  Value* sum_slot(int64_t s) { return qd_at(s); }
  Value* points_slot(int64_t each) { return qd_at(static_cast<int64_t>(p_.events.sums.size()) + each); }

  // One pass over the events every behaviour can see, oldest first. Each distinct filter is
  // tested once per event; each query adds the events in its window that its filter accepts,
  // in the same order (and with the same arithmetic) as the executor's event pass.
  void event_pass() {
    const plan::EventPlan& ep = p_.events;
    B.CreateMemSet(qi_, B.getInt8(0), B.getInt64(8 * (n_queries() + n_eaches())), MaybeAlign(8));
    B.CreateMemSet(last_slot(0), B.getInt8(0xFF), B.getInt64(8 * n_queries()), MaybeAlign(8));  // last = -1
    B.CreateMemSet(qd_, B.getInt8(0), B.getInt64(static_cast<int64_t>(8 * qd_size())), MaybeAlign(8));  // +0.0
    if (!p_.defines.empty())
      B.CreateMemSet(define_slot(0), B.getInt8(0xFF), B.getInt64(static_cast<int64_t>(8 * p_.defines.size())),
                     MaybeAlign(8));  // not computed yet
    if (ep.queries.empty()) return;
    // With few queries the pass adds into locals that never escape, so the optimiser keeps them
    // in registers across the helper calls; they are written to their slots once, after the last
    // event. With many it adds into the slots: hundreds of values live across the loop were
    // spilled worse than memory is read (the B2B kernel, 39 values, ran about 10% faster in
    // locals; the 1000-rule model's, hundreds, about 40% slower).
    const bool in_registers = 2 * ep.queries.size() + ep.sums.size() + 2 * ep.eaches.size() <= kPassRegisters;
    // Where the pass adds value k of a kind: a local set to `init`, or slot(k) itself.
    auto place = [&](size_t n, Type* t, const char* name, Constant* init, auto slot) {
      std::vector<Value*> v(n);
      for (size_t k = 0; k < n; ++k) {
        if (!in_registers) {
          v[k] = slot(static_cast<int64_t>(k));
          continue;
        }
        v[k] = local(t, name);
        B.CreateStore(init, v[k]);
      }
      return v;
    };
    std::vector<Value*> counts = place(ep.queries.size(), i64, "count", B.getInt64(0), [&](int64_t k) { return count_slot(k); });
    std::vector<Value*> lasts = place(ep.queries.size(), i64, "last", B.getInt64(-1), [&](int64_t k) { return last_slot(k); });
    std::vector<Value*> sums = place(ep.sums.size(), f64, "sum", ConstantFP::get(f64, 0.0), [&](int64_t k) { return sum_slot(k); });
    std::vector<Value*> each_points =
        place(ep.eaches.size(), f64, "points", ConstantFP::get(f64, 0.0), [&](int64_t k) { return points_slot(k); });
    std::vector<Value*> decayed = place(ep.eaches.size(), i64, "decayed", B.getInt64(0), [&](int64_t k) { return decayed_slot(k); });
    AllocaInst* begin = B.CreateAlloca(i64, nullptr, "begin");
    AllocaInst* end = B.CreateAlloca(i64, nullptr, "end");
    AllocaInst* idx = B.CreateAlloca(i64, nullptr, "idx");
    B.CreateCall(window_, {events(), n_events(), as_of(), ConstantFP::get(f64, ep.widest), begin, end});
    B.CreateStore(B.CreateLoad(i64, begin), idx);
    Value* stop = B.CreateLoad(i64, end);
    Value* as_of_f = B.CreateSIToFP(as_of(), f64);
    BasicBlock* head = block("pass.head");
    BasicBlock* body = block("pass.body");
    BasicBlock* exit = block("pass.exit");
    B.CreateBr(head);
    B.SetInsertPoint(head);
    Value* i = B.CreateLoad(i64, idx);
    B.CreateCondBr(B.CreateICmpSLT(i, stop), body, exit);
    B.SetInsertPoint(body);
    Value* ev = event_at(i);
    event_ = B.CreateLoad(ptr, B.CreateGEP(i8, ev, B.getInt64(RB_EVENT_FIELDS)));
    Value* t = B.CreateLoad(i64, B.CreateGEP(i8, ev, B.getInt64(RB_EVENT_TIME)));
    Value* tf = B.CreateSIToFP(t, f64);
    std::vector<Value*> accepted(ep.filters.size(), nullptr), in(ep.queries.size(), nullptr);
    for (size_t q = 0; q < ep.queries.size(); ++q) {
      const plan::Query& query = ep.queries[q];
      size_t f = static_cast<size_t>(query.filter);
      Value*& a = accepted[f];
      if (!a) a = filter_accepts(ep.filters[f], ep.filter_widest[f], ep.widest, tf, as_of_f);
      Value* ok = a;
      if (query.window >= 0)
        ok = B.CreateAnd(ok, B.CreateFCmpOGE(tf, B.CreateFSub(as_of_f, ConstantFP::get(f64, query.window * kMs))));
      in[q] = ok;
      Value* c = counts[q];
      B.CreateStore(B.CreateAdd(B.CreateLoad(i64, c), B.CreateZExt(ok, i64)), c);
      Value* l = lasts[q];
      B.CreateStore(B.CreateSelect(ok, i, B.CreateLoad(i64, l)), l);
    }
    for (size_t s = 0; s < ep.sums.size(); ++s) {
      const plan::Sum& sum = ep.sums[s];
      TypeKind ft = m_.event.fields[static_cast<size_t>(sum.field)].type.kind;
      LVal f = load_value(event_, sum.field, ft);
      Value* slot = sums[s];
      Value* old = B.CreateLoad(f64, slot);
      Value* add = B.CreateFAdd(old, as_double(f, ft));
      B.CreateStore(B.CreateSelect(B.CreateAnd(in[static_cast<size_t>(sum.query)], f.present), add, old), slot);
    }
    for (size_t e = 0; e < ep.eaches.size(); ++e) {
      const plan::Each& each = ep.eaches[e];
      const plan::Score& score = p_.scores[static_cast<size_t>(each.score)];
      double points = score.rules[static_cast<size_t>(each.rule)].points;
      const check::Decay& decay = p_.objects.decays[static_cast<size_t>(score.decay)];
      Value* pts = each_points[e];
      Value* hit_now = in[static_cast<size_t>(each.query)];
      if (decay.kind == check::Decay::Kind::None) {
        Value* old = B.CreateLoad(f64, pts);
        Value* add = B.CreateFAdd(old, B.CreateFMul(ConstantFP::get(f64, points), ConstantFP::get(f64, 1.0)));
        B.CreateStore(B.CreateSelect(hit_now, add, old), pts);
        continue;
      }
      // Decay needs a call per matching event: only then.
      BasicBlock* hit = block("pass.decay");
      BasicBlock* next = block("pass.next");
      B.CreateCondBr(hit_now, hit, next);
      B.SetInsertPoint(hit);
      Value* f = B.CreateCall(decay_, {address(&m_.scores[static_cast<size_t>(each.score)].decay), B.CreateSub(as_of(), t)});
      Value* dec = decayed[e];
      B.CreateStore(B.CreateOr(B.CreateLoad(i64, dec), B.CreateZExt(B.CreateFCmpOLT(f, ConstantFP::get(f64, 1.0)), i64)), dec);
      B.CreateStore(B.CreateFAdd(B.CreateLoad(f64, pts), B.CreateFMul(ConstantFP::get(f64, points), f)), pts);
      B.CreateBr(next);
      B.SetInsertPoint(next);
    }
    event_ = nullptr;
    B.CreateStore(B.CreateAdd(i, B.getInt64(1)), idx);
    B.CreateBr(head);
    B.SetInsertPoint(exit);
    if (!in_registers) return;
    for (size_t q = 0; q < ep.queries.size(); ++q) {
      B.CreateStore(B.CreateLoad(i64, counts[q]), count_slot(static_cast<int64_t>(q)));
      B.CreateStore(B.CreateLoad(i64, lasts[q]), last_slot(static_cast<int64_t>(q)));
    }
    for (size_t k = 0; k < ep.sums.size(); ++k) B.CreateStore(B.CreateLoad(f64, sums[k]), sum_slot(static_cast<int64_t>(k)));
    for (size_t e = 0; e < ep.eaches.size(); ++e) {
      B.CreateStore(B.CreateLoad(f64, each_points[e]), points_slot(static_cast<int64_t>(e)));
      B.CreateStore(B.CreateLoad(i64, decayed[e]), decayed_slot(static_cast<int64_t>(e)));
    }
  }
  // Whether the event in event_ passes `filter` (an i1), testing it only when the event is
  // within `window` seconds of as-of (EventPlan::filter_widest; -1: any time) unless the
  // pass's own range, `widest`, is no wider; elsewhere the answer is false, as no query of the
  // filter counts the event.
  Value* filter_accepts(const plan::Program& filter, double window, double widest, Value* tf, Value* as_of_f) {
    if (window < 0 || (widest >= 0 && window >= widest))
      return B.CreateICmpEQ(condition(filter), tri(kTriTrue));
    BasicBlock* before = B.GetInsertBlock();
    BasicBlock* test = block("filter.test");
    BasicBlock* join = block("filter.join");
    B.CreateCondBr(B.CreateFCmpOGE(tf, B.CreateFSub(as_of_f, ConstantFP::get(f64, window * kMs))), test, join);
    B.SetInsertPoint(test);
    Value* passed = B.CreateICmpEQ(condition(filter), tri(kTriTrue));
    BasicBlock* tested = B.GetInsertBlock();
    B.CreateBr(join);
    B.SetInsertPoint(join);
    PHINode* phi = B.CreatePHI(B.getInt1Ty(), 2);
    phi->addIncoming(B.getFalse(), before);
    phi->addIncoming(passed, tested);
    return phi;
  }
  Value* field(CallField k, Type* t) { return B.CreateLoad(t, B.CreateStructGEP(callTy, call_arg_, k)); }

  Value* smax(Value* a, Value* b) { return B.CreateSelect(B.CreateICmpSGT(a, b), a, b); }
  Value* smin(Value* a, Value* b) { return B.CreateSelect(B.CreateICmpSLT(a, b), a, b); }
  Value* tri(int t) { return ConstantInt::get(i8, t); }
  Value* tri_of(Value* present, Value* truth) {
    return B.CreateSelect(present, B.CreateZExt(truth, i8), tri(kTriUnknown));
  }
  // A model object, read from RbCall::refs (never a baked-in address).
  Value* address(const void* p) {
    auto it = ref_index_.find(p);
    if (it == ref_index_.end()) throw std::logic_error("lowering: an object missing from referenced_objects");
    return B.CreateLoad(ptr, B.CreateGEP(ptr, refs(), B.getInt64(it->second)));
  }
  AllocaInst* local(Type* t, const char* name) {
    IRBuilder<> eb(entry_, entry_->begin());
    return eb.CreateAlloca(t, nullptr, name);
  }
  BasicBlock* block(const char* name) { return BasicBlock::Create(C, name, fn_); }

  // Index of the first item whose condition is true (a null condition is true), else -1;
  // nothing when `gate` is false. Stops at the first true one, as the interpreter does.
  Value* first_true(size_t n, const std::function<Value*(size_t)>& is_true, Value* gate) {
    AllocaInst* result = local(i64, "first");
    B.CreateStore(B.getInt64(-1), result);
    BasicBlock* done = block("first.done");
    if (gate) {
      BasicBlock* go = block("first.go");
      B.CreateCondBr(gate, go, done);
      B.SetInsertPoint(go);
    }
    for (size_t i = 0; i < n; ++i) {
      Value* yes = is_true(i);
      if (!yes) {
        B.CreateStore(B.getInt64(static_cast<int64_t>(i)), result);
        B.CreateBr(done);
        B.SetInsertPoint(block("first.dead"));
        break;
      }
      BasicBlock* hit = block("first.hit");
      BasicBlock* next = block("first.next");
      B.CreateCondBr(yes, hit, next);
      B.SetInsertPoint(hit);
      B.CreateStore(B.getInt64(static_cast<int64_t>(i)), result);
      B.CreateBr(done);
      B.SetInsertPoint(next);
    }
    B.CreateBr(done);
    B.SetInsertPoint(done);
    return B.CreateLoad(i64, result);
  }

  std::tuple<Value*, Value*, Value*> live_rule(const plan::Rule& r) {
    Value* fired = B.CreateICmpEQ(condition(p_.programs[static_cast<size_t>(r.program)]), tri(kTriTrue));
    Value* cents = B.CreateSelect(fired, B.getInt64(check::to_cents(r.points)), B.getInt64(0));
    return {cents, B.getInt64(0), B.CreateZExt(fired, i64)};
  }

  std::tuple<Value*, Value*, Value*> each_rule(const plan::Rule& r) {
    Value* points = points_slot(r.each);
    Value* count = count_slot(p_.events.eaches[static_cast<size_t>(r.each)].query);
    Value* decayed = B.CreateICmpNE(B.CreateLoad(i64, decayed_slot(r.each)), B.getInt64(0));
    Value* n = B.CreateLoad(i64, count);
    Value* ok = B.CreateAnd(B.CreateICmpNE(n, B.getInt64(0)),
                            B.CreateAnd(B.CreateICmpSGE(n, B.getInt64(r.freq_lo)), B.CreateICmpSLE(n, B.getInt64(r.freq_hi))));
    Value* pts = B.CreateLoad(f64, points);
    Value* capped = B.getFalse();
    if (r.cap) {
      Value* abs = B.CreateUnaryIntrinsic(Intrinsic::fabs, pts);
      capped = B.CreateFCmpOGT(abs, ConstantFP::get(f64, *r.cap));
      Value* limit = B.CreateSelect(B.CreateFCmpOLT(pts, ConstantFP::get(f64, 0.0)), ConstantFP::get(f64, -*r.cap),
                                    ConstantFP::get(f64, *r.cap));
      pts = B.CreateSelect(capped, limit, pts);
    }
    Value* cents = B.CreateSelect(ok, B.CreateCall(cents_, {pts}), B.getInt64(0));
    Value* flags = B.CreateOr(B.getInt64(kRbFired),
                              B.CreateOr(B.CreateShl(B.CreateZExt(capped, i64), 1),
                                         B.CreateShl(B.CreateZExt(decayed, i64), 2)));
    return {cents, n, B.CreateSelect(ok, flags, B.getInt64(0))};
  }

  // Event `i` of the record (an interp::Event, abi.h).
  Value* event_at(Value* i) { return B.CreateGEP(i8, events(), B.CreateMul(i, B.getInt64(RB_EVENT_SIZE))); }

  // Field `index` of an array of the host's values (check::Value, read in place: abi.h).
  LVal load_value(Value* base, int64_t index, TypeKind t) {
    Value* at = B.CreateGEP(i8, base, B.getInt64(index * RB_VALUE_SIZE));
    auto member = [&](int64_t offset) { return B.CreateGEP(i8, at, B.getInt64(offset)); };
    LVal v;
    v.present = B.CreateICmpNE(B.CreateLoad(i8, member(RB_VALUE_KIND)), B.getInt8(0));
    if (t == TypeKind::Bool) v.i = B.CreateZExt(B.CreateLoad(i8, member(RB_VALUE_BOOL)), i64);
    else if (uses_i(t)) v.i = B.CreateLoad(i64, member(RB_VALUE_INT));
    if (uses_d(t)) v.d = B.CreateLoad(f64, member(RB_VALUE_NUM));
    if (t == TypeKind::String) {
      v.s = B.CreateLoad(ptr, member(RB_VALUE_TEXT));
      v.n = B.CreateLoad(i64, member(RB_VALUE_LEN));
    }
    return v;
  }

  // Field `index` of an array of slots the generated code made (RbSlot).
  LVal load_slot(Value* base, int64_t index, TypeKind t) {
    Value* slot = B.CreateGEP(slotTy, base, B.getInt64(index));
    LVal v;
    v.present = B.CreateICmpNE(B.CreateLoad(i64, B.CreateStructGEP(slotTy, slot, kPresent)), B.getInt64(0));
    if (uses_i(t)) v.i = B.CreateLoad(i64, B.CreateStructGEP(slotTy, slot, kI));
    if (uses_d(t)) v.d = B.CreateLoad(f64, B.CreateStructGEP(slotTy, slot, kD));
    if (t == TypeKind::String) {
      v.s = B.CreateLoad(ptr, B.CreateStructGEP(slotTy, slot, kS));
      v.n = B.CreateLoad(i64, B.CreateStructGEP(slotTy, slot, kN));
    }
    return v;
  }

  // An ABI slot holding `v` (for helper calls).
  void store_slot(Value* slot, const LVal& v, TypeKind t) {
    B.CreateStore(B.CreateSelect(v.present, B.getInt64(1 + value_kind(t)), B.getInt64(0)),
                  B.CreateStructGEP(slotTy, slot, kPresent));
    B.CreateStore(v.i ? v.i : B.getInt64(0), B.CreateStructGEP(slotTy, slot, kI));
    B.CreateStore(v.d ? v.d : ConstantFP::get(f64, 0.0), B.CreateStructGEP(slotTy, slot, kD));
    B.CreateStore(v.s ? v.s : ConstantPointerNull::get(cast<PointerType>(ptr)), B.CreateStructGEP(slotTy, slot, kS));
    B.CreateStore(v.n ? v.n : B.getInt64(0), B.CreateStructGEP(slotTy, slot, kN));
  }

  Value* as_double(const LVal& v, TypeKind t) { return uses_d(t) ? v.d : B.CreateSIToFP(v.i, f64); }

  LVal literal(const check::Value& x) {
    using K = check::Value::Kind;
    LVal v;
    v.present = B.getInt1(x.kind != K::Missing);
    switch (x.kind) {
      case K::Bool: v.i = B.getInt64(x.b); break;
      case K::Int:
      case K::Time:
      case K::Enum: v.i = B.getInt64(x.i); break;
      case K::Number:
      case K::Duration: v.d = ConstantFP::get(f64, x.d); break;
      case K::String: {
        Constant* data = ConstantDataArray::getString(C, x.s, false);
        auto* g = new GlobalVariable(*M, data->getType(), true, GlobalValue::PrivateLinkage, data, "str");
        v.s = g;
        v.n = B.getInt64(static_cast<int64_t>(x.s.size()));
        break;
      }
      case K::Missing: break;
    }
    return v;
  }

  // `contains` ignoring case on a needle known here: rb_contains_folded when it takes it (ASCII,
  // 1 to 64 bytes; `folded` is the needle already folded), which checks nothing per call.
  static bool contains_takes_folded(std::string_view needle) {
    return !needle.empty() && needle.size() <= 64 && text::is_ascii(needle);
  }
  Value* contains_folded(const LVal& a, std::string_view folded) {
    LVal lit = literal(check::Value::string(std::string(folded)));
    return B.CreateICmpNE(B.CreateCall(contains_folded_, {a.s, a.n, lit.s, lit.n}), B.getInt64(0));
  }

  // Whether a page matches one of an InPages' globs. Globs of the usual shapes (`*text*`,
  // `text*`, `*text`; text::glob_parts) are taken apart here, once, and become text tests on
  // their literal, tried in order until one holds; any other glob sends the whole test to
  // rb_in_pages, which reads the node's globs and `exact_case`.
  Value* in_pages(const plan::Instr& x, const LVal& a) {
    bool exact = x.op == Opcode::InPagesExact;
    std::vector<text::GlobParts> parts;
    for (const std::string& g : p_.objects.globs[static_cast<size_t>(x.arg)]) {
      parts.push_back(text::glob_parts(g));
      if (parts.back().shape == text::GlobShape::Other)
        return B.CreateICmpNE(B.CreateCall(in_pages_, {address(node(x)), a.s, a.n}), B.getInt64(0));
    }
    AllocaInst* found = local(B.getInt1Ty(), "pages.found");
    B.CreateStore(B.getFalse(), found);
    BasicBlock* done = block("pages.done");
    for (const text::GlobParts& g : parts) {
      int64_t op = 0;
      switch (g.shape) {
        case text::GlobShape::Contains: op = exact ? kRbContainsExact : kRbContains; break;
        case text::GlobShape::Prefix: op = exact ? kRbStartsWithExact : kRbStartsWith; break;
        case text::GlobShape::Suffix: op = exact ? kRbEndsWithExact : kRbEndsWith; break;
        case text::GlobShape::Other: throw std::logic_error("lowering: a glob of no shape");
      }
      Value* hit;
      if (op == kRbContains && contains_takes_folded(g.text)) {
        hit = contains_folded(a, g.text);  // the glob was folded when the model was checked
      } else {
        LVal lit = literal(check::Value::string(std::string(g.text)));
        hit = B.CreateICmpNE(B.CreateCall(text_op_, {B.getInt64(op), a.s, a.n, lit.s, lit.n}), B.getInt64(0));
      }
      B.CreateStore(hit, found);
      BasicBlock* next = &g == &parts.back() ? done : block("pages.next");
      B.CreateCondBr(hit, done, next);
      B.SetInsertPoint(next);
    }
    if (parts.empty()) {
      B.CreateBr(done);
      B.SetInsertPoint(done);
    }
    return B.CreateLoad(B.getInt1Ty(), found);
  }

  // Whole days in a span of milliseconds, rounded down.
  Value* floor_days(Value* ms) {
    const int64_t day = check::kMsPerDay;
    Value* pos = B.CreateSDiv(ms, B.getInt64(day));
    Value* neg = B.CreateNeg(B.CreateSDiv(B.CreateAdd(B.CreateNeg(ms), B.getInt64(day - 1)), B.getInt64(day)));
    return B.CreateSelect(B.CreateICmpSGE(ms, B.getInt64(0)), pos, neg);
  }

  // The interpreter's compare(a, b): < 0, 0 or > 0, as the pair (less, greater) of i1s.
  std::pair<Value*, Value*> compare(const LVal& a, TypeKind at, const LVal& b, TypeKind bt) {
    switch (at) {
      case TypeKind::String: return {B.getFalse(), B.CreateICmpEQ(B.CreateCall(str_ieq_, {a.s, a.n, b.s, b.n}), B.getInt64(0))};
      case TypeKind::Bool:
      case TypeKind::Enum: return {B.getFalse(), B.CreateICmpNE(a.i, b.i)};
      case TypeKind::Int:
      case TypeKind::Number:
      case TypeKind::Time:
      case TypeKind::Duration:
      case TypeKind::Error:
      case TypeKind::Set:
      case TypeKind::Pages: break;
    }
    Value* x = as_double(a, at);
    Value* y = as_double(b, bt);
    return {B.CreateFCmpOLT(x, y), B.CreateFCmpOGT(x, y)};
  }

  Value* cmp_truth(check::Cmp op, std::pair<Value*, Value*> c) {
    auto [lt, gt] = c;
    switch (op) {
      case check::Cmp::Eq: return B.CreateNot(B.CreateOr(lt, gt));
      case check::Cmp::Ne: return B.CreateOr(lt, gt);
      case check::Cmp::Lt: return lt;
      case check::Cmp::Le: return B.CreateNot(gt);
      case check::Cmp::Gt: return gt;
      case check::Cmp::Ge: return B.CreateNot(lt);
    }
    return B.getFalse();
  }

  LVal missing() {
    LVal v;
    v.present = B.getFalse();
    return v;
  }

  // A condition's (known, truth) pair as a tri: 0 false, 1 true, 2 unknown.
  Value* tri_value(const LVal& c) { return tri_of(c.present, B.CreateICmpNE(c.i, B.getInt64(0))); }
  LVal condition_of(Value* known, Value* truth) {
    LVal v;
    v.present = known;
    v.i = B.CreateZExt(truth, i64);
    return v;
  }
  LVal from_tri(Value* t) { return condition_of(B.CreateICmpNE(t, tri(kTriUnknown)), B.CreateICmpEQ(t, tri(kTriTrue))); }
  Value* truth(const LVal& c) { return B.CreateICmpNE(c.i, B.getInt64(0)); }

  // A condition program, as a tri.
  Value* condition(const plan::Program& prog) { return tri_value(program(prog)); }

  // The plan's `and` / `or` in Kleene logic: false (or true) wins, then unknown.
  LVal logic(const LVal& a, const LVal& b, bool is_and) {
    Value* at = truth(a);
    Value* bt = truth(b);
    Value* ad = B.CreateAnd(a.present, is_and ? B.CreateNot(at) : at);  // a decides alone
    Value* bd = B.CreateAnd(b.present, is_and ? B.CreateNot(bt) : bt);
    Value* known = B.CreateOr(B.CreateOr(ad, bd), B.CreateAnd(a.present, b.present));
    Value* t = is_and ? B.CreateNot(B.CreateOr(ad, bd)) : B.CreateOr(ad, bd);
    return condition_of(known, t);
  }

  // A jump over the right side of an `and`/`or`, waiting for the instruction it lands on.
  struct Skip {
    int target;
    BasicBlock* from;
    LVal left;
    BasicBlock* done;
  };

  // Emits a program's instructions in order; returns its last register. A traced program's
  // jumps are not taken when the caller asks for a trace, and its traced registers are stored.
  LVal program(const plan::Program& prog) {
    std::vector<LVal> regs(prog.code.size());
    std::vector<Skip> skips;
    size_t traced = 0;  // prog.trace is in instruction order
    for (size_t i = 0; i < prog.code.size(); ++i) {
      const Instr& x = prog.code[i];
      auto type_of = [&](int k) { return prog.code[static_cast<size_t>(x.in[k])].type; };
      auto reg = [&](int k) -> const LVal& { return regs[static_cast<size_t>(x.in[k])]; };
      if (x.op == Opcode::SkipIfFalse || x.op == Opcode::SkipIfTrue) {
        const LVal& a = reg(0);
        Value* decided = B.CreateAnd(a.present, x.op == Opcode::SkipIfFalse ? B.CreateNot(truth(a)) : truth(a));
        if (!prog.trace.empty()) decided = B.CreateAnd(decided, B.CreateNot(tracing()));
        BasicBlock* rhs = block("logic.rhs");
        BasicBlock* done = block("logic.done");
        skips.push_back({x.arg, B.GetInsertBlock(), a, done});
        B.CreateCondBr(decided, done, rhs);
        B.SetInsertPoint(rhs);
        continue;
      }
      LVal r = instruction(prog, x, type_of, reg);
      if (!skips.empty() && skips.back().target == static_cast<int>(i)) {
        Skip s = skips.back();
        skips.pop_back();
        BasicBlock* rhs_end = B.GetInsertBlock();
        B.CreateBr(s.done);
        B.SetInsertPoint(s.done);
        PHINode* known = B.CreatePHI(i1, 2);
        known->addIncoming(s.left.present, s.from);
        known->addIncoming(r.present, rhs_end);
        PHINode* t = B.CreatePHI(i64, 2);
        t->addIncoming(s.left.i, s.from);
        t->addIncoming(r.i, rhs_end);
        r = condition_of(known, B.CreateICmpNE(t, B.getInt64(0)));
      }
      regs[i] = r;
      if (traced < prog.trace.size() && prog.trace[traced].first == static_cast<int32_t>(i)) {
        int64_t slot = prog.trace[traced++].second;
        when_tracing([&] { store_trace(slot, r, x.type); });
      }
    }
    return regs.empty() ? missing() : regs.back();
  }

  // One instruction; its meaning is Executor::step's (runtime/interp/exec.cc).
  template <typename TypeOf, typename Reg>
  LVal instruction(const plan::Program& prog, const Instr& x, TypeOf type_of, Reg reg) {
    switch (x.op) {
      case Opcode::Const: return literal(p_.objects.constants[static_cast<size_t>(x.arg)]);
      case Opcode::LeadField: return load_value(lead(), x.arg, x.type);
      case Opcode::EventField: return event_ ? load_value(event_, x.arg, x.type) : missing();
      case Opcode::NegInt: {
        LVal a = reg(0);
        // -INT64_MIN does not fit: missing, like every whole-number overflow.
        a.present = B.CreateAnd(a.present, B.CreateICmpNE(a.i, B.getInt64(std::numeric_limits<int64_t>::min())));
        a.i = B.CreateNeg(a.i);
        return a;
      }
      case Opcode::NegNum: {
        LVal a = reg(0);
        a.d = B.CreateFNeg(a.d);
        return a;
      }
      case Opcode::AddInt: return whole(Intrinsic::sadd_with_overflow, reg(0), reg(1));
      case Opcode::SubInt: return whole(Intrinsic::ssub_with_overflow, reg(0), reg(1));
      case Opcode::MulInt: return whole(Intrinsic::smul_with_overflow, reg(0), reg(1));
      case Opcode::AddNum:
      case Opcode::SubNum:
      case Opcode::MulNum:
      case Opcode::DivNum: {
        const LVal &a = reg(0), &b = reg(1);
        Value* xv = as_double(a, type_of(0));
        Value* yv = as_double(b, type_of(1));
        LVal r;
        r.present = B.CreateAnd(a.present, b.present);
        if (x.op == Opcode::AddNum) r.d = B.CreateFAdd(xv, yv);
        if (x.op == Opcode::SubNum) r.d = B.CreateFSub(xv, yv);
        if (x.op == Opcode::MulNum) r.d = B.CreateFMul(xv, yv);
        if (x.op == Opcode::DivNum) {
          r.present = B.CreateAnd(r.present, B.CreateFCmpUNE(yv, ConstantFP::get(f64, 0.0)));
          r.d = B.CreateFDiv(xv, yv);
        }
        Value* finite = B.CreateFCmpONE(B.CreateUnaryIntrinsic(Intrinsic::fabs, r.d), ConstantFP::getInfinity(f64));
        r.present = B.CreateAnd(r.present, finite);
        return r;
      }
      case Opcode::Builtin:
      case Opcode::HostCall: {
        ArrayType* argsTy = ArrayType::get(slotTy, std::max<size_t>(1, x.n));
        AllocaInst* args = local(argsTy, "args");
        AllocaInst* out = local(slotTy, "out");
        for (int k = 0; k < x.n; ++k) store_slot(B.CreateConstGEP2_64(argsTy, args, 0, static_cast<uint64_t>(k)), reg(k), type_of(k));
        llvm::Value* nargs = B.getInt64(x.n);
        if (x.op == Opcode::HostCall) B.CreateCall(host_call_, {address(node(x)), args, nargs, scratch(), out});
        else B.CreateCall(call_, {B.getInt64(x.arg), args, nargs, as_of(), scratch(), out});
        return load_slot(out, 0, x.type);
      }
      case Opcode::EmailDomain: {
        const LVal& a = reg(0);
        AllocaInst* out = local(slotTy, "domain");
        B.CreateCall(domain_, {a.s, a.n, scratch(), out});
        LVal r = load_slot(out, 0, TypeKind::String);
        r.present = B.CreateAnd(a.present, r.present);
        return r;
      }
      case Opcode::DaysSinceTime: {
        const LVal& t = reg(0);
        LVal v;
        v.present = t.present;
        v.i = floor_days(B.CreateSub(as_of(), t.i));
        return v;
      }
      case Opcode::CountEvents: {
        LVal v;
        v.present = B.getTrue();
        v.i = B.CreateLoad(i64, count_slot(x.arg));
        return v;
      }
      case Opcode::SumEvents: {
        LVal v;
        v.present = B.getTrue();
        v.d = B.CreateLoad(f64, sum_slot(x.arg));
        return v;
      }
      case Opcode::DaysSinceLast: {
        Value* l = B.CreateLoad(i64, last_slot(x.arg));
        Value* found = B.CreateICmpSGE(l, B.getInt64(0));
        // Read the event's time only when there is one: a lead without events may have no
        // events array (a null pointer), so the load goes through a pointer to as-of instead.
        AllocaInst* no_event = local(i64, "no.event");
        B.CreateStore(as_of(), no_event);
        Value* time = B.CreateGEP(i8, event_at(B.CreateSelect(found, l, B.getInt64(0))), B.getInt64(RB_EVENT_TIME));
        Value* at = B.CreateSelect(found, time, no_event);
        LVal v;
        v.present = found;
        v.i = floor_days(B.CreateSub(as_of(), B.CreateLoad(i64, at)));
        return v;
      }
      case Opcode::AnyEvents: {
        Value* c = B.CreateLoad(i64, count_slot(x.arg));
        return condition_of(B.getTrue(), B.CreateAnd(B.CreateICmpSGE(c, B.getInt64(x.lo)), B.CreateICmpSLE(c, B.getInt64(x.hi))));
      }
      case Opcode::ScoreRef:
      case Opcode::TotalRef: {
        Value* c = x.op == Opcode::ScoreRef ? B.CreateLoad(i64, B.CreateGEP(i64, field(kScores, ptr), B.getInt64(x.arg)))
                                            : field(kTotal, i64);
        LVal v;
        v.present = B.getTrue();
        v.d = B.CreateFDiv(B.CreateSIToFP(c, f64), ConstantFP::get(f64, 100.0));
        return v;
      }
      case Opcode::Not: {
        const LVal& a = reg(0);
        return condition_of(a.present, B.CreateNot(truth(a)));
      }
      case Opcode::And: return logic(reg(0), reg(1), true);
      case Opcode::Or: return logic(reg(0), reg(1), false);
      case Opcode::Compare: {
        const LVal &a = reg(0), &b = reg(1);
        return condition_of(B.CreateAnd(a.present, b.present), cmp_truth(x.cmp, compare(a, type_of(0), b, type_of(1))));
      }
      case Opcode::IsMissing: {
        const LVal& a = reg(0);
        return condition_of(B.getTrue(), x.neg ? a.present : B.CreateNot(a.present));
      }
      case Opcode::InText: {
        const LVal& a = reg(0);
        Value* found = B.CreateICmpNE(B.CreateCall(in_strings_, {address(node(x)), a.s, a.n}), B.getInt64(0));
        return condition_of(a.present, x.neg ? B.CreateNot(found) : found);
      }
      case Opcode::InList: {
        const LVal& a = reg(0);
        TypeKind t = type_of(0);
        Value* found = B.getFalse();
        for (const check::Value& item : p_.objects.value_sets[static_cast<size_t>(x.arg)]) {
          LVal v = literal(item);
          TypeKind it = t == TypeKind::Bool || t == TypeKind::Enum ? t
                        : item.kind == check::Value::Kind::Int ? TypeKind::Int : TypeKind::Number;
          if (item.kind == check::Value::Kind::Duration) it = TypeKind::Duration;
          found = B.CreateOr(found, cmp_truth(check::Cmp::Eq, compare(a, t, v, it)));
        }
        return condition_of(a.present, x.neg ? B.CreateNot(found) : found);
      }
      case Opcode::InPages:
      case Opcode::InPagesExact: {
        const LVal& a = reg(0);
        Value* found = in_pages(x, a);
        return condition_of(a.present, x.neg ? B.CreateNot(found) : found);
      }
      case Opcode::Between: {
        const LVal &a = reg(0), &lo = reg(1), &hi = reg(2);
        TypeKind at = type_of(0), lt = type_of(1), ht = type_of(2);
        Value* in = B.CreateAnd(cmp_truth(check::Cmp::Le, compare(lo, lt, a, at)), cmp_truth(check::Cmp::Le, compare(a, at, hi, ht)));
        Value* present = B.CreateAnd(a.present, B.CreateAnd(lo.present, hi.present));
        return condition_of(present, x.neg ? B.CreateNot(in) : in);
      }
      case Opcode::Contains:
      case Opcode::StartsWith:
      case Opcode::EndsWith: {
        const LVal &a = reg(0), &b = reg(1);
        const Instr& needle = prog.code[static_cast<size_t>(x.in[1])];
        if (x.op == Opcode::Contains && needle.op == Opcode::Const) {
          const check::Value& lit = p_.objects.constants[static_cast<size_t>(needle.arg)];
          if (lit.kind == check::Value::Kind::String && contains_takes_folded(lit.s))
            return condition_of(a.present, contains_folded(a, text::fold_case(lit.s)));
        }
        int64_t op = x.op == Opcode::Contains ? kRbContains : x.op == Opcode::StartsWith ? kRbStartsWith : kRbEndsWith;
        Value* r = B.CreateCall(text_op_, {B.getInt64(op), a.s, a.n, b.s, b.n});
        return condition_of(B.CreateAnd(a.present, b.present), B.CreateICmpNE(r, B.getInt64(0)));
      }
      case Opcode::ContainsExact: {
        const LVal &a = reg(0), &b = reg(1);
        Value* r = B.CreateCall(text_op_, {B.getInt64(kRbContainsExact), a.s, a.n, b.s, b.n});
        return condition_of(B.CreateAnd(a.present, b.present), B.CreateICmpNE(r, B.getInt64(0)));
      }
      case Opcode::StartsWithExact:
      case Opcode::EndsWithExact: {
        const LVal &a = reg(0), &b = reg(1);
        const Instr& needle = prog.code[static_cast<size_t>(x.in[1])];
        const check::Value* lit = needle.op == Opcode::Const ? &p_.objects.constants[static_cast<size_t>(needle.arg)] : nullptr;
        if (lit && lit->kind != check::Value::Kind::String) lit = nullptr;
        return condition_of(B.CreateAnd(a.present, b.present), affix_exact(a, b, x.op == Opcode::EndsWithExact, lit));
      }
      case Opcode::Matches: {
        const LVal& a = reg(0);
        Value* r = B.CreateCall(regex_, {address(node(x)), a.s, a.n});
        return condition_of(a.present, B.CreateICmpNE(r, B.getInt64(0)));
      }
      case Opcode::TimeWithin: {
        const LVal& t = reg(0);
        Value* from = B.CreateFSub(B.CreateSIToFP(as_of(), f64), ConstantFP::get(f64, x.d * kMs));
        Value* in = B.CreateAnd(B.CreateFCmpOGE(B.CreateSIToFP(t.i, f64), from), B.CreateICmpSLE(t.i, as_of()));
        return condition_of(t.present, in);
      }
      case Opcode::Truthy: {
        const LVal& v = reg(0);
        return condition_of(v.present, B.CreateICmpNE(v.i, B.getInt64(0)));
      }
      case Opcode::Define:
        return from_tri(B.CreateCall(define_fns_.at(static_cast<size_t>(x.arg)), {call_arg_, qi_, qd_}));
      case Opcode::SkipIfFalse:
      case Opcode::SkipIfTrue: break;  // program() turns jumps into branches
    }
    return missing();
  }

  // Whether text `a` starts (or, `at_end`, ends) with `b`, byte for byte, in place: a length
  // check, then the bytes compared, unrolled when `b` is a literal of at most 16 bytes, and no
  // helper call. False when either is missing (the caller makes that unknown).
  Value* affix_exact(const LVal& a, const LVal& b, bool at_end, const check::Value* literal) {
    Value* fits = B.CreateAnd(B.CreateAnd(a.present, b.present), B.CreateICmpUGE(a.n, b.n));
    Value* start = at_end ? B.CreateSub(a.n, b.n) : B.getInt64(0);
    AllocaInst* result = local(i1, "affix");
    B.CreateStore(B.getFalse(), result);
    BasicBlock* compare = block("affix.compare");
    BasicBlock* done = block("affix.done");
    B.CreateCondBr(fits, compare, done);
    B.SetInsertPoint(compare);
    if (literal && literal->s.size() <= 16) {
      Value* same = B.getTrue();
      for (size_t k = 0; k < literal->s.size(); ++k) {
        Value* c = B.CreateLoad(i8, B.CreateGEP(i8, a.s, B.CreateAdd(start, B.getInt64(static_cast<int64_t>(k)))));
        same = B.CreateAnd(same, B.CreateICmpEQ(c, B.getInt8(static_cast<uint8_t>(literal->s[k]))));
      }
      B.CreateStore(same, result);
      B.CreateBr(done);
    } else {
      AllocaInst* idx = local(i64, "affix.i");
      B.CreateStore(B.getInt64(0), idx);
      BasicBlock* head = block("affix.head");
      BasicBlock* body = block("affix.body");
      BasicBlock* next = block("affix.next");
      BasicBlock* all = block("affix.all");
      B.CreateBr(head);
      B.SetInsertPoint(head);
      Value* i = B.CreateLoad(i64, idx);
      B.CreateCondBr(B.CreateICmpULT(i, b.n), body, all);
      B.SetInsertPoint(body);
      Value* ca = B.CreateLoad(i8, B.CreateGEP(i8, a.s, B.CreateAdd(start, i)));
      Value* cb = B.CreateLoad(i8, B.CreateGEP(i8, b.s, i));
      B.CreateCondBr(B.CreateICmpEQ(ca, cb), next, done);  // a difference: false, as stored
      B.SetInsertPoint(next);
      B.CreateStore(B.CreateAdd(i, B.getInt64(1)), idx);
      B.CreateBr(head);
      B.SetInsertPoint(all);
      B.CreateStore(B.getTrue(), result);
      B.CreateBr(done);
    }
    B.SetInsertPoint(done);
    return B.CreateLoad(i1, result);
  }

  // A whole-number operation: missing when an operand is, or when the result does not fit.
  LVal whole(Intrinsic::ID id, const LVal& a, const LVal& b) {
    LVal r;
    Value* res = B.CreateBinaryIntrinsic(id, a.i, b.i);
    r.i = B.CreateExtractValue(res, 0);
    r.present = B.CreateAnd(B.CreateAnd(a.present, b.present), B.CreateNot(B.CreateExtractValue(res, 1)));
    return r;
  }

  // The checked node an instruction computes: the object compiled code reaches through refs.
  const Node* node(const Instr& x) const { return nodes_.at(static_cast<size_t>(x.node)); }

  const check::CheckedModel& m_;
  plan::Plan p_;
  LLVMContext& C;
  std::unique_ptr<Module> M;
  IRBuilder<> B;
  Type *i1, *i8, *i64, *f64, *ptr;
  StructType *slotTy, *ruleTy, *callTy;
  FunctionCallee window_, decay_, cents_, str_ieq_, text_op_, contains_folded_, in_strings_, in_pages_, regex_, domain_, call_, host_call_;
  Function* fn_ = nullptr;
  BasicBlock* entry_ = nullptr;
  std::unordered_map<int, Value*> inputs_;  // the current function's loaded inputs
  std::unordered_map<const void*, int64_t> ref_index_;
  std::vector<const Node*> nodes_;  // the checked model's nodes, by index
  Value* event_ = nullptr;  // the current event's first slot, inside an event filter
  Value* call_arg_ = nullptr;  // the current function's RbCall*
  Value *qi_ = nullptr, *qd_ = nullptr;  // the event pass's results
  std::vector<Function*> define_fns_;  // by define slot
};

}  // namespace

std::unique_ptr<llvm::Module> lower(const check::CheckedModel& m, llvm::LLVMContext& ctx) { return Lowerer(m, ctx).run(); }

}  // namespace rubric::lower
