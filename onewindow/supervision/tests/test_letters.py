"""Supervision letters (督办函, docs/rules/supervision.md §D8): a supervisor issues, the department
replies, the supervisor closes; an unanswered letter is escalated once and gets one red card;
everything else refused with a clear message, nothing saved. Due dates by hand from
docs/rules/workdays.md §A3 (2025: Oct 1–8 holiday, Sat Oct 11 a working day)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.test import RequestFactory

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.tests.test_notices_pdf import extract_text, needs_extractor
from onewindow.core.models import AccessDenied
from onewindow.notifications.models import OutboxMessage
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.errors import (
    LetterConflict,
    LetterError,
    LetterForbidden,
    LetterWrongStatus,
)
from onewindow.supervision.models import Card, LetterStatus, SupervisionLetter
from onewindow.supervision.pdf.letters import letter_document, letter_pdf
from onewindow.supervision.selectors import letters as letter_selectors
from onewindow.supervision.services.letters import (
    letter_close,
    letter_issue,
    letter_respond,
    letters_escalate,
)
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def case(personas) -> Case:
    return accepted_case(make_world(personas))


def issue(personas, case=None, *, day="2025-09-30", days=5, **kw) -> SupervisionLetter:
    with time_machine.travel(at(day, 9), tick=False):
        return letter_issue(
            actor=kw.pop("actor", personas.supervisor),
            department=kw.pop("department", personas.dept_a),
            case=case,
            subject=kw.pop("subject", "食品小作坊登记审查超时"),
            text=kw.pop("text", "请说明审查超时原因并限期整改。"),
            response_days=days,
            **kw,
        )


def test_a_letter_gets_a_yearly_number_and_a_due_date_in_working_days(personas, case):
    letter = issue(personas, case)
    # 09-30 + 5 working days: 10-09, 10-10, 10-11 (working Saturday), 10-13, 10-14.
    assert letter.response_due == D("2025-10-14")
    assert letter.number == "督〔2025〕001号"
    assert issue(personas, case).number == "督〔2025〕002号"
    assert issue(personas, day="2026-01-05", days=1).number == "督〔2026〕001号"
    assert letter.status == LetterStatus.ISSUED and letter.issued_by == personas.supervisor


def test_the_department_head_is_notified_by_email(personas, case):
    User.objects.filter(pk=personas.chief_a.pk).update(email="chief_a@ezhou.gov.cn")
    User.objects.filter(pk=personas.handler_a.pk).update(email="handler_a@ezhou.gov.cn")
    letter = issue(personas, case)
    mails = OutboxMessage.objects.filter(subject__contains=letter.number)
    assert [m.recipient for m in mails] == ["chief_a@ezhou.gov.cn"]  # the head, not the handler
    assert "2025-10-14" in mails[0].body and "请说明审查超时原因" in mails[0].body


def test_respond_then_close_records_who_did_what(personas, case):
    letter = issue(personas, case)
    letter = letter_respond(letter=letter, actor=personas.handler_a, text="已加派人手，本周办结")
    assert letter.status == LetterStatus.RESPONDED and letter.responded_by == personas.handler_a
    letter = letter_close(letter=letter, actor=personas.supervisor, note="回复属实，同意办结")
    assert letter.status == LetterStatus.CLOSED and letter.closed_by == personas.supervisor


def test_only_a_supervisor_issues_or_closes(personas, case):
    for actor in (personas.chief_a, personas.admin, personas.applicant):
        with pytest.raises(LetterForbidden, match="只有电子监察人员"):
            issue(personas, case, actor=actor)
    assert not SupervisionLetter.objects.exists()
    letter = issue(personas, case)
    letter_respond(letter=letter, actor=personas.chief_a, text="已整改")
    with pytest.raises(LetterForbidden):
        letter_close(letter=letter, actor=personas.chief_a, note="自行办结")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.RESPONDED


def test_only_the_departments_staff_reply(personas, case):
    letter = issue(personas, case)
    for actor in (personas.reviewer_b, personas.clerk, personas.supervisor, personas.applicant):
        with pytest.raises(LetterForbidden, match="只有被督办部门"):
            letter_respond(letter=letter, actor=actor, text="回复")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.response == ""


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"text": "   "}, "请填写督办内容"),
        ({"subject": ""}, "请填写督办事由"),
        ({"days": 0}, "回复期限须为 1 至 20 个工作日"),
        ({"days": 30}, "回复期限须为 1 至 20 个工作日"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(personas, case, kw, message):
    with pytest.raises(LetterError, match=message):
        issue(personas, case, **kw)
    assert not SupervisionLetter.objects.exists()
    assert not OutboxMessage.objects.filter(subject__startswith="督办函").exists()


def test_a_blank_reply_or_a_wrong_step_is_refused(personas, case):
    letter = issue(personas, case)
    with pytest.raises(LetterError, match="请填写回复内容"):
        letter_respond(letter=letter, actor=personas.handler_a, text=" \n")
    with pytest.raises(LetterWrongStatus, match="不能进行此操作"):
        letter_close(letter=letter, actor=personas.supervisor, note="办结")
    letter_respond(letter=letter, actor=personas.handler_a, text="已回复")
    with pytest.raises(LetterWrongStatus):
        letter_respond(letter=letter, actor=personas.chief_a, text="再次回复")


def test_two_replies_at_once_one_wins(personas, case):
    letter = issue(personas, case)
    stale = SupervisionLetter.objects.get(pk=letter.pk)
    letter_respond(letter=letter, actor=personas.handler_a, text="回复一")
    with pytest.raises(LetterConflict, match="刚刚已被他人处理"):
        letter_respond(letter=stale, actor=personas.chief_a, text="回复二")
    letter.refresh_from_db()
    assert letter.response == "回复一"


def test_a_card_letter_must_be_for_the_cards_department_and_takes_its_case(personas, case):
    sweep_on("2025-10-15")
    card = Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)
    with pytest.raises(LetterError, match="责任部门"):
        issue(personas, card=card, department=personas.dept_b)
    letter = issue(personas, card=card, day="2025-10-15")
    assert letter.case_id == card.case_id and letter.card == card


def _escalate_and_sweep(day: str) -> None:
    with time_machine.travel(at(day, 7), tick=False):
        letters_escalate()
    sweep_on(day)


def test_an_unanswered_letter_escalates_once_with_one_red_card(personas, case):
    letter = issue(personas, case)  # due 2025-10-14
    _escalate_and_sweep("2025-10-14")  # the due date itself: still in time
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED
    assert not Card.objects.filter(rule__code="letter_overdue").exists()
    _escalate_and_sweep("2025-10-15")
    _escalate_and_sweep("2025-10-15")  # again: nothing new
    _escalate_and_sweep("2025-10-16")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ESCALATED
    cards = Card.objects.filter(rule__code="letter_overdue")
    assert [(c.level, c.object_kind, c.object_id, c.department_id, c.due) for c in cards] == [
        ("red", "letter", letter.pk, personas.dept_a.pk, D("2025-10-14"))
    ]
    # A late reply is still recorded, then the supervisor closes.
    letter_respond(letter=letter, actor=personas.chief_a, text="逾期说明及整改情况")
    letter_close(letter=letter, actor=personas.supervisor, note="同意办结")


def test_a_letter_answered_in_time_is_not_escalated(personas, case):
    letter = issue(personas, case)
    with time_machine.travel(at("2025-10-14", 16), tick=False):
        letter_respond(letter=letter, actor=personas.handler_a, text="已按期回复")
    _escalate_and_sweep("2025-10-20")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.RESPONDED
    assert not Card.objects.filter(rule__code="letter_overdue").exists()


def _request(user):
    request = RequestFactory().get("/supervision/letters/1/")
    request.user = user
    return request


def test_a_letter_is_read_by_its_department_and_supervisors_only(personas, case):
    letter = issue(personas, case)
    for reader in (personas.handler_a, personas.clerk, personas.supervisor):
        assert letter_selectors.letter_get(_request(reader), letter.pk)[0] == letter
    for other in (personas.reviewer_b, personas.applicant, personas.outsider):
        with pytest.raises(Http404):
            letter_selectors.letter_get(_request(other), letter.pk)
    assert AccessDenied.objects.filter(target=f"supervision.letter:{letter.pk}").count() == 3
    with pytest.raises(Http404):
        letter_selectors.letters_for_supervisor(_request(personas.chief_a))
    with pytest.raises(Http404):
        letter_selectors.letters_for_department(_request(personas.supervisor))
    assert list(letter_selectors.letters_for_department(_request(personas.reviewer_b))) == []


@needs_extractor
def test_the_pdf_carries_the_number_subject_due_date_and_the_reply(personas, case):
    letter = issue(personas, case)
    text = extract_text(letter_pdf(letter))
    assert letter.number in text and "食品小作坊登记审查超时" in text
    assert "2025年10月14日" in text and personas.dept_a.name in text
    assert str(personas.supervisor) in text  # the issuer
    letter_respond(letter=letter, actor=personas.handler_a, text="已加派人手")
    text = extract_text(letter_pdf(letter))
    assert "部门回复" in text and "已加派人手" in text
    assert letter_document(letter).title == "督办函"


def test_a_letter_without_a_case_escalates_to_a_red_card_without_a_case(personas, client):
    letter = issue(personas)  # about the department's work in general
    _escalate_and_sweep("2025-10-15")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ESCALATED and letter.escalated_at is not None
    card = Card.objects.get(rule__code="letter_overdue")
    assert (card.level, card.object_id, card.case_id, card.department_id) == (
        "red",
        letter.pk,
        None,
        personas.dept_a.pk,
    )
    # The card pages, the department's list and the feed show it without a case.
    client.force_login(personas.supervisor)
    page = client.get(f"/supervision/cards/{card.pk}/")
    assert page.status_code == 200 and letter.number in page.content.decode()
    assert client.get("/supervision/cards/").status_code == 200
    assert client.get("/supervision/feed/").status_code == 200
    feed = client.get("/api/v1/supervision/feed/?cards=1").json()
    assert [(c["id"], c["case_id"], c["case_url"]) for c in feed["cards"]] == [
        (card.pk, None, None)
    ]
    assert client.get(f"/api/v1/supervision/cards/{card.pk}/").json()["case_id"] is None
    form = client.get(f"/supervision/letters/new/?card={card.pk}")  # a further letter on it
    assert (
        form.status_code == 200 and "督办函回复期限 2025-10-14 届满未回复" in form.content.decode()
    )
    client.force_login(personas.chief_a)
    assert client.get(f"/supervision/cards/{card.pk}/").status_code == 200


def test_the_escalation_runs_in_the_background_loop(personas, case):
    from onewindow.core.jobs import JOBS
    from onewindow.supervision import jobs  # noqa: F401  (registers the job)

    letter = issue(personas, case)
    with time_machine.travel(at("2025-10-15", 7), tick=False):
        assert JOBS["supervision.letters_escalate"].func() == 1
        assert JOBS["supervision.letters_escalate"].func() == 0
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ESCALATED
