"""The statistics benchmark at a tiny scale, so that it cannot rot: 2,000 generated cases on a
SQLite file, every phase run once (in a child process, as ``make bench-stats`` runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT


def test_stats_bench_runs_every_phase_and_the_rollups_match_the_raw_scan(
    tmp_path: Path,
) -> None:
    out = tmp_path / "stats.json"
    database = tmp_path / "stats.sqlite3"
    command = [
        sys.executable,
        "-m",
        "bench.stats_bench",
        "--generate",
        "--cases=2000",
        "--chunk=700",  # several transactions
        f"--database-url=sqlite:///{database}",
        "--repeat=2",
        "--raw-seconds=0",
        "--raw-stage-cases=200",  # the stage view of the raw scan too, for the small variants
        "--burst=40",
        "--cost=40",
        f"--json-out={out}",
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    result = json.loads(out.read_text())
    assert result["vendor"] == "sqlite"
    assert result["rows"]["办件 cases"] == 2000
    assert result["rows"]["审批决定 decisions"] > 1000  # most cases are decided
    assert result["rebuild"]["rows"]["case_facts"] == 2000
    reads = result["reads"]
    assert "failures" not in reads
    assert list(reads) == ["all (3 years)", "one department", "one item", reads_month(reads)]
    for variant, row in reads.items():
        assert row["rollups_differ_from_raw"] == [], variant
        for kind in ("public page", "dashboard page", "public selector", "dashboard selector"):
            assert row[kind]["n"] == 2, (variant, kind)
            assert 0 < row[kind]["p50_ms"] <= row[kind]["max_ms"]
        assert row["raw scan"]["n"] == 1  # --raw-seconds=0: once
    assert "raw scan with stages" in reads["one item"]  # compared with the dashboard's stages
    assert "raw scan with stages" not in reads["all (3 years)"]

    burst = result["incremental"]["burst"]
    assert burst["calls"] == 40  # 20 submissions, then 10 acceptances and 10 rejections
    assert burst["events"] > 40  # an acceptance writes several events (the review opens)
    assert burst["reflected"], (burst["expected"], burst["found"])
    cost = result["incremental"]["cost"]
    assert cost["submit"]["with"]["n"] == cost["submit"]["without"]["n"] == 10
    assert cost["refresh_of_skipped"]["cases"] == 10

    table = subprocess.run(
        [sys.executable, "-m", "bench.stats_bench", "--table", str(out), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert table.returncode == 0, table.stderr
    assert "public page" in table.stdout
    assert table.stdout.splitlines()[0].count("sqlite 2,000") == 2  # one column per file


def reads_month(reads: dict[str, object]) -> str:
    months = [name for name in reads if name.startswith("one month (")]
    assert len(months) == 1
    return months[0]
