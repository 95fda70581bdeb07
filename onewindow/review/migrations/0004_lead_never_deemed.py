"""docs/rules/licensing.md §C4: the lead department is never deemed to consent
(docs/rules/licensing.md §C2 covers co-departments only). The old job also deemed a silent lead; for
cases still under review and undecided, that lead task is reopened (its deemed opinion removed, an
event recording why), so the lead reviews and records its own opinion before anyone decides. Decided
cases keep their history untouched."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations

REVIEW_OPEN = ("in_review", "suspended")
REASON = (
    "逾期默许同意只适用于协办部门（docs/rules/licensing.md §C2），牵头部门%(d)s的“默许同意”已撤销，"
    "审查任务重新开启，须由牵头部门自行审查并提出意见后方可作出决定。"
)


def reopen_deemed_lead_tasks(apps: Any, schema_editor: Any) -> None:
    Task = apps.get_model("review", "Task")
    Opinion = apps.get_model("review", "Opinion")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    from onewindow.core import clock

    now: dt.datetime = clock.now()
    tasks = Task.objects.filter(
        is_lead=True,
        status="deemed",
        case__status__in=REVIEW_OPEN,
        case__decision__isnull=True,
    ).select_related("case", "department")
    for task in tasks:
        Opinion.objects.filter(task=task, kind="deemed_consent").delete()
        Task.objects.filter(pk=task.pk).update(
            status="open", closed_at=None, revision=task.revision + 1
        )
        CaseEvent.objects.create(
            case=task.case,
            at=now,
            actor=None,
            actor_role="system",
            action="lead_deemed_consent_withdrawn",
            old_status=task.case.status,
            new_status=task.case.status,
            reason=REASON % {"d": task.department.name},
            public=False,
            data={"task": task.pk, "department": task.department.name},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_decision_decided_on_index"),
        ("cases", "0005_case_fees"),
    ]

    operations = [migrations.RunPython(reopen_deemed_lead_tasks, migrations.RunPython.noop)]
