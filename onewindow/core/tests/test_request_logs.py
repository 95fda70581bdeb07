"""docs/operations.md §W7: every request has an id (the proxy's when well-formed, else a new one)
echoed in X-Request-ID and carried by every log line written for it, with the user, method and
path; one access line a request with its status and duration; a background job's lines carry
the job and its run id instead."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from onewindow.core import jobs
from onewindow.core.logcontext import ContextFilter, json_formatter, log_context, request_id_from

HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the console handler would print with LOG_FORMAT=json, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("onewindow")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_well_formed_proxy_request_id_is_kept_and_echoed(client):
    response = client.get("/guides/", HTTP_X_REQUEST_ID="nginx-7f3a.9b_01")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "nginx-7f3a.9b_01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offered",
    [
        "short",
        "x" * 65,
        "has space in it",
        "new\nline-injected",
        "semi;colon1234",
        "中文请求编号一二三",
    ],
)
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, offered):
    response = client.get("/healthz?scope=web", HTTP_X_REQUEST_ID=offered)
    assert HEX32.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_without_a_proxy_id_each_request_gets_its_own(client):
    first = client.get("/healthz?scope=web")["X-Request-ID"]
    second = client.get("/healthz?scope=web")["X-Request-ID"]
    assert HEX32.match(first) and HEX32.match(second) and first != second


@pytest.mark.django_db
def test_redirects_and_refusals_carry_the_id_too(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/guides/", HTTP_X_REQUEST_ID="abcdefgh-1")
    assert response.status_code == 301
    assert response["X-Request-ID"] == "abcdefgh-1"
    refused = client.get("/guides/?q=a%00b", secure=True, HTTP_X_REQUEST_ID="abcdefgh-2")
    assert refused.status_code == 400
    assert refused["X-Request-ID"] == "abcdefgh-2"


@pytest.mark.django_db
def test_the_access_line_is_one_json_object_with_the_request_fields(client, json_lines):
    client.get("/guides/", HTTP_X_REQUEST_ID="trace-0001-guides")
    access = [r for r in _records(json_lines) if r["logger"] == "onewindow.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "trace-0001-guides"
    assert line["method"] == "GET"
    assert line["path"] == "/guides/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["message"] == "GET /guides/ 200"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", line["time"])
    assert "user" not in line  # anonymous


def probe(request: HttpRequest) -> HttpResponse:
    """A view that loads its user and writes a line of its own."""
    logging.getLogger("onewindow.portal").warning("user %s looked", request.user.pk)
    return HttpResponse("ok")


urlpatterns = [path("log-probe/", probe)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_lines_logged_inside_a_view_carry_the_request_id_and_the_signed_in_user(
    client, personas, json_lines
):
    client.force_login(personas.clerk)
    client.get("/log-probe/", HTTP_X_REQUEST_ID="trace-0002-probe")
    records = _records(json_lines)
    inner = [r for r in records if r["message"] == f"user {personas.clerk.pk} looked"]
    access = [r for r in records if r["logger"] == "onewindow.access"]
    for line in (inner[0], access[0]):
        assert line["request_id"] == "trace-0002-probe"
        assert line["user"] == personas.clerk.pk
        assert (line["method"], line["path"]) == ("GET", "/log-probe/")
    assert inner[0]["level"] == "WARNING"
    assert "status" not in inner[0]


@pytest.mark.django_db  # each run claims its period (core.JobRun)
def test_a_background_job_logs_with_its_name_and_run_id(monkeypatch, json_lines):
    monkeypatch.setattr(jobs, "JOBS", {})
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)

    @jobs.periodic("sweep", interval=10)
    def sweep() -> None:
        logging.getLogger("onewindow.supervision").info("swept 3 tasks")

    @jobs.periodic("broken", interval=10)
    def broken() -> None:
        raise RuntimeError("boom")

    jobs.run_due_jobs(now=100.0)
    jobs.run_due_jobs(now=200.0)
    records = _records(json_lines)
    swept = [r for r in records if r["message"] == "swept 3 tasks"]
    assert len(swept) == 2
    assert all(r["job"] == "sweep" and HEX32.match(r["job_run"]) for r in swept)
    assert swept[0]["job_run"] != swept[1]["job_run"]  # one id a run
    assert all("request_id" not in r for r in swept)
    failed = [r for r in records if r["message"] == "background job broken failed"]
    assert failed[0]["job"] == "broken" and "exc_info" in failed[0]


def test_the_text_format_shows_the_context_between_brackets():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s [%(context)s] %(message)s"))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("onewindow.test_text_format")
    logger.addHandler(handler)
    try:
        with log_context(request_id="abcdefgh12", method="POST", path="/apply/"):
            logger.warning("saved")
        with log_context(job="sweep", job_run="r1"):
            logger.warning("swept")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == [
        "WARNING onewindow.test_text_format [rid=abcdefgh12 POST /apply/] saved",
        "WARNING onewindow.test_text_format [job=sweep run=r1] swept",
        "WARNING onewindow.test_text_format [-] outside",
    ]


def test_the_request_id_rule():
    assert request_id_from("A1b2.C3_d4-e5") == "A1b2.C3_d4-e5"
    assert request_id_from("x" * 64) == "x" * 64
    assert HEX32.match(request_id_from("x" * 65))
    assert HEX32.match(request_id_from("1234567"))
    assert HEX32.match(request_id_from(None))


def test_settings_choose_the_format_from_log_format(monkeypatch):
    from onewindow.env import ConfigError, env_choice

    monkeypatch.setenv("LOG_FORMAT", "yaml")
    with pytest.raises(ConfigError):
        env_choice("LOG_FORMAT", "text", ("text", "json"))
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == settings.LOG_FORMAT
    assert handler["filters"] == ["context"]
