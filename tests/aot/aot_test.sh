#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Ahead-of-time models: every example built with `rubric build` scores exactly as the JIT and
# the interpreter do, from the CLI, from a C program that links only librubric_runtime (the
# .so loaded, or the .o linked in) and from Python; and a model that cannot run says why.
# Usage: aot_test.sh REPO_ROOT RUBRIC AOT_HOST AOT_LINKED_HOST LIBRUBRIC_RUNTIME LIBRUBRIC
set -u
ROOT="$(cd "$1" && pwd)"
. "$ROOT/tests/cli/lib.sh"
RUBRIC="$(abs "$2")"
HOST="$(abs "$3")"
LINKED_HOST="$(abs "$4")"
RUNTIME_LIB="$(abs "$5")"
FULL_LIB="$(abs "$6")"

# compare_backends NAME MODEL INPUT: the .so against --backend jit and interp, with --explain.
compare_backends() {
  local name="$1" model="$2" input="$3"
  "$RUBRIC" build "$model" -o "$TMP/$name.so" 2>"$TMP/$name.build" && ok || { fail "$name: rubric build"; cat "$TMP/$name.build"; return; }
  contains "$TMP/$name.build" "for $(uname -m)" "$name: build summary names the target"
  "$RUBRIC" score "$TMP/$name.so" --input "$input" --as-of 2026-11-01 --explain -o "$TMP/$name.so.csv" 2>"$TMP/$name.err" \
    && ok || { fail "$name: scoring with the .so"; cat "$TMP/$name.err"; }
  for backend in jit interp; do
    "$RUBRIC" score "$model" --input "$input" --as-of 2026-11-01 --explain --backend $backend -o "$TMP/$name.$backend.csv" 2>/dev/null
    same "$TMP/$name.so.csv" "$TMP/$name.$backend.csv" "$name: the .so against --backend $backend"
  done
  # Two threads give the same rows in the same order.
  "$RUBRIC" score "$TMP/$name.so" --input "$input" --as-of 2026-11-01 --explain --threads 2 -o "$TMP/$name.so2.csv" 2>/dev/null
  same "$TMP/$name.so2.csv" "$TMP/$name.so.csv" "$name: the .so on two threads"
}

refused=0
compare_backends b2b examples/b2b/b2b.rubric examples/b2b/leads.jsonl
same "$TMP/b2b.so.csv" examples/b2b/expected.csv "b2b: the .so against the expected scores"
for data in xeducation:../shared/datasets/x_education_leads/Leads.csv bank:../shared/datasets/uci_bank_marketing/bank-full.csv; do
  name="${data%%:*}" file="${data#*:}"
  if [ -f "$file" ]; then compare_backends "$name" "examples/$name/$name.rubric" "$file"
  else fail "$name: dataset $file not found (../shared must sit beside the repository)"; fi
done

# explain reads a .so too, and says the same as for the source.
"$RUBRIC" explain "$TMP/b2b.so" --input examples/b2b/leads.jsonl --id L0000013 --as-of 2026-11-01 >"$TMP/explain.so" 2>&1 \
  && ok || fail "explain with the .so: exit code"
"$RUBRIC" explain examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --id L0000013 --as-of 2026-11-01 >"$TMP/explain.src" 2>&1 \
  && ok || fail "explain with the source: exit code"
contains "$TMP/explain.so" "temperature: hot" "explain with the .so tells the story"
sed -i "s#$TMP/b2b.so#examples/b2b/b2b.rubric#g; s#b2b.rubric#MODEL#g" "$TMP/explain.so" "$TMP/explain.src"
same "$TMP/explain.so" "$TMP/explain.src" "explain with the .so"

# A C program linked only to librubric_runtime: no LLVM in the process.
# no_llvm FILE NAME: ldd works on FILE and lists no LLVM library, and FILE holds no LLVM code
# (librubric links LLVM statically by default: RUBRIC_LLVM_STATIC).
has_llvm() { nm -C "$1" 2>/dev/null | grep -q 'llvm::' || ldd "$1" 2>/dev/null | grep -qi llvm; }
no_llvm() {
  if ! ldd "$1" >"$TMP/ldd" 2>&1; then fail "$2: ldd failed"; cat "$TMP/ldd"; return; fi
  if has_llvm "$1"; then fail "$2 loads or holds LLVM"; else ok; fi
}
no_llvm "$HOST" "the host program"
no_llvm "$RUNTIME_LIB" "librubric_runtime"
has_llvm "$FULL_LIB" && ok || fail "librubric (the control) should link LLVM"
# The reference: the same library interpreting the model it read back from the .so's bytes.
"$HOST" "$TMP/b2b.so" examples/b2b/leads.jsonl 2026-11-01 interp >"$TMP/host.interp" 2>"$TMP/host.err" && ok || { fail "host: interpreted"; cat "$TMP/host.err"; }
"$HOST" "$TMP/b2b.so" examples/b2b/leads.jsonl 2026-11-01 >"$TMP/host.so" 2>"$TMP/host.err" && ok || { fail "host: .so"; cat "$TMP/host.err"; }
"$LINKED_HOST" linked examples/b2b/leads.jsonl 2026-11-01 >"$TMP/host.linked" 2>"$TMP/host.err" && ok || { fail "host: linked .o"; cat "$TMP/host.err"; }
lines "$TMP/host.so" 300 "host: one result per lead"
same "$TMP/host.so" "$TMP/host.interp" "host: the .so against the interpreter"
same "$TMP/host.linked" "$TMP/host.interp" "host: the linked .o against the interpreter"
contains "$TMP/host.so" '"rules":[{"score":"fit"' "host: results carry their rules"

# Python through ctypes, with either library.
for lib in "$RUNTIME_LIB" "$FULL_LIB"; do
  python3 examples/embed/score.py "$lib" "$TMP/b2b.so" examples/b2b/leads.jsonl >"$TMP/py.out" 2>&1
  contains "$TMP/py.out" "300 leads scored, 45 hot" "python with $(basename "$lib")"
done

# A build tuned for this CPU scores the same.
"$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/native.so" --cpu native 2>/dev/null && ok || fail "build --cpu native"
"$RUBRIC" score "$TMP/native.so" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain -o "$TMP/native.csv" 2>/dev/null
same "$TMP/native.csv" examples/b2b/expected.csv "--cpu native"

# Models that cannot run, and builds that cannot be made, say why (exit 2) and crash nothing.
cp "$TMP/b2b.so" "$TMP/other.so"
python3 - "$TMP/other.so" <<'PY'
import sys
p = sys.argv[1]
data = bytearray(open(p, "rb").read())
at = data.index(b"rubric model format ") + len(b"rubric model format ")
data[at:at + 1] = b"9"  # a compiled-model format this Rubric does not read (ABI 9)
import hashlib  # sealed again with its checksum, as that build's `rubric build` would have
body = bytes(data[:-48])
open(p, "wb").write(body + hashlib.sha256(body).digest() + len(body).to_bytes(8, "little") + b"rbsha256")
PY
expect_exit 2 "a .so of another format" -- "$RUBRIC" score "$TMP/other.so" --input examples/b2b/leads.jsonl
contains "$TMP/err" "is a compiled model of format 9." "another format: message"
# A model whose text holds a line like a key (in a comment) builds and loads: its own key counts.
{ echo '// rubric model format 2.0.0 (rubric 0.0.1)'; cat examples/b2b/b2b.rubric; } >"$TMP/keyish.rubric"
"$RUBRIC" build "$TMP/keyish.rubric" -o "$TMP/keyish.so" 2>"$TMP/err" && ok || { fail "build a model whose comment looks like a key"; cat "$TMP/err"; }
"$RUBRIC" score "$TMP/keyish.so" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain -o "$TMP/keyish.csv" 2>/dev/null && ok \
  || fail "score a model whose comment looks like a key"
same "$TMP/keyish.csv" examples/b2b/expected.csv "a model whose comment looks like a key scores as without it"
expect_exit 2 "a shared object that is not a model" -- "$RUBRIC" score "$RUNTIME_LIB" --input examples/b2b/leads.jsonl
contains "$TMP/err" "not a compiled Rubric model" "not a model: message"
head -c 2000 "$TMP/b2b.so" >"$TMP/cut.so"
expect_exit 2 "a truncated .so" -- "$RUBRIC" score "$TMP/cut.so" --input examples/b2b/leads.jsonl
contains "$TMP/err" "cannot load $TMP/cut.so as a compiled model" "truncated: message"
"$HOST" "$TMP/other.so" examples/b2b/leads.jsonl 2026-11-01 >/dev/null 2>"$TMP/err"; [ $? -eq 2 ] && ok || fail "host: another build"
contains "$TMP/err" "build it again with \`rubric build\`" "host: another build message"
expect_exit 2 "output neither .so nor .o" -- "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/model.bin"
contains "$TMP/err" "name the output .so" "bad output name: message"
expect_exit 2 "an unknown CPU" -- "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/x.so" --cpu pentium9000
contains "$TMP/err" "--cpu pentium9000 is not a CPU LLVM knows" "unknown CPU: message"
expect_exit 2 "--name on a .so" -- "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/x.so" --name m
expect_exit 2 "--name not a C name" -- "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/x.o" --name 9-lives
expect_exit 2 "no C compiler" -- env CC=/nonexistent/cc "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/x.so"
contains "$TMP/err" "cannot run the C compiler" "no C compiler: message"
ls "$TMP"/x.so* >/dev/null 2>&1 && fail "a failed link left files behind: $(ls "$TMP"/x.so*)" || ok
expect_exit 2 "a model with errors" -- "$RUBRIC" build tests/check/fail_five_mistakes.rubric -o "$TMP/x.so"
expect_exit 2 "building a .so" -- "$RUBRIC" build "$TMP/b2b.so" -o "$TMP/y.so"
cp "$TMP/b2b.so" "$TMP/before.so"
for cmd in check lint fmt; do
  expect_exit 2 "$cmd on a .so" -- "$RUBRIC" $cmd "$TMP/b2b.so"
  contains "$TMP/err" "is a compiled model" "$cmd on a .so: message"
done
same "$TMP/b2b.so" "$TMP/before.so" "fmt leaves a .so alone"
# The test sections embedded in a compiled model still run (on its embedded text).
"$RUBRIC" test "$TMP/b2b.so" >"$TMP/test.out" 2>&1 && ok || { fail "rubric test on a .so"; cat "$TMP/test.out"; }
contains "$TMP/test.out" "passed, 0 failed" "rubric test on a .so: the summary"

# A model compiled for a CPU with features this machine lacks is refused, not run into SIGILL.
# Two CPUs whose features few machines have all of: Sapphire Rapids (AVX512-FP16, AMX) and
# Tiger Lake (VP2INTERSECT); each is refused, or runs where the machine has what it needs.
for cpu in sapphirerapids:avx512_fp16 tigerlake:avx512_vp2intersect; do
  name="${cpu%%:*}" flag="${cpu#*:}"
  "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/$name.so" --cpu "$name" 2>/dev/null && ok || fail "build --cpu $name"
  if grep -qw "$flag" /proc/cpuinfo; then
    expect_exit 0 "a $name model on a CPU that has its features" -- "$RUBRIC" score "$TMP/$name.so" --input examples/b2b/leads.jsonl
  else
    refused=$((refused + 1))
    expect_exit 2 "a $name model on another CPU" -- "$RUBRIC" score "$TMP/$name.so" --input examples/b2b/leads.jsonl
    contains "$TMP/err" "was compiled for the CPU $name and uses" "a $name model on another CPU: message"
  fi
done
echo "models refused for their CPU: $refused of 2"

# An object file is not loaded at run time, and the message says what to do with it.
"$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/b2b.o" 2>/dev/null
expect_exit 2 "a .o given to score" -- "$RUBRIC" score "$TMP/b2b.o" --input examples/b2b/leads.jsonl
contains "$TMP/err" "is an object file (.o), which is linked into a program" "a .o given to score: message"
expect_exit 2 "--name that is a libc symbol" -- "$RUBRIC" build examples/b2b/b2b.rubric -o "$TMP/x.o" --name free
contains "$TMP/err" "is already a symbol" "--name free: message"

finish
