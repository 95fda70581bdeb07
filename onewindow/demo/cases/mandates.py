"""The demo's mandates of the newer kinds (docs/rules/mandates.md §T1, §T3), made at the end of
the simulated year through the real services.

- 张明 (the demo applicant) mandates the demo agent 李娜 for one of his own open cases only;
- the demo clerk 陈静 records a signed paper mandate from a generated citizen to 李娜 for one
  item: it waits for the citizen's confirmation (or a verification at the window), so the demo
  shows a pending mandate on the citizen's 我的代办委托 and on the window's 纸质委托书 tab.

Key-project mandates are the projects demo's (the projects app registers their scope).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import mandate_record, mandate_record_paper
from onewindow.demo.cases.stories import upload

OPEN = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


def mandates_demo(*, cast: Any, today: dt.date) -> int:
    """Record the two mandates; returns how many were recorded (a story without a fitting case
    or citizen is skipped)."""
    made = 0
    agent, applicant, clerk = cast.demo["agent"], cast.demo["applicant"], cast.demo["clerk"]
    case = (
        Case.objects.filter(applicant=applicant, agent__isnull=True, status__in=OPEN)
        .select_related("item_version")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if case is not None:
        try:
            mandate_record(
                agent=agent,
                applicant=applicant,
                case=case,
                valid_until=today + dt.timedelta(days=90),
                recorded_by=applicant,
                note="仅委托代办员跟进该办件的补正和领证。",
                today=today,
            )
            made += 1
        except CaseError:
            pass
    citizen = next((c for c in cast.citizens if c.id_number), None)
    item = case.item_version.item if case is not None else None
    if citizen is not None:
        try:
            mandate_record_paper(
                agent=agent,
                applicant=citizen,
                item=item,
                valid_until=today + dt.timedelta(days=180),
                recorded_by=clerk,
                scan=upload("纸质委托书（已签字）.pdf"),
                note="社区代办点当面签署，待委托人在账号中确认。",
                today=today,
            )
            made += 1
        except CaseError:
            pass
    return made
