"""The one way a case changes status: check the state, bump the revision, write the event.

Every state change goes through ``transition`` inside the calling service's transaction. The
conditional UPDATE (status and revision must still be what the caller read) makes two clerks
deciding the same case at once produce exactly one decision; the loser gets ConcurrentChange.
The check and the UPDATE are ``CASE_MACHINE`` (``onewindow.core.statemachine``), declared next to
the ``Case`` model; the caller's ``allowed_from`` names the statuses this action starts from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from onewindow.accounts.roles import Role
from onewindow.cases.models import CASE_MACHINE, Case, CaseEvent, CaseFlag, FlagKind
from onewindow.cases.subscriptions import event_dispatch
from onewindow.core import clock


def transition(
    case: Case,
    *,
    allowed_from: Iterable[str],
    to: str,
    actor: Any,
    action: str,
    reason: str = "",
    public: bool = True,
    now: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> CaseEvent:
    """Move ``case`` to ``to`` if it is in one of ``allowed_from``; store ``fields`` with it."""
    now = now or clock.now()

    def record(old: str, new: str) -> CaseEvent:
        return event_record(
            case,
            actor=actor,
            action=action,
            old=old,
            new=new,
            reason=reason,
            public=public,
            now=now,
            data=data,
        )

    event = CASE_MACHINE.move(
        case, to=to, allowed_from=allowed_from, record=record, updated_at=now, **fields
    )
    assert event is not None
    return event


def event_record(
    case: Case,
    *,
    actor: Any,
    action: str,
    old: str = "",
    new: str = "",
    reason: str = "",
    public: bool = True,
    now: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write one event row (also for actions that keep the status, e.g. an upload), then run its
    subscribers in this same transaction (``cases.subscriptions``: the review opening on
    acceptance, the applicant's email/SMS queued to be sent after commit, …)."""
    principal_id = on_behalf_of_id(case, actor)
    event = CaseEvent.objects.create(
        case=case,
        at=now or clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=getattr(actor, "role", "system") if actor else "system",
        on_behalf_of_id=principal_id,
        action=action,
        old_status=old,
        new_status=new or old,
        reason=reason,
        public=public,
        data=data or {},
    )
    event_dispatch(case, event, actor)
    return event


def on_behalf_of_id(case: Case, actor: Any) -> int | None:
    """The principal an agent's action on ``case`` is done for: the case's applicant, whenever
    the actor is an agent other than the applicant (docs/rules/mandates.md §T5)."""
    if getattr(actor, "pk", None) is None or actor.pk == case.applicant_id:
        return None
    return case.applicant_id if getattr(actor, "role", None) == Role.AGENT else None


def flag_raise(
    case: Case, *, kind: FlagKind, note: str = "", now: dt.datetime | None = None
) -> None:
    """Flag the case for electronic supervision; raising the same flag twice is a no-op."""
    CaseFlag.objects.get_or_create(
        case=case, kind=kind, defaults={"at": now or clock.now(), "note": note}
    )
