#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The figures docs/evaluation.md quotes, computed again: each row of the table between
`<!-- figures: begin -->` and `<!-- figures: end -->` must be what `rubric evaluate` gives today.

Usage: docs_figures_test.py RUBRIC ROOT [--print]   (--print writes the table to paste into the doc)
Exit 77 when ../shared/datasets is absent.
"""
import json
import os
import subprocess
import sys
import tempfile

RUBRIC, ROOT = sys.argv[1], os.path.abspath(sys.argv[2])
PRINT = "--print" in sys.argv
DATA = os.path.join(ROOT, "..", "shared", "datasets")
if not os.path.isdir(DATA):
    print(f"skipped: no datasets at {DATA}")
    sys.exit(77)

X = [f"{DATA}/x_education_leads/Leads.csv", "--label", "Converted", "--as-of", "2026-11-01"]
HELD = ["--split", "random:0.3", "--seed", "7", "--suggest"]
OLIST = f"{DATA}/olist_marketing_funnel"


def bpi_input(tmp):
    path = os.path.join(tmp, "bpi.jsonl")
    subprocess.run(["/usr/bin/python3", f"{ROOT}/examples/bpi/prepare.py", path], check=True, capture_output=True)
    return path


# name in the table -> (model, arguments after --input, needs the BPI file)
EXAMPLES = {
    "X Education, shipped model (reads after-contact columns)": ("examples/xeducation/xeducation.rubric", X),
    "X Education, before contact (hand-set points)": ("examples/xeducation/xeducation_before_contact.rubric", X + HELD),
    "X Education, first touch": ("examples/xeducation/xeducation_first_touch.rubric", X + HELD),
    "UCI bank marketing": ("examples/bank/bank.rubric",
                           [f"{DATA}/uci_bank_marketing/bank-full.csv", "--label", 'y = "yes"', "--as-of", "2026-11-01"] + HELD),
    "UCI online shoppers": ("examples/shoppers/shoppers.rubric",
                            [f"{DATA}/uci_online_shoppers/online_shoppers_intention.csv", "--label", "Revenue", "--as-of",
                             "2026-11-01"] + HELD),
    "Olist MQLs": ("examples/olist/olist.rubric",
                   [f"{OLIST}/olist_marketing_qualified_leads_dataset.csv", "--outcomes", f"{OLIST}/olist_closed_deals_dataset.csv",
                    "--as-of", "2018-06-01", "--split", "time:first_contact@2018-03-01", "--suggest"]),
    "BPI Challenge 2012": ("examples/bpi/bpi.rubric",
                           ["BPI", "--label", 'outcome = "approved"', "--as-of", "2012-01-15T00:00:00+01:00"] + HELD),
}


def row(name, model, args, tmp):
    args = [bpi_input(tmp) if a == "BPI" else a for a in args]
    out = subprocess.run([RUBRIC, "evaluate", os.path.join(ROOT, model), "--input", *args, "--format", "json"], check=True,
                         capture_output=True, text=True)
    d = json.loads(out.stdout)
    f = d["figures"]
    auc = {a["name"]: a for a in f["auc"]}
    total = auc["total"]
    last = auc.get("total, disqualified last")
    if "training" in d:
        split = d["split"].replace("random:0.3 (seed 7)", "random 30%, seed 7").replace("time:first_contact@2018-03-01",
                                                                                        "first contact from 2018-03-01")
        part = f"held out: {split}"
    else:
        part = "all leads (in-sample)"
    s = d.get("suggestion")
    sugg = f"{s['auc_current']:.3f} → {s['auc_suggested']:.3f}" if s else "–"
    cells = [name, part, f"{f['leads']:,}", f"{f['converted']:,} ({100 * f['base_rate']:.1f}%)",
             f"{total['auc']:.3f} ({total['low']:.3f}–{total['high']:.3f})", f"{last['auc']:.3f}" if last else "–", sugg]
    return "| " + " | ".join(cells) + " |"


with tempfile.TemporaryDirectory() as tmp:
    rows = {name: row(name, model, args, tmp) for name, (model, args) in EXAMPLES.items()}

if PRINT:
    print("\n".join(rows.values()))
    sys.exit(0)

doc = open(os.path.join(ROOT, "docs/evaluation.md"), encoding="utf-8").read()
table = doc.split("<!-- figures: begin -->")[1].split("<!-- figures: end -->")[0]
quoted = {line.split("|")[1].strip(): line.strip() for line in table.splitlines() if line.startswith("| ") and "---" not in line}
failed = 0
for name, want in rows.items():
    got = quoted.get(name)
    if got == want:
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL: docs/evaluation.md quotes\n  {got}\nbut rubric evaluate gives\n  {want}")
extra = set(quoted) - set(rows) - {"Example"}
for name in extra:
    failed += 1
    print(f"FAIL: docs/evaluation.md has a row no test computes: {name}")
print(f"{len(rows) - failed + len(extra)} ok, {failed} failed")
sys.exit(1 if failed else 0)
