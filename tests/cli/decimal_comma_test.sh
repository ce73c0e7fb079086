#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Decimal commas on real data: the X Education leads rewritten as a Finnish or Czech spreadsheet
# would export them (`;` between fields, `2,5` for 2.5, `1 234` with a no-break space for
# thousands), scored by the example model with a `decimal comma` line, give the rows the example
# gives on the original file; the same copy without the line gives bad values, counted.
#   decimal_comma_test.sh RUBRIC ROOT
set -u
RUBRIC=$1
ROOT=$2
LEADS=$ROOT/../shared/datasets/x_education_leads/Leads.csv
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
if [ ! -f "$LEADS" ]; then echo "FAIL: $LEADS is missing"; exit 1; fi
/usr/bin/python3 - "$LEADS" "$TMP/leads_fi.csv" <<'PY'
import csv, re, sys
src, dst = sys.argv[1], sys.argv[2]
number = re.compile(r"^-?\d+(\.\d+)?$")
def local(v):
    if not number.match(v):
        return v
    whole, _, frac = v.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + "\u00a0".join(groups) + ("," + frac if frac else "")
with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as out:
    w = csv.writer(out, delimiter=";")
    for i, row in enumerate(csv.reader(f)):
        w.writerow(row if i == 0 else [local(v) for v in row])
PY
grep -q $'\u00a0' "$TMP/leads_fi.csv" && grep -q '2,5;' "$TMP/leads_fi.csv" && ok "the copy has decimal commas and thousands" || bad "the copy"
MODEL=$ROOT/examples/xeducation/xeducation.rubric
sed 's/^model "X Education online courses"$/model "X Education online courses"\ndecimal comma/' "$MODEL" >"$TMP/xed_fi.rubric"
grep -q '^decimal comma$' "$TMP/xed_fi.rubric" && ok "the model copy says decimal comma" || bad "the model copy"
"$RUBRIC" score "$MODEL" --input "$LEADS" --as-of 2026-11-01 --explain -o "$TMP/orig.csv" 2>"$TMP/orig.err" || bad "score the original"
"$RUBRIC" score "$TMP/xed_fi.rubric" --input "$TMP/leads_fi.csv" --as-of 2026-11-01 --explain -o "$TMP/fi.csv" 2>"$TMP/fi.err" || bad "score the decimal-comma copy"
cmp -s "$TMP/orig.csv" "$TMP/fi.csv" && ok "the decimal-comma copy scores row for row as the original" || { bad "the scores differ"; diff "$TMP/orig.csv" "$TMP/fi.csv" | head -5; }
grep -q "9240 scored, 0 errors" "$TMP/fi.err" && ok "every lead scored" || { bad "summary"; cat "$TMP/fi.err"; }
# Without the line, `2,5` is not a number: read as missing, with the warnings counted.
sed '/^decimal comma$/d' "$TMP/xed_fi.rubric" >"$TMP/xed_dot.rubric"
"$RUBRIC" score "$TMP/xed_dot.rubric" --input "$TMP/leads_fi.csv" --as-of 2026-11-01 -o /dev/null 2>"$TMP/dot.err"
grep -q "warning" "$TMP/dot.err" && ok "without decimal comma, such numbers are counted as bad values" || { bad "no warnings"; cat "$TMP/dot.err"; }
exit $fail
