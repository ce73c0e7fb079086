#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scores leads from Python through Rubric's C API (ctypes, no extension to build). For a real
Python API (dicts, pandas frames, Dask), see the `rubric` package in python/ (README: Python).

    python3 examples/embed/score.py build/runtime/api/librubric.so examples/b2b/b2b.rubric examples/b2b/leads.jsonl
"""
import ctypes
import json
import sys


def main(library, model_path, leads_path):
    lib = ctypes.CDLL(library)
    # Strings the library returns through `char**` are ours to free with rubric_string_free, so
    # they are bound as c_void_p (a c_char_p would copy the text and lose the pointer: a leak).
    lib.rubric_compile_file.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_void_p)]
    lib.rubric_score_jsonl.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_void_p)]
    lib.rubric_string_free.argtypes = [ctypes.c_void_p]
    lib.rubric_model_free.argtypes = [ctypes.c_void_p]

    model = ctypes.c_void_p()
    diagnostics = ctypes.c_void_p()
    status = lib.rubric_compile_file(model_path.encode(), 0, ctypes.byref(model), ctypes.byref(diagnostics))
    text = ctypes.string_at(diagnostics).decode() if diagnostics.value else ""
    lib.rubric_string_free(diagnostics)  # set on success too (warnings), and NULL is fine to free
    if status != 0:
        print(text, file=sys.stderr)
        return 2
    if text:
        print(text, file=sys.stderr, end="")
    with open(leads_path, "rb") as f:
        leads = f.read()
    out = ctypes.c_void_p()
    status = lib.rubric_score_jsonl(model, leads, b"2026-11-01", 2, ctypes.byref(out))
    if status != 0:
        lib.rubric_string_free(out)
        lib.rubric_model_free(model)
        print(f"scoring failed with status {status}", file=sys.stderr)
        return 2
    results = [json.loads(line) for line in ctypes.string_at(out).decode().splitlines()]
    lib.rubric_string_free(out)
    lib.rubric_model_free(model)
    hot = [r["key"] for r in results if r.get("tiers", {}).get("temperature") == "hot"]
    print(f"{len(results)} leads scored, {len(hot)} hot: {', '.join(hot[:5])}{' ...' if len(hot) > 5 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
