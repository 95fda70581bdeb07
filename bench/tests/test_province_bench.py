"""The province benchmark at a tiny scale, so that it cannot rot: 2,000 generated cases (300
open) on a SQLite file, every page measured briefly and explained once (in a child process, as
``make bench-province`` runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT


def test_province_bench_generates_the_data_and_measures_every_page(tmp_path: Path) -> None:
    out = tmp_path / "province.json"
    database = tmp_path / "province.sqlite3"
    command = [
        sys.executable,
        "-m",
        "bench.province_bench",
        "--cases=2000",
        "--open=300",
        "--applicants=20",
        "--chunk=700",  # several transactions
        f"--database-url=sqlite:///{database}",
        "--seconds=0.5",
        "--clients=1",
        "--explain",
        f"--json-out={out}",
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    result = json.loads(out.read_text())
    assert result["bench"] == "province" and result["database"] == "sqlite"
    assert result["scale"].startswith("2,000 cases")
    measures = [row["measure"] for row in result["rows"]]
    for page in (
        "applicant's cases, page",
        "applicant's cases, API page 21",
        "progress query, API",
        "clerk's queue, page",
        "reviewer's inbox, API",
        "supervisor console, page",
        "statistics, dashboard",
    ):
        assert f"{page} p99 at half load" in measures
    for row in result["rows"]:
        assert row["unit"] == "ms" and row["value"] > 0 and row["goal"] == "≤ 100 ms"
    explained = [note for note in result["notes"] if note.startswith("explain ")]
    assert len(explained) == len(measures)
    # No page runs count(*) over a whole list or skips rows with OFFSET (docs/rules/scale.md §Y3).
    assert all("unbounded count(*) 0, OFFSET 0" in note for note in explained), explained
