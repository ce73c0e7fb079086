#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `rubric score --keep`: input columns passed through to the output, after the key, as read; in
# CSV and JSON Lines, on error rows too, the same on every back end and thread count.
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
expect_exit 1 "--keep a column that is not there" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" --keep Stage
contains "$TMP/err" 'no column "Stage"' "a missing kept column is warned about"
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
