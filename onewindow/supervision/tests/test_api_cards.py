"""The cards API: lists per role, lifecycle, JSON errors, everything in the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, make_world
from onewindow.supervision.models import Card, CardStatus
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/cards"


@pytest.fixture
def card(personas) -> Card:
    world = make_world(personas)
    accepted_case(world)
    sweep_on("2025-10-15")
    return Card.objects.get(rule__code="task_due", level="red", department=personas.dept_a)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_lists_follow_the_role(card, personas):
    own = _api(personas.handler_a).get(f"{BASE}/").json()
    assert [row["id"] for row in own["results"]] == [card.pk]
    assert own["results"][0]["rule"] == "task_due" and own["results"][0]["level"] == "red"
    every = _api(personas.supervisor).get(f"{BASE}/").json()
    assert every["count"] == Card.objects.count() > 1
    only_a = _api(personas.supervisor).get(f"{BASE}/", {"department": personas.dept_a.pk}).json()
    assert [row["id"] for row in only_a["results"]] == [card.pk]
    bad = _api(personas.supervisor).get(f"{BASE}/", {"status": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert _api(personas.applicant).get(f"{BASE}/").status_code == 404


def test_the_lifecycle_over_the_api(card, personas):
    dept, sup = _api(personas.handler_a), _api(personas.supervisor)
    r = dept.post(f"{BASE}/{card.pk}/explain/", {"text": "说明", "revision": 0}, format="json")
    assert r.status_code == 200 and r.json()["status"] == CardStatus.EXPLAINED
    r = sup.post(f"{BASE}/{card.pk}/confirm/", {"text": "确认", "revision": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == CardStatus.CONFIRMED
    r = dept.post(f"{BASE}/{card.pk}/rectify/", {"text": "已整改"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == CardStatus.RECTIFIED


def test_refusals_are_json_with_the_right_status(card, personas):
    dept, sup = _api(personas.handler_a), _api(personas.supervisor)
    r = sup.post(f"{BASE}/{card.pk}/confirm/", {"text": "确认"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "wrong_status"
    r = sup.post(f"{BASE}/{card.pk}/explain/", {"text": "说明"}, format="json")
    assert r.status_code == 403 and "被发牌部门" in r.json()["message"]
    assert AccessDenied.objects.filter(user=personas.supervisor).exists()
    r = dept.post(f"{BASE}/{card.pk}/explain/", {"text": "说明", "revision": 7}, format="json")
    assert r.status_code == 409
    r = _api(personas.reviewer_b).get(f"{BASE}/{card.pk}/")
    assert r.status_code == 404
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED


def test_every_card_endpoint_is_in_the_schema(personas):
    schema = _api(personas.supervisor).get("/api/v1/openapi.json").json()
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for name in ("list", "retrieve", "explain", "confirm", "cancel", "rectify"):
        assert f"supervision_cards_{name}" in ops
