"""The intake rules of ALL Art. 32 and docs/rules/licensing.md §B1, §G2, through the services,
frozen clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import (
    CaseEvent,
    CaseStatus,
    Commitment,
    CommitmentStatus,
    FlagKind,
    NoticeKind,
)
from onewindow.cases.tests.conftest import World, make_version, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import ToleranceCategory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def submitted_case(world: World, *, skip: int = 0, version=None, when: str = "2025-04-30"):
    version = version or world.version
    case = services.case_create_draft(
        item_version=version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    lines = list(case.materials.select_related("material"))
    for line in lines[: len(lines) - skip]:
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    with time_machine.travel(at(when), tick=False):
        services.case_submit(case=case, actor=world.applicant)
    return case


def test_deemed_acceptance_example_of_b1(world):
    # B1: received 2025-04-30, no notice by end of 2025-05-12 → accepted from 2025-04-30.
    case = submitted_case(world)
    assert case.received_on == dt.date(2025, 4, 30)
    assert case.intake_due == dt.date(2025, 5, 12)
    with time_machine.travel(at("2025-05-12", 23), tick=False):
        assert services.cases_accept_deemed() == 0
    with time_machine.travel(at("2025-05-13", 0), tick=False):
        assert services.cases_accept_deemed() == 1
    case.refresh_from_db()
    # accepted; the review opened at once (docs/product.md §C5)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.deemed_accepted
    assert case.accepted_on == dt.date(2025, 4, 30)
    assert case.flags.filter(kind=FlagKind.DEEMED_ACCEPTANCE).exists()
    assert case.notices.filter(kind=NoticeKind.ACCEPTANCE).count() == 1
    # Running the job again changes nothing.
    with time_machine.travel(at("2025-05-14"), tick=False):
        assert services.cases_accept_deemed() == 0


def test_tolerated_acceptance_example_of_g2(world):
    # G2: committed limit 10 working days, accepted 2026-04-30 → supplement due by 2026-05-18.
    case = submitted_case(world, skip=1, when="2026-04-29")
    missing = case.materials.get(material=world.non_core[-1])
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[missing.pk])
    case.refresh_from_db()
    assert case.decision_due == dt.date(2026, 5, 18)
    commitment = Commitment.objects.get(case=case)
    assert commitment.due_on == dt.date(2026, 5, 18)
    assert case.notices.filter(kind=NoticeKind.TOLERATED).exists()
    # Nothing supplied by then → terminated the next day, with a notice and a flag.
    with time_machine.travel(at("2026-05-18", 20), tick=False):
        assert services.commitments_terminate_overdue() == 0
    with time_machine.travel(at("2026-05-19"), tick=False):
        assert services.commitments_terminate_overdue() == 1
    case.refresh_from_db()
    commitment.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED
    assert commitment.status == CommitmentStatus.OVERDUE
    assert case.flags.filter(kind=FlagKind.COMMITMENT_OVERDUE).exists()
    assert case.notices.filter(kind=NoticeKind.TERMINATION).exists()


def test_restricted_item_refuses_any_missing_non_core_material(world):
    version, _core, _others = make_version(
        world.department, code="CASE-T-R", category=ToleranceCategory.RESTRICTED, non_core=1
    )
    case = submitted_case(world, version=version, when="2026-04-29")
    missing = case.materials.get(material__is_core=False)  # uploaded, but found defective
    with pytest.raises(CaseError, match=r"限制类.*最多可容缺 0 项"):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[missing.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not Commitment.objects.filter(case=case).exists()


def test_core_material_can_never_be_tolerated(world):
    case = submitted_case(world, when="2026-04-29")
    core = case.materials.get(material=world.core)
    with pytest.raises(CaseError, match="主要材料不得容缺"):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[core.pk])


def test_second_correction_needs_sign_off_and_is_flagged(world):
    case = submitted_case(world, when="2026-03-02")
    line = case.materials.first()
    finding = services.MaterialFinding(case_material_id=line.pk, problem="defective", remark="模糊")
    services.case_request_correction(case=case, actor=world.clerk, findings=[finding])
    services.case_resubmit(case=case, actor=world.applicant)
    with pytest.raises(CaseError, match="签批"):
        services.case_request_correction(case=case, actor=world.clerk, findings=[finding])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.correction_count == 1
    services.case_request_correction(
        case=case,
        actor=world.clerk,
        findings=[finding],
        sign_off_by=world.supervisor,
        sign_off_reason="申请人新增材料有误",
    )
    assert case.flags.filter(kind=FlagKind.SECOND_CORRECTION).exists()


def test_forbidden_transitions(world):
    case = submitted_case(world, when="2026-03-02")
    services.case_withdraw(case=case, actor=world.applicant)
    with pytest.raises(WrongStatus):
        services.case_accept(case=case, actor=world.clerk)
    other = submitted_case(world, when="2026-03-02")
    with pytest.raises(CaseError, match="理由"):
        services.case_reject(case=other, actor=world.clerk, reasons="  ")
    with pytest.raises(CaseError):
        services.case_accept(case=other, actor=world.other_clerk)
    other.refresh_from_db()
    assert other.status == CaseStatus.SUBMITTED


def test_every_transition_writes_one_event(world):
    case = submitted_case(world, when="2026-03-02")
    services.case_reject(
        case=case,
        actor=world.clerk,
        reasons="不属于本部门职权范围",
        competent_agency="鄂州市住房和城乡建设局",
    )
    transitions = list(
        CaseEvent.objects.filter(case=case)
        .exclude(old_status="", new_status="")
        .exclude(action__in=["file_added", "draft_created"])
        .values_list("old_status", "new_status")
    )
    assert transitions == [("draft", "submitted"), ("submitted", "rejected")]
    notice = case.notices.get(kind=NoticeKind.REJECTION)
    assert "行政复议" in notice.content["appeal_rights"]


def test_submission_is_idempotent(world):
    case = services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    first = services.case_submit(case=case, actor=world.applicant, idempotency_key="k1")
    again = services.case_submit(case=case, actor=world.applicant, idempotency_key="k1")
    twice = services.case_submit(case=case, actor=world.applicant)
    assert first.number == again.number == twice.number
    assert CaseEvent.objects.filter(case=case, action="submitted").count() == 1


def test_submit_allows_missing_non_core_only_within_tolerance(world):
    version, _core, _others = make_version(
        world.department, code="CASE-T-R2", category=ToleranceCategory.RESTRICTED, non_core=1
    )
    case = services.case_create_draft(
        item_version=version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    case_file_add(
        case_material=case.materials.get(material__is_core=True),
        upload=pdf(),
        actor=world.applicant,
    )
    with pytest.raises(CaseError, match="次要材料1"):
        services.case_submit(case=case, actor=world.applicant)


def test_submit_refuses_a_required_material_without_file(world):
    case = services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    with pytest.raises(CaseError, match="尚未上传"):
        services.case_submit(case=case, actor=world.applicant)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.number is None


def test_the_intake_decision_records_the_clerks_window_serving_the_department(world):
    # Window performance (docs/product.md §C10) counts each intake decision for the window it was
    # made at.
    from onewindow.catalog.models import Window

    elsewhere = Window.objects.create(number="01", name="综合窗口")
    serving = Window.objects.create(number="07", name="市场监管窗口")
    serving.departments.add(world.department)
    world.clerk.windows.add(elsewhere, serving)
    accepted, rejected = submitted_case(world), submitted_case(world)
    services.case_accept(case=accepted, actor=world.clerk)
    services.case_reject(case=rejected, actor=world.clerk, reasons="不属于本机关职权范围")
    for case in (accepted, rejected):
        case.refresh_from_db()
        assert case.intake_window == serving
    # A clerk with no window that serves the department: their first window; none: no window.
    world.clerk.windows.remove(serving)
    case = submitted_case(world)
    services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.intake_window == elsewhere
    world.clerk.windows.clear()
    case = submitted_case(world)
    services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.intake_window is None
