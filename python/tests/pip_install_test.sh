#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pip install .` offline into a fresh virtual environment of Debian's Python (whose pandas it
# sees through --system-site-packages), taking the extension this build tree already made
# (RUBRIC_BUILD_DIR); then imports it from elsewhere and scores the B2B example.
# Usage: pip_install_test.sh PYTHON SOURCE_DIR BUILD_DIR
set -euo pipefail
python=$1 src=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv --system-site-packages "$tmp/v"
# A copy of the sources: the install must not write into the working tree.
mkdir "$tmp/src"
(cd "$src" && tar cf - --exclude=./build --exclude='./build-*' --exclude=./.git .) | tar xf - -C "$tmp/src"
RUBRIC_BUILD_DIR=$build "$tmp/v/bin/pip" install --no-build-isolation --no-index --no-cache-dir -q "$tmp/src"
cd "$tmp"
PYTHONPATH= "$tmp/v/bin/python" - "$src" <<'PY'
import json, os, sys
import rubric
src = sys.argv[1]
assert rubric.__file__.startswith(sys.prefix), rubric.__file__   # the installed copy, not the tree's
here = os.path.dirname(rubric.__file__)
assert os.path.exists(os.path.join(here, "py.typed")) and os.path.exists(os.path.join(here, "__init__.pyi"))
m = rubric.load(os.path.join(src, "examples/b2b/b2b.rubric"))
with open(os.path.join(src, "examples/b2b/leads.jsonl")) as f:
    rs = m.score_many([json.loads(l) for l in f], as_of="2026-11-01", threads=2)
hot = sum(r["tiers"]["temperature"] == "hot" for r in rs)
print(f"installed rubric at {here}: {len(rs)} leads scored, {hot} hot")
assert (len(rs), hot) == (300, 45)
PY
