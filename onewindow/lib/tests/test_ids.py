"""Object ids in paths and query strings: anything a 64-bit key cannot hold is a 404 or a
"no filter", never a 500 (SQLite cannot even bind such an integer)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from onewindow.lib.ids import IdConverter, parse_id
from onewindow.testing import Personas

TOO_LONG = "9" * 19  # > 2**63 - 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("000123", 123),
        ("9" * 18, 10**18 - 1),
        ("0" * 30 + "5", 5),  # leading zeros do not make it too long
        (TOO_LONG, None),
        ("9" * 400, None),
        ("", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("1e3", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("١٢", None),  # Arabic-Indic digits: int() would take them
        ("12\x00", None),
    ],
)
def test_parse_id(raw: str, expected: int | None) -> None:
    assert parse_id(raw) == expected


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def _id_routes(resolver: URLResolver) -> list[str]:
    return [route for route in _routes(resolver) if "<id:" in route]


def _fill(route: str, value: str) -> str:
    parts = route.split("<")
    out = parts[0]
    for part in parts[1:]:
        converter, _sep, rest = part.partition(">")
        kind = converter.split(":")[0]
        out += (value if kind == "id" else "x") + rest
    return "/" + out


def test_every_object_route_uses_the_bounded_converter() -> None:
    routes = _id_routes(get_resolver())
    assert len(routes) > 80
    plain_int = [r for r in _routes(get_resolver()) if "<int:" in r and "year" not in r]
    assert plain_int == []
    assert IdConverter().to_python("42") == 42


@pytest.mark.parametrize("persona", ["supervisor", "approver_a", "applicant"])
def test_an_id_too_long_for_a_key_is_a_404_on_every_page_and_endpoint(
    client: Client, personas: Personas, persona: str
) -> None:
    client.force_login(personas.get(persona))
    # The admin sends everyone but administrators to its login page first.
    for route in (r for r in _id_routes(get_resolver()) if not r.startswith("admin/")):
        for method in (client.get, client.post):
            response = method(_fill(route, TOO_LONG))
            assert response.status_code == 404, (route, response.status_code)


FILTERED_PAGES = [
    "/supervision/cards/?department={}",
    "/supervision/letters/?department={}",
    "/supervision/letters/new/?card={}",
    "/supervision/reports/?year={}",
    "/supervision/cases/?department={}",
    "/supervision/feed/?department={}",
]
FILTERED_LISTS = [
    "/api/v1/supervision/cards/?department={}",
    "/api/v1/supervision/letters/?department={}",
    "/api/v1/supervision/cases/?department={}",
    "/api/v1/review/inbox/?item={}",
    "/api/v1/supervision/scores/?department={}",
]
UNUSABLE = [TOO_LONG, "²", "-1", "1e3"]


@pytest.mark.parametrize("value", UNUSABLE)
@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_pages_ignore_an_unusable_number_in_the_query(
    client: Client, personas: Personas, page: str, value: str
) -> None:
    client.force_login(personas.supervisor)
    assert client.get(page.format(value)).status_code == 200


@pytest.mark.parametrize("value", UNUSABLE)
@pytest.mark.parametrize("endpoint", FILTERED_LISTS)
def test_api_filters_refuse_an_unusable_number_with_a_400(
    client: Client, personas: Personas, endpoint: str, value: str
) -> None:
    client.force_login(personas.supervisor)
    response = client.get(endpoint.format(value))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/certificates/verify/?serial=%00",
        "/api/v1/review/inbox/?number=a%00b",
        "/api/v1/supervision/cases/?q=%00",
        "/api/v1/supervision/feed/?rule=%00",
        "/api/v1/items/?q=%00",
        "/api/v1/supervision/cases/?%00=1",
    ],
)
def test_a_nul_character_in_a_query_is_a_400_on_the_api(
    client: Client, personas: Personas, url: str
) -> None:
    client.force_login(personas.supervisor)
    response = client.get(url)
    assert response.status_code == 400
    message = "请求中含有不允许的空字符（NUL），请检查链接或查询条件。"
    body = response.json()
    assert (body["code"], body["message"]) == ("invalid", message)
    name = url.split("?")[1].split("=")[0].replace("%00", "\\x00")
    assert body["errors"] == {name: [message]}


@pytest.mark.parametrize("url", ["/api/v1/items/%00/", "/guides/a%00b/", "/api/v1/cases/1%00/"])
def test_a_nul_character_in_the_path_is_a_404(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/guides/?q=%00", "/progress/?number=%00&code=1", "/supervision/cases/?q=%00"]
)
def test_a_nul_character_in_a_query_is_a_400_page(
    client: Client, personas: Personas, url: str
) -> None:
    client.force_login(personas.supervisor)
    response = client.get(url)
    assert response.status_code == 400
    assert "请求中含有不允许的空字符" in response.content.decode()


def test_a_nul_character_in_an_url_encoded_form_is_a_400(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.supervisor)
    response = client.post(
        "/supervision/reports/new/",
        "period=2026-10%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "请求中含有不允许的空字符" in response.content.decode()


@pytest.mark.parametrize("number", ["42070219850615001\x00", "\x00", "4" * 40, "中文"])
def test_the_window_lookup_of_an_applicant_ignores_impossible_numbers(
    personas: Personas, number: str
) -> None:
    from onewindow.cases.selectors import applicant_find

    assert applicant_find(kind="person", number=number) is None
    assert applicant_find(kind="enterprise", number=number) is None
