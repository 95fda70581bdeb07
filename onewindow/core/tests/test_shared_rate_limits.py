"""docs/decisions.md §S2: the progress-query, verification and API limits are counted in a store
every worker process shares (the database cache by default), so two workers do not double a limit.

Two real processes spend one client address's budget at the same time against one SQLite file;
together they get exactly the documented limit, not twice it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKTREE = Path(__file__).resolve().parents[3]

# Each worker: spend ``tries`` of every budget for one address, print how many were allowed.
WORKER = """
import json, sys
import django
django.setup()
from django.test import RequestFactory
from onewindow.api.throttling import AnonThrottle
from onewindow.portal.progress import progress_rate_spend
from onewindow.certificates.selectors import verify_rate_spend

tries = int(sys.argv[1])
request = RequestFactory().get("/api/v1/items/", REMOTE_ADDR="203.0.113.7")
request.user = None
counts = {"progress": 0, "verify": 0, "api": 0}
for _ in range(tries):
    counts["progress"] += progress_rate_spend("203.0.113.7") == 0
    counts["verify"] += verify_rate_spend("203.0.113.7") == 0
    counts["api"] += AnonThrottle().allow_request(request, None)
print(json.dumps(counts))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ONEWINDOW_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "PYTHONPATH": str(WORKTREE),
        "PROGRESS_QUERY_PER_MINUTE": "6",
        "CERTIFICATE_VERIFY_PER_MINUTE": "5",
        "API_THROTTLE_ANON": "4/min",
    }
    env.pop("REDIS_URL", None)
    return env


@pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="the default store is the database cache"
)
def test_two_worker_processes_share_every_budget(tmp_path):
    env = _env(tmp_path)
    # What `onewindow run` does first: the migrations create the cache table.
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "core", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=tmp_path,
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "8"], env=env, cwd=tmp_path, stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        results.append(json.loads(out))
    allowed = {scope: sum(r[scope] for r in results) for scope in results[0]}
    assert allowed == {"progress": 6, "verify": 5, "api": 4}
