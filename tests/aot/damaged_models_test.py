#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Damaged compiled models are refused, never run: `rubric build` seals its output with a
SHA-256 trailer, and the loader checks it (and what it can of the loaded model) before any of
the file's code runs.

Builds examples/b2b/b2b.rubric, makes hundreds of seeded damaged copies of the .so (byte flips
across the whole file, truncations, appended bytes, zeroed ranges), and loads each in a child
process (the C host linked to librubric_runtime, and a share through the `rubric` CLI), with a
timeout. Each must end in exit 2 with a message, or print exactly what the undamaged model
prints: no crash signal, no hang, no different scores. Copies whose model text was changed and
then sealed again must be refused by the checks after loading. Damaged .o files are refused too,
and a program linked with a .o whose model text was changed refuses it.

Usage: damaged_models_test.py --root REPO --rubric RUBRIC --host AOT_HOST
       [--runtime-lib librubric_runtime.so --cc cc] [--variants N] [--seed S]
"""
import argparse
import concurrent.futures
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

MAGIC = b"rbsha256"
SEAL = 48
AS_OF = "2026-11-01"
TIMEOUT = 30  # seconds; a load and 300 leads take well under one


def check_seal(data):
    """Why `data` does not end with a correct trailer (checked with Python's own SHA-256), or ''."""
    if len(data) < SEAL or data[-8:] != MAGIC:
        return "no checksum trailer"
    body, digest, length = data[:-SEAL], data[-SEAL:-16], int.from_bytes(data[-16:-8], "little")
    if length != len(body):
        return f"trailer length {length}, body {len(body)}"
    if hashlib.sha256(body).digest() != digest:
        return "trailer digest is not the SHA-256 of the body"
    return ""


def reseal(body):
    return body + hashlib.sha256(body).digest() + len(body).to_bytes(8, "little") + MAGIC


def variants(data, n, rng):
    """(name, bytes) damaged copies of `data`, seeded, about `n` of them."""
    size = len(data)
    out = []

    def flip(count, lo=0, hi=size):
        d = bytearray(data)
        offs = sorted(rng.randrange(lo, hi) for _ in range(count))
        for o in offs:
            d[o] ^= rng.randrange(1, 256)
        return f"flip{count}@{','.join(map(str, offs))}", bytes(d)

    for i in range(n * 45 // 100):  # byte flips anywhere in the file
        out.append(flip(rng.choice([1, 1, 1, 2, 3, 8])))
    for i in range(n * 10 // 100):  # flips in the ELF and program headers, the first 4 KiB
        out.append(flip(1, 0, min(size, 4096)))
    for i in range(n * 15 // 100):  # truncations
        cut = rng.randrange(0, size)
        out.append((f"cut@{cut}", data[:cut]))
    for cut in (0, 16, 64, size - SEAL - 1, size - SEAL, size - SEAL + 1, size - 8, size - 1):
        out.append((f"cut@{cut}", data[:cut]))
    for i in range(n * 10 // 100):  # appended bytes
        k = rng.choice([1, 7, 48, 512, 4096])
        extra = bytes(rng.randrange(256) for _ in range(k)) if i % 2 else bytes(k)
        out.append((f"append{k}{'' if i % 2 else 'zeros'}", data + extra))
    for i in range(n * 20 // 100):  # zeroed ranges
        at, k = rng.randrange(0, size), rng.choice([1, 8, 64, 512, 4096])
        d = bytearray(data)
        d[at:at + k] = bytes(len(d[at:at + k]))
        out.append((f"zero{k}@{at}", bytes(d)))
    return out


def run(cmd, cwd):
    """(kind, returncode, stdout, stderr): kind is 'exit', 'signal' or 'hang'."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return "hang", None, e.stdout or b"", e.stderr or b""
    return ("signal" if p.returncode < 0 else "exit"), p.returncode, p.stdout, p.stderr


class Tally:
    def __init__(self, what):
        self.what, self.counts, self.failures = what, {}, []

    def add(self, name, outcome, detail=""):
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if outcome not in ("refused", "identical"):
            self.failures.append(f"{self.what} {name}: {outcome} {detail}".rstrip())

    def line(self):
        total = sum(v for k, v in self.counts.items() if not k.startswith(" "))
        return f"{self.what}: {total} variants, " + ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))


def classify(tally, name, path, result, reference):
    kind, rc, out, err = result
    if kind == "hang":
        tally.add(name, "hang")
    elif kind == "signal":
        tally.add(name, f"crash {signal.Signals(-rc).name}")
    elif rc == 2 and err.strip():
        tally.add(name, "refused")
        if b"damaged" in err:
            tally.counts["  (said damaged)"] = tally.counts.get("  (said damaged)", 0) + 1
    elif rc == 0 and out == reference:
        tally.add(name, "identical")
    elif rc == 0:
        tally.add(name, "different", "(scored differently without a warning)")
    else:
        tally.add(name, "ld.so assertion" if b"Inconsistency detected by ld.so" in err else f"exit {rc}", f"{err[-300:]!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--rubric", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--runtime-lib")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--variants", type=int, default=700)
    ap.add_argument("--cli-variants", type=int, default=60)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", help="keep the variants in this folder")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    rubric, host = os.path.abspath(a.rubric), os.path.abspath(a.host)
    leads = os.path.join(root, "examples/b2b/leads.jsonl")
    model = os.path.join(root, "examples/b2b/b2b.rubric")
    tmp = a.keep or tempfile.mkdtemp(prefix="rubric-damaged-")
    os.makedirs(tmp, exist_ok=True)
    failures = []
    summary = []

    so, obj = os.path.join(tmp, "b2b.so"), os.path.join(tmp, "b2b.o")
    for out, extra in ((so, []), (obj, ["--name", "linked_model"])):
        p = subprocess.run([rubric, "build", model, "-o", out] + extra, capture_output=True)
        if p.returncode != 0:
            print(f"FAIL: rubric build -o {out}: {p.stderr.decode(errors='replace')}")
            return 1
    data, odata = open(so, "rb").read(), open(obj, "rb").read()
    for path, d in ((so, data), (obj, odata)):
        why = check_seal(d)
        if why:
            failures.append(f"{os.path.basename(path)} as built: {why}")

    host_ref = run([host, so, leads, AS_OF], tmp)
    cli_cmd = lambda m: [rubric, "score", m, "--input", leads, "--as-of", AS_OF]
    cli_ref = run(cli_cmd(so), tmp)
    if host_ref[:2] != ("exit", 0) or host_ref[2].count(b"\n") != 300 or cli_ref[:2] != ("exit", 0):
        print(f"FAIL: the undamaged model does not score: {host_ref[3][-500:]!r} {cli_ref[3][-500:]!r}")
        return 1

    # The messages: a changed byte, and a file cut into its trailer.
    if not check_seal(data):
        mid = bytearray(data)
        mid[len(data) // 2] ^= 0x20
        for name, d, want in (("a changed byte", bytes(mid), "is damaged: its checksum does not match (expected SHA-256 "),
                              ("one byte cut", data[:-1], "is damaged: it does not end with the checksum"),
                              ("bytes appended", data + b"\n" * 100, "is damaged: it does not end with the checksum")):
            path = os.path.join(tmp, "message.so")
            open(path, "wb").write(d)
            kind, rc, out, err = run(cli_cmd(path), tmp)
            text = err.decode(errors="replace")
            if rc != 2 or f"the compiled model `{path}` {want}" not in text or "rebuild it with `rubric build`" not in text:
                failures.append(f"{name}: exit {rc}, message {text.strip()!r}")

    rng = random.Random(a.seed)
    damaged = [(n, d) for n, d in variants(data, a.variants, rng) if d != data]
    # Copies whose embedded model text was changed and sealed again (as a tool rewriting the
    # file would): the checksum holds, and the checks after loading must refuse them.
    src = open(model, "rb").read()
    at = data.find(src[:200])
    resealed = []
    if at < 0 or not data.startswith(b"\x7fELF"):
        failures.append("the model text is not in the .so")
    else:
        body = data[:-SEAL] if not check_seal(data) else data
        for i in range(a.variants // 20):
            o = at + rng.randrange(len(src))
            d = bytearray(body)
            d[o] = ord("x") if d[o] != ord("x") else ord("y")
            resealed.append((f"text@{o}+reseal", reseal(bytes(d))))

    def host_job(item):
        i, (name, d) = item
        path = os.path.join(tmp, f"v-{i}.so")
        with open(path, "wb") as f:
            f.write(d)
        r = run([host, path, leads, AS_OF], tmp)
        if not a.keep:
            os.remove(path)
        return name, path, r

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        t = Tally("host .so")
        for name, path, r in pool.map(host_job, enumerate(damaged)):
            classify(t, name, path, r, host_ref[2])
        summary.append(t.line())
        failures += t.failures

        t = Tally("host .so, text changed and resealed")
        for name, path, r in pool.map(host_job, enumerate(resealed, len(damaged))):
            classify(t, name, path, r, host_ref[2])
            if r[1] == 0:  # a changed model text must never load, even with identical scores
                t.failures.append(f"{t.what} {name}: loaded")
        summary.append(t.line())
        failures += t.failures

        def cli_job(item):
            i, (name, d) = item
            path = os.path.join(tmp, f"c-{i}.so")
            with open(path, "wb") as f:
                f.write(d)
            r = run(cli_cmd(path), tmp)
            os.remove(path)
            return name, path, r

        t = Tally("rubric score .so")
        for name, path, r in pool.map(cli_job, enumerate(rng.sample(damaged, min(a.cli_variants, len(damaged))))):
            classify(t, name, path, r, cli_ref[2])
        summary.append(t.line())
        failures += t.failures

        # A .o is never loaded at run time: any damaged one is refused with exit 2.
        def obj_job(item):
            i, (name, d) = item
            path = os.path.join(tmp, f"o-{i}.o")
            with open(path, "wb") as f:
                f.write(d)
            r = run(cli_cmd(path), tmp)
            os.remove(path)
            return name, path, r

        t = Tally("rubric score .o")
        for name, path, r in pool.map(obj_job, enumerate(variants(odata, 60, rng))):
            classify(t, name, path, r, b"\0never")
        summary.append(t.line())
        failures += t.failures

    # The linked path: a .o with its trailer links into a program, and a .o whose model text
    # was changed is refused by the program that links it.
    if a.runtime_lib:
        inc = os.path.join(root, "include")
        host_c = os.path.join(root, "tests/api/aot_host.c")
        libdir = os.path.dirname(os.path.abspath(a.runtime_lib))
        otext = odata.find(src[:200])

        def link(o, exe):
            cmd = [a.cc, "-DRUBRIC_TEST_LINKED", "-I", inc, host_c, o, os.path.abspath(a.runtime_lib),
                   "-Wl,-rpath," + libdir, "-o", exe]
            p = subprocess.run(cmd, capture_output=True)
            return p.returncode == 0, p.stderr.decode(errors="replace")

        good_exe = os.path.join(tmp, "linked-good")
        linked, err = link(obj, good_exe)
        if not linked:
            failures.append(f"a sealed .o does not link: {err[-500:]}")
        else:
            r = run([good_exe, "linked", leads, AS_OF], tmp)
            if r[:2] != ("exit", 0) or r[2] != host_ref[2]:
                failures.append("the linked sealed .o does not score as the .so does")
        if otext < 0:
            failures.append("the model text is not in the .o")
        else:
            t = Tally("linked .o, text changed")
            for i in range(5):
                # Change a digit of the model text (a rule's points, a window) to another digit.
                digits = [k for k in range(len(src)) if chr(src[k]).isdigit()]
                o = otext + rng.choice(digits)
                d = bytearray(odata)
                d[o] = ord("0") + (d[o] - ord("0") + 1 + rng.randrange(8)) % 10
                bad_o, bad_exe = os.path.join(tmp, f"bad{i}.o"), os.path.join(tmp, f"linked-bad{i}")
                open(bad_o, "wb").write(bytes(d))
                ok, err = link(bad_o, bad_exe)
                if not ok:
                    t.add(f"digit@{o}", "link-failed", err[-300:])
                    continue
                r = run([bad_exe, "linked", leads, AS_OF], tmp)
                classify(t, f"digit@{o}", bad_exe, r, host_ref[2])
                if r[1] == 0:
                    t.failures.append(f"{t.what} digit@{o}: loaded")
            summary.append(t.line())
            failures += t.failures

    for s in summary:
        print(s)
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures[:40]:
        print("FAIL:", f)
    if len(failures) > 40:
        print(f"... and {len(failures) - 40} more failures")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
