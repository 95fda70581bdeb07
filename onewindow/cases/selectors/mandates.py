"""Reads of mandates (代办委托, docs/product.md §C8): who gave or holds which, their state, finding an
agent or an item for a new mandate."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User, identity_q
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases import mandate_scopes
from onewindow.cases.models import Case, CaseStatus, Mandate, MandateChannel
from onewindow.catalog.models import (
    Item,
)
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.personal_data import blind_index
from onewindow.lib.idnumbers import normalise

# --- mandates (代办委托, docs/product.md §C8) --------------------------------------------------------

# A case closed for good: no mandate names it any more (docs/rules/mandates.md §T1).
CLOSED_FOR_MANDATES = (
    CaseStatus.REJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
    CaseStatus.COMPLETED,
    CaseStatus.REFUSED,
)


class MandateState(StrEnum):
    VALID = "valid"
    PENDING = "pending"  # a paper mandate waiting for the principal (docs/rules/mandates.md §T3)
    NOT_YET = "not_yet"  # starts on a later day
    EXPIRED = "expired"
    REVOKED = "revoked"
    REFUSED = "refused"


MANDATE_STATE_LABELS = {
    MandateState.VALID: gettext_lazy("有效"),
    MandateState.PENDING: gettext_lazy("待委托人确认"),
    MandateState.NOT_YET: gettext_lazy("尚未生效"),
    MandateState.EXPIRED: gettext_lazy("已过期"),
    MandateState.REVOKED: gettext_lazy("已撤销"),
    MandateState.REFUSED: gettext_lazy("委托人已拒绝"),
}


def mandate_state(mandate: Mandate, *, today: dt.date | None = None) -> MandateState:
    """Revoked or refused beats expired: such a mandate says so even after its end date."""
    today = today or clock.today()
    if mandate.revoked_at is not None:
        return MandateState.REVOKED
    if mandate.refused_at is not None:
        return MandateState.REFUSED
    if mandate.valid_until < today:
        return MandateState.EXPIRED
    if mandate.pending:
        return MandateState.PENDING
    if mandate.valid_from > today:
        return MandateState.NOT_YET
    return MandateState.VALID


def mandate_state_q(state: str, *, today: dt.date) -> Q:
    """The mandates in ``state`` today, as ``mandate_state`` decides it (admin filter)."""
    live = Q(revoked_at__isnull=True, refused_at__isnull=True)
    running = live & Q(valid_until__gte=today)
    pending = Q(channel=MandateChannel.PAPER, confirmed_at__isnull=True)
    states = {
        MandateState.REVOKED: Q(revoked_at__isnull=False),
        MandateState.REFUSED: Q(revoked_at__isnull=True, refused_at__isnull=False),
        MandateState.EXPIRED: live & Q(valid_until__lt=today),
        MandateState.PENDING: running & pending,
        MandateState.NOT_YET: running & ~pending & Q(valid_from__gt=today),
        MandateState.VALID: running & ~pending & Q(valid_from__lte=today),
    }
    known = {member.value: member for member in MandateState}
    return states[known[state]] if state in known else Q()


def _mandates() -> QuerySet[Mandate]:
    return Mandate.objects.select_related(
        "agent",
        "applicant",
        "item",
        "item__published_version",
        "case",
        "case__item_version",
        "recorded_by",
        "confirmed_by",
        "scan",
    ).order_by("-created_at", "-pk")


def mandate_fresh(mandate_id: int) -> Mandate:
    """A mandate read again with everything its pages and API show."""
    return _mandates().get(pk=mandate_id)


def mandates_given(user: Any) -> QuerySet[Mandate]:
    """The mandates an applicant gave, newest first (pending, revoked and expired ones too)."""
    if not has_perm(user, Perm.CASE_APPLY) or user.role != Role.APPLICANT:
        return Mandate.objects.none()
    return _mandates().filter(applicant_id=user.pk)


def mandates_pending_for(user: Any) -> QuerySet[Mandate]:
    """Paper mandates recorded in the applicant's name that wait for their confirmation."""
    return mandates_given(user).filter(
        channel=MandateChannel.PAPER,
        confirmed_at__isnull=True,
        refused_at__isnull=True,
        revoked_at__isnull=True,
        valid_until__gte=clock.today(),
    )


def mandates_held(user: Any) -> QuerySet[Mandate]:
    """The mandates an agent holds (我的委托人), newest first."""
    if not has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        return Mandate.objects.none()
    return _mandates().filter(agent_id=user.pk)


def mandates_recorded_at_window(user: Any) -> QuerySet[Mandate]:
    """Paper mandates recorded by window staff of the user's department (or, outside any
    department, by the user), the latest first (docs/rules/mandates.md §T3)."""
    if not has_perm(user, Perm.CASE_INTAKE):
        return Mandate.objects.none()
    mandates = _mandates().filter(channel=MandateChannel.PAPER)
    department_id = getattr(user, "department_id", None)
    if department_id is None:
        return mandates.filter(recorded_by_id=user.pk)
    return mandates.filter(recorded_by__department_id=department_id)


def mandates_of_principal_at_window(user: Any, number: str) -> QuerySet[Mandate]:
    """Every mandate of the principal who shows this ID number or credit code at the window."""
    if not has_perm(user, Perm.CASE_INTAKE):
        return Mandate.objects.none()
    text = normalise(number)
    if not text or len(text) > 18 or not (text.isascii() and text.isalnum()):
        return Mandate.objects.none()
    principal = Q(applicant__id_number_index=blind_index("id", text)) | Q(
        applicant__credit_code=text
    )
    return _mandates().filter(principal, applicant__role=Role.APPLICANT)


def mandate_get_for_revoke(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A mandate the user may revoke: the applicant who gave it, or a user administrator.

    Anyone else gets the logged 404 of ``core.access.deny``; the agent's attempt to revoke on
    the principal's behalf is logged as such (docs/rules/mandates.md §T6).
    """
    user: Any = request.user
    mandate = _mandates().filter(pk=mandate_id).first()
    allowed = mandate is not None and (
        has_perm(user, Perm.USER_MANAGE)
        or (has_perm(user, Perm.CASE_APPLY) and mandate.applicant_id == user.pk)
    )
    if not allowed or mandate is None:
        reason = (
            "agent may not revoke on the principal's behalf"
            if mandate is not None and mandate.agent_id == getattr(user, "pk", None)
            else "not the mandating applicant"
        )
        raise deny(request, target=f"mandate:{mandate_id}", reason=reason)
    return mandate


def mandate_get_for_principal(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A mandate given in the signed-in applicant's name (to confirm or refuse); else 404."""
    user: Any = request.user
    mandate = mandates_given(user).filter(pk=mandate_id).first()
    if mandate is None:
        raise deny(request, target=f"mandate:{mandate_id}", reason="not the principal")
    return mandate


def mandate_get_for_window(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A mandate window staff may verify or record a revocation of; else a logged 404."""
    mandate = None
    if has_perm(request.user, Perm.CASE_INTAKE):
        mandate = _mandates().filter(pk=mandate_id).first()
    if mandate is None:
        raise deny(request, target=f"mandate:{mandate_id}", reason="not window staff")
    return mandate


def mandate_get_for_scan(request: HttpRequest, *, mandate_id: int) -> Mandate:
    """A paper mandate whose scan the user may read: the principal, the agent, window staff and
    user administrators; anyone else a logged 404."""
    user: Any = request.user
    mandate = _mandates().filter(pk=mandate_id).first()
    allowed = (
        mandate is not None
        and mandate.scan_id is not None
        and (
            user.pk in (mandate.applicant_id, mandate.agent_id)
            or has_perm(user, Perm.CASE_INTAKE)
            or has_perm(user, Perm.USER_MANAGE)
        )
    )
    if not allowed or mandate is None:
        raise deny(request, target=f"mandate:{mandate_id}:scan", reason="no scan or no access")
    return mandate


def mandates_pending_count(user: Any) -> int:
    """Paper mandates waiting for confirmation (the window tab's number)."""
    return (
        mandates_recorded_at_window(user)
        .filter(confirmed_at__isnull=True, refused_at__isnull=True, revoked_at__isnull=True)
        .filter(valid_until__gte=clock.today())
        .count()
    )


def scope_label(mandate: Mandate) -> str:
    """The mandate's scope in words (docs/rules/mandates.md §T1)."""
    if mandate.case_id is not None and mandate.case is not None:
        case = mandate.case
        return _("办件 %(n)s（%(i)s）") % {
            "n": case.number or _("草稿 #%(pk)s") % {"pk": case.pk},
            "i": case.item_version.name,
        }
    if mandate.project_id is not None:
        name = mandate_scopes.project_name(mandate.project_id) or f"#{mandate.project_id}"
        return _("重点项目：%(p)s") % {"p": name}
    if mandate.item is None:
        return _("全部事项")
    version = mandate.item.published_version
    return f"{mandate.item.code} {version.name}" if version else mandate.item.code


def mandate_case_find(applicant: Any, text: str) -> Case | None:
    """One of the applicant's cases by its number (or, for a draft, ``#id``)."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    cases = Case.objects.filter(applicant_id=applicant.pk).select_related("item_version")
    if text.startswith("#") and text[1:].isdigit():
        return cases.filter(pk=int(text[1:])).first()
    return cases.filter(number=text.upper()).first()


def mandate_cases(applicant: Any) -> QuerySet[Case]:
    """The applicant's cases a mandate may still name (not closed), newest first."""
    return (
        Case.objects.filter(applicant_id=applicant.pk)
        .exclude(status__in=CLOSED_FOR_MANDATES)
        .select_related("item_version")
        .order_by("-created_at", "-pk")
    )


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
    by_phone = list(agents.filter(identity_q("phone", phone))[:2]) if phone else []
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
