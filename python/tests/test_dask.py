# SPDX-License-Identifier: Apache-2.0
"""rubric.dask on a LocalCluster of 2 worker processes (127.0.0.1 only): the same rows as
single-process scoring, and one compile per worker process."""
import os
import warnings

import pandas as pd
import pytest

import rubric
import rubric.dask
from conftest import AS_OF, B2B, CLI

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, protocol="tcp")
    c = distributed.Client(cluster, timeout=60)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def leads(generated):
    return pd.read_json(generated(20_000, seed=3), lines=True, dtype=False, convert_dates=False)


def test_score_equals_single_process(client, b2b, leads):
    ddf = dd.from_pandas(leads, npartitions=8)
    lazy = rubric.dask.score(ddf, b2b, as_of=AS_OF)
    assert list(lazy.columns) == b2b.columns
    got = lazy.compute()
    want = b2b.score_frame(leads, as_of=AS_OF)
    assert len(got) == 20_000
    pd.testing.assert_frame_equal(got, want)
    # each worker process compiled the model once, however many partitions it scored
    info = client.run(rubric.dask.cache_info)
    assert len(info) == 2
    spec = rubric.dask.spec_of(b2b)
    for worker, i in info.items():
        assert i["compiles"] == 1 and i["models"] == [spec.sha256], (worker, i)
        assert i["pid"] != os.getpid()
    # a second job with the same model reuses the cache
    rubric.dask.score(dd.from_pandas(leads.head(1000), npartitions=4), b2b, as_of=AS_OF).compute()
    assert all(i["compiles"] == 1 for i in client.run(rubric.dask.cache_info).values())


def test_shipped_shared_object_and_explain(client, b2b, leads, tmp_path):
    import subprocess
    so = tmp_path / "b2b.so"
    subprocess.run([CLI, "build", B2B, "-o", str(so)], check=True, capture_output=True)
    native = rubric.load(so)
    assert rubric.dask.spec_of(native).kind == "so"
    part = leads.head(3000)
    got = rubric.dask.score(dd.from_pandas(part, npartitions=3), native, as_of=AS_OF, explain=True).compute()
    want = b2b.score_frame(part, as_of=AS_OF, explain=True)
    pd.testing.assert_frame_equal(got, want)


def test_a_shipped_shared_object_leaves_no_temporary_file(b2b, leads, tmp_path, monkeypatch):
    # A worker writes the shipped .so to a temporary folder to load it (a load copies it), and
    # removes the folder again: a long-lived worker must not collect one per model.
    import subprocess
    import tempfile
    so = tmp_path / "b2b.so"
    subprocess.run([CLI, "build", B2B, "-o", str(so)], check=True, capture_output=True)
    spec = rubric.dask.spec_of(rubric.load(so))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.delitem(rubric.dask._cache, spec.sha256, raising=False)
    m = rubric.dask.model_for(spec)
    assert list(scratch.iterdir()) == []
    part = leads.head(200)
    pd.testing.assert_frame_equal(m.score_frame(part, as_of=AS_OF), b2b.score_frame(part, as_of=AS_OF))


def test_events_frame_joined_per_partition(client, b2b, leads):
    part = leads.head(4000)
    rows = [dict(e, id=k) for k, evs in zip(part["id"], part["events"]) for e in evs]
    events = pd.DataFrame(rows)
    plain = part.drop(columns=["events"])
    want = b2b.score_frame(part, as_of=AS_OF)
    # a dask events frame: both shuffled by the key, joined partition by partition
    got = rubric.dask.score(dd.from_pandas(plain, npartitions=4), b2b, as_of=AS_OF,
                            events=dd.from_pandas(events, npartitions=5)).compute()
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got.sort_index(), want)
    # a pandas events frame: sent to every partition
    got = rubric.dask.score(dd.from_pandas(plain, npartitions=2), b2b, as_of=AS_OF, events=events).compute()
    pd.testing.assert_frame_equal(got, want)
    # Each partition of a broadcast frame is given the others' events: no OrphanEventsWarning
    # (scored in this process, where a warning would show), while a partition scored alone with
    # them says so unless told they are broadcast.
    with warnings.catch_warnings():
        warnings.simplefilter("error", rubric.OrphanEventsWarning)
        got = rubric.dask.score(dd.from_pandas(plain, npartitions=2), b2b, as_of=AS_OF, events=events).compute(scheduler="sync")
        pd.testing.assert_frame_equal(got, want)
        spec = rubric.dask.spec_of(b2b)
        quiet = rubric.dask.score_partition(plain.head(10), spec, AS_OF, events, warn_orphans=False)
        assert quiet.attrs["events"]["orphan_events"] > 0
    with pytest.warns(rubric.OrphanEventsWarning):
        rubric.dask.score_partition(plain.head(10), spec, AS_OF, events)


def test_events_keyed_by_numbers_join_leads_keyed_by_text(client, b2b, leads):
    # Leads from JSON ("17") and events from CSV (17): one lead to Rubric, so its events must
    # reach it, although 17 and "17" hash into different partitions.
    part = leads.head(400).reset_index(drop=True)
    ids = [str(i) for i in range(len(part))]
    rows = [dict(e, id=int(k)) for k, evs in zip(ids, part["events"]) for e in evs]
    events = pd.DataFrame(rows)
    plain = part.drop(columns=["events"]).assign(id=ids)
    want = b2b.score_frame(part.assign(id=ids), as_of=AS_OF)
    got = rubric.dask.score(dd.from_pandas(plain, npartitions=4), b2b, as_of=AS_OF,
                            events=dd.from_pandas(events, npartitions=3)).compute()
    assert (want["engagement"] > 0).sum() > 100  # the events matter
    pd.testing.assert_frame_equal(got.sort_index(), want)


def test_host_functions_travel(client):
    text = 'model "h"\nlead:\n  id: string key\n  domain: optional string\nscore s:\n  is_customer(domain): +5 "c"\n'
    m = rubric.compile(text, functions={"is_customer": (["string"], "bool", lambda d: d.endswith(".com"))})
    df = pd.DataFrame({"id": [str(i) for i in range(100)], "domain": [f"x{i}.com" if i % 2 else "y.org" for i in range(100)]})
    got = rubric.dask.score(dd.from_pandas(df, npartitions=2), m, as_of=AS_OF).compute()
    assert got["total"].tolist() == [5.0 if i % 2 else 0.0 for i in range(100)]


def test_bad_arguments(b2b, leads):
    with pytest.raises(TypeError):
        rubric.dask.score(dd.from_pandas(leads.head(10), npartitions=1), "b2b.rubric", as_of=AS_OF)
    with pytest.raises(TypeError):
        rubric.dask.score(dd.from_pandas(leads.head(10), npartitions=1), b2b, events=[1], as_of=AS_OF)
