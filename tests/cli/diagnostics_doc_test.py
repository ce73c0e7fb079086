#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/diagnostics.md against the code: a section for every id of compiler/diag/diagnostics.def
and of the embedding API (and none for an id that does not exist), every SARIF helpUri pointing
at a heading that exists, and real `check --format json` / `lint --format json` output valid
against the JSON Schema the page gives. Usage: diagnostics_doc_test.py RUBRIC_BINARY REPO_ROOT"""
import json
import os
import re
import subprocess
import sys
import tempfile

rubric, root = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def read(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def anchors(markdown):
    """The anchors GitHub gives a page's headings: lower case, spaces as -, punctuation dropped."""
    out = set()
    for m in re.finditer(r"^#{1,6} (.+)$", markdown, re.M):
        out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


defs = re.findall(r"^DIAG\((\w+), (\w+), (\w+), (\w+), \"", read("compiler/diag/diagnostics.def"), re.M)
api_ids = sorted(d[0] for d in defs if d[2] == "api")
doc, lints = read("docs/diagnostics.md"), read("docs/lints.md")
check(len(defs) > 30 and api_ids, "diagnostics.def lists ids, the embedding API's among them")
check(not re.findall(r"\"[A-Z]\d{4}\"", read("runtime/api/api.cc")), "api.cc takes its ids from diagnostics.def, not literals")

# docs/language.md's tables of codes list every id of diagnostics.def but the lints, and no other.
lang_ids = set(re.findall(r"^\| ([A-Z]\d{4}) \|", read("docs/language.md"), re.M))
want = {d[0] for d in defs if d[2] != "lint"}
check(lang_ids == want, f"docs/language.md's tables differ from diagnostics.def: missing {sorted(want - lang_ids)}, "
      f"extra {sorted(lang_ids - want)}")

# A section per id, named as in diagnostics.def; lints also on lints.md.
for id_, sev, phase, name in defs:
    check(re.search(rf"^### {id_} {name}$", doc, re.M), f"docs/diagnostics.md has no section `### {id_} {name}`")
    if phase == "lint":
        check(re.search(rf"^## {id_} {name}$", lints, re.M), f"docs/lints.md has no section `## {id_} {name}`")
for id_ in api_ids:
    check(re.search(rf"^### {id_}\b", doc, re.M), f"docs/diagnostics.md has no section for the API id {id_}")
known = {d[0] for d in defs} | set(api_ids)
for id_ in re.findall(r"^#{2,3} ([A-Z]\d{4})\b", doc + "\n" + lints, re.M):
    check(id_ in known, f"the docs describe {id_}, which the code does not have")

# Every helpUri of a SARIF log goes to a heading that exists.
env = dict(os.environ, RUBRIC_DOCS_URL="https://docs.test/rubric/docs")
sarif = subprocess.run([rubric, "lint", "--format", "sarif", os.path.join(root, "tests/lint/every_lint.rubric")],
                       capture_output=True, text=True, env=env)
rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
check([r["id"] for r in rules] == [d[0] for d in defs], "SARIF lists every id of diagnostics.def as a rule")
pages = {"diagnostics.md": anchors(doc), "lints.md": anchors(lints)}
for r in rules:
    m = re.match(r"^https://docs\.test/rubric/docs/(\w+\.md)#(.+)$", r["helpUri"])
    check(m and m.group(2) in pages.get(m.group(1), ()), f"{r['id']}: helpUri {r['helpUri']} has no heading")

# Real output against the schema on the page (a validator for the keywords it uses).
schema = json.loads(re.search(r"<!-- schema:begin -->\n```json\n(.*?)\n```\n<!-- schema:end -->", doc, re.S).group(1))


def validate(value, s, where):
    types = {"array": list, "object": dict, "string": str, "integer": int}
    if not isinstance(value, types[s["type"]]) or (s["type"] == "integer" and isinstance(value, bool)):
        return check(False, f"{where}: {value!r} is not {s['type']}")
    if "enum" in s:
        check(value in s["enum"], f"{where}: {value!r} not in {s['enum']}")
    if "pattern" in s:
        check(re.search(s["pattern"], value), f"{where}: {value!r} does not match {s['pattern']}")
    if "minimum" in s:
        check(value >= s["minimum"], f"{where}: {value} < {s['minimum']}")
    if s["type"] == "array":
        for i, item in enumerate(value):
            validate(item, s["items"], f"{where}[{i}]")
    if s["type"] == "object":
        for k in s.get("required", []):
            check(k in value, f"{where}: no `{k}`")
        for k, v in value.items():
            if k in s["properties"]:
                validate(v, s["properties"][k], f"{where}.{k}")
            else:
                check(s.get("additionalProperties", True), f"{where}: `{k}` is not in the schema")


with tempfile.TemporaryDirectory() as tmp:
    # Columns count characters: `employes` after a word with two-byte letters.
    unicode_model = os.path.join(tmp, "unicode.rubric")
    line = '  job_title = "Łódź" and employes > 5: +1 "x"'
    with open(unicode_model, "w", encoding="utf-8") as f:
        f.write("lead:\n  id: string key\n  job_title: optional string\nscore fit:\n" + line + "\n")
    files = [os.path.join(root, "tests/check/fail_five_mistakes.rubric"), unicode_model]
    out = subprocess.run([rubric, "check", "--format", "json", *files], capture_output=True, text=True)
    check(out.returncode == 1, f"check --format json exits 1, not {out.returncode}")
    diags = json.loads(out.stdout)  # one document for both files
    validate(diags, schema, "check")
    check({d["file"] for d in diags} == set(files), "check --format json: both files in one array")
    hit = [d for d in diags if d["file"] == unicode_model and d["id"] == "E0201"]
    check(hit and hit[0]["column"] == line.index("employes") + 1 and hit[0]["end_column"] == line.index("employes") + 9,
          f"columns count characters: {hit}")
    out = subprocess.run([rubric, "lint", "--format", "json", os.path.join(root, "tests/lint/every_lint.rubric"),
                          os.path.join(root, "examples/b2b/b2b.rubric")], capture_output=True, text=True)
    validate(json.loads(out.stdout), schema, "lint")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
