#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a RUBRIC_FUZZ build for SECONDS each, on a temporary copy of its
# seed corpus (tests/fuzz/corpus/<target>, never modified) with its dictionary, and exits 1 when
# any target found something (a crash, a broken invariant, a sanitizer report, a leak, a timeout
# or running out of memory), printing the saved input's path. Usage:
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# Environment:
#   RUBRIC_FUZZ_TARGETS  which targets (default: all seven)
#   RUBRIC_FUZZ_ARGS     more libFuzzer flags, e.g. "-jobs=2 -workers=2" (see tests/fuzz/README.md)
#   RUBRIC_FUZZ_CORPUS   keep the working corpora in this folder (one subfolder per target) and
#                        start from them next time, instead of a temporary copy
#   RUBRIC_CLI           the `rubric` used to build fuzz_loader's fresh seed (default:
#                        BUILD_DIR/tools/rubric/rubric, then build/tools/rubric/rubric)
# Findings are saved in BUILD_DIR/fuzz-findings/<target>/; each one fixed becomes a regression
# input in tests/fuzz/regressions/<target>/, which `ctest --test-dir BUILD_DIR` replays.
set -uo pipefail
if [ $# -ne 2 ]; then
  echo "usage: tests/fuzz/run.sh BUILD_DIR SECONDS" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
SECONDS_EACH="$2"
TARGETS=(${RUBRIC_FUZZ_TARGETS:-fuzz_frontend fuzz_jsonl fuzz_csv fuzz_events fuzz_loader fuzz_differential fuzz_input})
EXTRA=(${RUBRIC_FUZZ_ARGS:-})

# Per target: the longest input and the dictionary.
max_len() {
  case "$1" in
    fuzz_frontend) echo 8192 ;;
    fuzz_jsonl | fuzz_csv) echo 4096 ;;
    fuzz_loader) echo 32768 ;;
    fuzz_differential) echo 2048 ;;
    fuzz_input) echo 8192 ;;
  esac
}
dict() {
  case "$1" in
    fuzz_frontend) echo "$HERE/rubric.dict" ;;
    fuzz_jsonl | fuzz_csv) echo "$HERE/records.dict" ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:suppressions=$ROOT/tests/sanitize/lsan.supp:print_suppressions=0"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/$t"
  if [ ! -x "$bin" ]; then
    echo "FAIL $t: $bin is not built (cmake --build $1 --target fuzz)"
    status=1
    continue
  fi
  if [ -n "${RUBRIC_FUZZ_CORPUS:-}" ]; then corpus="$RUBRIC_FUZZ_CORPUS/$t"; else corpus="$WORK/corpus/$t"; fi
  mkdir -p "$corpus"
  cp -n "$HERE/corpus/$t/"* "$corpus/" 2>/dev/null
  if [ "$t" = fuzz_loader ]; then
    # A model as this build's `rubric build` writes it (checksum and all), the one seed that
    # passes every check; the checked-in seeds go stale with every change to the compiler.
    cli="${RUBRIC_CLI:-}"
    for c in "$BUILD/tools/rubric/rubric" "$ROOT/build/tools/rubric/rubric"; do
      [ -z "$cli" ] && [ -x "$c" ] && cli="$c"
    done
    if [ -n "$cli" ] && "$cli" build "$HERE/loader_seed.rubric" -o "$corpus/fresh.so" >/dev/null 2>&1; then :
    else echo "note: fuzz_loader has no fresh seed (no working rubric CLI); it starts from stale ones"; fi
  fi
  findings="$BUILD/fuzz-findings/$t"
  mkdir -p "$findings"
  log="$BUILD/fuzz-findings/$t.log"
  args=(-max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$findings/" -print_final_stats=1)
  d="$(dict "$t")"
  [ -n "$d" ] && args+=(-dict="$d")
  echo "== $t: ${SECONDS_EACH}s"
  start=$(date +%s)
  (cd "$WORK" && "$bin" "${args[@]}" "${EXTRA[@]}" "$corpus") >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "   exit $rc after $(( $(date +%s) - start ))s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) files"
  # With -jobs, the workers' logs are fuzz-N.log in the working folder.
  cat "$WORK"/fuzz-*.log >>"$log" 2>/dev/null && rm -f "$WORK"/fuzz-*.log
  saved=$(grep -o 'Test unit written to .*' "$log" | sed 's/Test unit written to //' | sort -u)
  if [ "$rc" -ne 0 ] || [ -n "$saved" ]; then
    status=1
    echo "FAIL $t found something (log: $log):"
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|rubric fuzz finding|SUMMARY' "$log" | sed 's/^/   /'
    for f in $saved; do echo "   crash input: $f"; done
    echo "   reproduce: $bin $(echo $saved | cut -d' ' -f1)"
    echo "   once fixed, keep it: cp INPUT $HERE/regressions/$t/"
  fi
done
exit $status
