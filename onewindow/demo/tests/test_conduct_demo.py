"""The demo's window conduct (docs/rules/hall.md §J2, §J3, §J16–§J19): records made through the
services and linked to the demo's upheld complaint, the two months before today evaluated, a
rectification for the bottom windows; the public pages show them; the demo resets cleanly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from onewindow.conduct.models import Discipline, DisciplineKind, Rectification, WindowScore
from onewindow.demo import catalog as demo

TODAY = dt.date(2026, 6, 15)
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_has_discipline_records_and_an_evaluated_month(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=8, today=TODAY)
        interview = Discipline.objects.get(kind=DisciplineKind.INTERVIEW)
        assert interview.staff.username == "clerk" and interview.complaint is not None
        removal = Discipline.objects.get(kind=DisciplineKind.REMOVAL)
        assert removal.reinstated_at is not None and removal.window in removal.staff.windows.all()
        assert Discipline.objects.filter(kind=DisciplineKind.NOTICE).exists()
        months = set(WindowScore.objects.values_list("month", flat=True))
        assert months == {dt.date(2026, 4, 1), dt.date(2026, 5, 1)}
        bottom = WindowScore.objects.filter(month=dt.date(2026, 5, 1), designation="bottom")
        assert Rectification.objects.count() == bottom.count()
        html = Client().get("/hall/notices/").content.decode()
        assert "一次性告知" in html
        assert Client().get("/hall/red-flag/?month=2026-05").status_code == 200
        demo.demo_reset()
        assert not Discipline.objects.exists() and not WindowScore.objects.exists()
