#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs Rubric into a temporary prefix, builds examples/embed against it as a separate CMake
# project with find_package(rubric), and runs its programs (one with a model compiled ahead of
# time and linked in). Usage: installed_test.sh BUILD_DIR REPO
set -euo pipefail
BUILD="$1"
ROOT="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
test -f "$TMP/prefix/include/rubric/rubric.h" && test -f "$TMP/prefix/lib/cmake/rubric/rubricConfig.cmake"
test -x "$TMP/prefix/bin/rubric" && test -f "$TMP/prefix/lib/librubric_runtime.so"
cmake -S "$ROOT/examples/embed" -B "$TMP/build" -G Ninja -DCMAKE_PREFIX_PATH="$TMP/prefix" >/dev/null
cmake --build "$TMP/build" >/dev/null
out=$("$TMP/build/score_leads" "$ROOT/examples/b2b/b2b.rubric" "$ROOT/examples/b2b/leads.jsonl")
echo "$out"
[ "$out" = "300 leads scored, 45 hot" ]
out=$("$TMP/build/score_leads_c" "$ROOT/examples/b2b/b2b.rubric")
echo "$out"
[ "$out" = "total 35.00, temperature cold" ]
# The model compiled ahead of time by rubric_add_model, in a program without LLVM.
ldd "$TMP/build/score_compiled" >"$TMP/ldd"
if grep -qi llvm "$TMP/ldd"; then echo "score_compiled loads LLVM"; exit 1; fi
out=$("$TMP/build/score_compiled" "$ROOT/examples/b2b/leads.jsonl")
echo "$out"
[ "$out" = "300 leads scored, 45 hot" ]
echo "1 passed, 0 failed"
