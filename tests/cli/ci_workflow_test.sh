#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the commands of the CI workflow example (examples/ci/rubric.yml), as written there, on a
# folder of several models: once clean (every step passes), once with lint findings and check
# errors (the steps fail as they should, and rubric.sarif is still one valid SARIF 2.1.0 log
# with every file's results). Usage: ci_workflow_test.sh RUBRIC_BINARY REPO_ROOT
set -u
ROOT="$(cd "$2" && pwd)"
. "$ROOT/tests/cli/lib.sh"
RUBRIC="$(abs "$1")"
WORKFLOW="$ROOT/examples/ci/rubric.yml"
mkdir -p "$TMP/bin" && ln -s "$RUBRIC" "$TMP/bin/rubric"
export PATH="$TMP/bin:$PATH"
unset RUBRIC_DOCS_URL

# The workflow's steps after the build, one script each, as GitHub runs them (bash -e).
python3 - "$WORKFLOW" "$TMP/steps" <<'PY' || fail "cannot read the steps of $WORKFLOW"
import os, re, sys
lines = open(sys.argv[1]).read().split("\n")
os.makedirs(sys.argv[2])
steps, name, i = [], None, 0
while i < len(lines):
    line = lines[i]
    m = re.match(r"^(\s*)- name: (.*)$", line)
    if m:
        name = m.group(2).strip()
    m = re.match(r"^(\s*)(?:- )?run: (.*)$", line)
    if m:
        indent, body = len(m.group(1)), m.group(2)
        if body.strip() == "|":
            block = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i])
                i += 1
            cut = min(len(l) - len(l.lstrip()) for l in block if l.strip())
            body = "\n".join(l[cut:] for l in block)
            i -= 1
        steps.append((name, body))
    i += 1
want = ["Check", "Lint", "Formatting", "Tests written beside the rules", "Dry run on sample leads"]
names = [n for n, _ in steps]
assert all(w in names for w in want), names
for k, (n, body) in enumerate(s for s in steps if s[0] in want):
    open(os.path.join(sys.argv[2], f"{k}.sh"), "w").write(f"# {n}\n{body}\n")
PY
grep -q "example.invalid" "$WORKFLOW" && fail "the workflow still names example.invalid" || ok

# run_steps FOLDER: runs every step in FOLDER; "name exit-code" per line in FOLDER/steps.out.
run_steps() {
  : >"$1/steps.out"
  for s in "$TMP"/steps/*.sh; do
    (cd "$1" && bash -eo pipefail "$s" >"$1/step.log" 2>&1)
    local rc=$?
    echo "$(head -1 "$s" | cut -c3-): $rc" >>"$1/steps.out"
  done
}

# check_sarif FILE MIN_FILES: the required structure of SARIF 2.1.0, checked property by property.
check_sarif() {
  python3 - "$1" "$2" "$ROOT" "$RUBRIC" <<'PY'
import json, os, re, subprocess, sys
path, min_files, root, rubric = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(path).read()
assert "example.invalid" not in text
log = json.loads(text)  # one document, not one per file
assert log["version"] == "2.1.0" and isinstance(log["$schema"], str) and "sarif" in log["$schema"]
assert isinstance(log["runs"], list) and len(log["runs"]) == 1, "one run holding every result"
run = log["runs"][0]
driver = run["tool"]["driver"]
assert driver["name"] == "rubric"
version = subprocess.run([rubric, "--version"], capture_output=True, text=True).stdout.split()[-1]
project = re.search(r"project\(rubric VERSION ([0-9.]+)", open(os.path.join(root, "CMakeLists.txt")).read()).group(1)
assert driver["version"] == version == project, (driver["version"], version, project)
ids = re.findall(r"^DIAG\((\w+),", open(os.path.join(root, "compiler/diag/diagnostics.def")).read(), re.M)
rules = driver["rules"]
assert [r["id"] for r in rules] == ids, "the rules are every kind of diagnostics.def, in order"
for r in rules:
    assert isinstance(r["id"], str) and r["shortDescription"]["text"]
    assert r["defaultConfiguration"]["level"] in ("error", "warning")
    assert re.match(r"^[a-z]+:", r["helpUri"]), r["helpUri"]  # an absolute URI
assert run.get("columnKind") == "unicodeCodePoints"
results = run["results"]
assert isinstance(results, list) and results
files = set()
for res in results:
    assert res["ruleId"] in ids and rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert res["level"] in ("error", "warning", "note", "none")
    assert isinstance(res["message"]["text"], str) and res["message"]["text"]
    assert len(res["locations"]) >= 1
    for loc in res["locations"]:
        uri = loc["physicalLocation"]["artifactLocation"]["uri"]
        assert os.path.exists(os.path.join(os.path.dirname(path), uri)), uri  # relative to the checkout
        region = loc["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        if "startColumn" in region:
            assert region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
            assert region["endLine"] > region["startLine"] or region["endColumn"] > region["startColumn"]
        files.add(uri)
assert len(files) >= min_files, files
PY
}

# A clean repository: three models, each with tests and sample leads. Every step passes.
CLEAN="$TMP/clean"
mkdir -p "$CLEAN/models" "$CLEAN/samples"
cp examples/b2b/b2b.rubric "$CLEAN/models/b2b.rubric"
sed 's/hot: total >= 70 and fit >= 25/hot: total >= 60 and fit >= 25/' examples/b2b/b2b.rubric >"$CLEAN/models/b2b_lower_bar.rubric"
cp tests/lint/clean.rubric "$CLEAN/models/small.rubric"
cp examples/b2b/leads.jsonl "$CLEAN/samples/b2b.jsonl"
cp examples/b2b/leads.jsonl "$CLEAN/samples/b2b_lower_bar.jsonl"
printf '{"id": "a", "employees": 300, "title": "Head of Sales"}\n{"id": "b"}\n' >"$CLEAN/samples/small.jsonl"
run_steps "$CLEAN"
for step in "Check" "Lint" "Formatting" "Tests written beside the rules" "Dry run on sample leads"; do
  contains "$CLEAN/steps.out" "$step: 0" "clean repository: step $step passes"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"][0]["results"] == []' "$CLEAN/rubric.sarif" \
  && ok || fail "clean repository: SARIF without results"
python3 -c 'import sys, xml.etree.ElementTree as ET; r=ET.parse(sys.argv[1]).getroot(); assert len(r.findall("testsuite")) == 3' \
  "$CLEAN/rubric-tests.xml" && ok || fail "clean repository: JUnit XML with a suite per model"

# A repository with findings: lints in one model, check errors in another, one clean.
FOUND="$TMP/found"
mkdir -p "$FOUND/models" "$FOUND/samples"
cp examples/b2b/b2b.rubric "$FOUND/models/a_b2b.rubric"
cp tests/lint/every_lint.rubric "$FOUND/models/b_lints.rubric"
cp tests/check/fail_five_mistakes.rubric "$FOUND/models/c_errors.rubric"
run_steps "$FOUND"
contains "$FOUND/steps.out" "Check: 1" "findings: check fails on the model with errors"
contains "$FOUND/steps.out" "Lint: 1" "findings: lint --strict fails"
check_sarif "$FOUND/rubric.sarif" 2 && ok || fail "findings: rubric.sarif is one valid SARIF 2.1.0 log over several files"
python3 - "$FOUND/rubric.sarif" <<'PY' && ok || fail "findings: SARIF holds every finding of every file"
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0]["results"]
by_file = {}
for r in results:
    by_file.setdefault(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], []).append(r["ruleId"])
assert len(by_file["models/b_lints.rubric"]) == 13, by_file
assert sorted(by_file["models/c_errors.rubric"]) == ["E0201", "E0204", "E0301", "E0302", "E0307"], by_file
assert "models/a_b2b.rubric" not in by_file
PY
# The workflow's own lint line on the same folder, with the docs published somewhere.
(cd "$FOUND" && RUBRIC_DOCS_URL=https://github.com/acme/rubric/blob/v1/docs rubric lint --format sarif models/*.rubric >"$TMP/hosted.sarif")
contains "$TMP/hosted.sarif" '"helpUri": "https://github.com/acme/rubric/blob/v1/docs/lints.md#l0101-impossible_rule"' \
  "RUBRIC_DOCS_URL sets where helpUri points"

finish
