"""The supervision sweep: issue a card for everything that crossed a rule's threshold.

Set-based and idempotent (issue 5 item 2). For each enabled rule and level, the rule's query
(``rules.RULES``) plus "no such card yet" is read page by page in primary-key order, outside any
transaction; each page is inserted with ``bulk_create(ignore_conflicts=True)`` in its own short
transaction. The unique constraint ``card_once_per_crossing`` decides: any number of sweeps at
once, or a sweep killed half-way and started again, give exactly one card per (rule, object,
level). Only the cards a run really inserted (tagged with its ``sweep_run``) are notified.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.core import clock
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_deliver
from onewindow.supervision.models import Card, CardLevel, Rule
from onewindow.supervision.rules import LEVELS, RULES, RuleSpec, describe

# Who answers for a department's cards (the department head, PRODUCT.md §C10).
HEAD_ROLES = (Role.CHIEF, Role.APPROVER)


@dataclass
class SweepResult:
    issued: Counter[str] = field(default_factory=Counter)  # "rule/level" → cards inserted
    batches: int = 0
    longest_batch_ms: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.issued.values())


def supervision_sweep(*, today: dt.date | None = None, batch: int = 500) -> SweepResult:
    """One pass over every enabled rule and level; returns what this pass inserted."""
    today = today or clock.today()
    now = clock.now()
    run = uuid.uuid4().hex
    result = SweepResult()
    for rule in Rule.objects.filter(enabled=True).order_by("sort", "pk"):
        spec = RULES.get(rule.code)
        if spec is None:
            continue
        for level in LEVELS:
            rows = spec.query(rule, level, today)
            if rows is None:
                continue
            carded = Card.objects.filter(
                rule_id=rule.pk, object_kind=spec.object_kind, level=level, object_id=OuterRef("pk")
            )
            pending = rows.filter(~Exists(carded)).order_by("pk")
            last = 0
            while True:
                page = list(pending.filter(pk__gt=last)[:batch])  # read: no write lock held
                if not page:
                    break
                last = page[-1][0]
                started = time.perf_counter()
                inserted = _insert_batch(rule, spec, level, page, now=now, run=run)
                elapsed = (time.perf_counter() - started) * 1000
                result.batches += 1
                result.longest_batch_ms = max(result.longest_batch_ms, elapsed)
                if inserted:
                    result.issued[f"{rule.code}/{level}"] += inserted
                if len(page) < batch:
                    break
    return result


@transaction.atomic
def _insert_batch(
    rule: Rule,
    spec: RuleSpec,
    level: str,
    page: list[tuple[int, int, int, dt.date | None]],
    *,
    now: dt.datetime,
    run: str,
) -> int:
    """Insert one page of cards in one short transaction; notify heads of the new ones."""
    Card.objects.bulk_create(
        [
            Card(
                rule=rule,
                level=level,
                object_kind=spec.object_kind,
                object_id=pk,
                case_id=case_id,
                department_id=dept_id,
                due=due,
                detail=describe(spec, due),
                issued_at=now,
                sweep_run=run,
            )
            for pk, case_id, dept_id, due in page
        ],
        ignore_conflicts=True,
    )
    new = list(
        Card.objects.filter(
            sweep_run=run,
            rule=rule,
            level=level,
            object_kind=spec.object_kind,
            object_id__in=[row[0] for row in page],
        ).select_related("case", "department")
    )
    if new:
        _heads_notify(rule, new, now)
    return len(new)


def _heads_notify(rule: Rule, cards: list[Card], now: dt.datetime) -> None:
    """An outbox email to each department head listing that department's new cards."""
    by_dept: dict[int, list[Card]] = defaultdict(list)
    for card in cards:
        by_dept[card.department_id].append(card)
    heads = User.objects.filter(
        department_id__in=list(by_dept), is_active=True, role__in=HEAD_ROLES
    ).exclude(email="")
    rows: list[OutboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        level_name: dict[str, str] = {CardLevel.YELLOW: _("黄牌"), CardLevel.RED: _("红牌")}
        for head in heads:
            mine = by_dept.get(head.department_id or 0, [])
            if not mine:
                continue
            lines = [
                _("办件 %(n)s:%(level)s,%(detail)s")
                % {
                    "n": c.case.number or c.case_id,
                    "level": level_name[c.level],
                    "detail": c.detail,
                }
                for c in mine
            ]
            subject = _("电子监察:%(rule)s 新发 %(count)s 张监察牌") % {
                "rule": rule.name,
                "count": len(mine),
            }
            body = (
                _("%(d)s:电子监察系统按规则“%(rule)s”发出以下监察牌,请在“监察牌”栏目中说明情况。")
                % {"d": mine[0].department.name, "rule": rule.name}
                + "\n"
                + "\n".join(lines)
            )
            rows.append(
                OutboxMessage(
                    channel=Channel.EMAIL,
                    recipient=head.email,
                    user=head,
                    subject=subject[:200],
                    body=body,
                    case=mine[0].case if len(mine) == 1 else None,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if rows:
        created = OutboxMessage.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: outbox_deliver(ids=ids), robust=True)


def sweep_summary(result: SweepResult) -> dict[str, Any]:
    return {
        "issued": dict(sorted(result.issued.items())),
        "total": result.total,
        "batches": result.batches,
        "longest_batch_ms": round(result.longest_batch_ms, 1),
    }
