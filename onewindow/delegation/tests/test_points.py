"""docs/rules/delegation.md §V3: a community point receives (代收) an item on its list and hands
it on to the implementing department; another item is refused and nothing is stored."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.services.walk_in import WalkInApplicant
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_intake_rules import at
from onewindow.core.models import AccessDenied
from onewindow.delegation.services import PointRefused, point_receive

APPLICANT = WalkInApplicant(
    kind="person",
    full_name="李四",
    id_number="11010519491231002X",
    credit_code="",
    legal_representative="",
    phone="13907110001",
)


def _files(version):
    return {m.pk: [pdf()] for m in version.materials.all()}


def test_the_point_receives_an_allowed_item_and_hands_it_to_the_district_bureau(town):
    with time_machine.travel(at("2026-03-02"), tick=False):
        case = point_receive(
            point=town.point,
            staff=town.point_clerk,
            item_version=town.version,
            applicant=APPLICANT,
            files=_files(town.version),
        )
    assert case.status == CaseStatus.SUBMITTED
    assert case.department == town.district_department
    event = CaseEvent.objects.get(case=case, action="point_received")
    assert "滨湖社区代收申请" in event.reason and "鄂城区市场监督管理局" in event.reason
    assert event.data["point"] == town.point.pk and event.actor == town.point_clerk
    # handed on: in the district bureau's intake queue, not the city's
    assert list(case_selectors.intake_queue(town.district_clerk)) == [case]
    assert list(case_selectors.intake_queue(town.city_clerk)) == []


def test_an_item_not_on_the_list_is_refused_and_nothing_is_stored(town):
    before = Case.objects.count()
    with pytest.raises(PointRefused, match="不在“滨湖社区”的代收事项清单中"):
        point_receive(
            point=town.point,
            staff=town.point_clerk,
            item_version=town.other_version,
            applicant=APPLICANT,
            files=_files(town.other_version),
        )
    assert Case.objects.count() == before


def test_staff_of_another_point_or_a_clerk_cannot_receive_for_the_point(town):
    with pytest.raises(PointRefused):
        point_receive(
            point=town.point, staff=town.city_clerk, item_version=town.version, applicant=APPLICANT
        )
    assert not Case.objects.exists()


def test_the_point_pages_receive_and_refuse(town, client):
    client.force_login(town.point_clerk)
    home = client.get(reverse("delegation:point_home")).content.decode()
    assert "食品经营许可" in home and "特种设备使用登记" not in home

    url = reverse("delegation:point_receive", args=[town.version.pk])
    form = client.get(url)
    assert form.status_code == 200
    key = form.context["form"].initial["idempotency_key"]
    data = {
        "idempotency_key": key,
        "applicant_kind": "person",
        "id_number": APPLICANT.id_number,
        "full_name": APPLICANT.full_name,
        "phone": APPLICANT.phone,
        "region": town.point.pk,
        "f_project_name": "鄂州市李四小吃店",
        "f_premises_address__province": "湖北省",
        "f_premises_address__city": "鄂州市",
        "f_premises_address__district": "鄂城区",
        "f_premises_address__detail": "古城路129号",
        "f_contact_name": "李四",
        "f_contact_phone": "13907112222",
        "f_application_date": "2026-03-02",
        "f_application_type": "新办",
    }
    for m in town.version.materials.all():
        data[f"material_{m.pk}"] = pdf()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.department == town.district_department
    assert case.number in client.get(reverse("delegation:point_home")).content.decode()

    refused = client.get(reverse("delegation:point_receive", args=[town.other_version.pk]))
    assert refused.status_code == 400
    assert "不在“滨湖社区”的代收事项清单中" in refused.content.decode()
    response = client.post(reverse("delegation:point_receive", args=[town.other_version.pk]), data)
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_a_clerk_gets_a_logged_404_on_the_point_pages(town, client):
    client.force_login(town.city_clerk)
    assert client.get(reverse("delegation:point_home")).status_code == 404
    assert AccessDenied.objects.filter(user=town.city_clerk).exists()


# --- API ----------------------------------------------------------------------------------------
FORM = {
    "project_name": "鄂州市李四小吃店",
    "premises_address": {
        "province": "湖北省",
        "city": "鄂州市",
        "district": "鄂城区",
        "detail": "古城路129号",
    },
    "contact_name": "李四",
    "contact_phone": "13907112222",
    "application_date": "2026-03-02",
    "application_type": "新办",
}


def _api_body(version, code):
    import json

    body = {
        "item_code": code,
        "applicant": json.dumps(
            {
                "kind": "person",
                "full_name": APPLICANT.full_name,
                "id_number": APPLICANT.id_number,
                "phone": APPLICANT.phone,
            }
        ),
        "form_data": json.dumps(FORM),
    }
    for m in version.materials.all():
        body[f"material_{m.pk}"] = pdf()
    return body


def test_the_point_api_receives_an_allowed_item_and_refuses_another(town):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(town.point_clerk)
    listing = api.get(reverse("api:delegation_point")).json()
    assert [i["item_code"] for i in listing["items"]] == ["T-SP-001"]

    url = reverse("api:delegation_point_receive")
    response = api.post(url, _api_body(town.version, "T-SP-001"), format="multipart")
    assert response.status_code == 201, response.content.decode()[:2000]
    body = response.json()
    assert body["department"] == "鄂城区市场监督管理局" and body["status"] == "submitted"
    case = Case.objects.get(pk=body["id"])
    assert CaseEvent.objects.filter(case=case, action="point_received").exists()
    assert list(case_selectors.intake_queue(town.district_clerk)) == [case]

    refused = api.post(url, _api_body(town.other_version, "T-SP-002"), format="multipart")
    assert refused.status_code == 400
    assert refused.json()["code"] == "point_refused"
    assert "不在“滨湖社区”的代收事项清单中" in refused.json()["message"]
    assert Case.objects.count() == 1

    api.force_authenticate(town.city_clerk)
    assert api.post(url, _api_body(town.version, "T-SP-001"), format="multipart").status_code == 403
    assert Case.objects.count() == 1
