"""Every ``onewindow`` command on a fresh install (docs/decisions.md §O1).

``onewindow calendar due`` on an empty data directory printed a traceback ("no such table"):
only ``run`` and ``demo`` migrated. Now every command that uses the database migrates it first
(one line on stderr says so) and then does its work; an unusable database is one line and exit
status 1, never a traceback. Each command runs in its own process against its own empty
``ONEWINDOW_DATA_DIR``, as a new user would run it. ``onewindow run`` on a fresh data directory
is ``test_server.py``'s test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV

ROOT = Path(__file__).resolve().parents[3]
MIGRATING = "正在迁移数据库"

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a fresh data directory means the embedded SQLite default",
)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ONEWINDOW_DATA_DIR=str(data_dir), **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def onewindow(data_dir: Path, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onewindow.cli", *argv],
        env=_env(data_dir, **extra),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.mark.parametrize(
    ("argv", "status", "expected"),
    [
        (["calendar", "due", "2026-01-05", "3"], 0, "2026-01-08"),
        (["calendar", "count", "2025-09-30", "2025-10-14"], 0, "5"),
        (["calendar", "show", "2026"], 0, "2026 年节假日安排：已载入"),
        (["supervise"], 0, '"total": 0'),
    ],
    ids=[
        "calendar-due",
        "calendar-count",
        "calendar-show",
        "supervise",
    ],
)
def test_a_database_command_on_an_empty_data_dir_migrates_then_answers(
    tmp_path: Path, argv: list[str], status: int, expected: str
) -> None:
    result = onewindow(tmp_path, *argv)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == status, result.stderr
    assert expected in result.stdout
    assert MIGRATING in result.stderr
    assert (tmp_path / "onewindow.sqlite3").exists()


def test_the_database_is_migrated_once(tmp_path: Path) -> None:
    first = onewindow(tmp_path, "calendar", "due", "2026-12-31", "1")
    again = onewindow(tmp_path, "calendar", "due", "2026-12-31", "1")
    assert MIGRATING in first.stderr and MIGRATING not in again.stderr
    assert (first.returncode, first.stdout) == (again.returncode, again.stdout)
    assert (again.returncode, again.stdout) == (3, "2027-01-04 provisional\n")


def test_calendar_load_on_an_empty_data_dir(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(ARRANGEMENT_2027_CSV, encoding="utf-8")
    result = onewindow(tmp_path, "calendar", "load", str(path), "--source", "国务院办公厅通知")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0
    assert "已载入 2027 年节假日安排" in result.stdout


def test_demo_on_an_empty_data_dir_loads_the_catalog(tmp_path: Path) -> None:
    result = onewindow(tmp_path, "demo", "--no-cases")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "演示数据已加载" in result.stdout


@pytest.mark.parametrize("argv", [["env"], ["--help"], ["calendar", "--help"]])
def test_commands_without_a_database_work_and_create_none(tmp_path: Path, argv: list[str]) -> None:
    result = onewindow(tmp_path, *argv)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert MIGRATING not in result.stderr
    assert not (tmp_path / "onewindow.sqlite3").exists()


def test_the_worker_on_an_empty_data_dir_runs_its_jobs_without_a_traceback(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "onewindow.cli", "worker"],
            env=_env(tmp_path),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and "scores" not in log.read_text():
                time.sleep(0.5)  # the last job of the first round logs its scores
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    output = log.read_text()
    assert "background loop started" in output, output
    assert "Traceback" not in output, output
    assert worker.returncode == 0


def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = onewindow(
        tmp_path,
        "calendar",
        "due",
        "2026-01-05",
        "3",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/none",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误 (error): 无法使用数据库"), lines
    assert result.stdout == ""
