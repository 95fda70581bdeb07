from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.cache import cache, caches
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from onewindow.cases import services as case_services
from onewindow.certificates.tests.conftest import (
    accepted_case,
    certificate_version,
    grant_for_test,
    issue,
)
from onewindow.review.tests.decision_world import case_in_review, make_world
from onewindow.testing import Personas
from onewindow.wsgi import application

_DB_FIXTURES = {"db", "transactional_db"}


@pytest.fixture(autouse=True)
def _fresh_throttle(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttle counters live in the caches (the rate limits' shared store too); one test's
    requests must not count against the next. The shared store is the database cache table
    unless REDIS_URL is set: a test without database access cannot have written to it."""
    shared = request.node.get_closest_marker("django_db") is not None or bool(
        _DB_FIXTURES & set(request.fixturenames)
    )
    for name in _DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue(name)  # database access before the shared store is cleared

    def clear() -> None:
        cache.clear()
        if shared:
            caches["ratelimit"].clear()

    clear()
    yield
    clear()


@pytest.fixture
def world(personas: Personas) -> Personas:
    """A draft, a case in review and a granted case with its certificate (the API fuzz and
    the response-conformance tests call the API against it)."""
    w = make_world(personas)
    case_services.case_create_draft(
        item_version=w.version,
        applicant=personas.applicant,
        created_by=personas.applicant,
        region=w.region,
    )
    case_in_review(w)
    version = certificate_version(personas.dept_a)
    granted = accepted_case(
        version, applicant=personas.applicant, clerk=personas.clerk, region=w.region
    )
    issue(granted, grant_for_test(granted, approver=personas.approver_a))
    return personas


@pytest.fixture
def wsgi_in_test_transaction() -> Any:
    """The WSGI app called in-process, as Django's test client does: the end of a request must
    not close the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def token_headers(world: Personas, persona: str) -> dict[str, str]:
    """The Authorization header of ``persona`` (none for "anonymous")."""
    if persona == "anonymous":
        return {}
    token, _created = Token.objects.get_or_create(user=world.get(persona))
    return {"Authorization": f"Token {token.key}"}
