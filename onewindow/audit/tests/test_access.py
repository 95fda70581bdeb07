"""Who viewed my case (docs/rules/audit.md §Z11): staff views recorded, the applicant's list
without names, the audit administrator's search, the records append-only and chained."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.audit.append_only import AppendOnlyError
from onewindow.audit.chain import chain_seal_all, chain_verify
from onewindow.audit.models import AccessKind, CaseAccess
from onewindow.audit.registry import chained_tables
from onewindow.audit.triggers import triggers_suspended
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import World
from onewindow.cases.tests.test_intake_rules import submitted_case
from onewindow.core.models import AccessDenied
from onewindow.testing import api_for, client_for

PASSWORD = "Test-pass-123"


def _user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, full_name=f"{username}全名", **extra
    )


@pytest.fixture
def case(world: World) -> Case:
    return submitted_case(world)


@pytest.fixture
def auditor(world: World) -> User:
    return _user("auditor", Role.AUDITOR)


def test_a_clerk_reading_the_case_page_is_recorded_once_with_unit_and_role(world, case):
    response = client_for(world.clerk).get(reverse("cases:intake_case", args=[case.pk]))
    assert response.status_code == 200
    # the page shows the applicant's full number too: a second record says so
    # (docs/rules/privacy.md §P4)
    (access, full) = CaseAccess.objects.filter(case_id=case.pk).order_by("pk")
    assert full.kind == AccessKind.PERSONAL and full.user_id == world.clerk.pk
    assert access.kind == AccessKind.CASE
    assert access.user_id == world.clerk.pk
    assert access.user_label == "clerk"
    assert access.role == Role.CLERK
    assert access.unit == world.department.name
    assert access.department_id == world.department.pk
    assert access.case_number == case.number
    assert access.via == "page"


def test_the_applicant_sees_the_view_by_unit_and_role_and_never_the_staff_name(world, case):
    client_for(world.clerk).get(reverse("cases:intake_case", args=[case.pk]))
    applicant = client_for(world.applicant)
    for url in (
        reverse("cases:application", args=[case.pk]),
        reverse("cases:accesses", args=[case.pk]),
    ):
        page = applicant.get(url).content.decode()
        assert "谁查看过我的办件" in page
        assert world.department.name in page
        assert "窗口受理人员" in page
        assert "clerk全名" not in page
        assert ">clerk<" not in page
    body = api_for(world.applicant).get(reverse("api:case-accesses", args=[case.pk])).json()
    (full, row) = body["results"]  # newest first: the full view, then the view of the case
    assert full["kind"] == AccessKind.PERSONAL and full["unit"] == world.department.name
    assert row["unit"] == world.department.name
    assert row["role"] == Role.CLERK
    assert row["kind"] == AccessKind.CASE
    assert not {"user", "user_id", "user_label", "ip"} & set(row)
    assert "clerk" not in str(row["unit"]) + str(row["detail"])


def test_the_applicant_reading_their_own_case_leaves_no_record(world, case):
    applicant = client_for(world.applicant)
    assert applicant.get(reverse("cases:application", args=[case.pk])).status_code == 200
    assert (
        api_for(world.applicant).get(reverse("api:case-detail", args=[case.pk])).status_code == 200
    )
    assert not CaseAccess.objects.exists()


def test_another_applicant_cannot_read_the_list(world, case):
    other = _user("lisi", Role.APPLICANT)
    response = api_for(other).get(reverse("api:case-accesses", args=[case.pk]))
    assert response.status_code == 404
    assert client_for(other).get(reverse("cases:accesses", args=[case.pk])).status_code == 404
    assert AccessDenied.objects.filter(user=other).count() == 2


def test_an_api_read_and_a_file_download_are_recorded_but_an_action_is_not(world, case):
    clerk_api = api_for(world.clerk)
    assert clerk_api.get(reverse("api:intake-case", args=[case.pk])).status_code == 200
    line = case.materials.select_related("material").first()
    attached = line.files.select_related("stored").first()
    client = client_for(world.clerk)
    response = client.get(reverse("cases:intake_file", args=[case.pk, attached.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")  # the file itself was sent
    kinds = set(CaseAccess.objects.values_list("kind", "via", "detail"))
    assert (AccessKind.CASE, "api", "") in kinds
    assert (AccessKind.FILE, "page", attached.stored.original_name) in kinds
    before = CaseAccess.objects.count()
    # A refused action (an empty rejection reason) is a POST: not a read.
    client.post(reverse("cases:intake_reject", args=[case.pk]), {"reason": ""})
    assert CaseAccess.objects.count() == before


def test_a_supervisor_view_is_recorded_as_the_centre(world, case):
    response = client_for(world.supervisor).get(reverse("supervision:console_case", args=[case.pk]))
    assert response.status_code == 200
    (access,) = CaseAccess.objects.filter(case_id=case.pk)
    assert access.role == Role.SUPERVISOR
    assert access.unit == "政务服务中心"
    assert access.department_id is None


def test_a_refused_view_is_not_an_access_record(world, case):
    response = client_for(world.other_clerk).get(reverse("cases:intake_case", args=[case.pk]))
    assert response.status_code == 404
    assert not CaseAccess.objects.exists()
    assert AccessDenied.objects.filter(user=world.other_clerk).exists()


def test_the_auditor_searches_every_record(world, case, auditor):
    other = submitted_case(world)
    client_for(world.clerk).get(reverse("cases:intake_case", args=[case.pk]))
    client_for(world.supervisor).get(reverse("supervision:console_case", args=[other.pk]))
    client = client_for(auditor)
    page = client.get(reverse("audit:accesses")).content.decode()
    assert case.number in page and other.number in page
    assert "clerk" in page and "supervisor" in page  # the auditor sees the accounts
    page = client.get(reverse("audit:accesses"), {"case": case.number}).content.decode()
    assert case.number in page and other.number not in page
    api = api_for(auditor)
    rows = api.get(reverse("api:audit-accesses"), {"user": "supervisor"}).json()["results"]
    assert [row["case_number"] for row in rows] == [other.number]
    assert rows[0]["user_label"] == "supervisor"
    rows = api.get(reverse("api:audit-accesses"), {"unit": world.department.name}).json()
    assert [row["case_number"] for row in rows["results"]] == [case.number] * 2  # case, full view
    rows = api.get(reverse("api:audit-accesses"), {"kind": "file"}).json()["results"]
    assert rows == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end"),
        ({"end": "9999-12-31"}, "end"),
        ({"kind": "everything"}, "kind"),
    ],
)
def test_a_bad_search_is_a_clear_400(world, auditor, params, field):
    response = api_for(auditor).get(reverse("api:audit-accesses"), params)
    assert response.status_code == 400
    assert field in response.json()["errors"] or field in str(response.json())
    page = client_for(auditor).get(reverse("audit:accesses"), params)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


@pytest.mark.parametrize("name", ["clerk", "supervisor", "applicant"])
def test_only_the_audit_administrator_reads_the_records(world, name):
    user = getattr(world, name)
    assert api_for(user).get(reverse("api:audit-accesses")).status_code == 404
    assert client_for(user).get(reverse("audit:accesses")).status_code == 404
    assert AccessDenied.objects.filter(user=user, target="audit:accesses").count() == 2


def test_records_are_append_only_and_chained(world, case):
    client_for(world.clerk).get(reverse("cases:intake_case", args=[case.pk]))
    access = CaseAccess.objects.get(kind=AccessKind.CASE)
    access.unit = "别的单位"
    with pytest.raises(AppendOnlyError):
        access.save()
    with pytest.raises(AppendOnlyError):
        CaseAccess.objects.filter(pk=access.pk).delete()
    assert CaseAccess._meta.db_table in chained_tables()
    chain_seal_all()
    assert chain_verify().ok
    with triggers_suspended(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CaseAccess._meta.db_table} SET unit = %s WHERE id = %s",
            ["别的单位", access.pk],
        )
    report = chain_verify()
    assert report.first_break is not None
    assert (report.first_break.table, report.first_break.row_pk) == (
        CaseAccess._meta.db_table,
        access.pk,
    )
