"""docs/rules/hall.md §J2, §J16, §J17: discipline records — removal and reinstatement, the bad
inputs refused with nothing written, acknowledgement, public notices."""

from __future__ import annotations

import pytest
import time_machine

from onewindow.conduct import selectors, services
from onewindow.conduct.errors import ConductWrongState, Forbidden, Invalid
from onewindow.conduct.models import Discipline, DisciplineKind
from onewindow.consult.models import ComplaintResult
from onewindow.notifications.models import OutboxMessage

from .world import TODAY, at, bad_review, complaint, staff, window


def with_phone(member):
    member.phone = "13907110099"
    member.save(update_fields=["phone"])
    return member


def decide(p, member, **kw):
    values = {
        "actor": p.supervisor,
        "staff": member,
        "window_id": p.window.pk,
        "kind": DisciplineKind.WARNING,
        "difficulty": "words",
        "reason": "对申请人说话生硬，拒不解释。",
        "now": at("2025-11-20"),
    }
    values.update(kw)
    return services.discipline_record(**values)


def test_removal_takes_the_staff_member_off_the_window_and_reinstatement_restores_it(personas):
    p = personas
    assert p.window in p.clerk.windows.all()
    record = decide(p, p.clerk, kind=DisciplineKind.REMOVAL, difficulty="face")
    assert p.window not in p.clerk.windows.all()
    assert p.clerk not in p.window.staff.all()
    assert record.removed
    with pytest.raises(Invalid) as err:
        services.discipline_reinstate(actor=p.supervisor, record=record, reason="  ")
    assert err.value.errors == {"reinstate_reason": ["请填写恢复上岗的理由。"]}
    assert p.window not in p.clerk.windows.all()
    services.discipline_reinstate(actor=p.supervisor, record=record, reason="培训合格，恢复上岗。")
    assert p.window in p.clerk.windows.all()
    record.refresh_from_db()
    assert not record.removed and record.reinstated_by == p.supervisor
    assert record.kind == DisciplineKind.REMOVAL  # the removal stays on record
    with pytest.raises(ConductWrongState):
        services.discipline_reinstate(actor=p.supervisor, record=record, reason="再次恢复")


def test_only_a_removal_can_be_reinstated(personas):
    record = decide(personas, personas.clerk)
    with pytest.raises(ConductWrongState) as err:
        services.discipline_reinstate(actor=personas.supervisor, record=record, reason="理由")
    assert err.value.message == "只有调离窗口的处理可以恢复上岗。"


def test_a_record_without_a_reason_is_refused_and_nothing_is_written(personas):
    with_phone(personas.clerk)
    with pytest.raises(Invalid) as err:
        decide(personas, personas.clerk, reason=" \n ", kind=DisciplineKind.REMOVAL)
    assert err.value.errors == {"reason": ["请填写处理的事实和理由。"]}
    assert not Discipline.objects.exists()
    assert personas.window in personas.clerk.windows.all()  # not removed either
    assert not OutboxMessage.objects.filter(user=personas.clerk).exists()


def test_a_complaint_about_another_staff_member_cannot_be_linked(personas):
    p = personas
    colleague = staff(p.window, "李强")
    about_colleague = complaint(p.window, p.applicant, about=colleague)
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, complaint_id=about_colleague.pk)
    assert err.value.errors == {"complaint": ["所选投诉针对的不是该工作人员，不能作为其处理依据。"]}
    unfounded = complaint(
        p.window, p.applicant, about=p.clerk, result=ComplaintResult.UNSUBSTANTIATED
    )
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, complaint_id=unfounded.pk)
    assert err.value.errors["complaint"] == ["所选投诉尚未办结或经查不属实，不能作为处理依据。"]
    assert not Discipline.objects.exists()
    upheld = complaint(p.window, p.applicant, about=p.clerk)
    assert decide(p, p.clerk, complaint_id=upheld.pk).complaint == upheld
    # A complaint naming the window alone may back a record of its staff.
    about_window = complaint(p.window, p.applicant)
    assert decide(p, colleague, complaint_id=about_window.pk).complaint == about_window


def test_a_bad_review_of_another_staff_member_or_excluded_cannot_be_linked(personas):
    p = personas
    colleague = staff(p.window, "李强")
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, bad_review_id=bad_review(colleague).pk)
    assert err.value.errors == {
        "bad_review": ["所选差评针对的不是该工作人员，不能作为其处理依据。"]
    }
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, bad_review_id=bad_review(p.clerk, excluded=True).pk)
    assert err.value.errors["bad_review"] == ["所选差评已因申诉成立被剔除，不能作为处理依据。"]
    assert not Discipline.objects.exists()
    review = bad_review(p.clerk)
    assert decide(p, p.clerk, bad_review_id=review.pk).bad_review == review


def test_other_bad_inputs_name_their_fields(personas):
    p = personas
    other_window = window("F06")
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, window_id=other_window.pk, kind="fire", difficulty="", public_summary="")
    assert err.value.errors == {
        "window": ["请选择该工作人员目前所在的窗口。"],
        "kind": ["请选择处理方式。"],
        "difficulty": ["请选择问题类别。"],
    }
    with pytest.raises(Invalid) as err:
        decide(p, p.clerk, kind=DisciplineKind.NOTICE)
    assert err.value.errors == {
        "public_summary": ["通报批评须填写公开的通报内容（不含个人信息）。"]
    }
    with pytest.raises(Invalid) as err:
        decide(p, p.supervisor)
    assert err.value.errors == {"staff": ["只能对在岗的部门工作人员作出作风处理。"]}
    with pytest.raises(Forbidden):
        decide(p, p.clerk, actor=p.chief_a)
    assert not Discipline.objects.exists()


def test_the_staff_member_acknowledges_once_with_a_statement(personas):
    p = personas
    record = decide(p, with_phone(p.clerk))
    assert OutboxMessage.objects.filter(user=p.clerk).exists()
    with pytest.raises(Forbidden):
        services.discipline_acknowledge(actor=p.handler_a, record=record, statement="")
    with time_machine.travel(TODAY, tick=False):
        services.discipline_acknowledge(actor=p.clerk, record=record, statement="今后改正。")
    record.refresh_from_db()
    assert record.statement == "今后改正。" and record.acknowledged_at == TODAY
    with pytest.raises(ConductWrongState):
        services.discipline_acknowledge(actor=p.clerk, record=record, statement="再确认")
    record.refresh_from_db()
    assert record.statement == "今后改正。"


def test_a_public_notice_shows_window_masked_name_and_the_public_text_only(personas):
    p = personas
    decide(
        p,
        p.clerk,
        kind=DisciplineKind.NOTICE,
        reason="投诉人张伟（13907110001）反映窗口人员王芳态度恶劣。",
        public_summary="王芳在窗口受理时态度生硬，电话13907110001回访属实。",
    )
    decide(p, p.clerk, kind=DisciplineKind.INTERVIEW)  # not public
    [notice] = selectors.public_notices()
    assert notice.staff_name == "王*"
    assert (notice.window_number, notice.difficulty) == ("A01", "话难听")
    assert notice.summary == "王*在窗口受理时态度生硬，电话139****0001回访属实。"
    assert "张伟" not in str(vars(notice))


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王芳", "王*"), ("欧阳小明", "欧***"), ("周明（电子监察）", "周*"), ("", "*")],
)
def test_names_are_masked_to_the_surname(name, masked):
    assert selectors.mask_name(name) == masked
