"""The approval history in words (docs/decisions.md §U1): the steps read 承办 / 审核 / 批准, never
their stored keys, and an opinion whose text only repeats its kind is said once ("同意。", not
"同意。同意"), on the pages, in the decision PDF and in the API."""

from __future__ import annotations

import re

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.cases import notices
from onewindow.cases.models import NoticeKind
from onewindow.lib.pdf import Table
from onewindow.review.models import OpinionKind, Task
from onewindow.review.selectors import decisions as sel
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import (
    at,
    case_in_review,
    give_opinion,
    make_world,
)


@pytest.fixture
def dworld(personas):
    return make_world(personas)


def _text(response) -> str:
    """The page's visible text, tags removed and white space folded."""
    assert response.status_code == 200
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _reviewed(dworld, text_a: str = "同意", text_b: str = "同意。"):
    case = case_in_review(dworld)
    give_opinion(dworld, case, dworld.p.dept_a, OpinionKind.AGREE, text_a)
    give_opinion(dworld, case, dworld.p.dept_b, OpinionKind.AGREE, text_b)
    return case


RAW_KEYS = re.compile(r"\b(handle|review|approve)\b")


def test_the_decision_page_names_each_step_in_chinese(client, dworld):
    case = _reviewed(dworld)
    client.force_login(dworld.p.approver_a)
    text = _text(client.get(f"/review/decisions/{case.pk}/"))
    assert "鄂州市市场监督管理局 · 承办 · 刘洋" in text
    assert "鄂州市市场监督管理局 · 审核 · 陈静" in text
    assert "鄂州市市场监督管理局 · 批准 · 赵敏" in text
    assert not RAW_KEYS.search(text), RAW_KEYS.search(text)


def test_an_opinion_that_repeats_its_kind_is_said_once_on_every_page(client, dworld):
    case = _reviewed(dworld)
    for user, url in [
        (dworld.p.approver_a, f"/review/decisions/{case.pk}/"),
        (
            dworld.p.reviewer_b,
            f"/review/tasks/{Task.objects.get(case=case, department=dworld.p.dept_b).pk}/",
        ),
        (dworld.p.supervisor, f"/supervision/cases/{case.pk}/"),
    ]:
        client.force_login(user)
        text = _text(client.get(url))
        assert not re.search(r"同意\s*[。:：—-]*\s*同意", text), (url, text)
        assert "同意" in text, url


def test_the_opinion_summary_and_the_decision_pdf_say_agree_once(dworld):
    case = _reviewed(dworld)
    summaries = [row.summary for row in sel.opinion_rows(case)]
    assert [re.split("[:：]", s) for s in summaries] == [
        ["鄂州市市场监督管理局", "同意。"],
        ["鄂州市住房和城乡建设局", "同意。"],
    ]
    with time_machine.travel(at("2025-10-20"), tick=False):
        decision_make(case=case, actor=dworld.p.approver_a, kind="grant")
    doc = notices.notice_document(case.notices.get(kind=NoticeKind.GRANT))
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert [row[2] for row in table.rows] == ["同意。", "同意。"]


def test_an_opinion_with_more_to_say_keeps_its_text(dworld):
    case = _reviewed(dworld, text_a="同意，请按期换证。")
    summary = sel.opinion_rows(case)[0].summary
    assert re.split("[:：]", summary)[1] == "同意。同意，请按期换证。"


def test_the_task_api_gives_each_step_its_label(dworld):
    case = _reviewed(dworld)
    task = Task.objects.get(case=case, department=dworld.p.dept_a)
    api = APIClient()
    api.force_authenticate(dworld.p.approver_a)
    body = api.get(f"/api/v1/review/tasks/{task.pk}/").json()
    assert [(s["kind"], s["kind_label"]) for s in body["steps"]] == [
        ("handle", "承办"),
        ("review", "审核"),
        ("approve", "批准"),
    ]
    assert [(r["kind"], r["kind_label"]) for r in body["records"]] == [
        ("handle", "承办"),
        ("review", "审核"),
        ("approve", "批准"),
    ]


def test_the_admin_lists_steps_by_their_names(dworld, client):
    _reviewed(dworld)
    from onewindow.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="x-Root-123")
    client.force_login(admin)
    text = _text(client.get("/admin/review/steprecord/"))
    assert "承办" in text and "批准" in text
    assert not re.search(r"\b(handle|approve)\b", text)
