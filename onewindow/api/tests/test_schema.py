"""The OpenAPI 3 document: JSON at /api/v1/openapi.json, valid, complete, generated cleanly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.views import APIView

CATALOG_PATHS = {
    "/api/v1/departments/": "catalog_departments_list",
    "/api/v1/departments/{code}/": "catalog_departments_retrieve",
    "/api/v1/regions/": "catalog_regions_list",
    "/api/v1/regions/{code}/": "catalog_regions_retrieve",
    "/api/v1/items/": "catalog_items_list",
    "/api/v1/items/{code}/": "catalog_items_retrieve",
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        from django.test import Client

        response = Client().get("/api/v1/openapi.json", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_openapi_json_is_json_for_a_browser_without_a_format_parameter(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "OneWindow API（一窗通办）"


def test_the_document_validates_against_the_openapi_3_schema(document):
    validate_schema(document)


def test_the_document_has_every_catalog_endpoint(document):
    for path, operation_id in CATALOG_PATHS.items():
        assert document["paths"][path]["get"]["operationId"] == operation_id
        assert set(document["paths"][path]) == {"get"}, path


def _api_routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[tuple[str, type[APIView]]]:
    """(OpenAPI path, view class) of every DRF view routed under /api/v1/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
            continue
        view = getattr(pattern.callback, "cls", None)
        if route.startswith("api/v1/") and view and issubclass(view, APIView):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), view


def test_the_document_lists_every_api_view_routed_under_api_v1(document):
    routes = {path for path, view in _api_routes() if not _is_docs_view(view)}
    assert set(CATALOG_PATHS) <= routes
    assert routes - set(document["paths"]) == set()


def _is_docs_view(view: type[APIView]) -> bool:
    """The document itself and the two HTML readers are excluded from it on purpose."""
    return view.__module__.startswith(("drf_spectacular", "onewindow.api.views")) or issubclass(
        view, SpectacularAPIView
    )


def test_both_auth_schemes_are_documented(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert "Authorization: Token <key>" in schemes["tokenAuth"]["description"]
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert {"tokenAuth": []} in document["paths"]["/api/v1/items/"]["get"]["security"]


def test_catalog_errors_are_documented_with_the_shared_error_shape(document):
    operation = document["paths"]["/api/v1/items/{code}/"]["get"]
    error_ref = operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref == "#/components/schemas/Error"
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert set(error["required"]) == {"code", "message"}
    listing = document["paths"]["/api/v1/items/"]["get"]
    assert {"400", "429"} <= set(listing["responses"])


def test_lists_are_documented_as_paginated_with_their_filters(document):
    operation = document["paths"]["/api/v1/items/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "page",
        "page_size",
        "q",
        "department",
        "region",
    }
    page_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = document["components"]["schemas"][page_ref.rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    regions = document["paths"]["/api/v1/regions/"]["get"]
    assert {"level", "parent"} <= {p["name"] for p in regions["parameters"]}


def test_generating_the_document_emits_no_warnings_or_errors():
    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    problems = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    assert not problems, "\n".join(problems)


def test_the_spectacular_command_validates_with_fail_on_warn(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/items/{code}/" in target.read_text(encoding="utf-8")


def _json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema fragment as JSON Schema, objects closed to undocumented keys."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if "$ref" in converted:
        converted["$ref"] = converted["$ref"].replace("#/components/schemas/", "#/$defs/")
    if "properties" in converted:
        converted.setdefault("additionalProperties", False)
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.mark.django_db
def test_catalog_responses_match_their_documented_schemas(client, document):
    from onewindow.api.tests import data as d
    from onewindow.catalog.models import RegionLevel

    city = d.region("420700", "鄂州市")
    d.region("420702", "梁子湖区", RegionLevel.DISTRICT, city)
    d.guide(
        "SP-001",
        "食品经营许可",
        dept=d.department(),
        regions=[city],
        conditions=["持有营业执照"],
        materials=[d.material("申请书", form=b"x"), d.material("营业执照")],
        fees=[d.fee("工本费", "10")],
    )
    defs = _json_schema(document["components"]["schemas"])
    calls = {
        "/api/v1/departments/": "/api/v1/departments/",
        "/api/v1/departments/{code}/": "/api/v1/departments/SCJG/",
        "/api/v1/regions/": "/api/v1/regions/",
        "/api/v1/regions/{code}/": "/api/v1/regions/420700/",
        "/api/v1/items/": "/api/v1/items/",
        "/api/v1/items/{code}/": "/api/v1/items/SP-001/",
        "/api/v1/items/{code}/#404": "/api/v1/items/NOPE/",
        "/api/v1/regions/#400": "/api/v1/regions/?level=province",
    }
    for documented, url in calls.items():
        response = client.get(url)
        responses = document["paths"][documented.split("#")[0]]["get"]["responses"]
        schema = _json_schema(responses[str(response.status_code)]["content"]["application/json"])
        jsonschema.validate(response.json(), {**schema["schema"], "$defs": defs})
