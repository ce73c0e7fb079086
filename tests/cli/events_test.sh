#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `--events`: flat event files joined to the leads by key. The B2B example's leads with their
# events taken out into a separate file (CSV or JSON Lines, shuffled, gzipped, on standard
# input, sorted for streaming) score exactly as the nested file does, on every back end; events
# whose lead is missing, rows without a key, unknown kinds and bad values are counted and
# reported; a file not sorted as --events-sorted promises stops the run. On the real BPI
# Challenge 2012 log, the flat cases and events files give the rows the prepared nested file
# gives. explain, diff, evaluate, the checker's event `key` and the Python API too.
# Usage: events_test.sh RUBRIC ROOT [PYTHONPATH]
RUBRIC="$1"
ROOT="$2"
PYPATH="${3:-}"
source "$ROOT/tests/cli/lib.sh"
B2B=examples/b2b/b2b.rubric
AS_OF=2026-11-01

# The nested file, split: leads without events (JSON Lines), events one per row with the lead's
# id (CSV and JSON Lines), in a shuffled order; and both sorted by id for streaming.
/usr/bin/python3 - examples/b2b/leads.jsonl "$TMP" <<'PY'
import csv, json, random, sys
src, out = sys.argv[1], sys.argv[2]
leads, events = [], []
for line in open(src, encoding="utf-8"):
    lead = json.loads(line)
    for e in lead.pop("events", None) or []:
        events.append(dict(e, id=lead["id"]))
    leads.append(lead)
random.Random(7).shuffle(events)
cols = ["id", "kind", "page", "timestamp", "seconds"]
def write(path, rows, lead_rows):
    with open(path + ".csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for e in rows:
            w.writerow([e.get(c, "") for c in cols])
    with open(path + ".jsonl", "w", encoding="utf-8") as f:
        for e in rows:
            f.write(json.dumps(e) + "\n")
    with open(path + "_leads.jsonl", "w", encoding="utf-8") as f:
        for l in lead_rows:
            f.write(json.dumps(l) + "\n")
write(out + "/events", events, leads)
write(out + "/sorted", sorted(events, key=lambda e: e["id"]), sorted(leads, key=lambda l: l["id"]))
write(out + "/reversed", events, leads[::-1])
print(len(leads), "leads,", len(events), "events", file=sys.stderr)
PY
"$RUBRIC" score $B2B --input examples/b2b/leads.jsonl --as-of $AS_OF --explain >"$TMP/nested.csv" 2>/dev/null
lines "$TMP/nested.csv" 301 "the nested file"

for backend in interp batch jit; do
  for threads in 1 2; do
    expect_exit 0 "CSV events, $backend, $threads threads" -- "$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" \
      --events "$TMP/events.csv" --as-of $AS_OF --explain --backend $backend --threads $threads
    sort "$TMP/out" >"$TMP/a" && sort "$TMP/nested.csv" >"$TMP/b"
    same "$TMP/a" "$TMP/b" "flat CSV events ($backend, $threads threads)"
  done
done
contains "$TMP/err" "events: 6055 read, 6055 given to leads" "the summary counts the events"
expect_exit 0 "JSON Lines events" -- "$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" --events "$TMP/events.jsonl" --as-of $AS_OF --explain
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "flat JSON Lines events"
gzip -c "$TMP/events.csv" >"$TMP/events.gz"
expect_exit 0 "gzipped events, no extension" -- "$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" --events "$TMP/events.gz" --as-of $AS_OF --explain
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "gzipped events"
"$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" --events - --as-of $AS_OF --explain <"$TMP/events.jsonl" >"$TMP/out" 2>"$TMP/err"
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "events on standard input"
expect_exit 2 "both on standard input" -- "$RUBRIC" score $B2B --input - --events - --as-of $AS_OF
contains "$TMP/err" "cannot both be standard input" "both on standard input"

# Streaming: both files sorted by key.
expect_exit 0 "--events-sorted" -- "$RUBRIC" score $B2B --input "$TMP/sorted_leads.jsonl" --events "$TMP/sorted.csv" \
  --events-sorted --as-of $AS_OF --explain --threads 2
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "streamed sorted events"
expect_exit 2 "--events-sorted on a shuffled file" -- "$RUBRIC" score $B2B --input "$TMP/sorted_leads.jsonl" \
  --events "$TMP/events.csv" --events-sorted --as-of $AS_OF
contains "$TMP/err" "not sorted by lead key" "a shuffled file with --events-sorted"
contains "$TMP/err" "cannot be used" "a shuffled file with --events-sorted"
expect_exit 2 "--events-sorted with shuffled leads" -- "$RUBRIC" score $B2B --input "$TMP/reversed_leads.jsonl" \
  --events "$TMP/sorted.csv" --events-sorted --as-of $AS_OF
contains "$TMP/err" "the leads must be sorted by key" "shuffled leads with --events-sorted"
# A run stopped part way shows messages only for the rows it wrote: the second lead's warning is
# in the batch that the unsorted 100th lead stops, so neither its row nor its warning appears
# (streamed events read the leads in turn, on one thread, whatever --threads says).
/usr/bin/python3 - "$TMP/sorted_leads.jsonl" "$TMP/stopped_leads.jsonl" <<'PY'
import json, sys
leads = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
leads[1]["employees"] = "lots"  # an optional whole number of the wrong form: a warning
leads[99], leads[100] = leads[100], leads[99]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for l in leads:
        f.write(json.dumps(l) + "\n")
PY
for threads in 1 2; do
  expect_exit 2 "a run stopped part way, $threads threads" -- "$RUBRIC" score $B2B --input "$TMP/stopped_leads.jsonl" \
    --events "$TMP/sorted.csv" --events-sorted --as-of $AS_OF --threads $threads
  contains "$TMP/err" "the leads must be sorted by key" "a run stopped part way, $threads threads"
  if grep -q "warning" "$TMP/err"; then fail "a run stopped part way, $threads threads: a warning for a row not written"; else ok; fi
  [ "$(wc -l <"$TMP/out")" -le 1 ] && ok || fail "a run stopped part way, $threads threads: rows written"
done

# What cannot be joined is counted and said, never dropped quietly.
cat >"$TMP/leads.csv" <<'EOF'
id,email,job_title,employees
L1,ann@acme.io,VP Sales,450
L2,bob@gmail.com,,
L3,cy@big.com,Director,9000
L4,di@big.com,,
EOF
cat >"$TMP/ev.csv" <<'EOF'
id,kind,page,timestamp,seconds
L1,page_view,https://acme.com/pricing,2026-10-30T10:00:00Z,30
L9,page_view,https://acme.com/pricing,2026-10-30T10:00:00Z,30
L9,email_open,,2026-10-30T11:00:00Z,
L1,demo_request,,2026-10-31T10:00:00Z,
L2,tweet,,2026-10-31T10:00:00Z,
L3,page_view,/pricing,not a time,
,page_view,/x,2026-10-31T10:00:00Z,
L2,email_open,,2026-10-29T10:00:00Z,abc
EOF
expect_exit 1 "bad event rows" -- "$RUBRIC" score $B2B --input "$TMP/leads.csv" --events "$TMP/ev.csv" --as-of $AS_OF
lines "$TMP/out" 5 "one row per lead"
contains "$TMP/out" 'ev.csv:7: field `timestamp` (column ""timestamp""): expected a time' "a bad event value fails its lead"
contains "$TMP/out" 'L3,,,,,,,"' "a bad event value fails its lead"
contains "$TMP/out" "L4,0,0,0,cold,D,," "a lead without events"
contains "$TMP/err" "2 events of 1 lead not in the input (the first: key \`L9\`" "events of a lead not in the input"
contains "$TMP/err" "1 row without a readable lead key" "an event without a key"
contains "$TMP/err" 'ev.csv:8: field `id` (column "id") is required and is missing' "where the keyless row is"
contains "$TMP/err" '"tweet" is not one of the values of `kind`' "an unknown kind"
contains "$TMP/err" "the event is skipped" "an unknown kind is skipped"
contains "$TMP/err" "1 skipped (unknown kinds, no time)" "skipped events are counted"
contains "$TMP/err" 'expected a number, found "abc"; read as missing' "a bad optional event value"
contains "$TMP/err" "events: 8 read, 3 given to leads" "the events summary"
expect_exit 1 "--strict events" -- "$RUBRIC" score $B2B --input "$TMP/leads.csv" --events "$TMP/ev.csv" --as-of $AS_OF --strict
contains "$TMP/out" 'ev.csv:6: field `kind` (column ""kind""): ""tweet"" is not one of' "--strict: an unknown kind fails its lead"
# With --threads 2 a loaded events file is decoded on a second thread while this one groups it:
# the same rows, messages and counts, here and on a file of many runs with bad rows among them
# (a bad time, an unknown kind, no key, a bad optional value), in the shuffled order and sorted.
for strict in "" --strict; do
  "$RUBRIC" score $B2B --input "$TMP/leads.csv" --events "$TMP/ev.csv" --as-of $AS_OF $strict >"$TMP/t1.csv" 2>"$TMP/t1.err"
  "$RUBRIC" score $B2B --input "$TMP/leads.csv" --events "$TMP/ev.csv" --as-of $AS_OF $strict --threads 2 >"$TMP/t2.csv" 2>"$TMP/t2.err"
  same "$TMP/t2.csv" "$TMP/t1.csv" "bad event rows, 2 threads $strict: rows"
  same "$TMP/t2.err" "$TMP/t1.err" "bad event rows, 2 threads $strict: messages"
done
for order in events sorted; do
  awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 97 == 0 { $4 = "soon" } NR > 1 && NR % 89 == 0 { $2 = "tweet" }
    NR > 1 && NR % 83 == 0 { $1 = "" } NR > 1 && NR % 79 == 0 { $5 = "lots" } { print }' "$TMP/$order.csv" >"$TMP/mixed_$order.csv"
  for strict in "" --strict; do
    "$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" --events "$TMP/mixed_$order.csv" --as-of $AS_OF $strict \
      --explain >"$TMP/m1.csv" 2>"$TMP/m1.err"
    "$RUBRIC" score $B2B --input "$TMP/events_leads.jsonl" --events "$TMP/mixed_$order.csv" --as-of $AS_OF $strict \
      --explain --threads 2 >"$TMP/m2.csv" 2>"$TMP/m2.err"
    same "$TMP/m2.csv" "$TMP/m1.csv" "$order events with bad rows, 2 threads $strict: rows"
    same "$TMP/m2.err" "$TMP/m1.err" "$order events with bad rows, 2 threads $strict: messages"
  done
  contains "$TMP/m1.err" "without a readable lead key" "$order events with bad rows: keyless rows counted"
done
# A header without the key column, a model without a key or without events: exit 2.
printf 'lead,kind,timestamp\nL1,page_view,2026-10-30T10:00:00Z\n' >"$TMP/nokey.csv"
expect_exit 2 "no key column" -- "$RUBRIC" score $B2B --input "$TMP/leads.csv" --events "$TMP/nokey.csv" --as-of $AS_OF
contains "$TMP/err" 'the header has no column "id"' "no key column"
printf 'model "No key"\nlead:\n  email: string\nevent:\n  kind: enum {a}\n  timestamp: time\nscore s:\n  email is present: +1\n' >"$TMP/nokey.rubric"
expect_exit 2 "a model without a key" -- "$RUBRIC" score "$TMP/nokey.rubric" --input "$TMP/leads.csv" --events "$TMP/ev.csv"
contains "$TMP/err" "has no key field" "a model without a key"
printf 'model "No events"\nlead:\n  id: string key\nscore s:\n  id is present: +1\n' >"$TMP/noev.rubric"
expect_exit 2 "a model without events" -- "$RUBRIC" score "$TMP/noev.rubric" --input "$TMP/leads.csv" --events "$TMP/ev.csv"
contains "$TMP/err" "no \`event:\` section" "a model without events"
# A kind the enum does not list is its `otherwise` value when it has one: the event is kept and
# counted there, not skipped, with --strict too.
printf 'model "Other kinds"\nlead:\n  id: string key\nevent:\n  kind: enum {visit, other otherwise}\n  timestamp: time\nbehaviour visited: kind is visit\nbehaviour did other: kind is other\nscore s:\n  visited: +1 each\n  did other: +10 each\n' >"$TMP/other.rubric"
printf 'id\nA\nB\n' >"$TMP/other_leads.csv"
printf 'id,kind,timestamp\nA,visit,2026-10-30T10:00:00Z\nA,tweet,2026-10-30T11:00:00Z\nA,Podcast,2026-10-30T12:00:00Z\nB,visit,2026-10-30T10:00:00Z\n' >"$TMP/other_ev.csv"
for strict in "" --strict; do
  expect_exit 0 "an unknown kind with otherwise $strict" -- "$RUBRIC" score "$TMP/other.rubric" --input "$TMP/other_leads.csv" --events "$TMP/other_ev.csv" --as-of $AS_OF $strict
  contains "$TMP/out" "A,21,21,," "unknown kinds are the otherwise value $strict"
  contains "$TMP/err" "events: 4 read, 4 given to leads" "no event is skipped $strict"
done
# An events file of 0 bytes (an export of no activity): every lead scored without events, with a warning.
: >"$TMP/no_events.csv"
expect_exit 0 "an empty events file" -- "$RUBRIC" score "$TMP/other.rubric" --input "$TMP/other_leads.csv" --events "$TMP/no_events.csv" --as-of $AS_OF
contains "$TMP/err" "no_events.csv: the file is empty, so no lead gets events from it" "an empty events file is warned about"
contains "$TMP/out" "B,0,0,," "... and its leads are scored"
expect_exit 0 "an empty events file on standard input" -- "$RUBRIC" score "$TMP/other.rubric" --input "$TMP/other_leads.csv" --events - --as-of $AS_OF </dev/null
contains "$TMP/err" "the file is empty" "... on standard input too"

# An event `key` field names the events file's lead column; the checker guards it.
sed -e 's/^event:$/event:\n  lead_ref: string key from "Lead Ref"/' $B2B >"$TMP/keyed.rubric"
sed -e '1s/^id,/Lead Ref,/' "$TMP/events.csv" >"$TMP/events_ref.csv"
expect_exit 0 "an event key from another column" -- "$RUBRIC" score "$TMP/keyed.rubric" --input "$TMP/events_leads.jsonl" \
  --events "$TMP/events_ref.csv" --as-of $AS_OF --explain
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "an event key column"
expect_exit 0 "the keyed model on nested events" -- "$RUBRIC" score "$TMP/keyed.rubric" --input examples/b2b/leads.jsonl --as-of $AS_OF --explain
sort "$TMP/out" >"$TMP/a"
same "$TMP/a" "$TMP/b" "an event key is not an event field"
for bad in 'a: string key\n  b: string key' 'a: optional string key' 'a: time key'; do
  sed -e "s/^event:\$/event:\n  $bad/" $B2B >"$TMP/bad.rubric"
  expect_exit 1 "event key: $bad" -- "$RUBRIC" check "$TMP/bad.rubric"
  contains "$TMP/err" "E0404" "event key: $bad"
done
sed -e 's/^  id: string key$/  id: string/' -e 's/^event:$/event:\n  lead_ref: string key/' $B2B >"$TMP/bad.rubric"
expect_exit 1 "event key without a lead key" -- "$RUBRIC" check "$TMP/bad.rubric"
contains "$TMP/err" "\`lead:\` has no key field" "event key without a lead key"

# explain, diff and evaluate read --events too.
expect_exit 0 "explain --events" -- "$RUBRIC" explain $B2B --input "$TMP/events_leads.jsonl" --events "$TMP/events.csv" --id L0000013 --as-of $AS_OF
cp "$TMP/out" "$TMP/explain_flat"
"$RUBRIC" explain $B2B --input examples/b2b/leads.jsonl --id L0000013 --as-of $AS_OF >"$TMP/explain_nested" 2>/dev/null
same "$TMP/explain_flat" "$TMP/explain_nested" "explain with --events"
sed -e 's/: +15 "pricing page this week"/: +25 "pricing page this week"/' $B2B >"$TMP/new.rubric"
expect_exit 0 "diff --events" -- "$RUBRIC" diff $B2B "$TMP/new.rubric" --input "$TMP/events_leads.jsonl" --events "$TMP/events.csv" --as-of $AS_OF --format csv
sort "$TMP/out" >"$TMP/diff_flat"
"$RUBRIC" diff $B2B "$TMP/new.rubric" --input examples/b2b/leads.jsonl --as-of $AS_OF --format csv 2>/dev/null | sort >"$TMP/diff_nested"
same "$TMP/diff_flat" "$TMP/diff_nested" "diff with --events"
if grep -q ',[1-9]' "$TMP/diff_flat"; then ok; else fail "diff shows no change"; fi

# The real BPI Challenge 2012 log: flat cases and events, as published.
BPI="$ROOT/../shared/datasets/bpi_challenge_2012"
CUT=2012-01-15T00:00:00+01:00
if [ ! -f "$BPI/bpi2012_events.csv" ]; then
  fail "$BPI is missing"
else
  expect_exit 0 "BPI flat" -- "$RUBRIC" score examples/bpi2012/bpi2012.rubric --input "$BPI/bpi2012_cases.csv" \
    --events "$BPI/bpi2012_events.csv" --as-of $CUT --output "$TMP/bpi_flat.csv"
  contains "$TMP/err" "events: 262200 read, 262200 given to leads" "BPI: every event joined"
  contains "$TMP/err" "13087 scored, 0 errors" "BPI: every case scored"
  expect_exit 0 "BPI flat, streamed" -- "$RUBRIC" score examples/bpi2012/bpi2012.rubric --input "$BPI/bpi2012_cases.csv" \
    --events "$BPI/bpi2012_events.csv" --events-sorted --as-of $CUT --output "$TMP/bpi_stream.csv"
  same "$TMP/bpi_stream.csv" "$TMP/bpi_flat.csv" "BPI streamed"
  # With threads, the cases' CSV rows go to the workers in runs, each joined to its events there.
  expect_exit 0 "BPI flat, 2 threads" -- "$RUBRIC" score examples/bpi2012/bpi2012.rubric --input "$BPI/bpi2012_cases.csv" \
    --events "$BPI/bpi2012_events.csv" --as-of $CUT --threads 2 --output "$TMP/bpi_threads.csv"
  same "$TMP/bpi_threads.csv" "$TMP/bpi_flat.csv" "BPI flat, 2 threads"
  /usr/bin/python3 examples/bpi/prepare.py "$TMP/bpi.jsonl" --cutoff $CUT --data "$BPI" 2>/dev/null
  "$RUBRIC" score examples/bpi/bpi.rubric --input "$TMP/bpi.jsonl" --as-of $CUT --output "$TMP/bpi_nested.csv" 2>/dev/null
  # The applications open at the cut-off are the rows not disqualified; they score as prepared.
  /usr/bin/python3 - "$TMP/bpi_flat.csv" "$TMP/bpi_nested.csv" >"$TMP/bpi_cmp" <<'PY'
import csv, sys
flat = {r["case_id"]: r for r in csv.DictReader(open(sys.argv[1], newline="")) if not r["disqualified"]}
nested = {r["case_id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
differ = [k for k in nested if k not in flat or any(flat[k][c] != nested[k][c] for c in nested[k])]
print(f"{len(flat)} open in the flat run, {len(nested)} prepared, {len(differ)} differ, {len(set(flat) - set(nested))} extra")
PY
  contains "$TMP/bpi_cmp" "840 open in the flat run, 840 prepared, 0 differ, 0 extra" "BPI: flat equals prepared"
fi

# The Python API: score_file and evaluate(events=).
if [ -n "$PYPATH" ] && [ -f "$PYPATH/rubric/__init__.py" ] && [ -f "$BPI/bpi2012_events.csv" ]; then
  PYTHONPATH="$PYPATH" /usr/bin/python3 - "$BPI" "$TMP" "$CUT" >"$TMP/py" 2>&1 <<'PY'
import sys, rubric
bpi, tmp, cut = sys.argv[1:]
m = rubric.load("examples/bpi2012/bpi2012.rubric")
s = m.score_file(f"{bpi}/bpi2012_cases.csv", f"{tmp}/bpi_py.csv", events=f"{bpi}/bpi2012_events.csv", as_of=cut, threads=2)
print("stats", s["scored"], s["errors"], s["events_read"], s["events_joined"], s["orphan_events"])
e = m.evaluate(f"{bpi}/bpi2012_cases.csv", "outcome", positive="approved", undecided="open", events=f"{bpi}/bpi2012_events.csv", as_of=cut)
print("progress auc", round(e.auc["progress"], 3))
try:
    m.score_file(f"{bpi}/bpi2012_cases.csv", f"{tmp}/x.csv", events=f"{bpi}/bpi2012_cases.csv", as_of=cut)
except ValueError as err:
    print("refused:", err)
PY
  contains "$TMP/py" "stats 13087 0 262200 262200 0" "Python score_file"
  same "$TMP/bpi_py.csv" "$TMP/bpi_flat.csv" "Python score_file output"
  contains "$TMP/py" "progress auc 0.797" "Python evaluate(events=)"
  contains "$TMP/py" 'refused: events: ' "Python: an events file without the event columns"
fi
finish
