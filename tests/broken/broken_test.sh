#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The broken-input corpus (tests/broken/cases, listed in manifest.tsv): every file is scored on
# every back end and on one and two threads. Checks that Rubric never crashes (exit 0, 1 or 2;
# 2 only for files the manifest calls fatal), that every record gets exactly one output row
# (or, with --on-error skip, scored rows plus reported errors make the record count), that the
# summary adds up, and that every back end and thread count gives the same bytes.
# Usage: broken_test.sh RUBRIC_BINARY REPO_ROOT
set -u
ROOT="$(cd "$2" && pwd)"
. "$ROOT/tests/cli/lib.sh"
RUBRIC="$(abs "$1")"
DIR=tests/broken
AS_OF=2026-11-01

# The corpus is what its seeded generator writes.
if /usr/bin/python3 "$DIR/make_corpus.py" "$TMP/gen" >/dev/null; then
  diff -r "$DIR/cases" "$TMP/gen/cases" >/dev/null && cmp -s "$DIR/manifest.tsv" "$TMP/gen/manifest.tsv" \
    && ok || fail "tests/broken/cases differ from what make_corpus.py writes (run it and commit the result)"
else
  fail "make_corpus.py failed"
fi

# summary FILE: "S E" from the last "S scored, E errors" line of a run's stderr, or nothing.
summary() { sed -n 's/^\([0-9]*\) scored, \([0-9]*\) errors\{0,1\}\( (\([0-9]*\) skipped)\)\{0,1\}$/\1 \2 \4/p' "$1" | tail -1; }

# run NAME ARGS...: scores one file, keeping stdout, stderr and the exit code; a crash or an
# exit code other than 0, 1 and 2 fails at once.
run() {
  local name="$1"
  shift
  timeout 120 "$RUBRIC" score "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  echo $? >"$TMP/$name.rc"
}

cases=0
while IFS=$'\t' read -r file model records expect; do
  case "$file" in '#'* | '') continue ;; esac
  cases=$((cases + 1))
  input="$DIR/cases/$file"
  bad=0
  check() {  # check CONDITION MESSAGE: a failure names the file
    if eval "$1"; then ok; else fail "$file: $2"; bad=1; fi
  }
  first=""
  for backend in interp batch jit; do
    for threads in 1 2; do
      r="$backend.$threads"
      run "$r" "$model" --input "$input" --as-of $AS_OF --format jsonl --backend $backend --threads $threads --cache-dir "$TMP/cache"
      rc=$(cat "$TMP/$r.rc")
      if [ "$expect" = fatal ]; then
        check '[ "$rc" -eq 2 ]' "$r: exit $rc, expected 2 (the manifest says the file cannot be read)"
        check '[ ! -s "$TMP/$r.out" ]' "$r: rows written for a file that cannot be read"
        grep -q '^rubric: ' "$TMP/$r.err" && ok || { fail "$file: $r: no message saying why the file cannot be read"; bad=1; }
        continue
      fi
      check '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "$r: exit $rc (signal $((rc > 128 ? rc - 128 : 0)))"
      rows=$(wc -l <"$TMP/$r.out")
      check '[ "$rows" -eq "$records" ]' "$r: $rows rows for $records records"
      read -r scored errors _ <<<"$(summary "$TMP/$r.err")"
      check '[ -n "${scored:-}" ] && [ $((scored + errors)) -eq "$records" ]' \
        "$r: summary '$(tail -1 "$TMP/$r.err")' does not add up to $records records"
      good=$(grep -c '"error":null}\?$' "$TMP/$r.out")
      check '[ "$good" -eq "${scored:-x}" ]' "$r: $good rows without an error, the summary says ${scored:-?} scored"
      check '[ "$rc" -eq $(( ${errors:-0} > 0 ? 1 : 0 )) ]' "$r: exit $rc with ${errors:-?} errors"
      if [ -z "$first" ]; then
        first="$r"
      else
        check 'cmp -s "$TMP/$first.out" "$TMP/$r.out"' "--backend $backend --threads $threads output differs from $first"
      fi
    done
  done
  [ "$expect" = fatal ] && continue
  # --on-error skip: only the scored rows, every error still counted.
  run skip "$model" --input "$input" --as-of $AS_OF --format jsonl --on-error skip --threads 2
  read -r scored errors skipped <<<"$(summary "$TMP/skip.err")"
  rows=$(wc -l <"$TMP/skip.out")
  check '[ -n "${scored:-}" ] && [ "$rows" -eq "$scored" ] && [ $((rows + errors)) -eq "$records" ]' \
    "--on-error skip: $rows rows and ${errors:-?} errors for $records records"
  check '[ "${errors:-0}" -eq 0 ] || [ "${skipped:-0}" -eq "$errors" ]' "--on-error skip: ${skipped:-0} skipped of ${errors:-?} errors"
  # CSV output: one header line and a row per record (values with line breaks are quoted).
  run csv "$model" --input "$input" --as-of $AS_OF --threads 1
  rc=$(cat "$TMP/csv.rc")
  check '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "CSV output: exit $rc"
  n=$(/usr/bin/python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="latin-1"))) - 1)' "$TMP/csv.out" 2>/dev/null)
  check '[ "${n:-x}" = "$records" ]' "CSV output: ${n:-unreadable} rows for $records records"
  [ "$bad" -eq 0 ] || sed 's/^/  | /' "$TMP/interp.1.err" | tail -4
done <"$DIR/manifest.tsv"

[ "$cases" -ge 100 ] && ok || fail "only $cases cases in the manifest"
echo "$cases files"
finish
