"""Reads of mandates (代办委托, PRODUCT.md §C8): who gave or holds which, their state, finding an
agent or an item for a new mandate."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases.models import (
    Mandate,
)
from onewindow.catalog.models import (
    Item,
)
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.lib.idnumbers import normalise

# --- mandates (代办委托, PRODUCT.md §C8) --------------------------------------------------------


class MandateState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


MANDATE_STATE_LABELS = {
    MandateState.VALID: gettext_lazy("有效"),
    MandateState.EXPIRED: gettext_lazy("已过期"),
    MandateState.REVOKED: gettext_lazy("已撤销"),
}


def mandate_state(mandate: Mandate, *, today: dt.date | None = None) -> MandateState:
    """Revoked beats expired: a revoked mandate says so even after its end date."""
    if mandate.revoked_at is not None:
        return MandateState.REVOKED
    if mandate.valid_until < (today or clock.today()):
        return MandateState.EXPIRED
    return MandateState.VALID


def _mandates() -> QuerySet[Mandate]:
    return Mandate.objects.select_related(
        "agent", "applicant", "item", "item__published_version"
    ).order_by("-created_at", "-pk")


def mandates_given(user: Any) -> QuerySet[Mandate]:
    """The mandates an applicant gave, newest first (revoked and expired ones too)."""
    if not has_perm(user, Perm.CASE_APPLY) or user.role != Role.APPLICANT:
        return Mandate.objects.none()
    return _mandates().filter(applicant_id=user.pk)


def mandates_held(user: Any) -> QuerySet[Mandate]:
    """The mandates an agent holds (我的委托人), newest first."""
    if not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        return Mandate.objects.none()
    return _mandates().filter(agent_id=user.pk)


def mandate_get_for_revoke(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A mandate the user may revoke: the applicant who gave it, or a user administrator.

    Anyone else (the agent included) gets the logged 404 of ``core.access.deny``.
    """
    user: Any = request.user
    mandate = _mandates().filter(pk=mandate_id).first()
    allowed = mandate is not None and (
        has_perm(user, Perm.USER_MANAGE)
        or (has_perm(user, Perm.CASE_APPLY) and mandate.applicant_id == user.pk)
    )
    if not allowed or mandate is None:
        raise deny(request, target=f"mandate:{mandate_id}", reason="not the mandating applicant")
    return mandate


def agent_find(identifier: str) -> User | None:
    """The active agent whose username or registered mobile number is ``identifier``.

    None when there is none, or when a mobile number belongs to several agents (the applicant
    must then give the username).
    """
    text = normalise(identifier)
    if not text:
        return None
    phone = text.replace("-", "").removeprefix("+86")
    agents = User.objects.filter(role=Role.AGENT, is_active=True)
    by_name = agents.filter(username=identifier.strip()).first()
    if by_name is not None:
        return by_name
    by_phone = list(agents.filter(phone=phone)[:2]) if phone else []
    return by_phone[0] if len(by_phone) == 1 else None


def mandate_items() -> QuerySet[Item]:
    """Items a mandate may be limited to: those with a published version, in catalog order."""
    return (
        Item.objects.filter(published_version__isnull=False)
        .select_related("published_version")
        .order_by("sort", "code")
    )


def mandate_item_find(text: str) -> Item | None:
    """A published item by its code, or by the exact name of its published version."""
    text = " ".join(text.split())
    if not text:
        return None
    items = mandate_items()
    return (
        items.filter(code=text).first()
        or items.filter(published_version__name=text).order_by("sort", "code").first()
    )
