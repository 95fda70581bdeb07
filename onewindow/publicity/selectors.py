"""Reads of announcements, result publicity and objections, each with its access check: a
refused object is a logged 404 (``core.access.deny``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.publicity.models import (
    Announcement,
    AnnouncementCategory,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
)

QUERY_MAX = 100


def _django(request: HttpRequest | Request) -> HttpRequest:
    return request._request if isinstance(request, Request) else request


# --- announcements ------------------------------------------------------------------------------
def announcements_visible(category: str = "") -> QuerySet[Announcement]:
    """docs/rules/publicity.md §L1: published, from its publish time until its expiry."""
    now = clock.now()
    rows = Announcement.objects.filter(published=True, publish_at__lte=now).filter(
        Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    )
    if category in AnnouncementCategory.values:
        rows = rows.filter(category=category)
    return rows.order_by("-publish_at", "-pk")


def announcement_visible(request: HttpRequest | Request, announcement_id: int) -> Announcement:
    """A visible announcement; an editor also reads drafts (to preview them)."""
    if has_perm(request.user, Perm.ANNOUNCEMENT_EDIT):
        found = Announcement.objects.filter(pk=announcement_id).first()
    else:
        found = announcements_visible().filter(pk=announcement_id).first()
    if found is None:
        raise Http404
    return found


def announcements_for_editor(request: HttpRequest | Request) -> QuerySet[Announcement]:
    require_perm(request, Perm.ANNOUNCEMENT_EDIT, target="announcements")
    return Announcement.objects.select_related("author").order_by("-publish_at", "-pk")


def announcement_for_editor(request: HttpRequest | Request, announcement_id: int) -> Announcement:
    found = announcements_for_editor(request).filter(pk=announcement_id).first()
    if found is None:
        raise Http404
    return found


# --- result publicity ---------------------------------------------------------------------------
def _searched(rows: QuerySet[Publicity], q: str) -> QuerySet[Publicity]:
    q = " ".join((q or "").split())[:QUERY_MAX].lower()
    for word in q.split(" ") if q else []:
        rows = rows.filter(search_text__contains=word)
    return rows


def publicity_current(q: str = "") -> QuerySet[Publicity]:
    """Open publicity whose period has begun and not ended (the job archives the rest)."""
    today = clock.today()
    rows = Publicity.objects.filter(
        status=PublicityStatus.OPEN, starts_on__lte=today, ends_on__gte=today
    )
    return _searched(rows, q).order_by("ends_on", "-pk")


def publicity_archived(q: str = "") -> QuerySet[Publicity]:
    rows = Publicity.objects.filter(status=PublicityStatus.ARCHIVED)
    return _searched(rows, q).order_by("-ends_on", "-pk")


def publicity_get(publicity_id: int) -> Publicity:
    """Any publicity, current or archived: it is public."""
    found = Publicity.objects.select_related("department").filter(pk=publicity_id).first()
    if found is None:
        raise Http404
    return found


def objections_of(user: Any, publicity: Publicity) -> QuerySet[Objection]:
    if not getattr(user, "is_authenticated", False):
        return Objection.objects.none()
    return publicity.objections.filter(objector=user).order_by("created_at", "pk")


# --- objections (docs/rules/publicity.md §L4) -----------------------------------------------------
def objections_for_department(
    request: HttpRequest | Request, *, status: str = ""
) -> QuerySet[Objection]:
    """The objections routed to the user's department; without OBJECTION_ANSWER a logged 404."""
    user = require_perm(request, Perm.OBJECTION_ANSWER, target="objections")
    if user.department_id is None:
        return Objection.objects.none()
    rows = Objection.objects.filter(department_id=user.department_id).select_related(
        "publicity", "department"
    )
    if status in ObjectionStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("status", "-created_at", "-pk")


def objections_visible(request: HttpRequest | Request) -> QuerySet[Objection]:
    """The API's list: a department's answering staff read its objections, anyone else their
    own."""
    if has_perm(request.user, Perm.OBJECTION_ANSWER):
        return objections_for_department(request)
    user = request.user
    return (
        Objection.objects.filter(objector_id=user.pk)
        .select_related("publicity", "department")
        .order_by("-created_at", "-pk")
    )


def objection_get(
    request: HttpRequest | Request, objection_id: int, *, staff_only: bool
) -> Objection:
    """An objection for the lead department's answering staff (or, unless ``staff_only``, its
    objector); anyone else, another department included, a logged 404."""
    found = (
        Objection.objects.select_related("publicity", "department", "objector")
        .filter(pk=objection_id)
        .first()
    )
    user = request.user
    allowed = found is not None and (
        (has_perm(user, Perm.OBJECTION_ANSWER) and staff_in_department(user, found.department_id))
        or (not staff_only and user.is_authenticated and found.objector_id == user.pk)
    )
    if not allowed:
        raise deny(
            _django(request),
            target=f"objection:{objection_id}",
            reason="not the lead department or the objector",
        )
    assert found is not None
    return found
