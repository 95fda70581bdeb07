"""docs/rules/delegation.md §V1, §V2: a delegated item filed in a district lands only in that
district's inbox; the city's staff can neither see nor act on it (404, logged)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import selectors as case_selectors
from onewindow.cases import services
from onewindow.cases.models import CaseStatus
from onewindow.cases.tests.test_intake_rules import at
from onewindow.core.models import AccessDenied
from onewindow.delegation.tests.conftest import filed
from onewindow.review.models import Task


def _accept(client, case):
    case.refresh_from_db()
    with time_machine.travel(at("2026-03-03"), tick=False):
        return client.post(
            reverse("cases:intake_accept", args=[case.pk]), {"revision": case.revision}
        )


def test_a_case_filed_in_the_district_goes_to_the_district_bureau(town):
    case = filed(town, town.district)
    assert case.department == town.district_department
    assert (case.number or "").startswith("420704")
    assert list(case_selectors.intake_queue(town.district_clerk)) == [case]
    assert list(case_selectors.intake_queue(town.city_clerk)) == []


def test_a_case_filed_in_a_street_of_the_district_goes_there_too(town):
    assert filed(town, town.street).department == town.district_department


def test_a_city_case_and_a_city_only_item_stay_with_the_city(town):
    assert filed(town, town.city).department == town.department
    # 特种设备使用登记 is not implemented by 鄂城区: even filed there it stays with the city.
    case = filed(town, town.district, version=town.other_version)
    assert case.department == town.department


def test_a_district_without_the_counterpart_keeps_the_city_bureau(town):
    from onewindow.catalog.models import ItemImplementation

    ItemImplementation.objects.create(
        item=town.version.item, region=town.other_district, delegated=True
    )
    assert filed(town, town.other_district).department == town.department


def test_district_clerk_accepts_and_only_the_district_reviewer_gets_the_task(town, client):
    case = filed(town, town.district)
    client.force_login(town.district_clerk)
    assert client.get(reverse("cases:intake_queue")).content.decode().count(case.number) >= 1
    response = _accept(client, case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    task = Task.objects.get(case=case)
    assert task.department == town.district_department

    client.force_login(town.district_reviewer)
    assert case.number in client.get(reverse("review:inbox") + "?status=all").content.decode()
    assert client.get(reverse("review:task", args=[task.pk])).status_code == 200

    client.force_login(town.city_reviewer)
    assert case.number not in client.get(reverse("review:inbox") + "?status=all").content.decode()
    before = AccessDenied.objects.count()
    assert client.get(reverse("review:task", args=[task.pk])).status_code == 404
    assert AccessDenied.objects.count() == before + 1


def test_the_city_clerk_cannot_see_or_accept_a_district_case(town, client):
    case = filed(town, town.district)
    client.force_login(town.city_clerk)
    assert case.number not in client.get(reverse("cases:intake_queue")).content.decode()
    assert client.get(reverse("cases:intake_case", args=[case.pk])).status_code == 404
    assert _accept(client, case).status_code == 404
    denied = AccessDenied.objects.filter(user=town.city_clerk, target=f"case:{case.pk}")
    assert denied.count() == 2
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_city_clerk_cannot_act_through_the_api(town):
    case = filed(town, town.district)
    api = APIClient()
    api.force_authenticate(town.city_clerk)
    queue = api.get(reverse("api:intake-queue")).json()
    rows = queue["results"] if isinstance(queue, dict) else queue
    assert all(row.get("number") != case.number for row in rows)
    response = api.post(
        reverse("api:intake-accept", args=[case.pk]), {"revision": case.revision}, format="json"
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=town.city_clerk).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    api.force_authenticate(town.district_clerk)
    with time_machine.travel(at("2026-03-03"), tick=False):
        response = api.post(
            reverse("api:intake-accept", args=[case.pk]),
            {"revision": case.revision},
            format="json",
        )
    assert response.status_code == 200
    api.force_authenticate(town.district_reviewer)
    inbox = api.get(reverse("api:review-inbox") + "?status=all")
    assert inbox.status_code == 200 and case.number in inbox.content.decode()
    api.force_authenticate(town.city_reviewer)
    inbox = api.get(reverse("api:review-inbox") + "?status=all")
    assert inbox.status_code == 200 and case.number not in inbox.content.decode()


def test_a_district_clerk_registers_a_walk_in_for_the_district_only(town):
    from onewindow.cases.services.walk_in import may_register

    assert may_register(town.district_clerk, item_version=town.version, region=town.district)
    assert not may_register(town.district_clerk, item_version=town.version, region=town.city)
    assert not may_register(town.city_clerk, item_version=town.version, region=town.district)
    assert may_register(town.city_clerk, item_version=town.version, region=town.city)
    versions = case_selectors.walk_in_items(town.district_clerk)
    assert list(versions) == [town.version]
    assert services is not None


def test_review_departments_without_a_counterpart_stay_with_the_city(town):
    from onewindow.catalog.delegation import routed_department_ids
    from onewindow.catalog.models import Department

    other = Department.objects.create(code="T-ZJJ", name="鄂州市住房和城乡建设局")
    ids = [town.department.pk, other.pk]
    routed = routed_department_ids(item_id=town.version.item_id, region=town.point, ids=ids)
    assert routed == {town.department.pk: town.district_department.pk, other.pk: other.pk}
    # an inactive district bureau takes nothing
    Department.objects.filter(pk=town.district_department.pk).update(is_active=False)
    routed = routed_department_ids(item_id=town.version.item_id, region=town.district, ids=ids)
    assert routed == {town.department.pk: town.department.pk, other.pk: other.pk}


def test_a_district_bureau_needs_its_district_and_counterpart(town):
    from django.db import IntegrityError, transaction

    from onewindow.catalog.models import Department

    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="X", name="无对口的区级部门", region=town.district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(
            code="Y", name="第二个鄂城区市场监管", region=town.district, counterpart=town.department
        )


def test_the_district_committed_limit_is_the_one_its_cases_are_promised(town):
    import datetime as dt

    from onewindow.catalog import delegation
    from onewindow.catalog.models import ItemImplementation

    row = ItemImplementation.objects.get(item=town.version.item, region=town.district)
    delegation.implementation_update(
        implementation=row,
        actor=town.region_admin,
        wanted=delegation.Deviations(committed_days=5, reason="提速"),
    )
    district_case = filed(town, town.district)
    city_case = filed(town, town.city)
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.case_accept(case=district_case, actor=town.district_clerk)
        services.case_accept(case=city_case, actor=town.city_clerk)
    district_case.refresh_from_db()
    city_case.refresh_from_db()
    # accepted Tue 2026-03-03: 5 working days → Tue 03-10; the city's 15 → Tue 03-24
    assert district_case.decision_due == dt.date(2026, 3, 10)
    assert city_case.decision_due == dt.date(2026, 3, 24)
