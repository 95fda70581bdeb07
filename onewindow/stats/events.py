"""The statistics follow every case event (docs/rules/statistics.md §M3).

Each event written for a case — whatever its kind, in the writer's transaction — brings that
case's contribution to the rollups up to date (``services.case_refresh``). The handler runs
after the other apps' (a high ``order``), and once more after the handlers of the status the
case entered (the review opening its tasks on acceptance writes in those), so what it reads is
what the transaction has written so far. Running it twice changes nothing.
"""

from __future__ import annotations

import threading
from typing import Any

from onewindow.cases.models import CaseStatus
from onewindow.cases.subscriptions import on_enter, on_event
from onewindow.stats.services import case_refresh

LAST = 10_000

# Event kinds that, without a change of status, write nothing the figures read (the case's
# dates, department, item and region, its decision, special procedures, finished review tasks and
# correction notices, docs/rules/statistics.md §M3): no refresh for them. A kind not listed here —
# any other app's, any new one — refreshes; the property test replays the chain's kinds against
# a full recount.
UNCOUNTED = frozenset(
    {
        "draft_created",
        "draft_saved",
        "file_added",
        "file_removed",
        "file_reused",
        "note_added",
        "fee_recorded",
        "case_rated",
        "commitment_signed",
        "delivery_chosen",
        "delivery_sent",
        "extension_requested",
        "extension_refused",
        "certificate_issued",
        "certificate_cancelled",
        "certificate_revoked",
        "certificate_withdrawn",
        "task_opened",  # only finished tasks count
        "task_due_recomputed",  # a task's due date is no figure
        "material_requested",  # pauses an open task: counted when it finishes
        "material_answered",
    }
)


# The last (case, event) refreshed in this thread. An event's handlers can write a later event of
# the same case (entering 受理 opens the review: 审查中); that later event's refresh runs nested,
# before the earlier event's handlers reach ours, and has read the case after both: the earlier
# event's own refresh would find nothing to change, so it is skipped.
_last = threading.local()


def _superseded(event: Any) -> bool:
    case_id, event_id = getattr(_last, "done", (None, 0))
    return bool(case_id == event.case_id and event.pk is not None and event_id > event.pk)


def _refresh(event: Any) -> None:
    if _superseded(event):
        return
    case_refresh(event.case_id)
    _last.done = (event.case_id, event.pk or 0)


def stats_on_event(case: Any, event: Any, actor: Any) -> None:
    if event.new_status != event.old_status:
        return  # the on_enter handler below runs last for it
    if event.action in UNCOUNTED:
        return
    _refresh(event)


def stats_on_enter(case: Any, event: Any, actor: Any) -> None:
    _refresh(event)


on_event(stats_on_event, order=LAST)
for _status in CaseStatus.values:
    on_enter(_status, stats_on_enter, order=LAST)
