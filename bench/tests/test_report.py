"""bench.report renders docs/BENCHMARKS.md from JSON files alone (``--from DIR``): the machine,
the performance goals with met / not met, every benchmark's figures beside its baselines, and
the older JSON shapes of stats_bench and sweep_bench converted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench import report

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"


@pytest.fixture
def rendered(tmp_path: Path) -> str:
    out = tmp_path / "BENCHMARKS.md"
    assert report.main(["--from", str(FIXTURES), "--output", str(out)]) == 0
    return out.read_text()


def test_the_machine_and_the_rerun_command(rendered: str) -> None:
    assert "| CPU | Test CPU @ 2.80GHz |" in rendered
    assert "| Cores | 2 |" in rendered
    assert "| PostgreSQL | 15.20 |" in rendered
    assert "| SQLite | 3.40.1 |" in rendered
    assert "| Load average at start (1, 5, 15 min) | 6.93 3.58 1.52 |" in rendered
    assert "`make bench-report`" in rendered
    assert "**Quick scale**" in rendered


def goal_line(rendered: str, title: str) -> str:
    return next(line for line in rendered.splitlines() if line.startswith(f"| {title} |"))


def test_goals_restated_with_their_status(rendered: str) -> None:
    assert goal_line(rendered, "Ahead of the peers").endswith("| **not met** |")
    assert goal_line(rendered, "Scale-out").endswith("| **met** |")
    # The sweep's steady pass is 3.5× its baseline and a batch held 60 ms: not met.
    assert goal_line(rendered, "Province scale").endswith("| **not met** |")
    assert goal_line(rendered, "Latency at half load").endswith("| not measured in this run |")
    assert goal_line(rendered, "Overhead over the required writes").endswith(
        "| not measured in this run |"
    )


def table_row(rendered: str, text: str) -> str:
    return next(line for line in rendered.splitlines() if line.startswith("| ") and text in line)


def test_figures_beside_baselines(rendered: str) -> None:
    assert "### peers: Ahead of the peers: the parallel approval (sqlite)" in rendered
    row = table_row(rendered, "OneWindow vs SpiffWorkflow")
    assert "101 ms" in row and "16.35 ms (SpiffWorkflow (the better peer))" in row
    assert "6.20 (OneWindow / peer (lower is better))" in row and row.endswith("**not met** |")
    assert "- accept: OneWindow 51 stmts" in rendered
    # A benchmark without the JSON yet: its output, verbatim.
    assert "typical p50 4.1 ms p95 9.9 ms" in rendered


def test_stats_and_sweep_shapes_are_converted(rendered: str) -> None:
    public = table_row(rendered, "whole city: public page p95")
    assert "12.00 ms" in public and "960 ms" in public and "80.00" in public
    assert public.endswith("**met** |")
    dashboard = table_row(rendered, "whole city: dashboard page p95")
    assert dashboard.endswith("**not met** |")
    steady = table_row(rendered, "| steady-state pass |")
    assert "3.50" in steady and steady.endswith("**not met** |")
    first = table_row(rendered, "| first pass |")
    assert "2.50" in first and first.endswith("**met** |")


def test_unrecognised_and_unreadable_files_are_shown_not_fatal(tmp_path: Path) -> None:
    source = tmp_path / "in"
    shutil.copytree(FIXTURES, source)
    (source / "odd-sqlite.json").write_text(json.dumps({"something": 1}))
    (source / "broken-sqlite.json").write_text("{not json")
    out = tmp_path / "B.md"
    assert report.main(["--from", str(source), "--output", str(out)]) == 0
    text = out.read_text()
    assert 'unrecognised JSON: {"something": 1}' in text
    assert "unreadable:" in text


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--from", str(tmp_path / "missing")]) == 2
    assert "目录不存在" in capsys.readouterr().out
    assert report.main(["--only", "nonsense", "--from", str(FIXTURES)]) == 2
    assert "未知的基准 nonsense" in capsys.readouterr().out


def test_every_make_bench_target_is_in_the_report() -> None:
    makefile = (Path(report.ROOT) / "Makefile").read_text()
    targets = {
        line.split(":", 1)[0].removeprefix("bench-")
        for line in makefile.splitlines()
        if line.startswith("bench-") and ":" in line
    }
    targets.discard("report")
    assert targets <= {b.name for b in report.BENCHES}


def test_a_caveat_goes_on_top(tmp_path: Path) -> None:
    out = tmp_path / "B.md"
    caveat = "measured on a shared machine (load average 10 on 2 cores)"
    assert report.main(["--from", str(FIXTURES), "--output", str(out), "--caveat", caveat]) == 0
    head = out.read_text().split("## The machine")[0]
    assert f"**Note:** {caveat}" in head
