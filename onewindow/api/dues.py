"""The one shape of a due date in every API answer (docs/rules/workdays.md §A5).

``{"date": "2027-01-08", "provisional": true, "paused": false}`` — the ``Due`` value of
``calendars.selectors.stored_due``, documented once as the ``DueDate`` schema component.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from onewindow.lib.workdays import Due


class DueDateSerializer(serializers.Serializer):
    """Every due date of the API has this shape: ``date``; ``provisional``, true when its
    counting reaches a year whose holiday arrangement is not published yet, so it may change
    (docs/rules/workdays.md §A4); ``paused``, true while the clock stands still (a special
    procedure, or a material request that stops the branch's clock): the date will move and is not
    overdue (docs/rules/licensing.md §B4)."""

    date = serializers.DateField(help_text="期限日期 YYYY-MM-DD（按工作日计算，起算日不计入）")
    provisional = serializers.BooleanField(
        help_text="true：计算涉及节假日安排尚未公布的年份，为临时日期，公布后可能调整（docs/rules/workdays.md §A4）"
    )
    paused = serializers.BooleanField(
        help_text="true：暂停计时（特别程序或补充材料期间），期限将按暂停的工作日顺延，"
        "不算逾期（docs/rules/licensing.md §B4）"
    )


def due_json(due: Due | None) -> dict[str, Any] | None:
    """What ``DueDateSerializer`` answers for ``due``, built directly: for the long lists that
    skip the serializer (``onewindow/review/api/tasks.py``'s inbox; a test compares the two)."""
    if due is None:
        return None
    return {
        "date": due.date.isoformat(),
        "provisional": bool(due.provisional),
        "paused": bool(due.paused),
    }
