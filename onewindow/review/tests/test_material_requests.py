"""Material requests through the window: the task waits, the applicant answers, and a stopped
clock moves the due dates by the working days it stood still (docs/rules/workdays.md §A3;
docs/rules/licensing.md §C3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import Case, Notice, NoticeKind
from onewindow.cases.notices import notice_document, notice_pdf
from onewindow.core.models import AccessDenied
from onewindow.review import services
from onewindow.review.models import MaterialRequest, TaskStatus
from onewindow.review.services import TaskNotAllowed
from onewindow.review.tests.task_world import (
    accepted_case,
    at,
    make_item,
    make_world,
    task_of,
)


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _request(case, w, day="2025-10-13"):
    with time_machine.travel(at(day), tick=False):
        return services.task_material_request(
            task=task_of(case, w.p.dept_b),
            actor=w.p.reviewer_b,
            text="请补充消防安全检查合格证明",
            revision=0,
        )


def _answer(req, actor, day="2025-10-16", answer="已补交消防安全检查合格证明"):
    with time_machine.travel(at(day), tick=False):
        return services.material_request_answer(request=req, actor=actor, answer=answer)


def test_a_request_puts_the_task_on_hold_and_issues_a_notice(tworld):
    case = accepted_case(tworld)
    req = _request(case, tworld)
    task = task_of(case, tworld.p.dept_b)
    assert task.status == TaskStatus.WAITING_MATERIAL
    assert req.pauses_clock is True and req.requested_on == D("2025-10-13")
    notice = Notice.objects.get(case=case, kind=NoticeKind.MATERIAL_REQUEST)
    text = " ".join(str(b) for b in notice_document(notice).blocks)
    assert "请补充消防安全检查合格证明" in text and "暂停计算" in text
    assert notice_pdf(notice).startswith(b"%PDF")


def test_the_paused_clock_moves_the_task_and_the_critical_case_deadline(tworld):
    case = accepted_case(tworld)
    req = _request(case, tworld)
    _answer(req, tworld.p.applicant)
    task = task_of(case, tworld.p.dept_b)
    # Requested Mon 10-13, answered Thu 10-16: 3 working days (14, 15, 16) did not count.
    # Due 10-17 + 3 → 10-22; that branch is the critical path: case 10-22 + 2 → 10-24.
    assert task.status == TaskStatus.OPEN
    assert (task.due, task.paused_days) == (D("2025-10-22"), 3)
    req.refresh_from_db()
    assert (req.answered_on, req.paused_days) == (D("2025-10-16"), 3)
    assert Case.objects.get(pk=case.pk).decision_due == D("2025-10-24")


def test_a_pause_off_the_critical_path_leaves_the_case_deadline(tworld):
    case = accepted_case(tworld)
    p = tworld.p
    with time_machine.travel(at("2025-10-09"), tick=False):
        req = services.task_material_request(
            task=task_of(case, p.dept_a), actor=p.handler_a, text="请补充租赁合同", revision=0
        )
    _answer(req, p.applicant, day="2025-10-10")  # one working day (10-10)
    assert task_of(case, p.dept_a).due == D("2025-10-15")  # 10-14 + 1
    assert Case.objects.get(pk=case.pk).decision_due == D("2025-10-21")


def test_when_the_item_does_not_stop_the_clock_the_due_date_stays(tworld):
    version = make_item(tworld.p, tworld.dept_c, pauses=False, code="REV-T-NP")
    case = accepted_case(tworld, version=version)
    req = _request(case, tworld)
    assert req.pauses_clock is False
    _answer(req, tworld.p.applicant)
    assert task_of(case, tworld.p.dept_b).due == D("2025-10-17")
    req.refresh_from_db()
    assert req.paused_days == 0 and req.answered_on == D("2025-10-16")


def test_a_request_needs_its_text(tworld):
    case = accepted_case(tworld)
    with time_machine.travel(at("2025-10-13"), tick=False), pytest.raises(CaseError):
        services.task_material_request(
            task=task_of(case, tworld.p.dept_b), actor=tworld.p.reviewer_b, text=" ", revision=0
        )
    assert not MaterialRequest.objects.exists()
    assert task_of(case, tworld.p.dept_b).status == TaskStatus.OPEN


def test_no_opinion_while_waiting_for_material(tworld):
    case = accepted_case(tworld)
    _request(case, tworld)
    with pytest.raises(CaseError):
        services.task_opinion_give(
            task=task_of(case, tworld.p.dept_b), actor=tworld.p.reviewer_b, kind="agree", revision=1
        )


def test_the_clerk_may_record_the_answer_but_an_outsider_may_not(tworld):
    case = accepted_case(tworld)
    req = _request(case, tworld)
    with pytest.raises(TaskNotAllowed):
        _answer(req, tworld.p.outsider)
    _answer(req, tworld.p.clerk)
    with pytest.raises(ConcurrentChange, match="已答复"):
        _answer(req, tworld.p.applicant)


def test_the_applicant_sees_the_request_on_the_dashboard_and_answers_it(client, tworld):
    case = accepted_case(tworld)
    req = _request(case, tworld)
    client.force_login(tworld.p.applicant)
    with time_machine.travel(at("2025-10-14"), tick=False):
        dashboard = client.get(reverse("portal:my_cases")).content.decode()
        url = reverse("review:material_answer", args=[req.pk])
        assert url in dashboard and "补充材料" in dashboard
        page = client.get(url)
        assert "请补充消防安全检查合格证明" in page.content.decode()
        assert client.post(url, {"answer": ""}).status_code == 400
        assert client.post(url, {"answer": "已补交"}).status_code == 302
    req.refresh_from_db()
    assert req.answer == "已补交" and req.answered_on == D("2025-10-14")


def test_another_applicant_gets_a_logged_404_on_the_answer_page(client, tworld):
    case = accepted_case(tworld)
    req = _request(case, tworld)
    client.force_login(tworld.p.outsider)
    url = reverse("review:material_answer", args=[req.pk])
    assert client.get(url).status_code == 404
    assert AccessDenied.objects.filter(target=f"review.materialrequest:{req.pk}").exists()


def test_the_public_progress_shows_the_request_and_the_answer(tworld):
    from onewindow.portal.progress import progress_report

    case = accepted_case(tworld)
    _answer(_request(case, tworld), tworld.p.applicant)
    steps = [(s.label, s.note) for s in progress_report(case).steps]
    labels = [label for label, _note in steps]
    assert "审查部门要求补充材料" in labels and "申请人已补充材料，继续审查" in labels
    assert any("请补充消防安全检查合格证明" in note for _label, note in steps)


def test_a_task_waiting_under_a_clock_stopping_request_is_paused_not_overdue(client, tworld):
    """docs/rules/workdays.md §A5. B's review (8 working days from 2025-09-30: Oct 9, 10, 11
    (Saturday working), 13, 14, 15, 16, 17 → due 2025-10-17) waits for material asked on 10-13 under
    an item that stops the clock; on 2025-10-20 the date has passed but the clock stands still:
    暂停计时 in the inbox and on the task, not counted or filtered as overdue, paused in the API."""
    case = accepted_case(tworld)
    _request(case, tworld)
    task = task_of(case, tworld.p.dept_b)
    assert task.due == D("2025-10-17")
    client.force_login(tworld.p.reviewer_b)
    with time_machine.travel(at("2025-10-20"), tick=False):
        inbox = client.get(reverse("review:inbox")).content.decode()
        page = client.get(reverse("review:task", args=[task.pk])).content.decode()
        overdue = client.get(reverse("review:inbox") + "?status=pending&urgency=overdue")
        api = client.get(f"/api/v1/review/tasks/{task.pk}/").json()
    for html in (inbox, page):
        assert "暂停计时" in html and "badge-due-overdue" not in html
    assert case.number not in overdue.content.decode()
    assert 'task-count-overdue"><a href="?status=pending&amp;urgency=overdue">' in inbox
    assert '已逾期 <span class="tab-count">0</span>' in inbox
    assert api["due"] == {"date": "2025-10-17", "provisional": False, "paused": True}
    assert api["due_warning"] == "paused"
