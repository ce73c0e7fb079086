#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmark for docs/scale-out.md: generated B2B leads scored by one Python process (pandas,
chunked) and by a Dask LocalCluster of 2 worker processes on 127.0.0.1; prints its figures.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_dask.py --count 400000

Both sides read the JSON Lines themselves (pandas read_json) and score with rubric; the cluster
keeps results on the workers and brings back only the tier counts. The per-partition overhead
is fitted from the cluster's time at two partition counts over the same data.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd

import rubric
import rubric.dask

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


COLUMNS = ["id", "email", "job_title", "employees", "industry", "country", "annual_revenue", "is_customer",
           "created_at", "events"]


def _read_block(f, **kwargs):
    return pd.read_json(f, **kwargs).reindex(columns=COLUMNS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=400_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gen", default=os.path.join(ROOT, "build/tools/gen_leads/rubric-gen-leads"))
    ap.add_argument("--model", default=os.path.join(ROOT, "examples/b2b/b2b.rubric"))
    ap.add_argument("--blocksize", type=int, default=16_000_000, help="bytes per Dask partition (and per pandas chunk)")
    args = ap.parse_args()
    as_of = "2026-11-01"
    model = rubric.load(args.model)
    tmp = tempfile.mkdtemp(prefix="rubric-bench-")
    path = os.path.join(tmp, "leads.jsonl")
    t = time.perf_counter()
    subprocess.run([args.gen, "--count", str(args.count), "--seed", str(args.seed), "--output", path], check=True)
    size = os.path.getsize(path)
    print(f"generated {args.count:,} leads ({size / 1e6:,.0f} MB JSON Lines) in {time.perf_counter() - t:.1f} s")
    rows_per_chunk = max(1000, int(args.count * args.blocksize / size))

    # One process: read in chunks (bounded memory), score each.
    t0 = time.perf_counter()
    read_s = score_s = 0.0
    hot = n = 0
    with pd.read_json(path, lines=True, dtype=False, convert_dates=False, chunksize=rows_per_chunk) as reader:
        while True:
            t = time.perf_counter()
            try:
                df = next(reader)
            except StopIteration:
                break
            read_s += time.perf_counter() - t
            t = time.perf_counter()
            out = model.score_frame(df, as_of=as_of, threads=1)
            score_s += time.perf_counter() - t
            hot += int((out["temperature"] == "hot").sum())
            n += len(out)
    single = time.perf_counter() - t0
    print(f"single process: {n:,} leads in {single:.1f} s = {n / single:,.0f} leads/s "
          f"(read_json {read_s:.1f} s, score_frame {score_s:.1f} s = {n / score_s:,.0f} leads/s); {hot:,} hot")

    # score_frame alone on one in-memory chunk, 1 vs 2 threads.
    df = pd.read_json(path, lines=True, dtype=False, convert_dates=False, nrows=min(args.count, 50_000))
    for threads in (1, 2):
        t = time.perf_counter()
        model.score_frame(df, as_of=as_of, threads=threads)
        d = time.perf_counter() - t
        print(f"score_frame of {len(df):,} in-memory leads, threads={threads}: {d:.2f} s = {len(df) / d:,.0f} leads/s")

    import dask.dataframe as dd
    import distributed
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        results = {}
        for blocksize in (args.blocksize, args.blocksize // 8):
            # Each block's frame has its columns in the order its first leads have them (optional
            # fields are left out of the JSON), so fix one order or dask's metadata check fails.
            ddf = dd.read_json(path, lines=True, blocksize=blocksize, dtype=False, convert_dates=False,
                               engine=_read_block, meta=_read_block(path, lines=True, dtype=False, convert_dates=False,
                                                                    nrows=10))
            parts = ddf.npartitions
            t = time.perf_counter()
            counts = rubric.dask.score(ddf, model, as_of=as_of)["temperature"].value_counts().compute()
            d = time.perf_counter() - t
            results[parts] = d
            assert int(counts.get("hot", 0)) == hot, (counts, hot)
            print(f"dask, 2 workers, {parts} partitions of ~{blocksize / 1e6:.0f} MB: {d:.1f} s = {n / d:,.0f} leads/s "
                  f"({d / single:.2f}x the single process's time); same {hot:,} hot")
        (p1, t1), (p2, t2) = sorted(results.items())
        # 2 workers run partitions in parallel: each extra partition costs its overhead / 2 of wall time.
        per_part = (t2 - t1) / (p2 - p1) * 2
        per_lead_cluster = (t1 * 2 - p1 * per_part) / n  # worker-seconds per lead, overhead removed
        print(f"per-partition overhead: {per_part * 1000:.0f} ms of worker time (fitted from {p1} vs {p2} partitions)")
        print(f"per-lead cost on a worker: {per_lead_cluster * 1e6:.1f} us (read_json + score), "
              f"so {1 / per_lead_cluster:,.0f} leads/s per worker core")
        print(f"compiles per worker: {[i['compiles'] for i in client.run(rubric.dask.cache_info).values()]}")
    finally:
        client.close()
        cluster.close()
        os.remove(path)


if __name__ == "__main__":
    sys.exit(main())
