"""/api/v1/docs/ (Swagger UI) and /api/v1/redoc/ work on an intranet: nothing from the internet."""

from __future__ import annotations

import re

import pytest

DOCS = ["/api/v1/docs/", "/api/v1/redoc/"]
_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
# Any host name after "//" (scheme-relative or absolute), not a "// comment" in the inline script.
_HOST = re.compile(r"//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def page(client, path: str) -> str:
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_page_loads_nothing_from_another_host(client, path):
    html = page(client, path)
    assert _HOST.findall(html) == []
    for known in ["cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com", "validator.swagger.io"]:
        assert known not in html
    for url in _ASSET.findall(html):
        assert url.startswith("/") and not url.startswith("//"), url


@pytest.mark.parametrize("path", DOCS)
def test_every_asset_the_docs_page_needs_is_served_locally(client, path):
    assets = _ASSET.findall(page(client, path))
    assert any(url.endswith(".js") for url in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url


def test_swagger_ui_reads_our_json_document_and_has_the_online_validator_off(client):
    html = page(client, "/api/v1/docs/")
    assert 'url: "/api/v1/openapi.json"' in html
    assert '"validatorUrl": null' in html
    assert "swagger-ui-bundle.js" in html


def test_redoc_reads_our_json_document_with_the_sidecar_bundle(client):
    html = page(client, "/api/v1/redoc/")
    assert 'data-schema-url="/api/v1/openapi.json"' in html  # read by static/api/redoc-init.js
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
