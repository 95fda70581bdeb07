"""The demo's themes and bundle applications (docs/rules/bundles.md §R1, §R5–§R7): every theme
of the demo loads from the catalog's items, and the demo bundles stand in three states."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from onewindow.bundles import selectors
from onewindow.bundles.models import Bundle, Theme
from onewindow.demo import bundles as demo_bundles
from onewindow.demo import catalog as demo

TODAY = dt.date(2026, 6, 17)
MORNING = dt.datetime(2026, 6, 17, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_has_its_themes_and_bundles_in_several_states(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=20, today=TODAY)
        codes = set(Theme.objects.filter(published=True).values_list("code", flat=True))
        assert codes == {spec.code for spec in demo_bundles.THEMES}
        groups = selectors.themes_by_life_event()
        assert {g.code for g in groups} == {"person", "legal"}
        states = {selectors.bundle_view(b).status for b in selectors._bundles()}
        assert {"intake", "correction", "in_progress"} <= states
        assert Bundle.objects.count() == 3
        demo.demo_reset()
        assert not Theme.objects.exists()
