#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# librubric_runtime.so runs compiled models without the parser, the checker, ANTLR or LLVM:
# ldd and nm show none of them (and show them in librubric.so, so the test can see them; it
# exports none of LLVM's symbols), a
# compiled model scores through it, and a model's text is refused with A0002. Prints both
# libraries' sizes, as built and stripped.
#   runtime_deps_test.sh RUNTIME_LIB FULL_LIB RUBRIC AOT_HOST ROOT
set -u
RUNTIME=$1 FULL=$2 RUBRIC=$3 HOST=$4 ROOT=$5
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
# What reads a model's text: the parser, ANTLR's runtime, the checker, the driver's compile.
FRONT_END='antlr4::|rubric_antlr::|rubric::parse::|rubric::check::Checker|rubric::driver::compile|rubric::lint::'
check "librubric_runtime needs no ANTLR and no LLVM (ldd)" "! ldd '$RUNTIME' | grep -qiE 'antlr|LLVM'"
check "librubric_runtime has no parser, checker or ANTLR code (nm)" "! nm -C '$RUNTIME' | grep -qE '$FRONT_END'"
check "librubric_runtime has no LLVM code (nm)" "! nm -C '$RUNTIME' | grep -q 'llvm::'"
check "librubric does link ANTLR (ldd), so the test can see it" "ldd '$FULL' | grep -qi antlr"
# LLVM is linked into librubric statically (RUBRIC_LLVM_STATIC, the default), or as libLLVM.
check "librubric does have LLVM code (nm or ldd), so the test can see it" "nm -C '$FULL' | grep -q 'llvm::' || ldd '$FULL' | grep -qi LLVM"
# ... and exports none of it: a product that loads another LLVM too must not get this one's.
check "librubric exports no LLVM symbol (nm -D)" "! nm -DC --defined-only '$FULL' | grep -q 'llvm::'"
check "librubric does have the parser and the checker (nm)" "nm -C '$FULL' | grep -qE 'rubric::parse::' && nm -C '$FULL' | grep -q 'rubric::check::Checker'"
# It runs a compiled model (with its own functions: none) ...
"$RUBRIC" build "$ROOT/examples/b2b/b2b.rubric" -o "$TMP/b2b.so" >/dev/null 2>&1
"$HOST" "$TMP/b2b.so" "$ROOT/examples/b2b/leads.jsonl" 2026-11-01 >"$TMP/out" 2>"$TMP/err"
check "a compiled model scores through librubric_runtime" "[ \$(wc -l <'$TMP/out') -ge 300 ]"
# ... and says what to do with a model's text.
"$HOST" "$ROOT/examples/b2b/b2b.rubric" "$ROOT/examples/b2b/leads.jsonl" 2026-11-01 >/dev/null 2>"$TMP/err"
check "a model's text is refused with A0002, saying to compile it" "grep -q 'error\[A0002\]' '$TMP/err' && grep -q 'rubric build' '$TMP/err'"
for lib in "$RUNTIME" "$FULL"; do
  strip --strip-unneeded -o "$TMP/stripped.so" "$lib"
  echo "size: $(basename "$lib") $(stat -L -c %s "$lib") bytes as built, $(stat -c %s "$TMP/stripped.so") stripped"
done
exit $fail
