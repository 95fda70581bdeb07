"""Reads of consultation and complaints that fetch and check access in one call.

Anything outside the caller's role, department or ownership is the logged 404 of
``core.access.deny`` (docs/rules/consultation.md §K4): the asker sees their own questions,
department staff their department's, the complainant their own complaints (status and reply,
never the investigation), supervisors every complaint and the staff records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.catalog.models import Department, Item, Window
from onewindow.consult.models import (
    Complaint,
    ComplaintResult,
    ComplaintStatus,
    Question,
    QuestionStatus,
)
from onewindow.core.access import deny
from onewindow.ratings.models import BAD_REVIEW_OPEN, BadReview, BadReviewStatus


def _deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    raw = request._request if isinstance(request, Request) else request
    return deny(raw, target=target, reason=reason)


# --- FAQ (public) -------------------------------------------------------------------------------
def faq_list(*, item: Item | None = None, department_id: int | None = None) -> QuerySet[Question]:
    """Published questions, newest first: all, one item's, or one department's."""
    rows = Question.objects.filter(published=True).select_related("department", "item")
    if item is not None:
        rows = rows.filter(item=item)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows.order_by("-published_at", "-pk")


def faq_for_item(item: Item) -> list[Question]:
    """The FAQ shown on an item's guide page."""
    return list(faq_list(item=item)[:20])


def faq_get(request: HttpRequest | Request, question_id: int) -> Question:
    question = faq_list().filter(pk=question_id).first()
    if question is None:
        raise _deny(request, target=f"consult.faq:{question_id}", reason="not published")
    return question


def askable_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("sort", "code")


def complainable_windows() -> QuerySet[Window]:
    return Window.objects.filter(is_active=True).order_by("number")


# --- questions ----------------------------------------------------------------------------------
def questions_of_asker(user: Any) -> QuerySet[Question]:
    return Question.objects.filter(asker=user).select_related("department", "item")


def questions_for_department(user: User, *, status: str = "") -> QuerySet[Question]:
    """The caller's department's questions, open ones first by due date."""
    rows = Question.objects.filter(department_id=user.department_id or 0).select_related(
        "asker", "item", "replied_by"
    )
    if status in QuestionStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-status", "reply_due", "pk")  # "open" before "answered"


def question_get(request: HttpRequest | Request, question_id: int) -> Question:
    """The question if the caller asked it or is staff of its department; else a logged 404."""
    user = request.user
    question = (
        Question.objects.select_related("asker", "department", "item", "replied_by")
        .filter(pk=question_id)
        .first()
    )
    if question is not None and getattr(user, "is_authenticated", False):
        if question.asker_id == user.pk:
            return question
        if has_perm(user, Perm.CONSULT_ANSWER) and staff_in_department(
            user, question.department_id
        ):
            return question
        # docs/rules/supervision.md §D13: supervisors read everything (a card on a question).
        if has_perm(user, Perm.SUPERVISE):
            return question
    raise _deny(request, target=f"consult.question:{question_id}", reason="not asker or staff")


def question_list_for(request: HttpRequest | Request) -> QuerySet[Question]:
    """The API's list: department staff their department's, anyone else their own."""
    user: Any = request.user
    if has_perm(user, Perm.CONSULT_ANSWER) and user.department_id:
        return questions_for_department(user)
    if has_perm(user, Perm.CONSULT_ASK):
        return questions_of_asker(user)
    raise _deny(request, target="consult.questions", reason="may not ask nor answer")


# --- complaints ---------------------------------------------------------------------------------
def complaints_of(user: Any) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complainant=user).select_related("window", "staff", "case")


def complaints_for_supervisor(*, status: str = "") -> QuerySet[Complaint]:
    rows = Complaint.objects.select_related("complainant", "window", "staff", "case")
    if status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-submitted_at", "-pk")


def complaint_get(request: HttpRequest | Request, complaint_id: int) -> tuple[Complaint, bool]:
    """The complaint and whether the caller handles complaints (sees everything); the
    complainant sees their own; anyone else — the staff member complained about included — a
    logged 404."""
    user = request.user
    complaint = (
        Complaint.objects.select_related("complainant", "window", "staff", "case", "handled_by")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is not None and getattr(user, "is_authenticated", False):
        if has_perm(user, Perm.COMPLAINT_HANDLE):
            return complaint, True
        if complaint.complainant_id == user.pk:
            return complaint, False
    raise _deny(request, target=f"consult.complaint:{complaint_id}", reason="not complainant")


def complaint_list_for(request: HttpRequest | Request) -> tuple[QuerySet[Complaint], bool]:
    user: Any = request.user
    if has_perm(user, Perm.COMPLAINT_HANDLE):
        return complaints_for_supervisor(), True
    if has_perm(user, Perm.COMPLAINT_FILE):
        return complaints_of(user), False
    raise _deny(request, target="consult.complaints", reason="may not file nor handle")


# --- staff records (docs/rules/consultation.md §K4) --------------------------------------------
@dataclass(frozen=True)
class RecordSection:
    """One section of a staff member's record: a heading, the template that draws it, its rows
    and its counts. The record page draws the sections in order; another source of the record
    (reviews of the staff member's service) adds one more section to ``staff_record``."""

    key: str
    title: str
    template: str
    rows: list[Any]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StaffRecord:
    staff: User
    sections: list[RecordSection]


def record_staff_get(request: HttpRequest | Request, staff_id: int) -> User:
    """The staff member whose record a supervisor opens; anyone else gets a logged 404 (the
    staff member and their peers included)."""
    require_perm(request, Perm.STAFF_RECORD_READ, target=f"consult.staff_record:{staff_id}")
    staff = (
        User.objects.select_related("department")
        .filter(pk=staff_id, role__in=DEPARTMENT_ROLES)
        .first()
    )
    if staff is None:
        raise _deny(request, target=f"consult.staff_record:{staff_id}", reason="not staff")
    return staff


def complaints_section(staff: User) -> RecordSection:
    rows = list(
        Complaint.objects.filter(staff=staff)
        .select_related("window", "case", "handled_by")
        .order_by("-submitted_at", "-pk")
    )
    by_result = _complaint_counts(rows)
    return RecordSection(
        key="complaints",
        title=_("投诉"),
        template="consult/record/_complaints.html",
        rows=rows,
        counts=by_result,
    )


def _complaint_counts(rows: list[Complaint]) -> dict[str, int]:
    counts = {"total": len(rows), "open": 0}
    for value in ComplaintResult.values:
        counts[value] = 0
    for row in rows:
        if row.status != ComplaintStatus.CLOSED:
            counts["open"] += 1
        elif row.result:
            counts[row.result] += 1
    return counts


def bad_reviews_section(staff: User) -> RecordSection:
    """The bad reviews (差评) the staff member answers for: assigned to them, or of a window
    service they gave (docs/rules/consultation.md §K4; docs/rules/satisfaction.md §E5).
    Reviews an accepted appeal excluded are listed as such and not counted against them."""
    rows = list(
        BadReview.objects.filter(Q(assignee=staff) | Q(rating__service__staff=staff))
        .select_related("rating", "rating__service", "case")
        .order_by("-created_at", "-pk")
    )
    counts = {"total": 0, "open": 0, "rectified": 0, "excluded": 0, "overdue": 0}
    for row in rows:
        if row.status == BadReviewStatus.EXCLUDED:
            counts["excluded"] += 1
            continue
        counts["total"] += 1
        if row.status in BAD_REVIEW_OPEN:
            counts["open"] += 1
            counts["overdue"] += int(row.overdue)
        else:
            counts["rectified"] += 1
    return RecordSection(
        key="bad_reviews",
        title=_("差评"),
        template="consult/record/_bad_reviews.html",
        rows=rows,
        counts=counts,
    )


# Sections a higher app adds to the record (conduct's discipline records): each a function of
# the staff member returning a ``RecordSection`` whose rows are plain dicts (the API returns them).
EXTRA_SECTIONS: list[Callable[[User], RecordSection]] = []


def record_section_register(section: Callable[[User], RecordSection]) -> None:
    """Add a section after the complaints and bad reviews (once per function)."""
    if section not in EXTRA_SECTIONS:
        EXTRA_SECTIONS.append(section)


def staff_record(request: HttpRequest | Request, staff_id: int) -> StaffRecord:
    """A staff member's record for supervisors: its sections in order."""
    staff = record_staff_get(request, staff_id)
    sections = [complaints_section(staff), bad_reviews_section(staff)]
    sections += [extra(staff) for extra in EXTRA_SECTIONS]
    return StaffRecord(staff=staff, sections=sections)


def staff_with_complaints() -> QuerySet[User]:
    """Staff members with at least one complaint, most complained-about first (the supervisor's
    way into the records)."""
    return (
        User.objects.filter(role__in=DEPARTMENT_ROLES)
        .annotate(
            complaint_count=Count("complaints_about"),
            open_count=Count(
                "complaints_about", filter=~Q(complaints_about__status=ComplaintStatus.CLOSED)
            ),
        )
        .filter(complaint_count__gt=0)
        .select_related("department")
        .order_by("-complaint_count", "pk")
    )
