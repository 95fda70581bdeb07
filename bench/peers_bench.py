"""Ahead of the peers, side by side: the same parallel approval on OneWindow, django-viewflow and
SpiffWorkflow, cost per case in CPU ms and SQL statements.

Usage: .venv/bin/python -m bench.peers_bench [--database-url URL] [--cases 60] [--rounds 3]
       [--json-out PATH]

The process, identical on the three: a case accepted; three department tasks opened at once
(lead A, B, C); each completed with an "agree" opinion (A, then B, then C: C's completion is the
join); the lead department's decision (grant). Five steps per case.

- **OneWindow**: the real services, as its API views call them: ``case_accept`` (which opens the
  three review tasks, ``review_open``), ``task_opinion_give`` three times (C's runs the join) and
  ``decision_make``, with every legal extra they carry: the event trail, the statutory and
  committed deadlines of the case and of each task, the notification outbox, the conditional
  UPDATEs on revision and the case lock. The case is submitted through the real services before
  the measured loop (submission is not part of the peers' process); the item's result type is
  "approval", so the grant ends the case (no certificate is issued, as on the peers).
- **django-viewflow 2.4** (``bench.peers.viewflow_flow``): at its defaults; each step does
  in-process what viewflow's start and task views do on POST (load the task, ``start``, the
  form's save, ``execute``) under the flow's lock and ``transaction.atomic``.
- **SpiffWorkflow 3.2** (``bench/peers/approval.bpmn``, a parallel gateway): the parsed spec is
  kept in memory (parsed once, as a server would); each step reads the instance's row
  (SELECT … FOR UPDATE on PostgreSQL), deserializes it with SpiffWorkflow's own serializer,
  completes the ready user task, runs the engine steps and writes the serialized state back
  (``bench.peers.models.SpiffWorkflowState``), in one transaction.

Each step loads what it acts on by one lookup, as a request would (the case, the task of the
department, the workflow row). All three run in this one Python process against the same
scratch database (SQLite file, or the PostgreSQL database --database-url names), in-process
calls, no HTTP: the server is not what is measured. Per case: CPU ms (``time.process_time`` of
this process: on SQLite it includes the database engine's work, on PostgreSQL the server's CPU
is another process and is not counted, so wall ms is given too) and SQL statements (a
``connection.execute_wrapper`` counting every statement, savepoints included; it runs for all
three alike). The engines alternate in rounds of ``--cases`` cases (order rotated each round) so
that each sees the same machine; the first case of each engine is a warm-up and not counted.

Settings: ``bench.peers.settings`` (the product's plus viewflow's apps and ``bench.peers``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import scratch_database

STEPS = ("accept", "review A", "review B", "review C (join)", "decision")
BPMN = Path(__file__).resolve().parent / "peers" / "approval.bpmn"
DEPARTMENTS = ("A", "B", "C")
GOAL = "OneWindow below the better of the two (CPU ms and statements per case)"
PEERS = ("django-viewflow", "SpiffWorkflow")


# --- counting statements -------------------------------------------------------------------------
@dataclass
class Counter:
    """Statements seen by the execute wrapper, by their first keyword."""

    kinds: dict[str, int] = field(default_factory=dict)
    sql: list[str] = field(default_factory=list)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        if word in ("RELEASE", "ROLLBACK") and "SAVEPOINT" in sql.upper():
            word = "SAVEPOINT"
        self.kinds[word] = self.kinds.get(word, 0) + 1
        self.sql.append(f"{' '.join(sql.split())[:160]} ⟨{table_of(sql)}⟩")
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def table_of(sql: str) -> str:
    """The table a statement names first after FROM, INTO or UPDATE ("-" for transaction
    control and savepoints)."""
    words = sql.split()
    head = words[0].upper() if words else "?"
    if head in ("SAVEPOINT", "RELEASE", "BEGIN", "ROLLBACK", "COMMIT"):
        return "-"
    for index, word in enumerate(words[:-1]):
        if word.upper() in ("FROM", "INTO", "UPDATE"):
            return words[index + 1].strip('"').split('"')[0]
    return head


@contextmanager
def counting() -> Iterator[Counter]:
    from django.db import connection

    counter = Counter()
    with connection.execute_wrapper(counter):
        yield counter


# --- the three engines ---------------------------------------------------------------------------
Step = Callable[[], None]


class Engine:
    """Prepares cases (not measured) and gives the five steps of one case."""

    name = ""

    def prepare(self, count: int) -> list[Any]:
        raise NotImplementedError

    def steps(self, handle: Any) -> list[Step]:
        raise NotImplementedError

    def check(self, handle: Any) -> None:
        """Raise if the case did not end decided (the run is then wrong, not slow)."""
        raise NotImplementedError


@dataclass
class World:
    """The product's data every engine shares: departments, clerk, reviewers, an item."""

    version: Any
    region: Any
    applicant: Any
    clerk: Any
    reviewers: dict[str, Any]
    departments: dict[str, Any]


def build_world() -> World:
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.catalog.models import (
        Department,
        Item,
        ItemVersion,
        Material,
        ProcessBranch,
        Region,
        RegionLevel,
        VersionStatus,
    )

    departments = {
        code: Department.objects.create(code=f"PEERS-{code}", name=f"基准{code}局")
        for code in DEPARTMENTS
    }
    region = Region.objects.create(code="429901", name="基准同侪市", level=RegionLevel.CITY)
    item = Item.objects.create(code="BENCH-PEERS-001", department=departments["A"])
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="基准三部门并联审批",
        legal_basis="基准",
        statutory_days=20,
        committed_days=10,
        consolidation_days=1,
        result_type="approval",
        result_name="基准批文",
        delivery_methods=["window"],
    )
    Material.objects.create(version=version, sort=1, name="申请书", is_core=True)
    for sort, code in enumerate(DEPARTMENTS, 1):
        ProcessBranch.objects.create(
            version=version,
            department=departments[code],
            is_lead=code == "A",
            allotted_days=6,
            steps=[{"kind": "approve", "role": "approver"}],
            sort=sort,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()

    def user(name: str, role: str, department: Any = None) -> User:
        return User.objects.create_user(
            username=name,
            password=uuid.uuid4().hex,
            role=role,
            full_name=name,
            department=department,
        )

    # Reachable by SMS and email, so every event that tells the applicant writes outbox rows.
    applicant = user("peers-applicant", Role.APPLICANT)
    applicant.email, applicant.phone = "peers@example.cn", "13900000001"
    applicant.save(update_fields=["email", "phone"])
    return World(
        version=version,
        region=region,
        applicant=applicant,
        clerk=user("peers-clerk", Role.CLERK, departments["A"]),
        reviewers={
            c: user(f"peers-approver-{c}", Role.APPROVER, d) for c, d in departments.items()
        },
        departments=departments,
    )


class OneWindow(Engine):
    name = "OneWindow"

    def __init__(self, world: World) -> None:
        self.world = world

    def prepare(self, count: int) -> list[int]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from bench.cases_bench import PDF
        from onewindow.cases import services
        from onewindow.cases.uploads import case_file_add

        w = self.world
        ids = []
        for _n in range(count):
            case = services.case_create_draft(
                item_version=w.version,
                applicant=w.applicant,
                created_by=w.applicant,
                region=w.region,
            )
            for line in case.materials.all():
                upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
                case_file_add(case_material=line, upload=upload, actor=w.applicant)
            services.case_submit(case=case, actor=w.applicant)
            ids.append(case.pk)
        return ids

    def steps(self, handle: int) -> list[Step]:
        from onewindow.cases import services as cases
        from onewindow.cases.models import Case
        from onewindow.review import services as review
        from onewindow.review.models import Task
        from onewindow.review.services.decisions import decision_make

        w = self.world

        def accept() -> None:
            cases.case_accept(case=Case.objects.get(pk=handle), actor=w.clerk)

        def opinion(code: str) -> Step:
            def give() -> None:
                task = Task.objects.select_related("case").get(
                    case_id=handle, department=w.departments[code]
                )
                review.task_opinion_give(
                    task=task, actor=w.reviewers[code], kind="agree", revision=task.revision
                )

            return give

        def decide() -> None:
            decision_make(case=Case.objects.get(pk=handle), actor=w.reviewers["A"], kind="grant")

        return [accept, *(opinion(code) for code in DEPARTMENTS), decide]

    def check(self, handle: int) -> None:
        from onewindow.cases.models import Case, CaseStatus

        status = Case.objects.get(pk=handle).status
        assert status == CaseStatus.GRANTED, f"OneWindow case {handle}: {status}"


class OneWindowNoStats(OneWindow):
    """OneWindow with the statistics rollups unsubscribed for the duration of each step: not a
    product configuration, only the decomposition of OneWindow's cost (the rollups keep the
    public statistics current at every commit, a feature neither peer has)."""

    name = "OneWindow without stats rollups"

    def steps(self, handle: int) -> list[Step]:
        from onewindow.cases.subscriptions import DISPATCHER
        from onewindow.stats.events import stats_on_enter, stats_on_event

        stats = (stats_on_event, stats_on_enter)
        lists = [DISPATCHER._on_event, *DISPATCHER._on_enter.values()]

        def without_stats(step: Step) -> Step:
            def run() -> None:
                saved = [list(subs) for subs in lists]
                for subs in lists:
                    subs[:] = [sub for sub in subs if sub.handler not in stats]
                try:
                    step()
                finally:
                    for subs, kept in zip(lists, saved, strict=True):
                        subs[:] = kept

            return run

        return [without_stats(step) for step in super().steps(handle)]


@dataclass
class Caller:
    """What viewflow's views read from ``request``."""

    user: Any


class Viewflow(Engine):
    name = "django-viewflow"

    def __init__(self, world: World) -> None:
        from bench.peers import viewflow_flow

        self.world = world
        viewflow_flow.REVIEWERS.update(w_reviewers(world))
        self.flow = viewflow_flow.ParallelApproval

    def prepare(self, count: int) -> list[dict[str, Any]]:
        # The case's fields the process carries; the process row is created by the start step.
        return [{"number": f"VF{n:08d}", "process": None} for n in range(count)]

    def steps(self, handle: dict[str, Any]) -> list[Step]:
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        flow = self.flow
        w = self.world

        def start() -> None:
            node = flow.start
            activation = node.activation_class.create(node, None, None)
            if not node.can_execute(w.clerk, activation.task):
                raise PermissionDenied
            with transaction.atomic():
                activation.start(Caller(w.clerk))
                process = activation.process
                process.data = {"number": handle["number"], "item": "BENCH-PEERS-001"}
                process.save()  # the start view's form.save()
                activation.execute()
            handle["process"] = activation.process.pk

        def task_step(node: Any, user: Any, data: dict[str, Any]) -> Step:
            def run() -> None:
                process_pk = handle["process"]
                with flow.lock(process_pk), transaction.atomic():
                    task = flow.task_class._default_manager.get(
                        process_id=process_pk, flow_task=node
                    )
                    activation = node.activation_class(task)
                    if not node.can_execute(user, task):
                        raise PermissionDenied
                    activation.start(Caller(user))
                    task.data = data
                    activation.process.save()  # the task view's form.save()
                    activation.execute()

            return run

        reviews = [
            task_step(getattr(flow, f"review_{c.lower()}"), w.reviewers[c], {"opinion": "agree"})
            for c in DEPARTMENTS
        ]
        decide = task_step(flow.decide, w.reviewers["A"], {"decision": "grant"})
        return [start, *reviews, decide]

    def check(self, handle: dict[str, Any]) -> None:
        from viewflow.workflow.status import PROCESS

        process = self.flow.process_class._default_manager.get(pk=handle["process"])
        assert process.status == PROCESS.DONE, f"viewflow process {process.pk}: {process.status}"


def w_reviewers(world: World) -> dict[str, Any]:
    return {**world.reviewers, "clerk": world.clerk}


class Spiff(Engine):
    name = "SpiffWorkflow"

    def __init__(self, world: World) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        self.world = world
        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec("parallel_approval")
        self.serializer = BpmnWorkflowSerializer()

    def prepare(self, count: int) -> list[str]:
        return [f"SP{n:08d}" for n in range(count)]

    def _complete(self, workflow: Any, spec_name: str, data: dict[str, Any]) -> None:
        from SpiffWorkflow.util.task import TaskState

        task = workflow.get_next_task(state=TaskState.READY, manual=True, spec_name=spec_name)
        if task is None:
            raise RuntimeError(f"SpiffWorkflow: no ready task {spec_name}")
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()

    def steps(self, handle: str) -> list[Step]:
        from django.db import transaction
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

        from bench.peers.models import SpiffWorkflowState

        def start() -> None:
            workflow = BpmnWorkflow(self.spec)
            workflow.do_engine_steps()
            self._complete(workflow, "accept", {"number": handle, "item": "BENCH-PEERS-001"})
            with transaction.atomic():
                SpiffWorkflowState.objects.create(
                    reference=handle, state=self.serializer.serialize_json(workflow)
                )

        def task_step(spec_name: str, data: dict[str, Any]) -> Step:
            def run() -> None:
                with transaction.atomic():
                    row = SpiffWorkflowState.objects.select_for_update().get(reference=handle)
                    workflow = self.serializer.deserialize_json(row.state)
                    self._complete(workflow, spec_name, data)
                    row.state = self.serializer.serialize_json(workflow)
                    row.completed = workflow.is_completed()
                    row.save(update_fields=["state", "completed", "updated_at"])

            return run

        reviews = [task_step(f"review_{c.lower()}", {f"opinion_{c}": "agree"}) for c in DEPARTMENTS]
        return [start, *reviews, task_step("decide", {"decision": "grant"})]

    def check(self, handle: str) -> None:
        from bench.peers.models import SpiffWorkflowState

        row = SpiffWorkflowState.objects.get(reference=handle)
        assert row.completed, f"SpiffWorkflow {handle} not completed"


# --- the measurement -----------------------------------------------------------------------------
@dataclass
class Figures:
    """Per case and per step: CPU ms, wall ms, statements (and their kinds per step)."""

    cpu: list[list[float]] = field(default_factory=list)  # per case, per step
    wall: list[list[float]] = field(default_factory=list)
    statements: list[list[int]] = field(default_factory=list)
    kinds: list[dict[str, int]] = field(default_factory=lambda: [{} for _s in STEPS])
    trace: list[list[str]] = field(default_factory=lambda: [[] for _s in STEPS])

    def per_case(self, values: list[list[float]] | list[list[int]]) -> float:
        return statistics.median(sum(row) for row in values) if values else float("nan")

    def step_median(self, values: list[list[float]] | list[list[int]], index: int) -> float:
        return statistics.median(row[index] for row in values) if values else float("nan")


def run_case(engine: Engine, handle: Any, figures: Figures | None) -> None:
    cpu, wall, statements = [], [], []
    for index, step in enumerate(engine.steps(handle)):
        with counting() as counter:
            c0, w0 = time.process_time(), time.perf_counter()
            step()
            c1, w1 = time.process_time(), time.perf_counter()
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
        statements.append(counter.total)
        if figures is not None and not figures.cpu:  # the first counted case gives the kinds
            figures.kinds[index] = dict(sorted(counter.kinds.items()))
            figures.trace[index] = counter.sql
    engine.check(handle)
    if figures is not None:
        figures.cpu.append(cpu)
        figures.wall.append(wall)
        figures.statements.append(statements)


def measure(engines: list[Engine], cases: int, rounds: int) -> dict[str, Figures]:
    handles = {e.name: iter(e.prepare(cases * rounds + 1)) for e in engines}
    figures = {e.name: Figures() for e in engines}
    for engine in engines:  # warm-up: imports, caches, the first statements prepared
        run_case(engine, next(handles[engine.name]), None)
    for round_ in range(rounds):
        order = engines[round_ % len(engines) :] + engines[: round_ % len(engines)]
        for engine in order:
            for _n in range(cases):
                run_case(engine, next(handles[engine.name]), figures[engine.name])
    return figures


# --- the report ----------------------------------------------------------------------------------
def tables_of(trace: list[str]) -> str:
    """'table n, …' for a step's statements (from each traced statement's ⟨table⟩; savepoints
    and transaction control as "savepoints/BEGIN"), the most frequent first."""
    counts: dict[str, int] = {}
    for sql in trace:
        table = sql.rsplit("⟨", 1)[-1].rstrip("⟩") if "⟨" in sql else "?"
        table = "savepoints/BEGIN" if table == "-" else table
        counts[table] = counts.get(table, 0) + 1
    return ", ".join(f"{t} {n}" for t, n in sorted(counts.items(), key=lambda p: (-p[1], p[0])))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def report(
    figures: dict[str, Figures], database: str, scale: str, started: str, seconds: float, load: str
) -> dict[str, Any]:
    """Print the table and return the benchmark JSON (docs: /work notes benchjson, bench.report)."""
    ours = figures["OneWindow"]
    peers = {name: f for name, f in figures.items() if name in PEERS}
    bare = figures.get(OneWindowNoStats.name)
    print(f"database: {database}; {scale}; load average at start {load}")
    short = {OneWindowNoStats.name: "OW w/o stats"}
    header = f"{'':<18}" + "".join(f"{short.get(name, name):>18}" for name in figures)
    print("per case (median):")
    print(header)
    for label, attr, fmt in (
        ("CPU ms", "cpu", "{:18.2f}"),
        ("wall ms", "wall", "{:18.2f}"),
        ("statements", "statements", "{:18.0f}"),
    ):
        print(
            f"{label:<18}"
            + "".join(fmt.format(f.per_case(getattr(f, attr))) for f in figures.values())
        )
    print("per step (median statements / CPU ms):")
    print(header)
    for index, step in enumerate(STEPS):
        cells = "".join(
            f"{f.step_median(f.statements, index):>8.0f} / {f.step_median(f.cpu, index):6.2f}"
            for f in figures.values()
        )
        print(f"{step:<18}{cells}")
    print("statements of each step by kind (first counted case):")
    for name, f in figures.items():
        for index, step in enumerate(STEPS):
            kinds = ", ".join(f"{k} {v}" for k, v in f.kinds[index].items())
            print(f"  {name:<16} {step:<16} {kinds}")

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for label, attr, unit in (
        ("CPU per case", "cpu", "ms"),
        ("SQL statements per case", "statements", ""),
    ):
        value = ours.per_case(getattr(ours, attr))
        best_name, best = min(
            ((name, f.per_case(getattr(f, attr))) for name, f in peers.items()), key=lambda p: p[1]
        )
        for name, f in peers.items():
            baseline = f.per_case(getattr(f, attr))
            is_best = name == best_name
            rows.append(
                {
                    "measure": f"{label}: OneWindow vs {name}",
                    "unit": unit or "statements",
                    "value": round(value, 3),
                    "baseline": round(baseline, 3),
                    "baseline_name": f"{name}, same process"
                    + (" (the better peer)" if is_best else ""),
                    "ratio": round(value / baseline, 3) if baseline else None,
                    "ratio_note": "OneWindow / peer (lower is better; goal < 1 against the better peer)",
                    "goal": "< the better peer" if is_best else None,
                    "met": (value < baseline) if is_best else None,
                }
            )
        if bare is not None:
            rows.append(
                {
                    "measure": f"{label}: OneWindow without its statistics rollups (decomposition only)",
                    "unit": unit or "statements",
                    "value": round(bare.per_case(getattr(bare, attr)), 3),
                    "baseline": round(value, 3),
                    "baseline_name": "OneWindow as shipped",
                    "ratio": round(bare.per_case(getattr(bare, attr)) / value, 3)
                    if value
                    else None,
                    "ratio_note": "without rollups / as shipped",
                    "goal": None,
                    "met": None,
                }
            )
        verdict = "met" if value < best else "NOT met"
        print(
            f"{label}: OneWindow {value:.2f} vs the better peer {best_name} {best:.2f}: {verdict}"
        )
    rows.append(
        {
            "measure": "wall per case: OneWindow / " + " / ".join(peers),
            "unit": "ms",
            "value": round(ours.per_case(ours.wall), 3),
            "baseline": round(min(f.per_case(f.wall) for f in peers.values()), 3),
            "baseline_name": "the faster peer's wall ms ("
            + ", ".join(f"{n} {f.per_case(f.wall):.2f}" for n, f in peers.items())
            + ")",
            "ratio": None,
            "ratio_note": None,
            "goal": None,
            "met": None,
        }
    )
    for index, step in enumerate(STEPS):
        cells = "; ".join(
            f"{name} {f.step_median(f.statements, index):.0f} stmts / {f.step_median(f.cpu, index):.2f} ms"
            for name, f in figures.items()
        )
        notes.append(f"{step}: {cells}")
    for index, step in enumerate(STEPS):
        notes.append(f"OneWindow's statements, {step}: {tables_of(ours.trace[index])}")
    if bare is not None:
        saved = ours.per_case(ours.statements) - bare.per_case(bare.statements)
        notes.append(
            f"The statistics rollups (onewindow.stats, kept current at every commit) account for "
            f"{saved:.0f} of OneWindow's {ours.per_case(ours.statements):.0f} statements per case "
            f"and {ours.per_case(ours.cpu) - bare.per_case(bare.cpu):.1f} of its "
            f"{ours.per_case(ours.cpu):.1f} CPU ms."
        )
    notes.append(
        "OneWindow's statements include its legal extras: event rows, deadlines of the case and of "
        "each task, the notification outbox, conditional UPDATEs on revision and the case lock; "
        "the peers run at their defaults. Savepoints are counted as statements."
    )
    if database.startswith("postgresql"):
        notes.append(
            "On PostgreSQL CPU ms is this process only (the server's work is another process); "
            "wall ms includes the round trips."
        )
    return {
        "bench": "peers",
        "title": "Ahead of the peers: the parallel approval on OneWindow, django-viewflow, SpiffWorkflow",
        "database": "postgresql" if database.startswith("postgresql") else "sqlite",
        "scale": scale,
        "started": started,
        "seconds": round(seconds, 1),
        "load": load,
        "rows": rows,
        "notes": notes,
        "steps": {
            name: {
                "cpu_ms": [round(f.step_median(f.cpu, i), 3) for i in range(len(STEPS))],
                "statements": [f.step_median(f.statements, i) for i in range(len(STEPS))],
                "kinds": f.kinds,
                "trace": f.trace,
            }
            for name, f in figures.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL scratch database URL")
    parser.add_argument("--cases", type=int, default=60, help="cases per engine per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json-out", default="", help="write the benchmark JSON here")
    args = parser.parse_args()

    env, cleanup = scratch_database(args.database_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.peers.settings"
    load = load_average()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    began = time.perf_counter()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", interactive=False, verbosity=0)
        world = build_world()
        engines: list[Engine] = [
            OneWindow(world),
            OneWindowNoStats(world),
            Viewflow(world),
            Spiff(world),
        ]
        figures = measure(engines, args.cases, args.rounds)
        database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
        vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
        scale = f"{args.cases} cases x {args.rounds} rounds per engine, in-process calls"
        payload = report(
            figures, vendor + " " + database, scale, started, time.perf_counter() - began, load
        )
        if args.json_out:
            Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json_out).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
