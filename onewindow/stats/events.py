"""The statistics follow every case event (docs/rules/statistics.md §M3).

Each event written for a case — whatever its kind, in the writer's transaction — brings that
case's contribution to the rollups up to date (``services.case_refresh``). The handler runs
after the other apps' (a high ``order``), and once more after the handlers of the status the
case entered (the review opening its tasks on acceptance writes in those), so what it reads is
what the transaction has written so far. Running it twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from onewindow.cases.models import CaseStatus
from onewindow.cases.subscriptions import on_enter, on_event
from onewindow.stats.services import case_refresh

LAST = 10_000


def stats_on_event(case: Any, event: Any, actor: Any) -> None:
    if event.new_status != event.old_status:
        return  # the on_enter handler below runs last for it
    case_refresh(event.case_id)


def stats_on_enter(case: Any, event: Any, actor: Any) -> None:
    case_refresh(event.case_id)


on_event(stats_on_event, order=LAST)
for _status in CaseStatus.values:
    on_enter(_status, stats_on_enter, order=LAST)
