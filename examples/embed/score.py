#!/usr/bin/env python3
"""Scores leads from Python through Rubric's C API (ctypes, no extension to build).

    python3 examples/embed/score.py build/runtime/api/librubric.so examples/b2b/b2b.rubric examples/b2b/leads.jsonl
"""
import ctypes
import json
import sys


def main(library, model_path, leads_path):
    lib = ctypes.CDLL(library)
    lib.rubric_compile_file.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_char_p)]
    lib.rubric_score_jsonl.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_void_p)]
    lib.rubric_string_free.argtypes = [ctypes.c_void_p]
    lib.rubric_model_free.argtypes = [ctypes.c_void_p]

    model = ctypes.c_void_p()
    diagnostics = ctypes.c_char_p()
    status = lib.rubric_compile_file(model_path.encode(), 0, ctypes.byref(model), ctypes.byref(diagnostics))
    if status != 0:
        print(diagnostics.value.decode(), file=sys.stderr)
        return 2
    with open(leads_path, "rb") as f:
        leads = f.read()
    out = ctypes.c_void_p()
    status = lib.rubric_score_jsonl(model, leads, b"2026-11-01", 2, ctypes.byref(out))
    if status != 0:
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
