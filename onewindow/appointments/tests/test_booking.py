"""Booking, cancellation, check-in, reminders and no-shows through the services
(docs/rules/hall.md §J4–§J7), on the real calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.appointments import services
from onewindow.appointments.errors import (
    AppointmentError,
    AppointmentForbidden,
    AppointmentInvalid,
    AppointmentWrongState,
)
from onewindow.appointments.models import (
    Appointment,
    AppointmentStatus,
    Priority,
    Slot,
    WindowSchedule,
)
from onewindow.appointments.tests.world import (
    HOLIDAY,
    MAKEUP_SATURDAY,
    NOW,
    SUNDAY,
    WORKDAY,
    T,
    at,
)
from onewindow.cases.services.mandates import mandate_record
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.notifications.models import OutboxMessage
from onewindow.projects.models import Project

pytestmark = pytest.mark.django_db


def _nothing_changed() -> None:
    assert Appointment.objects.count() == 0
    assert sum(Slot.objects.values_list("booked", flat=True)) == 0


def test_slots_follow_the_hall_hours_on_working_days(hall, frozen):
    slots = services.slots_of(hall.window, WORKDAY)
    assert [s.start for s in slots][:2] == [T("09:00"), T("09:30")]
    assert (slots[5].start, slots[5].end) == (T("11:30"), T("12:00"))
    assert slots[6].start == T("13:30")  # the lunch break has no slot
    assert slots[-1].end == T("17:30")
    assert len(slots) == 6 + 8
    assert {s.capacity for s in slots} == {3}
    assert services.slots_of(hall.window, HOLIDAY) == []
    assert services.slots_of(hall.window, SUNDAY) == []
    # a make-up working Saturday (国庆节调休) has the slots of any working day
    assert len(services.slots_of(hall.window, MAKEUP_SATURDAY)) == 14


def test_a_window_of_its_own_schedule(hall, frozen):
    services.schedule_set(
        actor=hall.p.admin,
        window=hall.window,
        periods_value="08:30-11:30",
        slot_minutes=60,
        capacity=2,
    )
    slots = services.slots_of(hall.window, WORKDAY)
    assert [(s.start, s.end, s.capacity) for s in slots] == [
        (T("08:30"), T("09:30"), 2),
        (T("09:30"), T("10:30"), 2),
        (T("10:30"), T("11:30"), 2),
    ]
    # the other window keeps the hall's
    assert len(services.slots_of(hall.window_b, WORKDAY)) == 14


def test_booking_by_item_gives_a_code_and_a_message(hall, frozen):
    appointment = services.book(actor=hall.applicant, item=hall.item, day=WORKDAY, start=T("09:30"))
    assert len(appointment.code) == 8
    assert set(appointment.code) <= set(services.CODE_ALPHABET)
    assert appointment.window == hall.window  # the window serving the item's department
    assert appointment.status == AppointmentStatus.BOOKED
    assert Slot.objects.get(window=hall.window, day=WORKDAY, start=T("09:30")).booked == 1
    sms = OutboxMessage.objects.get(user=hall.applicant, channel="sms")
    assert appointment.code in sms.subject


def test_makeup_saturday_is_bookable(hall, frozen):
    appointment = services.book(
        actor=hall.applicant, item=hall.item, day=MAKEUP_SATURDAY, start=T("14:00")
    )
    assert appointment.day == MAKEUP_SATURDAY


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"day": dt.date(2026, 9, 25)}, "day", "不能预约已经过去的日期"),
        ({"day": HOLIDAY}, "day", "不是工作日"),
        ({"day": SUNDAY}, "day", "不是工作日"),
        ({"start": T("12:30")}, "start", "不是开放时间内的预约时段"),
        ({"start": T("18:00")}, "start", "不是开放时间内的预约时段"),
        ({"start": T("09:10")}, "start", "不是开放时间内的预约时段"),
        ({"day": dt.date(2026, 11, 30)}, "day", "最多只能预约 14 天以内"),
        ({"priority": Priority.ELDERLY}, "priority", "年满 60 周岁"),
        ({"priority": Priority.DISABLED}, "priority", "残疾人证号"),
        ({"priority": Priority.KEY_PROJECT}, "priority", "重点项目"),
        ({"priority": "vip"}, "priority", "优先类别无效"),
    ],
)
def test_bad_bookings_are_refused_and_change_nothing(hall, frozen, kwargs, field, message):
    args = {"actor": hall.applicant, "item": hall.item, "day": WORKDAY, "start": T("09:30")}
    with pytest.raises(AppointmentInvalid) as err:
        services.book(**(args | kwargs))
    assert message in " ".join(err.value.errors[field])
    _nothing_changed()


def test_a_slot_already_started_today_is_refused(hall, frozen):
    with pytest.raises(AppointmentInvalid) as err:
        services.book(actor=hall.applicant, item=hall.item, day=NOW.date(), start=T("09:30"))
    assert "已经开始" in err.value.message
    _nothing_changed()


def test_window_not_serving_the_item_is_refused(hall, frozen):
    with pytest.raises(AppointmentInvalid) as err:
        services.book(
            actor=hall.applicant,
            item=hall.item,
            window=hall.window_b,
            day=WORKDAY,
            start=T("09:30"),
        )
    assert "不受理事项" in err.value.errors["window"][0]
    _nothing_changed()


def test_over_capacity_is_refused(hall, frozen):
    WindowSchedule.objects.create(window=hall.window, slot_minutes=30, capacity=1)
    services.book(actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("09:30"))
    with pytest.raises(AppointmentError) as err:
        services.book(actor=hall.p.outsider, window=hall.window, day=WORKDAY, start=T("09:30"))
    assert err.value.message == "该时段已约满，请选择其他时段。"
    assert Appointment.objects.count() == 1
    assert Slot.objects.get().booked == 1


def test_staff_cannot_book_and_agents_need_a_mandate(hall, frozen):
    with pytest.raises(AppointmentForbidden):
        services.book(actor=hall.p.clerk, window=hall.window, day=WORKDAY, start=T("09:30"))
    with pytest.raises(AppointmentForbidden):
        services.book(
            actor=hall.p.agent,
            applicant=hall.applicant,
            window=hall.window,
            day=WORKDAY,
            start=T("09:30"),
        )
    _nothing_changed()


def test_cancellation_frees_the_seat(hall, frozen):
    WindowSchedule.objects.create(window=hall.window, slot_minutes=30, capacity=1)
    first = services.book(actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("09:30"))
    services.cancel(first, actor=hall.applicant)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert Slot.objects.get().booked == 0
    second = services.book(actor=hall.p.outsider, window=hall.window, day=WORKDAY, start=T("09:30"))
    assert second.status == AppointmentStatus.BOOKED
    assert Slot.objects.get().booked == 1
    with pytest.raises(AppointmentWrongState):
        services.cancel(first, actor=hall.applicant)  # twice: refused, the seat stays taken
    assert Slot.objects.get().booked == 1
    with pytest.raises(AppointmentForbidden):
        services.cancel(second, actor=hall.applicant)


def test_no_cancellation_once_the_slot_started(hall, frozen):
    appointment = services.book(
        actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("09:30")
    )
    with (
        time_machine.travel(at("2026-09-29", "09:31"), tick=False),
        pytest.raises(AppointmentWrongState) as err,
    ):
        services.cancel(appointment, actor=hall.applicant)
    assert "已经开始" in err.value.message
    assert Slot.objects.get().booked == 1


def test_check_in_window_and_ticket_info(hall, frozen):
    appointment = services.book(
        actor=hall.applicant,
        item=hall.item,
        day=WORKDAY,
        start=T("10:00"),
        priority=Priority.DISABLED,
        priority_proof="42070219800101123X",
    )
    code = appointment.code
    with pytest.raises(AppointmentError, match="预约码不存在"):
        services.check_in("ZZZZZZZZ", at=at("2026-09-29", "09:45"))
    with pytest.raises(AppointmentError, match="不是今天"):
        services.check_in(code, at=at("2026-09-28", "10:00"))
    with pytest.raises(AppointmentError, match="签到时间未到：请在 09:30 以后签到"):
        services.check_in(code, at=at("2026-09-29", "09:29"))
    checked = services.check_in(code.lower(), at=at("2026-09-29", "09:30"))
    assert checked.status == AppointmentStatus.CHECKED_IN
    with pytest.raises(AppointmentError, match="已签到"):
        services.check_in(code, at=at("2026-09-29", "09:40"))
    assert services.ticket_info(checked) == {
        "item_id": hall.item.pk,
        "window_id": hall.window.pk,
        "priority": "disabled",
        "label": f"预约 {code} 10:00",
    }


def test_check_in_refuses_cancelled_and_late(hall, frozen):
    one = services.book(actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("10:00"))
    two = services.book(actor=hall.p.outsider, window=hall.window, day=WORKDAY, start=T("10:00"))
    services.cancel(one, actor=hall.applicant)
    with pytest.raises(AppointmentError, match="已取消"):
        services.check_in(one.code, at=at("2026-09-29", "09:45"))
    with pytest.raises(AppointmentError, match="时段已过"):
        services.check_in(two.code, at=at("2026-09-29", "10:46"))
    two.refresh_from_db()
    assert two.status == AppointmentStatus.BOOKED


def test_reminder_job_the_day_before_once(hall, frozen):
    tomorrow = services.book(
        actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("10:00")
    )
    later = services.book(actor=hall.applicant, window=hall.window, day=D2, start=T("10:00"))
    OutboxMessage.objects.all().delete()
    assert services.remind_due() == 1
    tomorrow.refresh_from_db()
    later.refresh_from_db()
    assert tomorrow.reminded_at is not None and later.reminded_at is None
    # the persona has a mobile number and no e-mail address: one SMS
    assert OutboxMessage.objects.filter(subject__startswith="预约提醒", channel="sms").count() == 1
    assert services.remind_due() == 0  # never twice


D2 = dt.date(2026, 9, 30)


def test_no_show_job_after_the_grace(hall, frozen):
    appointment = services.book(
        actor=hall.applicant, window=hall.window, day=WORKDAY, start=T("10:00")
    )
    kept = services.book(actor=hall.p.outsider, window=hall.window, day=WORKDAY, start=T("10:00"))
    with time_machine.travel(at("2026-09-29", "09:45"), tick=False):
        services.check_in(kept.code, at=at("2026-09-29", "09:45"))
    with time_machine.travel(at("2026-09-29", "10:45"), tick=False):
        assert services.mark_no_shows() == 0  # 10:30 + 15 minutes: not yet
    with time_machine.travel(at("2026-09-29", "10:46"), tick=False):
        assert services.mark_no_shows() == 1
    appointment.refresh_from_db()
    kept.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert kept.status == AppointmentStatus.CHECKED_IN


def test_three_no_shows_in_30_days_block_bookings(hall):
    days = ["2026-09-29", "2026-09-30", "2026-10-09"]
    for day in days:
        with time_machine.travel(at(day, "08:00"), tick=False):
            services.book(
                actor=hall.applicant,
                window=hall.window,
                day=dt.date.fromisoformat(day),
                start=T("09:00"),
            )
        with time_machine.travel(at(day, "18:00"), tick=False):
            assert services.mark_no_shows() == 1
    with time_machine.travel(at("2026-10-12"), tick=False):
        with pytest.raises(AppointmentError) as err:
            services.book(
                actor=hall.applicant,
                window=hall.window,
                day=dt.date(2026, 10, 13),
                start=T("09:00"),
            )
        assert err.value.message == "您近 30 日内爽约已达 3 次，2026-11-08 前不能新预约。"
        # someone else is not affected
        services.book(
            actor=hall.p.outsider, window=hall.window, day=dt.date(2026, 10, 13), start=T("09:00")
        )
    with time_machine.travel(at("2026-11-09"), tick=False):
        services.book(
            actor=hall.applicant, window=hall.window, day=dt.date(2026, 11, 10), start=T("09:00")
        )


def test_two_no_shows_do_not_block(hall):
    for day in ["2026-09-29", "2026-09-30"]:
        with time_machine.travel(at(day, "08:00"), tick=False):
            services.book(
                actor=hall.applicant,
                window=hall.window,
                day=dt.date.fromisoformat(day),
                start=T("09:00"),
            )
        with time_machine.travel(at(day, "18:00"), tick=False):
            services.mark_no_shows()
    with time_machine.travel(at("2026-10-09"), tick=False):
        assert services.blocked_until(hall.applicant, dt.date(2026, 10, 9)) is None


def test_priorities_elderly_and_key_project(hall, frozen):
    elder = User.objects.create_user(
        username="elder",
        password="x",
        role=Role.APPLICANT,
        full_name="李奶奶",
        id_number=make_citizen_id("420700", dt.date(1950, 5, 1), 12),
    )
    appointment = services.book(
        actor=elder,
        window=hall.window,
        day=WORKDAY,
        start=T("09:00"),
        priority=Priority.ELDERLY,
    )
    assert appointment.priority == "elderly"
    Project.objects.create(
        name="示范项目",
        enterprise=hall.p.enterprise,
        agent=hall.p.agent,
        target_days=60,
        created_by=hall.p.admin,
        created_at=NOW,
    )
    keyed = services.book(
        actor=hall.p.enterprise,
        window=hall.window,
        day=WORKDAY,
        start=T("09:00"),
        priority=Priority.KEY_PROJECT,
    )
    assert services.ticket_info(keyed)["priority"] == "key_project"


def test_an_agent_books_for_a_principal_under_a_mandate(hall, frozen):
    mandate_record(
        agent=hall.p.agent,
        applicant=hall.applicant,
        item=hall.item,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=hall.applicant,
    )
    appointment = services.book(
        actor=hall.p.agent,
        applicant=hall.applicant,
        item=hall.item,
        day=WORKDAY,
        start=T("09:30"),
    )
    assert (appointment.applicant, appointment.booked_by) == (hall.applicant, hall.p.agent)
    # the mandate is for one item: booking another item (or only a window) is not covered
    with pytest.raises(AppointmentForbidden):
        services.book(
            actor=hall.p.agent,
            applicant=hall.applicant,
            window=hall.window,
            day=WORKDAY,
            start=T("10:00"),
        )
    # the agent may cancel what they booked
    services.cancel(appointment, actor=hall.p.agent)
