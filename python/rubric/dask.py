# SPDX-License-Identifier: Apache-2.0
"""Scores a Dask DataFrame of leads partition by partition on a Dask cluster.

    import dask.dataframe as dd, rubric, rubric.dask
    ddf = dd.read_json("leads-*.jsonl", lines=True, blocksize=64_000_000)
    scores = rubric.dask.score(ddf, rubric.load("b2b.rubric"), as_of="2026-11-01")
    scores.to_parquet("scores/")

The model travels to the workers as a small :class:`ModelSpec` (its text, or a compiled .so's
bytes, plus a SHA-256); each worker process compiles it once and keeps it in a cache keyed by
the hash, so every later partition (and every later job with the same model) reuses it.
:func:`score_partition` is a plain pandas -> pandas function: Spark's ``mapInPandas`` and Ray
Data's ``map_batches`` can call it too (docs/scale-out.md).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Optional

import rubric

__all__ = ["ModelSpec", "spec_of", "model_for", "score_partition", "score", "cache_info"]


@dataclass(frozen=True)
class ModelSpec:
    """What a worker needs to rebuild a model: its text (``kind="source"``) or a compiled
    shared object's bytes (``kind="so"``), its name, host functions, and a hash identifying it."""

    kind: str
    name: str
    payload: bytes
    sha256: str
    functions: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    backend: str = "auto"


def spec_of(model: rubric.Model, backend: str = "auto") -> ModelSpec:
    """The spec that ships ``model``: a .so model ships its bytes, any other its text."""
    if model.source is None:
        with open(model.path, "rb") as f:
            data = f.read()
        kind = "so"
    else:
        data = model.source.encode()
        kind = "source"
    h = hashlib.sha256(data)
    h.update(repr(sorted((k, tuple(v[0]), v[1]) for k, v in model.functions.items())).encode())
    h.update(backend.encode())
    return ModelSpec(kind, model.name, data, h.hexdigest(), dict(model.functions), backend)


_cache: Dict[str, rubric.Model] = {}
_lock = threading.Lock()
_compiles = 0


def model_for(spec: ModelSpec) -> rubric.Model:
    """The model for ``spec``, compiled at most once in this process (thread-safe)."""
    global _compiles
    m = _cache.get(spec.sha256)
    if m is not None:
        return m
    with _lock:
        m = _cache.get(spec.sha256)
        if m is not None:
            return m
        if not spec.payload:
            raise ValueError("the model spec is empty")
        fns = spec.functions or None
        if spec.kind == "source":
            m = rubric.compile(spec.payload.decode(), spec.name, fns, backend=spec.backend)
        elif spec.kind == "so":
            d = tempfile.mkdtemp(prefix="rubric-model-")
            try:
                p = os.path.join(d, f"{spec.sha256[:16]}.so")
                with open(p, "wb") as f:
                    f.write(spec.payload)
                m = rubric.load(p, fns, backend=spec.backend)  # a load copies the file: it may go now
            finally:
                shutil.rmtree(d, ignore_errors=True)
        else:
            raise ValueError(f"unknown model spec kind {spec.kind!r}")
        _cache[spec.sha256] = m
        _compiles += 1
        return m


def cache_info() -> Dict[str, Any]:
    """This process's cache: how many models it compiled, and their hashes (for tests and tuning)."""
    return {"compiles": _compiles, "models": sorted(_cache), "pid": os.getpid()}


def score_partition(df: Any, spec: ModelSpec, as_of: rubric.AsOf, events: Any = None, explain: bool = False,
                    threads: int = 1, key: Optional[str] = None, warn_orphans: bool = True) -> Any:
    """Scores one pandas partition (the engine-independent unit: Dask, Spark mapInPandas,
    Ray Data): the model from this process's cache, ``events`` (a pandas frame) joined on the key.
    Given every partition's events (a broadcast frame), pass ``warn_orphans=False``: the other
    partitions' events are no orphans."""
    return model_for(spec).score_frame(df, events=events, as_of=as_of, explain=explain, threads=threads, key=key,
                                       warn_orphans=warn_orphans)


_JOIN = "__rubric_join_key"  # the text form of the key that both frames are shuffled on


def _score_joined(df: Any, ev: Any, spec: ModelSpec, as_of: rubric.AsOf, explain: bool, threads: int, key: Optional[str]) -> Any:
    return score_partition(df.drop(columns=[_JOIN]), spec, as_of, ev.drop(columns=[_JOIN]), explain, threads, key)


def _meta(model: rubric.Model, explain: bool) -> Any:
    import pandas as pd
    cols: Dict[str, Any] = {}
    for c in model.columns:
        numeric = c in model.score_names or c == "total"
        cols[c] = pd.Series([], dtype="float64" if numeric else "object")
    if explain:
        cols["rules"] = pd.Series([], dtype="object")
    return pd.DataFrame(cols)


def score(ddf: Any, model: rubric.Model, events: Any = None, as_of: rubric.AsOf = None, explain: bool = False,
          threads: int = 1, key: Optional[str] = None, backend: str = "auto") -> Any:
    """Scores a dask DataFrame of leads; returns a lazy dask DataFrame with the columns of
    :meth:`rubric.Model.score_frame`, partitioned as ``ddf`` (same index).

    ``events``: None (events nested in an ``events`` column), a pandas DataFrame (small: sent to
    every partition, each takes its leads' events), or a dask DataFrame, which is shuffled with the
    leads by the key so each partition's events sit with its leads (rows then come in hash order).
    ``as_of`` is fixed once here (None: now), so every partition scores at the same time."""
    import dask
    import dask.dataframe as dd
    import pandas as pd

    if not isinstance(model, rubric.Model):
        raise TypeError(f"model must be a rubric.Model, not {type(model).__name__}")
    # In milliseconds, so that each partition keeps a fraction of a second.
    t = rubric._Millis(rubric._as_of_ms(as_of))
    spec = spec_of(model, backend)
    meta = _meta(model, explain)
    # One graph key for the spec: each worker fetches it once, rather than inside every task.
    spec_key = dask.delayed(spec, name=f"rubric-model-{spec.sha256[:16]}", pure=True)
    if events is None:
        return ddf.map_partitions(score_partition, spec_key, t, None, explain, threads, key, meta=meta)
    k = key or model.key_field
    if isinstance(events, pd.DataFrame):
        # Delayed, so dask neither aligns it by index with the leads nor copies it into each task.
        ev = dask.delayed(events, pure=True)
        # Every partition is sent all the events and takes its own leads': the others' are no orphans.
        return ddf.map_partitions(score_partition, spec_key, t, ev, explain, threads, k, meta=meta, warn_orphans=False)
    if isinstance(events, dd.DataFrame):
        n = ddf.npartitions
        # Shuffle on the key as text: 1 and "1" are one lead to Rubric (the join compares text),
        # but hash into different partitions, which would score leads without their events.
        leads = ddf.assign(**{_JOIN: ddf[k].astype(str)}).shuffle(on=_JOIN, npartitions=n)
        evs = events.assign(**{_JOIN: events[k].astype(str)}).shuffle(on=_JOIN, npartitions=n)
        return dd.map_partitions(_score_joined, leads, evs, spec_key, t, explain, threads, k, meta=meta,
                                 align_dataframes=False)
    raise TypeError(f"events must be None, a pandas or a dask DataFrame, not {type(events).__name__}")
