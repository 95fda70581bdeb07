"""The supervision sweep: issue a card for everything that crossed a rule's threshold.

Set-based and idempotent (docs/rules/supervision.md §D6). For each enabled rule and level, the
rule's query (``rules.RULES``) plus "no such card yet" is read in one query in primary-key order,
outside any transaction, and cut into pages. Each page's rows and email text are prepared outside
any transaction too; then the page is inserted (``INSERT … ON CONFLICT DO NOTHING``) with its
heads' emails in its own short transaction, which the sweep times (``longest_batch_ms``: from
BEGIN, once SQLite's write lock is taken, to COMMIT). The unique constraint
``card_once_per_crossing`` decides: any number of sweeps at once, or a sweep killed half-way and
started again, give exactly one card per (rule, object, level). Only the cards a run really
inserted (tagged with its ``sweep_run``) are notified.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage
from onewindow.notifications.services import outbox_deliver, outbox_hand_over
from onewindow.supervision.models import Card, CardEvent, CardLevel, CardStatus, ObjectKind, Rule
from onewindow.supervision.rules import LEVELS, RULES, RuleSpec, describer

# Who answers for a department's cards (the department head, docs/product.md §C10).
HEAD_ROLES = (Role.CHIEF, Role.APPROVER)


@dataclass
class SweepResult:
    issued: Counter[str] = field(default_factory=Counter)  # "rule/level" → cards inserted
    batches: int = 0
    longest_batch_ms: float = 0.0
    batch_ms: list[float] = field(default_factory=list)  # each write transaction, in order
    emails: int = 0  # heads' emails queued (sent after the pass, see ``supervision_sweep``)

    @property
    def total(self) -> int:
        return sum(self.issued.values())


def supervision_sweep(
    *, today: dt.date | None = None, batch: int = 200, now: dt.datetime | None = None
) -> SweepResult:
    """One pass over every enabled rule and level; returns what this pass inserted.

    Each head gets one email per rule and level and pass, not one per batch: the first batch
    with cards for the head queues it, later batches append to it in their own transaction
    (atomic with their cards) while it is still pending. The emails are sent once the pass is
    over, so no batch waits for delivery; a pass killed half-way leaves them pending for the
    outbox's retry job.
    """
    today = today or clock.today()
    now = now or clock.now()
    run = uuid.uuid4().hex
    result = SweepResult()
    mail: dict[tuple[int, int, str], _Mail] = {}  # (head, rule, level) → its email so far
    staff = _staff()
    lined: Counter[int] = Counter()  # department → email lines prepared for this rule and level
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
            # One read of everything pending (no write lock held): re-reading page after page
            # re-scans and re-sorts the whole crossed set on every page when the rule's filter
            # is an OR over an index (task_due), quadratic at a million tasks. Memory: about
            # 200 bytes per crossed row of one rule and level.
            pending = list(rows.filter(~Exists(carded)).order_by("pk"))
            lined.clear()
            for start in range(0, len(pending), batch):
                page = pending[start : start + batch]
                prepared = _batch_prepare(
                    rule, spec, level, page, now=now, run=run, staff=staff, lined=lined
                )
                inserted, held_ms = _insert_batch(prepared, mail)
                result.batches += 1
                result.longest_batch_ms = max(result.longest_batch_ms, held_ms)
                result.batch_ms.append(held_ms)
                if inserted:
                    result.issued[f"{rule.code}/{level}"] += inserted
    emails = sorted({m.id for m in mail.values()})
    result.emails = len(emails)
    # After the last batch, so that the heads' emails gather every card of the pass; a crash
    # before this line leaves them pending and due, for the retry job (docs/rules/tasks.md §X4).
    outbox_hand_over(emails, after_commit=lambda: _emails_send(emails))
    return result


def _emails_send(ids: list[int], chunk: int = 500) -> None:
    for start in range(0, len(ids), chunk):
        outbox_deliver(ids=ids[start : start + chunk])


# An email lists at most this many cards (the subject has the count; the rest are on the
# department's card page), so appending to it stays cheap however many cards a pass issues.
MAIL_LINES = 100


@dataclass(frozen=True)
class _Mail:
    id: int
    count: int  # cards the email tells of
    listed: int  # lines in its body


@dataclass(frozen=True)
class _Head:
    user_id: int
    email: str
    department_id: int


@dataclass(frozen=True)
class _Staff:
    heads: dict[int, list[_Head]]  # department → its heads with an email address
    names: dict[int, str]  # department → name


def _staff() -> _Staff:
    """Read once per pass: who is told about a department's cards."""
    heads: dict[int, list[_Head]] = defaultdict(list)
    rows = (
        User.objects.filter(department__isnull=False, is_active=True, role__in=HEAD_ROLES)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email", "department_id")
    )
    for pk, email, dept in rows:
        heads[dept].append(_Head(pk, email, dept))
    return _Staff(dict(heads), dict(Department.objects.values_list("pk", "name")))


@dataclass(frozen=True)
class _Batch:
    """One page of cards, everything computed before its write transaction begins."""

    rule: Rule
    object_kind: str
    level: str
    run: str
    now: dt.datetime
    object_ids: list[int]
    rows: list[tuple[Any, ...]]  # card rows, in ``_card_fields`` order
    lines: dict[int, tuple[int, int | None, str]]  # object id → (department, case, email line)
    heads: list[_Head]
    department_names: dict[int, str]
    subject: str  # translated templates of the heads' email
    body: str
    more: str


def _batch_prepare(
    rule: Rule,
    spec: RuleSpec,
    level: str,
    page: list[tuple[int, int | None, int, dt.date | None]],
    *,
    now: dt.datetime,
    run: str,
    staff: _Staff,
    lined: Counter[int],
) -> _Batch:
    """The card rows and the heads' email lines of one page: reads and text, no write lock.

    An email lists at most ``MAIL_LINES`` cards, so only the first ``MAIL_LINES`` rows of each
    department (counted in ``lined`` over the rule and level) need the case number that
    names them; the rest, which no email lists, cost no look-up.
    """
    describe_due = describer(spec)
    fixed: dict[str, Any] = {
        "rule": rule.pk,
        "level": level,
        "object_kind": spec.object_kind,
        "issued_at": now,
        "sweep_run": run,
    }
    fields = _card_fields()
    template = [f.get_db_prep_save(fixed.get(f.name, f.get_default()), connection) for f in fields]
    at = {f.attname: i for i, f in enumerate(fields)}
    varying = [at[name] for name in ("object_id", "case_id", "department_id", "due", "detail")]
    adapt_date = connection.ops.adapt_datefield_value
    rows, details = [], []
    for pk, case_id, dept_id, due in page:
        details.append(describe_due(due))
        row = template.copy()
        for i, value in zip(
            varying, (pk, case_id, dept_id, adapt_date(due), details[-1]), strict=True
        ):
            row[i] = value
        rows.append(tuple(row))
    departments = {row[2] for row in page}
    heads = [head for dept in sorted(departments) for head in staff.heads.get(dept, [])]
    cases: set[int] = set()
    listable: set[int] = set()
    if heads:
        for pk, case_id, dept_id, _due in page:
            lined[dept_id] += 1
            if lined[dept_id] <= MAIL_LINES:
                listable.add(pk)
                if case_id:
                    cases.add(case_id)
    numbers: dict[int | None, str | None] = (
        dict(Case.objects.filter(pk__in=cases).values_list("pk", "number")) if cases else {}
    )
    with translation.override(settings.LANGUAGE_CODE):
        level_name = {CardLevel.YELLOW: _("黄牌"), CardLevel.RED: _("红牌")}[CardLevel(level)]
        line, case_name = _("%(n)s：%(level)s，%(detail)s"), _("办件 %(n)s")
        kind_name = str(ObjectKind(spec.object_kind).label)
        subject = _("电子监察：%(rule)s 新发 %(count)s 张监察牌")
        body = _("%(d)s：电子监察系统按规则“%(rule)s”发出以下监察牌，请在“监察牌”栏目中说明情况。")
        more = _("……其余监察牌请在“监察牌”栏目中查看。")
    # A row past the cap is never listed (a concurrent sweep may shift the count by a few:
    # then its bare detail stands in).
    lines = {
        pk: (
            dept_id,
            case_id,
            line
            % {
                "n": case_name % {"n": numbers[case_id]} if numbers.get(case_id) else kind_name,
                "level": level_name,
                "detail": detail,
            }
            if pk in listable
            else detail,
        )
        for (pk, case_id, dept_id, _due), detail in zip(page, details, strict=True)
        if heads
    }
    return _Batch(
        rule,
        spec.object_kind,
        level,
        run,
        now,
        [row[0] for row in page],
        rows,
        lines,
        heads,
        staff.names,
        subject,
        body,
        more,
    )


def _card_fields() -> list[Any]:
    return [f for f in Card._meta.concrete_fields if not f.primary_key]


def _cards_insert(rows: list[tuple[Any, ...]]) -> int:
    """Insert card rows, skipping a row whose crossing already has its card (the unique
    constraint decides, as ``bulk_create(ignore_conflicts=True)`` would, without building a
    model instance per row inside the transaction). Returns how many were inserted."""
    qn = connection.ops.quote_name
    fields = _card_fields()
    target = f"INSERT INTO {qn(Card._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement over one array per column: set-based on the server, one round trip
            # (about 3× faster here than executemany, which plans each row's INSERT).
            arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)
            columns = [list(values) for values in zip(*rows, strict=True)]
            cursor.execute(
                f"{target} SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING", columns
            )
        else:  # SQLite, in-process: one prepared statement, many rows
            one = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"{target} VALUES ({one}) ON CONFLICT DO NOTHING", rows)
        return int(cursor.rowcount)


def _issued_events(batch: _Batch) -> None:
    """Each card this page inserted gets its "issued" event row (no actor: the sweep issued
    it), in one INSERT … SELECT: a card that already has its row (a page retried) is skipped."""
    qn = connection.ops.quote_name
    card, event = Card._meta, CardEvent._meta
    card_column = {f.name: f.column for f in card.concrete_fields}
    event_column = {f.name: f.column for f in event.concrete_fields}

    def c(name: str) -> str:
        return "c." + qn(card_column[name])

    columns = ", ".join(
        qn(event_column[name])
        for name in ("card", "at", "actor", "action", "old_status", "new_status", "note")
    )
    ids = ", ".join(["%s"] * len(batch.object_ids))
    sql = (
        f"INSERT INTO {qn(event.db_table)} ({columns}) "
        f"SELECT {c('id')}, {c('issued_at')}, NULL, %s, '', %s, '' FROM {qn(card.db_table)} c "
        f"WHERE {c('sweep_run')} = %s AND {c('rule')} = %s AND {c('level')} = %s "
        f"AND {c('object_kind')} = %s AND {c('object_id')} IN ({ids}) "
        f"AND NOT EXISTS (SELECT 1 FROM {qn(event.db_table)} e "
        f"WHERE e.{qn(event_column['card'])} = {c('id')})"
    )
    params: list[Any] = [
        CardStatus.ISSUED.value,
        CardStatus.ISSUED.value,
        batch.run,
        batch.rule.pk,
        batch.level,
        batch.object_kind,
        *batch.object_ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_batch(batch: _Batch, mail: dict[tuple[int, int, str], _Mail]) -> tuple[int, float]:
    """Insert one page of cards in one short transaction and tell the heads about the new
    ones (``mail``: this pass's emails, updated once the transaction committed); returns
    (cards inserted, milliseconds the transaction was open)."""
    with transaction.atomic():  # SQLite: BEGIN IMMEDIATE, the write lock is taken here
        began = time.perf_counter()
        inserted = _cards_insert(batch.rows)
        if inserted:
            _issued_events(batch)
        if inserted == len(batch.rows):  # every row new: no need to ask which
            new = set(batch.object_ids)
        else:
            new = set(
                Card.objects.filter(
                    sweep_run=batch.run,
                    rule=batch.rule,
                    level=batch.level,
                    object_kind=batch.object_kind,
                    object_id__in=batch.object_ids,
                ).values_list("object_id", flat=True)
            )
        changed = _heads_notify(batch, new, mail) if new else {}
    held_ms = (time.perf_counter() - began) * 1000
    mail.update(changed)
    return len(new), held_ms


def _heads_notify(
    batch: _Batch, new: set[int], mail: dict[tuple[int, int, str], _Mail]
) -> dict[tuple[int, int, str], _Mail]:
    """Each department head's email of this pass, rule and level: appended to while pending,
    else a new one. Returns the emails changed."""
    by_dept: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for pk in batch.object_ids:
        if pk in new and pk in batch.lines:
            dept_id, case_id, line = batch.lines[pk]
            by_dept[dept_id].append((case_id, line))
    changed: dict[tuple[int, int, str], _Mail] = {}
    todo = [
        ((head.user_id, batch.rule.pk, batch.level), head, by_dept[head.department_id])
        for head in batch.heads
        if by_dept.get(head.department_id)
    ]
    appends: dict[int, tuple[tuple[int, int, str], str, str, _Mail]] = {}
    for key, _head, mine in todo:
        before = mail.get(key)
        if before is not None:
            lines, listed = _lines(batch, mine, before.listed)
            after = _Mail(before.id, before.count + len(mine), listed)
            appends[before.id] = (key, _subject(batch, after.count), lines, after)
    appended = _mails_append(appends) if appends else set()
    for pk in appended:
        key, _subject_text, _lines_text, after = appends[pk]
        changed[key] = after
    fresh: list[tuple[tuple[int, int, str], OutboxMessage, int, int]] = []
    for key, head, mine in todo:
        if key in changed:
            continue  # appended; else new, or the last one was already taken by the outbox job
        lines, listed = _lines(batch, mine, 0)
        intro = batch.body % {
            "d": batch.department_names.get(head.department_id, ""),
            "rule": batch.rule.name,
        }
        message = OutboxMessage(
            channel=Channel.EMAIL,
            recipient=head.email,
            user_id=head.user_id,
            subject=_subject(batch, len(mine)),
            body=intro + lines,
            case_id=mine[0][0] if len(mine) == 1 else None,
            next_attempt_at=batch.now,
            created_at=batch.now,
        )
        fresh.append((key, message, len(mine), listed))
    if fresh:
        OutboxMessage.objects.bulk_create([message for _key, message, _n, _l in fresh])
        for key, message, count, listed in fresh:
            changed[key] = _Mail(message.pk, count, listed)
    return changed


def _mails_append(appends: dict[int, tuple[Any, str, str, Any]]) -> set[int]:
    """One UPDATE for all of a batch's appends: new subject, body + lines, no single case;
    only emails still pending and unclaimed. Returns the ids it changed."""
    qn = connection.ops.quote_name
    meta = OutboxMessage._meta
    column = {
        f.name: qn(f.column)
        for f in meta.concrete_fields
        if f.name in ("id", "subject", "body", "case", "status", "claim")
    }
    ids = list(appends)
    whens = " ".join(["WHEN %s THEN %s"] * len(ids))
    params: list[Any] = [v for pk in ids for v in (pk, appends[pk][1])]
    params += [v for pk in ids for v in (pk, appends[pk][2])]
    params += [*ids, MessageStatus.PENDING]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {column['subject']} = CASE {column['id']} {whens} END, "
            f"{column['body']} = {column['body']} || CASE {column['id']} {whens} END, "
            f"{column['case']} = NULL WHERE {column['id']} IN ({', '.join(['%s'] * len(ids))}) "
            f"AND {column['status']} = %s AND {column['claim']} = '' RETURNING {column['id']}",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _subject(batch: _Batch, count: int) -> str:
    return (batch.subject % {"rule": batch.rule.name, "count": count})[:200]


def _lines(batch: _Batch, mine: list[tuple[int | None, str]], listed: int) -> tuple[str, int]:
    """The body text to add for ``mine`` to an email already listing ``listed`` cards."""
    room = max(0, MAIL_LINES - listed)
    text = "".join("\n" + line for _case, line in mine[:room])
    if listed <= MAIL_LINES < listed + len(mine):
        text += "\n" + batch.more
    return text, min(MAIL_LINES + 1, listed + len(mine))


def sweep_summary(result: SweepResult) -> dict[str, Any]:
    return {
        "issued": dict(sorted(result.issued.items())),
        "total": result.total,
        "batches": result.batches,
        "longest_batch_ms": round(result.longest_batch_ms, 1),
    }
