#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the `rubric` command: exit codes, messages, and bad input that must never
# crash Rubric or lose a row. Usage: cli_test.sh RUBRIC_BINARY REPO_ROOT GEN_LEADS_BINARY
set -u
ROOT="$(cd "$2" && pwd)"
. "$ROOT/tests/cli/lib.sh"
RUBRIC="$(abs "$1")"
GEN="$(abs "$3")"

B2B=examples/b2b/b2b.rubric

# Help shows a worked example; usage errors exit 2.
expect_exit 0 "help" -- "$RUBRIC" --help
contains "$TMP/out" "rubric score examples/b2b/b2b.rubric" "help shows an example"
expect_exit 0 "score help" -- "$RUBRIC" score --help
contains "$TMP/out" "--as-of 2026-11-01" "score help shows an example"
expect_exit 2 "no command" -- "$RUBRIC"

# check: clean models exit 0; the five classic mistakes are all reported in one run.
expect_exit 0 "check b2b" -- "$RUBRIC" check "$B2B"
expect_exit 1 "check five mistakes" -- "$RUBRIC" check tests/check/fail_five_mistakes.rubric
for id in E0201 E0301 E0204 E0307 E0302; do contains "$TMP/err" "error[$id]" "five mistakes: $id"; done
contains "$TMP/err" "fail_five_mistakes.rubric:16:3: error[E0201]: \`job_tittle\` is not a field of \`lead\`" "line:col"
contains "$TMP/err" "5 errors in 1 file" "error count"
expect_exit 1 "check json" -- "$RUBRIC" check tests/check/fail_five_mistakes.rubric --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==5 and d[0]["id"]=="E0201"' "$TMP/out" && ok || fail "json diagnostics"
expect_exit 0 "emit checked" -- "$RUBRIC" check "$B2B" --emit checked
contains "$TMP/out" "score engagement ceiling=100 floor=0 decay=half-life" "emit checked"
expect_exit 0 "emit ast" -- "$RUBRIC" check "$B2B" --emit ast
contains "$TMP/out" "(Score \"fit\"" "emit ast"

# score: one row per lead, a summary, reproducible with --as-of.
expect_exit 0 "score b2b" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01
lines "$TMP/out" 301 "b2b rows"
contains "$TMP/err" "300 scored, 0 errors" "summary"
head -1 "$TMP/out" | grep -q $'^id,fit,engagement,total,temperature,grade,disqualified,error$' && ok || fail "csv header, LF line end"
[ "$(grep -c $'\r' "$TMP/out")" = 0 ] && ok || fail "CSV output ends its lines with LF by default"
"$RUBRIC" score examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl --as-of 2026-11-01 --line-ending crlf >"$TMP/crlf.csv" 2>/dev/null
[ "$(grep -c $'\r$' "$TMP/crlf.csv")" = "$(wc -l <"$TMP/crlf.csv")" ] && ok || fail "--line-ending crlf ends every line with CRLF"
cmp -s <(tr -d '\r' <"$TMP/crlf.csv") "$TMP/out" && ok || fail "--line-ending crlf changes only the line ends"
expect_exit 0 "score jsonl" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --format jsonl --explain
python3 -c '
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
assert len(rows)==300, len(rows)
for r in rows:
    assert r["error"] is None
    pts=sum(h["points"] for h in r["explain"] if h["score"]=="fit")
    assert r["fit"]==max(0,min(60,round(pts,2))), (r["id"], r["fit"], pts)
' "$TMP/out" && ok || fail "jsonl output parses and fit equals its explained rules"
for backend in interp batch jit auto; do
  "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain --backend "$backend" -o "$TMP/$backend.csv" 2>/dev/null
done
cmp -s "$TMP/interp.csv" "$TMP/jit.csv" && cmp -s "$TMP/interp.csv" "$TMP/auto.csv" && cmp -s "$TMP/interp.csv" "$TMP/batch.csv" \
  && ok || fail "backends give different bytes"
# More than one batch (1024 leads) with explanations: every back end gives the same rows.
"$GEN" --count 2500 --seed 3 >"$TMP/many.jsonl"
for backend in interp batch jit; do
  "$RUBRIC" score "$B2B" --input "$TMP/many.jsonl" --as-of 2026-11-01 --explain --backend "$backend" -o "$TMP/many.$backend.csv" 2>/dev/null
done
cmp -s "$TMP/many.interp.csv" "$TMP/many.batch.csv" && cmp -s "$TMP/many.interp.csv" "$TMP/many.jit.csv" \
  && ok || fail "2500 leads with --explain: back ends differ"
for backend in interp batch jit; do
  "$RUBRIC" score "$B2B" --input "$TMP/many.jsonl" --as-of 2026-11-01 --explain --backend "$backend" --threads 3 -o "$TMP/many.t.csv" 2>/dev/null
  cmp -s "$TMP/many.interp.csv" "$TMP/many.t.csv" && ok || fail "--threads 3 with $backend changes the output"
done
# Bad and blank lines among them: with threads decoding in parallel, the rows, the messages and
# their order stay those of one thread.
awk 'NR % 297 == 0 { print "{\"id\": \"bad" NR "\", \"employees\": \"lots\"}"; print ""; print "not json" } { print }' \
  "$TMP/many.jsonl" >"$TMP/mixed.jsonl"
"$RUBRIC" score "$B2B" --input "$TMP/mixed.jsonl" --as-of 2026-11-01 --explain -o "$TMP/mixed.1.csv" 2>"$TMP/mixed.1.err"
for t in 2 4; do
  "$RUBRIC" score "$B2B" --input "$TMP/mixed.jsonl" --as-of 2026-11-01 --explain --threads $t -o "$TMP/mixed.t.csv" 2>"$TMP/mixed.t.err"
  same "$TMP/mixed.t.csv" "$TMP/mixed.1.csv" "bad lines, --threads $t: rows"
  same "$TMP/mixed.t.err" "$TMP/mixed.1.err" "bad lines, --threads $t: messages"
done
contains "$TMP/mixed.1.err" 'mixed.jsonl:299: error: invalid JSON at column 1: expected a value, found `not`' "bad lines: the message names the line"

# The disk cache: a second run loads the compiled model; a damaged cache file is rebuilt.
"$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain --backend jit --cache-dir "$TMP/cache" -o "$TMP/c1.csv" 2>/dev/null
ls "$TMP"/cache/rubric-*.o >/dev/null 2>&1 && ok || fail "no object in the cache folder"
"$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain --backend jit --cache-dir "$TMP/cache" -o "$TMP/c2.csv" 2>/dev/null
cmp -s "$TMP/c1.csv" "$TMP/interp.csv" && cmp -s "$TMP/c2.csv" "$TMP/interp.csv" && ok || fail "cached model output differs"
for f in "$TMP"/cache/rubric-*.o; do printf 'garbage' >"$f"; done
expect_exit 0 "damaged cache" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain --backend jit --cache-dir "$TMP/cache" -o "$TMP/c3.csv"
cmp -s "$TMP/c3.csv" "$TMP/interp.csv" && ok || fail "output after a damaged cache differs"
# An object compiled for another model, dropped in the cache under this model's name, is rebuilt.
printf 'id,email,job_title\r\nx,a@b.com,VP\r\n' >"$TMP/small.csv"
printf 'lead:\n  id: string key\n  job_title: optional string\nscore s:\n  job_title is present: +1\n' >"$TMP/other.rubric"
"$RUBRIC" score "$TMP/other.rubric" --input "$TMP/small.csv" --as-of 2026-11-01 --backend jit --cache-dir "$TMP/other" -o /dev/null 2>/dev/null
ls "$TMP"/other/rubric-*.o >/dev/null 2>&1 && ok || fail "the other model was not cached"
for f in "$TMP"/cache/rubric-*.o; do cp "$TMP"/other/rubric-*.o "$f"; done
expect_exit 0 "foreign cache object" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --explain --backend jit --cache-dir "$TMP/cache" -o "$TMP/c4.csv"
cmp -s "$TMP/c4.csv" "$TMP/interp.csv" && ok || fail "output after a foreign cache object differs"
expect_exit 0 "emit llvm" -- "$RUBRIC" check "$B2B" --emit llvm
contains "$TMP/out" "@rubric_score(ptr" "emit llvm"
cat examples/b2b/leads.jsonl | "$RUBRIC" score "$B2B" --input - --as-of 2026-11-01 >"$TMP/stdin.csv" 2>/dev/null
lines "$TMP/stdin.csv" 301 "stdin input"
expect_exit 0 "output file" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01T00:00:00Z -o "$TMP/o.csv"
lines "$TMP/o.csv" 301 "output file rows"

# explain: one lead rule by rule, with the values seen and the tier decision.
expect_exit 0 "explain" -- "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id L0000013 --as-of 2026-11-01
contains "$TMP/out" "fit: 40" "explain score"
contains "$TMP/out" "employees = 1888" "explain value seen"
contains "$TMP/out" "visited pricing within 7 days: 1 matching event" "explain events seen"
contains "$TMP/out" "temperature: hot  because total >= 70 and fit >= 25  (total = 79.24; fit = 40)" "explain tier"
expect_exit 0 "explain --lead" -- "$RUBRIC" explain "$B2B" --lead '{"id": "x", "email": "a@gmail.com"}' --as-of 2026-11-01
contains "$TMP/out" "yes          -10  free email address" "explain a lead given inline"
contains "$TMP/out" "unknown           mid-market company" "explain an unknown rule"
# A fired rule whose condition is an `and` or an `or` is shown as fired (yes), with its facts.
printf 'lead:\n  id: string key\n  a: optional int\n  b: optional int\nscore s:\n  a > 1 and b > 1: +1 "both"\n  a > 5 or b > 1: +2 "either"\n  a > 1 and b > 5: +4 "not both"\n' >"$TMP/andor.rubric"
expect_exit 0 "explain and/or rules" -- "$RUBRIC" explain "$TMP/andor.rubric" --lead '{"id": "x", "a": 2, "b": 3}' --as-of 2026-11-01
contains "$TMP/out" "yes           +1  both" "explain: a fired and-rule says yes"
contains "$TMP/out" "yes           +2  either" "explain: a fired or-rule says yes"
contains "$TMP/out" "no                not both" "explain: an and-rule that did not fire says no"
contains "$TMP/out" "a = 2; b = 3" "explain: an and-rule's facts"
# Every back end records the values it shows (its trace): the same explanation from each.
for fmt in text json; do
  for id in L0000013 L0000002 L0000040; do
    "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id $id --as-of 2026-11-01 --format $fmt --backend interp >"$TMP/ex.interp" 2>&1
    for backend in batch jit; do
      "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id $id --as-of 2026-11-01 --format $fmt --backend $backend >"$TMP/ex.$backend" 2>&1
      same "$TMP/ex.interp" "$TMP/ex.$backend" "explain $id ($fmt) with --backend $backend"
    done
  done
done
# A define whose whole body is another define shares its node: a rule on the inner one is
# read from its own program, not from the alias's (which did not run).
cat >"$TMP/alias.rubric" <<'EOF'
model "alias"

lead:
  id: string key
  employees: optional int

define unused_alias: big
define big: employees > 100

score fit:
  big: +5 "big"
EOF
for backend in interp batch jit; do
  expect_exit 0 "explain an alias ($backend)" -- "$RUBRIC" explain "$TMP/alias.rubric" --lead '{"id": "x", "employees": 5}' --as-of 2026-11-01 --backend $backend
  contains "$TMP/out" "no                big" "explain: a rule on a define another define names says no ($backend)"
done
expect_exit 2 "explain with an unknown back end" -- "$RUBRIC" explain "$B2B" --lead '{"id": "x"}' --backend fast
expect_exit 1 "explain unknown id" -- "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id nobody
# A lead that cannot be read is named as score names it: file, line, every problem.
printf '{"employees": "ten"}\n' >"$TMP/explain_bad.jsonl"
expect_exit 1 "explain a bad lead" -- "$RUBRIC" explain "$B2B" --input "$TMP/explain_bad.jsonl" --as-of 2026-11-01
contains "$TMP/err" 'explain_bad.jsonl:1: error: field `id` is required and is missing; field `email` is required' "explain names the file and line of a bad lead, and every problem of it"
expect_exit 1 "explain --lead, bad" -- "$RUBRIC" explain "$B2B" --lead '{"id": "X1"}' --as-of 2026-11-01
contains "$TMP/err" 'rubric: --lead: error: field `email` is required' "explain --lead names the lead given"
expect_exit 2 "explain without a lead" -- "$RUBRIC" explain "$B2B"

# diff: tier moves and the rules behind the largest changes, before a model is published.
sed 's/hot: total >= 70 and fit >= 25/hot: total >= 60 and fit >= 25/; s/+30 each, at most 30 "demo request"/+40 each, at most 40 "demo request"/' \
  "$B2B" >"$TMP/changed.rubric"
expect_exit 0 "diff" -- "$RUBRIC" diff "$B2B" "$TMP/changed.rubric" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --top 3
contains "$TMP/out" "temperature: 12 leads change tier" "diff tier moves"
contains "$TMP/out" "engagement: demo request: 29.72 -> 39.62" "diff names the rule behind a change"
expect_exit 0 "diff of a model with itself" -- "$RUBRIC" diff "$B2B" "$B2B" --input examples/b2b/leads.jsonl --as-of 2026-11-01
contains "$TMP/out" "0 leads change total" "diff of identical models"
# diff reads the leads once per model: standard input is refused with why; values read as
# missing (bad optional values) are said, as score says them.
expect_exit 2 "diff --input -" -- "$RUBRIC" diff "$B2B" "$B2B" --input - --as-of 2026-11-01 </dev/null
contains "$TMP/err" "reads the leads more than once, so they must be in a file, not standard input" "diff says why standard input will not do"
expect_exit 2 "evaluate --input -" -- "$RUBRIC" evaluate "$B2B" --input - --label converted </dev/null
contains "$TMP/err" "reads the leads more than once" "evaluate says so too"
head -3 examples/b2b/leads.jsonl | sed '2s/"employees":[0-9]*/"employees":"lots"/' >"$TMP/bad_optional.jsonl"
grep -q '"employees":"lots"' "$TMP/bad_optional.jsonl" && ok || fail "the fixture has a bad optional value"
expect_exit 0 "diff with a bad optional value" -- "$RUBRIC" diff "$B2B" "$B2B" --input "$TMP/bad_optional.jsonl" --as-of 2026-11-01
contains "$TMP/err" "bad_optional.jsonl: 1 warning in the records: bad values of optional fields read as missing" "diff counts values read as missing"
contains "$TMP/err" "(the first: record 2: field \`employees\`" "... and names the first"

# lint: every format; warnings pass unless --strict; SARIF has the structure code scanning reads.
expect_exit 0 "lint examples" -- "$RUBRIC" lint --strict examples/b2b/b2b.rubric examples/xeducation/xeducation.rubric examples/bank/bank.rubric
contains "$TMP/err" "0 errors, 0 warnings in 3 files" "lint summary"
expect_exit 0 "lint warnings" -- "$RUBRIC" lint tests/lint/every_lint.rubric
contains "$TMP/err" "warning[L0101]" "lint text"
expect_exit 1 "lint strict" -- "$RUBRIC" lint --strict tests/lint/every_lint.rubric
expect_exit 1 "lint errors" -- "$RUBRIC" lint tests/check/fail_five_mistakes.rubric
expect_exit 0 "lint sarif" -- "$RUBRIC" lint --format sarif tests/lint/every_lint.rubric
python3 - "$TMP/out" <<'PY' && ok || fail "SARIF structure"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0" and len(d["runs"]) == 1
run = d["runs"][0]
rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
assert run["tool"]["driver"]["name"] == "rubric" and {"L0101", "L0109", "E0101", "E0409"} <= rules, rules
for r in run["results"]:
    assert r["ruleId"] in rules and r["level"] == "warning" and r["message"]["text"]
    region = r["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
assert len(run["results"]) == 13, len(run["results"])
PY
expect_exit 0 "lint json" -- "$RUBRIC" lint --format json tests/lint/every_lint.rubric
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==13 and all(x["severity"]=="warning" for x in d)' "$TMP/out" \
  && ok || fail "lint json"
expect_exit 0 "lint github" -- "$RUBRIC" lint --format github tests/lint/every_lint.rubric
contains "$TMP/out" "::warning file=tests/lint/every_lint.rubric,line=20,col=3," "github annotation"

# fmt --check lists files that are not formatted.
printf 'lead:\n      id : string key\nscore s:\n  id is present:+1\n' >"$TMP/ugly.rubric"
cp "$TMP/ugly.rubric" "$TMP/ugly.rubric.orig"
expect_exit 1 "fmt check" -- "$RUBRIC" fmt --check "$TMP/ugly.rubric"
contains "$TMP/out" "ugly.rubric" "fmt check lists the file"
expect_exit 0 "fmt" -- "$RUBRIC" fmt "$TMP/ugly.rubric"
expect_exit 0 "fmt check after fmt" -- "$RUBRIC" fmt --check "$TMP/ugly.rubric"

# The pre-commit hook from examples/ci refuses a staged model that is not formatted.
if command -v git >/dev/null; then
  mkdir -p "$TMP/hook" && (cd "$TMP/hook" && git init -q && cp "$ROOT/$B2B" good.rubric && git add good.rubric)
  (cd "$TMP/hook" && RUBRIC="$RUBRIC" bash "$ROOT/examples/ci/pre-commit" >/dev/null 2>&1) && ok || fail "hook on a clean model"
  cp "$TMP/ugly.rubric.orig" "$TMP/hook/ugly.rubric" && (cd "$TMP/hook" && git add ugly.rubric)
  (cd "$TMP/hook" && RUBRIC="$RUBRIC" bash "$ROOT/examples/ci/pre-commit" >/dev/null 2>&1) && fail "hook let an unformatted model through" || ok
fi

# test: passing and failing cases, expected against actual, JUnit XML.
expect_exit 0 "test examples" -- "$RUBRIC" test "$B2B" --junit "$TMP/junit.xml"
contains "$TMP/out" "3 passed, 0 failed" "test summary"
cp "$B2B" "$TMP/failing.rubric"
printf '\ntest "wrong on purpose":\n  as of "2026-11-01"\n  given email = "a@b.io", employees = 300\n  expect fit = 99\n  expect temperature is hot\n' >>"$TMP/failing.rubric"
expect_exit 1 "failing test" -- "$RUBRIC" test "$TMP/failing.rubric" --junit "$TMP/junit2.xml"
contains "$TMP/out" 'expected `expect fit = 99`, got fit = 10' "test shows expected and actual"
contains "$TMP/out" "rules that fired: fit: mid-market company +15" "test shows the rules that fired"
contains "$TMP/out" "3 passed, 1 failed" "failing test summary"
python3 - "$TMP/junit.xml" "$TMP/junit2.xml" <<'PY' && ok || fail "JUnit XML"
import sys, xml.etree.ElementTree as ET
a = ET.parse(sys.argv[1]).getroot()
assert a.tag == "testsuites" and a.find("testsuite").get("tests") == "3" and a.find("testsuite").get("failures") == "0"
b = ET.parse(sys.argv[2]).getroot().find("testsuite")
assert b.get("tests") == "4" and b.get("failures") == "1"
assert len([c for c in b.findall("testcase") if c.find("failure") is not None]) == 1
PY

# Bad records: an error row each (or none with --on-error skip), line numbers on stderr, exit 1.
cat >"$TMP/bad.jsonl" <<'JSON'
{"id": "good", "email": "a@b.com"}
{"id": "broken", "email":
{"id": "wrongtype", "email": "a@b.com", "employees": "ten"}
{"email": "nokey@b.com"}
["not", "an", "object"]

{"id": "badevents", "email": "a@b.com", "events": {"kind": "page_view"}}
{"id": "badevent", "email": "a@b.com", "events": [{"kind": "teleport", "timestamp": "2026-10-01"}, {"kind": "page_view"}]}
{"id": "enum-fallback", "email": "a@b.com", "industry": "mining"}
{"id": "good2", "email": "c@d.com", "employees": 300}
JSON
# --strict: a bad value of an optional field and an unknown event kind are record errors too.
expect_exit 1 "bad records" -- "$RUBRIC" score "$B2B" --input "$TMP/bad.jsonl" --as-of 2026-11-01 --strict
lines "$TMP/out" 10 "bad records keep one row each"
contains "$TMP/err" "bad.jsonl:2: error: invalid JSON at column " "invalid json line"
contains "$TMP/err" "bad.jsonl:3: error: field \`employees\`: expected a number, found \"ten\"" "wrong type"
contains "$TMP/err" "bad.jsonl:4: error: field \`id\` is required and is missing" "missing required"
contains "$TMP/err" "bad.jsonl:5: error: expected a JSON object" "not an object"
contains "$TMP/err" "bad.jsonl:8: error: field \`events[0].kind\`" "bad event kind"
contains "$TMP/err" "field \`events[1].timestamp\` is required and is missing" "event without timestamp"
contains "$TMP/err" "3 scored, 6 errors" "bad records summary"
contains "$TMP/out" "wrongtype,,,,,,," "error row keeps the key"
expect_exit 1 "skip" -- "$RUBRIC" score "$B2B" --input "$TMP/bad.jsonl" --as-of 2026-11-01 --on-error skip --strict
lines "$TMP/out" 4 "skip leaves good rows only"
contains "$TMP/err" "3 scored, 6 errors (6 skipped)" "skip summary"
# By default the wrong-typed optional value is read as missing, with a warning, and the lead scored.
expect_exit 1 "bad records, not strict" -- "$RUBRIC" score "$B2B" --input "$TMP/bad.jsonl" --as-of 2026-11-01
lines "$TMP/out" 10 "one row each, not strict"
contains "$TMP/err" "bad.jsonl:3: warning: field \`employees\`: expected a number, found \"ten\"; read as missing" "wrong type read as missing"
contains "$TMP/err" "4 scored, 5 errors" "not strict summary"
contains "$TMP/err" "1 warning in 1 scored lead" "warnings are counted"
contains "$TMP/out" "wrongtype,0,0,0,cold" "the lead with a bad optional value is scored"
# An event of a kind the enum does not list is skipped with a warning; the lead's other events count.
printf '%s\n' '{"id": "k1", "email": "a@b.com", "events": [{"kind": "teleport", "timestamp": "2026-10-01"}, {"kind": "page_view", "page": "/pricing", "timestamp": "2026-10-30"}]}' >"$TMP/kinds.jsonl"
expect_exit 0 "an unknown event kind" -- "$RUBRIC" score "$B2B" --input "$TMP/kinds.jsonl" --as-of 2026-11-01 --explain
contains "$TMP/err" "warning: field \`events[0].kind\`" "the unknown kind is named"
contains "$TMP/err" "the event is skipped" "and the event skipped"
contains "$TMP/out" "pricing" "the other event still counts"
expect_exit 1 "an unknown event kind, strict" -- "$RUBRIC" score "$B2B" --input "$TMP/kinds.jsonl" --as-of 2026-11-01 --strict
printf '\x00\xff\xfe binary \x01\n{"id": 5, "email": true}\n' >"$TMP/junk.jsonl"
expect_exit 1 "binary junk" -- "$RUBRIC" score "$B2B" --input "$TMP/junk.jsonl" --as-of 2026-11-01
lines "$TMP/out" 3 "junk rows"

# CSV input: quoting, CRLF, a missing required column stops the run.
printf 'id,email,employees\r\n"a,1","x@y.com",5\r\nb,"q""uote@y.com",\r\n' >"$TMP/in.csv"
expect_exit 0 "csv input" -- "$RUBRIC" score "$B2B" --input "$TMP/in.csv" --as-of 2026-11-01
contains "$TMP/out" '"a,1",' "csv output quotes a key with a comma"
contains "$TMP/err" "CSV rows carry no events" "csv event warning"
printf 'id,mail\r\na,x\r\n' >"$TMP/nocol.csv"
expect_exit 2 "missing column" -- "$RUBRIC" score "$B2B" --input "$TMP/nocol.csv"
contains "$TMP/err" "no column \"email\" for the required field \`email\`" "missing column message"
: >"$TMP/empty.csv"
expect_exit 2 "empty csv" -- "$RUBRIC" score "$B2B" --input "$TMP/empty.csv"
: >"$TMP/empty.jsonl"
expect_exit 0 "empty jsonl" -- "$RUBRIC" score "$B2B" --input "$TMP/empty.jsonl"
contains "$TMP/err" "0 scored, 0 errors" "empty summary"

# Things that stop a run before it starts exit 2 with a message.
expect_exit 2 "input is a folder" -- "$RUBRIC" score "$B2B" --input "$TMP"
contains "$TMP/err" "is a folder" "folder message"
expect_exit 2 "bad delimiter" -- "$RUBRIC" score "$B2B" --input "$TMP/in.csv" --delimiter xx
contains "$TMP/err" "--delimiter xx is not a delimiter" "bad delimiter message"
expect_exit 0 "named delimiter" -- "$RUBRIC" score "$B2B" --input "$TMP/in.csv" --delimiter comma --as-of 2026-11-01 --output-delimiter ';'
head -1 "$TMP/out" | grep -q '^id;fit;engagement;total;temperature;grade;disqualified;error' && ok || fail "output delimiter"
expect_exit 2 "no input file" -- "$RUBRIC" score "$B2B" --input "$TMP/nope.jsonl"
contains "$TMP/err" "cannot open" "no input message"
expect_exit 2 "bad as-of" -- "$RUBRIC" score "$B2B" --input examples/b2b/leads.jsonl --as-of yesterday
contains "$TMP/err" "--as-of yesterday is not a time" "bad as-of message"
expect_exit 2 "bad model" -- "$RUBRIC" score tests/check/fail_five_mistakes.rubric --input examples/b2b/leads.jsonl
contains "$TMP/err" "nothing was scored" "bad model message"


# Functions the embedding program provides: declared with --function for check, lint and build.
cat >"$TMP/host.rubric" <<'RUBRIC'
lead:
  id: string key
  email: optional string
  employees: optional int
score fit:
  is_customer(email domain): +20 "existing customer"
  account_weight(employees) > 1000: +5 "weighty"
RUBRIC
expect_exit 1 "a host function not declared" -- "$RUBRIC" check "$TMP/host.rubric"
contains "$TMP/err" "error[E0206]: \`is_customer\` is not a function" "undeclared host function: message"
expect_exit 0 "host functions declared" -- "$RUBRIC" check "$TMP/host.rubric" --function "is_customer(string) -> bool" \
  --function "account_weight(number) -> number"
expect_exit 0 "lint with host functions" -- "$RUBRIC" lint "$TMP/host.rubric" --function "is_customer(text) -> bool" \
  --function "account_weight(int) -> number"
expect_exit 1 "a host function declared with other types" -- "$RUBRIC" check "$TMP/host.rubric" \
  --function "is_customer(int) -> bool" --function "account_weight(number) -> number"
contains "$TMP/err" "\`is_customer\` needs a whole number" "host function argument type: message"
expect_exit 2 "a bad --function" -- "$RUBRIC" check "$TMP/host.rubric" --function "is_customer(string)"
contains "$TMP/err" "write it like \`is_customer(string) -> bool\`" "bad --function: message"
expect_exit 2 "--function naming a built-in" -- "$RUBRIC" check "$TMP/host.rubric" --function "lower(string) -> string"
expect_exit 0 "build with host functions" -- "$RUBRIC" build --function "is_customer(string) -> bool" \
  --function "account_weight(number) -> number" "$TMP/host.rubric" -o "$TMP/host.so"
expect_exit 0 "--function before the files" -- "$RUBRIC" check --function "is_customer(string) -> bool" \
  --function "account_weight(number) -> number" "$TMP/host.rubric" "$TMP/host.rubric"
printf '{"id": "a", "email": "x@acme.com"}\n' >"$TMP/host.jsonl"
expect_exit 2 "scoring a model whose functions only a program provides" -- "$RUBRIC" score "$TMP/host.so" --input "$TMP/host.jsonl"
contains "$TMP/err" "calls a function this program has not registered" "host functions at score: message"


# One document per run: JSON and SARIF over several files parse as one document.
expect_exit 1 "check json, two files" -- "$RUBRIC" check --format json tests/check/fail_five_mistakes.rubric tests/check/fail_types.rubric
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len({x["file"] for x in d}) == 2' "$TMP/out" \
  && ok || fail "check --format json with two files: one array"
expect_exit 0 "lint json, two files" -- "$RUBRIC" lint --format json tests/lint/every_lint.rubric "$B2B"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 13' "$TMP/out" && ok || fail "lint --format json with two files: one array"
cp tests/lint/every_lint.rubric "$TMP/second_lints.rubric"
expect_exit 0 "lint sarif, two files" -- "$RUBRIC" lint --format sarif tests/lint/every_lint.rubric "$TMP/second_lints.rubric"
python3 - "$TMP/out" <<'PY' && ok || fail "lint --format sarif with two files: one run"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["runs"]) == 1 and len(d["runs"][0]["results"]) == 26
assert "example.invalid" not in open(sys.argv[1]).read() and d["runs"][0]["tool"]["driver"]["version"] != ""
PY

# fmt refuses a file with syntax errors (it would rewrite `mid-size` as `mid - size`).
printf 'lead:\n  id: string key\n  employees: optional int\nscore fit:\n  employees > 200: +10 mid-size company\n' >"$TMP/syntax.rubric"
cp "$TMP/syntax.rubric" "$TMP/syntax.orig"
expect_exit 1 "fmt refuses syntax errors" -- "$RUBRIC" fmt "$TMP/syntax.rubric"
same "$TMP/syntax.rubric" "$TMP/syntax.orig" "fmt leaves a file with syntax errors untouched"
contains "$TMP/err" "error[E0101]" "fmt prints the syntax errors"
expect_exit 1 "fmt --check on syntax errors" -- "$RUBRIC" fmt --check "$TMP/syntax.rubric"
# fmt keeps CRLF line endings, the file's mode and a symbolic link, and leaves no temporary file.
mkdir -p "$TMP/crlf"
printf 'lead:\r\n      id : string key\r\nscore s:\r\n  id is present:+1\r\n' >"$TMP/crlf/x.rubric"
chmod 640 "$TMP/crlf/x.rubric"
ln -s x.rubric "$TMP/crlf/link.rubric"
expect_exit 0 "fmt a CRLF file" -- "$RUBRIC" fmt "$TMP/crlf/link.rubric"
printf 'lead:\r\n  id: string key\r\nscore s:\r\n  id is present: +1\r\n' >"$TMP/crlf.want"
same "$TMP/crlf/x.rubric" "$TMP/crlf.want" "fmt keeps CRLF line endings"
[ -L "$TMP/crlf/link.rubric" ] && [ "$(stat -c %a "$TMP/crlf/x.rubric")" = 640 ] && ok || fail "fmt keeps the link and the mode"
[ "$(ls -A "$TMP/crlf" | wc -l)" -eq 2 ] && ok || fail "fmt left files behind: $(ls -A "$TMP/crlf")"
# --diff prints a unified diff and writes nothing; - formats standard input to standard output.
cp "$TMP/ugly.rubric.orig" "$TMP/ugly2.rubric"
expect_exit 0 "fmt --diff" -- "$RUBRIC" fmt --diff "$TMP/ugly2.rubric"
same "$TMP/ugly2.rubric" "$TMP/ugly.rubric.orig" "fmt --diff writes nothing"
contains "$TMP/out" "@@ -1,4 +1,4 @@" "fmt --diff hunk"
contains "$TMP/out" "-      id : string key" "fmt --diff removed line"
contains "$TMP/out" "+  id: string key" "fmt --diff added line"
"$RUBRIC" fmt - <"$TMP/ugly.rubric.orig" >"$TMP/stdin.out" 2>"$TMP/err" && ok || fail "fmt - exits 0"
printf 'lead:\n  id: string key\nscore s:\n  id is present: +1\n' >"$TMP/stdin.want"
same "$TMP/stdin.out" "$TMP/stdin.want" "fmt - formats standard input to standard output"
"$RUBRIC" fmt - <"$TMP/syntax.orig" >"$TMP/stdin.out" 2>"$TMP/err"
[ $? -eq 1 ] && [ ! -s "$TMP/stdin.out" ] && ok || fail "fmt - refuses syntax errors and prints nothing"

# check and lint read standard input for -.
"$RUBRIC" check - <"$B2B" 2>"$TMP/err" && ok || fail "check - exits 0 on a clean model"
"$RUBRIC" check - <tests/check/fail_five_mistakes.rubric 2>"$TMP/err"; [ $? -eq 1 ] && ok || fail "check - exits 1 on errors"
contains "$TMP/err" "<stdin>:16:3: error[E0201]" "check - names standard input"
"$RUBRIC" lint --format json - <tests/lint/every_lint.rubric >"$TMP/out" 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==13 and d[0]["file"]=="<stdin>"' "$TMP/out" && ok || fail "lint - reads standard input"

# diff: a renamed tier set is named, a new tier is listed in model order, no empty heading.
sed 's/tiers temperature:/tiers heat:/; s/  hot: total >= 70 and fit >= 25/  blazing: total >= 90\n  hot: total >= 70 and fit >= 25/; s/expect temperature is/expect heat is/' \
  "$B2B" >"$TMP/renamed.rubric"
expect_exit 0 "diff with a renamed tier set" -- "$RUBRIC" diff "$B2B" "$TMP/renamed.rubric" --input examples/b2b/leads.jsonl --as-of 2026-11-01
contains "$TMP/out" "tier set \`temperature\` is \`heat\` in the new model (renamed)" "diff names a renamed tier set"
grep -qE '^ +blazing +hot +warm +cold +disqualified$' "$TMP/out" && ok || fail "diff lists a new tier in model order"
grep -q "largest changes" "$TMP/out" && fail "diff prints an empty 'largest changes' heading" || ok
printf 'lead:\n  id: string key\nscore s:\n  id is present: +1\ntiers grade:\n  top: s >= 1\n  rest: otherwise\n' >"$TMP/t1.rubric"
printf 'lead:\n  id: string key\nscore s:\n  id is present: +1\ntiers band:\n  high: s >= 2\n  low: otherwise\ntiers extra:\n  all: otherwise\n' >"$TMP/t2.rubric"
printf '{"id": "a"}\n' >"$TMP/t.jsonl"
expect_exit 0 "diff with removed and added tier sets" -- "$RUBRIC" diff "$TMP/t1.rubric" "$TMP/t2.rubric" --input "$TMP/t.jsonl"
contains "$TMP/out" "tier set \`grade\` is not in the new model (removed)" "diff names a removed tier set"
contains "$TMP/out" "tier set \`extra\` is new (added)" "diff names an added tier set"
contains "$TMP/out" "tier set \`band\` is new (added)" "diff names a second added tier set"
expect_exit 0 "diff --format csv" -- "$RUBRIC" diff "$B2B" "$TMP/changed.rubric" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --format csv
lines "$TMP/out" 301 "diff csv: a row per lead"
head -1 "$TMP/out" | grep -q $'^key,old_total,new_total,change,temperature_old,temperature_new,grade_old,grade_new,error$' \
  && ok || fail "diff csv header"
"$RUBRIC" diff "$B2B" "$TMP/changed.rubric" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --format csv --line-ending crlf 2>/dev/null \
  | tr -d '\r' | cmp -s - "$TMP/out" && ok || fail "diff --line-ending crlf changes only the line ends"
expect_exit 0 "diff --format json" -- "$RUBRIC" diff "$B2B" "$TMP/changed.rubric" --input examples/b2b/leads.jsonl --as-of 2026-11-01 --format json --top 3
python3 - "$TMP/out" <<'PY' && ok || fail "diff json"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["tier_sets"][0]
assert d["leads"] == 300 and t["old"] == "temperature" and t["status"] == "same" and t["changed"] == 12
assert len(d["largest_changes"]) == 3
assert {"rule": "engagement: demo request", "old": 29.72, "new": 39.62} in d["largest_changes"][0]["rules"] + d["largest_changes"][1]["rules"] + d["largest_changes"][2]["rules"]
PY

# explain: --fired-only, --format json, durations in the rule's unit, the distance to the next tier.
expect_exit 0 "explain --fired-only" -- "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id L0000001 --as-of 2026-11-01 --fired-only
grep -qE '^  (no|unknown) ' "$TMP/out" && fail "explain --fired-only lists rules that did not fire" || ok
contains "$TMP/out" "yes          -10  gone quiet" "explain --fired-only keeps the rules that fired"
contains "$TMP/out" "temperature: 5 points short of \`warm\` (total >= 40)" "explain: how far a cold lead is from the next tier"
contains "$TMP/out" "grade: 10 points short of \`A\` (fit >= 45)" "explain: how far from the next grade"
expect_exit 0 "explain --format json" -- "$RUBRIC" explain "$B2B" --input examples/b2b/leads.jsonl --id L0000013 --as-of 2026-11-01 --format json
python3 - "$TMP/out" <<'PY' && ok || fail "explain json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lead"] == "L0000013" and d["total"] == 79.24
fit = d["scores"][0]
assert fit["name"] == "fit" and fit["points"] == 40 and any(r["fired"] for r in fit["rules"])
assert "employees = 1888" in [f for r in fit["rules"] for f in r["facts"]]
assert d["tiers"][0] == {"set": "temperature", "tier": "hot", "disqualified": False, "because": "total >= 70 and fit >= 25",
                         "facts": ["total = 79.24", "fit = 40"]}
PY
expect_exit 0 "explain a duration" -- "$RUBRIC" explain examples/xeducation/xeducation.rubric --lead '{"Prospect ID": "x", "Total Time Spent on Website": 720}' --as-of 2026-11-01
contains "$TMP/out" "time_on_site = 12 minutes" "explain shows a duration in the rule's unit"
grep -q "720 seconds" "$TMP/out" && fail "explain shows a duration in seconds where the rules use minutes" || ok

# CLI conventions: --version, version, colors, a short top-level help, did-you-mean.
want_version="rubric $(sed -n 's/^project(rubric VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
expect_exit 0 "--version" -- "$RUBRIC" --version
[ "$(cat "$TMP/out")" = "$want_version" ] && ok || fail "--version prints '$(cat "$TMP/out")', not '$want_version'"
expect_exit 0 "version" -- "$RUBRIC" version
[ "$(cat "$TMP/out")" = "$want_version" ] && ok || fail "version prints '$(cat "$TMP/out")'"
expect_exit 2 "a misspelt command" -- "$RUBRIC" chek "$B2B"
contains "$TMP/err" "did you mean \`check\`?" "did you mean check"
expect_exit 0 "short help" -- "$RUBRIC" --help
for cmd in check score explain diff fmt lint build test version; do
  grep -qE "^  $cmd +[a-z]" "$TMP/out" && ok || fail "top-level help does not list $cmd"
done
[ "$(wc -l <"$TMP/out")" -le 30 ] && ok || fail "top-level help is $(wc -l <"$TMP/out") lines"
grep -q "Output columns" "$TMP/out" && fail "top-level help repeats a command's help" || ok
for cmd in check score explain diff fmt lint build test; do
  "$RUBRIC" "$cmd" --help >"$TMP/help" 2>&1
  grep -q "^  rubric $cmd " "$TMP/help" && ok || fail "$cmd --help has no worked example"
done
expect_exit 1 "--color always" -- "$RUBRIC" check --color always tests/check/fail_five_mistakes.rubric
grep -q $'\x1b\\[' "$TMP/err" && ok || fail "--color always colors"
expect_exit 1 "--color never" -- "$RUBRIC" --color never check tests/check/fail_five_mistakes.rubric
grep -q $'\x1b' "$TMP/err" && fail "--color never colors" || ok
expect_exit 2 "--color bad" -- "$RUBRIC" check --color sometimes "$B2B"
# On a terminal diagnostics are colored, unless NO_COLOR is set.
python3 - "$RUBRIC" <<'PY' && ok || fail "NO_COLOR on a terminal"
import os, pty, subprocess, sys
def run(env):
    master, slave = pty.openpty()
    subprocess.run([sys.argv[1], "check", "tests/check/fail_five_mistakes.rubric"], stdout=subprocess.DEVNULL, stderr=slave,
                   env=env)
    os.close(slave)
    out = b""
    try:
        while chunk := os.read(master, 65536):
            out += chunk
    except OSError:
        pass
    return out
env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
env["TERM"] = "xterm"
assert b"\x1b[" in run(env), "a terminal gets colors"
assert b"\x1b[" not in run(dict(env, NO_COLOR="1")), "NO_COLOR=1 turns them off"
PY

finish
