"""The appointment API under /api/v1/appointments/: the same rules as the services, bad input a
400 with a Chinese message and nothing stored, others' appointments a logged 404."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.appointments.models import Appointment, AppointmentStatus, Slot
from onewindow.appointments.tests.world import HOLIDAY, MAKEUP_SATURDAY, SUNDAY, WORKDAY, at
from onewindow.core.models import AccessDenied

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _book(client, **body):
    data = {"item": "SC-001", "day": WORKDAY.isoformat(), "start": "09:30"} | body
    return client.post(URL, data, format="json")


def test_slots_and_booking(hall, frozen):
    client = _client(hall.applicant)
    slots = client.get(URL + "slots/", {"item": "SC-001", "day": WORKDAY.isoformat()})
    assert slots.status_code == 200
    assert slots.json()[0] == {
        "window": "A01",
        "start": "09:00",
        "end": "09:30",
        "capacity": 3,
        "free": 3,
    }
    assert client.get(URL + "slots/", {"item": "SC-001", "day": HOLIDAY.isoformat()}).json() == []
    response = _book(client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["window"] == "A01" and body["status"] == "booked" and len(body["code"]) == 8
    free = client.get(URL + "slots/", {"window": "A01", "day": WORKDAY.isoformat()}).json()
    assert free[1]["free"] == 2
    assert [a["code"] for a in client.get(URL).json()["results"]] == [body["code"]]
    assert _book(client, day=MAKEUP_SATURDAY.isoformat()).status_code == 201


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"day": "2026-09-25"}, "不能预约已经过去的日期。"),
        ({"day": HOLIDAY.isoformat()}, "2026-10-01 不是工作日"),
        ({"day": SUNDAY.isoformat()}, "2026-10-11 不是工作日"),
        ({"start": "12:30"}, "12:30 不是开放时间内的预约时段"),
        ({"item": "NOPE-1"}, "事项编码“NOPE-1”不存在。"),
        ({"item": "", "window": "Z99"}, "窗口“Z99”不存在。"),
        ({"item": "SC-001", "window": "B01"}, "不受理事项"),
        ({"item": ""}, "请选择要办理的事项或窗口。"),
        ({"priority": "elderly"}, "年满 60 周岁"),
    ],
)
def test_bad_bookings_are_400_with_chinese_messages(hall, frozen, body, message):
    response = _book(_client(hall.applicant), **body)
    assert response.status_code == 400
    assert message in str(response.json())
    assert Appointment.objects.count() == 0
    assert sum(Slot.objects.values_list("booked", flat=True)) == 0


def test_over_capacity_is_400(hall, frozen):
    for user in (hall.p.outsider, hall.p.enterprise, hall.applicant):
        assert _book(_client(user)).status_code == 201
    extra = hall.p.applicant.__class__.objects.create_user(
        username="late", password="x", role="applicant"
    )
    response = _book(_client(extra))
    assert response.status_code == 400
    assert response.json()["message"] == "该时段已约满，请选择其他时段。"
    assert Appointment.objects.count() == 3


def test_cancel_frees_the_seat_and_others_get_404(hall, frozen):
    mine = _book(_client(hall.applicant)).json()
    before = AccessDenied.objects.count()
    other = _client(hall.p.outsider)
    assert other.get(f"{URL}{mine['id']}/").status_code == 404
    assert other.post(f"{URL}{mine['id']}/cancel/").status_code == 404
    assert AccessDenied.objects.count() == before + 2
    response = _client(hall.applicant).post(f"{URL}{mine['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Slot.objects.get().booked == 0
    again = _client(hall.applicant).post(f"{URL}{mine['id']}/cancel/")
    assert again.status_code == 400
    assert "不能取消" in again.json()["message"]


def test_desk_and_check_in(hall, frozen):
    code = _book(_client(hall.applicant), start="10:00").json()["code"]
    clerk = _client(hall.p.clerk)
    with time_machine.travel(at("2026-09-29", "09:40"), tick=False):
        desk = clerk.get(URL + "desk/")
        assert desk.status_code == 200
        assert [a["code"] for a in desk.json()] == [code]
        bad = clerk.post(URL + "check-in/", {"code": "XXXX"}, format="json")
        assert bad.status_code == 400 and bad.json()["message"].startswith("预约码不存在")
        done = clerk.post(URL + "check-in/", {"code": code}, format="json")
        assert done.status_code == 200
        assert done.json()["ticket"]["window_id"] == hall.window.pk
    assert Appointment.objects.get().status == AppointmentStatus.CHECKED_IN
    # an applicant has no desk
    assert _client(hall.applicant).get(URL + "desk/").status_code == 404


def test_schedule_by_the_centre_only(hall, frozen):
    body = {"window": "A01", "periods": "08:00-10:00", "slot_minutes": 60, "capacity": 5}
    assert _client(hall.p.clerk).put(URL + "schedule/", body, format="json").status_code == 404
    response = _client(hall.p.chief_a).put(URL + "schedule/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["periods"] == "08:00-10:00"
    slots = _client(hall.applicant).get(URL + "slots/", {"window": "A01", "day": "2026-09-29"})
    assert [(s["start"], s["capacity"]) for s in slots.json()] == [("08:00", 5), ("09:00", 5)]
    bad = _client(hall.p.admin).put(
        URL + "schedule/", body | {"periods": "10:00-09:00"}, format="json"
    )
    assert bad.status_code == 400 and "开始时间须早于结束时间" in bad.json()["message"]
    bad = _client(hall.p.admin).put(URL + "schedule/", body | {"capacity": 0}, format="json")
    assert bad.status_code == 400 and "1 至 100" in bad.json()["message"]
