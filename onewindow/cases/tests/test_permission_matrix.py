"""Every persona × every case page and endpoint, with the outcome each role must get.

The routes are discovered from the URL configuration (the ``cases`` namespace and the API views
of ``onewindow.cases.api``), so a page another module adds is covered automatically, and
``test_every_case_route_has_an_expectation`` fails until someone says who may use it.

Outcomes: OK (the view did its work: 2xx, a redirect that is not to the login page, or a 400/409
answer to the empty request body), LOGIN (anonymous: redirect to login or 401), FORBIDDEN (403
for a role that may never use the endpoint), DENIED (404 *and* an AccessDenied row: the object
exists but is not the user's business).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case, CaseFile, Commitment, Mandate
from onewindow.cases.tests.conftest import make_version, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import Region, RegionLevel, ToleranceSetting
from onewindow.core.models import AccessDenied
from onewindow.testing import PERSONA_NAMES, Personas, personas  # noqa: F401  (fixture)


class Outcome(StrEnum):
    OK = "ok"
    LOGIN = "login"
    FORBIDDEN = "forbidden"
    DENIED = "denied"


ANONYMOUS = "anonymous"
EVERYONE = (ANONYMOUS, *PERSONA_NAMES, "clerk_b")
SIGNED_IN = frozenset(EVERYONE) - {ANONYMOUS}
APPLICANT_ROLES = frozenset({"applicant", "enterprise", "outsider", "agent"})
STAFF = SIGNED_IN - APPLICANT_ROLES
OWNERS = frozenset({"applicant", "agent"})  # the case's applicant and the agent who filed it
# head_a: the agency head (机关负责人) reads his department's cases like its other staff.
DEPT_A_STAFF = frozenset({"clerk", "handler_a", "reviewer_a", "approver_a", "chief_a", "head_a"})
READERS = OWNERS | DEPT_A_STAFF | {"supervisor"}
INTAKE_ROLES = frozenset({"clerk", "chief_a", "clerk_b"})
INTAKE_OF_CASE = frozenset({"clerk", "chief_a"})  # clerk_b works for the other department


@dataclass(frozen=True)
class Rule:
    """Who gets what on one route; signed-in users in neither set are DENIED."""

    method: str
    ok: frozenset[str]
    forbidden: frozenset[str] = frozenset()
    public: bool = False

    def expect(self, persona: str) -> Outcome:
        if self.public:
            return Outcome.OK
        if persona == ANONYMOUS:
            return Outcome.LOGIN
        if persona in self.ok:
            return Outcome.OK
        return Outcome.FORBIDDEN if persona in self.forbidden else Outcome.DENIED


def page(method: str, ok: frozenset[str], forbidden: frozenset[str] = frozenset()) -> Rule:
    return Rule(method, ok, forbidden)


PUBLIC = Rule("GET", SIGNED_IN, public=True)

EXPECTATIONS: dict[str, Rule] = {
    # online application (views/apply.py)
    "cases:apply_home": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    "cases:apply_start": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    "cases:application": page("GET", OWNERS),
    "cases:apply_done": page("GET", OWNERS),
    "cases:apply_withdraw": page("GET", OWNERS),
    "cases:accesses": page("GET", OWNERS),
    "cases:case_file": page("GET", READERS),
    "cases:case_file_remove": page("POST", OWNERS),
    # window intake (views/intake.py)
    "cases:intake_queue": page("GET", INTAKE_ROLES),
    "cases:intake_corrections": page("GET", INTAKE_ROLES),
    "cases:intake_commitments": page("GET", INTAKE_ROLES),
    "review:intake_material_requests": page("GET", INTAKE_ROLES),
    "cases:intake_walk_in": page("GET", INTAKE_ROLES),
    "cases:intake_walk_in_form": page("GET", INTAKE_OF_CASE),
    "cases:intake_commitment_fulfil": page("POST", INTAKE_OF_CASE),
    "cases:intake_case": page("GET", INTAKE_OF_CASE),
    "cases:intake_accept": page("POST", INTAKE_OF_CASE),
    "cases:intake_correction": page("POST", INTAKE_OF_CASE),
    "cases:intake_reject": page("POST", INTAKE_OF_CASE),
    "cases:intake_fee": page("POST", INTAKE_OF_CASE),
    "cases:intake_file": page("GET", READERS),
    "cases:notice_pdf": page("GET", READERS),
    # progress and dashboard (portal.views.progress)
    "portal:progress": PUBLIC,
    "portal:my_cases": page("GET", SIGNED_IN),
    # API: application (api/apply.py) — staff are refused by role before any lookup
    "api:case-list": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    "api:case-detail": page("GET", OWNERS, forbidden=STAFF),
    "api:case-material-files": page("POST", OWNERS, forbidden=STAFF),
    "api:case-material-file": page("GET", OWNERS, forbidden=STAFF),
    "api:case-reusable-files": page("GET", OWNERS, forbidden=STAFF),
    "api:case-submit": page("POST", OWNERS, forbidden=STAFF),
    "api:case-withdraw": page("POST", OWNERS, forbidden=STAFF),
    "api:case-resubmit": page("POST", OWNERS, forbidden=STAFF),
    "api:case-accesses": page("GET", OWNERS, forbidden=STAFF),
    # API: intake (api/intake.py) — only intake roles pass the role check
    "api:intake-queue": page("GET", INTAKE_ROLES, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-walk-in": page("POST", INTAKE_ROLES, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-commitments": page("GET", INTAKE_ROLES, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-material-requests": page("GET", INTAKE_ROLES, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-case": page("GET", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-accept": page("POST", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-correction": page("POST", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-reject": page("POST", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-fees": page("POST", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES),
    "api:intake-commitment-fulfil": page(
        "POST", INTAKE_OF_CASE, forbidden=SIGNED_IN - INTAKE_ROLES
    ),
    "api:case-notices": page("GET", READERS),
    "api:case-notice-pdf": page("GET", READERS),
    # API: progress (portal/api.py)
    "api:progress_query": PUBLIC,
    # mandates (views/mandates.py, api/mandates.py): only the mandating applicant or a user
    # administrator may revoke; the agent holding the mandate may not
    "cases:my_mandates": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    "cases:mandate_revoke": page("GET", frozenset({"applicant", "admin"})),
    "api:mandate-list": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    # docs/rules/mandates.md §T6: window staff record a revocation in person (ID checked: the
    # empty body is a 400)
    "api:mandate-revoke": page("POST", frozenset({"applicant", "admin"}) | INTAKE_ROLES),
    # paper mandates (docs/rules/mandates.md §T3): the principal confirms or refuses (the
    # matrix's mandate was given online: a 400 / a message), window staff record and verify
    "cases:mandates_pending": page("GET", APPLICANT_ROLES, forbidden=STAFF),
    "cases:mandate_confirm": page("POST", frozenset({"applicant"})),
    "cases:mandate_refuse": page("POST", frozenset({"applicant"})),
    # the matrix's online mandate has no scan: a logged 404 for everyone
    "cases:mandate_scan": page("GET", frozenset()),
    "cases:window_mandates": page("GET", INTAKE_ROLES),
    "cases:window_mandate": page("GET", INTAKE_ROLES),
    "cases:window_mandate_verify": page("POST", INTAKE_ROLES),
    "cases:window_mandate_revoke": page("POST", INTAKE_ROLES),
    "api:mandate-paper": page("POST", INTAKE_ROLES),
    "api:mandate-window": page("GET", INTAKE_ROLES),
    "api:mandate-confirm": page("POST", frozenset({"applicant"})),
    "api:mandate-refuse": page("POST", frozenset({"applicant"})),
    "api:mandate-verify": page("POST", INTAKE_ROLES),
}


# --- route discovery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name
    kwargs: tuple[str, ...]


def _walk(
    patterns: list[URLPattern | URLResolver], namespace: str | None = None
) -> Iterator[tuple[str | None, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        else:
            yield namespace, pattern


# The public progress query and the dashboard read cases; their pages and API live in portal.
PROGRESS_MODULES = ("onewindow.portal.views.progress", "onewindow.portal.api")
# The window's list of the reviewers' material requests (a tab of the intake pages) lives in review.
WINDOW_MODULES = ("onewindow.review.views.window", "onewindow.review.api.window")


def _is_case_route(namespace: str | None, pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "cls", pattern.callback)
    return (
        namespace == "cases"
        or (namespace == "api" and view.__module__.startswith("onewindow.cases."))
        or view.__module__ in PROGRESS_MODULES
        or view.__module__ in WINDOW_MODULES
    )


def case_routes() -> list[Route]:
    """Every page of the ``cases`` namespace, every API view defined by the cases app, and the\n    progress query and dashboard (page and API)."""
    routes = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if _is_case_route(namespace, pattern):
            assert pattern.name, f"unnamed case route {pattern.pattern}: name it"
            kwargs = tuple(pattern.pattern.converters)
            routes.append(Route(f"{namespace}:{pattern.name}", kwargs))
    return routes


ROUTES = case_routes()


def test_every_case_route_has_an_expectation():
    discovered = {route.name for route in ROUTES}
    missing = discovered - set(EXPECTATIONS)
    assert not missing, f"add the expected outcome per role to EXPECTATIONS for: {sorted(missing)}"
    stale = set(EXPECTATIONS) - discovered
    assert not stale, f"EXPECTATIONS names routes that no longer exist: {sorted(stale)}"


# --- the world every route is tried on --------------------------------------------------------


@dataclass
class Objects:
    case: Case
    case_file: CaseFile
    commitment: Commitment
    code: str
    users: dict[str, User]

    def url(self, route: Route) -> str:
        values: dict[str, Any] = {
            "case_id": self.case.pk,
            "file_id": self.case_file.pk,
            "line_id": self.case_file.case_material_id,
            "notice_id": self.case.notices.order_by("pk").values_list("pk", flat=True).first(),
            "commitment_id": self.commitment.pk,
            "version_id": self.case.item_version_id,
            "code": self.code,
            "mandate_id": Mandate.objects.order_by("pk").values_list("pk", flat=True).first(),
        }
        unknown = set(route.kwargs) - set(values)
        assert not unknown, f"{route.name}: no test object for URL parameter(s) {unknown}"
        url = reverse(route.name, kwargs={k: values[k] for k in route.kwargs})
        if route.name in ("portal:progress", "api:progress_query"):
            url += f"?number={self.case.number}&code={self.case.query_code}"
        return url


@pytest.fixture
def objects(personas: Personas, settings) -> Objects:  # noqa: F811
    """A case of department A, filed by the agent for the applicant, accepted with one
    tolerated material (so it has files, a notice and an open commitment)."""
    settings.PROGRESS_QUERY_PER_MINUTE = 10_000
    cache.clear()
    for category, limit in (("encouraged", 2), ("cautious", 1), ("restricted", 0)):
        ToleranceSetting.objects.update_or_create(
            category=category, defaults={"max_missing": limit}
        )
    region, _ = Region.objects.get_or_create(
        code="420700", defaults={"name": "鄂州市", "level": RegionLevel.CITY}
    )
    version, _core, non_core = make_version(personas.dept_a, code="MATRIX-001")
    users = dict(personas.users())
    users["clerk_b"] = User.objects.create_user(
        username="clerk_b", password="x" * 12, role=Role.CLERK, department=personas.dept_b
    )
    # docs/product.md §C8: the agent reaches the case only under the applicant's mandate in force
    services.mandate_record(
        agent=personas.agent,
        applicant=personas.applicant,
        valid_until=dt.date.today() + dt.timedelta(days=30),
        recorded_by=personas.applicant,
    )
    case = services.case_create_draft(
        item_version=version,
        applicant=personas.applicant,
        created_by=personas.agent,
        agent=personas.agent,
        region=region,
    )
    lines = list(case.materials.select_related("material"))
    files = [
        case_file_add(case_material=line, upload=pdf(), actor=personas.agent)
        for line in lines
        if line.material != non_core[-1]
    ]
    submitted_at = dt.datetime(2026, 4, 29, 10, tzinfo=dt.UTC)
    with time_machine.travel(submitted_at, tick=False):
        services.case_submit(case=case, actor=personas.agent)
    tolerated = case.materials.get(material=non_core[-1])
    with time_machine.travel(submitted_at + dt.timedelta(days=1), tick=False):
        services.case_accept(case=case, actor=personas.clerk, tolerated_material_ids=[tolerated.pk])
    return Objects(case, files[0], case.commitments.get(), version.item.code, users)


def outcome(response: Any, denied_rows: int) -> Outcome | str:
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("accounts:login")):
        return Outcome.LOGIN
    if status == 401:
        return Outcome.LOGIN
    if status == 403:
        return Outcome.FORBIDDEN
    if status == 404:
        return Outcome.DENIED if denied_rows else "404 without an AccessDenied row"
    if status == 405 or status >= 500:
        return f"HTTP {status}"
    return Outcome.OK


def attempt(objects: Objects, route: Route, rule: Rule, persona: str) -> Outcome | str:
    """One request, rolled back afterwards so no persona's request changes the next one's world."""
    client = Client()
    with transaction.atomic():
        if persona != ANONYMOUS:
            client.force_login(objects.users[persona])
        before = AccessDenied.objects.count()
        url = objects.url(route)
        if rule.method == "GET":
            response = client.get(url)
        elif route.name.startswith("api:"):
            response = client.post(url, {}, content_type="application/json")
        else:
            response = client.post(url, {})
        result = outcome(response, AccessDenied.objects.count() - before)
        transaction.set_rollback(True)
    return result


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_each_persona_gets_the_expected_outcome(objects, route):
    rule = EXPECTATIONS.get(route.name)
    if rule is None:
        pytest.fail(
            f"no expectation for {route.name} (see test_every_case_route_has_an_expectation)"
        )
    wrong = {}
    for persona in EVERYONE:
        got = attempt(objects, route, rule, persona)
        if got != rule.expect(persona):
            wrong[persona] = f"expected {rule.expect(persona)}, got {got}"
    assert not wrong, f"{route.name}: {wrong}"
