"""Issuing a certificate on a grant: serial numbers per department and year (also under
concurrent issues), fields copied from the case, validity, signature, event and notification."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, cast

import pytest
from django.db import connection

from onewindow.accounts.roles import Role
from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import CaseEvent
from onewindow.certificates import services, signing
from onewindow.certificates.models import Certificate, CertificateSequence, CertificateStatus
from onewindow.certificates.tests.conftest import (
    accepted_case,
    certificate_version,
    grant_for_test,
    issue,
    staff,
)
from onewindow.notifications.models import OutboxMessage


def test_the_certificate_copies_holder_item_department_scope_and_dates_from_the_case(
    certificate, personas
):
    applicant = personas.applicant
    assert certificate.serial == "SCJG-2025-000001"
    assert len(certificate.token) == 32
    assert certificate.title == "食品经营许可证"
    assert certificate.holder_name == "张伟"
    assert certificate.holder_id_number == applicant.id_number
    assert (certificate.item_code, certificate.item_name) == ("CERT-T-001", "食品经营许可（测试）")
    assert certificate.department_name == "鄂州市市场监督管理局"
    assert certificate.scope == "经营项目：预包装食品销售"
    assert certificate.issued_on == certificate.valid_from == dt.date(2025, 9, 30)
    # Five years from the issue date, the last day included.
    assert certificate.valid_until == dt.date(2030, 9, 29)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.issued_by == personas.approver_a


def test_the_stored_row_carries_a_valid_hmac_signature(certificate):
    stored = Certificate.objects.get(pk=certificate.pk)
    assert len(stored.signature) == 64
    assert signing.signature_valid(stored)
    stored.holder_name = "李四"
    assert not signing.signature_valid(stored)


def test_issuing_writes_a_case_event_and_tells_the_applicant(certificate):
    event = CaseEvent.objects.get(case=certificate.case, action="certificate_issued")
    assert event.data["serial"] == certificate.serial
    messages = OutboxMessage.objects.filter(event=event)
    assert messages.exists()
    from onewindow.notifications.texts import compose

    body = compose(event).body
    assert certificate.serial in body and "选择领取方式" in body


def test_serials_are_sequential_per_department_and_year(personas, granted, region):
    first = issue(granted, granted.decision)
    second_case = accepted_case(
        granted.item_version, applicant=personas.outsider, clerk=personas.clerk, region=region
    )
    second = issue(second_case, grant_for_test(second_case, approver=personas.approver_a))
    # Another department starts its own sequence …
    clerk_b = staff("clerk_b", Role.CLERK, personas.dept_b)
    approver_b = staff("approver_b", Role.APPROVER, personas.dept_b)
    version_b = certificate_version(personas.dept_b, code="CERT-T-B")
    case_b = accepted_case(version_b, applicant=personas.applicant, clerk=clerk_b, region=region)
    other = issue(case_b, grant_for_test(case_b, approver=approver_b))
    # … and a new year starts again at 1.
    next_year = accepted_case(
        granted.item_version,
        applicant=personas.enterprise,
        clerk=personas.clerk,
        region=region,
        submitted="2026-01-05",
        accepted="2026-01-06",
    )
    decision = grant_for_test(next_year, approver=personas.approver_a, day="2026-01-07")
    in_2026 = issue(next_year, decision, day="2026-01-07")
    assert [first.serial, second.serial, other.serial, in_2026.serial] == [
        "SCJG-2025-000001",
        "SCJG-2025-000002",
        "ZJJ-2025-000001",
        "SCJG-2026-000001",
    ]
    assert CertificateSequence.objects.get(department_code="SCJG", year=2025).last == 2


def test_an_enterprise_holder_is_identified_by_its_credit_code(personas, version, region):
    case = accepted_case(
        version, applicant=personas.enterprise, clerk=personas.clerk, region=region
    )
    certificate = issue(case, grant_for_test(case, approver=personas.approver_a))
    assert certificate.holder_name == "鄂州市示范科技有限公司"
    assert certificate.holder_id_number == personas.enterprise.credit_code


def test_a_long_term_result_has_no_end_of_validity(personas, version, region):
    case = accepted_case(version, applicant=personas.applicant, clerk=personas.clerk, region=region)
    decision = grant_for_test(case, approver=personas.approver_a, conditions="许可长期有效")
    assert issue(case, decision).valid_until is None


def test_a_certificate_is_issued_once_and_only_for_a_granted_certificate_item(
    personas, granted, region
):
    issue(granted, granted.decision)
    with pytest.raises(CaseError, match="已制发证照"):
        issue(granted, granted.decision)
    assert Certificate.objects.filter(case=granted).count() == 1

    accepted = accepted_case(
        granted.item_version, applicant=personas.outsider, clerk=personas.clerk, region=region
    )
    decision = grant_for_test(accepted, approver=personas.approver_a)
    accepted.status = "accepted"  # as another request would still see it
    with pytest.raises(WrongStatus):
        issue(accepted, decision)

    approval = certificate_version(personas.dept_a, code="APPROVAL-1", result_type="approval")
    case = accepted_case(
        approval, applicant=personas.applicant, clerk=personas.clerk, region=region
    )
    with pytest.raises(CaseError, match="不是证照"):
        issue(case, grant_for_test(case, approver=personas.approver_a))
    assert not Certificate.objects.filter(case__in=[accepted, case]).exists()


def test_staff_without_the_right_of_the_department_cannot_issue(personas, granted):
    for actor in (personas.clerk, personas.reviewer_b):
        with pytest.raises(CaseError, match="无权"):
            services.certificate_issue(case=granted, decision=granted.decision, actor=actor)
    # The department's chief may issue for a decision someone else made.
    assert services.certificate_issue(
        case=granted, decision=granted.decision, actor=personas.chief_a
    ).serial.startswith("SCJG-")


# --- concurrency: real threads, real transactions ----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_issues_at_the_same_moment_get_distinct_consecutive_serials(personas, region):
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")
    version = certificate_version(personas.dept_a, code="CERT-RACE")
    cases = []
    for applicant in (personas.applicant, personas.outsider, personas.enterprise):
        case = accepted_case(version, applicant=applicant, clerk=personas.clerk, region=region)
        grant_for_test(case, approver=personas.approver_a)
        cases.append(case)
    barrier = threading.Barrier(len(cases))
    results: list[Any] = [None] * len(cases)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = issue(cases[i], cases[i].decision).serial
        except BaseException as exc:  # surfaced by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == [f"SCJG-2025-{n:06d}" for n in (1, 2, 3)]
    assert CertificateSequence.objects.get(department_code="SCJG", year=2025).last == 3
