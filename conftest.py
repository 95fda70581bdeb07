"""Pytest set-up shared by every app's tests."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a per-test directory, never the real data dir."""
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """A calendar change rolled back with one test's transaction must not leak into the next."""
    from onewindow.calendars.selectors import calendar_cache_clear

    calendar_cache_clear()
    yield
    calendar_cache_clear()
