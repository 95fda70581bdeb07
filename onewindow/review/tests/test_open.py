"""Opening the parallel review on acceptance (docs/product.md §C5; docs/rules/workdays.md §A3;
docs/rules/licensing.md §C1, §C3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, CaseStatus, Notice, NoticeKind
from onewindow.cases.notices import notice_document
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.review.models import Task, TaskStatus
from onewindow.review.tests.task_world import accepted_case, at, make_item, make_world
from onewindow.testing import sent_to


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def test_acceptance_opens_a_task_in_every_department_on_the_same_day(tworld):
    case = accepted_case(tworld)
    tasks = {t.department_id: t for t in Task.objects.filter(case=case)}
    assert set(tasks) == {tworld.p.dept_a.pk, tworld.p.dept_b.pk, tworld.dept_c.pk}
    assert {t.opened_on for t in tasks.values()} == {D("2025-09-30")}
    assert {t.status for t in tasks.values()} == {TaskStatus.OPEN}
    assert tasks[tworld.p.dept_a.pk].is_lead
    assert case.status == CaseStatus.IN_REVIEW


def test_each_department_is_due_by_its_own_working_days_counted_by_hand(tworld):
    # A3: Oct 1–8 holiday, Sat Oct 11 a working day. 5 days from 09-30 → 10-14 (A2's example),
    # 8 → 10-17, 3 → 10-11 (the working Saturday).
    case = accepted_case(tworld)
    due = dict(Task.objects.filter(case=case).values_list("department_id", "due"))
    assert due[tworld.p.dept_a.pk] == D("2025-10-14")
    assert due[tworld.p.dept_b.pk] == D("2025-10-17")
    assert due[tworld.dept_c.pk] == D("2025-10-11")


def test_the_case_is_due_at_the_latest_branch_plus_consolidation_never_the_sum(tworld):
    case = accepted_case(tworld)
    # C3: latest branch 10-17 + 2 consolidation days → 10-21. The sum (5+8+3+2 = 18 working
    # days) would be 2025-10-28; the committed limit (12) is 10-23; the statutory (20) 11-04.
    assert case.decision_due == D("2025-10-21")
    assert case.decision_due != D("2025-10-28")
    assert case.statutory_due == D("2025-11-04")


def test_the_case_deadline_never_exceeds_the_committed_limit(tworld):
    # Committed 9 days, shorter than the critical path (8 + 2): 9 from 09-30 → 10-20.
    version = make_item(tworld.p, tworld.dept_c, committed=9, code="REV-T-009")
    case = accepted_case(tworld, version=version)
    assert case.decision_due == D("2025-10-20")


def test_the_acceptance_notice_lists_every_department_involved(tworld):
    case = accepted_case(tworld)
    notice = Notice.objects.get(case=case, kind=NoticeKind.ACCEPTANCE)
    assert notice.content["departments"] == [
        "鄂州市市场监督管理局",
        "鄂州市住房和城乡建设局",
        "鄂州市发展和改革委员会",
    ]
    text = " ".join(str(b) for b in notice_document(notice).blocks)
    assert "鄂州市住房和城乡建设局" in text and "鄂州市发展和改革委员会" in text
    assert notice.content["decision_due"] == "2025-10-21"


def test_each_department_is_told_with_an_event_and_its_staff_by_email(tworld):
    p = tworld.p
    p.reviewer_b.email = "yang@zjj.example.cn"
    p.reviewer_b.save(update_fields=["email"])
    case = accepted_case(tworld)
    events = CaseEvent.objects.filter(case=case, action="task_opened")
    assert sorted(e.data["department"] for e in events) == sorted(
        ["鄂州市市场监督管理局", "鄂州市住房和城乡建设局", "鄂州市发展和改革委员会"]
    )
    opened = CaseEvent.objects.get(case=case, action="review_opened")
    assert opened.public and opened.old_status == "accepted" and opened.new_status == "in_review"
    (mail,) = sent_to("yang@zjj.example.cn")
    assert str(case.number) in mail.body and "2025-10-17" in mail.body


def test_deemed_acceptance_opens_the_review_from_the_receipt_date(tworld):
    case = case_services.case_create_draft(
        item_version=tworld.version,
        applicant=tworld.p.applicant,
        created_by=tworld.p.applicant,
        region=tworld.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=tworld.p.applicant)
    with time_machine.travel(at("2025-04-30", 9), tick=False):
        case_services.case_submit(case=case, actor=tworld.p.applicant)
    # B1: received 04-30, no decision by the end of 05-12 → accepted from 04-30.
    with time_machine.travel(at("2025-05-13", 8), tick=False):
        assert case_services.cases_accept_deemed() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.accepted_on == D("2025-04-30")
    due = dict(Task.objects.filter(case=case).values_list("department_id", "due"))
    # 5 working days after 04-30 (May 1–5 holiday): 05-06, 07, 08, 09, 12.
    assert due[tworld.p.dept_a.pk] == D("2025-05-12")
    assert {t.opened_on for t in Task.objects.filter(case=case)} == {D("2025-04-30")}


def test_withdrawing_the_case_cancels_its_tasks(tworld):
    case = accepted_case(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        case_services.application_withdraw(case=case, actor=tworld.p.applicant, reason="不办了")
    assert set(Task.objects.filter(case=case).values_list("status", flat=True)) == {
        TaskStatus.CANCELLED
    }
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
