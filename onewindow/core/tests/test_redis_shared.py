"""docs/operations.md §W4: with REDIS_URL, sessions and rate-limit counts live in Redis, so every
web process on every machine sees the same ones. Two separate Django processes against the real
Redis (database 5): a session written by one is read by the other, and a budget spent in one is
spent for the other. Skipped, with the reason, when no Redis answers on 127.0.0.1:6379."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from onewindow.core.tests.test_healthz import REDIS_TEST_URL, _redis_reachable

WORKTREE = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379")

# Both processes run at the same frozen instant, so the rate-limit window cannot roll over
# between them.
PRELUDE = """
import datetime as dt, sys, django, time_machine
time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, 30, tzinfo=dt.UTC), tick=False).start()
django.setup()
from django.conf import settings
from django.contrib.sessions.backends.cache import SessionStore
from onewindow.core.ratelimit import rate_spend
assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache", settings.SESSION_ENGINE
"""

WRITER = (
    PRELUDE
    + """
session = SessionStore()
session["case_draft"] = "draft-" + sys.argv[1]
session.save()
spent = [rate_spend(scope=sys.argv[1], ident="10.0.0.7", limit=3) for _ in range(3)]
print(session.session_key, *spent)
"""
)

READER = (
    PRELUDE
    + """
session = SessionStore(session_key=sys.argv[2])
print(session.get("case_draft"), rate_spend(scope=sys.argv[1], ident="10.0.0.7", limit=3),
      rate_spend(scope=sys.argv[1], ident="10.0.0.8", limit=3))
"""
)


def _run(tmp_path: Path, script: str, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL_FILE"}}
    env.update(
        REDIS_URL=REDIS_TEST_URL,
        ONEWINDOW_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        PYTHONPATH=str(WORKTREE),
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_sessions_and_rate_limits_are_shared_between_two_processes(tmp_path):
    scope = f"test-shared-{uuid.uuid4().hex[:8]}"
    session_key, *spent = _run(tmp_path, WRITER, scope)
    assert spent == ["0", "0", "0"]  # within the budget of 3
    draft, same_client, other_client = _run(tmp_path, READER, scope, session_key)
    assert draft == f"draft-{scope}"
    assert int(same_client) > 0  # the 4th use of the minute, counted across processes: refused
    assert other_client == "0"  # another address has its own budget
