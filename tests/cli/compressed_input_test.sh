#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lead files as marketers have them: gzip and zstd (found by their first bytes), names in capitals
# or without an extension, standard input; every one scores exactly as the plain file does, and
# damaged or cut-short compressed data stops the run with a reason, never with rows silently lost.
# Usage: compressed_input_test.sh RUBRIC ROOT
RUBRIC="$1"
ROOT="$2"
source "$ROOT/tests/cli/lib.sh"

B2B=examples/b2b/b2b.rubric
score() { "$RUBRIC" score "$@" --as-of 2026-11-01 2>"$TMP/err"; }

score "$B2B" --input examples/b2b/leads.jsonl >"$TMP/plain.csv"
lines "$TMP/plain.csv" 301 "b2b plain"

gzip -c examples/b2b/leads.jsonl >"$TMP/leads.jsonl.gz"
score "$B2B" --input "$TMP/leads.jsonl.gz" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "gzip"
zstd -q -c examples/b2b/leads.jsonl >"$TMP/leads.jsonl.zst"
score "$B2B" --input "$TMP/leads.jsonl.zst" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "zstd"

# The first bytes decide, not the name: a gzip file named .jsonl, a zstd one with no extension.
cp "$TMP/leads.jsonl.gz" "$TMP/misnamed.jsonl"
score "$B2B" --input "$TMP/misnamed.jsonl" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "gzip named .jsonl"
cp "$TMP/leads.jsonl.zst" "$TMP/export"
score "$B2B" --input "$TMP/export" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "zstd without an extension (JSON Lines from the content)"

# Two gzip members one after the other (`cat a.gz b.gz`) are one file.
head -150 examples/b2b/leads.jsonl | gzip -c >"$TMP/two.gz"
tail -n +151 examples/b2b/leads.jsonl | gzip -c >>"$TMP/two.gz"
score "$B2B" --input "$TMP/two.gz" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "concatenated gzip members"

# Standard input sniffs too, compressed or not.
score "$B2B" --input - <"$TMP/leads.jsonl.gz" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "gzip on standard input"

# CSV: names in capitals, gzip, and content sniffed on standard input.
cat >"$TMP/m.rubric" <<'EOF'
model "CSV"

lead:
  id: string key from "id"
  visits: int from "visits"

score engagement:
  visits >= 5: +10 "5+ visits"
EOF
printf 'id,visits\n' >"$TMP/leads.csv"
for i in $(seq 1 500); do printf 'L%d,%d\n' "$i" $((i % 9)); done >>"$TMP/leads.csv"
"$RUBRIC" score "$TMP/m.rubric" --input "$TMP/leads.csv" >"$TMP/csv_plain.csv" 2>/dev/null
cp "$TMP/leads.csv" "$TMP/LEADS.CSV"
"$RUBRIC" score "$TMP/m.rubric" --input "$TMP/LEADS.CSV" >"$TMP/out.csv" 2>"$TMP/err"
same "$TMP/out.csv" "$TMP/csv_plain.csv" "LEADS.CSV is CSV"
gzip -c "$TMP/leads.csv" >"$TMP/Leads.CSV.GZ"
"$RUBRIC" score "$TMP/m.rubric" --input "$TMP/Leads.CSV.GZ" >"$TMP/out.csv" 2>"$TMP/err"
same "$TMP/out.csv" "$TMP/csv_plain.csv" "Leads.CSV.GZ"
"$RUBRIC" score "$TMP/m.rubric" --input - <"$TMP/leads.csv" >"$TMP/out.csv" 2>"$TMP/err"
same "$TMP/out.csv" "$TMP/csv_plain.csv" "CSV on standard input, found from its content"
zstd -q -c "$TMP/leads.csv" >"$TMP/leads.bin"
"$RUBRIC" evaluate "$TMP/m.rubric" --input "$TMP/leads.bin" --label visits --as-of 2026-11-01 >"$TMP/out" 2>"$TMP/err"
contains "$TMP/err" 'reads the outcome column "visits"' "evaluate reads a zstd CSV with no extension"

# Damaged or cut-short data: exit 2 and a reason, never a quietly shorter output.
head -c 3000 "$TMP/leads.jsonl.gz" >"$TMP/cut.gz"
expect_exit 2 "a gzip file cut short" -- "$RUBRIC" score "$B2B" --input "$TMP/cut.gz" --as-of 2026-11-01
contains "$TMP/err" "the gzip data ends early" "the cut gzip file is named as such"
head -c 3000 "$TMP/leads.jsonl.zst" >"$TMP/cut.zst"
expect_exit 2 "a zstd file cut short" -- "$RUBRIC" score "$B2B" --input "$TMP/cut.zst" --as-of 2026-11-01
contains "$TMP/err" "zstd data" "the cut zstd file is named as such"
cp "$TMP/leads.jsonl.gz" "$TMP/junk.gz"
printf 'trailing junk' >>"$TMP/junk.gz"
expect_exit 2 "text after the gzip data" -- "$RUBRIC" score "$B2B" --input "$TMP/junk.gz" --as-of 2026-11-01
contains "$TMP/err" "text follows the end of the gzip data" "trailing text is not dropped"
/usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(200, 260):
    b[i] ^= 0x5A
open(sys.argv[2], "wb").write(b)
' "$TMP/leads.jsonl.gz" "$TMP/bad.gz"
expect_exit 2 "damaged gzip data" -- "$RUBRIC" score "$B2B" --input "$TMP/bad.gz" --as-of 2026-11-01
contains "$TMP/err" "gzip data" "the damage is reported"
expect_exit 2 "diff on a cut file" -- "$RUBRIC" diff "$B2B" "$B2B" --input "$TMP/cut.gz" --as-of 2026-11-01
contains "$TMP/err" "ends early" "diff reports the cut file"
# A file cut short part way through a read: no row is made from the cut line (every row written
# is one the whole file gives), and explain stops with the reason too.
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,visits\n")
    for i in range(300000):
        f.write(f"L{i:07d},{(i * 7919) % 997}\n")
' "$TMP/big.csv"
"$RUBRIC" score "$TMP/m.rubric" --input "$TMP/big.csv" >"$TMP/big_plain.csv" 2>/dev/null
gzip -c "$TMP/big.csv" >"$TMP/big.csv.gz"
head -c $(($(stat -c %s "$TMP/big.csv.gz") * 2 / 3)) "$TMP/big.csv.gz" >"$TMP/bigcut.csv.gz"
expect_exit 2 "a big gzip file cut short" -- "$RUBRIC" score "$TMP/m.rubric" --input "$TMP/bigcut.csv.gz"
/usr/bin/python3 -c '
import sys
whole = set(open(sys.argv[1]).read().splitlines())
got = open(sys.argv[2]).read().splitlines()
bad = [r for r in got if r not in whole]
assert not bad, bad[:3]
' "$TMP/big_plain.csv" "$TMP/out" && ok || fail "a cut file's rows are all rows of the whole file (none made from a cut line)"
expect_exit 2 "explain on a cut file" -- "$RUBRIC" explain "$TMP/m.rubric" --input "$TMP/bigcut.csv.gz" --id L0299999
contains "$TMP/err" "ends early" "explain names the cut"

# A zstd file that starts with a skippable frame (as pzstd writes) is zstd.
/usr/bin/python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
skip = struct.pack("<II", 0x184D2A50, 4) + b"pzst"
open(sys.argv[2], "wb").write(skip + data)
' "$TMP/leads.jsonl.zst" "$TMP/skip.zst"
score "$B2B" --input "$TMP/skip.zst" >"$TMP/out.csv"
same "$TMP/out.csv" "$TMP/plain.csv" "zstd after a skippable frame"

# Text that is not UTF-8 as a whole: UTF-16 with a byte order mark (Excel's "Unicode Text"),
# UTF-16 LE without one, gzipped on standard input, and UTF-32 stop the run with how to
# convert; so does a JSON array where JSON Lines are read. Each with exit code 2 and no rows.
printf '%s\n' 'model "Wide"' '' 'lead:' '  id: string key' '  visits: int' '' 'score s:' '  visits > 2: +1 "v"' >"$TMP/w.rubric"
printf 'id,visits\nA,5\n' | iconv -t UTF-16 >"$TMP/unicode.txt"
expect_exit 2 "UTF-16 with a BOM" -- "$RUBRIC" score "$TMP/w.rubric" --input "$TMP/unicode.txt"
contains "$TMP/err" 'unicode.txt is UTF-16 text, and Rubric reads UTF-8: save it as UTF-8 (in Excel, "CSV UTF-8"), or convert it with `iconv -f UTF-16 -t UTF-8`' "UTF-16 is named, with the fix"
lines "$TMP/out" 0 "no rows from UTF-16"
printf 'id,visits\nA,5\n' | iconv -t UTF-16LE | gzip -c >"$TMP/wide.csv.gz"
expect_exit 2 "UTF-16 LE without a BOM, gzipped on standard input" -- "$RUBRIC" score "$TMP/w.rubric" --input - <"$TMP/wide.csv.gz"
contains "$TMP/err" 'standard input is UTF-16 text' "UTF-16 without a BOM, on standard input"
printf 'id,visits\nA,5\n' | iconv -t UTF-32 >"$TMP/wide32.csv"
expect_exit 2 "UTF-32" -- "$RUBRIC" score "$TMP/w.rubric" --input "$TMP/wide32.csv"
contains "$TMP/err" 'is UTF-32 text' "UTF-32 is named"
printf '\xef\xbb\xbfid,visits\nA,5\n' >"$TMP/utf8bom.csv"
expect_exit 0 "UTF-8 with a BOM still reads" -- "$RUBRIC" score "$TMP/w.rubric" --input "$TMP/utf8bom.csv"
contains "$TMP/out" "A,1,1,," "UTF-8 with a BOM scores"
printf '[{"id": "A", "visits": 5},\n {"id": "B", "visits": 1}]\n' >"$TMP/array.json"
expect_exit 2 "a JSON array" -- "$RUBRIC" score "$TMP/w.rubric" --input "$TMP/array.json"
contains "$TMP/err" "array.json holds a JSON array (it starts with \`[\`), and Rubric reads JSON Lines" "a JSON array is named"
contains "$TMP/err" "jq -c '.[]'" "... with the command that converts it"

finish
