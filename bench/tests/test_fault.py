"""The fault tests (``bench/fault.py``): kill -9 a web process and a background worker in the
middle of submissions, acceptances, opinions, grants and the periodic sweeps; afterwards every
acknowledged submission exists exactly once and ``onewindow integrity`` finds nothing.

Each variant runs the scenario in a process of its own (it needs its own scratch database and
settings, not the test database). Both run in the SQLite pass of the test command: the
one-machine mode always, the multi-machine mode on PostgreSQL + Redis when TEST_DATABASE_URL is
set and Redis answers at REDIS_URL (default redis://127.0.0.1:6379, database 11 of it is used and
emptied). The PostgreSQL pass skips them: they would only repeat the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from bench.harness import ROOT

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the fault tests make their own databases; they run in the SQLite pass",
    ),
]
REDIS_DB = 11  # the fault tests' own Redis database
SCALE = ["--clients", "4", "--seconds", "15", "--drafts", "300"]


def scenario(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "bench.fault", *args, *SCALE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr[-3000:]
    assert result.returncode == 0, output
    assert "every check holds" in result.stdout, output
    return result.stdout


def redis_url() -> str | None:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    url = urlparse(base)._replace(path=f"/{REDIS_DB}").geturl()
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return None
    return url


def test_one_machine_survives_a_killed_web_worker_and_background_child() -> None:
    output = scenario("--mode", "single")
    assert "killed: gunicorn worker" in output and "background child" in output
    assert "restarted: background child" in output


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
def test_two_web_servers_and_two_workers_on_postgresql_survive_kill_9_of_one_of_each() -> None:
    redis = redis_url()
    if redis is None:
        pytest.skip("Redis does not answer at REDIS_URL (default redis://127.0.0.1:6379)")
    base = urlparse(os.environ["TEST_DATABASE_URL"])
    database = base._replace(path=f"{base.path}_fault").geturl()
    output = scenario("--mode", "multi", "--database-url", database, "--redis-url", redis)
    assert "killed: web0" in output and "worker0" in output
