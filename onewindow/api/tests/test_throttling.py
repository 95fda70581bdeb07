"""Anonymous callers of public endpoints are throttled per IP with a Chinese 429."""

from __future__ import annotations

import re

import pytest

from onewindow.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_per_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min"},
    }


@pytest.mark.parametrize("path", ["/api/v1/items/", "/api/v1/departments/", "/api/v1/regions/"])
def test_an_anonymous_caller_over_the_rate_gets_a_chinese_429(client, two_per_minute, path):
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    response = client.get(path)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert re.fullmatch(r"请求过于频繁，请在 \d+ 秒后重试。", body["message"])
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_limit_is_per_caller_address(client, two_per_minute):
    for _ in range(2):
        client.get("/api/v1/items/")
    assert client.get("/api/v1/items/").status_code == 429
    assert client.get("/api/v1/items/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_detail_endpoints_share_the_callers_budget(client, two_per_minute):
    client.get("/api/v1/items/")
    client.get("/api/v1/items/NOPE/")
    assert client.get("/api/v1/regions/420700/").status_code == 429


def test_a_signed_in_user_is_not_throttled(client, two_per_minute):
    client.force_login(User.objects.create_user(username="alice", password="x" * 12))
    assert {client.get("/api/v1/items/").status_code for _ in range(5)} == {200}
