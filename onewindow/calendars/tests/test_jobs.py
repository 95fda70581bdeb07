"""The background job that reminds operators of a missing holiday arrangement."""

from __future__ import annotations

import logging

import pytest

from onewindow.calendars import jobs, services
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV
from onewindow.core.jobs import JOBS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("late_november_2026")]


def test_the_job_is_registered_with_the_background_loop() -> None:
    assert JOBS["calendar-unloaded-years"].func is jobs.warn_unloaded_years


def test_an_unloaded_next_year_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="onewindow.calendars"):
        assert jobs.warn_unloaded_years() == [2027]
    assert "holiday arrangement not loaded for 2027" in caplog.text


def test_nothing_is_logged_once_it_is_loaded(caplog: pytest.LogCaptureFixture) -> None:
    services.calendar_file_load(name="2027.csv", content=ARRANGEMENT_2027_CSV.encode())
    with caplog.at_level(logging.WARNING, logger="onewindow.calendars"):
        assert jobs.warn_unloaded_years() == []
    assert caplog.text == ""
