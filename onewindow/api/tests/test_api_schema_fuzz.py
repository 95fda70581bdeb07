"""Schema-driven fuzzing of the whole API: every operation of the OpenAPI document, called by
schemathesis with generated path ids, query strings and bodies (valid by the schema and
deliberately invalid), as an applicant, a window clerk, an approver, a supervisor and
anonymously, never answers with a server error.

The world holds a draft, a case in parallel review (tasks in two departments) and a granted case
with its certificate, so generated ids sometimes hit real objects of the persona's own. Examples
are derandomised: the same calls on every run and on both databases.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from onewindow.api.tests.conftest import token_headers
from onewindow.testing import Personas

pytestmark = pytest.mark.django_db

# DELETE /auth/token signs the caller's token out: the rest of the run would be anonymous.
SKIPPED = {("DELETE", "/api/v1/auth/token")}
EXAMPLES = hypothesis_settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZED_AS = ["anonymous", "applicant", "clerk", "approver_a", "supervisor"]


@pytest.mark.parametrize("persona", FUZZED_AS)
def test_no_operation_answers_with_a_server_error(
    world: Personas, wsgi_in_test_transaction: Any, persona: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_test_transaction)
    headers = token_headers(world, persona)
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of our document is valid
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        tested += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures.extend(_fuzz(operation, mode, headers))
    assert tested > 80, f"only {tested} operations in the schema"
    assert not failures, "\n".join(failures)


# Boundary values the random examples rarely reach (schemathesis' CLI "coverage" phase): ids past
# 64 bits (SQLite cannot bind them), zero, a superscript digit ("²".isdigit() is true, int() fails).
BOUNDARY = ["0", str(2**63), "9" * 30, "²", "-1", "1e3", "%00", "%E2%80%AE"]


@pytest.mark.parametrize("persona", ["anonymous", "supervisor", "approver_a", "applicant"])
def test_boundary_ids_and_query_values_never_fail(
    world: Personas, client: Client, persona: str
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    headers: dict[str, Any] = {
        f"HTTP_{k.upper()}": v for k, v in token_headers(world, persona).items()
    }
    failures = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if (method.upper(), path) in SKIPPED or not isinstance(operation, dict):
                continue
            params = operation.get("parameters", [])
            for url in _boundary_urls(path, params):
                caches["ratelimit"].clear()
                response = client.generic(method.upper(), url, **headers)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {method.upper()} {url}")
    assert not failures, "\n".join(failures[:20])


def _boundary_urls(path: str, params: list[dict[str, Any]]) -> list[str]:
    """The path with each boundary value in each path parameter in turn (the others 1), and with
    each boundary value in each query parameter."""
    names = [p["name"] for p in params if p["in"] == "path"]
    base = {name: "1" for name in names}
    urls = []
    for name in names:
        urls += [_fill(path, {**base, name: value}) for value in BOUNDARY]
    for param in (p for p in params if p["in"] == "query"):
        urls += [f"{_fill(path, base)}?{param['name']}={value}" for value in BOUNDARY]
    return urls


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        caches["ratelimit"].clear()  # the rate limits would soon answer every call with 429
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{response.status_code} {case.method} {case.formatted_path} "
                f"query={case.query!r} body={str(case.body)[:200]!r}"
            )

    try:
        call()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body): nothing to call.
        assert mode == GenerationMode.NEGATIVE, operation.path
    return failures[:3]
