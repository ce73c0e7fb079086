#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Rubric with release flags, runs every benchmark in one go and writes the figures, with
# this command, into docs/performance.md (between its figure markers; the analysis stays). Run on demand (it takes a few minutes and ~3 GB of
# disk for the generated data); never part of the tests.
#   bench/run.sh            # 1,000,000 generated leads
#   LEADS=200000 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LEADS="${LEADS:-1000000}"
OUT=build-release/bench-data
DOC=docs/performance.md
mkdir -p "$OUT"

echo "== building (Release)"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target rubric rubric-bench rubric-parse-only rubric-gen-leads _rubric >/dev/null
BIN=build-release
RUBRIC=$BIN/tools/rubric/rubric

echo "== generating $LEADS leads and 100000 leads (seed 42)"
[ -f "$OUT/leads-$LEADS.jsonl" ] || $BIN/tools/gen_leads/rubric-gen-leads --count "$LEADS" --seed 42 --output "$OUT/leads-$LEADS.jsonl"
[ -f "$OUT/leads-100000.jsonl" ] || $BIN/tools/gen_leads/rubric-gen-leads --count 100000 --seed 42 --output "$OUT/leads-100000.jsonl"
BANK=../shared/datasets/uci_bank_marketing/bank-full.csv
if [ ! -f "$OUT/bank-1m.csv" ]; then
  head -n 1 "$BANK" >"$OUT/bank-1m.csv"
  for _ in $(seq 23); do tail -n +2 "$BANK" >>"$OUT/bank-1m.csv"; done
fi
CSV_ROWS=$(($(wc -l <"$OUT/bank-1m.csv") - 1))

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# seconds for one run of a command (output discarded), median of 3
timed() {
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "%.4f\n", b - a}'
  done | median
}
rss_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
# "A B": the median seconds of command A and of the same command with B's extra arguments, run
# in turn five times each (A, A+B, A, A+B, ...), so that a ratio of the two is not skewed by the
# machine slowing down or speeding up between them.
timed_pair() {  # timed_pair "EXTRA ARGUMENTS" COMMAND...
  local extra="$1" s e
  shift
  for _ in 1 2 3 4 5; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "A %.4f\n", b - a}'
    # shellcheck disable=SC2086
    s=$(date +%s.%N); "$@" $extra >/dev/null 2>&1; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "B %.4f\n", b - a}'
  done >"$OUT/pair.txt"
  echo "$(awk '$1 == "A" {print $2}' "$OUT/pair.txt" | median) $(awk '$1 == "B" {print $2}' "$OUT/pair.txt" | median)"
}

echo "== kernel and compile latency"
KERNEL=$($BIN/bench/rubric-bench --leads "$OUT/leads-$LEADS.jsonl" --max-leads 200000 --passes 5)
XED=$($BIN/bench/rubric-bench --kernel-only --model examples/xeducation/xeducation.rubric \
  --leads ../shared/datasets/x_education_leads/Leads.csv --passes 7)

echo "== end to end (median of 3 runs; one thread and two in turn, median of 5 each)"
J=$OUT/leads-$LEADS.jsonl
T_PARSE=$(timed $BIN/bench/rubric-parse-only "$J")
read -r T_JIT T_JIT2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit -o /dev/null)"
read -r T_INTERP T_INTERP2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend interp -o /dev/null)"
read -r T_BATCH T_BATCH2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend batch -o /dev/null)"
$RUBRIC build examples/b2b/b2b.rubric -o "$OUT/b2b.so" 2>/dev/null
read -r T_SO T_SO2 <<<"$(timed_pair "--threads 2" $RUBRIC score "$OUT/b2b.so" --input "$J" --as-of 2026-11-01 -o /dev/null)"
head -n 1 "$J" >"$OUT/one-lead.jsonl"
# The default back end (auto: tiered on this size), and the JIT with its model from a warm disk
# cache, which takes compiling out of both runs: the data path's own scaling with threads.
read -r T_AUTO T_AUTO2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 -o /dev/null)"
CACHE=$OUT/jit-cache
rm -rf "$CACHE"
$RUBRIC score examples/b2b/b2b.rubric --input "$OUT/one-lead.jsonl" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null 2>/dev/null
$RUBRIC score examples/bank/bank.rubric --input "$OUT/bank-1m.csv" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null 2>/dev/null
read -r T_CACHED T_CACHED2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null)"
# What two cores give this work at most: one one-thread run alone against two at once, in turn.
for _ in 1 2 3 4 5; do
  s=$(date +%s.%N); $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null >/dev/null 2>&1; e=$(date +%s.%N)
  awk -v a="$s" -v b="$e" 'BEGIN {printf "A %.4f\n", b - a}'
  s=$(date +%s.%N)
  $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null >/dev/null 2>&1 &
  $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null >/dev/null 2>&1
  wait
  e=$(date +%s.%N)
  awk -v a="$s" -v b="$e" 'BEGIN {printf "B %.4f\n", b - a}'
done >"$OUT/pair.txt"
T_ALONE=$(awk '$1 == "A" {print $2}' "$OUT/pair.txt" | median)
T_BOTH=$(awk '$1 == "B" {print $2}' "$OUT/pair.txt" | median)
# And what each core gives alone: the same one-thread run pinned to core 0 and to core 1, in turn
# (on a shared virtual machine the two can differ by more than half, and they change over time).
pinned() {  # pinned COMMAND... : "median on core 0" "median on core 1"
  for _ in 1 2 3 4 5; do
    for c in 0 1; do
      s=$(date +%s.%N); taskset -c "$c" "$@" >/dev/null 2>&1; e=$(date +%s.%N)
      awk -v c="$c" -v a="$s" -v b="$e" 'BEGIN {printf "%s %.4f\n", c, b - a}'
    done
  done >"$OUT/pinned.txt"
  echo "$(awk '$1 == "0" {print $2}' "$OUT/pinned.txt" | median) $(awk '$1 == "1" {print $2}' "$OUT/pinned.txt" | median)"
}
read -r T_CORE0 T_CORE1 <<<"$(pinned $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null)"
read -r T_CSV_CORE0 T_CSV_CORE1 <<<"$(pinned $RUBRIC score examples/bank/bank.rubric --input "$OUT/bank-1m.csv" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null)"
# Two threads on cores this fast score at most this many times as fast as the faster one alone.
ceiling() { awk -v a="$1" -v b="$2" 'BEGIN {m = a < b ? a : b; printf "%.2f", m / a + m / b}'; }
# What two cores give this very job when nothing is shared: two one-thread processes at once,
# each on one half of the input (split between records), against --threads 2 on the whole, in
# turn (the JIT from the disk cache).
halves() {  # halves MODEL WHOLE HALF1 HALF2 : "median --threads 2" "median of the two halves at once"
  local s e pid ok=1
  for _ in 1 2 3 4 5; do
    s=$(date +%s.%N); $RUBRIC score "$1" --input "$2" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" --threads 2 -o /dev/null >/dev/null 2>&1 || ok=0; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "A %.4f\n", b - a}'
    s=$(date +%s.%N)
    $RUBRIC score "$1" --input "$3" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null >/dev/null 2>&1 &
    pid=$!
    $RUBRIC score "$1" --input "$4" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null >/dev/null 2>&1 || ok=0
    wait "$pid" || ok=0
    e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "B %.4f\n", b - a}'
  done >"$OUT/pair.txt"
  if [ "$ok" = 0 ]; then echo "bench/run.sh: a run of $1 on halves of $2 failed" >&2; exit 1; fi
  echo "$(awk '$1 == "A" {print $2}' "$OUT/pair.txt" | median) $(awk '$1 == "B" {print $2}' "$OUT/pair.txt" | median)"
}
# (The halves are split by lines: neither input has a line end inside a quoted value.)
head -n $((LEADS / 2)) "$J" >"$OUT/half1.jsonl"
tail -n +$((LEADS / 2 + 1)) "$J" >"$OUT/half2.jsonl"
head -n $((CSV_ROWS / 2 + 1)) "$OUT/bank-1m.csv" >"$OUT/half1.csv"
{ head -n 1 "$OUT/bank-1m.csv"; tail -n +$((CSV_ROWS / 2 + 2)) "$OUT/bank-1m.csv"; } >"$OUT/half2.csv"
H_JSON=$(halves examples/b2b/b2b.rubric "$J" "$OUT/half1.jsonl" "$OUT/half2.jsonl")
H_CSV=$(halves examples/bank/bank.rubric "$OUT/bank-1m.csv" "$OUT/half1.csv" "$OUT/half2.csv")
read -r T_H_JSON2 T_H_JSON <<<"$H_JSON"
read -r T_H_CSV2 T_H_CSV <<<"$H_CSV"
rm -f "$OUT"/half[12].jsonl "$OUT"/half[12].csv
T_START_INTERP=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/one-lead.jsonl" --as-of 2026-11-01 --backend interp -o /dev/null)
T_START_JIT=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/one-lead.jsonl" --as-of 2026-11-01 --backend jit -o /dev/null)
T_START_SO=$(timed $RUBRIC score "$OUT/b2b.so" --input "$OUT/one-lead.jsonl" --as-of 2026-11-01 -o /dev/null)
API_CALLS=$(PYTHONPATH=$BIN/python /usr/bin/python3 bench/api_calls.py)
T_CSV_PARSE=$(timed $BIN/bench/rubric-parse-only "$OUT/bank-1m.csv")
read -r T_CSV_JIT T_CSV_JIT2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/bank/bank.rubric --input "$OUT/bank-1m.csv" --as-of 2026-11-01 --backend jit -o /dev/null)"
read -r T_CSV_CACHED T_CSV_CACHED2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/bank/bank.rubric --input "$OUT/bank-1m.csv" --as-of 2026-11-01 --backend jit --cache-dir "$CACHE" -o /dev/null)"
T_CSV_INTERP=$(timed $RUBRIC score examples/bank/bank.rubric --input "$OUT/bank-1m.csv" --as-of 2026-11-01 --backend interp -o /dev/null)

echo "== beside a busy core (yes >/dev/null)"
yes >/dev/null &
BUSY=$!
read -r T_BUSY1 T_BUSY2 <<<"$(timed_pair "--threads 2" $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit -o /dev/null)"
kill $BUSY

echo "== flat events (--events)"
# The 100,000-lead file with its events taken out: leads without events, one event per CSV row.
[ -f "$OUT/flat-events-100000.csv" ] || /usr/bin/python3 - "$OUT/leads-100000.jsonl" "$OUT/flat-leads-100000.jsonl" "$OUT/flat-events-100000.csv" <<'PY'
import csv, json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as leads, open(sys.argv[3], "w", newline="") as ev:
    w = csv.writer(ev)
    w.writerow(["id", "kind", "page", "timestamp", "seconds"])
    for line in src:
        lead = json.loads(line)
        for e in lead.pop("events", None) or []:
            w.writerow([lead["id"], e.get("kind", ""), e.get("page", ""), e.get("timestamp", ""), e.get("seconds", "")])
        leads.write(json.dumps(lead) + "\n")
PY
N100=$OUT/leads-100000.jsonl
T_NESTED=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$N100" --as-of 2026-11-01 --backend jit -o /dev/null)
T_FLAT=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/flat-leads-100000.jsonl" --events "$OUT/flat-events-100000.csv" --as-of 2026-11-01 --backend jit -o /dev/null)
T_FLAT_S=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/flat-leads-100000.jsonl" --events "$OUT/flat-events-100000.csv" --events-sorted --as-of 2026-11-01 --backend jit -o /dev/null)
T_FLAT2=$(timed $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/flat-leads-100000.jsonl" --events "$OUT/flat-events-100000.csv" --as-of 2026-11-01 --backend jit --threads 2 -o /dev/null)
RSS_NESTED=$(rss_kb $RUBRIC score examples/b2b/b2b.rubric --input "$N100" --as-of 2026-11-01 --backend jit -o /dev/null)
RSS_FLAT=$(rss_kb $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/flat-leads-100000.jsonl" --events "$OUT/flat-events-100000.csv" --as-of 2026-11-01 --backend jit -o /dev/null)
RSS_FLAT_S=$(rss_kb $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/flat-leads-100000.jsonl" --events "$OUT/flat-events-100000.csv" --events-sorted --as-of 2026-11-01 --backend jit -o /dev/null)
FLAT_EVENTS=$(($(wc -l <"$OUT/flat-events-100000.csv") - 1))
BPI=../shared/datasets/bpi_challenge_2012
BPI_ARGS=(examples/bpi2012/bpi2012.rubric --input $BPI/bpi2012_cases.csv --events $BPI/bpi2012_events.csv --as-of 2012-01-15T00:00:00+01:00 -o /dev/null)
T_BPI=$(timed $RUBRIC score "${BPI_ARGS[@]}")
T_BPI_S=$(timed $RUBRIC score "${BPI_ARGS[@]}" --events-sorted)
RSS_BPI=$(rss_kb $RUBRIC score "${BPI_ARGS[@]}")
RSS_BPI_S=$(rss_kb $RUBRIC score "${BPI_ARGS[@]}" --events-sorted)
RSS_BPI_0=$(rss_kb $RUBRIC score examples/bpi2012/bpi2012.rubric --input $BPI/bpi2012_cases.csv --as-of 2012-01-15T00:00:00+01:00 -o /dev/null)

echo "== memory"
RSS_100K=$(rss_kb $RUBRIC score examples/b2b/b2b.rubric --input "$OUT/leads-100000.jsonl" --as-of 2026-11-01 --backend jit -o /dev/null)
RSS_1M=$(rss_kb $RUBRIC score examples/b2b/b2b.rubric --input "$J" --as-of 2026-11-01 --backend jit -o /dev/null)

rate() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", a / b}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ms() { awk -v a="$1" 'BEGIN {printf "%.1f", 1000 * a}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
R_PARSE=$(rate "$LEADS" "$T_PARSE"); R_JIT=$(rate "$LEADS" "$T_JIT"); R_INTERP=$(rate "$LEADS" "$T_INTERP")
R_BATCH=$(rate "$LEADS" "$T_BATCH"); R_JIT2=$(rate "$LEADS" "$T_JIT2"); R_BATCH2=$(rate "$LEADS" "$T_BATCH2")
R_INTERP2=$(rate "$LEADS" "$T_INTERP2"); R_SO=$(rate "$LEADS" "$T_SO"); R_SO2=$(rate "$LEADS" "$T_SO2")
R_CSV_JIT2=$(rate "$CSV_ROWS" "$T_CSV_JIT2")
R_CSV_PARSE=$(rate "$CSV_ROWS" "$T_CSV_PARSE"); R_CSV_JIT=$(rate "$CSV_ROWS" "$T_CSV_JIT"); R_CSV_INTERP=$(rate "$CSV_ROWS" "$T_CSV_INTERP")
SIZE_MB=$(($(stat -c %s "$J") / 1000000))

{
  echo "Measured by \`bench/run.sh\` (LEADS=$LEADS) on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Release build (g++ -O3), LLVM 19."
  echo "All figures come from one run of the script; rates are medians of repeated passes or runs."
  echo "Single thread unless a table says otherwise. Re-run the script to reproduce; the numbers move with the machine,"
  echo "the ratios much less."
  echo
  echo "Data: \`rubric-gen-leads --count $LEADS --seed 42\` ($SIZE_MB MB of JSON Lines, about 20"
  echo "events per lead), the real X Education \`Leads.csv\` (9,240 rows) and UCI \`bank-full.csv\` repeated"
  echo "to $CSV_ROWS rows. Sources of the real data: ../shared/datasets/README.md."
  echo
  echo "$KERNEL"
  echo
  echo "### Kernel on the real X Education file"
  echo
  echo "| model | JIT leads/s | interpreter leads/s | JIT speed-up |"
  echo "|---|---:|---:|---:|"
  echo "$XED"
  echo
  echo "## End to end: \`rubric score\` against a parse-only pass (the I/O ceiling)"
  echo
  echo "| input | parse only, leads/s | rubric score --backend jit | % of parse-only | --backend interp | % of parse-only |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| $LEADS leads, JSON Lines (B2B model) | $R_PARSE | $R_JIT | $(pct "$R_JIT" "$R_PARSE") | $R_INTERP | $(pct "$R_INTERP" "$R_PARSE") |"
  echo "| $CSV_ROWS rows, CSV (bank model) | $R_CSV_PARSE | $R_CSV_JIT | $(pct "$R_CSV_JIT" "$R_CSV_PARSE") | $R_CSV_INTERP | $(pct "$R_CSV_INTERP" "$R_CSV_PARSE") |"
  echo
  echo "### Other back ends and threads"
  echo
  echo "\`--threads 2\`: this thread splits records off the input and writes rows while two persistent"
  echo "threads decode, score and format chunks of 64 records, and helps with them when it has nothing"
  echo "else to do (the parse-only pass is single-threaded). One thread and two ran in turn, five times each."
  echo
  echo "| rubric score | 1 thread, leads/s | --threads 2, leads/s | speed-up | --threads 2, % of parse-only |"
  echo "|---|---:|---:|---:|---:|"
  echo "| JSON Lines, --backend jit | $R_JIT | $R_JIT2 | $(ratio "$R_JIT2" "$R_JIT")x | $(pct "$R_JIT2" "$R_PARSE") |"
  echo "| JSON Lines, ahead-of-time b2b.so | $R_SO | $R_SO2 | $(ratio "$R_SO2" "$R_SO")x | $(pct "$R_SO2" "$R_PARSE") |"
  echo "| JSON Lines, --backend interp | $R_INTERP | $R_INTERP2 | $(ratio "$R_INTERP2" "$R_INTERP")x | $(pct "$R_INTERP2" "$R_PARSE") |"
  echo "| JSON Lines, --backend batch | $R_BATCH | $R_BATCH2 | $(ratio "$R_BATCH2" "$R_BATCH")x | $(pct "$R_BATCH2" "$R_PARSE") |"
  echo "| CSV (bank), --backend jit | $R_CSV_JIT | $R_CSV_JIT2 | $(ratio "$R_CSV_JIT2" "$R_CSV_JIT")x | $(pct "$R_CSV_JIT2" "$R_CSV_PARSE") |"
  echo "| JSON Lines, default (--backend auto: tiered) | $(rate "$LEADS" "$T_AUTO") | $(rate "$LEADS" "$T_AUTO2") | $(ratio "$T_AUTO" "$T_AUTO2")x | $(pct "$(rate "$LEADS" "$T_AUTO2")" "$R_PARSE") |"
  echo "| JSON Lines, --backend jit, model from the disk cache | $(rate "$LEADS" "$T_CACHED") | $(rate "$LEADS" "$T_CACHED2") | $(ratio "$T_CACHED" "$T_CACHED2")x | $(pct "$(rate "$LEADS" "$T_CACHED2")" "$R_PARSE") |"
  echo "| CSV (bank), --backend jit, model from the disk cache | $(rate "$CSV_ROWS" "$T_CSV_CACHED") | $(rate "$CSV_ROWS" "$T_CSV_CACHED2") | $(ratio "$T_CSV_CACHED" "$T_CSV_CACHED2")x | $(pct "$(rate "$CSV_ROWS" "$T_CSV_CACHED2")" "$R_CSV_PARSE") |"
  echo
  echo "What two cores give at most: two one-thread runs at once (JSON Lines, the JIT from the disk cache)"
  echo "took $(ratio "$T_BOTH" "$T_ALONE")x the time of one alone, so two independent processes score"
  echo "$(awk -v a="$T_ALONE" -v b="$T_BOTH" 'BEGIN {printf "%.2f", 2 * a / b}')x as many leads per second as one."
  echo "Each core alone (one thread pinned with \`taskset\`, the JIT from the disk cache): JSON Lines"
  echo "$T_CORE0 s on core 0 and $T_CORE1 s on core 1, so two threads can be at most $(ceiling "$T_CORE0" "$T_CORE1")x as fast as"
  echo "the faster core alone; CSV (bank) $T_CSV_CORE0 s and $T_CSV_CORE1 s, at most $(ceiling "$T_CSV_CORE0" "$T_CSV_CORE1")x."
  echo "Two one-thread processes at once, each on one half of the input (nothing shared between"
  echo "them), against \`--threads 2\` on the whole, in turn, five times (the JIT from the disk cache):"
  echo "JSON Lines, the halves $T_H_JSON s and \`--threads 2\` $T_H_JSON2 s, so \`--threads 2\` scored at"
  echo "$(pct "$T_H_JSON" "$T_H_JSON2") of the halves' rate; CSV (bank), $T_H_CSV s and $T_H_CSV2 s, $(pct "$T_H_CSV" "$T_H_CSV2")."
  echo
  echo "Beside a busy core (\`yes >/dev/null\` running), JSON Lines, --backend jit: $(rate "$LEADS" "$T_BUSY1") leads/s on"
  echo "one thread, $(rate "$LEADS" "$T_BUSY2") with --threads 2 ($(ratio "$T_BUSY1" "$T_BUSY2")x; target: never below 1.00x)."
  echo
  echo "### Flat events (\`--events\`)"
  echo
  echo "The 100000-lead file with its $FLAT_EVENTS events taken out into a CSV file (one event per row),"
  echo "B2B model, --backend jit, median of 3; and the real BPI Challenge 2012 log (13,087 cases, 262,200 events)."
  echo
  echo "| input | leads/s | peak RSS |"
  echo "|---|---:|---:|"
  echo "| nested events (JSON Lines) | $(rate 100000 "$T_NESTED") | $((RSS_NESTED / 1024)) MiB |"
  echo "| flat events CSV, loaded | $(rate 100000 "$T_FLAT") | $((RSS_FLAT / 1024)) MiB |"
  echo "| flat events CSV, loaded, --threads 2 | $(rate 100000 "$T_FLAT2") | |"
  echo "| flat events CSV, --events-sorted (streamed) | $(rate 100000 "$T_FLAT_S") | $((RSS_FLAT_S / 1024)) MiB |"
  echo "| BPI 2012, loaded | $(rate 13087 "$T_BPI") | $((RSS_BPI / 1024)) MiB |"
  echo "| BPI 2012, --events-sorted | $(rate 13087 "$T_BPI_S") | $((RSS_BPI_S / 1024)) MiB |"
  echo "| BPI 2012 cases without events (for memory) | | $((RSS_BPI_0 / 1024)) MiB |"
  echo
  echo "### Start-up: \`rubric score\` of one lead (process wall time, median of 3)"
  echo
  echo "| model | ms |"
  echo "|---|---:|"
  echo "| b2b.rubric, --backend interp | $(ms "$T_START_INTERP") |"
  echo "| b2b.rubric, --backend jit (starts LLVM, compiles) | $(ms "$T_START_JIT") |"
  echo "| b2b.so from \`rubric build\` (dlopen, its model read from its bytes) | $(ms "$T_START_SO") |"
  echo
  echo "### The Python API on a few leads (\`bench/api_calls.py\`, B2B model, interpreter, microseconds, median of 9 rounds)"
  echo
  echo "$API_CALLS"
  echo
  echo "The parse-only pass for JSON Lines parses each line with simdjson and reads every field the"
  echo "model uses (lead fields and every event's fields); for CSV it splits the file into fields."
  echo "\`rubric score\` also decodes and checks every value, scores, and writes CSV output."
  echo
  echo "## Memory (peak RSS, \`rubric score --backend jit\`, output to /dev/null)"
  echo
  echo "| leads | peak RSS |"
  echo "|---:|---:|"
  echo "| 100000 | $((RSS_100K / 1024)) MiB |"
  echo "| $LEADS | $((RSS_1M / 1024)) MiB |"
  echo
  echo "1M / 100k: $(ratio "$RSS_1M" "$RSS_100K") (target: within 1.10). Scoring streams one record at a time."
  echo
  echo "## Reproduce"
  echo
  echo '```sh'
  echo "LEADS=$LEADS bench/run.sh"
  echo '```'
} >"$OUT/figures.md"
# Replace the figures between the markers; the analysis below them is kept.
python3 - "$DOC" "$OUT/figures.md" <<'PY'
import sys
doc, fig = sys.argv[1], open(sys.argv[2]).read()
begin, end = "<!-- figures:begin (written by bench/run.sh) -->", "<!-- figures:end -->"
s = open(doc).read() if __import__("os").path.exists(doc) else "# Performance\n\n" + begin + "\n" + end + "\n"
i, j = s.index(begin) + len(begin), s.index(end)
open(doc, "w").write(s[:i] + "\n" + fig + s[j:])
PY
echo "== figures written into $DOC"
cat "$OUT/figures.md"
