"""Every list and PDF endpoint answers what the OpenAPI document says (docs/decisions.md §P2).

The paginated lists were documented as arrays while they answer ``{count, next, previous,
results}``, and the PDF endpoints answered statuses the document did not list. Here each GET
operation whose success is a list or a PDF (found in the document itself, so a new one is
covered too) is called as five personas against real objects, a missing id, and good and bad
page parameters, and every answer is checked by schemathesis: the status is documented
(``status_code_conformance``), the content type is documented (``content_type_conformance``)
and the JSON body validates against the documented schema (``response_schema_conformance``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from onewindow.api.tests.conftest import token_headers
from onewindow.cases.models import Case, Notice
from onewindow.core import clock
from onewindow.supervision.models import PeriodKind, SituationReport, SupervisionLetter
from onewindow.supervision.services import reports
from onewindow.supervision.services.letters import letter_issue
from onewindow.testing import Personas

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "applicant", "clerk", "approver_a", "supervisor"]
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
MISSING = 999_999_999
# Good, past-the-end and malformed page parameters (a 404 and 400s the document must list).
PAGE_QUERIES: list[dict[str, str]] = [
    {},
    {"page_size": "1"},
    {"page": "2", "page_size": "1"},
    {"page": "9999"},
    {"page": "abc"},
    {"page_size": "0"},
]
# Any endpoint: a NUL character in the query string is refused before the view (400).
NUL_QUERY = {"q": "\x00"}
# The PDF endpoints: the errors are JSON whatever the client accepts.
PDF_ACCEPTS = ["application/pdf", "application/json", "text/html", "*/*"]
# Every list and PDF operation the document had when this test was written: the discovery
# below must keep finding them (a renamed path or response kind would silently skip one).
KNOWN = {
    "/api/v1/cases/",
    "/api/v1/cases/{case_id}/certificate/pdf",
    "/api/v1/cases/{case_id}/notices/",
    "/api/v1/cases/{case_id}/notices/{notice_id}/pdf",
    "/api/v1/deliveries/pending/",
    "/api/v1/intake/commitments/",
    "/api/v1/intake/material-requests/",
    "/api/v1/intake/queue/",
    "/api/v1/review/inbox/",
    "/api/v1/review/decisions/pending/",
    "/api/v1/supervision/cards/",
    "/api/v1/supervision/cases/",
    "/api/v1/supervision/letters/",
    "/api/v1/supervision/letters/{letter_id}/pdf/",
    "/api/v1/supervision/reports/",
    "/api/v1/supervision/reports/{report_id}/pdf/",
    "/api/v1/items/",
    "/api/v1/departments/",
    "/api/v1/regions/",
}


def _kind(operation: dict[str, Any]) -> str:
    """ "pdf", "page", "array" or "" for the operation's 200 answer."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    if "application/pdf" in content:
        return "pdf"
    schema = content.get("application/json", {}).get("schema", {})
    if schema.get("type") == "array":
        return "array"
    if "Paginated" in schema.get("$ref", "") or schema.get("$ref", "").endswith("Page"):
        return "page"
    return ""


def _list_and_pdf_operations(document: dict[str, Any]) -> dict[str, str]:
    return {
        path: kind
        for path, methods in document["paths"].items()
        if (kind := _kind(methods.get("get", {})))
    }


@pytest.fixture
def documents(world: Personas) -> Personas:
    """The API world plus a 督办函 and two situation reports (one finished, one queued)."""
    letter_issue(
        actor=world.supervisor,
        department=world.dept_a,
        case=Case.objects.exclude(number="").first(),
        subject="办件超期督办",
        text="请核查并按期书面回复。",
    )
    today = clock.today()
    done = reports.report_request(kind=PeriodKind.MONTH, period_start=today, actor=world.supervisor)
    assert reports.report_generate(done)
    reports.report_request(kind=PeriodKind.QUARTER, period_start=today, actor=world.supervisor)
    return world


def _path_values(path: str) -> Iterator[dict[str, int]]:
    """Real ids for the path's parameters, then a missing one."""
    if "{notice_id}" in path:
        for notice in Notice.objects.all():
            yield {"case_id": notice.case_id, "notice_id": notice.pk}
        yield {"case_id": Notice.objects.values_list("case_id", flat=True)[0], "notice_id": MISSING}
    elif "{case_id}" in path:
        yield from ({"case_id": pk} for pk in Case.objects.values_list("pk", flat=True))
        yield {"case_id": MISSING}
    elif "{letter_id}" in path:
        yield from (
            {"letter_id": pk} for pk in SupervisionLetter.objects.values_list("pk", flat=True)
        )
        yield {"letter_id": MISSING}
    elif "{report_id}" in path:
        yield from (
            {"report_id": pk} for pk in SituationReport.objects.values_list("pk", flat=True)
        )
        yield {"report_id": MISSING}
    else:
        # Any other id in the path (projects, stages, activities …): the missing one, a 404.
        yield {name: MISSING for name in re.findall(r"\{(\w+)\}", path)}


def test_the_document_documents_the_paginated_lists_as_pages(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    found = _list_and_pdf_operations(document)
    assert set(found) >= KNOWN
    pages = {path for path, kind in found.items() if kind == "page"}
    # Each of these answers {count, next, previous, results} (they call the paginator).
    assert pages >= {
        "/api/v1/cases/",
        "/api/v1/deliveries/pending/",
        "/api/v1/intake/commitments/",
        "/api/v1/intake/material-requests/",
        "/api/v1/intake/queue/",
        "/api/v1/review/inbox/",
        "/api/v1/supervision/cards/",
        "/api/v1/supervision/cases/",
        "/api/v1/supervision/letters/",
        "/api/v1/supervision/reports/",
    }
    card_page = document["components"]["schemas"]["PaginatedCardList"]
    assert set(card_page["required"]) == {"count", "results"}
    assert card_page["properties"]["results"]["type"] == "array"


@pytest.mark.parametrize("persona", PERSONAS)
def test_real_answers_of_every_list_and_pdf_endpoint_match_the_document(
    documents: Personas, wsgi_in_test_transaction: Any, persona: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_test_transaction)
    paths = _list_and_pdf_operations(schema.raw_schema)
    headers = token_headers(documents, persona)
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.method.upper() != "GET" or operation.path not in paths:
            continue
        kind = paths[operation.path]
        queries = [*(PAGE_QUERIES if kind == "page" else [{}]), NUL_QUERY]
        accepts = PDF_ACCEPTS if kind == "pdf" else ["application/json"]
        for values, query, accept in product(_path_values(operation.path), queries, accepts):
            case = operation.Case(path_parameters=values, query=query)
            response = case.call(headers={**headers, "Accept": accept})
            if True:
                calls += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (FailureGroup, AssertionError) as exc:
                    failures.append(
                        f"{response.status_code} GET {case.formatted_path} {query}: "
                        f"{str(exc).strip().splitlines()[0][:300]}"
                    )
    assert calls > 60
    assert not failures, "\n".join(failures)
