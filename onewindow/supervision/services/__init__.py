"""Card lifecycle (docs/product.md §C10): issued → explained → confirmed | cancelled; confirmed →
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
from onewindow.supervision.errors import CardError, CardForbidden
from onewindow.supervision.models import CARD_MACHINE, Card, CardEvent, CardStatus

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


def _move(card: Card, actor: User, *, to: str, note: str, now: dt.datetime, **values: Any) -> Card:
    """The conditional UPDATE of the card and its event row (``CARD_MACHINE``)."""

    def record(old: str, new: str) -> CardEvent:
        return CardEvent.objects.create(
            card=card, at=now, actor=actor, action=new, old_status=old, new_status=new, note=note
        )

    CARD_MACHINE.move(card, to=to, record=record, **values)
    card.refresh_from_db()
    return card


@transaction.atomic
def card_explain(*, card: Card, actor: User, text: str, now: dt.datetime | None = None) -> Card:
    """The department explains the card (情况说明)."""
    _require_department(card, actor)
    CARD_MACHINE.check(card, to=CardStatus.EXPLAINED)
    text = _text(text, pgettext("supervision card", "情况说明"))
    now = now or clock.now()
    return _move(
        card,
        actor,
        to=CardStatus.EXPLAINED,
        note=text,
        now=now,
        explanation=text,
        explained_by=actor,
        explained_at=now,
    )


@transaction.atomic
def card_confirm(*, card: Card, actor: User, reason: str, now: dt.datetime | None = None) -> Card:
    """The supervisor confirms the card after reading the explanation: it stands, rectify."""
    _require_supervisor(actor)
    CARD_MACHINE.check(card, to=CardStatus.CONFIRMED)
    reason = _text(reason, _("确认意见"))
    now = now or clock.now()
    return _move(
        card,
        actor,
        to=CardStatus.CONFIRMED,
        note=reason,
        now=now,
        review_note=reason,
        reviewed_by=actor,
        reviewed_at=now,
    )


@transaction.atomic
def card_cancel(*, card: Card, actor: User, reason: str, now: dt.datetime | None = None) -> Card:
    """The supervisor cancels the card (issued in error, or the explanation is accepted)."""
    _require_supervisor(actor)
    CARD_MACHINE.check(card, to=CardStatus.CANCELLED)
    reason = _text(reason, _("撤销理由"))
    now = now or clock.now()
    return _move(
        card,
        actor,
        to=CardStatus.CANCELLED,
        note=reason,
        now=now,
        review_note=reason,
        reviewed_by=actor,
        reviewed_at=now,
    )


@transaction.atomic
def card_rectify(*, card: Card, actor: User, text: str, now: dt.datetime | None = None) -> Card:
    """The department reports its rectification of a confirmed card."""
    _require_department(card, actor)
    CARD_MACHINE.check(card, to=CardStatus.RECTIFIED)
    text = _text(text, _("整改情况"))
    now = now or clock.now()
    return _move(
        card,
        actor,
        to=CardStatus.RECTIFIED,
        note=text,
        now=now,
        rectification=text,
        rectified_by=actor,
        rectified_at=now,
    )
