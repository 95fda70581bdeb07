"""``onewindow run`` on a fresh data directory: migrates, loads the demo, serves over gunicorn."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs the embedded SQLite default; PostgreSQL is covered by the suite",
)
def test_run_serves_the_portal_with_demo_data_and_prints_logins(tmp_path):
    port = _free_port()
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(tmp_path), "WEB_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    log = tmp_path / "out.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("onewindow")),
                *("run", "--port", str(port), "--demo-cases", "12"),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # A readiness wait, not a speed check: CI machines are shared.
            deadline = time.monotonic() + 240
            status = 0
            while time.monotonic() < deadline:
                try:
                    status, _ = _get(port, "/healthz")
                    if status == 200:
                        break
                except OSError:
                    time.sleep(0.5)
            assert status == 200, log.read_text()
            status, body = _get(port, "/guides/")
            assert status == 200
            assert "办事指南" in body
            status, body = _get(port, "/api/v1/items/?page_size=1")
            assert status == 200
            assert '"count":92' in body.replace(" ", "")
        finally:
            server.terminate()
            # gunicorn's graceful 10 s, then the background worker's own 10 s (server.py)
            server.wait(timeout=60)
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert "admin" in output  # the demo logins table


def test_run_refuses_a_bad_port(tmp_path):
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("onewindow")), "run", "--port", "70000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "端口" in result.stderr
