#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`rubric evaluate` against an independent computation: the test scores each example with
`rubric score`, joins the output with the outcomes itself (Python's csv module, its own key
join, its own seeded split), computes the AUC, DeLong's interval, the base rate, the deciles'
conversions and per-tier rates, and compares them with `rubric evaluate --format json`.

Usage: independent_auc_test.py RUBRIC ROOT [DATASETS]   (exit 77 when the datasets are absent)
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

RUBRIC, ROOT = sys.argv[1], sys.argv[2]
DATA = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "..", "shared", "datasets")
if not os.path.isdir(DATA):
    print(f"skipped: no datasets at {DATA}")
    sys.exit(77)

failures = 0


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1


def midranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and values[order[j]] == values[order[i]]:
            j += 1
        for k in range(i, j):
            ranks[order[k]] = (i + 1 + j) / 2
        i = j
    return ranks


def auc_delong(scores, labels):
    """Mann-Whitney AUC and DeLong's 95% interval, from midranks within each class."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    n1, n0 = len(pos), len(neg)
    r_all = midranks(pos + neg)
    r_pos, r_neg = midranks(pos), midranks(neg)
    auc = (sum(r_all[:n1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
    v10 = [(r_all[i] - r_pos[i]) / n0 for i in range(n1)]
    v01 = [1 - (r_all[n1 + j] - r_neg[j]) / n1 for j in range(n0)]

    def var(v):
        m = sum(v) / len(v)
        return sum((x - m) ** 2 for x in v) / (len(v) - 1)

    se = math.sqrt(var(v10) / n1 + var(v01) / n0)
    return auc, max(0.0, auc - 1.959963984540054 * se), min(1.0, auc + 1.959963984540054 * se)


def splitmix_held_out(seed, number, fraction):
    m = (1 << 64) - 1
    z = (seed * 0x9E3779B97F4A7C15 + number) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    z ^= z >> 31
    return (z >> 11) * 2.0 ** -53 < fraction


def score(model, data, as_of):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as out:
        path = out.name
    subprocess.run([RUBRIC, "score", model, "--input", data, "--as-of", as_of, "--output", path], check=True,
                   stderr=subprocess.DEVNULL)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    os.unlink(path)
    return rows


def evaluate(args):
    out = subprocess.run([RUBRIC, "evaluate", *args, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def compare(name, rows, labels, report, part, score_names, disqualifiers, tier_sets):
    """rows: `rubric score` rows of the leads in the part; labels: their outcomes."""
    fig = report[part]
    check(fig["leads"] == len(rows), f"{name}: {fig['leads']} leads evaluated, {len(rows)} by the independent join")
    check(fig["converted"] == sum(labels), f"{name}: {fig['converted']} converted, independently {sum(labels)}")
    aucs = {a["name"]: a for a in fig["auc"]}
    ranking = [float(r["total"]) if not r["disqualified"] else -1e15 for r in rows]
    wanted = [(s, [float(r[s]) for r in rows]) for s in score_names + ["total"]]
    if disqualifiers:
        wanted.append(("total, disqualified last", ranking))
    for s, values in wanted:
        auc, lo, hi = auc_delong(values, labels)
        got = aucs[s]
        check(abs(got["auc"] - auc) < 1e-9 and abs(got["low"] - lo) < 1e-9 and abs(got["high"] - hi) < 1e-9,
              f"{name}: AUC of {s} {got['auc']:.6f} ({got['low']:.6f} to {got['high']:.6f}), independently {auc:.6f} "
              f"({lo:.6f} to {hi:.6f})")
    # Deciles: best first; leads with the same ranking value stay together, in the tenth where the
    # middle of their run of ranks falls.
    order = sorted(range(len(rows)), key=lambda i: -ranking[i])
    n = len(rows)
    conv = [0] * 10
    i = 0
    while i < n:
        j = i
        while j < n and ranking[order[j]] == ranking[order[i]]:
            j += 1
        conv[min(9, (i + j) * 10 // (2 * n))] += sum(labels[order[k]] for k in range(i, j))
        i = j
    got = {d["decile"]: d["converted"] for d in fig["deciles"]}
    check(all(got.get(d + 1, 0) == conv[d] for d in range(10)), f"{name}: conversions per tenth {conv}, got {got}")
    # ... whatever the order of the input: the same leads reversed give the same tenths.
    for t in tier_sets:
        table = next(x for x in fig["tiers"] if x["set"] == t)
        for row in table["rows"]:
            members = [y for r, y in zip(rows, labels) if r[t] == row["tier"]]
            check(row["leads"] == len(members) and row["converted"] == sum(members),
                  f"{name}: tier {t} {row['tier']}: {row['converted']}/{row['leads']}, independently "
                  f"{sum(members)}/{len(members)}")


# X Education, first touch: the label is a column of the input, keyed by Prospect ID.
model = os.path.join(ROOT, "examples/xeducation/xeducation_first_touch.rubric")
leads = os.path.join(DATA, "x_education_leads/Leads.csv")
with open(leads, newline="", encoding="utf-8") as f:
    converted = {r["Prospect ID"]: r["Converted"] == "1" for r in csv.DictReader(f)}
rows = score(model, leads, "2026-11-01")
labels = [converted[r["prospect_id"]] for r in rows]
report = evaluate([model, "--input", leads, "--label", "Converted", "--as-of", "2026-11-01"])
compare("X Education", rows, labels, report, "figures", ["fit", "engagement"], True, ["temperature", "grade"])
# The same with 30% held out by seed 7: the held-out part is the split's, recomputed here.
report = evaluate([model, "--input", leads, "--label", "Converted", "--as-of", "2026-11-01", "--split", "random:0.3", "--seed", "7"])
held = [i for i in range(len(rows)) if splitmix_held_out(7, i + 1, 0.3)]
compare("X Education held out", [rows[i] for i in held], [labels[i] for i in held], report, "figures", ["fit", "engagement"], True,
        ["temperature"])
train = [i for i in range(len(rows)) if i not in set(held)]
compare("X Education training", [rows[i] for i in train], [labels[i] for i in train], report, "training", ["fit", "engagement"],
        True, [])

# UCI bank: no key (rows are numbered), `;`-separated, an expression label.
model = os.path.join(ROOT, "examples/bank/bank.rubric")
data = os.path.join(DATA, "uci_bank_marketing/bank-full.csv")
with open(data, newline="", encoding="utf-8") as f:
    outcome = [r["y"] == "yes" for r in csv.DictReader(f, delimiter=";")]
rows = score(model, data, "2026-11-01")
report = evaluate([model, "--input", data, "--label", 'y = "yes"', "--as-of", "2026-11-01"])
compare("UCI bank", rows, outcome, report, "figures", [], bool(report["figures"]["disqualifiers"]), [])

# Olist: the outcome is whether the MQL's id is in another file (the closed deals).
model = os.path.join(ROOT, "examples/olist/olist.rubric")
mqls = os.path.join(DATA, "olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv")
deals = os.path.join(DATA, "olist_marketing_funnel/olist_closed_deals_dataset.csv")
with open(deals, newline="", encoding="utf-8") as f:
    won = {r["mql_id"] for r in csv.DictReader(f)}
rows = score(model, mqls, "2018-06-01")
report = evaluate([model, "--input", mqls, "--outcomes", deals, "--as-of", "2018-06-01"])
compare("Olist", rows, [r["mql_id"] in won for r in rows], report, "figures", [], bool(report["figures"]["disqualifiers"]), [])

print(f"{failures} failed")
sys.exit(1 if failures else 0)
