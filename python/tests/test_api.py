# SPDX-License-Identifier: Apache-2.0
"""The rubric package: every API call, errors as exceptions, results equal to the CLI's."""
import datetime as dt
import json
import os
import threading

import pandas as pd
import pytest

import rubric
from conftest import AS_OF, B2B, CLI, ROOT, cli_scores

MINI = '''model "mini"

lead:
  id: string key
  employees: optional int
  domain: optional string

score fit:
  employees > 100: +10 "big"
  is_customer(domain): +20 "customer"

tiers t:
  hot: total >= 25
  cold: otherwise
'''


def read_leads(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def flat(result, model):
    """A score() result in the CLI's JSON Lines shape."""
    row = {model.key_field: result["key"]}
    for s in model.score_names:
        row[s] = result["scores"].get(s)
    row["total"] = result["total"]
    for t in model.tier_set_names:
        row[t] = result["tiers"].get(t)
    row["disqualified"] = result["disqualified"]
    row["error"] = result["error"]
    return row


def assert_rows_equal(ours, cli):
    assert len(ours) == len(cli)
    for a, b in zip(ours, cli):
        assert a.keys() == b.keys()
        for k in a:
            if isinstance(b[k], (int, float)) and b[k] is not None and not isinstance(b[k], bool):
                assert a[k] == pytest.approx(b[k], abs=1e-9), (a, b)
            else:
                assert a[k] == b[k], (k, a, b)


def test_model_properties(b2b):
    assert b2b.score_names == ["fit", "engagement"]
    assert b2b.tier_set_names == ["temperature", "grade"]
    assert b2b.key_field == "id"
    assert b2b.columns == ["id", "fit", "engagement", "total", "temperature", "grade", "disqualified", "error"]
    assert b2b.backend == "auto"
    assert "b2b.rubric" in repr(b2b)
    assert len(b2b.fingerprint()) == 64


@pytest.mark.parametrize("example", ["b2b/b2b.rubric"])
def test_score_many_equals_cli(example):
    model_path = os.path.join(ROOT, "examples", example)
    leads_path = os.path.join(os.path.dirname(model_path), "leads.jsonl")
    model = rubric.load(model_path)
    cli = cli_scores(model_path, leads_path)
    ours = [flat(r, model) for r in model.score_many(read_leads(leads_path), as_of=AS_OF)]
    assert len(ours) == 300
    assert_rows_equal(ours, cli)
    # one at a time, and on two threads, give the same
    one = [flat(model.score(lead, as_of=AS_OF), model) for lead in read_leads(leads_path)]
    assert one == ours
    two = [flat(r, model) for r in model.score_many(iter(read_leads(leads_path)), as_of=AS_OF, threads=2)]
    assert two == ours


def test_explain_rules_equal_cli(b2b):
    leads_path = os.path.join(ROOT, "examples/b2b/leads.jsonl")
    cli = cli_scores(B2B, leads_path, explain=True)
    ours = b2b.score_many(read_leads(leads_path), as_of=AS_OF, explain=True)
    for r, c in zip(ours, cli):
        got = [(h["score"], h["label"], h["points"], h["events"], h["capped"], h["decayed"], h["line"]) for h in r["rules"]]
        want = [(h["score"], h["rule"], h["points"], h["events"], h["capped"], h["decayed"], h["line"]) for h in c["explain"]]
        assert got == want


def test_score_frame_equals_cli(b2b):
    leads_path = os.path.join(ROOT, "examples/b2b/leads.jsonl")
    df = pd.read_json(leads_path, lines=True)  # ints with gaps become floats, times datetime64
    out = b2b.score_frame(df, as_of=AS_OF)
    assert list(out.columns) == b2b.columns
    assert (out.index == df.index).all()
    cli = cli_scores(B2B, leads_path)
    rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in out.to_dict("records")]
    assert_rows_equal(rows, cli)
    ex = b2b.score_frame(df.head(20), as_of=AS_OF, explain=True)
    assert "rules" in ex.columns and all(isinstance(x, list) for x in ex["rules"])


def test_score_frame_with_events_frame(b2b):
    leads = read_leads(os.path.join(ROOT, "examples/b2b/leads.jsonl"))
    ev_rows = [dict(e, id=lead["id"]) for lead in leads for e in lead.get("events", [])]
    events = pd.DataFrame(ev_rows)
    events["timestamp"] = pd.to_datetime(events["timestamp"], utc=True)
    plain = pd.DataFrame([{k: v for k, v in lead.items() if k != "events"} for lead in leads])
    joined = b2b.score_frame(plain, events=events.sample(frac=1, random_state=3), as_of=AS_OF)
    nested = b2b.score_frame(pd.DataFrame(leads), as_of=AS_OF)
    pd.testing.assert_frame_equal(joined, nested)
    with pytest.raises(KeyError):
        b2b.score_frame(plain, events=events.drop(columns=["id"]), as_of=AS_OF)
    with pytest.raises(ValueError):
        b2b.score_frame(pd.DataFrame(leads), events=events, as_of=AS_OF)


def test_frame_of_100k_generated_leads(b2b, generated):
    path = generated(100_000, seed=11)
    df = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
    assert len(df) == 100_000
    out = b2b.score_frame(df, as_of=AS_OF, threads=2)
    assert len(out) == 100_000 and out["error"].isna().all()
    cli = pd.DataFrame(cli_scores(B2B, path))
    for c in b2b.columns:
        if c in ("fit", "engagement", "total"):
            assert (out[c].to_numpy() == cli[c].astype("float64").to_numpy()).all(), c
        else:
            assert out[c].tolist() == cli[c].tolist(), c
    # threads change nothing
    one = b2b.score_frame(df.iloc[:20_000], as_of=AS_OF, threads=1)
    pd.testing.assert_frame_equal(one, out.iloc[:20_000])


def test_as_of_forms(b2b):
    lead = read_leads(os.path.join(ROOT, "examples/b2b/leads.jsonl"))[12]
    want = b2b.score(lead, as_of="2026-11-01")
    t = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    assert b2b.score(lead, as_of=t) == want
    assert b2b.score(lead, as_of=dt.datetime(2026, 11, 1)) == want  # naive is UTC
    assert b2b.score(lead, as_of=dt.date(2026, 11, 1)) == want
    assert b2b.score(lead, as_of=int(t.timestamp())) == want
    assert b2b.score(lead, as_of="2026-11-01T00:00:00Z") == want
    assert b2b.score(lead, as_of="2026-12-31")["total"] != want["total"]  # decay moves it
    with pytest.raises(ValueError, match="not a time"):
        b2b.score(lead, as_of="yesterday")
    with pytest.raises(TypeError):
        b2b.score(lead, as_of=[2026])
    assert rubric.parse_as_of("1970-01-01T00:00:01Z") == 1


def test_explain(b2b):
    lead = read_leads(os.path.join(ROOT, "examples/b2b/leads.jsonl"))[12]
    e = b2b.explain(lead, as_of=AS_OF)
    assert e["total"] == pytest.approx(79.24)
    text = str(e)
    assert "decision maker" in text and "line 37" in text and "temperature: hot" in text
    html = e._repr_html_()
    assert html.startswith("<div>") and "<table>" in html and "decision maker" in html
    assert [h["label"] for h in e.rules][:2] == ["decision maker", "mid-market company"]
    bad = b2b.explain({"id": "X"}, as_of=AS_OF)
    assert "could not be scored" in str(bad) and "email" in bad._repr_html_()


def test_compile_error_is_structured():
    with pytest.raises(rubric.CompileError) as info:
        rubric.compile('model "x"\nlead:\n  id: string key\n  job_title: string\nscore a:\n  job_tittle is missing: +1\n',
                       name="bad.rubric")
    e = info.value
    assert len(e.diagnostics) == 1
    d = e.diagnostics[0]
    assert (d.id, d.severity, d.file, d.line, d.column) == ("E0201", "error", "bad.rubric", 6, 3)
    assert "job_tittle" in d.message and any("job_title" in h for h in d.hints)
    # prints as `rubric check` does (carets and hints)
    assert str(e).startswith("bad.rubric:6:3: error[E0201]:") and "^" in str(e)
    assert "E0201" in str(d)


def test_compile_and_load_errors(tmp_path):
    with pytest.raises(TypeError):
        rubric.compile(b"model")
    with pytest.raises(FileNotFoundError):
        rubric.load(tmp_path / "nope.rubric")
    p = tmp_path / "broken.rubric"
    p.write_text("model \"x\"\nlead:\n  id: strin key\n")
    with pytest.raises(rubric.CompileError) as info:
        rubric.load(p)
    assert info.value.diagnostics and info.value.diagnostics[0].file.endswith("broken.rubric")
    with pytest.raises(ValueError, match="backend"):
        rubric.compile(MINI.replace("  is_customer(domain): +20 \"customer\"\n", ""), backend="fast")
    # A file that is not UTF-8 is a compile error with its place, as `rubric check` says it.
    latin = tmp_path / "latin1.rubric"
    latin.write_bytes(b"lead:\n  id: string key\n  kaupunki: string from \"Kaupunki \xe4\"\n")
    with pytest.raises(rubric.CompileError) as info:
        rubric.load(latin)
    d = info.value.diagnostics[0]
    assert (d.id, d.line, d.column) == ("E0102", 3, 35)
    assert "byte 0xE4" in str(info.value)
    # The CLI's name for the tree walker works too.
    assert rubric.load(B2B, backend="interp").backend == "interpreter"


def test_compiled_shared_object(tmp_path, b2b):
    import subprocess
    so = tmp_path / "b2b.so"
    subprocess.run([CLI, "build", B2B, "-o", str(so)], check=True, capture_output=True)
    native = rubric.load(so)
    assert native.backend == "native" and native.source is None
    leads = read_leads(os.path.join(ROOT, "examples/b2b/leads.jsonl"))
    assert native.score_many(leads, as_of=AS_OF) == b2b.score_many(leads, as_of=AS_OF)
    damaged = tmp_path / "damaged.so"
    data = bytearray(so.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(rubric.CompileError):
        rubric.load(damaged)


def test_backends_agree(b2b):
    leads = read_leads(os.path.join(ROOT, "examples/b2b/leads.jsonl"))
    want = b2b.score_many(leads, as_of=AS_OF)
    for backend in ("interpreter", "batch", "jit"):
        m = rubric.load(B2B, backend=backend)
        assert m.score_many(leads, as_of=AS_OF) == want, backend


def test_host_functions():
    customers = {"acme.com"}
    calls = []

    def is_customer(domain):
        calls.append(domain)
        if domain == "boom.io":
            raise RuntimeError("CRM is down")
        if domain == "none.io":
            return None
        if domain == "wrong.io":
            return "yes"  # a wrong type: missing
        return domain in customers

    m = rubric.compile(MINI, functions={"is_customer": (["string"], "bool", is_customer)})
    leads = [{"id": "a", "domain": "acme.com", "employees": 500}, {"id": "b", "domain": "other.com"},
             {"id": "c"}, {"id": "d", "domain": "boom.io"}, {"id": "e", "domain": "none.io"},
             {"id": "f", "domain": "wrong.io", "employees": 200}]
    rs = m.score_many(leads, as_of=AS_OF)
    assert [r["total"] for r in rs] == [30, 0, 0, 0, 0, 10]
    assert [r["tiers"]["t"] for r in rs] == ["hot", "cold", "cold", "cold", "cold", "cold"]
    assert "c" not in calls and None not in calls  # a missing argument never reaches the function
    # many threads calling into Python at once
    many = [{"id": str(i), "domain": "acme.com" if i % 3 == 0 else "x.org"} for i in range(5000)]
    rs = m.score_many(many, as_of=AS_OF, threads=4)
    assert sum(r["total"] == 20 for r in rs) == len(range(0, 5000, 3))


def test_host_function_types():
    text = '''model "types"
lead:
  id: string key
  when: optional time
score s:
  days_between(when, when) == 0: +1 "same"
  double(2) > 3.5: +2 "number"
  later(when) > when: +4 "time"
  next_int(1) == 2: +8 "int"
'''
    fns = {"days_between": (["time", "time"], "int", lambda a, b: (b - a).days),
           "double": (["number"], "number", lambda x: x * 2),
           "later": (["time"], "time", lambda t: t + dt.timedelta(days=1)),
           "next_int": (["int"], "int", lambda i: i + 1)}
    m = rubric.compile(text, functions=fns)
    r = m.score({"id": "x", "when": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}, as_of=AS_OF)
    assert r["total"] == 15
    with pytest.raises(rubric.CompileError, match="A0001"):
        rubric.compile(text, functions=dict(fns, **{"bad name": (["string"], "bool", lambda s: True)}))
    with pytest.raises(TypeError):
        rubric.compile(text, functions={"double": (["number"], "number")})
    with pytest.raises(ValueError, match="not a type"):
        rubric.compile(text, functions=dict(fns, double=(["decimal"], "number", lambda x: x)))


def test_bad_input(b2b):
    # not a dict: a clear exception
    with pytest.raises(TypeError, match="must be a dict, not a list"):
        b2b.score([1, 2], as_of=AS_OF)
    with pytest.raises(TypeError, match="lead 1: a lead must be a dict, not a str"):
        b2b.score_many([{"id": "a", "email": "a@b.c"}, "oops"], as_of=AS_OF)
    with pytest.raises(TypeError, match="^field `email`: a value of type object"):
        b2b.score({"id": "a", "email": object()}, as_of=AS_OF)
    with pytest.raises(TypeError, match="a key is a int"):
        b2b.score({"id": "a", 3: "x"}, as_of=AS_OF)
    with pytest.raises(TypeError):
        b2b.score_many(42, as_of=AS_OF)
    with pytest.raises(TypeError, match="DataFrame"):
        b2b.score_frame([{"id": "a"}], as_of=AS_OF)
    with pytest.raises(ValueError, match="threads"):
        b2b.score_many([], as_of=AS_OF, threads=-1)
    deep = {"id": "a", "email": "a@b.c", "x": []}
    cur = deep["x"]
    for _ in range(100):
        cur.append([])
        cur = cur[0]
    with pytest.raises(TypeError, match="nest deeper"):
        b2b.score(deep, as_of=AS_OF)
    # in a frame, a value Python cannot write (an int over 64 bits, a set) makes that row an error
    # row naming the column, and the other rows still score (one bad cell never stops a job)
    frame = pd.DataFrame({"id": ["a", "b", "c"], "email": ["a@b.c", "b@c.d", "c@d.e"],
                          "employees": [10, 2**70, 20], "junk": [None, None, {1, 2}]})
    got = b2b.score_frame(frame, as_of=AS_OF)
    assert list(got["id"]) == ["a", "b", "c"]
    assert got["error"][0] is None and got["total"][0] is not None
    assert "column `employees`" in got["error"][1] and "too large" in got["error"][1]
    assert "column `junk`" in got["error"][2] and pd.isna(got["total"][2])
    # wrong types for the schema: an error row, the others still score
    rows = b2b.score_many([{"id": "a", "email": "a@b.c", "employees": "many"}, {"id": "b", "email": "b@c.d"},
                           {"email": "x@y.z"}, {"id": "c", "email": "c@d.e", "events": "none"},
                           {"id": "d", "email": "d@e.f", "events": [{"kind": "teleport", "timestamp": "2026-10-01"}]}],
                          as_of=AS_OF)
    assert "employees" in rows[0]["error"] and rows[0]["total"] is None and rows[0]["scores"] == {}
    assert rows[1]["error"] is None and rows[1]["total"] is not None
    assert "required" in rows[2]["error"]
    assert "events" in rows[3]["error"]
    assert "teleport" in rows[4]["error"]
    # in a frame: an error row too
    df = pd.DataFrame([{"id": "a", "email": "a@b.c", "employees": "lots"}, {"id": "b", "email": "b@c.d", "employees": 9}])
    out = b2b.score_frame(df, as_of=AS_OF)
    assert out["error"][0] and pd.isna(out["total"][0]) and out["error"][1] is None
    # NaN, None, pd.NA, NaT and numpy scalars are fine
    import numpy as np
    r = b2b.score({"id": "n", "email": "n@x.com", "employees": np.int64(300), "annual_revenue": float("nan"),
                   "country": pd.NA, "created_at": pd.NaT, "is_customer": np.bool_(True),
                   "events": np.array([{"kind": "email_open", "timestamp": pd.Timestamp("2026-10-30", tz="UTC")}])},
                  as_of=AS_OF)
    plain = b2b.score({"id": "n", "email": "n@x.com", "employees": 300, "is_customer": True,
                       "events": [{"kind": "email_open", "timestamp": "2026-10-30T00:00:00Z"}]}, as_of=AS_OF)
    assert r["error"] is None and r == plain
    assert b2b.score({"id": "u", "email": "\u00e9l\u00e8ve@\u00e9cole.fr\n"}, as_of=AS_OF)["error"] is None
    assert b2b.score_many([], as_of=AS_OF) == []


def test_gil_released_while_scoring(b2b, generated):
    path = generated(30_000, seed=5)
    leads = read_leads(path)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        b2b.score_many(leads, as_of=AS_OF, threads=2)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 5  # the other Python thread ran while we scored


def test_pickle_round_trip(b2b):
    import pickle
    m = pickle.loads(pickle.dumps(b2b))
    lead = {"id": "p", "email": "p@q.com", "job_title": "VP Sales"}
    assert m.score(lead, as_of=AS_OF) == b2b.score(lead, as_of=AS_OF)
