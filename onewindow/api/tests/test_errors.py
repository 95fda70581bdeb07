"""Everything under /api/ answers JSON {"code", "message"[, "errors"]}, Chinese by default, never
HTML."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onewindow.accounts.models import User
from onewindow.api import errors
from onewindow.api.tests import data as d

pytestmark = pytest.mark.django_db

TEST_URLS = "onewindow.api.tests.urls"


def error(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert set(body) <= {"code", "message", "errors"}
    return body


@pytest.fixture
def alice():
    return User.objects.create_user(username="alice", password="correct horse battery")


# --- 404 / 405 -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/items/a/b/c/", "/api/x"])
def test_an_unknown_api_path_is_a_json_404_with_debug_off(client, settings, path):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "请求的资源不存在。"}


def test_an_unknown_path_outside_the_api_is_not_json(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_wrong_method_is_a_chinese_405_listing_the_allowed_methods(client):
    response = client.post("/api/v1/items/")
    assert response.status_code == 405
    assert error(response) == {"code": "method_not_allowed", "message": "不支持 POST 请求方法。"}
    assert "GET" in response["Allow"]
    assert client.delete("/api/v1/departments/X/").status_code == 405


def test_stock_messages_follow_the_clients_language(client):
    """Chinese by default; a client asking for English (the portal's language switch) gets it."""
    assert error(client.put("/api/v1/regions/"))["message"] == "不支持 PUT 请求方法。"
    response = client.put("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en")
    assert error(response)["message"] == "The PUT method is not allowed."


# --- bad query parameters ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "１", "2e3"])
def test_a_malformed_page_is_a_400_naming_the_parameter(client, page):
    response = client.get("/api/v1/items/", {"page": page})
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid",
        "message": "页码必须是正整数。",
        "errors": {"page": ["页码必须是正整数。"]},
    }


@pytest.mark.parametrize("page_size", ["-1", "0", "abc", "20.0"])
def test_a_malformed_page_size_is_a_400_naming_the_parameter(client, page_size):
    response = client.get("/api/v1/departments/", {"page_size": page_size})
    assert response.status_code == 400
    body = error(response)
    assert body["message"] == "每页条数必须是 1 到 200 之间的整数。"
    assert list(body["errors"]) == ["page_size"]


def test_a_page_past_the_end_is_a_404_that_says_how_many_pages_there_are(client):
    d.guide("SP-001", "食品经营许可", dept=d.department())
    for page in ["2", "9" * 5000]:
        response = client.get("/api/v1/items/", {"page": page})
        assert response.status_code == 404
        assert error(response) == {"code": "not_found", "message": "页码超出范围：共 1 页。"}


def test_an_empty_page_parameter_means_the_first_page(client):
    d.guide("SP-001", "食品经营许可", dept=d.department())
    response = client.get("/api/v1/items/", {"page": "", "page_size": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_page_last_is_the_last_page(client):
    dept = d.department()
    for n in range(3):
        d.guide(f"SP-{n}", f"事项{n}", dept=dept)
    body = client.get("/api/v1/items/", {"page": "last", "page_size": 2}).json()
    assert [row["code"] for row in body["results"]] == ["SP-2"]


# --- authentication and permissions ------------------------------------------------------------


@pytest.mark.urls(TEST_URLS)
def test_an_anonymous_call_to_a_login_only_endpoint_is_a_401_with_the_token_challenge(client):
    response = client.get("/api/v1/test/login-only/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = error(response)
    assert body["code"] == "not_authenticated"
    assert body["message"].startswith("尚未登录")


@pytest.mark.urls(TEST_URLS)
def test_the_401_message_is_english_for_an_english_speaking_client(client):
    response = client.get("/api/v1/test/login-only/", HTTP_ACCEPT_LANGUAGE="en")
    assert error(response)["message"].startswith("Not logged in")


@pytest.mark.urls(TEST_URLS)
def test_a_valid_token_authenticates(client, alice):
    token = Token.objects.create(user=alice)
    response = client.get("/api/v1/test/login-only/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json() == {"username": "alice"}


@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token not-a-real-key", "令牌无效或已失效。"),
        ("Token", "令牌请求头无效：未提供令牌。"),
        ("Token a b", "令牌请求头无效：令牌中不能包含空格。"),
    ],
)
def test_a_bad_token_is_a_401_with_a_chinese_message(client, header, message):
    response = client.get("/api/v1/test/login-only/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error(response) == {"code": "authentication_failed", "message": message}


@pytest.mark.urls(TEST_URLS)
def test_a_token_of_a_deactivated_user_is_refused(client, alice):
    token = Token.objects.create(user=alice)
    alice.is_active = False
    alice.save()
    response = client.get("/api/v1/test/login-only/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert error(response)["message"] == "用户已停用或不存在。"


@pytest.mark.urls(TEST_URLS)
def test_a_signed_in_user_without_the_permission_gets_a_chinese_403(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/test/staff-only/")
    assert response.status_code == 403
    assert error(response) == {"code": "permission_denied", "message": "您没有执行该操作的权限。"}


@pytest.mark.urls(TEST_URLS)
def test_a_session_write_without_the_csrf_token_is_a_chinese_403(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/api/v1/test/login-only/", {"a": 1}, format="json")
    assert response.status_code == 403
    assert error(response) == {
        "code": "permission_denied",
        "message": "CSRF 校验失败，请刷新页面后重试。",
    }


@pytest.mark.urls(TEST_URLS)
def test_a_body_that_is_not_json_is_a_chinese_400(client, alice):
    client.force_login(alice)
    response = client.post(
        "/api/v1/test/login-only/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert error(response) == {"code": "parse_error", "message": "请求体不是有效的 JSON。"}


@pytest.mark.urls(TEST_URLS)
def test_an_unsupported_body_type_is_a_chinese_415(client, alice):
    client.force_login(alice)
    response = client.post("/api/v1/test/login-only/", data="x", content_type="text/csv")
    assert response.status_code == 415
    assert error(response) == {
        "code": "unsupported_media_type",
        "message": "不支持的请求内容类型。",
    }


# --- Django's own exceptions raised inside API views ------------------------------------------


@pytest.mark.urls(TEST_URLS)
def test_get_object_or_404_gives_the_chinese_not_found_not_djangos_english_text(client):
    response = client.get("/api/v1/test/django/404/")
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "请求的资源不存在。"}


@pytest.mark.urls(TEST_URLS)
def test_a_django_validation_error_is_a_400_with_field_errors(client):
    response = client.get("/api/v1/test/django/invalid/")
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid",
        "message": "名称不能为空。",
        "errors": {"name": ["名称不能为空。"], "non_field_errors": ["整体校验失败。"]},
    }


# --- unexpected failures -----------------------------------------------------------------------


def test_an_exception_inside_an_api_view_is_a_json_500_and_is_logged(caplog):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "onewindow.catalog.selectors.guide_search", side_effect=RuntimeError("database on fire")
    ):
        response = client.get("/api/v1/items/")
    assert response.status_code == 500
    assert error(response) == {"code": "server_error", "message": "服务器内部错误，请稍后重试。"}
    assert "database on fire" not in response.content.decode()
    assert any(record.name == "onewindow.api" for record in caplog.records)


@pytest.mark.urls(TEST_URLS)
def test_an_exception_outside_drf_under_the_api_is_a_json_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test/plain-failure/")
    assert response.status_code == 500
    assert error(response) == {"code": "server_error", "message": "服务器内部错误，请稍后重试。"}


def test_handler500_keeps_the_html_page_outside_the_api(rf):
    response = errors.handler500(rf.get("/guides/"))
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
