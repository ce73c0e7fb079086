# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: paths from ctest's environment (python/CMakeLists.txt), the B2B model, and
generated leads (rubric-gen-leads)."""
import json
import os
import subprocess

import pytest

ROOT = os.environ.get("RUBRIC_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
CLI = os.environ.get("RUBRIC_CLI", os.path.join(ROOT, "build/tools/rubric/rubric"))
GEN = os.environ.get("RUBRIC_GEN_LEADS", os.path.join(ROOT, "build/tools/gen_leads/rubric-gen-leads"))
B2B = os.path.join(ROOT, "examples/b2b/b2b.rubric")
AS_OF = "2026-11-01"


def cli_scores(model, input_path, as_of=AS_OF, explain=False):
    """`rubric score ... --format jsonl` as a list of dicts."""
    cmd = [CLI, "score", model, "--input", input_path, "--as-of", as_of, "--format", "jsonl"]
    if explain:
        cmd.append("--explain")
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


@pytest.fixture(scope="session")
def b2b():
    import rubric
    return rubric.load(B2B)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A function: (count, seed) -> the path of that many generated leads as JSON Lines."""
    d = tmp_path_factory.mktemp("leads")

    def make(count, seed=7):
        p = d / f"leads-{count}-{seed}.jsonl"
        if not p.exists():
            subprocess.run([GEN, "--count", str(count), "--seed", str(seed), "--output", str(p)], check=True)
        return str(p)
    return make
