#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `rubric score --keep`: input columns passed through to the output, after the key, as read; in
# CSV and JSON Lines, on error rows too, the same on every back end and thread count. And
# `--columns`: the output's columns chosen and ordered.
# Usage: keep_columns_test.sh RUBRIC ROOT
RUBRIC="$1"
ROOT="$2"
source "$ROOT/tests/cli/lib.sh"

cat >"$TMP/m.rubric" <<'EOF'
model "Keep"

lead:
  id: string key from "id"
  visits: int from "visits"

score engagement:
  visits >= 5: +10 "5+ visits"
EOF
printf 'id,visits,Lead Source,Converted\n' >"$TMP/leads.csv"
for i in $(seq 1 300); do printf 'L%d,%d,"src, %d",%d\n' "$i" $((i % 9)) $((i % 3)) $((i % 2)); done >>"$TMP/leads.csv"
printf 'L301,many,web,1\n' >>"$TMP/leads.csv"

expect_exit 1 "--keep" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep "Converted, Lead Source"
head -1 "$TMP/out" >"$TMP/header"
contains "$TMP/header" "id,Converted,Lead Source,engagement,total,disqualified,error" "kept columns follow the key"
contains "$TMP/out" 'L7,1,"src, 1",10,10,,' "values are passed through as written, quoted when needed"
contains "$TMP/out" "L301,1,web,,,," "an error row keeps them too"
/usr/bin/python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
src = {r["id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert len(rows) == 301, len(rows)
assert all(r["Converted"] == src[r["id"]]["Converted"] and r["Lead Source"] == src[r["id"]]["Lead Source"] for r in rows)
' "$TMP/out" "$TMP/leads.csv" && ok || fail "every kept value matches the input"
cp "$TMP/out" "$TMP/interp.csv"
for args in "--backend jit" "--backend batch" "--threads 2"; do
  "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep "Converted, Lead Source" $args >"$TMP/other.csv" 2>/dev/null
  same "$TMP/other.csv" "$TMP/interp.csv" "--keep with $args"
done
expect_exit 1 "--keep in JSON Lines" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep Converted --format jsonl
contains "$TMP/out" '{"id":"L2","Converted":"0","engagement":0' "JSON Lines carry kept columns as text"
expect_exit 2 "--keep a name the output has" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep engagement
contains "$TMP/err" 'the output already has a column "engagement"' "a clash is refused"
expect_exit 2 "--keep a column that is not there" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep Convrted
contains "$TMP/err" 'the header has no column "Convrted" to keep (--keep) (did you mean "Converted"?)' "a mistyped kept column stops the run, with the nearest name"
expect_exit 2 "--keep a column twice" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep "Converted,Converted"
contains "$TMP/err" '--keep: the column "Converted" is listed twice' "a repeated kept column is named as such"
expect_exit 2 "--keep an empty name" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep ""
contains "$TMP/err" '--keep: a column name is empty' "an empty kept column is refused"

# --columns: a choice of output columns, in an order of one's own, kept ones among them.
expect_exit 1 "--columns" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep Converted --columns "total, Converted,id,error"
head -1 "$TMP/out" >"$TMP/header"
contains "$TMP/header" "total,Converted,id,error" "the header has the chosen columns in the chosen order"
contains "$TMP/out" "10,1,L7," "a row has them in that order"
contains "$TMP/out" ',1,L301,"field `visits` (column ""visits""): expected a number' "an error row too, with its message"
/usr/bin/python3 -c '
import csv, sys
chosen = list(csv.DictReader(open(sys.argv[1], newline="")))
full = {r["id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert len(chosen) == 301 and list(chosen[0]) == ["total", "Converted", "id", "error"]
assert all(r["total"] == full[r["id"]]["total"] and r["error"] == full[r["id"]]["error"] for r in chosen)
' "$TMP/out" "$TMP/interp.csv" && ok || fail "the chosen columns hold what the full output does"
for args in "--backend jit" "--threads 2"; do
  "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep Converted --columns "total, Converted,id,error" $args >"$TMP/other.csv" 2>/dev/null
  same "$TMP/other.csv" "$TMP/out" "--columns with $args"
done
expect_exit 1 "--columns in JSON Lines" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --columns "id,engagement" --format jsonl --explain
contains "$TMP/out" '{"id":"L7","engagement":10}' "JSON Lines rows have only the chosen keys"
contains "$TMP/out" '{"id":"L301","engagement":null}' "... error rows too"
expect_exit 1 "JSON Lines error rows with --explain" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --format jsonl --explain
contains "$TMP/out" '"error":"field `visits` (column \"visits\"): expected a number, found \"many\"","explain":null}' "an error row has every key, explain null"
expect_exit 1 "--columns without error" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --columns "id,total"
contains "$TMP/out" "L301," "a failed record still has its row"
contains "$TMP/err" 'leads.csv:302: error: field `visits`' "... and its message on standard error"
expect_exit 2 "--columns with a name the output lacks" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --columns "id,totl"
contains "$TMP/err" 'the output has no column "totl" (did you mean "total"?); its columns are id, engagement, total, disqualified, error' "an unknown column is named with the nearest one and the list"
expect_exit 2 "--columns explain without --explain" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --columns "id,explain"
contains "$TMP/err" 'is written with --explain' "explain needs --explain"
expect_exit 2 "--columns twice the same" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --columns "id,id"
contains "$TMP/err" '--columns: the column "id" is listed twice' "a repeated column is refused"
# Kept columns are passed through as written: a value the model's `missing values` lists, bytes
# that are not UTF-8, and a JSON object are kept, and never make the lead an error.
printf '%s\n' 'model "Keep raw"' '' 'missing values: "", "0", "n/a"' '' 'lead:' '  id: string key from "id"' \
  '  visits: int from "visits"' '' 'score engagement:' '  visits >= 5: +10 "5+ visits"' >"$TMP/mv.rubric"
printf 'id,visits,Converted,Note\nA1,6,0,ok\nA2,6,n/a,\xe9t\xe9\n' >"$TMP/raw.csv"
expect_exit 0 "--keep raw values" -- "$RUBRIC" score "$TMP/mv.rubric" --input "$TMP/raw.csv" --keep Converted,Note
contains "$TMP/out" "A1,0,ok,10" "a missing-values text is kept as written"
contains "$TMP/out" "A2,n/a," "... every one"
contains "$TMP/err" "2 scored, 0 errors" "bytes that are not UTF-8 in a kept column are no error"
printf '{"id": "J1", "visits": 6, "Meta": {"a": [1, 2]}, "Converted": 0}\n' >"$TMP/raw.jsonl"
expect_exit 0 "--keep JSON values" -- "$RUBRIC" score "$TMP/mv.rubric" --input "$TMP/raw.jsonl" --keep Meta,Converted --strict
contains "$TMP/out" '"{""a"":[1,2]}",0,10' "a kept JSON object is its JSON, a kept number its text"

finish
