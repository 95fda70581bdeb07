"""Extended hours and home visits (docs/rules/hall.md §J8, §J9): request, assign, refuse, done,
through the services and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.appointments import services
from onewindow.appointments.errors import (
    AppointmentForbidden,
    AppointmentInvalid,
    AppointmentWrongState,
)
from onewindow.appointments.models import Priority, RequestStatus, ServiceKind, ServiceRequest
from onewindow.appointments.tests.world import HOLIDAY, WORKDAY, T
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/services/"


@pytest.fixture
def elder(hall):
    return User.objects.create_user(
        username="elder",
        password="x",
        role=Role.APPLICANT,
        full_name="李奶奶",
        phone="13907119999",
        id_number=make_citizen_id("420700", dt.date(1950, 5, 1), 12),
    )


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_extended_hours_inside_the_extended_periods(hall, frozen):
    row = services.request_service(
        actor=hall.applicant,
        applicant=hall.applicant,
        kind=ServiceKind.EXTENDED_HOURS,
        item=hall.item,
        day=WORKDAY,
        start=T("18:00"),
    )
    assert row.status == RequestStatus.REQUESTED
    for start, message in (
        (T("10:00"), "延时服务只在 12:00–13:30、17:30–19:30 提供"),
        (None, "请选择延时服务的时间"),
    ):
        with pytest.raises(AppointmentInvalid) as err:
            services.request_service(
                actor=hall.applicant,
                applicant=hall.applicant,
                kind=ServiceKind.EXTENDED_HOURS,
                item=hall.item,
                day=WORKDAY,
                start=start,
            )
        assert message in err.value.errors["start"][0]
    with pytest.raises(AppointmentInvalid) as err:
        services.request_service(
            actor=hall.applicant,
            applicant=hall.applicant,
            kind=ServiceKind.EXTENDED_HOURS,
            item=hall.item,
            day=HOLIDAY,
            start=T("18:00"),
        )
    assert "不是工作日" in err.value.errors["day"][0]
    assert ServiceRequest.objects.count() == 1


def test_home_visit_only_for_the_elderly_and_disabled(hall, frozen, elder):
    args = {
        "kind": ServiceKind.HOME_VISIT,
        "item": hall.item,
        "day": WORKDAY,
        "address": "鄂州市鄂城区古楼街道1号",
        "reason": "行动不便",
    }
    with pytest.raises(AppointmentInvalid) as err:
        services.request_service(actor=hall.applicant, applicant=hall.applicant, **args)
    assert "上门服务只为老年人" in err.value.errors["priority"][0]
    with pytest.raises(AppointmentInvalid) as err:
        services.request_service(
            actor=hall.applicant, applicant=hall.applicant, priority=Priority.ELDERLY, **args
        )
    assert "年满 60 周岁" in err.value.errors["priority"][0]
    with pytest.raises(AppointmentInvalid) as err:
        services.request_service(
            actor=elder, applicant=elder, priority=Priority.ELDERLY, **(args | {"address": " "})
        )
    assert "请填写上门服务的地址" in err.value.errors["address"][0]
    assert ServiceRequest.objects.count() == 0
    row = services.request_service(actor=elder, applicant=elder, priority=Priority.ELDERLY, **args)
    disabled = services.request_service(
        actor=hall.p.clerk,
        applicant=hall.applicant,
        priority=Priority.DISABLED,
        priority_proof="42070219850615111X",
        **args,
    )
    assert disabled.requested_by == hall.p.clerk
    assert row.kind == ServiceKind.HOME_VISIT and row.start is None


def test_assign_refuse_done(hall, frozen, elder):
    row = services.request_service(
        actor=elder,
        applicant=elder,
        kind=ServiceKind.HOME_VISIT,
        item=hall.item,
        day=WORKDAY,
        address="古楼街道1号",
        reason="行动不便",
        priority=Priority.ELDERLY,
    )
    with pytest.raises(AppointmentForbidden):
        services.assign(row, actor=hall.p.clerk, staff=hall.p.handler_a)
    with pytest.raises(AppointmentInvalid) as err:
        services.assign(row, actor=hall.p.admin, staff=hall.p.reviewer_b)  # department B
    assert "受理该事项部门" in err.value.errors["staff"][0]
    assert hall.p.handler_a in services.staff_for(row)
    services.assign(row, actor=hall.p.chief_a, staff=hall.p.handler_a)
    row.refresh_from_db()
    assert (row.status, row.staff) == (RequestStatus.ASSIGNED, hall.p.handler_a)
    with pytest.raises(AppointmentForbidden):
        services.complete(row, actor=hall.p.reviewer_a)
    services.complete(row, actor=hall.p.handler_a)
    row.refresh_from_db()
    assert row.status == RequestStatus.DONE
    with pytest.raises(AppointmentWrongState):
        services.refuse(row, actor=hall.p.admin, reason="已办结")
    other = services.request_service(
        actor=elder,
        applicant=elder,
        kind=ServiceKind.EXTENDED_HOURS,
        item=hall.item,
        day=WORKDAY,
        start=T("12:30"),
    )
    with pytest.raises(AppointmentInvalid):
        services.refuse(other, actor=hall.p.admin, reason="  ")
    services.refuse(other, actor=hall.p.admin, reason="当日延时服务人员已满")
    other.refresh_from_db()
    assert other.status == RequestStatus.REFUSED


def test_api_request_and_access(hall, frozen, elder):
    response = _client(hall.applicant).post(
        URL,
        {
            "kind": "home_visit",
            "item": "SC-001",
            "day": WORKDAY.isoformat(),
            "address": "古楼街道",
            "reason": "行动不便",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "上门服务只为老年人" in str(response.json())
    assert ServiceRequest.objects.count() == 0
    created = _client(elder).post(
        URL,
        {
            "kind": "home_visit",
            "item": "SC-001",
            "day": WORKDAY.isoformat(),
            "address": "古楼街道",
            "reason": "行动不便",
            "priority": "elderly",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    before = AccessDenied.objects.count()
    assert _client(hall.applicant).get(f"{URL}{rid}/").status_code == 404
    assert _client(hall.p.clerk).post(f"{URL}{rid}/assign/", {"staff": 1}).status_code == 404
    assert AccessDenied.objects.count() == before + 2
    assigned = _client(hall.p.admin).post(
        f"{URL}{rid}/assign/", {"staff": hall.p.handler_a.pk}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    done = _client(hall.p.handler_a).post(f"{URL}{rid}/done/")
    assert done.status_code == 200 and done.json()["status"] == "done"
