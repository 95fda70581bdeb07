"""The peers benchmark at the smallest scale: the same parallel approval runs to its decision on
OneWindow, django-viewflow and SpiffWorkflow (each engine checks its case ended decided), and the
JSON has the per-case rows against both peers and the statements of every step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.peers_bench import STEPS, Counter
from bench.report import ROOT


def test_counter_sorts_statements_by_kind() -> None:
    counter = Counter()

    def execute(sql: str, params: object, many: bool, context: object) -> str:
        return sql

    for sql in (
        "SELECT 1",
        "  insert into t values (1)",
        'SAVEPOINT "s1"',
        'RELEASE SAVEPOINT "s1"',
    ):
        assert counter(execute, sql, None, False, None) == sql
    assert counter.kinds == {"SELECT": 1, "INSERT": 1, "SAVEPOINT": 2}
    assert counter.total == 4


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a subprocess on its own scratch SQLite database: the SQLite pass of the suite runs it",
)
def test_the_three_engines_decide_the_same_case(tmp_path: Path) -> None:
    out = tmp_path / "peers.json"
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.peers_bench",
            "--cases",
            "1",
            "--rounds",
            "1",
            "--json-out",
            str(out),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["bench"] == "peers" and data["database"] == "sqlite"
    assert set(data["steps"]) == {
        "OneWindow",
        "OneWindow without stats rollups",  # the decomposition, not a product configuration
        "django-viewflow",
        "SpiffWorkflow",
    }
    for name, steps in data["steps"].items():
        assert len(steps["statements"]) == len(STEPS), name
        assert all(n > 0 for n in steps["statements"]), name
    # OneWindow's acceptance writes the case, its three tasks and the event trail.
    accept = data["steps"]["OneWindow"]["kinds"][0]
    assert accept.get("INSERT", 0) >= 4 and accept.get("UPDATE", 0) >= 1
    # SpiffWorkflow keeps its whole state in one row: one statement per step besides BEGIN.
    assert data["steps"]["SpiffWorkflow"]["kinds"][1] == {"BEGIN": 1, "SELECT": 1, "UPDATE": 1}
    goals = [row for row in data["rows"] if row["goal"]]
    assert {row["measure"].split(":")[0] for row in goals} == {
        "CPU per case",
        "SQL statements per case",
    }
    for row in goals:
        assert row["met"] is (row["value"] < row["baseline"])
    assert "OneWindow" in done.stdout and "per step" in done.stdout
