"""The parallel review end to end (docs/product.md §C5, §C6), through the API: three departments
review in parallel, one stays silent (deemed consent), one special procedure, one extension, a
grant, a certificate verified by its QR token, delivery at the window, completion.

Every date below was counted by hand from docs/rules/workdays.md §A3 (2025: Oct 1–8 holiday,
Saturday Oct 11 a working day; the start day is never counted, A2):

  working days after 2025-09-30: 10-09 (1), 10-10 (2), 10-11 Sat (3), 10-13 (4), 10-14 (5),
  10-15 (6), 10-16 (7), 10-17 (8), 10-20 (9), 10-21 (10), … 11-03 (19), 11-04 (20).

- received Mon 2025-09-29 → intake due 5 working days later: 09-30, 10-09, 10-10, 10-11,
  10-13 → 2025-10-13.
- accepted 2025-09-30: lead A 5 days → 10-14; B 5 days → 10-14; C 3 days → 10-11.
- case deadline = latest branch (10-14) + 2 days consolidation → 10-16 (C3). The sum of the
  branches (5 + 5 + 3 + 2 = 15 days) would be 10-21: never that.
- statutory: 20 working days → 2025-11-04.
- C is silent: on 10-13 its due date (10-11) has passed → deemed consent, flagged (C2).
- special procedure 10-13 → 10-15: the working days after 10-13 through 10-15 = 10-14, 10-15
  = 2 (B4). Pending task A 10-14 → 10-16; case 10-16 → 10-20; statutory 11-04 → 11-06; the
  finished tasks B and C keep their dates.
- extension +10 approved 10-16 (Art. 42): case 10-20 → 11-03 (10-21 … 10-31 is 9, 11-03 is
  10); statutory 11-06 → 11-20 (11-07, 10, 11, 12, 13, 14, 17, 18, 19, 20).
- grant 2025-10-17 → certificate due 10 working days later (Art. 44): 10-20 … 10-31 → 10-31.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseFlag, CaseStatus, FlagKind
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_apply_fixtures import VALID_FORM
from onewindow.cases.uploads import case_file_add
from onewindow.catalog import deadlines
from onewindow.catalog.models import (
    Department,
    Item,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.certificates.models import Certificate
from onewindow.review.models import OpinionKind, Task, TaskStatus
from onewindow.review.services import tasks_deem_consent

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ok(response: Any, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, (response.status_code, response.content[:800])
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def three_departments(personas):
    dept_c = Department.objects.create(code="XFJ", name="鄂州市消防救援支队", short_name="消防")
    approver_b = User.objects.create_user(
        username="approver_b", password="x", role=Role.APPROVER, department=personas.dept_b
    )
    reviewer_c = User.objects.create_user(
        username="reviewer_c", password="x", role=Role.REVIEWER, department=dept_c
    )
    item = Item.objects.create(code="E2E-001", department=personas.dept_a)
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        name="食品经营许可（三部门并联）",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        statutory_days=20,
        committed_days=12,
        consolidation_days=2,
        result_type="certificate",
        result_name="食品经营许可证",
        delivery_methods=["window", "post"],
    )
    Material.objects.create(version=version, sort=1, name="食品经营许可申请书", is_core=True)
    steps = [dict(s) for s in deadlines.DEFAULT_STEPS]
    for sort, (dept, lead, days) in enumerate(
        [(personas.dept_a, True, 5), (personas.dept_b, False, 5), (dept_c, False, 3)], 1
    ):
        ProcessBranch.objects.create(
            version=version,
            department=dept,
            is_lead=lead,
            allotted_days=days,
            steps=steps,
            sort=sort,
        )
    version.status = VersionStatus.PUBLISHED
    version.save()
    item.published_version = version
    item.save()
    region = Region.objects.create(code="420700", name="鄂州市", level=RegionLevel.CITY)
    return personas, version, region, approver_b, reviewer_c, dept_c


def _task(case: Case, department: Department) -> Task:
    return Task.objects.get(case=case, department=department)


def _answer(client_for_step: list[APIClient], task: Task, kind: str = OpinionKind.AGREE) -> None:
    """Every step of the department's chain through the API, then its opinion."""
    for client in client_for_step[:-1]:
        revision = ok(client.get(f"/api/v1/review/tasks/{task.pk}/"))["revision"]
        ok(client.post(f"/api/v1/review/tasks/{task.pk}/step/", {"revision": revision}))
    last = client_for_step[-1]
    revision = ok(last.get(f"/api/v1/review/tasks/{task.pk}/"))["revision"]
    ok(
        last.post(
            f"/api/v1/review/tasks/{task.pk}/opinion/",
            {"revision": revision, "kind": kind, "text": ""},
        )
    )


def test_a_three_department_case_goes_from_submission_to_a_delivered_certificate(
    three_departments,
):
    p, version, region, approver_b, _silent_reviewer, dept_c = three_departments
    applicant = api_as(p.applicant)

    # Submitted online on Monday 2025-09-29.
    case = case_services.case_create_draft(
        item_version=version, applicant=p.applicant, created_by=p.applicant, region=region
    )
    case_services.application_save(
        case=case,
        actor=p.applicant,
        changes=case_services.ApplicationChanges(form_data=dict(VALID_FORM), uploads={}),
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=p.applicant)
    with time_machine.travel(at("2025-09-29"), tick=False):
        ok(applicant.post(f"/api/v1/cases/{case.pk}/submit/", {}, format="json"), 201)
    case.refresh_from_db()
    assert (case.received_on, case.intake_due) == (D("2025-09-29"), D("2025-10-13"))

    # Accepted at the window on 2025-09-30: three tasks open at the same moment.
    with time_machine.travel(at("2025-09-30"), tick=False):
        ok(api_as(p.clerk).post(f"/api/v1/intake/cases/{case.pk}/accept/", {}, format="json"))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    tasks = {t.department_id: t for t in Task.objects.filter(case=case)}
    assert {t.opened_on for t in tasks.values()} == {D("2025-09-30")}
    assert tasks[p.dept_a.pk].due == D("2025-10-14")
    assert tasks[p.dept_b.pk].due == D("2025-10-14")
    assert tasks[dept_c.pk].due == D("2025-10-11")
    # C3: the latest branch plus consolidation, never the sum of the branches (10-21).
    assert case.decision_due == D("2025-10-16")
    assert case.statutory_due == D("2025-11-04")

    # Department B agrees on 10-10; department C never answers.
    with time_machine.travel(at("2025-10-10"), tick=False):
        _answer(
            [api_as(p.reviewer_b), api_as(p.reviewer_b), api_as(approver_b)], tasks[p.dept_b.pk]
        )

    # 10-13: C's due date 10-11 has passed → deemed consent, recorded and flagged (C2).
    with time_machine.travel(at("2025-10-13", 1), tick=False):
        assert tasks_deem_consent(today=D("2025-10-13")) == 1
        assert tasks_deem_consent(today=D("2025-10-13")) == 0
    silent = _task(case, dept_c)
    assert silent.status == TaskStatus.DEEMED
    assert silent.opinion.kind == OpinionKind.DEEMED_CONSENT and silent.opinion.actor is None
    assert CaseFlag.objects.filter(case=case, kind=FlagKind.DEEMED_CONSENT).exists()

    # Special procedure (on-site inspection) 10-13 → 10-15: 2 working days are not counted.
    lead = api_as(p.approver_a)
    with time_machine.travel(at("2025-10-13", 11), tick=False):
        started = ok(
            lead.post(
                f"/api/v1/review/cases/{case.pk}/suspensions/",
                {"kind": "inspection", "reason": "现场核查经营场所", "expected_days": 3},
                format="json",
            ),
            201,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    suspension_id = started["id"]
    with time_machine.travel(at("2025-10-15", 16), tick=False):
        ok(
            lead.post(
                f"/api/v1/review/suspensions/{suspension_id}/end/",
                {"result": "现场核查符合要求"},
                format="json",
            )
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert _task(case, p.dept_a).due == D("2025-10-16")
    assert _task(case, p.dept_b).due == D("2025-10-14")  # already answered: unchanged
    assert _task(case, dept_c).due == D("2025-10-11")
    assert (case.decision_due, case.statutory_due) == (D("2025-10-20"), D("2025-11-06"))

    # Extension of 10 working days, asked by the handler, approved by the agency head (Art. 42).
    with time_machine.travel(at("2025-10-16", 9), tick=False):
        asked = ok(
            api_as(p.handler_a).post(
                f"/api/v1/review/cases/{case.pk}/extensions/",
                {"days": 10, "reasons": "需要进一步核实申请材料"},
                format="json",
            ),
            201,
        )
        extension_id = asked["id"]
        ok(
            api_as(p.head_a).post(
                f"/api/v1/review/extensions/{extension_id}/decide/",
                {"approve": True, "note": "同意延期"},
                format="json",
            )
        )
        # A second extension is refused (one per case).
        again = api_as(p.handler_a).post(
            f"/api/v1/review/cases/{case.pk}/extensions/",
            {"days": 5, "reasons": "再次延期"},
            format="json",
        )
        assert again.status_code in (400, 409)
    case.refresh_from_db()
    assert (case.decision_due, case.statutory_due) == (D("2025-11-03"), D("2025-11-20"))
    # Every department's task page shows the case's extension and special procedure.
    page = Client()
    page.force_login(p.reviewer_b)
    html = page.get(f"/review/tasks/{_task(case, p.dept_b).pk}/").content.decode()
    assert "需要进一步核实申请材料" in html and "现场核查经营场所" in html

    # The lead department answers on 10-16 (its due date after the special procedure).
    with time_machine.travel(at("2025-10-16", 14), tick=False):
        _answer([api_as(p.handler_a), api_as(p.reviewer_a), lead], _task(case, p.dept_a))

    # Grant on 10-17: a certificate with its own due date 10 working days later (Art. 44).
    with time_machine.travel(at("2025-10-17"), tick=False):
        summary = ok(lead.get(f"/api/v1/review/cases/{case.pk}/summary/"))
        ok(
            lead.post(
                f"/api/v1/review/cases/{case.pk}/decision/",
                {"kind": "grant", "conditions": "", "revision": summary.get("revision")},
                format="json",
            ),
            201,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.GRANTED
    assert case.decision.certificate_due == D("2025-10-31")
    certificate = Certificate.objects.get(case=case)
    verified = ok(APIClient().get(f"/api/v1/certificates/verify/{certificate.token}/"))
    assert verified["state"] == "valid" and verified["serial"] == certificate.serial

    # Delivery at the window: the applicant chooses, the clerk hands over; the case completes.
    with time_machine.travel(at("2025-10-20"), tick=False):
        ok(applicant.post(f"/api/v1/cases/{case.pk}/delivery/", {"method": "window"}))
    with time_machine.travel(at("2025-10-21"), tick=False):
        ok(
            api_as(p.clerk).post(
                f"/api/v1/cases/{case.pk}/delivery/handover/",
                {
                    "receiver_name": p.applicant.full_name,
                    "receiver_id_number": p.applicant.id_number,
                },
            )
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.closed_at is not None
    assert not CaseFlag.objects.filter(case=case, kind=FlagKind.CERTIFICATE_OVERDUE).exists()

    # The public progress query tells the same story without a login.
    progress = ok(
        APIClient().get("/api/v1/progress/", {"number": str(case.number), "code": case.query_code})
    )
    assert progress["status"] == CaseStatus.COMPLETED
