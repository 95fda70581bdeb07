"""Pytest set-up shared by every app's tests."""

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["onewindow.testing"]

# Property tests judge answers, not speed: on a shared 2-core machine running two test processes
# one draw of a pure function once took 3.9 s (a stall, not the strategy), and the timing
# checks turned that into a failure. Speed lives in the benchmarks (bench/).
settings.register_profile("onewindow", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("onewindow")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files and signing keys go to a per-test directory, never the real
    data dir."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.SIGNING_KEY_DIR = tmp_path / "keys"  # the private SM2 keys (docs/rules/audit.md §Z12)


@pytest.fixture(scope="session", autouse=True)
def _data_keys_in_tmp(tmp_path_factory):
    """The SM4 and blind-index keys (docs/rules/privacy.md §P3) of this test process: one
    directory for the whole session, set before any fixture writes data (the demo fixtures are
    module-scoped and their rows outlive a test); tests of rotation point it at a directory of
    their own through the ``settings`` fixture."""
    from django.conf import settings

    settings.DATA_KEY_DIR = tmp_path_factory.mktemp("data-keys")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.5 s a user by design; tests that check hashing put it back themselves."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _staff_sessions_outlast_time_travel(settings):
    """Many tests move the clock by hours or days between one staff member's requests (a
    deadline passing, a month's statistics). The staff idle and absolute session limits
    (docs/decisions.md §S7) would sign them out in between, so here they are a year; the tests of
    the limits (accounts/tests/test_second_factor.py) set the production values themselves."""
    settings.STAFF_IDLE_MINUTES = 366 * 24 * 60
    settings.STAFF_SESSION_HOURS = 366 * 24


@pytest.fixture(autouse=True)
def _calendar_checks_every_call(monkeypatch):
    """Compare the calendar revision on every call, so a change rolled back with one test's
    transaction is never served to the next test (the revision row rolls back too)."""
    from onewindow.calendars import selectors

    monkeypatch.setattr(selectors, "CHECK_SECONDS", 0.0)


@pytest.fixture(autouse=True)
def _default_language():
    """A request with an English cookie leaves English active in the test thread (LocaleMiddleware
    activates, nothing deactivates); every test starts in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def unthrottled(settings):
    """The anonymous API throttle off, for tests that count a view's own queries (the throttle
    counts in the shared database cache: a few queries of its own per call)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None},
    }


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(items):
    """The backup tests replace the whole test database (the restore drill destroys it and
    restores it from the archive): they run after everything else, so that no later test, and no
    live server started earlier, depends on a database they have replaced."""
    backups = [item for item in items if "onewindow/backup/tests/" in item.nodeid]
    items[:] = [item for item in items if item not in backups] + backups
