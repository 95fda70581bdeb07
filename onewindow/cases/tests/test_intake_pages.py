"""The window intake pages (docs/product.md §C4): queue, case file, the three decisions, sign-off,
access refusals, and the 容缺 commitments ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Commitment,
    CommitmentStatus,
    CorrectionNotice,
    FlagKind,
    MaterialStatus,
    Notice,
    NoticeKind,
)
from onewindow.cases.tests.conftest import PDF_BYTES, World, make_version, pdf
from onewindow.cases.tests.test_intake_rules import at, submitted_case
from onewindow.catalog.models import ToleranceCategory
from onewindow.core.models import AccessDenied

PASSWORD = "Test-pass-123"


def _user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, full_name=username, **extra
    )


def _case_url(case: Case, name: str = "intake_case") -> str:
    return reverse(f"cases:{name}", args=[case.pk])


def _post(client: Any, case: Case, name: str, data: dict[str, Any]) -> Any:
    case.refresh_from_db()
    return client.post(_case_url(case, name), {"revision": case.revision, **data})


def _lines(case: Case) -> dict[str, Any]:
    return {line.material.name: line for line in case.materials.select_related("material")}


@pytest.fixture
def clerk_client(client: Any, world: World) -> Any:
    client.force_login(world.clerk)
    return client


# --- queue ------------------------------------------------------------------------------------


def test_queue_lists_submitted_cases_of_the_department_with_due_warnings(clerk_client, world):
    early = submitted_case(world, when="2026-03-02")  # intake due 2026-03-09
    later = submitted_case(world, when="2026-03-05")  # intake due 2026-03-12
    other_version, _core, _others = make_version(world.other_department, code="OTHER-1")
    elsewhere = submitted_case(world, version=other_version, when="2026-03-02")
    with time_machine.travel(at("2026-03-06"), tick=False):
        page = clerk_client.get(reverse("cases:intake_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert early.number in html and later.number in html
    assert elsewhere.number not in html
    assert html.index(early.number) < html.index(later.number)
    # 2026-03-06 is a Friday: due Monday 03-09 is the next working day.
    assert "下一工作日到期" in html
    assert "还剩 4 个工作日" in html
    with time_machine.travel(at("2026-03-10"), tick=False):
        html = clerk_client.get(reverse("cases:intake_queue")).content.decode()
    assert "已逾期" in html and "badge-due-overdue" in html


def test_queue_sorts_by_submission_time_on_request(clerk_client, world):
    first = submitted_case(world, when="2026-03-04")
    second = submitted_case(world, when="2026-03-05")
    with time_machine.travel(at("2026-03-06"), tick=False):
        html = clerk_client.get(reverse("cases:intake_queue") + "?sort=submitted").content.decode()
    assert html.index(first.number) < html.index(second.number)
    assert 'aria-current="true">按提交时间' in html


def test_queue_is_refused_to_applicants_with_a_logged_404(client, world):
    client.force_login(world.applicant)
    assert client.get(reverse("cases:intake_queue")).status_code == 404
    assert AccessDenied.objects.filter(user=world.applicant).exists()


def test_queue_sends_anonymous_visitors_to_the_login_page(client, world):
    response = client.get(reverse("cases:intake_queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the case page ----------------------------------------------------------------------------


def test_case_page_shows_the_file_materials_history_and_decision_forms(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    page = clerk_client.get(_case_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html
    assert "食品经营许可申请书" in html
    assert "提交申请" in html  # the history
    for form in ("intake_accept", "intake_correction", "intake_reject"):
        assert _case_url(case, form) in html
    file_id = case.materials.get(material=world.core).files.get().pk
    assert reverse("cases:intake_file", args=[case.pk, file_id]) in html


def test_clerk_of_another_department_gets_404_and_an_access_denied_row(client, world):
    case = submitted_case(world, when="2026-03-02")
    client.force_login(world.other_clerk)
    assert client.get(_case_url(case)).status_code == 404
    response = _post(client, case, "intake_accept", {})
    assert response.status_code == 404
    response = _post(client, case, "intake_reject", {"reasons": "不属于本部门"})
    assert response.status_code == 404
    assert (
        AccessDenied.objects.filter(user=world.other_clerk, target=f"case:{case.pk}").count() == 3
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_staff_file_download_is_an_attachment(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    attached = case.materials.get(material=world.core).files.get()
    response = clerk_client.get(reverse("cases:intake_file", args=[case.pk, attached.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_file_of_another_case_is_not_served_through_this_case(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    other = submitted_case(world, when="2026-03-02")
    foreign = other.materials.get(material=world.core).files.get()
    response = clerk_client.get(reverse("cases:intake_file", args=[case.pk, foreign.pk]))
    assert response.status_code == 404


# --- accept -----------------------------------------------------------------------------------


def test_accepting_issues_an_acceptance_notice(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    with time_machine.travel(at("2026-03-03"), tick=False):
        response = _post(clerk_client, case, "intake_accept", {})
    assert response.status_code == 302
    case.refresh_from_db()
    # accepted; the review opened at once (docs/product.md §C5)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.accepted_on == dt.date(2026, 3, 3)
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    page = clerk_client.get(response["Location"])
    assert "已受理，受理通知书已生成" in page.content.decode()
    assert reverse("cases:notice_pdf", args=[case.pk, notice.pk]) in page.content.decode()


def test_tolerated_acceptance_records_the_commitment_due_by_the_committed_limit(
    clerk_client, world
):
    case = submitted_case(world, skip=1, when="2026-04-29")
    missing = _lines(case)["次要材料2"]
    with time_machine.travel(at("2026-04-30"), tick=False):
        page = clerk_client.get(_case_url(case)).content.decode()
        assert 'value="2026-05-18"' in page  # the default and latest due date (G2 example)
        assert "次要材料2（未上传）" in page and "次要材料1（未上传）" not in page
        response = _post(clerk_client, case, "intake_accept", {"tolerated": [missing.pk]})
    assert response.status_code == 302
    commitment = Commitment.objects.get(case=case)
    assert commitment.due_on == dt.date(2026, 5, 18)
    assert case.notices.filter(kind=NoticeKind.TOLERATED).exists()
    missing.refresh_from_db()
    assert missing.status == MaterialStatus.TOLERATED


def test_tolerated_due_date_after_the_committed_limit_is_refused(clerk_client, world):
    case = submitted_case(world, skip=1, when="2026-04-29")
    missing = _lines(case)["次要材料2"]
    with time_machine.travel(at("2026-04-30"), tick=False):
        response = _post(
            clerk_client,
            case,
            "intake_accept",
            {"tolerated": [missing.pk], "commitment_due": "2026-05-19"},
        )
    assert response.status_code == 400
    assert "不得晚于承诺办结期限 2026-05-18" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not Commitment.objects.filter(case=case).exists()


def test_restricted_item_with_a_missing_non_core_material_shows_the_tolerance_message(
    clerk_client, world
):
    version, _core, _others = make_version(
        world.department, code="CASE-T-R", category=ToleranceCategory.RESTRICTED, non_core=1
    )
    case = submitted_case(world, version=version, when="2026-04-29")
    line = case.materials.get(material__is_core=False)
    response = _post(clerk_client, case, "intake_accept", {"tolerated": [line.pk]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "该事项属于“限制类”，最多可容缺 0 项次要材料" in html
    assert "办件未作任何改动" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not case.notices.exists() and not Commitment.objects.filter(case=case).exists()


def test_accepting_a_withdrawn_case_is_refused_with_the_status_message(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    page_revision = case.revision
    services.case_withdraw(case=case, actor=world.applicant)
    # The clerk's form still carries the revision of the page they had open.
    response = clerk_client.post(_case_url(case, "intake_accept"), {"revision": page_revision})
    assert response.status_code == 409
    assert "已发生变化" in response.content.decode()
    # Even with the current revision the service refuses: the status is checked first.
    response = _post(clerk_client, case, "intake_accept", {})
    assert response.status_code == 400
    assert "办件当前状态为“已撤回”，不能执行此操作" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and not case.notices.exists()


def test_a_decision_form_without_its_revision_is_refused(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    response = clerk_client.post(_case_url(case, "intake_accept"), {})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- correction -------------------------------------------------------------------------------


def _findings(case: Case) -> dict[str, Any]:
    lines = _lines(case)
    core, second = lines["食品经营许可申请书"], lines["次要材料1"]
    return {
        f"problem_{core.pk}": "defective",
        f"remark_{core.pk}": "签名缺失，请法定代表人签字",
        f"problem_{second.pk}": "missing",
        f"remark_{second.pk}": "请补交营业执照复印件",
    }


def test_correction_lists_every_finding_in_one_notice(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    response = _post(clerk_client, case, "intake_correction", _findings(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and case.correction_count == 1
    notice = case.notices.get(kind=NoticeKind.CORRECTION)
    assert [line["material"] for line in notice.content["lines"]] == [
        "食品经营许可申请书",
        "次要材料1",
    ]
    assert notice.content["lines"][0]["remark"] == "签名缺失，请法定代表人签字"
    # The case is now in the "awaiting correction" tab.
    assert case.number in clerk_client.get(reverse("cases:intake_corrections")).content.decode()


def test_correction_needs_a_remark_for_each_problem_and_at_least_one_problem(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    core = _lines(case)["食品经营许可申请书"]
    response = _post(clerk_client, case, "intake_correction", {f"problem_{core.pk}": "missing"})
    assert response.status_code == 400
    assert "请写明“食品经营许可申请书”需要如何补正" in response.content.decode()
    response = _post(clerk_client, case, "intake_correction", {})
    assert "补正告知须至少列明一项" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not case.notices.exists()


def _second_round(world: World, case: Case) -> None:
    line = case.materials.first()
    assert line is not None
    finding = services.MaterialFinding(case_material_id=line.pk, problem="missing", remark="缺")
    services.case_request_correction(case=case, actor=world.clerk, findings=[finding])
    services.case_resubmit(case=case, actor=world.applicant)


def test_second_correction_without_sign_off_is_refused(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    page = clerk_client.get(_case_url(case)).content.decode()
    assert "第二次补正告知：须经签批" in page
    response = _post(clerk_client, case, "intake_correction", _findings(case))
    assert response.status_code == 400
    assert "第二次补正告知须由监察人员或首席代表签批" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.correction_count == 1
    assert CorrectionNotice.objects.filter(case=case).count() == 1


def test_second_correction_with_a_wrong_signer_password_is_refused(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    data = {
        **_findings(case),
        "signer_username": "supervisor",
        "signer_password": "wrong-password",
        "sign_off_reason": "申请人补正后的材料仍有新问题",
    }
    response = _post(clerk_client, case, "intake_correction", data)
    assert response.status_code == 400
    assert "签批人用户名或密码不正确" in response.content.decode()
    assert CorrectionNotice.objects.filter(case=case).count() == 1


def test_second_correction_cannot_be_signed_off_by_a_clerk(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    _user("clerk2", Role.CLERK, department=world.department)
    data = {
        **_findings(case),
        "signer_username": "clerk2",
        "signer_password": PASSWORD,
        "sign_off_reason": "理由",
    }
    response = _post(clerk_client, case, "intake_correction", data)
    assert "该账号没有签批补正告知的权限" in response.content.decode()
    assert CorrectionNotice.objects.filter(case=case).count() == 1


def test_chief_cannot_sign_off_their_own_second_correction(client, world):
    chief = _user("chief", Role.CHIEF, department=world.department)
    client.force_login(chief)
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    data = {
        **_findings(case),
        "signer_username": "chief",
        "signer_password": PASSWORD,
        "sign_off_reason": "理由",
    }
    response = _post(client, case, "intake_correction", data)
    assert response.status_code == 400
    assert "须由经办人以外的人员签批" in response.content.decode()
    assert CorrectionNotice.objects.filter(case=case).count() == 1


def test_second_correction_signed_off_by_a_supervisor_is_recorded_and_flagged(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    data = {
        **_findings(case),
        "signer_username": "supervisor",
        "signer_password": PASSWORD,
        "sign_off_reason": "申请人补正后的材料仍有新问题",
    }
    response = _post(clerk_client, case, "intake_correction", data)
    assert response.status_code == 302
    second = CorrectionNotice.objects.get(case=case, sequence=2)
    assert second.signed_off_by == world.supervisor
    assert second.sign_off_reason == "申请人补正后的材料仍有新问题"
    assert case.flags.filter(kind=FlagKind.SECOND_CORRECTION).exists()


def test_sign_off_attempts_are_limited(clerk_client, world, settings):
    case = submitted_case(world, when="2026-03-02")
    _second_round(world, case)
    data = {
        **_findings(case),
        "signer_username": "supervisor",
        "signer_password": "guess",
        "sign_off_reason": "理由",
    }
    for _attempt in range(5):
        _post(clerk_client, case, "intake_correction", data)
    response = _post(clerk_client, case, "intake_correction", {**data, "signer_password": PASSWORD})
    assert "错误次数过多" in response.content.decode()
    assert CorrectionNotice.objects.filter(case=case).count() == 1


# --- reject -----------------------------------------------------------------------------------


def test_rejecting_without_reasons_is_refused(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    response = _post(clerk_client, case, "intake_reject", {"reasons": "   "})
    assert response.status_code == 400
    assert "不予受理必须说明理由" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not case.notices.exists()


def test_rejection_names_the_competent_agency_and_prints_appeal_rights(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    response = _post(
        clerk_client,
        case,
        "intake_reject",
        {
            "reasons": "申请事项依法不属于本机关职权范围",
            "competent_agency": "鄂州市住房和城乡建设局",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    notice = case.notices.get(kind=NoticeKind.REJECTION)
    assert notice.content["competent_agency"] == "鄂州市住房和城乡建设局"
    assert "行政复议" in notice.content["appeal_rights"]


def test_a_case_awaiting_correction_can_still_be_rejected_but_not_accepted(clerk_client, world):
    case = submitted_case(world, when="2026-03-02")
    _post(clerk_client, case, "intake_correction", _findings(case))
    html = clerk_client.get(_case_url(case)).content.decode()
    assert _case_url(case, "intake_reject") in html
    assert _case_url(case, "intake_accept") not in html
    response = _post(clerk_client, case, "intake_accept", {})
    assert "办件当前状态为“待补正材料”" in response.content.decode()


# --- 容缺 commitments ledger ------------------------------------------------------------------


def _tolerated_case(world: World) -> tuple[Case, Commitment]:
    case = submitted_case(world, skip=1, when="2026-04-29")
    missing = _lines(case)["次要材料2"]
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[missing.pk])
    return case, Commitment.objects.get(case=case)


def test_ledger_lists_open_commitments_with_overdue_highlighted(clerk_client, world):
    case, _commitment = _tolerated_case(world)
    with time_machine.travel(at("2026-05-15"), tick=False):
        html = clerk_client.get(reverse("cases:intake_commitments")).content.decode()
    assert case.number in html and "次要材料2" in html and "2026-05-18" in html
    assert "下一工作日到期" in html
    with time_machine.travel(at("2026-05-19", 8), tick=False):
        html = clerk_client.get(reverse("cases:intake_commitments")).content.decode()
    assert "已逾期" in html and "row-due-overdue" in html


def test_recording_the_supplied_material_fulfils_the_commitment(clerk_client, world):
    case, commitment = _tolerated_case(world)
    url = reverse("cases:intake_commitment_fulfil", args=[commitment.pk])
    with time_machine.travel(at("2026-05-12"), tick=False):
        response = clerk_client.post(url, {"file": pdf("补交.pdf")})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED
    line = _lines(case)["次要材料2"]
    assert line.status == MaterialStatus.OK
    assert line.files.get().stored.original_name == "补交.pdf"
    assert CaseEvent.objects.filter(case=case, action="commitment_fulfilled").exists()
    # Fulfilling twice is refused with a message.
    with time_machine.travel(at("2026-05-12"), tick=False):
        again = clerk_client.post(url, {"file": pdf("again.pdf")})
    assert again.status_code == 400
    assert "该承诺当前状态为“已履行”" in again.content.decode()
    assert line.files.count() == 1


def test_supplying_an_executable_is_refused_and_nothing_changes(clerk_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _case, commitment = _tolerated_case(world)
    url = reverse("cases:intake_commitment_fulfil", args=[commitment.pk])
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with time_machine.travel(at("2026-05-12"), tick=False):
        response = clerk_client.post(url, {"file": exe})
    assert response.status_code == 400
    assert "不是 PDF、JPEG 或 PNG 格式" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.OPEN


def test_supplying_after_the_due_date_is_refused(clerk_client, world):
    _case, commitment = _tolerated_case(world)
    url = reverse("cases:intake_commitment_fulfil", args=[commitment.pk])
    with time_machine.travel(at("2026-05-19", 8), tick=False):
        response = clerk_client.post(url, {"file": pdf()})
    assert response.status_code == 400
    assert "补齐期限 2026-05-18 已过" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.OPEN


def test_clerk_of_another_department_cannot_fulfil_a_commitment(client, world):
    _case, commitment = _tolerated_case(world)
    client.force_login(world.other_clerk)
    url = reverse("cases:intake_commitment_fulfil", args=[commitment.pk])
    assert client.post(url, {"file": pdf()}).status_code == 404
    assert AccessDenied.objects.filter(target=f"commitment:{commitment.pk}").exists()


def test_open_commitments_for_applicant_lists_their_own(world):
    from onewindow.cases.selectors import open_commitments_for_applicant

    _case, commitment = _tolerated_case(world)
    assert list(open_commitments_for_applicant(world.applicant)) == [commitment]
    assert not open_commitments_for_applicant(world.clerk).exists()


def test_notice_pdf_is_served_to_the_applicant_and_staff_only(client, world):
    case = submitted_case(world, when="2026-03-02")
    services.case_accept(case=case, actor=world.clerk)
    notice = Notice.objects.get(case=case)
    url = reverse("cases:notice_pdf", args=[case.pk, notice.pk])
    for user in (world.applicant, world.clerk, world.supervisor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response.content.startswith(b"%PDF")
    stranger = _user("stranger", Role.APPLICANT)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(world.other_clerk)
    assert client.get(url).status_code == 404
    assert AccessDenied.objects.filter(user__in=[stranger, world.other_clerk]).count() == 2


def test_a_notice_of_another_case_is_not_served_through_this_case(client, world):
    mine = submitted_case(world, when="2026-03-02")
    other = submitted_case(world, when="2026-03-02")
    services.case_accept(case=other, actor=world.clerk)
    notice = Notice.objects.get(case=other)
    client.force_login(world.applicant)
    assert client.get(reverse("cases:notice_pdf", args=[mine.pk, notice.pk])).status_code == 404


def test_sqlite_reads_the_intake_queue_from_its_partial_index(world):
    """docs/decisions.md §O5: ``status = 'submitted'`` written into the SQL, as the partial
    indexes case_intake_queue and case_intake_by_submission are defined, so SQLite uses them
    instead of reading the department's every case of every year."""
    from django.db import connection

    from onewindow.cases.selectors import intake_queue, intake_queue_by_submission

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner: PostgreSQL gets the values inline (client-side binding)")
    for rows, index in (
        (intake_queue(world.clerk), "case_intake_queue"),
        (intake_queue_by_submission(world.clerk), "case_intake_by_submission"),
    ):
        sql, params = rows[:21].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert f"USING INDEX {index}" in plan, plan
