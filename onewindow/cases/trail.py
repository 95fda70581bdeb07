"""Who did an event: the words 「代办员 X 代表 Y 办理」 of an agent's action
(docs/rules/mandates.md §T5).

Staff read both names; the applicant reads the agent's name (they are the principal); the public
progress page reads no name at all, only that an agent acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.events import event_label, event_public_label
from onewindow.cases.models import Case, CaseEvent


def on_behalf_text(event: CaseEvent) -> str:
    """「代办员 X 代表 Y 办理」 for an agent's action; empty for anyone else's."""
    if event.on_behalf_of_id is None:
        return ""
    return _("代办员 %(agent)s 代表 %(principal)s 办理") % {
        "agent": event.actor or "",
        "principal": event.on_behalf_of or "",
    }


def on_behalf_public_text(event: Any) -> str:
    """The public progress page's words: that an agent acted, no name."""
    return _("代办员代为办理") if getattr(event, "on_behalf_of_id", None) else ""


@dataclass(frozen=True)
class AgentStep:
    """One action an agent took on the applicant's case, as the applicant reads it."""

    at: Any
    label: str
    agent: str
    text: str
    detail: str


def agent_steps(case: Case) -> list[AgentStep]:
    """Every action agents took on ``case`` on the principal's behalf, oldest first (for the
    principal's own application page)."""
    rows: QuerySet[CaseEvent] = (
        case.events.filter(on_behalf_of__isnull=False)
        .select_related("actor", "on_behalf_of")
        .order_by("at", "pk")
    )
    steps = []
    for event in rows:
        label = event_public_label(event.action) or event_label(event.action)
        detail = " ".join(
            str(value) for value in (event.data.get("material"), event.data.get("file")) if value
        )
        steps.append(
            AgentStep(
                at=timezone.localtime(event.at),
                label=label,
                agent=str(event.actor or ""),
                text=on_behalf_text(event),
                detail=detail,
            )
        )
    return steps
