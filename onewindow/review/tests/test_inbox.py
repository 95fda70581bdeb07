"""The department inbox: its own tasks, nearest due date first, filters, warning colours and
counts (overdue red; due within two working days yellow)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.review.selectors import InboxFilters, inbox_counts, tasks_for_inbox, urgency
from onewindow.review.tests.task_world import (
    accepted_case,
    at,
    make_item,
    make_world,
    task_of,
)


@pytest.fixture
def tworld(personas):
    return make_world(personas)


pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def three(tworld):
    """Department A's tasks, seen on Mon 2025-10-13: accepted 09-22 → due 09-28 (the working
    Sunday; overdue), accepted 09-30 → due 10-14 (within two working days), accepted 10-13 →
    due 10-20 (not yet urgent)."""
    other = make_item(tworld.p, tworld.dept_c, code="REV-T-002")
    late = accepted_case(tworld, day="2025-09-22")
    soon = accepted_case(tworld, day="2025-09-30")
    fresh = accepted_case(tworld, day="2025-10-13", version=other)
    with time_machine.travel(at("2025-10-13", 11), tick=False):
        yield late, soon, fresh, other


def test_the_inbox_lists_the_departments_tasks_nearest_due_first(tworld, three):
    late, soon, fresh, _other = three
    tasks = list(tasks_for_inbox(tworld.p.handler_a))
    assert [t.case_id for t in tasks] == [late.pk, soon.pk, fresh.pk]
    assert [t.due for t in tasks] == [D("2025-09-28"), D("2025-10-14"), D("2025-10-20")]
    assert {t.department_id for t in tasks} == {tworld.p.dept_a.pk}


def test_warning_levels_are_overdue_then_due_within_two_working_days(tworld, three):
    late, soon, fresh, _other = three
    a = tworld.p.dept_a
    assert urgency(task_of(late, a)) == "overdue"
    assert urgency(task_of(soon, a)) == "soon"
    assert urgency(task_of(fresh, a)) == ""


def test_counts_of_the_inbox(tworld, three):
    assert inbox_counts(tworld.p.handler_a) == {
        "pending": 3,
        "overdue": 1,
        "soon": 1,
        "waiting": 0,
    }


def test_filters_by_urgency_item_number_and_status(tworld, three):
    late, soon, fresh, other = three
    user = tworld.p.handler_a

    def cases(**kw):
        return [t.case_id for t in tasks_for_inbox(user, InboxFilters(**kw))]

    assert cases(urgency="overdue") == [late.pk]
    assert cases(urgency="soon") == [soon.pk]
    assert cases(item_id=other.item_id) == [fresh.pk]
    assert cases(number=soon.number) == [soon.pk]
    assert cases(status="done") == []


def test_the_inbox_page_colours_the_rows_and_shows_the_counts(client, tworld, three):
    late, soon, fresh, _other = three
    client.force_login(tworld.p.handler_a)
    page = client.get(reverse("review:inbox")).content.decode()
    assert page.index(late.number) < page.index(soon.number) < page.index(fresh.number)
    assert page.count('class="row-due-overdue"') == 1
    assert page.count('class="row-due-next"') == 1
    filtered = client.get(reverse("review:inbox"), {"urgency": "overdue"}).content.decode()
    assert late.number in filtered and soon.number not in filtered


def test_a_bad_filter_value_is_ignored_not_an_error(client, tworld, three):
    client.force_login(tworld.p.handler_a)
    response = client.get(reverse("review:inbox"), {"status": "nonsense", "item": "x"})
    assert response.status_code == 200


def test_the_portal_navigation_offers_the_inbox_to_reviewing_staff_only(client, tworld, three):
    client.force_login(tworld.p.reviewer_b)
    assert reverse("review:inbox") in client.get("/").content.decode()
    client.force_login(tworld.p.applicant)
    assert reverse("review:inbox") not in client.get("/").content.decode()


def test_open_and_waiting_tasks_come_in_due_order_page_by_page(tworld, three):
    """docs/rules/scale.md §Y2: the pending inbox is read by keyset, one cursor per page."""
    from onewindow.review import services
    from onewindow.review.selectors import inbox_page

    late, soon, fresh, _other = three
    a = tworld.p.dept_a
    services.task_material_request(
        task=task_of(soon, a), actor=tworld.p.handler_a, text="补充租赁合同", revision=0
    )
    user, filters = tworld.p.handler_a, InboxFilters()
    seen: list[int] = []
    cursor = None
    for _ in range(3):
        page = inbox_page(user, filters, cursor=cursor, size=1)
        seen.extend(t.case_id for t in page.rows)
        cursor = page.next_cursor
    assert seen == [late.pk, soon.pk, fresh.pk] and cursor is None
    back = inbox_page(user, filters, cursor=page.previous_cursor, size=2)
    assert [t.case_id for t in back.rows] == [late.pk, soon.pk] and not back.has_previous
    assert [t.case_id for t in inbox_page(user, filters, cursor="junk", size=5).rows] == seen


def test_handler_reviewer_and_approver_find_only_the_tasks_at_their_own_step(tworld, three):
    """docs/decisions.md §O2: the lead task goes 承办 (handler) → 审核 (reviewer) → 批准 (approver);
    each pending inbox holds the tasks at its own role's step, the chief's holds them all, and
    the "all" filter shows the department's tasks whatever their step."""
    from onewindow.review import services

    late, soon, fresh, _other = three
    p = tworld.p

    def inbox(user, **kw):
        return [t.case_id for t in tasks_for_inbox(user, InboxFilters(**kw))]

    every = [late.pk, soon.pk, fresh.pk]
    assert inbox(p.handler_a) == every
    assert inbox(p.reviewer_a) == inbox(p.approver_a) == []
    services.task_step_complete(task=task_of(soon, p.dept_a), actor=p.handler_a, revision=0)
    assert inbox(p.handler_a) == [late.pk, fresh.pk]
    assert inbox(p.reviewer_a) == [soon.pk]
    assert inbox(p.approver_a) == []
    services.task_step_complete(task=task_of(soon, p.dept_a), actor=p.reviewer_a, revision=1)
    assert inbox(p.reviewer_a) == []
    assert inbox(p.approver_a) == inbox(p.approver_a, status="open") == [soon.pk]
    assert inbox_counts(p.approver_a)["pending"] == 1
    assert inbox_counts(p.handler_a)["pending"] == 2
    assert inbox(p.chief_a) == every
    assert inbox(p.reviewer_a, status="all") == every
    assert set(inbox(p.supervisor)) >= set(every)  # supervisors read every department's


def test_the_waiting_count_holds_the_tasks_waiting_for_material_at_the_users_step(tworld, three):
    from onewindow.review.models import Task, TaskStatus

    late, soon, _fresh, _other = three
    p = tworld.p
    Task.objects.filter(pk=task_of(late, p.dept_a).pk).update(status=TaskStatus.WAITING_MATERIAL)
    assert inbox_counts(p.handler_a)["waiting"] == 1
    assert inbox_counts(p.handler_a)["pending"] == 3  # waiting is still pending
    assert inbox_counts(p.reviewer_a)["waiting"] == 0  # not at the reviewer's step
    Task.objects.filter(pk=task_of(soon, p.dept_a).pk).update(status=TaskStatus.DONE)
    # no pausing material request: the clock runs, so the waiting task is still overdue
    assert inbox_counts(p.handler_a) == {"pending": 2, "overdue": 1, "soon": 0, "waiting": 1}


def _plan(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_sqlite_reads_a_department_inbox_in_order_from_its_partial_index(tworld, three):
    """docs/decisions.md §O5: with the pending statuses sent as parameters SQLite never chose
    the partial index and sorted the department's every task for each page (140 ms at 50,000
    pending tasks); written into the SQL, a page is read from the index in order."""
    from django.db import connection

    from onewindow.review.models import Task, task_pending_q
    from onewindow.review.selectors import INBOX_DEFAULT_ORDER, inbox_rows

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner: PostgreSQL gets the values inline (client-side binding)")
    rows = inbox_rows(tworld.p.handler_a, InboxFilters()).order_by(*INBOX_DEFAULT_ORDER)
    plan = _plan(rows[:21])
    assert "USING INDEX task_pending_role_due" in plan and "TEMP B-TREE" not in plan, plan
    pending = Task.objects.filter(task_pending_q(), department_id=tworld.p.dept_a.pk)
    plan = _plan(pending.order_by("due", "pk")[:21])
    assert "USING INDEX task_pending_dept_due" in plan and "TEMP B-TREE" not in plan, plan
