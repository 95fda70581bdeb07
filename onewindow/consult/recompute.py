"""Reply deadlines counted again after a calendar change (docs/rules/workdays.md §A4,
docs/rules/consultation.md §K1): an open question whose counting touched the changed days keeps
its number of working days after the day it was asked, on the new calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import F
from django.utils import timezone

from onewindow.calendars.recompute import CalendarChange
from onewindow.consult.models import Question, QuestionStatus
from onewindow.core import clock


def questions_recompute(change: CalendarChange) -> int:
    """Every open question asked by the last changed day and due on or after the first."""
    asked_by = dt.datetime.combine(
        change.last + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )
    ids = list(
        Question.objects.filter(
            status=QuestionStatus.OPEN, asked_at__lt=asked_by, reply_due__gte=change.first
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def recompute(chunk: Sequence[int]) -> int:
        changed = 0
        rows = Question.objects.filter(pk__in=chunk, status=QuestionStatus.OPEN).only(
            "pk", "asked_at", "reply_due"
        )
        for question in rows:
            due = change.moved(clock.local_date(question.asked_at), question.reply_due).date
            if due != question.reply_due:
                changed += Question.objects.filter(
                    pk=question.pk, status=QuestionStatus.OPEN
                ).update(reply_due=due, revision=F("revision") + 1)
        return changed

    return change.in_batches("consult_questions", ids, recompute)
