"""The rollups in the admin: listed, never editable (docs/rules/statistics.md §M3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onewindow.stats.models import MonthlyRollup

pytestmark = pytest.mark.django_db


def test_the_rollups_are_listed_and_read_only(admin_client: Client) -> None:
    row = MonthlyRollup.objects.create(
        month=dt.date(2026, 11, 1), department_id=7, item_id=9, region_id=3, received=4, measured=2
    )
    for name in ("monthlyrollup", "statusrollup", "durationrollup", "stagerollup"):
        assert admin_client.get(f"/admin/stats/{name}/").status_code == 200
        assert admin_client.get(f"/admin/stats/{name}/add/").status_code == 403
    listed = admin_client.get("/admin/stats/monthlyrollup/?q=9").content.decode()
    assert "2026" in listed and ">4<" in listed
    change = f"/admin/stats/monthlyrollup/{row.pk}/change/"
    answer = admin_client.post(change, {"received": 99})
    assert answer.status_code == 403
    row.refresh_from_db()
    assert row.received == 4
