"""Permission-checking reads of cards, for the department's card list and the supervisor console.

A card is seen by the staff of its department and by supervisors (Perm.SUPERVISE); anyone else
gets a 404 and an AccessDenied row (onewindow.core.access.deny through require_perm).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.core.access import deny
from onewindow.supervision.models import Card


def _cards() -> QuerySet[Card]:
    return Card.objects.select_related("rule", "case", "department")


def cards_for_department(request: HttpRequest | Request, *, status: str = "") -> QuerySet[Card]:
    """The signed-in department member's department's cards, newest first."""
    user = request.user
    department_id = getattr(user, "department_id", None)
    if department_id is None or not staff_in_department(user, department_id):
        raise deny(_django(request), target="supervision.card", reason="not department staff")
    cards = _cards().filter(department_id=department_id)
    return cards.filter(status=status) if status else cards


def cards_for_supervisor(
    request: HttpRequest | Request, *, status: str = "", department_id: int | None = None
) -> QuerySet[Card]:
    """Every card, for the supervisor console (Perm.SUPERVISE)."""
    require_perm(request, Perm.SUPERVISE, target="supervision.card")
    cards = _cards()
    if status:
        cards = cards.filter(status=status)
    if department_id:
        cards = cards.filter(department_id=department_id)
    return cards


def card_get(request: HttpRequest | Request, pk: int) -> tuple[Card, User]:
    """One card for its department's staff or a supervisor; else 404 and logged."""
    user = request.user
    card = _cards().filter(pk=pk).first()
    target = f"supervision.card:{pk}"
    if card is None:
        raise deny(_django(request), target=target, reason="no such card")
    if not (has_perm(user, Perm.SUPERVISE) or staff_in_department(user, card.department_id)):
        raise deny(_django(request), target=target, reason="not the card's department")
    return card, user  # type: ignore[return-value]


def _django(request: HttpRequest | Request) -> Any:
    return getattr(request, "_request", request)
