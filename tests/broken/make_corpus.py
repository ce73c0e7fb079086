#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the broken-input corpus: tests/broken/cases/* and tests/broken/manifest.tsv.

Seeded and deterministic: running it again gives the same bytes (broken_test.sh checks this).
Each case is one small JSON Lines or CSV file and the number of records it holds by the
documented semantics (docs/language.md, section 12):
  - JSON Lines: one record per line that holds anything but spaces and tabs; LF, CRLF and CR
    all end a line; a byte order mark is skipped at the very start only.
  - CSV: one record per data row after the header; blank lines (spaces and tabs only) are no
    rows; a quoted value may span lines only when the row it makes is well formed, so with a
    stray quote every physical line is a record again.
  - A file whose header cannot be used (empty, no column for a required field, two columns
    for one field, an unclosed quote in the header) is `fatal`: exit code 2, no rows.

Usage: make_corpus.py [OUT_DIR]   (default: the folder of this script)
"""
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
MODELS = {
    "leads": "tests/broken/leads.rubric",
    "keyless": "tests/broken/keyless.rubric",
    "b2b": "examples/b2b/b2b.rubric",
}
rng = random.Random(20260901)
cases = []  # (file name, model key, bytes, records, expect)

BOM = b"\xef\xbb\xbf"


def jsonl_records(data):
    if data.startswith(BOM):
        data = data[3:]
    return sum(1 for line in re.split(rb"\r\n|\r|\n", data) if line.strip(b" \t"))


def csv_records(data):
    """Rows after the header when no quoted value spans lines: every non-blank line."""
    if data.startswith(BOM):
        data = data[3:]
    lines = [l for l in re.split(rb"\r\n|\r|\n", data) if l.strip(b" \t")]
    return max(0, len(lines) - 1)


def jsonl(name, data, model="leads", records=None, fatal=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    n = 0 if fatal else (jsonl_records(data) if records is None else records)
    cases.append((f"j_{name}.jsonl", model, data, n, "fatal" if fatal else "ok"))


def csv(name, data, model="keyless", records=None, fatal=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    n = 0 if fatal else (csv_records(data) if records is None else records)
    cases.append((f"c_{name}.csv", model, data, n, "fatal" if fatal else "ok"))


# ---------------------------------------------------------------- JSON Lines

def lead(i, with_events=True, **over):
    d = {
        "id": f"L{i:04d}",
        "email": f"user{i}@example.com",
        "name": rng.choice(["Ann Lee", "Bo Chen", "Cai Diaz", "Dee", "Émile Zola"]),
        "employees": rng.choice([5, 50, 500, 5000, None]),
        "revenue": rng.choice([1000.5, 2500000, None]),
        "active": rng.choice([True, False, "yes", "no"]),
        "signed_up": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00Z",
        "plan": rng.choice(["free", "pro", "enterprise", "legacy"]),
        "region": rng.choice(["emea", "amer", "apac"]),
        "trial": rng.choice([7, 30, "14"]),
    }
    if with_events:
        d["events"] = [
            {
                "kind": rng.choice(["page_view", "email_open", "call"]),
                "page": rng.choice(["https://x.io/pricing", "https://x.io/blog", None]),
                "timestamp": f"2026-10-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
                "seconds": rng.randint(1, 300),
            }
            for _ in range(rng.randint(0, 4))
        ]
    d.update(over)
    return d


def line(d):
    return json.dumps(d, ensure_ascii=False)


def good_lines(n, start=1, **kw):
    return [line(lead(start + k, **kw)) for k in range(n)]


base = "\n".join(good_lines(12)) + "\n"
jsonl("valid", base)
jsonl("empty", b"")
jsonl("only_blank_lines", "\n\n   \n\t\n \t \n")
jsonl("no_final_newline", base.rstrip("\n"))
jsonl("whitespace_lines_between", "\n".join(l + "\n  \t " for l in good_lines(6)) + "\n")

# Truncated: the valid file cut at seeded offsets (mid-line, mid-string, mid-escape).
for k in range(10):
    cut = rng.randint(1, len(base) - 2)
    jsonl(f"truncated_{k}", base.encode()[:cut])
jsonl("truncated_in_string", '{"id": "L1", "email": "a@b.c", "name": "Ann')
jsonl("truncated_after_key", '{"id": "L1", "email":')
jsonl("truncated_in_escape", '{"id": "L1", "email": "a@b.c", "name": "\\u00')
jsonl("truncated_in_events", '{"id": "L1", "email": "a@b.c", "events": [{"kind": "call", "timestamp": "2026-10-')

# Invalid UTF-8 and NUL bytes.
ok = '{"id": "U%d", "email": "u@x.io", "name": "%s"}'
for k, bad in enumerate([b"\xff", b"\xc3", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"caf\xe9", b"\xe2\x82"]):
    jsonl(f"bad_utf8_{k}", (ok % (k, "X")).encode().replace(b"X", bad) + b"\n" + (ok % (99, "fine")).encode() + b"\n")
jsonl("bad_utf8_in_key", b'{"id": "U1", "email": "u@x.io", "n\xffme": "x"}\n')
jsonl("bad_utf8_outside_strings", b'{"id": "U1", "email": "u@x.io"}\xff\n')
jsonl("nul_raw_in_string", b'{"id": "N1", "email": "n@x.io", "name": "a\x00b"}\n{"id": "N2", "email": "n@x.io"}\n')
jsonl("nul_raw_between", b'{"id": "N1",\x00 "email": "n@x.io"}\n')
jsonl("nul_escaped_read", '{"id": "N1", "email": "n@x.io", "name": "a\\u0000b"}\n')
jsonl("nul_escaped_unread", '{"id": "N1", "email": "n@x.io", "notes": "a\\u0000b"}\n')
jsonl("nul_only_lines", b"\x00\n\x00\x00\x00\n")
# UTF-16 stops the run, saying how to convert it (a NUL beside every letter, or its byte order mark).
jsonl("utf16le", ('{"id": "W1", "email": "w@x.io"}\n{"id": "W2", "email": "w@x.io"}\n').encode("utf-16-le"), fatal=True)
jsonl("utf16le_bom", b"\xff\xfe" + ('{"id": "W1", "email": "w@x.io"}\n').encode("utf-16-le"), fatal=True)
jsonl("binary_junk", bytes(rng.randrange(256) for _ in range(3000)))
jsonl("control_chars_raw", '{"id": "C1", "email": "c@x.io", "name": "tab\there"}\n{"id": "C2", "email": "c@x.io", "name": "bell\x07"}\n')

# Wrong types.
wrong = [
    ("employees", "ten"), ("employees", 12.5), ("employees", True), ("employees", [1, 2]), ("employees", {"n": 1}),
    ("revenue", "lots"), ("active", "maybe"), ("active", 2), ("signed_up", 1700000000), ("signed_up", True),
    ("plan", 3), ("region", "mars"), ("trial", "a week"), ("name", 42), ("name", ["a"]), ("email", None),
    ("id", None), ("id", 17), ("id", {"x": 1}), ("events", "none"), ("events", {"kind": "call"}), ("events", [1, 2]),
]
jsonl("wrong_types", "\n".join(line(lead(k, with_events=False, **{f: v})) for k, (f, v) in enumerate(wrong)) + "\n")
jsonl("event_wrong_types", "\n".join(line(lead(k, with_events=False, events=[e])) for k, e in enumerate([
    {"kind": "teleport", "timestamp": "2026-10-01T00:00:00Z"}, {"kind": "call"}, {"timestamp": "2026-10-01"},
    {"kind": "call", "timestamp": "2026-10-01", "seconds": "long"}, {"kind": 1, "timestamp": 2}, None, [],
    {"kind": "call", "timestamp": "2026-10-01", "page": {"url": "x"}}])) + "\n")

# Numbers: huge, tiny, NaN, infinities, leading zeros, odd forms.
nums = ["1e400", "-1e400", "18446744073709551616", "9223372036854775808", "-9223372036854775809", "9000000000000001",
        "1e308", "1e-400", "123456789012345678901234567890", "0.1e1", "-0", "1E+2", "NaN", "nan", "Infinity",
        "-Infinity", "inf", "01", "+1", ".5", "1.", "1e", "0x10", "1_000", "--1", "1.5.2"]
jsonl("numbers", "\n".join('{"id": "N%d", "email": "n@x.io", "employees": %s}' % (k, v) for k, v in enumerate(nums)) + "\n")
jsonl("numbers_in_events", "\n".join(
    '{"id": "E%d", "email": "e@x.io", "events": [{"kind": "call", "timestamp": "2026-10-01T00:00:00Z", "seconds": %s}]}' % (k, v)
    for k, v in enumerate(nums[:14])) + "\n")
jsonl("numbers_as_text", "\n".join(line(lead(k, with_events=False, employees=v, revenue=v))
                                   for k, v in enumerate(["NaN", "inf", "1e400", "", " 42 ", "4,2", "n/a"])) + "\n")

# Byte order marks and line ends.
jsonl("bom_start", BOM + base.encode())
jsonl("bom_line2", ("\n".join(good_lines(2)) + "\n").encode() + BOM + (line(lead(3)) + "\n").encode())
jsonl("bom_every_line", b"".join(BOM + l.encode() + b"\n" for l in good_lines(4)))
jsonl("bom_twice", BOM + BOM + base.encode())
jsonl("bom_in_string", '{"id": "B1", "email": "b@x.io", "name": "\ufeffAnn"}\n')
jsonl("bom_then_blank", BOM + b"\n" + base.encode())
jsonl("crlf", base.replace("\n", "\r\n"))
jsonl("cr_only", base.replace("\n", "\r"))
jsonl("lf_cr", base.replace("\n", "\n\r"))
jsonl("mixed_line_ends", "".join(l + rng.choice(["\n", "\r\n", "\r", "\n\n", "\r\r\n"]) for l in good_lines(15)))
jsonl("cr_in_string_escaped", '{"id": "R1", "email": "r@x.io", "name": "a\\rb\\nc"}\n')
jsonl("cr_raw_in_string", '{"id": "R1", "email": "r@x.io", "name": "a\rb"}\n')

# More than one value per line, and values spread over lines.
jsonl("two_objects_one_line", line(lead(1)) + " " + line(lead(2)) + "\n" + line(lead(3)) + "\n")
jsonl("objects_glued", line(lead(1)) + line(lead(2)) + "\n")
jsonl("comma_separated_objects", line(lead(1)) + ", " + line(lead(2)) + "\n")
jsonl("trailing_garbage", line(lead(1)) + " xyz\n" + line(lead(2)) + ";\n" + line(lead(3)) + " // note\n")
jsonl("json_array_of_leads", json.dumps([lead(1), lead(2), lead(3)]) + "\n")
jsonl("pretty_printed", json.dumps(lead(1), indent=2) + "\n" + json.dumps(lead(2), indent=2) + "\n")
# An array over many lines (its first line `[`) stops the run, saying how to convert it; an
# array on one line is one record, an error row.
jsonl("whole_file_one_array_pretty", json.dumps([lead(1), lead(2)], indent=1) + "\n", fatal=True)

# Not objects.
jsonl("not_objects", "\n".join(['[1, 2]', '"text"', "42", "null", "true", "[]", '[{"id": "x"}]', "{}", '""']) + "\n")
jsonl("csv_given_as_jsonl", "id,email\nL1,a@b.c\nL2,b@c.d\n")

# Nesting.
jsonl("nested_ok", line(lead(1, notes={"a": {"b": {"c": [1, [2, [3, {"d": None}]]]}}})) + "\n")
jsonl("nested_deep_unread", '{"id": "D1", "email": "d@x.io", "x": ' + "[" * 900 + "]" * 900 + "}\n")
jsonl("nested_too_deep", '{"id": "D1", "email": "d@x.io", "x": ' + "[" * 5000 + "]" * 5000 + "}\n" + line(lead(2)) + "\n")
jsonl("nested_unclosed", "[" * 20000 + "\n" + "{" * 3000 + "\n" + line(lead(3)) + "\n")
jsonl("nested_field_object", line(lead(1, with_events=False, name={"first": "A", "last": "B"})) + "\n")
jsonl("events_nested_arrays", line(lead(1, with_events=False, events=[[{"kind": "call", "timestamp": "2026-10-01"}]])) + "\n")

# Duplicate keys.
jsonl("duplicate_keys", "\n".join([
    '{"id": "K1", "email": "k@x.io", "employees": 5, "employees": 500}',
    '{"id": "K2", "id": "K3", "email": "k@x.io"}',
    '{"id": "K4", "email": "k@x.io", "notes": 1, "notes": 2}',
    '{"id": "K5", "email": "k@x.io", "events": [], "events": []}',
    '{"id": "K6", "email": "k@x.io", "events": [{"kind": "call", "kind": "page_view", "timestamp": "2026-10-01"}]}',
    '{"id": "K7", "email": "k@x.io", "Employees": 5, "employees": 6}',
]) + "\n")

# Keys and required fields.
jsonl("keys_odd", "\n".join([
    '{"email": "k@x.io"}', '{"id": "", "email": "k@x.io"}', '{"id": null, "email": "k@x.io"}', '{"id": 12, "email": "k@x.io"}',
    '{"id": 1.5, "email": "k@x.io"}', '{"id": true, "email": "k@x.io"}', '{"id": "' + "k" * 100000 + '", "email": "k@x.io"}',
    '{"id": "new\\nline", "email": "k@x.io"}', '{"id": "quote\\"comma,", "email": "k@x.io"}', '{"ID": "K1", "email": "k@x.io"}',
    '{"id": "K2"}', '{"id": "K3", "email": ""}', '{"id": "K4", "email": "n/a"}',
]) + "\n")

# Syntax slips.
jsonl("syntax_slips", "\n".join([
    '{"id": "S1", "email": "s@x.io",}', '{"id": "S2" "email": "s@x.io"}', "{'id': 'S3', 'email': 's@x.io'}",
    '{id: "S4", email: "s@x.io"}', '{"id": "S5", "email": "s@x.io"} // comment', '// {"id": "S6"}',
    '{"id": "S7", "email": "s@x.io", "name": "a\\xb"}', '{"id": "S8", "email": "s@x.io", "name": "\\ud800"}',
    '{"id": "S9", "email": "s@x.io", "name": "\\ud83d\\ude00"}', '{"id": "S10", "email": "s@x.io", "active": True}',
    '{"id": "S11", "email": "s@x.io", "active": undefined}', '{"id": "S12", "email": "s@x.io", "x": [1, 2,]}',
    '{"id": "S13", "email": "s@x.io", "x": [,1]}', '{"id": "S14", "email": "s@x.io" "x": 1}', '{"id": "S15" : "s"}',
    '{"id": "S16", "email": "s@x.io"}}', '{"id": "S17", "email": "s@x.io"]', '{"id": "S18", "email": "s@x.io", "n": tru}',
    '{"id": "S19", "email": "s@x.io", "n": nul}', '{"id": "S20", "email": "s@x.io", "n": "unterminated}',
]) + "\n")

# Times.
times = ["2026-13-45", "2026-02-30", "2026-02-29", "2028-02-29", "tomorrow", "2026-10-01T25:00:00Z", "2026-10-01T10:00:00+05:30",
         "2026-10-01 10:00", "2026-10-01T10:00", "9999-12-31T23:59:59Z", "0001-01-01", "-0001-01-01", "2026-10-01T23:59:60Z",
         "", "2026-10-01T10:00:00.123456789Z", "20261001", "2026-1-1", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
         "2026-10-01T10:00:00z", "  2026-10-01  ", "2026-10-01T10:00:00-25:00"]
jsonl("odd_timestamps", "\n".join(line(lead(k, with_events=False, signed_up=t)) for k, t in enumerate(times)) + "\n")
jsonl("odd_event_timestamps", "\n".join(
    line(lead(k, with_events=False, events=[{"kind": "page_view", "page": "https://x.io/pricing", "timestamp": t}]))
    for k, t in enumerate(times)) + "\n")

# Events: order, future, many, equal times.
def ev(day, kind="page_view", page="https://x.io/pricing"):
    return {"kind": kind, "page": page, "timestamp": f"2026-{day}T12:00:00Z"}


jsonl("events_out_of_order", "\n".join(line(lead(k, with_events=False, events=rng.sample(
    [ev("10-2%d" % d) for d in range(8)] + [ev("09-1%d" % d, "email_open") for d in range(5)], 13))) for k in range(6)) + "\n")
jsonl("events_in_future", "\n".join(line(lead(k, with_events=False, events=[ev("11-15"), ev("12-31"), ev("10-30")]))
                                    for k in range(3)) + "\n" + line(lead(9, with_events=False, events=[
                                        {"kind": "call", "timestamp": "2099-01-01T00:00:00Z"}])) + "\n")
jsonl("events_same_time", line(lead(1, with_events=False, events=[ev("10-20")] * 50)) + "\n")
jsonl("events_many", line(lead(1, with_events=False, events=[ev("10-%02d" % rng.randint(1, 28)) for _ in range(1000)])) + "\n")
jsonl("events_empty_and_null", "\n".join([line(lead(1, with_events=False, events=[])), line(lead(2, with_events=False, events=None)),
                                          line(lead(3, with_events=False))]) + "\n")
jsonl("events_for_b2b", "\n".join(good_lines(8)) + "\n", model="b2b")
jsonl("b2b_mixed", "\n".join(good_lines(4) + ["not json", "", '{"id": "x"}', "[]"]) + "\n", model="b2b")

# Enums and booleans.
jsonl("enum_and_bool_variants", "\n".join(line(lead(k, with_events=False, plan=p, region=r, active=a)) for k, (p, r, a) in enumerate([
    ("FREE", "EMEA", "Yes"), ("Pro", "Amer", "Y"), ("enterprise ", " apac", 1), ("unknown", "emea", 0), ("free", "mars", "n"),
    ("", "", ""), ("n/a", "n/a", "n/a"), (None, None, None), ("pro", "apac", "TRUE"), ("pro", "apac", "2")])) + "\n")

# Long lines.
jsonl("long_line_256k", line(lead(1, with_events=False, name="x" * (1 << 18))) + "\n" + line(lead(2)) + "\n")
jsonl("many_keys", line({**lead(1), **{f"k{n}": n for n in range(5000)}}) + "\n")

# Random damage: valid lines with a few bytes flipped, deleted or inserted (seeded).
for k in range(20):
    data = bytearray(("\n".join(good_lines(6, start=100 * k)) + "\n").encode())
    for _ in range(rng.randint(1, 4)):
        op, at = rng.randrange(3), rng.randrange(len(data))
        if op == 0:
            data[at] = rng.choice(b'{}[]",:\\\x00\xff\r\n ')
        elif op == 1:
            del data[at]
        else:
            data.insert(at, rng.choice(b'{}[]",:\\\x00\xff\r\n '))
    jsonl(f"damaged_{k:02d}", bytes(data))

# ---------------------------------------------------------------- CSV

def row(*cells, d=","):
    return d.join(str(c) for c in cells)


H = "name,visits,Score,member"
rows = [row(f"person {k}", rng.randint(0, 9), rng.choice(["0.1", "0.7", ""]), rng.choice(["yes", "no", ""])) for k in range(12)]
cbase = H + "\n" + "\n".join(rows) + "\n"
csv("valid", cbase)
csv("empty", b"", fatal=True)
csv("only_blank_lines", "\n \n\t\n", fatal=True)
csv("header_only", H + "\n")
csv("header_only_no_newline", H)
csv("blank_lines_before_header", "\n\n  \n" + cbase)
csv("spaces_lines_between", H + "\n" + "\n".join(r + "\n   \n\t \t" for r in rows) + "\n")
csv("no_final_newline", cbase.rstrip("\n"))
csv("bom", BOM + cbase.encode())
csv("bom_quoted_header", BOM + ('"name","visits","Score","member"\n' + "\n".join(rows) + "\n").encode())
csv("bom_twice", BOM + BOM + cbase.encode(), fatal=True)  # the second mark is part of the first column's name
csv("bom_in_row", (H + "\n").encode() + BOM + b"ann,1,0.5,yes\n" + b"bob,2,0.5,no\n")
csv("crlf", cbase.replace("\n", "\r\n"))
csv("cr_only", cbase.replace("\n", "\r"))
csv("lf_cr", cbase.replace("\n", "\n\r"))
csv("mixed_line_ends", H + "\r\n" + "".join(r + rng.choice(["\n", "\r\n", "\r", "\n\n"]) for r in rows))

# Headers and columns.
csv("missing_required_column", "visits,Score\n1,0.5\n", fatal=True)
csv("missing_optional_column", "name,visits\nann,1\nbob,2\n")
csv("header_case_differs", "NAME,Visits,score,MEMBER\nann,1,0.5,yes\n")
csv("duplicate_read_column", "name,visits,name\nann,1,bob\n", fatal=True)
csv("duplicate_read_column_case", "Name,visits,NAME\nann,1,bob\n", fatal=True)
csv("duplicate_exact_and_case", "name,visits,Name\nann,1,bob\n")
csv("duplicate_unread_column", "name,visits,notes,notes\nann,1,a,b\nbob,2,c,d\n")
csv("header_unclosed_quote", 'name,"visits,Score\nann,1,0.5\n', fatal=True)
csv("header_quoted_delimiter", '"name","visits","Score","a,b"\nann,1,0.5,x\n')
csv("header_trailing_delimiter", "name,visits,Score,\nann,1,0.5,\nbob,2,0.1\n")
csv("header_spaces", " name , visits ,Score\nann,1,0.5\n", fatal=True)  # no column is named `name` exactly or ignoring case
csv("header_empty_names", "name,,visits,\nann,x,1,\n")
csv("no_header_data_only", "ann,1,0.5,yes\nbob,2,0.7,no\n", fatal=True)

# Delimiters.
csv("semicolon", cbase.replace(",", ";"))
csv("tab", cbase.replace(",", "\t"))
csv("pipe", cbase.replace(",", "|"))
csv("semicolon_decimal_comma", "name;visits;Score\nann;1;0,5\nbob;2;0,7\n")
csv("mixed_delimiters", "name,visits,Score\nann;1;0.5\nbob,2,0.7\ncai\t3\t0.1\n")

# Row widths.
csv("too_few_values", H + "\nann,1\nbob\n,\ncai,1,0.5,yes\n")
csv("too_many_values", H + "\nann,1,0.5,yes,extra\nbob,1,0.5,yes,,\ncai,1,0.5,yes,\n")
csv("only_delimiters", H + "\n,,,\n,,,,\n;;;\n")
csv("empty_quoted", H + '\n"",,,\n"ann","","",""\n')

# Quotes: legit, stray, text after closing quote.
csv("quoted_multiline_ok", H + '\n"ann\nlee",1,0.5,yes\n"bob",2,"0.7",no\n"cai\r\nx",3,0.1,no\n', records=3)
csv("quoted_doubled", H + '\n"ann ""the"" lee",1,0.5,yes\n"a,b",2,0.1,no\n')
csv("stray_quote_unclosed", H + '\nann,1,0.5,yes\n"bob,2,0.5,no\ncai,3,0.5,no\ndan,4,0.5,no\n')
csv("stray_quote_pairs_later", H + '\nann,1,0.5,yes\nbob,"2,0.5,no\ncai,3,0.5,no\n"dan",4,0.5,no\neve,5,0.5,no\n')
csv("stray_quote_last_column", H + '\nann,1,0.5,"yes\nbob,2,0.5,no\ncai,3,0.5,no\n')
csv("stray_quote_last_line", H + '\nann,1,0.5,yes\nbob,2,0.5,"no\n')
csv("stray_quote_no_newline", H + '\nann,1,0.5,yes\nbob,2,0.5,"no')
csv("stray_quotes_many", H + "\n" + "\n".join(
    (f'"p{k},{k},0.5,yes' if k % 3 == 0 else f"p{k},{k},0.5,yes") for k in range(30)) + "\n")
csv("quote_mid_value", H + '\nan"n,1,0.5,yes\nbob",2,0.5,no\n')
csv("text_after_closing_quote", H + '\n"ann"x,1,0.5,yes\n"bob" ,2,0.5,no\n"cai"  "dan",3,0.5,no\n')
csv("quoted_then_spaces", H + '\n"ann"   ,1,0.5,yes\n')
csv("truncated_in_quotes", H + '\nann,1,0.5,yes\nbob,"2')

# Content.
csv("bad_utf8_read_column", (H + "\n").encode() + b"caf\xe9,1,0.5,yes\nann,1,0.5,yes\n\xff\xfe,2,0.1,no\n")
csv("bad_utf8_unread_column", b"name,visits,notes\nann,1,caf\xe9\nbob,2,\xff\n")
csv("latin1_file", ("name,visits\nJosé,1\nFrançois,2\nZoë,3\n").encode("latin-1"))
csv("nul_in_read_column", (H + "\n").encode() + b"an\x00n,1,0.5,yes\nbob,2,0.5,no\n")
csv("nul_in_unread_column", b"name,visits,notes\nann,1,a\x00b\n")
csv("nul_everywhere", (H + "\n").encode() + b"\x00\x00\x00\n" + b"ann,1,0.5,yes\n")
csv("utf16le", cbase.encode("utf-16-le"), fatal=True)  # every other byte is NUL: no header column matches
csv("binary_after_header", (H + "\n").encode() + bytes(rng.randrange(256) for _ in range(2000)).replace(b"\r", b"").replace(b'"', b""))
csv("wrong_types", H + "\nann,ten,0.5,yes\nbob,1.5,x,maybe\ncai,1e400,NaN,2\ndan,99999999999999999999,inf,\neve, 7 ,+0.5, Yes \n")
csv("huge_numbers", H + "\n" + "\n".join(f"p{k},{v},{v}," for k, v in enumerate(
    ["1e400", "-1e400", "9007199254740993", "9000000000000001", "1e308", "1e-400", "0x1A", "1_000", "٣", "１２"])) + "\n")
csv("missing_required_values", H + "\n,1,0.5,yes\n  ,2,0.5,no\nann,3,0.5,no\n")
csv("long_line_256k", H + "\n" + "x" * (1 << 18) + ",1,0.5,yes\nbob,2,0.5,no\n")
csv("wide_row", H + "\n" + ",".join(["ann", "1", "0.5", "yes"] + ["z"] * 20000) + "\nbob,2,0.5,no\n")

# The leads model over CSV: typed columns, a key, times.
LH = "id,email,name,employees,revenue,active,signed_up,plan,region,trial"
csv("leads_valid", LH + "\nL1,a@x.io,Ann,50,100,yes,2026-10-01,pro,emea,30\nL2,b@x.io,Bo,5000,,no,,enterprise,amer,7\n", model="leads")
csv("leads_odd_timestamps", LH + "\n" + "\n".join(f"T{k},t@x.io,,,,,{t},,," for k, t in enumerate(times) if "," not in t) + "\n",
    model="leads")
csv("leads_missing_key_column", "email,name\na@x.io,Ann\n", model="leads", fatal=True)
csv("leads_stray_quote", LH + '\nL1,a@x.io,"Ann,50,100,yes,,pro,emea,30\nL2,b@x.io,Bo,5,,no,,free,apac,7\nL3,"c@x.io",Cy,6,,no,,free,apac,7\n',
    model="leads")
csv("leads_key_quoted_multiline", LH + '\n"L1\nL1b",a@x.io,Ann,50,100,yes,,pro,emea,30\nL2,b@x.io,Bo,5,,no,,free,apac,7\n', model="leads",
    records=2)
csv("b2b_rows", "id,email,job_title,employees\nx1,a@b.com,VP Sales,300\nx2,c@d.com,student,5\nx3,\"bad,7\nx4,e@f.com,,\n", model="b2b")

# Random damage to the valid CSV: bytes flipped, deleted or inserted (seeded); no quote or
# line end is inserted, so that every non-blank line stays a record.
for k in range(12):
    data = bytearray(cbase.encode())
    hdr = len(H) + 1
    for _ in range(rng.randint(1, 4)):
        op, at = rng.randrange(3), rng.randrange(hdr, len(data) - 1)
        if data[at] in b"\r\n":
            continue
        if op == 0:
            data[at] = rng.choice(b",;\t\x00\xff x9")
        elif op == 1 and data[at + 1] not in b"\r\n" and data[at - 1] not in b"\r\n":
            del data[at]
        elif op == 2:
            data.insert(at, rng.choice(b",;\t\x00\xff x9"))
    csv(f"damaged_{k:02d}", bytes(data))


def main():
    cases_dir = os.path.join(OUT, "cases")
    os.makedirs(cases_dir, exist_ok=True)
    names = set()
    for name, _, data, _, _ in cases:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(cases_dir, name), "wb") as f:
            f.write(data)
    for stale in set(os.listdir(cases_dir)) - names:
        os.remove(os.path.join(cases_dir, stale))
    with open(os.path.join(OUT, "manifest.tsv"), "w", newline="\n") as f:
        f.write("# file\tmodel\trecords\texpect   (written by make_corpus.py; expect: ok, or fatal = exit code 2 and no rows)\n")
        for name, model, _, records, expect in cases:
            f.write(f"{name}\t{MODELS[model]}\t{records}\t{expect}\n")
    print(f"{len(cases)} cases written to {cases_dir}")


main()
