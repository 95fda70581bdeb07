"""The same-statements baseline of bench/overhead_bench.py cannot drift from the real calls: a
bare submission, acceptance and task completion (both branches, the second being the join)
insert, update and delete as many rows of each table as the real API call does; and the
benchmark runs end to end at a tiny scale."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bench import bare_writes, overhead_bench
from bench.harness import ROOT

URLS = "bench.tests.test_overhead_bench"
urlpatterns: list[Any] = []  # filled in below: the bare views in front of the project's URLs


def _urls() -> None:
    from django.urls import include, path

    urlpatterns[:] = [*bare_writes.patterns(), path("", include("onewindow.urls"))]


def _post(client: Client, path: str, token: str, body: bytes = b"{}") -> int:
    response = client.post(
        path,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code < 300, response.content
    return response.status_code


@pytest.mark.django_db
def test_bare_views_write_the_same_rows_as_the_real_calls(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _urls()
    settings.ROOT_URLCONF = URLS
    seeded = overhead_bench.seed(2)
    client = Client()
    real, bare = seeded.real[0], seeded.bare[0]
    # One more case the whole way first, with its after-commit work run: this month's
    # statistics rows exist (the seed's own warm-up ran inside the test's transaction).
    with django_capture_on_commit_callbacks(execute=True):
        overhead_bench.warm_up(seeded, seeded.real[1])

    def changes(path: str, token: str, body: bytes = b"{}") -> dict[str, tuple[int, int, int]]:
        before = overhead_bench.snapshot()
        with django_capture_on_commit_callbacks(execute=True):
            _post(client, path, token, body)
        return overhead_bench.row_changes(before, overhead_bench.snapshot())

    steps = [
        (
            "submit",
            f"/api/v1/cases/{real}/submit/",
            f"/bench/same/submit/{bare}/",
            seeded.applicant,
        ),
        (
            "accept",
            f"/api/v1/intake/cases/{real}/accept/",
            f"/bench/same/accept/{bare}/",
            seeded.clerk,
        ),
    ]
    for name, real_path, bare_path, token in steps:
        ours, theirs = changes(real_path, token), changes(bare_path, token)
        assert ours == theirs, name
        assert ours, name  # something was written at all
    real_tasks = overhead_bench.tasks_of([real])
    bare_tasks = overhead_bench.tasks_of([bare])
    assert len(real_tasks) == len(bare_tasks) == 2
    for (task, dept), (bare_task, bare_dept) in zip(real_tasks, bare_tasks, strict=True):
        assert dept == bare_dept
        token = seeded.approvers[dept]
        ours = changes(f"/api/v1/review/tasks/{task}/opinion/", token, overhead_bench.OPINION)
        theirs = changes(f"/bench/same/complete/{bare_task}/", token, b"")
        assert ours == theirs, task
    # The second completion was the join: one more event than the first.
    from onewindow.cases.models import CaseEvent

    actions = set(CaseEvent.objects.filter(case_id=bare).values_list("action", flat=True))
    assert {"submitted", "accepted", "review_opened", "opinions_complete"} <= actions


@pytest.mark.django_db
def test_a_bare_view_refuses_a_wrong_token_and_a_case_in_the_wrong_state(settings: Any) -> None:
    _urls()
    settings.ROOT_URLCONF = URLS
    seeded = overhead_bench.seed(1)
    client = Client()
    path = f"/bench/same/accept/{seeded.bare[0]}/"  # still a draft
    wrong = client.post(path, b"", "application/json", HTTP_AUTHORIZATION="Token nope")
    assert wrong.status_code == 401
    draft = client.post(path, b"", "application/json", HTTP_AUTHORIZATION=f"Token {seeded.clerk}")
    assert draft.status_code == 409


def test_overhead_bench_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "overhead.json"
    command = [
        sys.executable,
        "-m",
        "bench.overhead_bench",
        "--cases=6",
        "--clients=2",
        f"--json-out={out}",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["bench"] == "overhead"
    rates = [row["measure"] for row in report["rows"] if row["unit"] == "/s"]
    assert rates[:3] == ["submissions/s", "acceptances/s", "task completions/s"]
    assert all(row["value"] > 0 and row["baseline"] > 0 for row in report["rows"])
