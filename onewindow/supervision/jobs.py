"""The supervision sweep in the background loop of ``onewindow run`` / ``onewindow worker``.

Discovered like every app's ``jobs`` module. Safe in any number of processes at once: the card
table's unique constraint makes every insert idempotent (see ``sweep``).
"""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.supervision.services.letters import letters_escalate as escalate
from onewindow.supervision.services.reports import report_generate_pending
from onewindow.supervision.services.reports import reports_schedule as schedule
from onewindow.supervision.services.scores import scores_refresh
from onewindow.supervision.services.sweep import supervision_sweep

log = logging.getLogger("onewindow.supervision")


@periodic("supervision.sweep", interval=settings.BACKGROUND_INTERVAL)
def sweep() -> int:
    """docs/rules/supervision.md §D1, §D2: issue the yellow and red cards due at today's date."""
    result = supervision_sweep()
    if result.total:
        log.info("supervision sweep issued %s card(s): %s", result.total, dict(result.issued))
    return result.total


@periodic("supervision.letters_escalate", interval=settings.BACKGROUND_INTERVAL)
def letters_escalate() -> int:
    """docs/rules/supervision.md §D8: mark unanswered 督办函 past their due date escalated (the sweep's
    rule
    ``letter_overdue`` issues their red card)."""
    count = escalate()
    if count:
        log.info("supervision: %s letter(s) escalated", count)
    return count


# docs/rules/supervision.md §D9: reports queued at start-up stayed at 0 % for minutes because this
# job made three reports per BACKGROUND_INTERVAL (60 s: fifteen reports took five minutes) although
# each takes about a second. Now a cheap indexed query every second finds queued reports and they
# are generated at once, one after another; the budget lets the loop's other jobs have their
# turn between batches. Under procrastinate each report is a job of its own, deferred with it
# (docs/rules/tasks.md §X5): this job is then only the sweep for reports left behind (a dead
# worker's, after STALE_AFTER), every BACKGROUND_INTERVAL.
REPORT_POLL_SECONDS = 1.0
REPORT_BUDGET_SECONDS = 30.0


@periodic("supervision.reports_schedule", interval=settings.BACKGROUND_INTERVAL)
def reports_schedule() -> int:
    """docs/rules/supervision.md §D9: queue the situation report of each month and quarter that
    ended."""
    queued = schedule()
    if queued:
        log.info("supervision: %s situation report(s) queued", queued)
    return queued


@periodic(
    "supervision.reports",
    interval=REPORT_POLL_SECONDS,
    sweep_interval=settings.BACKGROUND_INTERVAL,
    per_period=False,  # a queue poller: each report is claimed by a conditional UPDATE
)
def reports() -> int:
    """Generate the queued situation reports now (requested ones first; claimed one by one, so
    safe in several processes)."""
    done = report_generate_pending(seconds=REPORT_BUDGET_SECONDS)
    if done:
        log.info("supervision: %s situation report(s) generated", done)
    return done


@periodic("supervision.scores", interval=settings.BACKGROUND_INTERVAL)
def scores() -> int:
    """docs/rules/supervision.md §D10: compute each month and quarter once after it ends, and keep
    the current period's provisional scores at most an hour old (``scores.scores_refresh``)."""
    count = scores_refresh()
    if count:
        log.info("supervision: performance scores computed for %s period(s)", count)
    return count
