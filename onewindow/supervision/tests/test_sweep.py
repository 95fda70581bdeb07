"""The sweep issues each card once: run twice, interrupted half-way and rerun, from the CLI or
the background loop; department heads are told about new cards only."""

from __future__ import annotations

import json

import pytest

from onewindow import cli
from onewindow.accounts.models import User
from onewindow.core.jobs import JOBS
from onewindow.notifications.models import OutboxMessage
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.models import Card, Rule
from onewindow.supervision.rules import LEVELS, crossed
from onewindow.supervision.services import sweep as sweep_module
from onewindow.supervision.tests.world import D, submitted_case, sweep_on
from onewindow.testing import sent_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    User.objects.filter(pk=personas.chief_a.pk).update(email="chief_a@ezhou.gov.cn")
    User.objects.filter(pk=personas.handler_a.pk).update(email="handler_a@ezhou.gov.cn")
    return make_world(personas)


def _expected(day: str) -> set[tuple[str, str, str, int]]:
    """Every crossing up to ``day`` by the rules themselves (what the cards must be)."""
    found: set[tuple[str, str, str, int]] = set()
    for rule in Rule.objects.filter(enabled=True):
        for level in LEVELS:
            found |= {
                (rule.code, level, h.object_kind, h.object_id) for h in crossed(rule, level, D(day))
            }
    return found


def _cards() -> list[tuple[str, str, str, int]]:
    return sorted(Card.objects.values_list("rule__code", "level", "object_kind", "object_id"))


def _world(tworld) -> None:
    for _ in range(3):
        accepted_case(tworld)  # tasks C due 10-11, B 10-17, A 10-14; cases due 10-21
    submitted_case(tworld)  # intake due 10-14


def test_a_second_sweep_issues_nothing_new(tworld):
    _world(tworld)
    first = sweep_on("2025-10-15", batch=2)
    assert first.total == len(_expected("2025-10-15")) > 6
    assert first.issued["task_due/red"] == 6  # A and C of three cases
    assert sweep_on("2025-10-15", batch=2).total == 0
    assert _cards() == sorted(_expected("2025-10-15"))
    assert len(set(_cards())) == len(_cards())


def test_a_sweep_interrupted_after_its_first_batch_and_rerun_issues_each_card_once(
    tworld, monkeypatch
):
    _world(tworld)
    real = sweep_module._insert_batch
    calls = {"n": 0}

    def crash_after_first(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "_insert_batch", crash_after_first)
    with pytest.raises(SystemExit):
        sweep_on("2025-10-15", batch=2)
    assert Card.objects.count() == 2  # the first batch committed, the second never did
    monkeypatch.setattr(sweep_module, "_insert_batch", real)
    rerun = sweep_on("2025-10-15", batch=2)
    assert rerun.total == len(_expected("2025-10-15")) - 2
    assert _cards() == sorted(_expected("2025-10-15"))


def test_the_department_head_is_emailed_about_new_cards_only(tworld):
    case = accepted_case(tworld)
    sweep_on("2025-10-13")  # A yellow (dept A), C red (dept C, which has no staff)
    cards = OutboxMessage.objects.filter(subject__startswith="电子监察")
    (mail,) = sent_to("chief_a@ezhou.gov.cn", cards)  # one: dept A's task is yellow
    assert mail.case_id == case.pk and (case.number or "?") in mail.body and "黄牌" in mail.body
    assert "部门审查期限 2025-10-14" in mail.body
    assert not sent_to("handler_a@ezhou.gov.cn", cards)  # heads only
    sweep_on("2025-10-13")
    sweep_on("2025-10-14")
    assert cards.count() == 1
    sweep_on("2025-10-15")  # task A red
    assert sum("红牌" in m.body for m in sent_to("chief_a@ezhou.gov.cn", cards)) == 1


def test_onewindow_supervise_runs_one_sweep_and_prints_the_counts(tworld, capsys):
    _world(tworld)
    assert cli.main(["supervise", "--today", "2025-10-15", "--batch", "3"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"] == Card.objects.count() == len(_expected("2025-10-15"))
    assert printed["issued"]["task_due/red"] == 6
    assert cli.main(["supervise", "--today", "2025-10-15"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


def test_the_sweep_runs_in_the_background_loop():
    from onewindow.supervision import jobs

    assert JOBS["supervision.sweep"].func is jobs.sweep
