#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `rubric evaluate` and `rubric diff --label` from the command line: labels, splits, refusals
# (leakage, labels that are not yes or no, missing columns), record errors, --suggest/--write and
# the JSON form. On a generated fixture, and on X Education when ../shared is there.
# Usage: evaluate_cli_test.sh RUBRIC ROOT OUTPUT_DIR
RUBRIC="$1"
ROOT="$2"
OUT="$3"
source "$ROOT/tests/cli/lib.sh"
mkdir -p "$OUT"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# A seeded fixture: 400 leads; `won` depends on `visits` and `title`; `created` splits them in
# time; one bad row (visits = "many") and two without an outcome.
cat >"$TMP/m.rubric" <<'EOF'
// A fixture for rubric evaluate.
model "Fixture"

lead:
  id: string key from "id"
  visits: int from "visits"
  title: optional string from "title"
  created: time from "created"
  source: optional string from "source"

score engagement:
  // Many visits: a strong signal.
  visits >= 5: +10 "5+ visits"
  // Noise: fires on half the leads, whatever they do.
  source = "ads": +5 "came from ads"
  // Wrong way round on purpose: the data makes managers convert more.
  title = "manager": -5 "a manager"

disqualify:
  title = "student": "a student"

tiers temperature:
  hot: engagement >= 10
  cold: otherwise

test "a manager with 6 visits from ads scores 10":
  as of "2026-12-01"
  given id = "T1", visits = 6, title = "manager", created = "2026-01-15", source = "ads"
  expect engagement = 10
EOF
/usr/bin/python3 - "$TMP/leads.csv" <<'EOF'
import random, sys
rng = random.Random(11)
with open(sys.argv[1], "w") as f:
    f.write("id,visits,title,created,source,won\n")
    for i in range(1, 401):
        visits = rng.randint(0, 9)
        title = rng.choice(["manager", "engineer", "student", ""])
        p = 0.1 + 0.5 * (visits >= 5) + 0.3 * (title == "manager")
        won = "yes" if rng.random() < p else "no"
        if i in (17, 33):
            won = ""
        created = f"2026-{1 + (i - 1) * 12 // 400:02d}-15"
        v = "many" if i == 50 else str(visits)
        f.write(f"L{i},{v},{title},{created},{rng.choice(['ads', 'seo'])},{won}\n")
EOF
M="$TMP/m.rubric"
L="$TMP/leads.csv"

expect_exit 1 "a bad record makes exit 1" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --as-of 2026-12-01 --format json
cp "$TMP/out" "$OUT/fixture.json"
contains "$TMP/err" "leads.csv:51: L50: field \`visits\`" "the bad record's message has its line and key"
[ "$(json "$OUT/fixture.json" 'd["records"], d["errors"], d["without_outcome"], d["figures"]["leads"]')" = "(400, 1, 2, 397)" ] && ok ||
  fail "records, errors, without outcome, leads: $(json "$OUT/fixture.json" 'd["records"], d["errors"], d["without_outcome"], d["figures"]["leads"]')"
[ "$(json "$OUT/fixture.json" '[r["flag"] for r in d["figures"]["rules"]]')" = "['', 'no effect', 'opposite']" ] && ok ||
  fail "rule flags: $(json "$OUT/fixture.json" '[r["flag"] for r in d["figures"]["rules"]]')"

expect_exit 1 "text report" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --as-of 2026-12-01
contains "$TMP/out" '"a manager": -5 points, but leads it fired on convert' "the opposite rule is named in a sentence"
contains "$TMP/out" "in-sample" "without --split the text says the figures are in-sample"

# The same outcome written three ways gives the same figures.
"$RUBRIC" evaluate "$M" --input "$L" --label won --as-of 2026-12-01 --format json >"$TMP/a.json" 2>/dev/null
"$RUBRIC" evaluate "$M" --input "$L" --label won --positive YES --as-of 2026-12-01 --format json >"$TMP/b.json" 2>/dev/null
"$RUBRIC" evaluate "$M" --input "$L" --label 'won in {"yes"}' --as-of 2026-12-01 --format json >"$TMP/c.json" 2>/dev/null
same <(json "$TMP/b.json" 'd["figures"]["auc"]') <(json "$TMP/a.json" 'd["figures"]["auc"]') "--positive YES"
same <(json "$TMP/c.json" 'd["figures"]["auc"]') <(json "$TMP/a.json" 'd["figures"]["auc"]') "--label 'won in {\"yes\"}'"
"$RUBRIC" evaluate "$M" --input "$L" --label 'won != "yes"' --as-of 2026-12-01 --format json >"$TMP/d.json" 2>/dev/null
[ "$(json "$TMP/d.json" 'round(d["figures"]["auc"][0]["auc"] + json.load(open(sys.argv[1].replace("d.json","a.json")))["figures"]["auc"][0]["auc"], 9)')" = "1.0" ] &&
  ok || fail "the opposite label gives 1 - AUC"

# A time split holds out the leads created on or after the date: months 7-12 here.
"$RUBRIC" evaluate "$M" --input "$L" --label won --as-of 2026-12-01 --split time:created@2026-07-01 --format json >"$TMP/t.json" 2>/dev/null
held=$(awk -F, 'NR > 1 && $4 >= "2026-07" && $6 != "" && $2 != "many"' "$L" | wc -l)
[ "$(json "$TMP/t.json" 'd["figures"]["leads"]')" = "$held" ] && ok || fail "time split: $(json "$TMP/t.json" 'd["figures"]["leads"]') held out, expected $held"
[ "$(json "$TMP/t.json" 'd["figures"]["leads"] + d["training"]["leads"]')" = "397" ] && ok || fail "time split: the parts add up"
# ... also on a column the model does not read.
sed -e 's/^  created: time from "created"$//' -e 's/, created = "2026-01-15"//' "$M" >"$TMP/m2.rubric"
"$RUBRIC" evaluate "$TMP/m2.rubric" --input "$L" --label won --as-of 2026-12-01 --split time:created@2026-07-01 --format json >"$TMP/t2.json" 2>/dev/null
[ "$(json "$TMP/t2.json" 'd["figures"]["leads"]')" = "$held" ] && ok || fail "time split on a column the model does not read"

# Refusals, each with a reason and exit 2.
expect_exit 2 "the label is a column the model reads" -- "$RUBRIC" evaluate "$M" --input "$L" --label visits --as-of 2026-12-01
contains "$TMP/err" 'the model reads the outcome column "visits" (field `visits`)' "leakage is named"
expect_exit 2 "a label that is not yes or no" -- "$RUBRIC" evaluate "$TMP/m2.rubric" --input "$L" --label created --as-of 2026-12-01
contains "$TMP/err" "which is not yes or no; say which value converted with --positive" "--positive is suggested"
expect_exit 2 "a label column that is not there" -- "$RUBRIC" evaluate "$M" --input "$L" --label wonn --as-of 2026-12-01
contains "$TMP/err" 'no lead has an outcome' "the missing column is reported"
contains "$TMP/err" 'did you mean "won"' "with the closest column"
expect_exit 2 "no outcome at all" -- "$RUBRIC" evaluate "$M" --input "$L" --as-of 2026-12-01
expect_exit 2 "a bad split" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --split random:2
expect_exit 2 "a bad label expression" -- "$RUBRIC" evaluate "$M" --input "$L" --label 'won in {"yes"'
expect_exit 2 "--write over the model itself" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --write "$M" --as-of 2026-12-01
contains "$TMP/err" "which this run reads" "--write refuses the model's own file"

# --suggest and --write: a model with new points, comments kept, that checks; then diff --label.
expect_exit 1 "--suggest --write" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --as-of 2026-12-01 --suggest --write "$TMP/new.rubric"
contains "$TMP/out" "Suggested points" "the suggestion is printed"
contains "$TMP/out" "--suggest holds out 30% of the leads" "the implied split is said"
contains "$TMP/new.rubric" "// Wrong way round on purpose: the data makes managers convert more." "comments are kept"
contains "$TMP/new.rubric" 'title = "manager": +' "the opposite rule's points turn positive"
contains "$TMP/out" "test case fails with the suggested points" "the model's own tests are run on the suggestion"
expect_exit 0 "the written model checks" -- "$RUBRIC" check "$TMP/new.rubric"
[ "$(diff "$M" "$TMP/new.rubric" | grep -c '^>')" -ge 1 ] && ok || fail "the written model differs"
[ "$(diff <(sed -E 's/: [+-][0-9.]+ "/: P "/' "$M") <(sed -E 's/: [+-][0-9.]+ "/: P "/' "$TMP/new.rubric") | wc -l)" -eq 0 ] && ok ||
  fail "only points change"
expect_exit 0 "diff --label" -- "$RUBRIC" diff "$M" "$TMP/new.rubric" --input "$L" --as-of 2026-12-01 --label won
contains "$TMP/out" "converted (of the leads with a known outcome in each cell)" "diff adds conversion per tier move"
contains "$TMP/out" "moved to a better tier:" "diff sums up the moves' conversion"
expect_exit 0 "diff --label --format json" -- "$RUBRIC" diff "$M" "$TMP/new.rubric" --input "$L" --as-of 2026-12-01 --label won --format json
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); m=d['tier_sets'][0]['moves']; assert all('converted' in x for x in m); assert sum(x['with_outcome'] for x in m)==397" "$TMP/out" &&
  ok || fail "diff JSON moves carry converted and with_outcome"
expect_exit 2 "diff --label on a column the model reads" -- "$RUBRIC" diff "$M" "$TMP/new.rubric" --input "$L" --label visits

# An outcomes file joined by the key: the keys listed there converted.
awk -F, 'NR == 1 {print "lead,stage"} NR > 1 && $6 == "yes" {print $1 ",won"}' "$L" >"$TMP/deals.csv"
"$RUBRIC" evaluate "$M" --input "$L" --outcomes "$TMP/deals.csv" --outcomes-key lead --as-of 2026-12-01 --format json >"$TMP/o.json" 2>/dev/null
[ "$(json "$TMP/o.json" 'd["figures"]["converted"], d["figures"]["leads"]')" = "($(awk -F, 'NR > 1 && $6 == "yes" && $2 != "many"' "$L" | wc -l), 399)" ] &&
  ok || fail "--outcomes: $(json "$TMP/o.json" 'd["figures"]["converted"], d["figures"]["leads"]')"
expect_exit 2 "--outcomes without its key column" -- "$RUBRIC" evaluate "$M" --input "$L" --outcomes "$TMP/deals.csv" --as-of 2026-12-01
contains "$TMP/err" 'no row has a key in column "id"' "the missing key column is named"
contains "$TMP/err" '--outcomes-key' "... with the option that names it"

# Undecided outcomes are left out, and the values the outcome column held are shown.
awk -F, 'BEGIN {OFS=","} NR == 1 {print; next} NR % 5 == 0 {$6 = "open"} {print}' "$L" >"$TMP/open.csv"
expect_exit 1 "--undecided" -- "$RUBRIC" evaluate "$M" --input "$TMP/open.csv" --label won --positive yes --undecided OPEN --as-of 2026-12-01
contains "$TMP/out" '"open" 80 (left out)' "the undecided value is counted and left out"
contains "$TMP/out" '"yes"' "the outcome values are listed"
opened=$(awk -F, 'NR > 1 && NR % 5 != 0 && $6 != "" && $2 != "many"' "$L" | wc -l)
"$RUBRIC" evaluate "$M" --input "$TMP/open.csv" --label won --positive yes --undecided open --as-of 2026-12-01 --format json >"$TMP/u.json" 2>/dev/null
[ "$(json "$TMP/u.json" 'd["figures"]["leads"]')" = "$opened" ] && ok || fail "--undecided leaves $(json "$TMP/u.json" 'd["figures"]["leads"]') leads, expected $opened"
expect_exit 2 "a label value nobody has" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --positive won --as-of 2026-12-01
contains "$TMP/err" 'no lead converted' "nobody converted"
contains "$TMP/err" '"yes" (' "... and the values seen are listed"

# Outputs never replace inputs; --write makes a new file unless --force.
expect_exit 2 "--report over the input" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --report "$L" --as-of 2026-12-01
contains "$TMP/err" "which this run reads" "--report refuses the input"
expect_exit 2 "--report into a missing folder" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --report "$TMP/nope/r.html"
touch "$TMP/exists.rubric"
expect_exit 2 "--write over an existing file" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --write "$TMP/exists.rubric" --as-of 2026-12-01
contains "$TMP/err" "--force" "--force is offered"
expect_exit 1 "--write --force" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --write "$TMP/exists.rubric" --force --as-of 2026-12-01
contains "$TMP/out" "rubric diff" "the diff command to run is printed"
contains "$TMP/out" "--label won" "... with the outcome options"
expect_exit 2 "--suggest with --split none" -- "$RUBRIC" evaluate "$M" --input "$L" --label won --suggest --split none

# A split column that is not there says so.
expect_exit 2 "a missing split column" -- "$RUBRIC" evaluate "$TMP/m2.rubric" --input "$L" --label won --split time:nosuch@2026-07-01
contains "$TMP/err" 'no lead has a time in the --split column "nosuch"' "the split column is named"

# Too few conversions to fit: no suggestion, and a reason.
head -21 "$L" >"$TMP/small.csv"
"$RUBRIC" evaluate "$M" --input "$TMP/small.csv" --label won --suggest --as-of 2026-12-01 >"$TMP/out" 2>"$TMP/err"
contains "$TMP/out" "no suggestion: the training part has" "a tiny training part gives no suggestion"

# The rewrite keeps a byte order mark and CRLF line ends, and scales an `each` rule's cap.
printf '\xEF\xBB\xBF' >"$TMP/bom.rubric"
printf '%s\r\n' '// Events: a per-event rule with a cap.' 'model "Each"' '' 'lead:' '  id: string key from "id"' '' 'event:' \
  '  kind: enum {visit, demo} from "type"' '  timestamp: time from "ts"' '' 'behaviour visited: kind is visit' \
  'behaviour demoed: kind is demo' '' 'score engagement:' '  visited within 30 days: + 2 each, at most 10 "visits"' \
  '  demoed within 30 days: +20 "asked for a demo"' >>"$TMP/bom.rubric"
/usr/bin/python3 -c '
import json, random, sys
rng = random.Random(5)
with open(sys.argv[1], "w") as f:
    for i in range(600):
        visits = rng.randint(0, 12)
        demo = rng.random() < 0.3
        p = 0.05 + 0.06 * min(visits, 8) + 0.2 * demo
        events = [{"type": "visit", "ts": f"2026-11-{1 + k % 28:02d}T10:00:00Z"} for k in range(visits)]
        if demo:
            events.append({"type": "demo", "ts": "2026-11-20T10:00:00Z"})
        f.write(json.dumps({"id": f"E{i}", "won_flag": "yes" if rng.random() < p else "no", "events": events}) + "\n")
' "$TMP/ev.jsonl"
expect_exit 0 "--suggest --write on a BOM + CRLF model with an each rule" -- "$RUBRIC" evaluate "$TMP/bom.rubric" --input "$TMP/ev.jsonl" \
  --label won_flag --positive yes --as-of 2026-11-30 --write "$TMP/bom2.rubric"
[ "$(head -c 3 "$TMP/bom2.rubric" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] && ok || fail "the byte order mark is kept"
[ "$(grep -c $'\r$' "$TMP/bom2.rubric")" = "$(wc -l <"$TMP/bom2.rubric")" ] && ok || fail "CRLF line ends are kept"
expect_exit 0 "the rewritten model checks" -- "$RUBRIC" check "$TMP/bom2.rubric"
/usr/bin/python3 -c '
import re, sys
line = next(l for l in open(sys.argv[1], encoding="utf-8-sig") if "\"visits\"" in l)
m = re.search(r": ([+-] ?\d+(?:\.\d+)?) each, at most (\d+(?:\.\d+)?)", line)
assert m, line
points, cap = abs(float(m.group(1).replace(" ", ""))), float(m.group(2))
assert points > 0 and abs(cap / points - 5) < 0.02, line
' "$TMP/bom2.rubric" && ok || fail "the each rule's cap keeps 5 events' worth of points"

# --suggest divides by a score's coefficient in the total, and keeps the rules of a score the total leaves out.
cat >"$TMP/two.rubric" <<'EOF'
model "Two scores"

lead:
  id: string key from "id"
  visits: int from "visits"
  title: optional string from "title"
  source: optional string from "source"

score fit:
  title = "manager": +5 "a manager"
  title = "student": -5 "a student"

score engagement:
  visits >= 5: +10 "5+ visits"
  source = "ads": +5 "came from ads"

total = fit + 3 * engagement
EOF
"$RUBRIC" evaluate "$TMP/two.rubric" --input "$L" --label won --suggest --as-of 2026-12-01 --format json >"$TMP/two.json" 2>/dev/null
/usr/bin/python3 -c '
import json, sys
s = {r["label"]: r for r in json.load(open(sys.argv[1]))["suggestion"]["rules"]}
scale_fit = s["a manager"]["suggested"] / s["a manager"]["weight"]
scale_eng = 3 * s["5+ visits"]["suggested"] / s["5+ visits"]["weight"]
assert abs(scale_fit / scale_eng - 1) < 0.15, (scale_fit, scale_eng)
' "$TMP/two.json" && ok || fail "suggested points are divided by the score's coefficient in the total"
sed 's/^total = fit + 3 \* engagement$/total = engagement/' "$TMP/two.rubric" >"$TMP/one.rubric"
"$RUBRIC" evaluate "$TMP/one.rubric" --input "$L" --label won --suggest --as-of 2026-12-01 >"$TMP/out" 2>/dev/null
contains "$TMP/out" 'its score `fit` is not in the total: kept' "a score outside the total keeps its points"

# diff --label refuses what evaluate refuses.
expect_exit 2 "diff --label on a column that is not there" -- "$RUBRIC" diff "$M" "$TMP/new.rubric" --input "$L" --label wonn --as-of 2026-12-01
contains "$TMP/err" "no lead of" "diff: no lead has an outcome"
expect_exit 2 "diff --positive without --label" -- "$RUBRIC" diff "$M" "$TMP/new.rubric" --input "$L" --positive yes

# Real data: X Education's shipped model reads Tags, an after-contact column: refused as a label.
DATA="$ROOT/../shared/datasets"
if [ -f "$DATA/x_education_leads/Leads.csv" ]; then
  expect_exit 2 "X Education: Tags as the outcome" -- "$RUBRIC" evaluate examples/xeducation/xeducation.rubric \
    --input "$DATA/x_education_leads/Leads.csv" --label 'Tags = "Will revert after reading the email"'
  contains "$TMP/err" 'the model reads the outcome column "Tags"' "leakage on real data"
  expect_exit 0 "X Education first touch" -- "$RUBRIC" evaluate examples/xeducation/xeducation_first_touch.rubric \
    --input "$DATA/x_education_leads/Leads.csv" --label Converted --as-of 2026-11-01 --split random:0.3 --seed 7 --suggest
  contains "$TMP/out" "ROC AUC of total, disqualified last on the" "X Education: the suggestion is judged on held-out leads"
else
  echo "skipped the real-data part: no $DATA"
fi
finish
