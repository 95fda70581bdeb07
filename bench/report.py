"""One benchmark report: run every benchmark beside its baseline, collect their JSON
and write docs/BENCHMARKS.md.

Usage: .venv/bin/python -m bench.report [--quick] [--only NAME ...] [--dir DIR] [--output FILE]
       .venv/bin/python -m bench.report --from DIR [--output FILE]

- Running (``make bench-report``, ``QUICK=1`` for ``--quick``): every benchmark of ``BENCHES``
  (the Makefile's bench-* targets) runs in turn, on SQLite and, when ``TEST_DATABASE_URL`` names
  a PostgreSQL server, on PostgreSQL too (a scratch database per benchmark on that server), each
  with ``--json-out DIR/<name>-<database>.json``. A benchmark whose module does not take
  ``--json-out`` yet is run all the same and the end of its output goes into the report as text;
  one whose module is not in this checkout is listed as not run. The machine's description
  (CPU, cores, RAM, OS, Python, SQLite, PostgreSQL, load average at start) goes to
  ``DIR/machine.json``.
- Rendering (``--from DIR``, also the last step of a run): reads only the JSON files of DIR, so a
  report can be rebuilt, or tested, from files alone. Files in the shape every benchmark writes
  (``bench``, ``rows``…; see ``render``) are shown as they are; the older shapes of
  ``stats_bench`` and ``sweep_bench`` are converted (``from_stats``, ``from_sweep``).

The performance goals are restated at the top with met / not met, from the rows of the
benchmarks that measure them (``GOALS``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "BENCHMARKS.md"
DEFAULT_DIR = Path("/tmp/ow-bench-report")
TAIL = 3000  # characters of a benchmark's output kept when it writes no JSON


# --- the benchmarks --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bench:
    """One benchmark: its module, its arguments at full and quick scale, where it runs."""

    name: str  # the make target's suffix
    module: str
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    databases: tuple[str, ...] = ("sqlite",)  # "postgresql" too when TEST_DATABASE_URL is set
    sqlite_url: str = ""  # a fixed SQLite file (generated data) instead of a scratch one
    needs_url: bool = True  # passes --database-url for PostgreSQL


BOTH = ("sqlite", "postgresql")
BENCHES: tuple[Bench, ...] = (
    Bench("calendar", "bench.calendar_bench", (), ("--ops", "30000", "--rounds", "2"), ("none",)),
    Bench(
        "guides",
        "bench.guide_list_bench",
        ("--clients", "20", "--requests", "4000"),
        ("--clients", "20", "--requests", "500"),
        ("sqlite",),
        needs_url=False,
    ),
    Bench("search", "bench.search_bench", ("--rounds", "20"), ("--rounds", "3")),
    Bench("cases", "bench.cases_bench", (), ("--seconds", "3", "--drafts", "1500"), BOTH),
    Bench("review", "bench.review_bench", (), ("--seconds", "3", "--cases", "5000"), BOTH),
    Bench("overhead", "bench.overhead_bench", (), ("--cases", "60"), BOTH),
    Bench(
        "openloop",
        "bench.openloop",
        (),
        ("--seconds", "4", "--saturation-seconds", "3", "--open-tasks", "5000", "--drafts", "800"),
        BOTH,
    ),
    Bench(
        "writers",
        "bench.writers_bench",
        (),
        ("--seconds", "4", "--rounds", "1", "--drafts", "400"),
        ("sqlite",),
        needs_url=False,
    ),
    Bench(
        "reports",
        "bench.report_bench",
        ("--cases", "200"),
        ("--cases", "50"),
        ("sqlite",),
        needs_url=False,
    ),
    Bench(
        "sweep",
        "bench.sweep_bench",
        ("--generate", "--rows", "1000000", "--open-tasks", "100000"),
        (
            "--generate",
            "--rows",
            "50000",
            "--open-tasks",
            "5000",
            "--seconds",
            "3",
            "--repeat",
            "1",
        ),
        BOTH,
        sqlite_url="sqlite:////tmp/ow-sweep/bench.sqlite3",
    ),
    Bench(
        "stats",
        "bench.stats_bench",
        ("--generate", "--cases", "10000000"),
        ("--generate", "--cases", "50000", "--repeat", "5", "--burst", "500", "--cost", "200"),
        BOTH,
        sqlite_url="sqlite:////tmp/ow-stats/bench.sqlite3",
    ),
    Bench(
        "province",
        "bench.province_bench",
        ("--cases", "10000000", "--open", "1000000", "--explain"),
        ("--cases", "20000", "--open", "2000", "--applicants", "50", "--seconds", "2", "--explain"),
        ("postgresql",),
    ),
    Bench(
        "peers",
        "bench.peers_bench",
        ("--cases", "60", "--rounds", "3"),
        ("--cases", "10", "--rounds", "1"),
        BOTH,
    ),
    Bench(
        "scaleout",
        "bench.scaleout_bench",
        ("--seconds", "10", "--rounds", "2"),
        ("--seconds", "4", "--rounds", "1", "--drafts", "2000"),
        ("postgresql",),
    ),
)

# The performance goals, restated, and the benchmarks whose rows say met / not met.
GOALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Overhead over the required writes",
        "submission, acceptance and task completion each ≥ 0.5× a bare view performing the same "
        "statements as hand-written SQL (the single-INSERT ratio reported for continuity)",
        ("overhead", "cases", "review"),
    ),
    (
        "Latency at half load",
        "open-loop arrivals at half the saturation rate: p99 ≤ 100 ms for submission, acceptance, "
        "task completion; ≤ 50 ms for the progress query and the reviewer inbox (100,000 open tasks)",
        ("openloop",),
    ),
    (
        "Province scale",
        "PostgreSQL, 10 M cases / 1 M open: the province's pages p99 ≤ 100 ms at half load; the "
        "supervision sweep over 1 M open tasks within 3× its set-based baseline",
        ("province", "sweep", "stats"),
    ),
    (
        "Ahead of the peers",
        "the parallel approval's cost per case (CPU ms and statements) below the better of "
        "django-viewflow and SpiffWorkflow, legal extras included",
        ("peers",),
    ),
    (
        "Scale-out",
        "throughput with 2 web processes ≥ 1.7× one process on PostgreSQL, each pinned to one core",
        ("scaleout",),
    ),
)


# --- running ---------------------------------------------------------------------------------------
def postgres_url(name: str) -> str:
    """A scratch database per benchmark on the TEST_DATABASE_URL server, or ""."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not urlparse(base).scheme.startswith("postgres"):
        return ""
    return urlparse(base)._replace(path=f"/ow_{name}_bench").geturl()


def takes_json_out(module: str) -> bool:
    """Whether the module's --help lists --json-out (benchmarks adopt it one by one)."""
    helped = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    return "--json-out" in helped.stdout


def command(bench: Bench, database: str, quick: bool, out: Path | None) -> list[str] | None:
    """The command line of one run, or None when it cannot run here (no PostgreSQL)."""
    args = [sys.executable, "-m", bench.module, *(bench.quick if quick else bench.args)]
    if database == "postgresql":
        url = postgres_url(bench.name)
        if not url:
            return None
        if bench.needs_url:
            args += ["--database-url", url]
    elif database == "sqlite" and bench.sqlite_url:
        Path(urlparse(bench.sqlite_url).path).parent.mkdir(parents=True, exist_ok=True)
        args += ["--database-url", bench.sqlite_url]
    if out is not None:
        args += ["--json-out", str(out)]
    return args


def run_all(directory: Path, quick: bool, only: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "machine.json").write_text(json.dumps(machine(), indent=2, ensure_ascii=False))
    skipped: list[dict[str, str]] = []
    for bench in BENCHES:
        if only and bench.name not in only:
            continue
        module_file = ROOT / (bench.module.replace(".", "/") + ".py")
        if not module_file.exists():
            skipped.append({"bench": bench.name, "why": f"{bench.module} is not in this checkout"})
            continue
        json_ok = takes_json_out(bench.module)
        for database in bench.databases:
            label = database  # "none": a benchmark without a database
            out = directory / f"{bench.name}-{label}.json"
            argv = command(bench, database, quick, out if json_ok else None)
            if argv is None:
                skipped.append(
                    {"bench": bench.name, "why": f"no PostgreSQL (TEST_DATABASE_URL) for {label}"}
                )
                continue
            print(f"== {bench.name} ({label}): {shlex.join(argv[1:])}", flush=True)
            began = time.perf_counter()
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            done = subprocess.run(
                argv,
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            seconds = time.perf_counter() - began
            print(done.stdout[-TAIL:], done.stderr[-TAIL:] if done.returncode else "", flush=True)
            print(f"   ({seconds:.0f} s, exit status {done.returncode})", flush=True)
            recognised = out.exists() and not all(
                r.get("raw") for r in normalise(json.loads(out.read_text()), bench.name)
            )
            if not json_ok or not recognised:
                raw = {
                    "bench": bench.name,
                    "database": label,
                    "raw": True,
                    "title": bench.module,
                    "returncode": done.returncode,
                    "seconds": round(seconds, 1),
                    "load": load,
                    "command": shlex.join(["python", *argv[1:]]),
                    "output": (done.stdout + (done.stderr if done.returncode else ""))[-TAIL:],
                }
                out.write_text(json.dumps(raw, indent=2, ensure_ascii=False))
            elif done.returncode:
                data = json.loads(out.read_text())
                if isinstance(data, dict):
                    data.setdefault("notes", []).append(f"exit status {done.returncode}")
                    out.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    (directory / "skipped.json").write_text(json.dumps(skipped, indent=2, ensure_ascii=False))


def _first_line(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.splitlines()[
            0
        ]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """What the report says about the machine (read now: the load average is the start's)."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
    except OSError:
        pass
    postgres = "not configured (TEST_DATABASE_URL unset)"
    url = os.environ.get("TEST_DATABASE_URL", "")
    if urlparse(url).scheme.startswith("postgres"):
        try:
            import psycopg

            admin = urlparse(url)._replace(path="/postgres").geturl()
            with psycopg.connect(admin) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                postgres = str(row[0]) if row else "unknown"
        except Exception as exc:  # the report says why rather than failing
            postgres = f"unreachable ({type(exc).__name__})"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": os_name,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": False,
    }


# --- converting the older shapes -------------------------------------------------------------------
def _row(
    measure: str,
    unit: str,
    value: float | None,
    baseline: float | None = None,
    baseline_name: str | None = None,
    ratio: float | None = None,
    ratio_note: str | None = None,
    goal: str | None = None,
    met: bool | None = None,
) -> dict[str, Any]:
    return {
        "measure": measure,
        "unit": unit,
        "value": value,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "ratio_note": ratio_note,
        "goal": goal,
        "met": met,
    }


def _vendor(data: dict[str, Any]) -> str:
    return "postgresql" if str(data.get("vendor", "")).startswith("postgres") else "sqlite"


def from_stats(data: dict[str, Any]) -> dict[str, Any]:
    """``stats_bench --json-out`` → the common shape: rebuild, each variant's rollup reads (p95)
    beside the raw scan, the burst."""
    rows: list[dict[str, Any]] = []
    rebuild = (data.get("rebuild") or {}).get("seconds")
    rows.append(_row("rollups rebuild", "s", rebuild))
    for variant, kinds in (data.get("reads") or {}).items():
        if variant == "failures" or not isinstance(kinds, dict):
            continue
        raw = (kinds.get("raw scan") or {}).get("p95_ms")
        for kind in ("public page", "dashboard page"):
            p95 = (kinds.get(kind) or {}).get("p95_ms")
            if p95 is None:
                continue
            rows.append(
                _row(
                    f"{variant}: {kind} p95",
                    "ms",
                    round(p95, 2),
                    round(raw, 2) if raw else None,
                    "raw scan over the cases, same run",
                    round(raw / p95, 1) if raw and p95 else None,
                    "raw / rollups (higher is better)",
                    "≤ 100 ms",
                    p95 <= 100.0,
                )
            )
    burst = (data.get("incremental") or {}).get("burst")
    if burst:
        rows.append(
            _row(
                "burst of service calls",
                "/s",
                round(burst["calls_per_second"], 1),
                goal="rollups current at the last commit",
                met=bool(burst.get("reflected")),
            )
        )
    load = data.get("load", {})
    return {
        "bench": "stats",
        "title": "Statistics from rollups",
        "database": _vendor(data),
        "scale": f"{data.get('cases', 0):,} cases, {data.get('repeat', '?')} rounds of reads",
        "started": data.get("date", ""),
        "seconds": None,
        "load": f"{load.get('start'):.2f}"
        if isinstance(load, dict) and load.get("start") is not None
        else "",
        "rows": rows,
        "notes": ["converted from stats_bench's own JSON"],
    }


def from_sweep(data: dict[str, Any]) -> dict[str, Any]:
    """``sweep_bench --json-out`` → the common shape: passes against the set-based baseline, the
    longest write batch, submissions idle and during the sweep."""
    base = data["baseline"]["seconds"]
    rows = [_row("baseline INSERT…SELECT", "s", round(base, 3))]
    for key, label in (("first", "first pass"), ("steady", "steady-state pass")):
        sec = data[key]["seconds"]
        rows.append(
            _row(
                label,
                "s",
                round(sec, 3),
                round(base, 3),
                "set-based INSERT…SELECT",
                round(sec / base, 2) if base else None,
                "sweep / baseline (lower is better)",
                "≤ 3×",
                (sec / base <= 3.0) if base else None,
            )
        )
    longest = max(data["first"]["longest_batch_ms"], data["steady"]["longest_batch_ms"])
    rows.append(
        _row("longest write batch", "ms", round(longest, 1), goal="≤ 50 ms", met=longest <= 50.0)
    )
    idle, during = data["idle"]["p99_ms"], data["during"]["p99_ms"]
    rows.append(
        _row(
            "submission p99 during the sweep",
            "ms",
            round(during, 1),
            round(idle, 1),
            "idle, same run",
            round(during / idle, 2) if idle else None,
            "during / idle (lower is better)",
        )
    )
    return {
        "bench": "sweep",
        "title": "Supervision sweep",
        "database": _vendor(data),
        "scale": f"{data.get('rows', 0):,} rows, {data.get('open_tasks', 0):,} open tasks",
        "started": data.get("date", ""),
        "seconds": None,
        "load": "",
        "rows": rows,
        "notes": ["converted from sweep_bench's own JSON"],
    }


def normalise(data: Any, name: str) -> list[dict[str, Any]]:
    """A JSON file's content as reports in the common shape (a file may hold a list)."""
    if isinstance(data, list):
        return [r for item in data for r in normalise(item, name)]
    if not isinstance(data, dict):
        return []
    if data.get("raw"):
        return [data]
    if "rows" in data and "bench" in data and isinstance(data["rows"], list):
        return [data]
    if "reads" in data and "rebuild" in data:
        return [from_stats(data)]
    if "first" in data and "steady" in data and "baseline" in data:
        return [from_sweep(data)]
    return [
        {
            "bench": name,
            "raw": True,
            "title": name,
            "database": "",
            "output": "unrecognised JSON: " + json.dumps(data, ensure_ascii=False)[:TAIL],
        }
    ]


def collect(directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, str]]]:
    """machine.json, the reports (in BENCHES order, then by database) and skipped.json."""
    machine_file = directory / "machine.json"
    info = json.loads(machine_file.read_text()) if machine_file.exists() else {}
    skipped_file = directory / "skipped.json"
    skipped = json.loads(skipped_file.read_text()) if skipped_file.exists() else []
    reports: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        if path.name in ("machine.json", "skipped.json"):
            continue
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            reports.append(
                {
                    "bench": path.stem,
                    "raw": True,
                    "title": path.name,
                    "database": "",
                    "output": f"unreadable: {exc}",
                }
            )
            continue
        reports.extend(normalise(data, path.stem.split("-")[0]))
    order = {b.name: i for i, b in enumerate(BENCHES)}
    reports.sort(
        key=lambda r: (
            order.get(r.get("bench", ""), len(order)),
            r.get("bench", ""),
            r.get("database", ""),
        )
    )
    return info, reports, skipped


# --- rendering -------------------------------------------------------------------------------------
def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3g}"
    return str(value)


def _cell(text: Any) -> str:
    return _num(text).replace("|", "\\|").replace("\n", " ")


def _met(value: Any) -> str:
    return {True: "**met**", False: "**not met**"}.get(value, "")


def goal_status(reports: list[dict[str, Any]], benches: tuple[str, ...]) -> tuple[str, list[str]]:
    """met / not met / not measured for one goal, and the rows behind it."""
    verdicts: list[bool] = []
    evidence: list[str] = []
    for report in reports:
        if report.get("bench") not in benches or report.get("raw"):
            continue
        for row in report.get("rows", []):
            if row.get("met") is None:
                continue
            verdicts.append(bool(row["met"]))
            ratio = f", ratio {_num(row.get('ratio'))}" if row.get("ratio") is not None else ""
            evidence.append(
                f"{report['bench']} ({report.get('database', '')}): {row['measure']} "
                f"{_num(row.get('value'))} {row.get('unit', '')}{ratio} — goal {row.get('goal')}: "
                f"{'met' if row['met'] else 'not met'}"
            )
    if not verdicts:
        return "not measured in this run", evidence
    return ("met" if all(verdicts) else "not met"), evidence


def render(
    info: dict[str, Any],
    reports: list[dict[str, Any]],
    skipped: list[dict[str, str]],
    rerun: str = "make bench-report",
) -> str:
    lines: list[str] = ["# Benchmarks", ""]
    lines.append(
        "Generated by `bench/report.py` from the JSON files every benchmark writes; each figure "
        "stands beside its baseline measured in the same run. Rerun with "
        f"`{rerun}` (`make bench-report QUICK=1` for a shorter run; "
        "`python -m bench.report --from DIR` renders saved JSON files again)."
    )
    lines.append("")
    if info.get("quick"):
        lines += [
            "**Quick scale** (`QUICK=1`): smaller data and shorter runs than the goals ask; "
            "the ratios are indicative, not the goals' figures.",
            "",
        ]
    if info.get("caveat"):
        lines += [f"**Note:** {info['caveat']}", ""]
    lines += ["## The machine", ""]
    lines += ["| | |", "|---|---|"]
    for key, label in (
        ("cpu", "CPU"),
        ("cores", "Cores"),
        ("ram", "RAM"),
        ("os", "OS"),
        ("python", "Python"),
        ("sqlite", "SQLite"),
        ("postgresql", "PostgreSQL"),
        ("load", "Load average at start (1, 5, 15 min)"),
        ("date", "Date"),
    ):
        lines.append(f"| {label} | {_cell(info.get(key, 'unknown'))} |")
    lines += ["", "## The performance goals", ""]
    lines += ["| Goal | Restated | Status |", "|---|---|---|"]
    details: list[str] = []
    for title, text, benches in GOALS:
        status, evidence = goal_status(reports, benches)
        shown = {"met": "**met**", "not met": "**not met**"}.get(status, status)
        lines.append(f"| {title} | {_cell(text)} | {shown} |")
        if evidence:
            details.append(f"- {title}:")
            details += [f"  - {e}" for e in evidence]
    if details:
        lines += ["", "What each status rests on:", "", *details]
    lines += ["", "## Figures", ""]
    for report in reports:
        database = report.get("database") or ""
        heading = f"### {report.get('bench', '?')}: {report.get('title', '')}"
        lines += [heading + (f" ({database})" if database else ""), ""]
        meta = []
        for key, label in (
            ("scale", "scale"),
            ("started", "started"),
            ("seconds", "took (s)"),
            ("load", "load average at its start"),
        ):
            if report.get(key) not in (None, ""):
                meta.append(f"{label}: {_num(report[key])}")
        if meta:
            lines += ["; ".join(meta), ""]
        if report.get("raw"):
            if report.get("command"):
                lines += [
                    f"`{report['command']}` (exit status {report.get('returncode')}; "
                    "this benchmark does not write the report JSON yet: its output)",
                    "",
                ]
            lines += ["```", str(report.get("output", "")).rstrip(), "```", ""]
            continue
        lines += ["| Measure | Value | Baseline | Ratio | Goal | |", "|---|---|---|---|---|---|"]
        for row in report.get("rows", []):
            unit = row.get("unit") or ""
            value = f"{_num(row.get('value'))} {unit}".strip()
            baseline = ""
            if row.get("baseline") is not None:
                baseline = f"{_num(row['baseline'])} {unit}".strip()
                if row.get("baseline_name"):
                    baseline += f" ({row['baseline_name']})"
            elif row.get("baseline_name"):
                baseline = str(row["baseline_name"])
            ratio = _num(row.get("ratio")) if row.get("ratio") is not None else ""
            if row.get("ratio_note"):
                ratio = f"{ratio} ({row['ratio_note']})".strip()
            lines.append(
                f"| {_cell(row.get('measure'))} | {_cell(value)} | {_cell(baseline)} | "
                f"{_cell(ratio)} | {_cell(row.get('goal') or '')} | {_met(row.get('met'))} |"
            )
        notes = report.get("notes") or []
        if notes:
            lines += [""] + [f"- {note}" for note in notes]
        lines.append("")
    if skipped:
        lines += ["## Not run", ""]
        lines += [f"- {s.get('bench')}: {s.get('why')}" for s in skipped]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--from", dest="source", default="", help="render from this directory only")
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="where the runs write their JSON")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--quick", action="store_true", help="the shorter scale (QUICK=1)")
    parser.add_argument("--only", nargs="*", default=[], help="run only these benchmarks")
    parser.add_argument(
        "--caveat", default="", help="a sentence printed at the top (e.g. how busy the machine was)"
    )
    args = parser.parse_args(argv)
    names = {b.name for b in BENCHES}
    unknown = [n for n in args.only if n not in names]
    if unknown:
        print(
            f"参数错误 (invalid arguments): 未知的基准 {', '.join(unknown)}; 可选: {', '.join(sorted(names))}"
        )
        return 2
    directory = Path(args.source or args.dir)
    if args.source:
        if not directory.is_dir():
            print(f"参数错误 (invalid arguments): 目录不存在 {directory}")
            return 2
    else:
        run_all(directory, args.quick, args.only)
        if args.quick:
            info = json.loads((directory / "machine.json").read_text())
            info["quick"] = True
            (directory / "machine.json").write_text(json.dumps(info, indent=2, ensure_ascii=False))
    info, reports, skipped = collect(directory)
    if args.caveat:
        info["caveat"] = args.caveat
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(render(info, reports, skipped))
    print(f"wrote {args.output} ({len(reports)} reports from {directory})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
