// SPDX-License-Identifier: Apache-2.0
// Lowers a CheckedModel to LLVM IR. Values become (present, payload) pairs, conditions
// three-valued i8s (0 false, 1 true, 2 unknown), behaviours loops over the events in their
// window. Each construct follows runtime/interp/interp.cc step for step.
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

namespace rubric::lower {

using check::Node;
using check::Op;
using check::TypeKind;

namespace {

using namespace llvm;

constexpr int kTriFalse = 0, kTriTrue = 1, kTriUnknown = 2;
// Field numbers of RbSlot and RbCall.
enum SlotField { kI, kD, kS, kN, kPresent };
enum CallField { kLead, kEvents, kTimes, kNEvents, kAsOf, kScratch, kRefs, kScores, kTiers, kRules, kTotal, kDisq };

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
    default: return int64_t(K::Missing);
  }
}

bool uses_i(TypeKind t) { return t == TypeKind::Bool || t == TypeKind::Int || t == TypeKind::Time || t == TypeKind::Enum; }
bool uses_d(TypeKind t) { return t == TypeKind::Number || t == TypeKind::Duration; }

class Lowerer {
 public:
  Lowerer(const check::CheckedModel& m, LLVMContext& ctx)
      : m_(m), C(ctx), M(std::make_unique<Module>("rubric_model", ctx)), B(ctx) {
    i1 = Type::getInt1Ty(C);
    i8 = Type::getInt8Ty(C);
    i64 = Type::getInt64Ty(C);
    f64 = Type::getDoubleTy(C);
    ptr = PointerType::getUnqual(C);
    slotTy = StructType::create(C, {i64, f64, ptr, i64, i64}, "RbSlot");
    ruleTy = StructType::create(C, {i64, i64, i64}, "RbRuleOut");
    callTy = StructType::create(C, {ptr, ptr, ptr, i64, i64, ptr, ptr, ptr, ptr, ptr, i64, i64}, "RbCall");
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
    in_strings_ = fn("rb_in_strings", i64, {ptr, ptr, i64});
    in_pages_ = fn("rb_in_pages", i64, {ptr, ptr, i64});
    regex_ = fn("rb_regex", i64, {ptr, ptr, i64});
    domain_ = fn("rb_email_domain", Type::getVoidTy(C), {ptr, i64, ptr, ptr});
    call_ = fn("rb_call", Type::getVoidTy(C), {i64, ptr, i64, i64, ptr, ptr});
    host_call_ = fn("rb_host_call", Type::getVoidTy(C), {ptr, ptr, i64, ptr, ptr});
  }

  std::unique_ptr<Module> run() {
    event_fields_ = static_cast<int64_t>(m_.event.fields.size());
    index_event_work();
    // Each define is a function that computes its condition once per lead and keeps the answer
    // in its qi slot (-1 until then), so a define used many times costs one evaluation. Defines
    // come after those they use, so each body finds its callees made.
    for (const Node* d : m_.defines) {
      Function* f = begin_function(fmt_name("define", static_cast<size_t>(d->slot)), i8);
      Value* memo = define_slot(d->slot);
      Value* known = B.CreateLoad(i64, memo);
      BasicBlock* compute = block("define.compute");
      BasicBlock* cached = block("define.cached");
      B.CreateCondBr(B.CreateICmpSGE(known, B.getInt64(0)), cached, compute);
      B.SetInsertPoint(cached);
      B.CreateRet(B.CreateTrunc(known, i8));
      B.SetInsertPoint(compute);
      Value* t = test(d->kids[0]);
      B.CreateStore(B.CreateZExt(t, i64), define_slot(d->slot));
      B.CreateRet(t);
      define_fns_.push_back(f);
    }
    // Each rule and each disqualifier or tier condition is a function of its own: LLVM's
    // passes grow faster than linearly with function size, and a 1000-rule model in one
    // function took seconds to compile.
    std::vector<Function*> rules;
    size_t k = 0;
    for (const check::Score& score : m_.scores) {
      for (const check::Rule& r : score.rules) {
        Function* f = begin_function(fmt_name("rule", k), Type::getVoidTy(C));
        auto [cents, events, flags] = r.each ? each_rule(r) : live_rule(r);
        Value* out = B.CreateGEP(ruleTy, field(kRules, ptr), B.getInt64(static_cast<int64_t>(k++)));
        B.CreateStore(cents, B.CreateStructGEP(ruleTy, out, 0));
        B.CreateStore(events, B.CreateStructGEP(ruleTy, out, 1));
        B.CreateStore(flags, B.CreateStructGEP(ruleTy, out, 2));
        B.CreateRetVoid();
        rules.push_back(f);
      }
    }
    auto condition_function = [&](const Node* cond, const std::string& name) -> Function* {
      if (!cond) return nullptr;
      Function* f = begin_function(name, i8);
      B.CreateRet(test(cond));
      return f;
    };
    std::vector<Function*> disq;
    for (size_t i = 0; i < m_.disqualifiers.size(); ++i)
      disq.push_back(condition_function(m_.disqualifiers[i].cond, fmt_name("disqualify", i)));
    std::vector<std::vector<Function*>> tiers(m_.tier_sets.size());
    for (size_t t = 0; t < m_.tier_sets.size(); ++t)
      for (size_t i = 0; i < m_.tier_sets[t].tiers.size(); ++i)
        tiers[t].push_back(condition_function(m_.tier_sets[t].tiers[i].cond, fmt_name("tier", t * 1000 + i)));

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
    Value* scores_out = field(kScores, ptr);
    Value* tiers_out = field(kTiers, ptr);
    Value* rules_out = field(kRules, ptr);
    k = 0;
    for (size_t s = 0; s < m_.scores.size(); ++s) {
      const check::Score& score = m_.scores[s];
      // Summed in 128 bits, then saturated (check::saturate_cents): no rule count can overflow.
      Value* sum = B.getIntN(128, 0);
      for (size_t r = 0; r < score.rules.size(); ++r, ++k) {
        B.CreateCall(rules[k], {call, qi_, qd_});
        Value* out = B.CreateGEP(ruleTy, rules_out, B.getInt64(static_cast<int64_t>(k)));
        sum = B.CreateAdd(sum, B.CreateSExt(B.CreateLoad(i64, B.CreateStructGEP(ruleTy, out, 0)), B.getIntNTy(128)));
      }
      sum = saturate(sum);
      if (score.floor) sum = smax(sum, B.getInt64(interp_cents(*score.floor)));
      if (score.ceiling) sum = smin(sum, B.getInt64(interp_cents(*score.ceiling)));
      B.CreateStore(sum, B.CreateGEP(i64, scores_out, B.getInt64(static_cast<int64_t>(s))));
    }
    Value* total;
    if (m_.total) {
      LVal t = value(m_.total);  // reads the scores just stored
      Value* c = B.CreateCall(cents_, {as_double(t, m_.total->type.kind)});
      total = B.CreateSelect(t.present, c, B.getInt64(0));
    } else {
      total = B.getIntN(128, 0);
      for (size_t s = 0; s < m_.scores.size(); ++s)
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
  static int64_t interp_cents(double points) { return check::to_cents(points); }

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
  Value* times() { return input(kTimes, ptr); }
  Value* n_events() { return input(kNEvents, i64); }
  Value* as_of() { return input(kAsOf, i64); }
  Value* scratch() { return input(kScratch, ptr); }
  Value* refs() { return input(kRefs, ptr); }

  // The event pass's work: every query (count and last match), every `sum of` and every `each`
  // rule gets a slot in qi (i64) or qd (double).
  void index_event_work() {
    for (const check::EventQuery& q : m_.queries) {
      query_index_[&q] = static_cast<int64_t>(queries_.size());
      queries_.push_back(&q);
    }
    for (const Node& n : m_.nodes)
      if (n.op == Op::SumEvents) {
        sum_index_[&n] = static_cast<int64_t>(sums_.size());
        sums_.push_back(&n);
      }
    for (const check::Score& s : m_.scores)
      for (const check::Rule& r : s.rules)
        if (r.each) {
          each_index_[&r] = static_cast<int64_t>(eaches_.size());
          eaches_.push_back({&r, &s});
        }
  }
  // qi: counts[Q], decayed[R], last[Q], defines[D]; qd: sums[S], points[R].
  size_t qi_size() const { return 2 * queries_.size() + eaches_.size() + m_.defines.size(); }
  // A define's answer for this lead (a tri), or -1 before it is computed.
  Value* define_slot(int slot) { return qi_at(static_cast<int64_t>(2 * queries_.size() + eaches_.size()) + slot); }
  size_t qd_size() const { return sums_.size() + eaches_.size(); }
  Value* qi_at(int64_t i) { return B.CreateGEP(i64, qi_, B.getInt64(i)); }
  Value* qd_at(int64_t i) { return B.CreateGEP(f64, qd_, B.getInt64(i)); }
  Value* count_slot(const check::EventQuery* q) { return qi_at(query_index_.at(q)); }
  Value* last_slot(const check::EventQuery* q) {
    return qi_at(static_cast<int64_t>(queries_.size() + eaches_.size()) + query_index_.at(q));
  }
  Value* decayed_slot(const check::Rule* r) { return qi_at(static_cast<int64_t>(queries_.size()) + each_index_.at(r)); }
  Value* sum_slot(const Node* n) { return qd_at(sum_index_.at(n)); }
  Value* points_slot(const check::Rule* r) { return qd_at(static_cast<int64_t>(sums_.size()) + each_index_.at(r)); }

  // One pass over the events every behaviour can see, oldest first. Each distinct filter is
  // tested once per event; each query adds the events in its window that its filter accepts,
  // in the same order (and with the same arithmetic) as the interpreter's separate passes.
  void event_pass() {
    const DataLayout& dl = M->getDataLayout();
    (void)dl;
    B.CreateMemSet(qi_, B.getInt8(0), B.getInt64(static_cast<int64_t>(8 * (queries_.size() + eaches_.size()))), MaybeAlign(8));
    B.CreateMemSet(B.CreateGEP(i64, qi_, B.getInt64(static_cast<int64_t>(queries_.size() + eaches_.size()))),
                   B.getInt8(0xFF), B.getInt64(static_cast<int64_t>(8 * queries_.size())), MaybeAlign(8));  // last = -1
    B.CreateMemSet(qd_, B.getInt8(0), B.getInt64(static_cast<int64_t>(8 * qd_size())), MaybeAlign(8));  // +0.0
    if (!m_.defines.empty())
      B.CreateMemSet(define_slot(0), B.getInt8(0xFF), B.getInt64(static_cast<int64_t>(8 * m_.defines.size())),
                     MaybeAlign(8));  // not computed yet
    if (queries_.empty()) return;
    double widest = 0;
    for (const check::EventQuery* q : queries_) widest = q->window_seconds < 0 || widest < 0 ? -1 : std::max(widest, q->window_seconds);
    AllocaInst* begin = B.CreateAlloca(i64, nullptr, "begin");
    AllocaInst* end = B.CreateAlloca(i64, nullptr, "end");
    AllocaInst* idx = B.CreateAlloca(i64, nullptr, "idx");
    B.CreateCall(window_, {times(), n_events(), as_of(), ConstantFP::get(f64, widest), begin, end});
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
    event_ = B.CreateGEP(slotTy, events(), B.CreateMul(i, B.getInt64(event_fields_)));
    Value* t = B.CreateLoad(i64, B.CreateGEP(i64, times(), i));
    Value* tf = B.CreateSIToFP(t, f64);
    std::unordered_map<const Node*, Value*> accepted;
    std::unordered_map<const check::EventQuery*, Value*> in;
    for (const check::EventQuery* q : queries_) {
      Value*& a = accepted[q->filter];
      if (!a) a = B.CreateICmpEQ(test(q->filter), tri(kTriTrue));
      Value* ok = a;
      if (q->window_seconds >= 0)
        ok = B.CreateAnd(ok, B.CreateFCmpOGE(tf, B.CreateFSub(as_of_f, ConstantFP::get(f64, q->window_seconds))));
      in[q] = ok;
      Value* c = count_slot(q);
      B.CreateStore(B.CreateAdd(B.CreateLoad(i64, c), B.CreateZExt(ok, i64)), c);
      Value* l = last_slot(q);
      B.CreateStore(B.CreateSelect(ok, i, B.CreateLoad(i64, l)), l);
    }
    for (const Node* n : sums_) {
      TypeKind ft = m_.event.fields[n->slot].type.kind;
      LVal f = load_slot(event_, n->slot, ft);
      Value* sum = sum_slot(n);
      Value* old = B.CreateLoad(f64, sum);
      Value* add = B.CreateFAdd(old, as_double(f, ft));
      B.CreateStore(B.CreateSelect(B.CreateAnd(in.at(n->query), f.present), add, old), sum);
    }
    for (const auto& [r, score] : eaches_) {
      Value* pts = points_slot(r);
      if (score->decay.kind == check::Decay::Kind::None) {
        Value* old = B.CreateLoad(f64, pts);
        Value* add = B.CreateFAdd(old, B.CreateFMul(ConstantFP::get(f64, r->points), ConstantFP::get(f64, 1.0)));
        B.CreateStore(B.CreateSelect(in.at(r->query), add, old), pts);
        continue;
      }
      // Decay needs a call per matching event: only then.
      BasicBlock* hit = block("pass.decay");
      BasicBlock* next = block("pass.next");
      B.CreateCondBr(in.at(r->query), hit, next);
      B.SetInsertPoint(hit);
      Value* f = B.CreateCall(decay_, {address(&score->decay), B.CreateSub(as_of(), t)});
      Value* dec = decayed_slot(r);
      B.CreateStore(B.CreateOr(B.CreateLoad(i64, dec), B.CreateZExt(B.CreateFCmpOLT(f, ConstantFP::get(f64, 1.0)), i64)), dec);
      B.CreateStore(B.CreateFAdd(B.CreateLoad(f64, pts), B.CreateFMul(ConstantFP::get(f64, r->points), f)), pts);
      B.CreateBr(next);
      B.SetInsertPoint(next);
    }
    event_ = nullptr;
    B.CreateStore(B.CreateAdd(i, B.getInt64(1)), idx);
    B.CreateBr(head);
    B.SetInsertPoint(exit);
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

  std::tuple<Value*, Value*, Value*> live_rule(const check::Rule& r) {
    Value* fired = B.CreateICmpEQ(test(r.cond), tri(kTriTrue));
    Value* cents = B.CreateSelect(fired, B.getInt64(interp_cents(r.points)), B.getInt64(0));
    return {cents, B.getInt64(0), B.CreateZExt(fired, i64)};
  }

  std::tuple<Value*, Value*, Value*> each_rule(const check::Rule& r) {
    Value* points = points_slot(&r);
    Value* count = count_slot(r.query);
    Value* decayed = B.CreateICmpNE(B.CreateLoad(i64, decayed_slot(&r)), B.getInt64(0));
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

  Value* floor_days(Value* secs) {
    Value* pos = B.CreateSDiv(secs, B.getInt64(86400));
    Value* neg = B.CreateNeg(B.CreateSDiv(B.CreateAdd(B.CreateNeg(secs), B.getInt64(86399)), B.getInt64(86400)));
    return B.CreateSelect(B.CreateICmpSGE(secs, B.getInt64(0)), pos, neg);
  }

  LVal from_tri(Value* t) {
    LVal v;
    v.present = B.CreateICmpNE(t, tri(kTriUnknown));
    v.i = B.CreateZExt(B.CreateICmpEQ(t, tri(kTriTrue)), i64);
    return v;
  }

  LVal value(const Node* n) {
    switch (n->op) {
      case Op::Literal: return literal(n->lit);
      case Op::LeadField: return load_slot(lead(), n->slot, n->type.kind);
      case Op::EventField:
        if (!event_) return literal(check::Value::missing());
        return load_slot(event_, n->slot, n->type.kind);
      case Op::Neg: {
        LVal a = value(n->kids[0]);
        if (n->type.is(TypeKind::Int)) {
          // -INT64_MIN does not fit: missing, like every whole-number overflow.
          a.present = B.CreateAnd(a.present, B.CreateICmpNE(a.i, B.getInt64(std::numeric_limits<int64_t>::min())));
          a.i = B.CreateNeg(a.i);
        } else {
          a.d = B.CreateFNeg(a.d);
        }
        return a;
      }
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div: return arithmetic(n);
      case Op::Call: {
        ArrayType* argsTy = ArrayType::get(slotTy, std::max<size_t>(1, n->kids.size()));
        AllocaInst* args = local(argsTy, "args");
        AllocaInst* out = local(slotTy, "out");
        for (size_t i = 0; i < n->kids.size(); ++i)
          store_slot(B.CreateConstGEP2_64(argsTy, args, 0, i), value(n->kids[i]), n->kids[i]->type.kind);
        llvm::Value* nargs = B.getInt64(static_cast<int64_t>(n->kids.size()));
        if (n->host) B.CreateCall(host_call_, {address(n), args, nargs, scratch(), out});
        else B.CreateCall(call_, {B.getInt64(n->slot), args, nargs, as_of(), scratch(), out});
        return load_slot(out, 0, n->type.kind);
      }
      case Op::EmailDomain: {
        LVal a = value(n->kids[0]);
        AllocaInst* out = local(slotTy, "domain");
        B.CreateCall(domain_, {a.s, a.n, scratch(), out});
        LVal r = load_slot(out, 0, TypeKind::String);
        r.present = B.CreateAnd(a.present, r.present);
        return r;
      }
      case Op::CountEvents: {
        LVal v;
        v.present = B.getTrue();
        v.i = count(*n->query);
        return v;
      }
      case Op::SumEvents: {
        LVal v;
        v.present = B.getTrue();
        v.d = B.CreateLoad(f64, sum_slot(n));
        return v;
      }
      case Op::DaysSinceLast: {
        Value* l = B.CreateLoad(i64, last_slot(n->query));
        Value* found = B.CreateICmpSGE(l, B.getInt64(0));
        // Read the event's time only when there is one: a lead without events has no times array
        // (a null pointer), so the load goes through a pointer to as-of instead.
        AllocaInst* no_event = local(i64, "no.event");
        B.CreateStore(as_of(), no_event);
        Value* at = B.CreateSelect(found, B.CreateGEP(i64, times(), B.CreateSelect(found, l, B.getInt64(0))), no_event);
        Value* t = B.CreateLoad(i64, at);
        LVal v;
        v.present = found;
        v.i = floor_days(B.CreateSub(as_of(), t));
        return v;
      }
      case Op::DaysSinceTime: {
        LVal t = value(n->kids[0]);
        LVal v;
        v.present = t.present;
        v.i = floor_days(B.CreateSub(as_of(), t.i));
        return v;
      }
      case Op::ScoreRef:
      case Op::TotalRef: {
        Value* c = n->op == Op::ScoreRef ? B.CreateLoad(i64, B.CreateGEP(i64, field(kScores, ptr), B.getInt64(n->slot)))
                                         : field(kTotal, i64);
        LVal v;
        v.present = B.getTrue();
        v.d = B.CreateFDiv(B.CreateSIToFP(c, f64), ConstantFP::get(f64, 100.0));
        return v;
      }
      default: return from_tri(test(n));
    }
  }

  LVal arithmetic(const Node* n) {
    LVal a = value(n->kids[0]), b = value(n->kids[1]);
    LVal r;
    r.present = B.CreateAnd(a.present, b.present);
    if (n->type.is(TypeKind::Int)) {
      Intrinsic::ID id = n->op == Op::Add   ? Intrinsic::sadd_with_overflow
                         : n->op == Op::Sub ? Intrinsic::ssub_with_overflow
                                            : Intrinsic::smul_with_overflow;
      Value* res = B.CreateBinaryIntrinsic(id, a.i, b.i);
      r.i = B.CreateExtractValue(res, 0);
      r.present = B.CreateAnd(r.present, B.CreateNot(B.CreateExtractValue(res, 1)));
      return r;
    }
    Value* x = as_double(a, n->kids[0]->type.kind);
    Value* y = as_double(b, n->kids[1]->type.kind);
    switch (n->op) {
      case Op::Add: r.d = B.CreateFAdd(x, y); break;
      case Op::Sub: r.d = B.CreateFSub(x, y); break;
      case Op::Mul: r.d = B.CreateFMul(x, y); break;
      default:
        r.present = B.CreateAnd(r.present, B.CreateFCmpUNE(y, ConstantFP::get(f64, 0.0)));
        r.d = B.CreateFDiv(x, y);
    }
    Value* finite = B.CreateFCmpONE(B.CreateUnaryIntrinsic(Intrinsic::fabs, r.d), ConstantFP::getInfinity(f64));
    r.present = B.CreateAnd(r.present, finite);
    return r;
  }

  // The interpreter's compare(a, b): < 0, 0 or > 0, as the pair (less, greater) of i1s.
  std::pair<Value*, Value*> compare(const LVal& a, TypeKind at, const LVal& b, TypeKind bt) {
    switch (at) {
      case TypeKind::String: return {B.getFalse(), B.CreateICmpEQ(B.CreateCall(str_ieq_, {a.s, a.n, b.s, b.n}), B.getInt64(0))};
      case TypeKind::Bool:
      case TypeKind::Enum: return {B.getFalse(), B.CreateICmpNE(a.i, b.i)};
      default: {
        Value* x = as_double(a, at);
        Value* y = as_double(b, bt);
        return {B.CreateFCmpOLT(x, y), B.CreateFCmpOGT(x, y)};
      }
    }
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

  Value* count(const check::EventQuery& q) { return B.CreateLoad(i64, count_slot(&q)); }

  // and/or evaluate their right side only when the left does not decide, like the interpreter.
  Value* logic(const Node* n, bool is_and) {
    Value* a = test(n->kids[0]);
    BasicBlock* from = B.GetInsertBlock();
    BasicBlock* rhs = block(is_and ? "and.rhs" : "or.rhs");
    BasicBlock* done = block(is_and ? "and.done" : "or.done");
    Value* decided = B.CreateICmpEQ(a, tri(is_and ? kTriFalse : kTriTrue));
    B.CreateCondBr(decided, done, rhs);
    B.SetInsertPoint(rhs);
    Value* b = test(n->kids[1]);
    Value* both = B.CreateAnd(B.CreateICmpEQ(a, tri(is_and ? kTriTrue : kTriFalse)),
                              B.CreateICmpEQ(b, tri(is_and ? kTriTrue : kTriFalse)));
    Value* r = B.CreateSelect(B.CreateICmpEQ(b, tri(is_and ? kTriFalse : kTriTrue)), b,
                              B.CreateSelect(both, tri(is_and ? kTriTrue : kTriFalse), tri(kTriUnknown)));
    BasicBlock* rhs_end = B.GetInsertBlock();
    B.CreateBr(done);
    B.SetInsertPoint(done);
    PHINode* phi = B.CreatePHI(i8, 2);
    phi->addIncoming(a, from);
    phi->addIncoming(r, rhs_end);
    return phi;
  }

  Value* test(const Node* n) {
    switch (n->op) {
      case Op::Not: {
        Value* t = test(n->kids[0]);
        return B.CreateSelect(B.CreateICmpEQ(t, tri(kTriUnknown)), t, B.CreateXor(t, tri(1)));
      }
      case Op::And: return logic(n, true);
      case Op::Or: return logic(n, false);
      case Op::Compare: {
        LVal a = value(n->kids[0]), b = value(n->kids[1]);
        Value* truth = cmp_truth(n->cmp, compare(a, n->kids[0]->type.kind, b, n->kids[1]->type.kind));
        return tri_of(B.CreateAnd(a.present, b.present), truth);
      }
      case Op::IsMissing: {
        LVal a = value(n->kids[0]);
        return B.CreateZExt(n->negated ? a.present : B.CreateNot(a.present), i8);
      }
      case Op::InSet: {
        LVal a = value(n->kids[0]);
        TypeKind t = n->kids[0]->type.kind;
        Value* found;
        if (t == TypeKind::String) {
          found = B.CreateICmpNE(B.CreateCall(in_strings_, {address(n), a.s, a.n}), B.getInt64(0));
        } else {
          found = B.getFalse();
          for (const check::Value& item : n->set) {
            LVal x = literal(item);
            TypeKind it = t == TypeKind::Bool || t == TypeKind::Enum ? t
                          : item.kind == check::Value::Kind::Int ? TypeKind::Int : TypeKind::Number;
            if (item.kind == check::Value::Kind::Duration) it = TypeKind::Duration;
            found = B.CreateOr(found, cmp_truth(check::Cmp::Eq, compare(a, t, x, it)));
          }
        }
        return tri_of(a.present, n->negated ? B.CreateNot(found) : found);
      }
      case Op::InPages: {
        LVal a = value(n->kids[0]);
        Value* found = B.CreateICmpNE(B.CreateCall(in_pages_, {address(n), a.s, a.n}), B.getInt64(0));
        return tri_of(a.present, n->negated ? B.CreateNot(found) : found);
      }
      case Op::Between: {
        LVal a = value(n->kids[0]), lo = value(n->kids[1]), hi = value(n->kids[2]);
        TypeKind at = n->kids[0]->type.kind, lt = n->kids[1]->type.kind, ht = n->kids[2]->type.kind;
        Value* in = B.CreateAnd(cmp_truth(check::Cmp::Le, compare(lo, lt, a, at)), cmp_truth(check::Cmp::Le, compare(a, at, hi, ht)));
        Value* present = B.CreateAnd(a.present, B.CreateAnd(lo.present, hi.present));
        return tri_of(present, n->negated ? B.CreateNot(in) : in);
      }
      case Op::Contains:
      case Op::StartsWith:
      case Op::EndsWith: {
        LVal a = value(n->kids[0]), b = value(n->kids[1]);
        int64_t op = n->op == Op::Contains ? kRbContains : n->op == Op::StartsWith ? kRbStartsWith : kRbEndsWith;
        Value* r = B.CreateCall(text_op_, {B.getInt64(op), a.s, a.n, b.s, b.n});
        return tri_of(B.CreateAnd(a.present, b.present), B.CreateICmpNE(r, B.getInt64(0)));
      }
      case Op::Matches: {
        LVal a = value(n->kids[0]);
        Value* r = B.CreateCall(regex_, {address(n), a.s, a.n});
        return tri_of(a.present, B.CreateICmpNE(r, B.getInt64(0)));
      }
      case Op::AnyEvents: {
        Value* c = count(*n->query);
        Value* in = B.CreateAnd(B.CreateICmpSGE(c, B.getInt64(n->freq_lo)), B.CreateICmpSLE(c, B.getInt64(n->freq_hi)));
        return B.CreateZExt(in, i8);
      }
      case Op::TimeWithin: {
        LVal t = value(n->kids[0]);
        Value* from = B.CreateFSub(B.CreateSIToFP(as_of(), f64), ConstantFP::get(f64, n->span_seconds));
        Value* in = B.CreateAnd(B.CreateFCmpOGE(B.CreateSIToFP(t.i, f64), from), B.CreateICmpSLE(t.i, as_of()));
        return tri_of(t.present, in);
      }
      case Op::Truthy: {
        LVal v = value(n->kids[0]);
        return tri_of(v.present, B.CreateICmpNE(v.i, B.getInt64(0)));
      }
      case Op::Literal:
        if (n->lit.kind == check::Value::Kind::Bool) return tri(n->lit.b ? kTriTrue : kTriFalse);
        return tri(kTriUnknown);
      case Op::Define: return B.CreateCall(define_fns_.at(static_cast<size_t>(n->slot)), {call_arg_, qi_, qd_});
      default: {
        if (!n->type.is(TypeKind::Bool)) return tri(kTriUnknown);
        LVal v = value(n);
        return tri_of(v.present, B.CreateICmpNE(v.i, B.getInt64(0)));
      }
    }
  }

  const check::CheckedModel& m_;
  LLVMContext& C;
  std::unique_ptr<Module> M;
  IRBuilder<> B;
  Type *i1, *i8, *i64, *f64, *ptr;
  StructType *slotTy, *ruleTy, *callTy;
  FunctionCallee window_, decay_, cents_, str_ieq_, text_op_, in_strings_, in_pages_, regex_, domain_, call_, host_call_;
  Function* fn_ = nullptr;
  BasicBlock* entry_ = nullptr;
  std::unordered_map<int, Value*> inputs_;  // the current function's loaded inputs
  std::unordered_map<const void*, int64_t> ref_index_;
  Value* event_ = nullptr;  // the current event's first slot, inside an event filter
  int64_t event_fields_ = 0;
  Value* call_arg_ = nullptr;  // the current function's RbCall*
  Value *qi_ = nullptr, *qd_ = nullptr;  // the event pass's results
  std::vector<const check::EventQuery*> queries_;
  std::vector<const Node*> sums_;
  std::vector<std::pair<const check::Rule*, const check::Score*>> eaches_;
  std::unordered_map<const check::EventQuery*, int64_t> query_index_;
  std::unordered_map<const Node*, int64_t> sum_index_;
  std::unordered_map<const check::Rule*, int64_t> each_index_;
  std::vector<Function*> define_fns_;  // by define slot
};

}  // namespace

std::unique_ptr<llvm::Module> lower(const check::CheckedModel& m, llvm::LLVMContext& ctx) { return Lowerer(m, ctx).run(); }

}  // namespace rubric::lower
