"""The appointment pages: book, my appointments, cancel; the window's desk; the centre's settings;
extended services. Bad input shows a Chinese message and changes nothing; others' appointments
are a logged 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.appointments.models import (
    Appointment,
    AppointmentStatus,
    RequestStatus,
    ServiceRequest,
    Slot,
    WindowSchedule,
)
from onewindow.appointments.tests.world import HOLIDAY, MAKEUP_SATURDAY, SUNDAY, WORKDAY, at
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id

pytestmark = pytest.mark.django_db


def _book(client, **fields):
    data = {"item": "SC-001", "day": WORKDAY.isoformat(), "start": "09:30"} | fields
    return client.post("/appointments/book/", data)


def test_book_page_shows_slots_and_books(client, hall, frozen):
    client.force_login(hall.applicant)
    page = client.get("/appointments/book/", {"item": "SC-001", "day": WORKDAY.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "09:30–10:00" in text and "余 3 个" in text
    page = client.get("/appointments/book/", {"item": "SC-001", "day": HOLIDAY.isoformat()})
    assert "该日不是工作日" in page.content.decode()
    response = _book(client)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    detail = client.get(response["Location"])
    assert appointment.code in detail.content.decode()
    mine = client.get("/appointments/")
    assert appointment.code in mine.content.decode()
    assert _book(client, day=MAKEUP_SATURDAY.isoformat()).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": "2026-09-25"}, "不能预约已经过去的日期。"),
        ({"day": HOLIDAY.isoformat()}, "2026-10-01 不是工作日"),
        ({"day": SUNDAY.isoformat()}, "2026-10-11 不是工作日"),
        ({"start": "18:00"}, "18:00 不是开放时间内的预约时段"),
        ({"item": "NOPE"}, "事项编码“NOPE”不存在。"),
        ({"item": "", "window": "Z9"}, "窗口“Z9”不存在。"),
        ({"day": "2026-13-01"}, "请按“年-月-日”选择预约日期。"),
        ({"priority": "elderly"}, "年满 60 周岁"),
    ],
)
def test_book_page_bad_input(client, hall, frozen, fields, message):
    client.force_login(hall.applicant)
    response = _book(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Appointment.objects.count() == 0
    assert sum(Slot.objects.values_list("booked", flat=True)) == 0


def test_book_page_over_capacity(client, hall, frozen):
    WindowSchedule.objects.create(window=hall.window, slot_minutes=30, capacity=1)
    client.force_login(hall.p.outsider)
    assert _book(client).status_code == 302
    client.force_login(hall.applicant)
    response = _book(client)
    assert response.status_code == 400
    assert "该时段已约满，请选择其他时段。" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_cancel_page_and_others_404(client, hall, frozen):
    client.force_login(hall.applicant)
    _book(client)
    appointment = Appointment.objects.get()
    client.force_login(hall.p.outsider)
    before = AccessDenied.objects.count()
    assert client.get(f"/appointments/{appointment.pk}/").status_code == 404
    assert client.post(f"/appointments/{appointment.pk}/cancel/").status_code == 404
    assert AccessDenied.objects.count() == before + 2
    client.force_login(hall.applicant)
    response = client.post(f"/appointments/{appointment.pk}/cancel/", follow=True)
    assert "预约已取消。" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert Slot.objects.get().booked == 0


def test_desk_lists_today_and_checks_in(client, hall, frozen):
    client.force_login(hall.applicant)
    _book(client, start="10:00")
    code = Appointment.objects.get().code
    client.force_login(hall.p.clerk)
    with time_machine.travel(at("2026-09-29", "09:40"), tick=False):
        page = client.get("/appointments/desk/")
        assert page.status_code == 200 and code in page.content.decode()
        bad = client.post("/appointments/desk/", {"code": "NOPE"})
        assert bad.status_code == 400 and "预约码不存在" in bad.content.decode()
        response = client.post("/appointments/desk/", {"code": code}, follow=True)
        assert "已签到" in response.content.decode()
    assert Appointment.objects.get().status == AppointmentStatus.CHECKED_IN
    client.force_login(hall.applicant)
    assert client.get("/appointments/desk/").status_code == 404


def test_hall_settings_page(client, hall, frozen):
    client.force_login(hall.p.clerk)
    assert client.get("/appointments/hall/").status_code == 404
    client.force_login(hall.p.admin)
    page = client.get("/appointments/hall/")
    assert page.status_code == 200 and "09:00-12:00, 13:30-17:30" in page.content.decode()
    bad = client.post(
        "/appointments/hall/",
        {"window": "A01", "periods": "9点到12点", "slot_minutes": "30", "capacity": "2"},
    )
    assert bad.status_code == 400 and "格式不对" in bad.content.decode()
    assert not WindowSchedule.objects.exists()
    ok = client.post(
        "/appointments/hall/",
        {
            "window": "A01",
            "periods": "09:00-11:00",
            "slot_minutes": "20",
            "capacity": "2",
            "accepts_bookings": "on",
        },
    )
    assert ok.status_code == 302
    schedule = WindowSchedule.objects.get()
    assert (schedule.slot_minutes, schedule.capacity) == (20, 2)


def test_service_pages(client, hall, frozen):
    elder = User.objects.create_user(
        username="elder",
        password="x",
        role=Role.APPLICANT,
        full_name="李奶奶",
        id_number=make_citizen_id("420700", dt.date(1950, 5, 1), 12),
    )
    client.force_login(hall.applicant)
    fields = {
        "kind": "home_visit",
        "item": "SC-001",
        "day": WORKDAY.isoformat(),
        "address": "古楼街道1号",
        "reason": "行动不便",
        "priority": "",
    }
    bad = client.post("/appointments/services/new/", fields)
    assert bad.status_code == 400 and "上门服务只为老年人" in bad.content.decode()
    assert ServiceRequest.objects.count() == 0
    # a clerk requests for the elder, by her ID number
    client.force_login(hall.p.clerk)
    response = client.post(
        "/appointments/services/new/",
        fields | {"priority": "elderly", "applicant_id_number": elder.id_number},
    )
    assert response.status_code == 302, response.content.decode()
    row = ServiceRequest.objects.get()
    assert row.applicant == elder
    client.force_login(hall.applicant)
    assert client.get(f"/appointments/services/{row.pk}/").status_code == 404
    client.force_login(hall.p.chief_a)
    page = client.get(f"/appointments/services/{row.pk}/")
    assert "安排" in page.content.decode()
    client.post(f"/appointments/services/{row.pk}/assign/", {"staff": hall.p.handler_a.pk})
    row.refresh_from_db()
    assert row.status == RequestStatus.ASSIGNED
    refused = client.post(f"/appointments/services/{row.pk}/refuse/", {"reason": ""}, follow=True)
    assert "请填写不予安排的理由。" in refused.content.decode()
    client.force_login(hall.p.handler_a)
    client.post(f"/appointments/services/{row.pk}/done/")
    row.refresh_from_db()
    assert row.status == RequestStatus.DONE
