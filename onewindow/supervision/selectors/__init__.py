"""Permission-checking reads of cards, for the department's card list and the supervisor console.

A card is seen by the staff of its department and by supervisors (Perm.SUPERVISE); anyone else
gets a 404 and an AccessDenied row (onewindow.core.access.deny through require_perm).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.core.access import deny
from onewindow.core.pagination import count_bounded
from onewindow.supervision.models import Card, CardStatus


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


# --- cards next to their cases (department inbox, task page, supervisor console) ---------------
# A card still asks for something (an explanation, the supervisor's confirmation, a
# rectification) until it is cancelled or rectified (docs/product.md §C10).
OPEN_STATUSES = (CardStatus.ISSUED, CardStatus.EXPLAINED, CardStatus.CONFIRMED)


def open_cards_by_case_department(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], list[Card]]:
    """The open cards of each (case id, department id), in ONE query for a whole page of rows.

    A department sees only its own cards next to a case, so the caller passes the pairs of its
    rows and each row takes ``result.get((case_id, department_id), [])``. No permission check:
    the caller has already fetched the rows through a permission-checking selector.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    found: dict[tuple[int, int], list[Card]] = {}
    rows = (
        Card.objects.select_related("rule")
        .filter(
            case_id__in={case_id for case_id, _ in wanted},
            department_id__in={department_id for _, department_id in wanted},
            status__in=OPEN_STATUSES,
        )
        .order_by("-issued_at", "-pk")
    )
    for card in rows:
        if card.case_id is None:  # the query asks for cases: never, but the column may be null
            continue
        key = (card.case_id, card.department_id)
        if key in wanted:
            found.setdefault(key, []).append(card)
    return found


def cards_by_case(case_ids: Iterable[int]) -> dict[int, list[Card]]:
    """Every card (all departments, every status) of each case, in ONE query, for the console."""
    ids = set(case_ids)
    if not ids:
        return {}
    found: dict[int, list[Card]] = {}
    for card in (
        Card.objects.select_related("rule", "department")
        .filter(case_id__in=ids)
        .order_by("-issued_at", "-pk")
    ):
        if card.case_id is not None:
            found.setdefault(card.case_id, []).append(card)
    return found


def open_card_count(department_id: int) -> int:
    """The department's open cards (the (department, status, issued_at) index), counted up to
    COUNT_LIMIT + 1: the inbox shows it on every view (docs/rules/scale.md §Y3)."""
    return count_bounded(Card.objects.filter(department_id=department_id, status__in=OPEN_STATUSES))
