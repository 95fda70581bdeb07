"""The sweep benchmark's data (bench/sweep_data.py) and baseline (bench/sweep_bench.py), tiny."""

from __future__ import annotations

import pytest

from bench import sweep_data
from bench.sweep_bench import baseline_run
from onewindow.notifications.models import OutboxMessage
from onewindow.review.models import Task, TaskStatus
from onewindow.supervision.models import Card, Rule
from onewindow.supervision.rules import crossed
from onewindow.supervision.services import sweep
from onewindow.supervision.services.sweep import supervision_sweep


@pytest.fixture
def generated(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return sweep_data.generate(
        rows=3000, open_tasks=400, drafts=3, yellow=5, red=5, chunk=60, log=lambda _line: None
    )


def test_the_generator_fills_the_rows_asked_for_with_the_open_tasks_asked_for(generated):
    assert 3000 - sweep_data.CLOSED_CASE_ROWS < sum(generated.values()) <= 3000
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 400
    assert generated["审批决定 decisions"] > 0  # completed cases fill the rest


def test_five_percent_of_the_open_tasks_are_red_and_five_percent_yellow_at_the_bench_today(
    generated,
):
    rule = Rule.objects.get(code="task_due")
    assert len(crossed(rule, "red", sweep_data.TODAY)) == 20
    assert len(crossed(rule, "yellow", sweep_data.TODAY)) == 20


def test_both_baselines_mark_exactly_the_rows_the_sweep_cards(generated):
    marked = baseline_run(sweep_data.TODAY, "scratch")["rows"]
    result = supervision_sweep(today=sweep_data.TODAY, batch=7)
    assert result.total == marked == Card.objects.count() > 40
    assert result.batches > 6 and result.emails > 0
    swept = set(Card.objects.values_list("rule_id", "level", "object_kind", "object_id"))
    Card.objects.all().delete()
    assert baseline_run(sweep_data.TODAY, "cards")["rows"] == marked
    assert set(Card.objects.values_list("rule_id", "level", "object_kind", "object_id")) == swept


def test_a_pass_of_many_batches_sends_each_head_one_email_per_rule_and_level(
    generated, monkeypatch
):
    monkeypatch.setattr(sweep, "MAIL_LINES", 3)
    result = supervision_sweep(today=sweep_data.TODAY, batch=5)
    mails = list(
        OutboxMessage.objects.filter(subject__startswith="电子监察").select_related("user")
    )
    crossings = set(Card.objects.values_list("department_id", "rule__name", "level"))
    assert result.emails == len(mails) == len(crossings) > 4  # one chief per department
    for mail in mails:
        rule_name, rest = mail.subject.removeprefix("电子监察：").split(" 新发 ")
        count = int(rest.split(" ")[0])
        lines = mail.body.split("\n")[1:]
        level = "yellow" if "黄牌" in lines[0] else "red"
        assert mail.user is not None and mail.user.department_id is not None
        cards = Card.objects.filter(
            department_id=mail.user.department_id, rule__name=rule_name, level=level
        )
        assert count == cards.count()
        assert len(lines) == min(count, 3) + (count > 3)
        assert (count > 3) == (lines[-1] == "……其余监察牌请在“监察牌”栏目中查看。")
