"""The statistics (办件统计) over generated cases: rollup reads beside the raw scan in the same
run, the full recount, and the lag and cost of the incremental path.

Usage: .venv/bin/python -m bench.stats_bench --database-url URL [--generate --cases N]
       [--repeat 40] [--raw-seconds 120] [--burst 10000] [--cost 2000] [--json-out FILE]
       .venv/bin/python -m bench.stats_bench --table sqlite.json postgres.json

The database is one filled by ``bench.stats_data`` (``--generate`` runs it first, replacing the
target: ``--cases`` received cases over three years). Everything runs in this one process,
against that database, with the clock at the real today (the generated period ends there):

1. ``stats.services.rebuild()``, timed: the full set-based recount of the rollups (not with
   ``--skip-rebuild``: the rollups of an earlier run, kept exact by its burst, are read as
   they are).
2. Reads, for each filter variant (all three years; one department; one item; one month — the
   last full one): the public page (``stats:public``) and the staff dashboard
   (``stats:dashboard``, as a supervisor, who sees every department) through Django's test
   client (URL resolution, middleware, session, template rendering: the whole page but the
   network), the selectors alone (``public_figures``, ``dashboard_figures``), and the raw scan
   (``stats.recount.figures_from_cases(stages=False)``: the same public figures counted from
   the cases). The kinds alternate in rounds so each sees the same machine; ``--repeat`` rounds
   of the rollup reads, the raw scan as many times as fit in ``--raw-seconds`` per variant (at
   least once). The raw scan's stage view (one query per case) only when the variant holds at
   most ``--raw-stage-cases`` cases. The rollup figures of each variant are checked against the
   raw scan's (they must agree exactly).
3. The incremental path (in the writer's transaction, ``stats.events``): ``--burst`` service
   calls on fresh drafts, one after another, each its own transaction as in production:
   ``case_submit`` of a draft, then ``case_accept`` (which opens the review) or ``case_reject``
   of it, alternately. Reported: wall time, calls and event rows per second, call p50/p95, and
   whether the rollups read right after the last commit reflect every call (the lag: in-
   transaction means visible at commit). Then the cost: ``--cost`` more calls of the same
   kinds in alternating blocks with the statistics subscribers unregistered and registered;
   the difference of the per-call medians is what each call pays for the statistics (the cases
   done without them are refreshed afterwards, so the rollups stay exact).

Goal: public page and dashboard p95 ≤ 100 ms from the rollups (``GOAL_MS``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import median, percentile
from bench.stats_data import APPLICANT, DEFAULT_URL
from bench.sweep_data import bench_env, target_prepare

GOAL_MS = 100.0
SUPERVISOR = "stats-bench-supervisor"
REJECTION = "申请事项不属于本机关职权范围"
ROLLUP_KINDS = ("public page", "dashboard page", "public selector", "dashboard selector")


def ms(seconds: list[float], share: float) -> float:
    return percentile(seconds, share) * 1000


def message(response: Any) -> str:
    """The error message a statistics page shows (its alert list), for the failure list."""
    text = response.content.decode(errors="replace")
    start = text.find('class="message message-error">')
    return text[start:].split(">", 1)[1].split("<", 1)[0] if start >= 0 else ""


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "p50_ms": median(samples) * 1000 if samples else None,
        "p95_ms": ms(samples, 0.95) if samples else None,
        "max_ms": max(samples) * 1000 if samples else None,
    }


# --- the reads -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    name: str
    params: dict[str, str]
    cases: int  # cases the raw scan reads for it


def variants() -> list[Variant]:
    """All three years, the busiest department, one item of another, the last full month."""
    from django.db.models import Count

    from onewindow.cases.models import Case
    from onewindow.core import clock

    by_dept = (
        Case.objects.filter(received_on__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
    )
    total = sum(row["n"] for row in by_dept)
    busiest = by_dept[0]
    by_item = (
        Case.objects.filter(received_on__isnull=False)
        .exclude(department_id=busiest["department_id"])
        .values("item_version__item_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "item_version__item_id")
    )
    item = by_item[0]
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)
    return [
        Variant("all (3 years)", {}, total),
        Variant("one department", {"department": str(busiest["department_id"])}, busiest["n"]),
        Variant("one item", {"item": str(item["item_version__item_id"])}, item["n"]),
        Variant(
            f"one month ({last_month:%Y-%m})",
            {"year": str(last_month.year), "month": str(last_month.month)},
            total,  # a period filter still reads every case in the raw scan
        ),
    ]


def supervisor() -> Any:
    import uuid

    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role

    user = User.objects.filter(username=SUPERVISOR).first()
    return user or User.objects.create_user(
        username=SUPERVISOR, password=uuid.uuid4().hex, role=Role.SUPERVISOR, full_name="统计基准"
    )


def figures_agree(rollup: Any, raw: Any) -> list[str]:
    """The names of the figures where the rollups and the raw scan differ (stages apart)."""
    names: tuple[str, ...] = ("total", "by_month", "by_department", "by_item", "by_region")
    names += ("by_status", "histogram", "item_histograms")
    return [n for n in names if getattr(rollup, n) != getattr(raw, n)]


def reads(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from onewindow.stats.recount import figures_from_cases
    from onewindow.stats.selectors import dashboard_figures, public_figures
    from onewindow.testing import sign_in

    staff = supervisor()
    public, dashboard = Client(), Client()
    sign_in(dashboard, staff)
    try:
        public_url, dashboard_url = reverse("stats:public"), reverse("stats:dashboard")
    except NoReverseMatch:  # the pages are not wired yet: the selectors and the raw scan only
        public_url = dashboard_url = ""
        print("NO PAGES: stats:public / stats:dashboard do not resolve", flush=True)
    failures: list[str] = []

    def page(client: Client, url: str, params: dict[str, str]) -> Callable[[], bool]:
        def get() -> bool:
            response = client.get(url, params)
            if response.status_code == 200:
                return True
            failures.append(f"{url} {params}: {response.status_code} {message(response)}")
            return False

        return get

    out: dict[str, Any] = {}
    for variant in variants():
        p = variant.params
        kinds: dict[str, Callable[[], object]] = {
            "public page": page(public, public_url, p),
            "dashboard page": page(dashboard, dashboard_url, p),
            "public selector": partial(public_figures, **p),
            "dashboard selector": partial(dashboard_figures, staff, **p),
        }
        if not public_url:
            del kinds["public page"], kinds["dashboard page"]
        for call in kinds.values():
            call()  # warm up (templates, the calendar, the first connection)
        samples: dict[str, list[float]] = {k: [] for k in [*kinds, "raw scan"]}
        raw_spent = 0.0
        raw_figures = None
        for _round in range(args.repeat):
            for kind, call in kinds.items():
                began = time.perf_counter()
                if call() is not False:  # a failed page is counted in failures, not timed
                    samples[kind].append(time.perf_counter() - began)
            if not samples["raw scan"] or raw_spent < args.raw_seconds:
                began = time.perf_counter()
                raw_figures = figures_from_cases(stages=False, **p)
                samples["raw scan"].append(time.perf_counter() - began)
                raw_spent += samples["raw scan"][-1]
        differ = figures_agree(public_figures(**p).figures, raw_figures)
        row: dict[str, Any] = {
            "params": p,
            "cases_scanned": variant.cases,
            **{kind: summary(s) for kind, s in samples.items()},
            "rollups_differ_from_raw": differ,
        }
        if variant.cases <= args.raw_stage_cases:
            began = time.perf_counter()
            full = figures_from_cases(stages=True, **p)
            row["raw scan with stages"] = summary([time.perf_counter() - began])
            staged = dashboard_figures(staff, **p).figures.stages
            if staged != full.stages:
                differ.append("stages")
        out[variant.name] = row
        line = "  ".join(
            f"{kind} p50 {row[kind]['p50_ms']:.1f} / p95 {row[kind]['p95_ms']:.1f} ms"
            if row[kind]["n"]
            else f"{kind} FAILED"
            for kind in samples
        )
        print(f"{variant.name} ({variant.cases:,} cases): {line}", flush=True)
        if differ:
            print(f"  ROLLUPS DIFFER FROM THE RAW SCAN in {differ}", flush=True)
    if failures:
        out["failures"] = failures[:10]
        print(f"  page failures: {failures[:3]}", flush=True)
    return out


# --- the incremental path ------------------------------------------------------------------------
@contextmanager
def stats_unsubscribed() -> Iterator[None]:
    """The case-event dispatcher without the statistics' handlers, for the cost comparison."""
    from onewindow.cases.subscriptions import DISPATCHER

    def mine(sub: Any) -> bool:
        return str(getattr(sub.handler, "__module__", "")).startswith("onewindow.stats")

    saved_event = list(DISPATCHER._on_event)
    saved_enter = {k: list(v) for k, v in DISPATCHER._on_enter.items()}
    DISPATCHER._on_event[:] = [s for s in saved_event if not mine(s)]
    for subs in DISPATCHER._on_enter.values():
        subs[:] = [s for s in subs if not mine(s)]
    removed = len(saved_event) - len(DISPATCHER._on_event)
    removed += sum(len(v) for v in saved_enter.values())
    removed -= sum(len(v) for v in DISPATCHER._on_enter.values())
    if not removed:
        raise SystemExit("no statistics subscriber found on the case-event dispatcher")
    try:
        yield
    finally:
        DISPATCHER._on_event[:] = saved_event
        for status, subs in saved_enter.items():
            DISPATCHER._on_enter[status][:] = subs


def drafts_create(count: int) -> list[Any]:
    """``count`` drafts of the generated items, ready to submit (the items ask for no
    material), spread over the items and districts."""
    from onewindow.accounts.models import User
    from onewindow.cases.models import Case
    from onewindow.catalog.models import ItemVersion, Region, VersionStatus

    applicant = User.objects.get(username=APPLICANT)
    versions = list(
        ItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, item__code__startswith="BENCH-STATS-"
        )
        .select_related("item")
        .order_by("pk")
    )
    regions = list(Region.objects.filter(code__startswith="4298", parent__isnull=False))
    made = Case.objects.bulk_create(
        (
            Case(
                item_version=versions[n % len(versions)],
                department_id=versions[n % len(versions)].item.department_id,
                region=regions[n % len(regions)],
                applicant=applicant,
                created_by=applicant,
            )
            for n in range(count)
        ),
        batch_size=1000,
    )
    ids = [case.pk for case in made]
    return list(
        Case.objects.filter(pk__in=ids).select_related("region", "item_version").order_by("pk")
    )


def clerks() -> dict[int, Any]:
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role

    staff = User.objects.filter(role=Role.CLERK, username__startswith="stats-clerk-")
    return {user.department_id: user for user in staff if user.department_id is not None}


@dataclass
class Calls:
    submit: list[float]
    decide: list[float]  # accept or reject
    accepted: int = 0
    rejected: int = 0


def calls_run(drafts: list[Any], clerk_of: dict[int, Any]) -> Calls:
    """Submit each draft, then accept it (even positions) or reject it (odd ones)."""
    from onewindow.accounts.models import User
    from onewindow.cases import services

    applicant = User.objects.get(username=APPLICANT)
    out = Calls([], [])
    for n, case in enumerate(drafts):
        out.submit.append(timed(partial(services.case_submit, case=case, actor=applicant)))
        clerk = clerk_of[case.department_id]
        if n % 2 == 0:
            out.decide.append(timed(partial(services.case_accept, case=case, actor=clerk)))
            out.accepted += 1
        else:
            reject = partial(services.case_reject, case=case, actor=clerk, reasons=REJECTION)
            out.decide.append(timed(reject))
            out.rejected += 1
    return out


def incremental(args: argparse.Namespace) -> dict[str, Any]:
    from onewindow.cases.models import CaseEvent
    from onewindow.stats.selectors import public_figures
    from onewindow.stats.services import cases_refresh

    clerk_of = clerks()
    drafts = drafts_create(args.burst // 2 + args.cost // 2)
    burst, cost = drafts[: args.burst // 2], drafts[args.burst // 2 :]

    before = public_figures().figures
    events_before = CaseEvent.objects.count()
    began = time.perf_counter()
    calls = calls_run(burst, clerk_of)
    wall = time.perf_counter() - began
    after = public_figures().figures  # read right after the last commit
    seen = time.perf_counter() - began
    events = CaseEvent.objects.count() - events_before
    n_calls = len(calls.submit) + len(calls.decide)
    expected = {
        "received": before.total.received + len(burst),
        "accepted": before.total.accepted + calls.accepted,
        "rejected": before.by_status.get("rejected", 0) + calls.rejected,
        "in_review": before.by_status.get("in_review", 0) + calls.accepted,
    }
    found = {
        "received": after.total.received,
        "accepted": after.total.accepted,
        "rejected": after.by_status.get("rejected", 0),
        "in_review": after.by_status.get("in_review", 0),
    }
    burst_out: dict[str, Any] = {
        "calls": n_calls,
        "events": events,
        "seconds": wall,
        "calls_per_second": n_calls / wall,
        "events_per_second": events / wall,
        "submit": summary(calls.submit),
        "accept_or_reject": summary(calls.decide),
        "visible_after_s": seen,
        "reflected": expected == found,
        "expected": expected,
        "found": found,
    }
    if n_calls:
        print(
            f"burst: {n_calls:,} calls ({events:,} event rows) in {wall:.1f} s = "
            f"{n_calls / wall:.0f} calls/s, {events / wall:.0f} events/s; submit p50 "
            f"{burst_out['submit']['p50_ms']:.1f} / p95 {burst_out['submit']['p95_ms']:.1f} ms, "
            f"accept/reject p50 {burst_out['accept_or_reject']['p50_ms']:.1f} / p95 "
            f"{burst_out['accept_or_reject']['p95_ms']:.1f} ms; rollups reflect every call right "
            f"after the last commit: {'yes' if expected == found else 'NO ' + str((expected, found))}",
            flush=True,
        )

    with_stats, without = Calls([], []), Calls([], [])
    block = max(1, min(50, len(cost) // 4))  # alternate at least twice
    skipped: list[int] = []
    for start in range(0, len(cost), block):
        part = cost[start : start + block]
        if (start // block) % 2:
            run = calls_run(part, clerk_of)
            target = with_stats
        else:
            with stats_unsubscribed():
                run = calls_run(part, clerk_of)
            skipped.extend(case.pk for case in part)
            target = without
        target.submit.extend(run.submit)
        target.decide.extend(run.decide)
    refresh_began = time.perf_counter()
    refreshed = cases_refresh(skipped)
    refresh_seconds = time.perf_counter() - refresh_began
    cost_out: dict[str, Any] = {"calls_each": len(with_stats.submit) * 2}
    for kind in ("submit", "decide"):
        a, b = getattr(with_stats, kind), getattr(without, kind)
        cost_out[kind] = {
            "with": summary(a),
            "without": summary(b),
            "added_p50_ms": (median(a) - median(b)) * 1000 if a and b else None,
        }
    cost_out["refresh_of_skipped"] = {
        "cases": len(skipped),
        "changed": refreshed,
        "seconds": refresh_seconds,
    }
    if with_stats.submit:
        print(
            f"cost: submit p50 {cost_out['submit']['with']['p50_ms']:.2f} ms with the statistics, "
            f"{cost_out['submit']['without']['p50_ms']:.2f} ms without "
            f"(+{cost_out['submit']['added_p50_ms']:.2f}); accept/reject p50 "
            f"{cost_out['decide']['with']['p50_ms']:.2f} vs "
            f"{cost_out['decide']['without']['p50_ms']:.2f} ms "
            f"(+{cost_out['decide']['added_p50_ms']:.2f}); {len(skipped):,} cases done without "
            f"them refreshed afterwards in {refresh_seconds:.1f} s",
            flush=True,
        )
    return {"burst": burst_out, "cost": cost_out}


# --- the run -------------------------------------------------------------------------------------
def measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.stats_data import row_counts
    from onewindow.stats.services import rebuild

    call_command("migrate", interactive=False, verbosity=0)
    counts = row_counts()
    vendor = connection.vendor
    print(
        f"database: {vendor} ({settings.DATABASES['default']['NAME']}); "
        + ", ".join(f"{label.split(' ', 1)[1]} {n:,}" for label, n in counts.items())
        + f"; {os.cpu_count()} CPUs",
        flush=True,
    )
    load = {"start": os.getloadavg()[0]}  # the machine is shared: say how busy it was
    written: dict[str, int] = {}
    rebuild_seconds = None
    if not args.skip_rebuild:
        began = time.perf_counter()
        written = rebuild()
        rebuild_seconds = time.perf_counter() - began
        print(f"rebuild(): {rebuild_seconds:.1f} s ({written})", flush=True)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does after a rewrite of this size
    load["after rebuild"] = os.getloadavg()[0]
    read_figures = reads(args)
    load["after reads"] = os.getloadavg()[0]
    incremental_figures = incremental(args) if args.burst or args.cost else None
    load["after incremental"] = os.getloadavg()[0]
    print("load average (1 min): " + ", ".join(f"{k} {v:.1f}" for k, v in load.items()))
    return {
        "vendor": vendor,
        "cases": counts.get("办件 cases", 0),
        "rows": counts,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "rebuild": {"seconds": rebuild_seconds, "rows": written},
        "reads": read_figures,
        "incremental": incremental_figures,
        "load": load,
    }


# --- the table -----------------------------------------------------------------------------------
def table(results: list[dict[str, Any]]) -> str:
    """metric | one column per run | goal met?"""
    names = [f"{r['vendor']} {r['cases']:,}" for r in results]
    lines: list[tuple[str, list[str], str]] = []

    def add(metric: str, values: list[str], goal: str = "") -> None:
        lines.append((metric, values, goal))

    def cell(row: dict[str, Any] | None) -> str:
        if not row or row.get("p50_ms") is None:
            return "failed" if row else "—"
        n = f" (n={row['n']})" if row["n"] < results[0]["repeat"] else ""
        return f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f}{n}"

    add(
        "rebuild() (s)",
        [
            f"{r['rebuild']['seconds']:.1f}" if r["rebuild"]["seconds"] is not None else "skipped"
            for r in results
        ],
    )
    for variant in results[0]["reads"]:
        if variant == "failures":
            continue
        add(f"{variant}: p50 / p95 (ms)", ["" for _r in results])
        for kind in (*ROLLUP_KINDS, "raw scan", "raw scan with stages"):
            rows = [r["reads"].get(variant, {}).get(kind) for r in results]
            goal = ""
            if kind in ROLLUP_KINDS:
                p95s = [row["p95_ms"] if row else None for row in rows]
                met = all(p is not None and p <= GOAL_MS for p in p95s)
                goal = f"≤ {GOAL_MS:g} ms: {'yes' if met else 'NO'}"
            if kind == "raw scan with stages" and not any(rows):
                continue
            add(f"  {kind}", [cell(row) for row in rows], goal)
        differ = [
            ", ".join(r["reads"].get(variant, {}).get("rollups_differ_from_raw", []))
            for r in results
        ]
        add("  rollups = raw scan", [("NO: " + d) if d else "yes" for d in differ])
    inc = [r.get("incremental") for r in results]
    if any(inc):
        add(
            "burst: calls (event rows) in s",
            [
                f"{i['burst']['calls']:,} ({i['burst']['events']:,}) in {i['burst']['seconds']:.1f}"
                if i
                else "—"
                for i in inc
            ],
        )
        add(
            "  calls/s, event rows/s",
            [
                f"{i['burst']['calls_per_second']:.0f}, {i['burst']['events_per_second']:.0f}"
                if i
                else "—"
                for i in inc
            ],
        )
        add("  submit p50 / p95 (ms)", [cell(i["burst"]["submit"]) if i else "—" for i in inc])
        add(
            "  accept|reject p50 / p95 (ms)",
            [cell(i["burst"]["accept_or_reject"]) if i else "—" for i in inc],
        )
        add(
            "  rollups reflect all at last commit",
            [("yes" if i["burst"]["reflected"] else "NO") if i else "—" for i in inc],
        )
        for kind, label in (("submit", "submit"), ("decide", "accept|reject")):
            add(
                f"cost: {label} p50 with / without stats (ms)",
                [
                    f"{i['cost'][kind]['with']['p50_ms']:.2f} / "
                    f"{i['cost'][kind]['without']['p50_ms']:.2f} "
                    f"(+{i['cost'][kind]['added_p50_ms']:.2f})"
                    if i and i["cost"][kind]["with"]["p50_ms"] is not None
                    else "—"
                    for i in inc
                ],
            )
    add(
        "load average at start / end",
        [
            f"{r['load']['start']:.1f} / {r['load']['after incremental']:.1f}"
            if "load" in r
            else "—"
            for r in results
        ],
    )
    width = max(len(m) for m, _v, _g in lines)
    widths = [max(len(names[i]), *(len(v[i]) for _m, v, _g in lines)) for i in range(len(names))]
    out = [
        " | ".join(
            [
                "metric".ljust(width),
                *(n.ljust(w) for n, w in zip(names, widths, strict=True)),
                "goal met?",
            ]
        )
    ]
    for metric, values, goal in lines:
        out.append(
            " | ".join(
                [
                    metric.ljust(width),
                    *(v.ljust(w) for v, w in zip(values, widths, strict=True)),
                    goal,
                ]
            ).rstrip()
        )
    dates = sorted({r["date"] for r in results})
    out.append(
        f"(pages through Django's test client, in process; {results[0]['repeat']} rounds; "
        f"measured {', '.join(dates)}; {results[0]['cpus']} CPUs)"
    )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--generate", action="store_true", help="run stats_data first (replaces)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="with --generate")
    parser.add_argument("--chunk", type=int, default=200_000, help="with --generate")
    parser.add_argument("--repeat", type=int, default=40, help="rounds of the rollup reads")
    parser.add_argument(
        "--raw-seconds", type=float, default=120.0, help="raw-scan time per variant (≥ 1 run)"
    )
    parser.add_argument(
        "--raw-stage-cases",
        type=int,
        default=2_000,
        help="raw scan with the stage view for variants of at most this many cases",
    )
    parser.add_argument(
        "--skip-rebuild",
        action="store_true",
        help="read the rollups as they are (a previous run rebuilt them; the burst keeps them)",
    )
    parser.add_argument("--burst", type=int, default=10_000, help="service calls in the burst")
    parser.add_argument("--cost", type=int, default=2_000, help="calls for the cost comparison")
    parser.add_argument("--json-out", default="", help="write the figures to this file")
    parser.add_argument("--table", nargs="+", default=None, help="print the table of JSON files")
    args = parser.parse_args()
    if args.table:
        print(table([json.loads(Path(name).read_text()) for name in args.table]))
        return 0
    if args.cases < 1 or args.repeat < 1 or args.raw_seconds < 0 or args.burst < 0 or args.cost < 0:
        print("参数错误 (invalid arguments): --cases、--repeat 须为正数,其余不能为负")
        return 2
    os.environ.update(bench_env(args.database_url))
    if args.generate:
        from bench.stats_data import generate

        target_prepare(args.database_url, replace=True)
        generate(cases=args.cases, chunk=args.chunk)
    results = measure(args)
    print(table([results]))
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    reads_ok = not results["reads"].get("failures") and not any(
        row.get("rollups_differ_from_raw") for k, row in results["reads"].items() if k != "failures"
    )
    inc = results["incremental"]
    return 0 if reads_ok and (inc is None or inc["burst"]["reflected"]) else 1


if __name__ == "__main__":
    sys.exit(main())
