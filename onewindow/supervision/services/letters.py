"""Supervision letters (督办函, docs/product.md §C10, docs/rules/supervision.md §D8).

A supervisor issues a numbered letter to a department (optionally about a case and/or a card);
the department head is notified by email; the department's staff reply by the response due date
(default 5 working days, 1–20 allowed, counted per docs/rules/workdays.md §A3 with the working-day
calendar); the supervisor closes the letter after accepting the reply. A letter still without a
reply after its due date is escalated (``letters_escalate``, set-based and idempotent) and the
sweep issues one red card for it (rule ``letter_overdue`` in ``rules.RULES``).

Lifecycle: issued → responded → closed; issued → escalated (→ responded → closed: a late reply
is still recorded). Each step checks actor and state first, then writes with a conditional
UPDATE on (pk, status, revision).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.calendars.selectors import add_working_days, stored_due
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.lib.workdays import Due
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_hand_over
from onewindow.supervision.errors import (
    LetterConflict,
    LetterError,
    LetterForbidden,
)
from onewindow.supervision.models import (
    LETTER_MACHINE,
    Card,
    LetterEvent,
    LetterSequence,
    LetterStatus,
    Rule,
    SupervisionLetter,
)
from onewindow.supervision.rules import red_last_due
from onewindow.supervision.services.sweep import HEAD_ROLES

# docs/rules/supervision.md §D8: default 5 working days, the supervisor may choose 1–20.
RESPONSE_DAYS_DEFAULT = 5
RESPONSE_DAYS_MIN = 1
RESPONSE_DAYS_MAX = 20
SUBJECT_MAX = 200
TEXT_MAX = 4000
# Who may reply for the department (docs/rules/supervision.md §D8): its head and its case staff.
RESPONDER_ROLES = (Role.CHIEF, Role.APPROVER, Role.HANDLER, Role.REVIEWER)
OPEN_STATUSES = (LetterStatus.ISSUED, LetterStatus.ESCALATED)


def _text(text: str, what: str, limit: int = TEXT_MAX) -> str:
    text = (text or "").strip()
    if not text:
        raise LetterError(_("请填写%(what)s。") % {"what": what})
    if len(text) > limit:
        raise LetterError(_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": limit})
    return text


def _require_supervisor(actor: User) -> None:
    if not has_perm(actor, Perm.SUPERVISE):
        raise LetterForbidden(_("只有电子监察人员可以发出或办结督办函。"))


def may_respond(actor: Any, letter: SupervisionLetter) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.role in RESPONDER_ROLES
        and actor.department_id == letter.department_id
    )


def _move(
    letter: SupervisionLetter,
    actor: User | None,
    *,
    to: str,
    note: str,
    now: dt.datetime,
    **values: Any,
) -> None:
    """The conditional UPDATE of the letter and its event row (``LETTER_MACHINE``)."""
    LETTER_MACHINE.move(
        letter, to=to, record=lambda old, new: _event(letter, actor, old, new, note, now), **values
    )
    letter.refresh_from_db()


def _event(
    letter: SupervisionLetter, actor: User | None, old: str, new: str, note: str, now: dt.datetime
) -> LetterEvent:
    return LetterEvent.objects.create(
        letter=letter, at=now, actor=actor, action=new, old_status=old, new_status=new, note=note
    )


def letter_number_next(year: int) -> str:
    """督〔2025〕001号: a per-year sequence, incremented atomically (row lock by the UPDATE)."""
    LetterSequence.objects.get_or_create(year=year)
    LetterSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = LetterSequence.objects.get(year=year).last
    return _("督〔%(y)s〕%(n)03d号") % {"y": year, "n": last}


def response_due_for(issued_on: dt.date, days: int) -> dt.date:
    """docs/rules/workdays.md §A3: counting starts the day after issue; only working days count."""
    return add_working_days(issued_on, days).date


def letter_response_due(letter: SupervisionLetter) -> Due | None:
    """The reply deadline as pages and the API show it: provisional when its counting from the
    day of issue reaches a year whose holiday arrangement is not loaded
    (docs/rules/workdays.md §A4)."""
    return stored_due(letter.response_due, counted_from=clock.local_date(letter.issued_at))


@transaction.atomic
def letter_issue(
    *,
    actor: User,
    department: Department,
    case: Case | None = None,
    card: Card | None = None,
    subject: str,
    text: str,
    response_days: int = RESPONSE_DAYS_DEFAULT,
    now: dt.datetime | None = None,
) -> SupervisionLetter:
    """A supervisor issues a 督办函 to ``department``; its head is notified by email."""
    _require_supervisor(actor)
    subject = _text(subject, _("督办事由"), SUBJECT_MAX)
    text = _text(text, _("督办内容"))
    if not isinstance(response_days, int) or not (
        RESPONSE_DAYS_MIN <= response_days <= RESPONSE_DAYS_MAX
    ):
        raise LetterError(
            _("回复期限须为 %(a)s 至 %(b)s 个工作日。")
            % {"a": RESPONSE_DAYS_MIN, "b": RESPONSE_DAYS_MAX}
        )
    if card is not None:
        if card.department_id != department.pk:
            raise LetterError(_("监察牌的责任部门与被督办部门不一致。"))
        if case is not None and case.pk != card.case_id:
            raise LetterError(_("监察牌与所选办件不一致。"))
        case = case or card.case
    now = now or clock.now()
    today = clock.local_date(now)
    letter = SupervisionLetter.objects.create(
        number=letter_number_next(today.year),
        department=department,
        case=case,
        card=card,
        subject=subject,
        text=text,
        response_days=response_days,
        response_due=response_due_for(today, response_days),
        issued_by=actor,
        issued_at=now,
    )
    _event(letter, actor, "", LetterStatus.ISSUED, subject, now)
    _head_notify(letter, now)
    return letter


def _head_notify(letter: SupervisionLetter, now: dt.datetime) -> None:
    """An outbox email to each head (chief / approver) of the department."""
    heads = User.objects.filter(
        department_id=letter.department_id, is_active=True, role__in=HEAD_ROLES
    ).exclude(email="")
    rows: list[OutboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for head in heads:
            subject = _("督办函 %(n)s：%(s)s") % {"n": letter.number, "s": letter.subject}
            body = _(
                "%(d)s：电子监察发出督办函 %(n)s，事由：%(s)s。请于 %(due)s 前在“督办函”栏目中回复。"
            ) % {
                "d": letter.department.name,
                "n": letter.number,
                "s": letter.subject,
                "due": letter.response_due.isoformat(),
            }
            rows.append(
                OutboxMessage(
                    channel=Channel.EMAIL,
                    recipient=head.email,
                    user=head,
                    subject=subject[:200],
                    body=body + "\n\n" + letter.text,
                    case=letter.case,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if rows:
        created = OutboxMessage.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        outbox_hand_over(ids)  # docs/rules/tasks.md §X4


@transaction.atomic
def letter_respond(
    *, letter: SupervisionLetter, actor: User, text: str, now: dt.datetime | None = None
) -> SupervisionLetter:
    """The department replies (also after escalation: a late reply is still recorded)."""
    if not may_respond(actor, letter):
        raise LetterForbidden(_("只有被督办部门的首席代表、批准人、承办人或审核人可以回复督办函。"))
    LETTER_MACHINE.check(letter, to=LetterStatus.RESPONDED)
    text = _text(text, _("回复内容"))
    now = now or clock.now()
    _move(
        letter,
        actor,
        to=LetterStatus.RESPONDED,
        note=text,
        now=now,
        response=text,
        responded_by=actor,
        responded_at=now,
    )
    return letter


@transaction.atomic
def letter_close(
    *, letter: SupervisionLetter, actor: User, note: str, now: dt.datetime | None = None
) -> SupervisionLetter:
    """The supervisor accepts the reply and closes the letter."""
    _require_supervisor(actor)
    LETTER_MACHINE.check(letter, to=LetterStatus.CLOSED)
    note = _text(note, _("办结意见"))
    now = now or clock.now()
    _move(
        letter,
        actor,
        to=LetterStatus.CLOSED,
        note=note,
        now=now,
        close_note=note,
        closed_by=actor,
        closed_at=now,
    )
    return letter


def letters_overdue_bound(today: dt.date) -> dt.date | None:
    """The latest response_due that is overdue at ``today`` (rule letter_overdue's red bound:
    due 2025-10-14 → overdue from 2025-10-15); None when the rule is missing or disabled."""
    rule = Rule.objects.filter(code="letter_overdue", enabled=True).first()
    return red_last_due(rule, today) if rule else None


@transaction.atomic
def letters_escalate(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Mark every letter still unanswered past its due date escalated, each with its event row;
    idempotent (only ``issued`` letters change; one another process changed first is skipped).
    Returns how many letters changed now."""
    bound = letters_overdue_bound(today or clock.today())
    if bound is None:
        return 0
    now = now or clock.now()
    overdue = SupervisionLetter.objects.filter(status=LetterStatus.ISSUED, response_due__lte=bound)
    changed = 0
    for letter in overdue.order_by("pk"):
        changed += _escalate(letter, now)
    return changed


def _escalate(letter: SupervisionLetter, now: dt.datetime) -> bool:
    """One letter escalated with its event row; False when another process changed it first."""
    try:
        with transaction.atomic():
            _move(letter, None, to=LetterStatus.ESCALATED, note="", now=now, escalated_at=now)
    except LetterConflict:
        return False
    return True
