"""Bare views that perform the writes of a submission, an acceptance and a task completion as
hand-written SQL: the "same statements" baseline of bench/overhead_bench.py.

Each view looks up the caller's DRF token (one SELECT joining the user, like
``TokenAuthentication``), reads the one row it needs (the case or the task), then inside one
transaction (``BEGIN IMMEDIATE`` on SQLite, like the real calls) runs the INSERT, UPDATE and
DELETE statements the real call runs, touching the same rows of the same tables; the outbox
delivery's two UPDATEs run after commit as the real delivery does. What it leaves out is our
code: DRF dispatch and serializers, the state machine and its checks, the calendar, message
rendering, the event/statistics dispatch, and the reads the real call makes to decide (access
check, idempotency key, form schema, materials, branches). The values written are constants
or simple arithmetic (deadlines a fixed number of days ahead, a fixed message body).

The SQL was taken from ``CaptureQueriesContext`` on one real call of each (2026-12-07); the
test ``bench/tests/test_overhead_bench.py`` compares, table by table, the rows a real call and a
bare call insert, update and delete, so the baseline cannot drift silently from the real path.
Only the item shape the benchmark seeds is covered (two parallel branches, one approval step
each, applicant with email and mobile number): that is what the SQL was taken from.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onewindow.core.personal_data import blind_index, decrypt, encrypt

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper
    from django.urls import URLPattern

BODY = "您好！您的办件当前状态已更新。" * 8  # the size of a rendered notification, about 120 chars


def _json() -> str:
    """A JSON parameter's placeholder (PostgreSQL needs the cast from text to jsonb)."""
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def _ts(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def token_user(cursor: CursorWrapper, request: HttpRequest) -> tuple[int, str, str] | None:
    """(id, email, phone) of the active user whose token the Authorization header carries."""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token" or not key:
        return None
    cursor.execute(
        "SELECT u.id, u.email, u.phone FROM authtoken_token t "
        "JOIN accounts_user u ON u.id = t.user_id WHERE t.key = %s AND u.is_active",
        [key],
    )
    row = cursor.fetchone()
    return (int(row[0]), str(row[1]), decrypt(str(row[2]))) if row else None


def _event(
    cursor: CursorWrapper,
    case_id: int,
    at: dt.datetime,
    actor: int | None,
    role: str,
    action: str,
    old: str,
    new: str,
    public: bool,
    data: dict[str, Any],
) -> int:
    cursor.execute(
        'INSERT INTO cases_caseevent (case_id, "at", actor_id, actor_role, on_behalf_of_id, '
        "action, old_status, new_status, reason, public, data) "
        f"VALUES (%s, %s, %s, %s, NULL, %s, %s, %s, '', %s, {_json()}) RETURNING id",
        [case_id, _ts(at), actor, role, action, old, new, public, json.dumps(data)],
    )
    return int(cursor.fetchone()[0])


def _outbox(
    cursor: CursorWrapper,
    case_id: int,
    event_id: int,
    user: tuple[int, str, str],
    subject: str,
    at: dt.datetime,
) -> list[int]:
    """The email and SMS rows of one event; their delivery runs after commit."""
    user_id, email, phone = user
    # the recipient is sealed and blind-indexed, as the real path does (docs/rules/privacy.md §P1)
    cursor.execute(
        "INSERT INTO notifications_outboxmessage (channel, recipient, recipient_index, user_id, "
        "subject, body, case_id, event_id, status, attempts, next_attempt_at, claim, backend, "
        "last_error, created_at, sent_at) VALUES "
        "('email', %s, %s, %s, %s, '', %s, %s, 'pending', 0, %s, '', '', '', %s, NULL), "
        "('sms', %s, %s, %s, %s, '', %s, %s, 'pending', 0, %s, '', '', '', %s, NULL) RETURNING id",
        [
            *(encrypt(email), blind_index("recipient", email), user_id, subject),
            *(case_id, event_id, _ts(at), _ts(at)),
            *(encrypt(phone), blind_index("recipient", phone), user_id, subject),
            *(case_id, event_id, _ts(at), _ts(at)),
        ],
    )
    ids = [int(row[0]) for row in cursor.fetchall()]
    transaction.on_commit(lambda: _deliver(ids))
    return ids


def _deliver(ids: list[int]) -> None:
    """The two UPDATEs of the outbox delivery (claim, then mark sent), each autocommitted."""
    claim, now = secrets.token_hex(16), timezone.now()
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_outboxmessage SET claim = %s, attempts = attempts + 1, "
            f"next_attempt_at = %s WHERE next_attempt_at <= %s AND status = 'pending' "
            f"AND id IN ({marks})",
            [claim, _ts(now + dt.timedelta(minutes=5)), _ts(now), *ids],
        )
        cursor.execute(
            "UPDATE notifications_outboxmessage SET status = 'sent', sent_at = %s, "
            f"backend = 'outbox', body = %s, claim = '', last_error = '' "
            f"WHERE claim = %s AND id IN ({marks})",
            [_ts(timezone.now()), BODY, claim, *ids],
        )


def _bump(cursor: CursorWrapper, table: str, column: str, by: int, where: dict[str, Any]) -> int:
    """``UPDATE table SET column = column + by WHERE …``; the number of rows updated."""
    condition = " AND ".join(f"{name} = %s" for name in where)
    cursor.execute(
        f"UPDATE {table} SET {column} = {column} + %s WHERE {condition}", [by, *where.values()]
    )
    return int(cursor.rowcount)


def _case_row(cursor: CursorWrapper, case_id: int) -> dict[str, Any] | None:
    cursor.execute(
        "SELECT c.id, c.number, c.revision, c.status, c.department_id, c.region_id, "
        "c.applicant_id, v.item_id, r.code FROM cases_case c "
        "JOIN catalog_itemversion v ON v.id = c.item_version_id "
        "JOIN catalog_region r ON r.id = c.region_id WHERE c.id = %s",
        [case_id],
    )
    row = cursor.fetchone()
    names = ("id", "number", "revision", "status", "department", "region", "applicant", "item")
    return {**dict(zip(names, row, strict=False)), "region_code": row[8]} if row else None


def _rollup(case: dict[str, Any], month: dt.date) -> dict[str, Any]:
    return {
        "department_id": case["department"],
        "item_id": case["item"],
        "month": _day(month),
        "region_id": case["region"],
    }


def _stage_fact(
    cursor: CursorWrapper, case_id: int, month: dt.date, stage: str, department: int
) -> None:
    """Write the case's one new stage fact (intake on acceptance, the department's review on its
    completion); the others stay as they are."""
    cursor.execute(
        "INSERT INTO stats_casestagefact (case_id, stage, stage_department_id, month, days) "
        "VALUES (%s, %s, %s, %s, 0) ON CONFLICT (case_id, stage, stage_department_id) "
        "DO UPDATE SET month = excluded.month, days = excluded.days",
        [case_id, stage, department, _day(month)],
    )


def _casefact(cursor: CursorWrapper, case: dict[str, Any], month: dt.date) -> None:
    cursor.execute(
        "UPDATE stats_casefact SET department_id = %s, item_id = %s, region_id = %s, "
        "status = 'in_review', received_month = %s, accepted_month = %s, closed_month = NULL, "
        "on_time = %s, early = %s, days = NULL WHERE case_id = %s",
        [
            case["department"],
            case["item"],
            case["region"],
            _day(month),
            _day(month),
            False,
            False,
            case["id"],
        ],
    )


# --- the three writes ----------------------------------------------------------------------------
def submit(cursor: CursorWrapper, user: tuple[int, str, str], case_id: int, key: str) -> bool:
    """The submission's writes (docs: the SQL of ``case_submit`` through the API)."""
    case = _case_row(cursor, case_id)
    if case is None or case["status"] != "draft" or case["applicant"] != user[0]:
        return False
    now = timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    with transaction.atomic():
        where = {"day": _day(today), "region_code": case["region_code"]}
        if not _bump(cursor, "cases_casenumbersequence", "last", 1, where):
            cursor.execute(
                "INSERT INTO cases_casenumbersequence (region_code, day, last) VALUES (%s, %s, 1)",
                [case["region_code"], _day(today)],
            )
        cursor.execute(
            "SELECT last FROM cases_casenumbersequence WHERE day = %s AND region_code = %s",
            [_day(today), case["region_code"]],
        )
        number = f"{case['region_code']}{today:%Y%m%d}{int(cursor.fetchone()[0]):05d}"
        cursor.execute(
            "UPDATE cases_case SET status = 'submitted', updated_at = %s, submitted_at = %s, "
            "received_on = %s, intake_due = %s, due_provisional = %s, number = %s, "
            "query_code = %s, revision = revision + 1 "
            "WHERE id = %s AND revision = %s AND status = 'draft'",
            [
                _ts(now),
                _ts(now),
                _day(today),
                _day(today + dt.timedelta(days=7)),
                False,
                number,
                secrets.token_hex(4).upper(),
                case_id,
                case["revision"],
            ],
        )
        if cursor.rowcount != 1:
            transaction.set_rollback(True)
            return False
        event = _event(
            cursor, case_id, now, user[0], "applicant", "submitted", "draft", "submitted", True, {}
        )
        _outbox(cursor, case_id, event, user, f"办件 {number}：已提交，待受理", now)
        cursor.execute(
            "INSERT INTO search_countedcase (case_id, item_id) VALUES (%s, %s)",
            [case_id, case["item"]],
        )
        _bump(cursor, "search_itemusage", "count", 1, {"item_id": case["item"]})
        rollup = _rollup(case, month)
        _bump(cursor, "stats_monthlyrollup", "received", 1, rollup)
        _bump(cursor, "stats_statusrollup", "n", 1, {**rollup, "status": "submitted"})
        cursor.execute(
            "INSERT INTO stats_casefact (case_id, department_id, item_id, region_id, status, "
            "received_month, accepted_month, closed_month, on_time, early, days) "
            "VALUES (%s, %s, %s, %s, 'submitted', %s, NULL, NULL, %s, %s, NULL)",
            [case_id, case["department"], case["item"], case["region"], _day(month), False, False],
        )
        cursor.execute(
            "INSERT INTO cases_submissionkey (user_id, key, case_id, created_at) "
            "VALUES (%s, %s, %s, %s)",
            [user[0], key, case_id, _ts(now)],
        )
    return True


def accept(cursor: CursorWrapper, user: tuple[int, str, str], case_id: int) -> bool:
    """The acceptance's writes: accepted, two review tasks opened, in review, notice."""
    case = _case_row(cursor, case_id)
    if case is None or case["status"] != "submitted":
        return False
    now = timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    with transaction.atomic():
        cursor.execute(
            "UPDATE cases_case SET status = 'accepted', updated_at = %s, intake_window_id = NULL, "
            "accepted_on = %s, decision_due = %s, statutory_due = %s, due_provisional = %s, "
            "revision = revision + 1 WHERE id = %s AND revision = %s AND status = 'submitted'",
            [
                _ts(now),
                _day(today),
                _day(today + dt.timedelta(days=14)),
                _day(today + dt.timedelta(days=28)),
                True,
                case_id,
                case["revision"],
            ],
        )
        if cursor.rowcount != 1:
            transaction.set_rollback(True)
            return False
        event = _event(
            cursor, case_id, now, user[0], "clerk", "accepted", "submitted", "accepted", True, {}
        )
        cursor.execute("SELECT email, phone FROM accounts_user WHERE id = %s", [case["applicant"]])
        email, phone = cursor.fetchone()
        applicant = (int(case["applicant"]), str(email), decrypt(str(phone)))
        _outbox(cursor, case_id, event, applicant, f"办件 {case['number']}：已受理", now)
        cursor.execute(
            "INSERT INTO review_task (case_id, branch_id, department_id, is_lead, status, steps, "
            "allotted_days, step, opened_on, due, due_provisional, paused_days, revision, "
            "closed_at) SELECT %s, b.id, b.department_id, b.is_lead, 'open', b.steps, "
            "b.allotted_days, 0, %s, %s, %s, 0, 0, NULL FROM catalog_processbranch b "
            "JOIN cases_case c ON c.item_version_id = b.version_id WHERE c.id = %s "
            "ORDER BY b.sort RETURNING id, department_id",
            [case_id, _day(today), _day(today + dt.timedelta(days=8)), False, case_id],
        )
        tasks = cursor.fetchall()
        cursor.execute(
            "UPDATE cases_case SET status = 'in_review', updated_at = %s, decision_due = %s, "
            "due_provisional = %s, revision = revision + 1 "
            "WHERE id = %s AND revision = %s AND status = 'accepted'",
            [_ts(now), _day(today + dt.timedelta(days=11)), True, case_id, case["revision"] + 1],
        )
        _event(
            cursor,
            case_id,
            now,
            user[0],
            "clerk",
            "review_opened",
            "accepted",
            "in_review",
            True,
            {"departments": [d for _t, d in tasks]},
        )
        rollup = _rollup(case, month)
        _bump(cursor, "stats_monthlyrollup", "accepted", 1, rollup)
        stage = {**rollup, "stage": "intake", "stage_department_id": 0}
        _bump(cursor, "stats_stagerollup", "n", 1, stage)
        _bump(cursor, "stats_statusrollup", "n", 1, {**rollup, "status": "in_review"})
        _bump(cursor, "stats_statusrollup", "n", -1, {**rollup, "status": "submitted"})
        _casefact(cursor, case, month)
        _stage_fact(cursor, case_id, month, "intake", 0)
        for task, department in tasks:
            _event(
                cursor,
                case_id,
                now,
                None,
                "system",
                "task_opened",
                "in_review",
                "in_review",
                False,
                {"task": task, "department": department},
            )
        cursor.execute("UPDATE cases_casematerial SET status = 'ok' WHERE case_id = %s", [case_id])
        cursor.execute(
            "INSERT INTO cases_notice (case_id, kind, number, issued_at, issued_by_id, content) "
            f"VALUES (%s, 'acceptance', %s, %s, %s, {_json()})",
            [
                case_id,
                f"{case['number']}-ACC1",
                _ts(now),
                user[0],
                json.dumps({"case_number": case["number"], "accepted_on": today.isoformat()}),
            ],
        )
    return True


def complete(cursor: CursorWrapper, user: tuple[int, str, str], task_id: int) -> bool:
    """An approver's agreeing opinion on a one-step task; the last one of a case is the join."""
    cursor.execute(
        "SELECT case_id, department_id, revision FROM review_task "
        "WHERE id = %s AND status = 'open'",
        [task_id],
    )
    row = cursor.fetchone()
    if row is None:
        return False
    case_id, department, revision = row
    now = timezone.now()
    month = timezone.localdate(now).replace(day=1)
    with transaction.atomic():
        cursor.execute(
            "UPDATE review_task SET status = 'done', closed_at = %s, revision = revision + 1 "
            "WHERE id = %s AND revision = %s AND status = 'open'",
            [_ts(now), task_id, revision],
        )
        if cursor.rowcount != 1:
            transaction.set_rollback(True)
            return False
        cursor.execute(
            "INSERT INTO review_steprecord (task_id, step, kind, actor_id, actor_role, outcome, "
            "comment, \"at\") VALUES (%s, 0, 'approve', %s, 'approver', 'pass', '', %s)",
            [task_id, user[0], _ts(now)],
        )
        cursor.execute(
            'INSERT INTO review_opinion (task_id, kind, text, actor_id, "at") '
            "VALUES (%s, 'agree', '', %s, %s)",
            [task_id, user[0], _ts(now)],
        )
        _event(
            cursor,
            case_id,
            now,
            user[0],
            "approver",
            "opinion_given",
            "in_review",
            "in_review",
            False,
            {"task": task_id, "department": department},
        )
        case = _case_row(cursor, case_id)
        assert case is not None  # the task's foreign key
        stage = {**_rollup(case, month), "stage": "review", "stage_department_id": department}
        if not _bump(cursor, "stats_stagerollup", "n", 1, stage):
            cursor.execute(
                "INSERT INTO stats_stagerollup (month, department_id, item_id, region_id, stage, "
                "stage_department_id, n, days_sum) VALUES (%s, %s, %s, %s, 'review', %s, 1, 0)",
                [_day(month), case["department"], case["item"], case["region"], department],
            )
        _stage_fact(cursor, case_id, month, "review", department)  # the case's own row is unchanged
        cursor.execute(
            "SELECT COUNT(*) FROM review_task WHERE case_id = %s AND status = 'open'", [case_id]
        )
        if cursor.fetchone()[0] == 0:
            _event(
                cursor,
                case_id,
                now,
                None,
                "system",
                "opinions_complete",
                "in_review",
                "in_review",
                True,
                {},
            )
    return True


# --- the views -----------------------------------------------------------------------------------
def _view(request: HttpRequest, write: str, target: int) -> JsonResponse:
    with connection.cursor() as cursor:
        user = token_user(cursor, request)
        if user is None:
            return JsonResponse({"detail": "token"}, status=401)
        if write == "submit":
            key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
            done, status = submit(cursor, user, target, key), 201
        elif write == "accept":
            done, status = accept(cursor, user, target), 200
        else:
            done, status = complete(cursor, user, target), 200
    return JsonResponse({"id": target}, status=status if done else 409)


@csrf_exempt
@require_POST
def bare_submit(request: HttpRequest, case_id: int) -> JsonResponse:
    return _view(request, "submit", case_id)


@csrf_exempt
@require_POST
def bare_accept(request: HttpRequest, case_id: int) -> JsonResponse:
    return _view(request, "accept", case_id)


@csrf_exempt
@require_POST
def bare_complete(request: HttpRequest, task_id: int) -> JsonResponse:
    return _view(request, "complete", task_id)


def patterns() -> list[URLPattern]:
    """The three bare views under /bench/same/."""
    return [
        path("bench/same/submit/<int:case_id>/", bare_submit),
        path("bench/same/accept/<int:case_id>/", bare_accept),
        path("bench/same/complete/<int:task_id>/", bare_complete),
    ]
