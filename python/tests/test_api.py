# SPDX-License-Identifier: Apache-2.0
"""The rubric package: every API call, errors as exceptions, results equal to the CLI's."""
import csv
import datetime as dt
import json
import math
import os
import threading
import warnings

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
    assert rubric.parse_as_of("1970-01-01T00:00:01.999Z") == 1


def test_as_of_keeps_fractions_of_a_second():
    # An event half a second after midnight is after an as-of of midnight (ignored) and not
    # after 00:00:00.500 (counted), whichever way the time is given.
    m = rubric.compile("lead:\n  id: string key\nevent:\n  kind: enum {visit}\n  timestamp: time\n"
                       "behaviour visited: kind is visit\nscore s:\n  visited within 1 days: +1\n")
    lead = {"id": "a", "events": [{"kind": "visit", "timestamp": "2026-11-01T00:00:00.5Z"}]}
    midnight = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    half = midnight + dt.timedelta(milliseconds=500)
    assert m.score(lead, as_of="2026-11-01")["total"] == 0
    assert m.score(lead, as_of="2026-11-01T00:00:00.500Z")["total"] == 1
    assert m.score(lead, as_of="2026-11-01T00:00:00.499Z")["total"] == 0
    assert m.score(lead, as_of=half)["total"] == 1
    assert m.score(lead, as_of=half.timestamp())["total"] == 1  # float seconds
    assert m.score(lead, as_of=int(half.timestamp()))["total"] == 0  # whole seconds: midnight
    assert m.score_many([lead], as_of=half)[0]["total"] == 1
    # Held to the years 1 to 9999: a huge or very negative as-of scores, never overflows.
    assert m.score(lead, as_of=2**62)["total"] == 0
    assert m.score(lead, as_of=-2**62)["total"] == 0


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
    # evaluated on the model it embeds, as the source is; suggesting points needs the source
    frame = pd.DataFrame(leads).assign(won=[i % 3 == 0 for i in range(len(leads))])
    assert native.evaluate(frame, "won", as_of=AS_OF).report == b2b.evaluate(frame, "won", as_of=AS_OF).report
    with pytest.raises(ValueError, match="compiled .so"):
        native.evaluate(frame, "won", suggest=True, as_of=AS_OF)
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


def test_auto_tiers_up_to_the_jit_on_a_large_input(tmp_path):
    """backend="auto" scores with the interpreter until the model has scored enough input to pay
    for compiling (here one 33 MiB CSV file), then with the JIT; the scores do not change."""
    text = 'lead:\n  id: string key\n  n: optional int\nscore s:\n  n > 10: +5 "big"\n'
    model = rubric.compile(text, "m.rubric")
    assert model.backend == "auto" and model.scoring_backend == "interpreter"
    small = model.score_many([{"id": "a", "n": 20}, {"id": "b"}], as_of=AS_OF)
    assert [r["total"] for r in small] == [5, 0]
    assert model.scoring_backend == "interpreter"
    big = tmp_path / "big.csv"
    pad = "y" * (1 << 20)
    with open(big, "w") as f:
        f.write("id,n,notes\n")
        for i in range(33):
            f.write(f"r{i},{i},{pad}\n")
    stats = model.score_file(big, tmp_path / "out.csv", as_of=AS_OF)
    assert stats["scored"] == 33
    for _ in range(6000):
        if model.scoring_backend == "jit":
            break
        threading.Event().wait(0.01)
    assert model.scoring_backend == "jit" and model.backend == "auto"
    assert model.score_many([{"id": "a", "n": 20}, {"id": "b"}], as_of=AS_OF) == small
    pinned = rubric.compile(text, "m.rubric", backend="interpreter")
    pinned.score_file(big, tmp_path / "out2.csv", as_of=AS_OF)
    assert pinned.scoring_backend == "interpreter"
    assert (tmp_path / "out.csv").read_text() == (tmp_path / "out2.csv").read_text()


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


def ticks_during(work):
    """How often another Python thread ran (every millisecond it can) while `work()` ran: more
    than a few means the GIL was released."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        work()
    finally:
        stop.set()
        t.join()
    return len(ticks)


def test_gil_released_while_scoring(b2b, generated):
    path = generated(30_000, seed=5)
    leads = read_leads(path)
    ticks = ticks_during(lambda: b2b.score_many(leads, as_of=AS_OF, threads=2))
    assert ticks > 5  # the other Python thread ran while we scored
    # Fewer leads than a chunk (8,192) are scored on the calling thread, also without the GIL.
    few = leads[:8000]
    ticks = ticks_during(lambda: b2b.score_many(few, as_of=AS_OF))
    assert ticks > 5
    assert b2b.score_many(few, as_of=AS_OF) == b2b.score_many(leads, as_of=AS_OF)[:8000]


def test_pickle_round_trip(b2b):
    import pickle
    m = pickle.loads(pickle.dumps(b2b))
    lead = {"id": "p", "email": "p@q.com", "job_title": "VP Sales"}
    assert m.score(lead, as_of=AS_OF) == b2b.score(lead, as_of=AS_OF)


# --- Model.evaluate ------------------------------------------------------------------------------

EVAL_MODEL = '''model "Fixture"

lead:
  id: string key from "id"
  visits: int from "visits"
  title: optional string from "title"
  created: time from "created"
  source: optional string from "source"

score engagement:
  visits >= 5: +10 "5+ visits"
  source = "ads": +5 "came from ads"
  title = "manager": -5 "a manager"

score fit:
  title = "engineer": +3 "an engineer"

disqualify:
  title = "student": "a student"

tiers temperature:
  hot: engagement >= 10
  cold: otherwise
'''


@pytest.fixture(scope="module")
def eval_data(tmp_path_factory):
    """600 seeded leads as CSV: `won` (yes/no; two blank) depends on visits and title; `won01` is
    it as 1/0, `stage` as signed/lost/open; `created` spreads them over 2026."""
    import random
    rng = random.Random(20260101)
    path = tmp_path_factory.mktemp("evaluate") / "leads.csv"
    with open(path, "w") as f:
        f.write("id,visits,title,created,source,won,won01,stage\n")
        for i in range(1, 601):
            visits = rng.randint(0, 9)
            title = rng.choice(["manager", "engineer", "student", ""])
            won = rng.random() < 0.1 + 0.45 * (visits >= 5) + 0.3 * (title == "manager")
            stage = "signed" if won else rng.choice(["lost", "open"])
            w, w01 = ("yes", "1") if won else ("no", "0")
            if i in (17, 333):
                w = w01 = stage = ""
            created = f"2026-{1 + (i - 1) * 12 // 600:02d}-15"
            f.write(f"L{i},{visits},{title},{created},{rng.choice(['ads', 'seo'])},{w},{w01},{stage}\n")
    return str(path)


@pytest.fixture(scope="module")
def eval_model():
    return rubric.compile(EVAL_MODEL, "fixture.rubric")


def mann_whitney(values, labels):
    """P(a converted lead ranks above one that did not), ties counting half."""
    pos = [v for v, y in zip(values, labels) if y]
    neg = [v for v, y in zip(values, labels) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_evaluate_auc_equals_independent_mann_whitney(eval_model, eval_data):
    ev = eval_model.evaluate(eval_data, "won", as_of=AS_OF)
    assert isinstance(ev, rubric.Evaluation)
    assert (ev.records, ev.errors, ev["without_outcome"]) == (600, 0, 2)
    assert ev.split is None and "training" not in ev and ev.figures["part"] == "all leads"
    # the same leads scored by score_frame, the AUCs computed here
    df = pd.read_csv(eval_data)
    scored = eval_model.score_frame(df, as_of=AS_OF)
    keep = df["won"].notna()
    y = list(df["won"][keep] == "yes")
    assert ev.figures["leads"] == len(y) == 598 and ev.figures["converted"] == sum(y)
    want = {s: mann_whitney(list(scored[s][keep]), y) for s in ["engagement", "fit", "total"]}
    # disqualified leads below every other lead, all tied
    want["total, disqualified last"] = mann_whitney(
        [t if d is None else -math.inf for d, t in zip(scored["disqualified"][keep], scored["total"][keep])], y)
    assert scored["disqualified"][keep].notna().sum() > 100  # so that ranking differs from the total's
    assert list(ev.auc) == ["engagement", "fit", "total", "total, disqualified last"]
    for name, auc in want.items():
        assert ev.auc[name] == pytest.approx(auc, abs=1e-12), name
    assert 0.6 < ev.auc["engagement"] < 1  # the fixture's signal is there
    # the summary and the CLI's text
    assert "AUC: engagement" in str(ev) and f"{ev.auc['total']:.3f}" in str(ev)
    assert ev.text.startswith('Evaluation of "Fixture"') and "Gains by tenth" in ev.text
    assert "<table>" in ev._repr_html_() and "Gains by tenth" in ev._repr_html_()


def test_evaluate_frame_equals_file(eval_model, eval_data, tmp_path, monkeypatch):
    import tempfile
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    for kw in ({}, {"split": "random:0.25", "seed": 9}, {"split": "time:created@2026-09-01"}):
        from_file = eval_model.evaluate(eval_data, "won", as_of=AS_OF, **kw)
        df = pd.read_csv(eval_data)
        # columns the model does not read, the label among them, are written for the frame too
        from_frame = eval_model.evaluate(df, "won", as_of=AS_OF, **kw)
        assert from_frame["input"] == "<DataFrame>" and from_file["input"] == eval_data
        a, b = dict(from_file.report), dict(from_frame.report)
        del a["input"], b["input"]
        assert a == b, kw
        assert list(temp.iterdir()) == []  # the temporary file is gone
    with pytest.raises(TypeError, match="path or a pandas DataFrame"):
        eval_model.evaluate([{"id": "a"}], "won", as_of=AS_OF)
    with pytest.raises(ValueError, match="for files"):
        eval_model.evaluate(pd.read_csv(eval_data), "won", as_of=AS_OF, delimiter=";")
    # a value JSON cannot carry: TypeError naming the row and column, and no file left behind
    bad = pd.read_csv(eval_data).astype({"source": object})
    bad.at[3, "source"] = {1, 2}
    with pytest.raises(TypeError, match="row 3, column `source`"):
        eval_model.evaluate(bad, "won", as_of=AS_OF)
    assert list(temp.iterdir()) == []


def test_evaluate_label_forms(eval_model, eval_data):
    base = eval_model.evaluate(eval_data, "won", as_of=AS_OF)
    for label, positive in [('won = "yes"', None), ("won", "YES"), ('won in {"yes"}', None), ("won01", None),
                            ('stage = "signed"', None), ("stage", "signed"), ("won01", 1)]:
        ev = eval_model.evaluate(eval_data, label, positive=positive, as_of=AS_OF)
        assert ev.figures == base.figures, (label, positive)
    assert eval_model.evaluate(eval_data, 'won = "yes"', as_of=AS_OF)["outcome"] == 'won = "yes"'
    flipped = eval_model.evaluate(eval_data, 'won != "yes"', as_of=AS_OF)
    assert flipped.figures["converted"] == base.figures["leads"] - base.figures["converted"]
    assert flipped.auc["engagement"] == pytest.approx(1 - base.auc["engagement"], abs=1e-12)
    # a bare column that is not yes or no: the message says what to do
    with pytest.raises(ValueError, match="not yes or no.*positive"):
        eval_model.evaluate(eval_data, "stage", as_of=AS_OF)
    with pytest.raises(ValueError, match="give the outcome: label=COLUMN"):
        eval_model.evaluate(eval_data, as_of=AS_OF)
    with pytest.raises(ValueError, match="positive= needs label= too"):
        eval_model.evaluate(eval_data, positive="yes", outcomes=eval_data, as_of=AS_OF)
    with pytest.raises(FileNotFoundError):
        eval_model.evaluate(os.path.join(os.path.dirname(eval_data), "nope.csv"), "won", as_of=AS_OF)


def test_evaluate_outcomes_file(eval_model, eval_data, tmp_path):
    df = pd.read_csv(eval_data)
    outcomes = tmp_path / "converted.csv"
    df.loc[df["won"] == "yes", ["id"]].rename(columns={"id": "lead_id"}).to_csv(outcomes, index=False)
    ev = eval_model.evaluate(eval_data, outcomes=outcomes, outcomes_key="lead_id", as_of=AS_OF)
    # leads not in the file did not convert: the blank ones too
    want = eval_model.evaluate(df.fillna({"won": "no"}), "won", as_of=AS_OF)
    assert ev.figures == want.figures and ev.figures["leads"] == 600


def test_evaluate_split_is_reproducible(eval_model, eval_data):
    a = eval_model.evaluate(eval_data, "won", split="random:0.3", seed=42, as_of=AS_OF)
    b = eval_model.evaluate(eval_data, "won", split="random:0.3", seed=42, as_of=AS_OF)
    c = eval_model.evaluate(eval_data, "won", split="random:0.3", seed=43, as_of=AS_OF)
    assert a.report == b.report
    assert a.figures["part"] == "held out" and a.training["part"] == "training"
    assert a.figures["leads"] + a.training["leads"] == 598
    assert 0.2 < a.figures["leads"] / 598 < 0.4
    assert (c.figures["leads"], c.figures["converted"], c.auc) != (a.figures["leads"], a.figures["converted"], a.auc)
    # a time split holds out the leads created on or after the date
    t = eval_model.evaluate(eval_data, "won", split="time:created@2026-10-01", as_of=AS_OF)
    df = pd.read_csv(eval_data)
    assert t.figures["leads"] == int(((df["created"] >= "2026-10-01") & df["won"].notna()).sum())
    with pytest.raises(ValueError, match="split"):
        eval_model.evaluate(eval_data, "won", split="sideways", as_of=AS_OF)
    with pytest.raises(ValueError, match="seed"):
        eval_model.evaluate(eval_data, "won", split="random:0.3", seed=-1, as_of=AS_OF)


def test_evaluate_refuses_leakage(eval_data):
    leaky = rubric.compile(EVAL_MODEL.replace('  source: optional string from "source"\n',
                                              '  source: optional string from "source"\n  won: optional string from "won"\n'))
    with pytest.raises(ValueError, match='reads the outcome column "won" \\(field `won`\\)'):
        leaky.evaluate(eval_data, "won", as_of=AS_OF)
    with pytest.raises(ValueError, match="reads the outcome column"):
        leaky.evaluate(pd.read_csv(eval_data), 'won = "yes"', as_of=AS_OF)


def test_evaluate_record_errors_are_counted(eval_model, eval_data, tmp_path):
    with open(eval_data) as f:
        lines = f.read().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[1], "many", 1)  # L5's visits
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    ev = eval_model.evaluate(bad, "won", as_of=AS_OF)
    assert ev.errors == 1 and ev.records == 600
    assert ev.figures["leads"] + ev.without_outcome == 599
    assert len(ev.error_messages) == 1 and "bad.csv:6: L5: field `visits`" in ev.error_messages[0]
    assert "1 with errors" in str(ev)


def test_evaluate_suggest(eval_data, tmp_path):
    own = tmp_path / "fixture.rubric"
    own.write_text(EVAL_MODEL)
    model = rubric.load(own)
    plain = model.evaluate(eval_data, "won", as_of=AS_OF)
    assert plain.suggested_model_text is None and "suggestion" not in plain
    with pytest.raises(ValueError, match="suggest=True"):
        plain.write_suggestion(tmp_path / "never.rubric")
    ev = model.evaluate(eval_data, "won", suggest=True, seed=3, penalty=0.5, as_of=AS_OF)
    assert ev.split.startswith("random:0.3") and ev.training["leads"] > ev.figures["leads"]
    assert "holds out 30%" in ev.warnings[0]
    s = ev.suggestion
    assert s["problem"] is None and s["lambda"] == 0.5 and s["fitted_on"] > 0
    by_label = {r["label"]: r for r in s["rules"]}
    assert list(by_label) == ["5+ visits", "came from ads", "a manager", "an engineer"]
    assert by_label["5+ visits"]["suggested"] > 0 and by_label["5+ visits"]["weight"] > 0
    # the data makes managers convert more: the fit turns the rule's sign
    assert by_label["a manager"]["current"] == -5 and by_label["a manager"]["suggested"] > 0
    text = ev.suggested_model_text
    assert text != EVAL_MODEL and text.startswith('model "Fixture"')
    # never over the model's own file
    with pytest.raises(ValueError, match="is the model itself"):
        ev.write_suggestion(own)
    assert own.read_text() == EVAL_MODEL
    out = tmp_path / "suggested.rubric"
    ev.write_suggestion(out)
    assert out.read_text() == text
    suggested = rubric.load(out)
    assert suggested.score_names == model.score_names
    again = suggested.evaluate(eval_data, "won", split="random:0.3", seed=3, as_of=AS_OF)
    assert [r["points"] for r in again.figures["rules"]] == [r["suggested"] for r in s["rules"]]
    assert again.auc["total, disqualified last"] == pytest.approx(s["auc_suggested"], abs=1e-12)
    assert ev.auc["total, disqualified last"] == pytest.approx(s["auc_current"], abs=1e-12)
    with pytest.raises(ValueError, match="penalty"):
        model.evaluate(eval_data, "won", suggest=True, penalty=-1, as_of=AS_OF)


def test_evaluate_html_report(eval_model, eval_data, tmp_path):
    page = tmp_path / "report.html"
    ev = eval_model.evaluate(eval_data, "won", split="random:0.3", as_of=AS_OF, report=page)
    html = page.read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and '<svg id="roc-chart"' in html
    assert "Fixture" in html and f"{ev.auc['total']:.3f}" in html


def test_evaluate_releases_the_gil(eval_model, tmp_path):
    import random
    rng = random.Random(1)
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("id,visits,title,created,source,won\n")
        f.writelines(f"L{i},{rng.randint(0, 9)},{rng.choice(['manager', 'engineer', ''])},2026-03-01,ads,"
                     f"{rng.choice(['yes', 'no'])}\n" for i in range(200_000))
    got = []
    ticks = ticks_during(lambda: got.append(eval_model.evaluate(path, "won", as_of=AS_OF)))
    assert got[0].records == 200_000 and got[0].errors == 0
    assert ticks > 5  # the other Python thread ran while we evaluated


def test_evaluate_calls_host_functions(eval_data):
    text = EVAL_MODEL.replace('  title = "engineer": +3 "an engineer"\n',
                              '  title = "engineer": +3 "an engineer"\n  is_big(visits): +2 "big"\n')
    m = rubric.compile(text, functions={"is_big": (["int"], "bool", lambda v: v > 7)})
    ev = m.evaluate(eval_data, "won", as_of=AS_OF)
    df = pd.read_csv(eval_data)
    big = [r for r in ev.figures["rules"] if r["label"] == "big"][0]
    assert big["fired"]["in"] == int(((df["visits"] > 7) & df["won"].notna()).sum()) > 0


def test_score_file_keeps_and_chooses_columns(tmp_path):
    """score_file(keep=, columns=) writes what `rubric score --keep --columns` writes."""
    model = rubric.compile('lead:\n  id: string key\n  visits: int\nscore s:\n  visits > 2: +5 "regular"\n')
    leads = tmp_path / "leads.csv"
    leads.write_text("id,visits,Converted\nA,3,1\nB,x,0\n")
    out = tmp_path / "out.csv"
    stats = model.score_file(leads, out, keep=["Converted"], columns=["Converted", "id", "total", "error"])
    assert stats["scored"] == 1 and stats["errors"] == 1
    rows = out.read_text().splitlines()
    assert rows[0] == "Converted,id,total,error" and rows[1] == "1,A,5,"
    assert rows[2].startswith("0,B,,") and "expected a number" in rows[2]
    with pytest.raises(ValueError, match="did you mean \"total\""):
        model.score_file(leads, out, columns=["totl"])
    with pytest.raises(ValueError, match="to keep"):
        model.score_file(leads, out, keep=["Convrted"])
    with pytest.raises(TypeError):
        model.score_file(leads, out, keep="Converted")


def test_score_file_joins_a_flat_events_file(tmp_path):
    """score_file scores a leads file with its events in a separate file (one event per row),
    as the nested file scores, and counts the events; missing files raise OSError."""
    leads, events = tmp_path / "leads.jsonl", tmp_path / "events.csv"
    with open(B2B.replace("b2b.rubric", "leads.jsonl")) as src, open(leads, "w") as l, open(events, "w", newline="") as e:
        w = csv.writer(e)
        w.writerow(["id", "kind", "page", "timestamp", "seconds"])
        for line in src:
            lead = json.loads(line)
            for ev in lead.pop("events", None) or []:
                w.writerow([lead["id"]] + [ev.get(c, "") for c in ("kind", "page", "timestamp", "seconds")])
            l.write(json.dumps(lead) + "\n")
        w.writerow(["NOBODY", "page_view", "/x", "2026-10-01T00:00:00Z", ""])
    model = rubric.load(B2B)
    stats = model.score_file(leads, tmp_path / "flat.jsonl", events=events, as_of=AS_OF, format="jsonl", threads=2)
    assert stats["scored"] == 300 and stats["errors"] == 0
    assert stats["orphan_events"] == 1 and stats["events_joined"] == stats["events_read"] - 1
    assert any("NOBODY" in m for m in stats["messages"])
    nested = model.score_file(B2B.replace("b2b.rubric", "leads.jsonl"), tmp_path / "nested.jsonl", as_of=AS_OF, format="jsonl")
    assert nested["events_read"] == 0
    assert (tmp_path / "flat.jsonl").read_text() == (tmp_path / "nested.jsonl").read_text()
    with pytest.raises(FileNotFoundError):
        model.score_file(tmp_path / "none.csv", tmp_path / "out.csv")
    with pytest.raises(ValueError):
        model.score_file(leads, tmp_path / "out.csv", format="xml")


def test_score_frame_joins_events_on_the_event_key_column():
    """A model whose `event:` section names the events' lead column (`key from "Lead Ref"`)
    joins an events DataFrame on that column by default."""
    text = '''lead:
  id: string key
event:
  lead_ref: string key from "Lead Ref"
  kind: enum {visit, demo}
  timestamp: time
score s:
  visited: +1 each, at most 10
'''
    model = rubric.compile(text.replace("score s:", "behaviour visited: kind is visit\nscore s:"))
    assert model.event_key_field == "Lead Ref" and model.key_field == "id"
    leads = pd.DataFrame({"id": ["A", "B"]})
    events = pd.DataFrame({"Lead Ref": ["A", "A", "B"], "kind": ["visit", "visit", "demo"],
                           "timestamp": ["2026-10-01", "2026-10-02", "2026-10-03"]})
    out = model.score_frame(leads, events=events, as_of="2026-11-01")
    assert list(out["s"]) == [2.0, 0.0]
    with pytest.raises(KeyError):
        model.score_frame(leads, events=events.rename(columns={"Lead Ref": "ref"}), as_of="2026-11-01")


def test_score_frame_says_what_became_of_the_events():
    """Events whose lead is in no row of the frame are counted in ``attrs["events"]`` and give an
    OrphanEventsWarning naming the first such key; they are never dropped unsaid."""
    model = rubric.compile("""lead:
  id: string key
event:
  kind: enum {visit, demo}
  timestamp: time
behaviour visited: kind is visit
score s:
  visited: +1 each, at most 10
""")
    leads = pd.DataFrame({"id": ["A", "B"]})
    events = pd.DataFrame({"id": ["A", "Z", "A", "Z", "Y"], "kind": ["visit"] * 5,
                           "timestamp": ["2026-10-01"] * 5})
    with pytest.warns(rubric.OrphanEventsWarning, match=r"3 events of 2 leads not in the frame \(the first: key 'Z'\)"):
        out = model.score_frame(leads, events=events, as_of="2026-11-01")
    assert list(out["s"]) == [2.0, 0.0]
    assert out.attrs["events"] == {"events_read": 5, "events_joined": 2, "orphan_events": 3, "orphan_leads": 2,
                                   "first_orphan": "Z"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every event has its lead: no warning
        out = model.score_frame(leads, events=events[events["id"] == "A"], as_of="2026-11-01")
    assert out.attrs["events"]["orphan_events"] == 0 and out.attrs["events"]["events_joined"] == 2
    assert "events" not in model.score_frame(leads, as_of="2026-11-01").attrs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warn_orphans=False: counted, not warned of
        quiet = model.score_frame(leads, events=events, as_of="2026-11-01", warn_orphans=False)
    assert quiet.attrs["events"]["orphan_events"] == 3
    # A lead whose row cannot be written (an int over 64 bits) is an error row; its events are
    # its own, not orphans.
    big = pd.DataFrame({"id": ["A", "B"], "n": [2 ** 70, 1]}, dtype=object)
    with pytest.warns(rubric.OrphanEventsWarning, match=r"3 events of 2 leads"):
        out = model.score_frame(big, events=events, as_of="2026-11-01")
    assert out["error"][0] and out.attrs["events"]["events_joined"] == 2
