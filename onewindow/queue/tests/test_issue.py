"""Taking a ticket (docs/rules/hall.md §J10, §J11): numbers per day and letter, routing by item,
appointment codes through the registered resolver, key projects, and every refusal changing
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from onewindow.catalog.models import Window
from onewindow.lib.idnumbers import make_credit_code
from onewindow.projects.models import Project, Stage
from onewindow.queue import services
from onewindow.queue.errors import QueueError, TicketSourceError
from onewindow.queue.models import PriorityReason, Ticket, TicketEvent, TicketSource
from onewindow.queue.services import IssueRequest
from onewindow.queue.sources import AppointmentTicketInfo, register_appointment_source
from onewindow.queue.tests.conftest import SHANGHAI, Hall

pytestmark = pytest.mark.django_db


def issue(**values) -> Ticket:
    return services.issue(IssueRequest(**values), source=TicketSource.KIOSK)


def test_numbers_run_per_day_and_letter_and_priority_takes_v(hall):
    numbers = [
        issue(line_id=hall.line_a.pk).number,
        issue(line_id=hall.line_b.pk).number,
        issue(item_id=hall.item_a.pk).number,
        issue(line_id=hall.line_a.pk, priority=PriorityReason.PREGNANT).number,
        issue(item_id=hall.item_b.pk, priority=PriorityReason.ELDERLY).number,
    ]
    assert numbers == ["A001", "B001", "A002", "V001", "V002"]
    with time_machine.travel(dt.datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert issue(line_id=hall.line_a.pk).number == "A001"  # a new day starts again


def test_the_day_and_number_are_unique_in_the_database(hall):
    ticket = issue(line_id=hall.line_a.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            day=ticket.day,
            prefix="A",
            seq=1,
            number=ticket.number,
            token="other",
            line=hall.line_a,
            source=TicketSource.KIOSK,
            issued_at=ticket.issued_at,
        )


def test_an_item_is_routed_to_its_departments_windows(hall):
    ticket = issue(item_id=hall.item_b.pk)
    assert ticket.line == hall.line_b and ticket.label == "建筑工程施工许可"
    day = ticket.day
    assert ticket in services.order_at(hall.b01, day)
    assert ticket not in services.order_at(hall.a01, day)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "请选择办理事项或业务类别，或输入预约码（三者选一）。"),
        ({"line_id": 1, "item_id": 1}, "请选择办理事项或业务类别，或输入预约码（三者选一）。"),
        ({"item_id": 999999}, "所选事项不存在，请重新选择。"),
        ({"line_id": 999999}, "所选业务类别不存在或已停用，请重新选择。"),
        ({"line": "c"}, "该业务类别暂无窗口办理，请到咨询台询问。"),
        ({"line": "a", "priority": "vip"}, "优先原因不正确。"),
        ({"line": "a", "credit_code": "12345"}, "统一社会信用代码应为18位数字或大写字母。"),
        ({"appointment_code": "YY\x00"}, "预约码格式不正确，请核对后重新输入。"),
        (
            {"appointment_code": "YY-1"},
            "暂不支持凭预约码取号，请选择办理事项或业务类别取号。",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(hall, values, message):
    if values.pop("line", None) == "c":
        values["line_id"] = hall.line_c.pk
    elif "priority" in values or "credit_code" in values:
        values["line_id"] = hall.line_a.pk
    with pytest.raises(QueueError) as err:
        issue(**values)
    assert err.value.message == message
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()


def test_an_item_no_active_window_serves_is_refused(hall):
    Window.objects.filter(pk__in=[hall.a01.pk, hall.a02.pk]).update(is_active=False)
    with pytest.raises(QueueError, match="本大厅暂无窗口办理该事项"):
        issue(item_id=hall.item_a.pk)
    assert not Ticket.objects.exists()


# --- appointment codes through the registered resolver -------------------------------------------
def _fake_resolver(hall: Hall):
    seen = []

    def resolve(code: str, at: dt.datetime) -> AppointmentTicketInfo:
        seen.append((code, at))
        if code == "YY-ITEM":
            return AppointmentTicketInfo(hall.item_b.pk, None, "", "预约 09:00–09:30")
        if code == "YY-WIN":
            return AppointmentTicketInfo(None, hall.a02.pk, PriorityReason.KEY_PROJECT, "预约")
        if code == "YY-OFF":
            return AppointmentTicketInfo(None, hall.b01.pk, "", "预约")
        if code == "YY-EXPIRED":
            raise TicketSourceError("该预约已过期，请重新预约或现场取号。")
        raise TicketSourceError("预约码不存在，请核对后重新输入。")

    return resolve, seen


def test_an_appointment_code_gives_a_ticket_for_its_item_or_window(hall):
    resolve, seen = _fake_resolver(hall)
    register_appointment_source(resolve)
    by_item = issue(appointment_code="YY-ITEM")
    assert (by_item.number, by_item.line, by_item.window) == ("B001", hall.line_b, None)
    assert by_item.source == TicketSource.APPOINTMENT and by_item.label == "预约 09:00–09:30"
    by_window = issue(appointment_code="YY-WIN")
    assert (by_window.number, by_window.window, by_window.priority) == (
        "V001",
        hall.a02,
        PriorityReason.KEY_PROJECT,
    )
    assert [code for code, _at in seen] == ["YY-ITEM", "YY-WIN"]
    # a ticket booked for A02 is called by A02 only
    assert by_window in services.order_at(hall.a02, by_window.day)
    assert by_window not in services.order_at(hall.a01, by_window.day)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "预约码不存在，请核对后重新输入。"),
        ("YY-EXPIRED", "该预约已过期，请重新预约或现场取号。"),
        ("YY-OFF", "预约的窗口已停用，请到咨询台询问。"),
    ],
)
def test_a_bad_or_expired_appointment_code_is_refused(hall, code, message):
    register_appointment_source(_fake_resolver(hall)[0])
    Window.objects.filter(pk=hall.b01.pk).update(is_active=False)
    with pytest.raises(QueueError) as err:
        issue(appointment_code=code)
    assert err.value.message == message
    assert not Ticket.objects.exists()


def test_an_appointment_code_is_used_once_a_day(hall):
    register_appointment_source(_fake_resolver(hall)[0])
    issue(appointment_code="YY-ITEM")
    with pytest.raises(QueueError, match="该预约码今天已取过号"):
        issue(appointment_code="YY-ITEM")
    assert Ticket.objects.count() == 1


# --- key projects --------------------------------------------------------------------------------
def key_project(hall: Hall) -> Project:
    project = Project.objects.create(
        name="鄂州临空经济区智能制造产业园",
        enterprise=hall.p.enterprise,
        agent=hall.p.agent,
        target_days=60,
        created_by=hall.p.admin,
        created_at=hall.at(0),
    )
    stage = Stage.objects.create(project=project, sort=1, name="立项用地规划许可")
    stage.items.add(hall.item_b)
    return project


def test_a_key_project_enterprise_gets_a_priority_ticket(hall):
    code = hall.p.enterprise.credit_code
    declared = "按重点项目优先取号，请填写已登记且仍在办理中的重点项目企业的统一社会信用代码。"
    with pytest.raises(QueueError) as err:  # no project registered: the declaration is refused
        issue(line_id=hall.line_b.pk, priority=PriorityReason.KEY_PROJECT, credit_code=code)
    assert err.value.message == declared
    assert issue(line_id=hall.line_b.pk, credit_code=code).priority == ""  # no project yet
    key_project(hall)
    ticket = issue(line_id=hall.line_b.pk, credit_code=code.lower())
    assert (ticket.number, ticket.priority) == ("V001", PriorityReason.KEY_PROJECT)
    chosen = issue(line_id=hall.line_b.pk, priority=PriorityReason.KEY_PROJECT, credit_code=code)
    assert chosen.number == "V002"
    with pytest.raises(QueueError) as err:  # declared without the credit code
        issue(line_id=hall.line_b.pk, priority=PriorityReason.KEY_PROJECT)
    assert err.value.message == declared
    # an unknown enterprise is simply ordinary
    other = make_credit_code("91420700MA4K00002")
    assert issue(line_id=hall.line_b.pk, credit_code=other).priority == ""
