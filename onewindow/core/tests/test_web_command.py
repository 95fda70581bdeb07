"""docs/operations.md §W8: ``onewindow migrate`` is the release step (migrations, static files);
``onewindow web`` only serves: it refuses an unmigrated database, never loads demo data, writes
one JSON access line a request with the request id and no gunicorn access line of its own."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onewindow.core.tests.test_healthz import REDIS_TEST_URL, _redis_reachable

WORKTREE = Path(__file__).resolve().parents[3]
ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs on a scratch SQLite data directory; the web command is the same on PostgreSQL",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {
        **env,
        "ONEWINDOW_DATA_DIR": str(tmp_path / "data"),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
        **extra,
    }


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    return response.status, dict(response.getheaders()), body


def test_web_refuses_a_database_with_unapplied_migrations(tmp_path):
    result = subprocess.run(
        [ONEWINDOW, "web", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "迁移未应用" in result.stderr
    assert "onewindow migrate" in result.stderr
    assert "unapplied" in result.stderr or "lacks" in result.stderr
    # It did not migrate on its own: the next look still finds every migration missing.
    again = subprocess.run(
        [ONEWINDOW, "web", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1 and "迁移未应用" in again.stderr


def test_web_refuses_a_bad_port(tmp_path):
    result = subprocess.run(
        [ONEWINDOW, "web", "--port", "0"], env=_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "端口" in result.stderr


def test_migrate_then_web_serves_with_hashed_static_files_and_json_access_lines(tmp_path):
    redis = _redis_reachable()
    extra = {"STATIC_MANIFEST": "true", "LOG_FORMAT": "json"}
    if redis:
        extra["REDIS_URL"] = REDIS_TEST_URL
    env = _env(tmp_path, **extra)
    migrated = subprocess.run(
        [ONEWINDOW, "migrate"], env=env, capture_output=True, text=True, timeout=600
    )
    assert migrated.returncode == 0, migrated.stderr
    static = tmp_path / "data" / "static"
    assert (static / "staticfiles.json").is_file()
    hashed_css = [
        p.name for p in static.rglob("*.css") if re.search(r"\.[0-9a-f]{12}\.css$", p.name)
    ]
    assert hashed_css

    port = _free_port()
    log = tmp_path / "web.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [ONEWINDOW, "web", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline, status = time.monotonic() + 180, 0
            while time.monotonic() < deadline and status != 200:
                try:
                    status, _headers, _body = _get(port, "/healthz?scope=web")
                except OSError:
                    time.sleep(0.5)
            assert status == 200, log.read_text()
            status, headers, body = _get(port, "/healthz?scope=web")
            assert json.loads(body)["redis"] == ("ok" if redis else "not configured")
            # The full check: no worker runs here, so the heartbeat is missing.
            status, _headers, body = _get(port, "/healthz")
            assert status == 503 and json.loads(body)["worker"] == "missing"
            status, headers, body = _get(port, "/guides/", **{"X-Request-ID": "edge-42-guides"})
            assert status == 200
            assert headers["X-Request-ID"] == "edge-42-guides"
            assert re.search(r'/static/[^"]+\.[0-9a-f]{12}\.css"', body), "unhashed static url"
            status, _headers, body = _get(port, "/api/v1/items/?page_size=1")
            assert '"count":0' in body.replace(" ", "")  # no demo data was loaded
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == len(lines), [line for line in lines if not line.startswith("{")]
    guides = [r for r in records if r.get("path") == "/guides/"]
    assert len(guides) == 1, guides  # one access line, none from gunicorn
    assert guides[0]["request_id"] == "edge-42-guides"
    assert guides[0]["logger"] == "onewindow.access"
    assert guides[0]["status"] == 200
    assert any(r["logger"] == "gunicorn.error" for r in records)  # gunicorn's own, as JSON
