"""Card lifecycle (PRODUCT.md §C10): issued → explained → confirmed | cancelled; confirmed →
rectified. The department of the card explains and rectifies; a supervisor confirms or cancels.

Each step checks the actor and the state first, then writes with a conditional UPDATE on
(pk, status, revision), so two people acting at once cannot both succeed. No step touches the
case: supervision reads cases, it never changes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.core import clock
from onewindow.supervision.models import Card, CardStatus


class CardError(Exception):
    """The action is not allowed on this card now. ``message`` is for the user."""

    code = "card_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CardForbidden(CardError):
    code = "forbidden"


class CardWrongStatus(CardError):
    code = "wrong_status"


class CardConflict(CardError):
    code = "conflict"


TEXT_MAX = 4000


def _text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CardError(_("请填写%(what)s。") % {"what": what})
    if len(text) > TEXT_MAX:
        raise CardError(_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": TEXT_MAX})
    return text


def _require_department(card: Card, actor: User) -> None:
    if not staff_in_department(actor, card.department_id):
        raise CardForbidden(_("只有被发牌部门的工作人员可以处理该监察牌。"))


def _require_supervisor(actor: User) -> None:
    if not has_perm(actor, Perm.SUPERVISE):
        raise CardForbidden(_("只有电子监察人员可以确认或撤销监察牌。"))


def _require_status(card: Card, allowed: tuple[str, ...]) -> None:
    if card.status not in allowed:
        raise CardWrongStatus(
            _("该监察牌当前状态为“%(s)s”，不能进行此操作。") % {"s": CardStatus(card.status).label}
        )


def _update(card: Card, allowed: tuple[str, ...], **values: Any) -> Card:
    done = Card.objects.filter(pk=card.pk, status__in=allowed, revision=card.revision).update(
        revision=card.revision + 1, **values
    )
    if not done:
        raise CardConflict(_("该监察牌刚刚已被他人处理，请刷新后查看最新状态。"))
    card.refresh_from_db()
    return card


@transaction.atomic
def card_explain(*, card: Card, actor: User, text: str, now: dt.datetime | None = None) -> Card:
    """The department explains the card (情况说明)."""
    _require_department(card, actor)
    allowed = (CardStatus.ISSUED,)
    _require_status(card, allowed)
    text = _text(text, pgettext("supervision card", "情况说明"))
    return _update(
        card,
        allowed,
        status=CardStatus.EXPLAINED,
        explanation=text,
        explained_by=actor,
        explained_at=now or clock.now(),
    )


@transaction.atomic
def card_confirm(*, card: Card, actor: User, reason: str, now: dt.datetime | None = None) -> Card:
    """The supervisor confirms the card after reading the explanation: it stands, rectify."""
    _require_supervisor(actor)
    allowed = (CardStatus.EXPLAINED,)
    _require_status(card, allowed)
    reason = _text(reason, _("确认意见"))
    return _update(
        card,
        allowed,
        status=CardStatus.CONFIRMED,
        review_note=reason,
        reviewed_by=actor,
        reviewed_at=now or clock.now(),
    )


@transaction.atomic
def card_cancel(*, card: Card, actor: User, reason: str, now: dt.datetime | None = None) -> Card:
    """The supervisor cancels the card (issued in error, or the explanation is accepted)."""
    _require_supervisor(actor)
    allowed = (CardStatus.ISSUED, CardStatus.EXPLAINED)
    _require_status(card, allowed)
    reason = _text(reason, _("撤销理由"))
    return _update(
        card,
        allowed,
        status=CardStatus.CANCELLED,
        review_note=reason,
        reviewed_by=actor,
        reviewed_at=now or clock.now(),
    )


@transaction.atomic
def card_rectify(*, card: Card, actor: User, text: str, now: dt.datetime | None = None) -> Card:
    """The department reports its rectification of a confirmed card."""
    _require_department(card, actor)
    allowed = (CardStatus.CONFIRMED,)
    _require_status(card, allowed)
    text = _text(text, _("整改情况"))
    return _update(
        card,
        allowed,
        status=CardStatus.RECTIFIED,
        rectification=text,
        rectified_by=actor,
        rectified_at=now or clock.now(),
    )
