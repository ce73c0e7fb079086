# SPDX-License-Identifier: Apache-2.0
"""Rubric for Python: compile lead-scoring models and score leads, dicts or pandas frames.

    import rubric
    model = rubric.load("examples/b2b/b2b.rubric")
    model.score({"id": "L1", "email": "ana@acme.com", "events": []}, as_of="2026-11-01")
    model.score_frame(leads_df, as_of="2026-11-01", threads=2)
    model.evaluate("leads.csv", label="won", as_of="2026-11-01").auc   # against known outcomes

A :class:`Model` is immutable and thread-safe; scoring releases the GIL. Compile errors raise
:class:`CompileError` with structured diagnostics. See the Python section of the top-level
README, docs/evaluation.md for :meth:`Model.evaluate`, and docs/scale-out.md for Dask.
"""
from __future__ import annotations

import datetime as _dt
import hashlib as _hashlib
import html as _html
import json as _json
import math as _math
import os as _os
import tempfile as _tempfile
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _rubric

__all__ = ["compile", "load", "Model", "CompileError", "Diagnostic", "Explanation", "Evaluation", "parse_as_of"]
__version__ = "0.1.0"

AsOf = Union[str, int, float, _dt.datetime, _dt.date, None]
PathLike = Union[str, "_os.PathLike[str]"]
#: ``name -> (argument types, result type, callable)``; types are "bool", "int", "number", "string", "time".
Functions = Mapping[str, Tuple[Sequence[str], str, Callable[..., Any]]]


@dataclass(frozen=True)
class Diagnostic:
    """One problem found while compiling, as ``rubric check`` reports it."""

    id: str  #: a stable id, "E0201"
    severity: str  #: "error" or "warning"
    file: str
    line: int
    column: int
    message: str
    hints: List[str] = field(default_factory=list)  #: "help: ..." and "note: ..." lines

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.line else (f"{self.file}: " if self.file else "")
        return "\n".join([f"{where}{self.severity}[{self.id}]: {self.message}"] + [f"  = {h}" for h in self.hints])


class CompileError(Exception):
    """A model that did not compile. ``str()`` is the CLI's text (carets and hints);
    ``diagnostics`` has every error and warning as :class:`Diagnostic`."""

    def __init__(self, text: str, diagnostics: List[Diagnostic]):
        super().__init__(text)
        self.text = text
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        return self.text.rstrip("\n")


class OrphanEventsWarning(UserWarning):
    """Events given to :meth:`Model.score_frame` whose lead key is in no row of the leads: they
    were read and joined no lead (``rubric score`` counts them in its summary the same way)."""


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MS = _dt.timedelta(milliseconds=1)
_FIRST_MS, _LAST_MS = -62135596800000, 253402300799999  # the years 1 to 9999, as times in data


class _Millis(int):
    """An as-of already in milliseconds (rubric.dask hands one to every partition)."""


def _as_of_ms(as_of: AsOf) -> int:
    """The scoring time as milliseconds since 1970-01-01T00:00:00Z, as every scoring call takes
    it: fractions of a second are kept, as `rubric score --as-of` keeps them; held to the years
    1 to 9999."""
    return min(max(_as_of_ms_unheld(as_of), _FIRST_MS), _LAST_MS)


def _as_of_ms_unheld(as_of: AsOf) -> int:
    if isinstance(as_of, _Millis):
        return int(as_of)
    if as_of is None:
        return (_dt.datetime.now(_dt.timezone.utc) - _EPOCH) // _MS
    if isinstance(as_of, bool):
        raise TypeError("as_of must be ISO 8601 text, a datetime, a date or epoch seconds, not a bool")
    if isinstance(as_of, int):
        return as_of * 1000
    if isinstance(as_of, float):
        # To the millisecond below, except that a product just below a whole millisecond by
        # rounding noise (1317422324.546 seconds) is that millisecond, as the readers count.
        x = as_of * 1000
        near = round(x)
        return near if abs(x - near) <= 1e-3 else _math.floor(x)
    if isinstance(as_of, _dt.datetime):
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=_dt.timezone.utc)
        return (as_of - _EPOCH) // _MS
    if isinstance(as_of, _dt.date):
        return (_dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=_dt.timezone.utc) - _EPOCH) // _MS
    if isinstance(as_of, str):
        t = _rubric.parse_time_ms(as_of)
        if t is None:
            raise ValueError(f"as_of: {as_of!r} is not a time like 2026-11-01 or 2026-11-01T09:30:00Z")
        return t
    raise TypeError(f"as_of must be ISO 8601 text, a datetime, a date or epoch seconds, not {type(as_of).__name__}")


def parse_as_of(as_of: AsOf) -> int:
    """The scoring time as whole seconds since 1970-01-01T00:00:00Z (rounded down): ISO 8601 text
    ("2026-11-01", "2026-11-01T09:30:00Z"), a datetime (naive means UTC), a date, or epoch
    seconds; None is now. Scoring itself keeps fractions of a second."""
    return _as_of_ms(as_of) // 1000


def _threads(threads: Optional[int]) -> int:
    if threads is None or threads == 0:
        return _os.cpu_count() or 1
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise ValueError(f"threads must be a positive int (0 or None: one per core), not {threads!r}")
    return threads


class Explanation:
    """Why a lead scored what it did: its result and the rules that gave points.
    ``str()`` is a readable report; notebooks show ``_repr_html_``."""

    def __init__(self, result: Dict[str, Any], model_name: str):
        self.result = result
        self.model_name = model_name

    @property
    def rules(self) -> List[Dict[str, Any]]:
        """The rules that fired: score, label, points, events, capped, decayed, line."""
        return self.result.get("rules", [])

    def __getitem__(self, k: str) -> Any:
        return self.result[k]

    def __str__(self) -> str:
        r = self.result
        if r["error"]:
            return f"Lead {r['key']!r} could not be scored: {r['error']}"
        lines = [f"Lead {r['key']!r} ({self.model_name})", ""]
        for score, value in r["scores"].items():
            lines.append(f"{score}: {_fmt(value)}")
            for h in self.rules:
                if h["score"] != score:
                    continue
                extra = []
                if h["events"]:
                    extra.append(f"{h['events']} event{'s' if h['events'] != 1 else ''}")
                if h["decayed"]:
                    extra.append("decayed")
                if h["capped"]:
                    extra.append("capped")
                note = f"  ({', '.join(extra)})" if extra else ""
                lines.append(f"  {_signed(h['points']):>8}  {h['label']:<34} line {h['line']}{note}")
        lines.append("")
        lines.append(f"total: {_fmt(r['total'])}")
        lines.append(f"disqualified: {r['disqualified'] or 'no'}")
        for tier_set, tier in r["tiers"].items():
            lines.append(f"{tier_set}: {tier}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.result['key']!r} total={self.result['total']!r} tiers={self.result['tiers']!r}>"

    def _repr_html_(self) -> str:
        r = self.result
        e = _html.escape
        if r["error"]:
            return f"<p>Lead <b>{e(str(r['key']))}</b> could not be scored: {e(r['error'])}</p>"
        rows = "".join(
            f"<tr><td>{e(h['score'])}</td><td>{e(h['label'])}</td><td style='text-align:right'>{e(_signed(h['points']))}</td>"
            f"<td style='text-align:right'>{h['events'] or ''}</td><td>{'decayed ' if h['decayed'] else ''}"
            f"{'capped' if h['capped'] else ''}</td><td>{h['line']}</td></tr>"
            for h in self.rules)
        scores = ", ".join(f"{e(k)} <b>{e(_fmt(v))}</b>" for k, v in r["scores"].items())
        tiers = ", ".join(f"{e(k)}: <b>{e(v)}</b>" for k, v in r["tiers"].items())
        disq = f"<p>Disqualified: {e(r['disqualified'])}</p>" if r["disqualified"] else ""
        return (f"<div><p>Lead <b>{e(str(r['key']))}</b> ({e(self.model_name)}): {scores}; total <b>{e(_fmt(r['total']))}</b>;"
                f" {tiers}</p>{disq}<table><thead><tr><th>score</th><th>rule</th><th>points</th><th>events</th>"
                f"<th></th><th>line</th></tr></thead><tbody>{rows}</tbody></table></div>")


class Evaluation:
    """What :meth:`Model.evaluate` found: the report of ``rubric evaluate --format json`` as a
    dict, its keys readable as items or attributes (``ev["figures"]``, ``ev.records``,
    ``ev.errors``). ``str()`` is a short summary, :attr:`text` the CLI's full report, and
    notebooks show ``_repr_html_`` (the key tables)."""

    def __init__(self, report: Dict[str, Any], text: str, suggested_model_text: Optional[str],
                 error_messages: List[str], model: "Model"):
        self.report = report  #: the report, as ``rubric evaluate --format json`` writes it
        self.text = text  #: the report as ``rubric evaluate`` prints it
        #: the model with the suggested points (``suggest=True``), or None when nothing was suggested
        self.suggested_model_text = suggested_model_text
        self.error_messages = error_messages  #: the first records that could not be read, with their line
        self._model = model

    def __getitem__(self, k: str) -> Any:
        return self.report[k]

    def __contains__(self, k: object) -> bool:
        return k in self.report

    def __getattr__(self, k: str) -> Any:
        report = self.__dict__.get("report")
        if k.startswith("_") or report is None or k not in report:
            raise AttributeError(f"'Evaluation' object has no attribute {k!r}")
        return report[k]

    def keys(self) -> List[str]:
        return list(self.report)

    @property
    def auc(self) -> Dict[str, Optional[float]]:
        """ROC AUC of every score and of the total, on the leads the figures are computed on
        (the held-out part with a split): ``{"engagement": 0.71, "total": 0.74}``."""
        return {row["name"]: row["auc"] for row in self.report["figures"]["auc"]}

    def write_suggestion(self, path: PathLike) -> None:
        """Writes the model with the suggested points (``suggest=True``) to ``path``; never over
        the model's own file (compare the two with ``rubric diff``)."""
        path = _os.fspath(path)
        if self.suggested_model_text is None:
            s = self.report.get("suggestion")
            raise ValueError("no model was written: " + (s["problem"] if s and s.get("problem") else
                                                          "nothing was suggested (evaluate with suggest=True)"))
        own = self._model.path
        if own is not None and _os.path.exists(path) and _os.path.samefile(path, own):
            raise ValueError(f"{path} is the model itself; write the suggestion to a new file and compare them with rubric diff")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(self.suggested_model_text)

    def _summary(self) -> List[str]:
        r = self.report
        f = r["figures"]
        labelled = f["leads"] + (r["training"]["leads"] if "training" in r else 0)
        lines = [f"Evaluation of {r['model']!r} on {r['input']}: {r['records']} records, {labelled} with an outcome, "
                 f"{r['without_outcome']} without, {r['errors']} with errors",
                 f"outcome {r['outcome']}: {f['converted']} of {f['leads']} converted ({_pct(f['base_rate'])})"
                 + (f"; held out by {r['split']} ({r['training']['leads']} leads are the training part)"
                    if "training" in r else "; in-sample (no split)")]
        lines.append("AUC: " + ", ".join(f"{a['name']} {_num3(a['auc'])} ({_num3(a['low'])} to {_num3(a['high'])})"
                                         for a in f["auc"]))
        s = r.get("suggestion")
        if s:
            if s["problem"]:
                lines.append(f"suggested points: none ({s['problem']})")
            else:
                changed = sum(1 for x in s["rules"] if x["suggested"] != x["current"])
                lines.append(f"suggested points: AUC {_num3(s['auc_current'])} now, {_num3(s['auc_suggested'])} suggested "
                             f"on {s['evaluated_on']}; {changed} of {len(s['rules'])} rules change")
        return lines

    def __str__(self) -> str:
        r = self.report
        lines = self._summary()
        flagged = [x for x in r["figures"]["rules"] if x["flag"]]
        for x in flagged:
            lines.append(f"  line {x['line']}: {x['message']}")
        for w in r["warnings"]:
            lines.append(f"warning: {w}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        r = self.report
        auc = {k: _num3(v) for k, v in self.auc.items()}
        return f"<rubric.Evaluation {r['model']!r} leads={r['figures']['leads']} auc={auc}>"

    def _repr_html_(self) -> str:
        e = _html.escape
        r = self.report
        f = r["figures"]

        def table(head: List[str], rows: List[List[Any]]) -> str:
            th = "".join(f"<th>{e(h)}</th>" for h in head)
            body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
            return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

        out = ["<div>", "".join(f"<p>{e(line)}</p>" for line in self._summary()[:2])]
        out.append("<p><b>ROC AUC</b> (95% interval; 0.5 is chance, 1 perfect)</p>")
        out.append(table(["ranking", "AUC", "low", "high"], [[a["name"], _num3(a["auc"]), _num3(a["low"]), _num3(a["high"])]
                                                             for a in f["auc"]]))
        out.append(f"<p><b>Gains by tenth</b>, best first by {e(r['ranking'])}</p>")
        out.append(table(["tenth", "leads", "converted", "rate", "lift", "share of conversions"],
                         [[d["decile"], d["leads"], d["converted"], _pct(d["rate"]), _num2(d["lift"]), _pct(d["gain"])]
                          for d in f["deciles"]]))
        for t in f["tiers"]:
            out.append(f"<p><b>Tiers <code>{e(t['set'])}</code></b></p>")
            out.append(table(["tier", "leads", "converted", "rate", "lift", ""],
                             [[x["tier"], x["leads"], x["converted"], _pct(x["rate"]), _num2(x["lift"]),
                               "converts better than the tier above" if x["out_of_order"] else ""] for x in t["rows"]]))
        out.append("<p><b>Rules</b>: leads each rule fired on against the rest</p>")
        out.append(table(["score", "rule", "line", "points", "fired", "conv.", "not fired", "conv.", "lift", "flag"],
                         [[x["score"], x["label"], x["line"], _signed(x["points"]) + ("/e" if x["each"] else ""),
                           x["fired"]["in"], _pct(x["fired"]["rate_in"]), x["fired"]["out"], _pct(x["fired"]["rate_out"]),
                           _num2(x["fired"]["lift"]), x["flag"]] for x in f["rules"]]))
        s = r.get("suggestion")
        if s and not s["problem"]:
            out.append(f"<p><b>Suggested points</b> (fitted on {s['fitted_on']} leads): AUC {_num3(s['auc_current'])} now, "
                       f"{_num3(s['auc_suggested'])} suggested on {e(s['evaluated_on'])}</p>")
            out.append(table(["score", "rule", "line", "current", "suggested", "note"],
                             [[x["score"], x["label"], x["line"], _signed(x["current"]), _signed(x["suggested"]), x["note"]]
                              for x in s["rules"]]))
        elif s:
            out.append(f"<p>No suggested points: {e(s['problem'])}</p>")
        for w in r["warnings"]:
            out.append(f"<p>warning: {e(w)}</p>")
        out.append("</div>")
        return "".join(out)


def _readable(path: Optional[PathLike]) -> str:
    """The path as text, "" for None; raises FileNotFoundError, IsADirectoryError or
    PermissionError when it cannot be read, before any C++ code runs."""
    if path is None:
        return ""
    text = _os.fspath(path)
    open(text, "rb").close()
    return text


def _num3(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _num2(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _fmt(x: Optional[float]) -> str:
    if x is None:
        return "-"
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + _fmt(x)


class Model:
    """A compiled model: immutable, thread-safe, cheap to share. Make one with
    :func:`compile` or :func:`load`. Every scoring method takes ``as_of`` (ISO text, a
    datetime or epoch seconds; None is now), the time windows and decay are measured from."""

    def __init__(self, impl: Any, name: str, source: Optional[str], path: Optional[str],
                 functions: Optional[Functions]):
        self._impl = impl
        self.name = name  #: the model file's name
        self.source = source  #: the model's text (None for a compiled .so)
        self.path = path  #: the file it was loaded from, if any
        self.functions = dict(functions or {})  #: the host functions it was compiled with

    @property
    def score_names(self) -> List[str]:
        """The model's scores, in order."""
        return list(self._impl.score_names)

    @property
    def tier_set_names(self) -> List[str]:
        """The model's tier sets, in order."""
        return list(self._impl.tier_set_names)

    @property
    def key_field(self) -> str:
        """The lead's key field (its JSON key or column)."""
        return self._impl.key_field

    @property
    def event_key_field(self) -> str:
        """The column of a flat events file holding each event's lead key: an ``event:`` field
        marked ``key``, else the lead key's column ("" without a key or events)."""
        return self._impl.event_key_field

    @property
    def backend(self) -> str:
        """What scores: "auto", "interpreter", "batch", "jit" or "native" (a compiled .so)."""
        return self._impl.backend

    @property
    def scoring_backend(self) -> str:
        """What scores leads now. With backend "auto": "interpreter" until the model has scored
        enough input to pay for compiling (some 128 MB of JSON or 32 MB of CSV, over all calls, or
        one score_file of an input that large), then "jit" once the compile, which runs on a thread
        of its own meanwhile, is done. Otherwise the same as :attr:`backend`."""
        return self._impl.scoring_backend

    @property
    def columns(self) -> List[str]:
        """The columns :meth:`score_frame` gives (as ``rubric score --format jsonl`` does)."""
        return [self.key_field or "key", *self.score_names, "total", *self.tier_set_names, "disqualified", "error"]

    def fingerprint(self) -> str:
        """SHA-256 of what defines the model (its text, or the compiled file's bytes)."""
        h = _hashlib.sha256()
        if self.source is not None:
            h.update(self.source.encode())
        elif self.path is not None:
            with open(self.path, "rb") as f:
                h.update(f.read())
        h.update(repr(sorted((k, tuple(v[0]), v[1]) for k, v in self.functions.items())).encode())
        return h.hexdigest()

    def score(self, lead: Dict[str, Any], as_of: AsOf = None, explain: bool = False) -> Dict[str, Any]:
        """Scores one lead, a dict of its fields with its events (dicts) under ``"events"``.

        Returns ``{"key", "scores": {name: points}, "total", "tiers": {set: tier},
        "disqualified": reason or None, "error": None}``, plus ``"rules"`` (the rules that gave
        points) with ``explain=True``. A lead whose values do not fit the model's schema gives a
        result with ``error`` set; a lead that is not a dict, or holds values JSON cannot carry,
        raises TypeError."""
        return self._impl.score(lead, _as_of_ms(as_of), bool(explain))

    def score_many(self, leads: Iterable[Dict[str, Any]], as_of: AsOf = None, explain: bool = False,
                   threads: Optional[int] = 1) -> List[Dict[str, Any]]:
        """Scores many leads (any iterable of dicts), in order, as :meth:`score` does each, on
        ``threads`` threads (0 or None: one per core) with the GIL released."""
        return self._impl.score_many(leads, _as_of_ms(as_of), bool(explain), _threads(threads))

    def explain(self, lead: Dict[str, Any], as_of: AsOf = None) -> Explanation:
        """The lead's result with the rules that gave points, printable and notebook-friendly."""
        return Explanation(self.score(lead, as_of, explain=True), self.name)

    def score_frame(self, df: Any, events: Any = None, as_of: AsOf = None, explain: bool = False,
                    threads: Optional[int] = 1, key: Optional[str] = None, *, warn_orphans: bool = True) -> Any:
        """Scores a pandas DataFrame of leads, one row each, and returns a DataFrame with the
        input's index and the columns of ``rubric score --format jsonl``: the key, each score,
        ``total``, each tier set, ``disqualified`` and ``error`` (plus ``rules`` with
        ``explain=True``). A row that does not fit the schema gets ``error`` and no scores, and so
        does a row holding a value that cannot be written as JSON (an int over 64 bits, a set):
        the error names the column, and the other rows are scored.

        Events come either as a column ``events`` holding each lead's list of event dicts, or
        as ``events``, a DataFrame with one event per row joined to the leads on ``key`` (by
        default the model's key field in the leads and :attr:`event_key_field` in the events).
        With an events frame, ``frame.attrs["events"]`` says what became of its rows
        (``events_read``, ``events_joined``, ``orphan_events``, ``orphan_leads``,
        ``first_orphan``), and events whose lead is in no row give an
        :class:`OrphanEventsWarning`: none is dropped unsaid. ``warn_orphans=False`` leaves the
        warning out (the counts stay), for a partition given every partition's events."""
        import pandas as pd  # only needed here

        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"score_frame takes a pandas DataFrame, not {type(df).__name__}")
        names = [str(c) for c in df.columns]
        columns = [df[c].tolist() for c in df.columns]
        ev_names: List[str] = []
        ev_columns: List[list] = []
        lead_key = event_key = -1
        if events is not None:
            if not isinstance(events, pd.DataFrame):
                raise TypeError(f"events must be a pandas DataFrame, not {type(events).__name__}")
            # The leads' key column, and the events' (an event `key` field may name another).
            k = key or self.key_field
            ek = key or self.event_key_field or k
            ev_names = [str(c) for c in events.columns]
            if k not in names:
                raise KeyError(f"the leads need the key column {k!r} to join events to them")
            if ek not in ev_names:
                raise KeyError(f"the events need the lead key column {ek!r} to join them to the leads")
            if "events" in names:
                raise ValueError("the leads already have an `events` column; give events one way")
            lead_key = names.index(k)
            ev_columns = [events[c].tolist() for c in events.columns]
            event_key = ev_names.index(ek)
        out, joined = self._impl.score_columns(names, columns, len(df), _as_of_ms(as_of), bool(explain),
                                               _threads(threads), ev_names, ev_columns, lead_key, event_key)
        frame = pd.DataFrame(out, index=df.index)
        for s in [*self.score_names, "total"]:
            frame[s] = frame[s].astype("float64")
        if events is not None:
            frame.attrs["events"] = joined
            if joined["orphan_events"] and warn_orphans:
                n, m = joined["orphan_events"], joined["orphan_leads"]
                _warnings.warn(f"{n} event{'' if n == 1 else 's'} of {m} lead{'' if m == 1 else 's'} not in the frame "
                               f"(the first: key {joined['first_orphan']!r}) joined no lead; "
                               f"frame.attrs['events'] has the counts", OrphanEventsWarning, stacklevel=2)
        return frame

    def score_file(self, input: PathLike, output: PathLike, *, events: Optional[PathLike] = None,
                   events_sorted: bool = False, as_of: AsOf = None, explain: bool = False, format: str = "csv",
                   strict: bool = False, threads: Optional[int] = 1, keep: Optional[Sequence[str]] = None,
                   columns: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """Scores a file of leads into ``output`` as ``rubric score`` does: CSV or JSON Lines in
        (plain, gzip or zstd, the format from the name or the content), one row per lead in input
        order (``format`` "csv" or "jsonl"). ``events`` is a flat events file (one event per row)
        joined to the leads by key; ``events_sorted=True`` streams it when both files are sorted
        by key. ``keep`` passes input columns through, after the key (``--keep``), and ``columns``
        chooses the output columns and their order (``--columns``; kept ones among them). Returns the counts: ``scored``, ``errors`` (rows that could not be read; they get
        error rows), ``warnings``, ``events_read``, ``events_joined``, ``orphan_events`` (events
        whose lead is not in the input), ``keyless_events``, and ``messages`` (what ``rubric
        score`` prints on stderr). Raises OSError when an input file cannot be opened, ValueError when
        it cannot score (a header without a required column, a file not sorted as promised, an
        output file that cannot be written...).
        Runs with the GIL released."""
        if format not in ("csv", "jsonl"):
            raise ValueError(f"format is 'csv' or 'jsonl', not {format!r}")
        path, events_path = _readable(input), _readable(events)
        if isinstance(keep, str) or isinstance(columns, str):
            raise TypeError("keep and columns take a list of column names, such as ['Converted', 'Lead Source']")
        return self._impl.score_file(path, _os.fspath(output), events_path, bool(events_sorted), format == "jsonl",
                                     _as_of_ms(as_of), bool(explain), bool(strict), _threads(threads),
                                     [str(k) for k in keep or []], [str(c) for c in columns or []])

    def evaluate(self, data: Any, label: Optional[str] = None, *, positive: Any = None, outcomes: Optional[PathLike] = None,
                 outcomes_key: Optional[str] = None, split: Optional[str] = None, seed: int = 1, suggest: bool = False,
                 penalty: float = 1.0, as_of: AsOf = None, report: Optional[PathLike] = None,
                 input_format: Optional[str] = None, delimiter: Optional[str] = None,
                 undecided: Union[str, Sequence[str], None] = None, events: Optional[PathLike] = None) -> Evaluation:
        """How well the model's scores predict who converts, as ``rubric evaluate`` measures it:
        AUC per score and for the total, gains by tenth, conversion per tier and per rule (see
        docs/evaluation.md). Scores with the reference interpreter, the GIL released.

        ``data`` is a file of leads (CSV or JSON Lines, by its name or ``input_format``; CSV
        ``delimiter`` detected unless given) or a pandas DataFrame (one lead a row, every column
        kept, so the outcome column may be one the model does not read). The outcome is
        ``label``, a column: ``"won"`` (yes/no, true/false, 1/0), ``'won = "yes"'``,
        ``'stage != "lost"'``, ``'stage in {"won", "signed"}'``, or a bare column with
        ``positive`` the value that converted; or ``outcomes``, a file of the leads that converted
        joined by the key (``outcomes_key`` its key column; with ``label``, a column of it).
        ``split`` holds leads out and measures on them: ``"random:0.3"`` (by ``seed``) or
        ``"time:FIELD@2026-01-01"``. ``suggest=True`` fits the rules' points to the outcomes on the
        training part (L2 ``penalty``, the CLI's ``--lambda``; ``split="random:0.3"`` unless
        given) and compares them on the held-out part: :attr:`Evaluation.suggested_model_text`,
        :meth:`Evaluation.write_suggestion`. It needs the model's source, so not a compiled .so.
        ``events`` is a flat events file (one event per row, CSV or JSON Lines) joined to the
        leads by key, as ``rubric evaluate --events`` reads it.
        ``report`` writes the self-contained HTML report with charts to that path. ``undecided``
        names values of the label column that mean "not decided yet" (such as "open"): those
        leads are left out, like those without a value.

        Records that cannot be read are counted (``errors``; the first in ``error_messages``) and
        left out. Raises ValueError when it cannot evaluate (no lead with an outcome, an outcome
        that is not yes or no, the label is a column the model reads, a bad split ...), and
        OSError when a file cannot be opened."""
        if label is not None and not isinstance(label, str):
            raise TypeError(f"label must be str, like 'won' or 'won = \"yes\"', not {type(label).__name__}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ValueError(f"seed must be a non-negative int, not {seed!r}")
        if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not _math.isfinite(penalty) or penalty < 0:
            raise ValueError(f"penalty must be a number >= 0, not {penalty!r}")
        if suggest and self.source is None:
            raise ValueError("suggest=True rewrites the model's source, and this model has none (it was loaded from a "
                             "compiled .so): load its .rubric file to get suggested points")
        positive_text = "" if positive is None else str(positive)
        outcomes_path, events_path = _readable(outcomes), _readable(events)
        temp = None
        if isinstance(data, (str, _os.PathLike)):
            path, shown = _os.fspath(data), ""
            open(path, "rb").close()
        else:
            import pandas as pd  # only needed here

            if not isinstance(data, pd.DataFrame):
                raise TypeError(f"evaluate takes a file's path or a pandas DataFrame, not {type(data).__name__}")
            if input_format is not None or delimiter is not None:
                raise ValueError("input_format and delimiter are for files; a DataFrame is read as it is")
            fd, temp = _tempfile.mkstemp(prefix="rubric-evaluate-", suffix=".jsonl")
            _os.close(fd)
            path, shown = temp, "<DataFrame>"
        try:
            if temp is not None:
                _rubric.write_jsonl(temp, [str(c) for c in data.columns], [data[c].tolist() for c in data.columns], len(data))
            out, text, html, suggested, messages = self._impl.evaluate(
                path, input_format or "", delimiter or "", events_path, shown, label or "", positive_text,
                [undecided] if isinstance(undecided, str) else [str(u) for u in (undecided or [])], outcomes_path,
                outcomes_key or "", split or "", seed, bool(suggest), float(penalty), _as_of_ms(as_of), self.source,
                self.name, report is not None, 10)
        finally:
            if temp is not None:
                _os.unlink(temp)
        if report is not None:
            with open(_os.fspath(report), "w", encoding="utf-8") as f:
                f.write(html)
        return Evaluation(_json.loads(out), text, suggested, list(messages), self)

    def __repr__(self) -> str:
        return f"<rubric.Model {self.name!r} scores={self.score_names} backend={self.backend}>"

    def __reduce__(self):  # pickles as its text or file, compiled again where it lands
        if self.source is not None:
            return (compile, (self.source, self.name, self.functions or None))
        return (load, (self.path, self.functions or None))


def _function_specs(functions: Optional[Functions]) -> list:
    specs = []
    for name, spec in (functions or {}).items():
        try:
            args, result, fn = spec
        except (TypeError, ValueError):
            raise TypeError(f"functions[{name!r}] must be (argument types, result type, callable)") from None
        if not callable(fn):
            raise TypeError(f"functions[{name!r}]: {fn!r} is not callable")
        if isinstance(args, str):
            raise TypeError(f"functions[{name!r}]: the argument types are a list, like ['string']")
        specs.append((str(name), [str(a) for a in args], str(result), fn))
    return specs


def _build(name: Optional[str], text: Optional[str], path: Optional[str], functions: Optional[Functions],
           backend: str, cache_dir: Optional[str]) -> Any:
    backend = {"interp": "interpreter"}.get(backend, backend)  # the CLI's spelling too
    impl, diags, rendered = _rubric.build(name, text, path, _function_specs(functions), backend, cache_dir or "")
    diagnostics = [Diagnostic(**d) for d in diags]
    if impl is None:
        raise CompileError(rendered, diagnostics)
    return impl, diagnostics


def compile(text: str, name: Optional[str] = None, functions: Optional[Functions] = None, *,
            backend: str = "auto", cache_dir: Optional[str] = None) -> Model:
    """Compiles model text. ``name`` is the file name diagnostics show (default "<string>");
    ``functions`` maps a host function's name to ``([argument types], result type, callable)``,
    e.g. ``{"is_customer": (["string"], "bool", crm.has_domain)}``. Types are "bool", "int",
    "number", "string", "time" (a UTC datetime). The callable runs with the GIL held, from any
    scoring thread; raising or returning None (or a wrong type) makes the call missing.
    ``backend`` is "auto", "interpreter", "batch" or "jit". Raises CompileError."""
    if not isinstance(text, str):
        raise TypeError(f"compile takes the model's text as str, not {type(text).__name__} (use load for a file)")
    name = name or "<string>"
    impl, _ = _build(name, text, None, functions, backend, cache_dir)
    return Model(impl, name, text, None, functions)


def load(path: Union[str, "_os.PathLike[str]"], functions: Optional[Functions] = None, *,
         backend: str = "auto", cache_dir: Optional[str] = None) -> Model:
    """Loads a ``.rubric`` file, or a model compiled ahead of time by ``rubric build -o model.so``
    (which needs the same Rubric build, and the same host functions registered). Raises
    CompileError, or OSError (FileNotFoundError) when the file cannot be opened."""
    path = _os.fspath(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"\x7fELF":
        impl, _ = _build(None, None, path, functions, backend, cache_dir)
        return Model(impl, _os.path.basename(path), None, _os.path.abspath(path), functions)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        # As `rubric check` says it (E0102), with the place the file stops being UTF-8.
        line = raw.count(b"\n", 0, e.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, e.start) + 1:e.start].decode("utf-8", "replace")) + 1
        d = Diagnostic("E0102", "error", path, line, column,
                       f"this file is not UTF-8 text: byte 0x{raw[e.start]:02X} here", ["help: save the file as UTF-8"])
        raise CompileError(f"{d}\n", [d]) from None
    impl, _ = _build(path, text, None, functions, backend, cache_dir)
    return Model(impl, path, text, _os.path.abspath(path), functions)
