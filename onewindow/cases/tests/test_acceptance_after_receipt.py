"""docs/rules/licensing.md §B8: acceptance is never dated before receipt
(docs/rules/workdays.md §A2; docs/rules/licensing.md §B1), frozen clock.

Calendar facts used below (State Council arrangement for 2025, docs/rules/workdays.md §A3): Oct 1–8
are holidays, Sat Oct 11 is a working weekend day, Sun 2025-10-12 is an ordinary Sunday (no work).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Commitment, NoticeKind
from onewindow.cases.notices import notice_document
from onewindow.cases.tests.test_intake_rules import at, submitted_case
from onewindow.cases.tests.test_notices_pdf import _cells

SUNDAY = "2025-10-12"
MONDAY = dt.date(2025, 10, 13)


def test_a_case_accepted_on_the_sunday_it_was_submitted_is_accepted_on_the_receipt_day(world):
    """Submitted Sun 2025-10-12 → deemed received Mon 2025-10-13 (A2, policy "next").

    The clerk accepts it at the window the same Sunday. Acceptance = the later of receipt and
    the day of the decision = Mon 10-13. Periods run from 10-13 (start day not counted):
    10 working days: 10-14, 15, 16, 17, 20, 21, 22, 23, 24, 27 → committed due 2025-10-27;
    20 working days: …, 10-28, 29, 30, 31, 11-03, 04, 05, 06, 07, 10 → statutory due 2025-11-10.
    (Counted from Sunday, as before the fix, they would end a day early: 10-24 and 11-07.)
    """
    case = submitted_case(world, when=SUNDAY)
    assert case.received_on == MONDAY
    with time_machine.travel(at(SUNDAY, 15), tick=False):
        services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.accepted_on == MONDAY
    assert case.decision_due == dt.date(2025, 10, 27)
    assert case.statutory_due == dt.date(2025, 11, 10)
    # The review opens on the acceptance date too (its branch dues count from it).
    assert set(case.tasks.values_list("opened_on", flat=True)) == {MONDAY}
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    assert notice.content["accepted_on"] == notice.content["received_on"] == "2025-10-13"
    text = _cells(notice_document(notice))
    assert "收件日期：2025年10月13日" in text and "受理日期：2025年10月13日" in text
    assert "承诺办结期限：2025年10月27日" in text and "法定办结期限：2025年11月10日" in text


def test_tolerated_acceptance_on_a_sunday_counts_from_the_receipt_day(world):
    """容缺受理 on Sun 2025-10-12 of a case submitted that Sunday (received Mon 10-13).

    Accepted 10-13; committed limit 10 working days → 2025-10-27, which is also the latest the
    supplement may be due (G2). A due date of Mon 10-13 itself is refused: it is not after the
    acceptance date.
    """
    case = submitted_case(world, skip=1, when=SUNDAY)
    missing = case.materials.get(material=world.non_core[-1])
    with time_machine.travel(at(SUNDAY, 15), tick=False):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[missing.pk])
    case.refresh_from_db()
    assert case.accepted_on == MONDAY
    assert case.decision_due == dt.date(2025, 10, 27)
    commitment = Commitment.objects.get(case=case)
    assert commitment.due_on == dt.date(2025, 10, 27)
    notice = case.notices.get(kind=NoticeKind.TOLERATED)
    assert notice.content["accepted_on"] == "2025-10-13"


def test_tolerated_supplement_cannot_be_due_on_the_receipt_day(world):
    """Submitted and accepted Sun 2025-10-12; acceptance date Mon 10-13, so a supplement due
    date of 10-13 is not later than the acceptance and is refused, nothing written."""
    case = submitted_case(world, skip=1, when=SUNDAY)
    missing = case.materials.get(material=world.non_core[-1])
    refused = pytest.raises(CaseError, match="补齐材料期限须晚于受理日期 2025-10-13")
    with time_machine.travel(at(SUNDAY, 15), tick=False), refused:
        services.case_accept(
            case=case, actor=world.clerk, tolerated_material_ids=[missing.pk], commitment_due=MONDAY
        )
    case.refresh_from_db()
    assert case.accepted_on is None
    assert not Commitment.objects.filter(case=case).exists()


def test_deemed_acceptance_of_a_sunday_submission_dates_from_the_deemed_receipt(world):
    """B1: no intake decision in time → accepted from the day the materials were received.

    Submitted Sun 2025-10-12 → received Mon 10-13; intake period 5 working days → 10-20 (10-14,
    15, 16, 17, 20). On 10-21 the case is deemed accepted, dated 10-13 (not the Sunday), and
    the decision is due 10 working days later: 2025-10-27.
    """
    case = submitted_case(world, when=SUNDAY)
    assert case.intake_due == dt.date(2025, 10, 20)
    with time_machine.travel(at("2025-10-21", 1), tick=False):
        assert services.cases_accept_deemed() == 1
    case.refresh_from_db()
    assert case.accepted_on == MONDAY
    assert case.decision_due == dt.date(2025, 10, 27)
    text = _cells(notice_document(case.notices.get(kind=NoticeKind.ACCEPTANCE)))
    assert "自收到申请材料之日（2025年10月13日）起即为受理" in text


def test_a_weekday_acceptance_after_receipt_keeps_its_own_date(world):
    """Received Thu 2025-10-09 (a working day after the National Day holiday), accepted Fri
    10-10: the acceptance date stays 10-10, the later of the two; 10 working days from it:
    10-11 (Sat, 调休), 13, 14, 15, 16, 17, 20, 21, 22, 23 → 2025-10-23."""
    case = submitted_case(world, when="2025-10-09")
    with time_machine.travel(at("2025-10-10"), tick=False):
        services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.received_on == dt.date(2025, 10, 9)
    assert case.accepted_on == dt.date(2025, 10, 10)
    assert case.decision_due == dt.date(2025, 10, 23)
