#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What one Python API call on a few leads costs: the latency a product scoring leads as they
come in sees. Prints a Markdown table of microseconds per call (median of 9 rounds) for the B2B
model on its bundled leads (examples/b2b/leads.jsonl, about 20 events each), interpreter.

    PYTHONPATH=build-release/python /usr/bin/python3 bench/api_calls.py

bench/run.sh runs it and writes the table into docs/performance.md.
"""
import json
import os
import time

import rubric

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def per_call_us(call, calls):
    call()  # warm: the first call makes the scorer
    rounds = []
    for _ in range(9):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    return sorted(rounds)[len(rounds) // 2]


def main():
    model = rubric.load(os.path.join(ROOT, "examples/b2b/b2b.rubric"), backend="interpreter")
    with open(os.path.join(ROOT, "examples/b2b/leads.jsonl"), encoding="utf-8") as f:
        leads = [json.loads(line) for line in f if line.strip()]
    as_of = "2026-11-01"
    one = per_call_us(lambda: model.score(leads[0], as_of=as_of), 200)
    print("| call | leads | µs per call | µs per lead |")
    print("|---|---:|---:|---:|")
    print(f"| score(dict) | 1 | {one:.1f} | {one:.1f} |")
    hundred = leads[:100]
    each = per_call_us(lambda: [model.score(lead, as_of=as_of) for lead in hundred], 20)
    print(f"| score(dict), one call per lead | 100 | {each:.1f} | {each / 100:.1f} |")
    for n in (1, 10, 100):
        batch = (leads * (n // len(leads) + 1))[:n]
        us = per_call_us(lambda: model.score_many(batch, as_of=as_of), max(10, 2000 // n))
        print(f"| score_many(list) | {n} | {us:.1f} | {us / n:.1f} |")


if __name__ == "__main__":
    main()
