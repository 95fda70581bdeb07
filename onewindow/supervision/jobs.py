"""The supervision sweep in the background loop of ``onewindow run`` / ``onewindow worker``.

Discovered like every app's ``jobs`` module. Safe in any number of processes at once: the card
table's unique constraint makes every insert idempotent (see ``sweep``).
"""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.supervision.sweep import supervision_sweep

log = logging.getLogger("onewindow.supervision")


@periodic("supervision.sweep", interval=settings.BACKGROUND_INTERVAL)
def sweep() -> int:
    """DOMAIN-RULES D1/D2: issue the yellow and red cards due at today's date."""
    result = supervision_sweep()
    if result.total:
        log.info("supervision sweep issued %s card(s): %s", result.total, dict(result.issued))
    return result.total


@periodic("supervision.letters_escalate", interval=settings.BACKGROUND_INTERVAL)
def letters_escalate() -> int:
    """Issue 5 item 4: mark unanswered 督办函 past their due date escalated (the sweep's rule
    ``letter_overdue`` issues their red card)."""
    from onewindow.supervision.letters import letters_escalate as escalate

    count = escalate()
    if count:
        log.info("supervision: %s letter(s) escalated", count)
    return count


@periodic("supervision.reports", interval=settings.BACKGROUND_INTERVAL)
def reports() -> int:
    """Issue 5 item 5: queue the situation report of each month and quarter that ended, and
    generate a few queued reports (claimed one by one: safe in several processes)."""
    from onewindow.supervision.reports import report_generate_pending, reports_schedule

    queued = reports_schedule()
    done = report_generate_pending(limit=3)
    if queued or done:
        log.info("supervision: %s situation report(s) queued, %s generated", queued, done)
    return done


@periodic("supervision.scores", interval=settings.BACKGROUND_INTERVAL)
def scores() -> int:
    """Issue 5 item 6: compute each month and quarter once after it ends, and keep the current
    period's provisional scores at most an hour old (``scores.scores_refresh``)."""
    from onewindow.supervision.scores import scores_refresh

    count = scores_refresh()
    if count:
        log.info("supervision: performance scores computed for %s period(s)", count)
    return count
