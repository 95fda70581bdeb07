"""The calendar admin: the unloaded-year banner, uploading a year, editing single days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.accounts.models import User
from onewindow.calendars import services
from onewindow.calendars.models import CalendarDay, DayKind, HolidayYear
from onewindow.calendars.selectors import current_revision, get_calendar
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("late_november_2026")]

BANNER_2027 = "2027年节假日安排尚未载入，涉及该年的期限为临时计算（provisional），请尽快载入国务院办公厅通知。"
LOAD_URL = "/admin/calendars/holidayyear/load/"


def test_admins_see_the_banner_while_next_year_is_not_loaded(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()
    assert BANNER_2027 in page
    assert LOAD_URL in page
    assert "一窗通办 管理后台" in page


def test_the_banner_is_an_alert_around_its_list(admin_client: Client) -> None:
    """docs/decisions.md §U3: a role on the <ul> took the list semantics from its <li>s (axe
    "listitem", serious)."""
    page = admin_client.get("/admin/").content.decode()
    assert re.search(
        r'<div class="calendar-unloaded" role="alert">\s*<ul class="messagelist">', page
    )
    assert not re.search(r"<[ou]l\b[^>]*\brole=", page)


def test_the_banner_is_on_every_admin_page(admin_client: Client) -> None:
    for url in ("/admin/calendars/calendarday/", "/admin/calendars/calendarday/add/"):
        assert BANNER_2027 in admin_client.get(url).content.decode()


def test_the_banner_goes_once_the_year_is_loaded(admin_client: Client) -> None:
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    assert "尚未载入" not in admin_client.get("/admin/").content.decode()


def test_the_login_page_shows_no_banner(client: Client) -> None:
    page = client.get("/admin/login/").content.decode()
    assert "一窗通办 管理后台" in page
    assert "尚未载入" not in page


def test_staff_without_the_load_permission_see_the_banner_without_the_link(
    client: Client,
) -> None:
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_calendarday"))
    client.force_login(clerk)
    page = client.get("/admin/calendars/calendarday/").content.decode()
    assert BANNER_2027 in page
    assert LOAD_URL not in page
    assert client.get(LOAD_URL).status_code == 302


# --- uploading a year -------------------------------------------------------------------------
def test_uploading_a_csv_loads_the_year(admin_client: Client) -> None:
    assert admin_client.get(LOAD_URL).status_code == 200
    upload = SimpleUploadedFile("2027.csv", ARRANGEMENT_2027_CSV.encode(), "text/csv")
    response = admin_client.post(LOAD_URL, {"file": upload, "source": "国务院办公厅通知"})
    assert response.status_code == 302
    assert HolidayYear.objects.get().source == "国务院办公厅通知"
    assert get_calendar().is_loaded(2027)
    changelist = admin_client.get(response["Location"]).content.decode()
    assert "已载入 2027 年节假日安排：放假 28 天，调休上班 3 天。" in changelist


def test_a_bad_upload_shows_why_and_changes_nothing(admin_client: Client) -> None:
    revision = current_revision()
    upload = SimpleUploadedFile("2027.csv", b"2027-01-01,\xe4\xbc\x91\n2027-02-22,workday\n")
    response = admin_client.post(LOAD_URL, {"file": upload})
    assert response.status_code == 200
    assert "2027-02-22 是星期一，调休上班日只能是周六或周日" in response.content.decode()
    assert not HolidayYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert current_revision() == revision


def test_the_year_list_links_to_the_upload_page(admin_client: Client) -> None:
    page = admin_client.get("/admin/calendars/holidayyear/").content.decode()
    assert LOAD_URL in page
    assert admin_client.get("/admin/calendars/holidayyear/add/").status_code == 403


def test_deleting_a_year_in_the_admin_unloads_it(admin_client: Client) -> None:
    row = services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    response = admin_client.post(f"/admin/calendars/holidayyear/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert not get_calendar().is_loaded(2027)


# --- single days ------------------------------------------------------------------------------
def test_adding_a_day_in_the_admin_goes_through_the_service(admin_client: Client) -> None:
    revision = current_revision()
    response = admin_client.post(
        "/admin/calendars/calendarday/add/",
        {"date": "2025-03-03", "kind": DayKind.HOLIDAY, "name": "地方假日"},
    )
    assert response.status_code == 302
    assert current_revision() == revision + 1
    assert not get_calendar().is_working_day(dt.date(2025, 3, 3))


def test_a_working_weekday_is_refused_in_the_admin(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/calendars/calendarday/add/",
        {"date": "2025-03-03", "kind": DayKind.WORKDAY, "name": ""},
    )
    assert response.status_code == 200
    assert "2025-03-03 是星期一，调休上班日只能是周六或周日" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_changing_and_deleting_a_day_in_the_admin(admin_client: Client) -> None:
    row = services.calendar_day_set(day=dt.date(2025, 3, 8), kind=DayKind.WORKDAY)
    url = f"/admin/calendars/calendarday/{row.pk}/change/"
    response = admin_client.post(url, {"kind": DayKind.HOLIDAY, "name": "改"})
    assert response.status_code == 302
    assert CalendarDay.objects.get().kind == DayKind.HOLIDAY
    response = admin_client.post(f"/admin/calendars/calendarday/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert get_calendar().arrangement(2025).workdays.get(dt.date(2025, 3, 8)) is None
