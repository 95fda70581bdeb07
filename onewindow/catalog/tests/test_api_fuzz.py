"""Arbitrary query strings and path segments never make a catalog endpoint fail: no 500, always
the JSON error shape. Runs on SQLite and PostgreSQL (which refuses NUL characters in text)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from onewindow.api.tests import data as d
from onewindow.catalog.models import RegionLevel

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/departments/", "/api/v1/regions/", "/api/v1/items/"]
DETAILS = ["/api/v1/departments/{}/", "/api/v1/regions/{}/", "/api/v1/items/{}/"]
NASTY = [
    "' OR 1=1 --",
    "'; DROP TABLE catalog_item; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%%%",
    "\x00",
    "食品\x00",
    "NULL",
    "null",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "1e309",
    "NaN",
    "-0",
    "0x10",
    "last",
    "9" * 400,
    "-" + "9" * 30,
    "\u202e",
    "\ufeff食品",
    "😀" * 50,
    " ",
    "",
]
KEYS = ["q", "department", "region", "level", "parent", "page", "page_size", "format", "ordering"]

values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
params = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=20)), values, max_size=5)
segments = st.one_of(st.text(min_size=1, max_size=200), st.sampled_from([n for n in NASTY if n]))
FUZZ = hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def catalog():
    city = d.region("420700", "鄂州市")
    d.region("420702", "梁子湖区", RegionLevel.DISTRICT, city)
    market = d.department("SCJG", "鄂州市市场监督管理局")
    d.guide(
        "SP-001",
        "食品经营许可",
        dept=market,
        regions=[city],
        conditions=["持有营业执照"],
        materials=[d.material("申请书", form=b"x", sample=b"y")],
        fees=[d.fee("工本费", "10")],
    )


def assert_json_answer(response, allowed: set[int]) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body["code"], str)
        assert isinstance(body["message"], str)
        assert body["message"]


def get(path: str, **kwargs):
    caches["ratelimit"].clear()  # throttle counters: hundreds of examples from one address
    return Client(raise_request_exception=False).get(path, **kwargs)


@FUZZ
@given(path=st.sampled_from(LISTS), query=params)
def test_lists_answer_arbitrary_query_parameters_with_json(catalog, path, query):
    assert_json_answer(get(path, data=query), {200, 400, 404})


@FUZZ
@given(path=st.sampled_from(LISTS), raw=st.text(max_size=300))
def test_lists_answer_an_arbitrary_raw_query_string_with_json(catalog, path, raw):
    assert_json_answer(get(f"{path}?{raw}"), {200, 400, 404})


@FUZZ
@given(path=st.sampled_from(DETAILS), segment=segments, query=params)
def test_details_answer_arbitrary_codes_with_json(catalog, settings, path, segment, query):
    settings.DEBUG = False  # a segment holding "/" misses every route: handler404 answers
    response = get(path.format(quote(segment, safe="")), data=query)
    # 400 only for a NUL character in the query, refused for every endpoint (core.middleware).
    assert_json_answer(response, {200, 400, 404})
    if response.status_code == 400:
        assert any("\x00" in k or "\x00" in str(v) for k, v in query.items()), query


@pytest.mark.parametrize("path", DETAILS)
@pytest.mark.parametrize("segment", ["\x00", "SP-001\x00", "x" * 5000, "%00", "..", "%2F"])
def test_details_refuse_codes_no_row_can_have(catalog, settings, path, segment):
    settings.DEBUG = False
    assert_json_answer(get(path.format(quote(segment, safe=""))), {404})


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/items/", "q"),
        ("/api/v1/items/", "department"),
        ("/api/v1/items/", "region"),
        ("/api/v1/regions/", "parent"),
    ],
)
def test_lists_refuse_a_nul_character_in_a_filter_with_a_400(catalog, path, key):
    response = get(path, data={key: "食品\x00"})
    assert_json_answer(response, {400})
    assert key in response.json()["errors"]
