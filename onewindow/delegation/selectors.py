"""Reads of the delegation pages and API, with the access check in the same call: what a user may
not see is a 404 logged with core.access.deny (docs/rules/delegation.md §V3, §V4, §V7)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases.models import Case
from onewindow.catalog.delegation import managed_implementations, managed_regions
from onewindow.catalog.models import (
    ImplementationChange,
    ImplementationMode,
    ItemImplementation,
    ItemVersion,
    Region,
    RegionLevel,
    VersionStatus,
)
from onewindow.core.access import deny
from onewindow.delegation.events import POINT_RECEIVED


# --- community points (V3) --------------------------------------------------------------------
def point_of(user: Any) -> Region | None:
    """The community point whose staff the user is (None for anyone else)."""
    if not has_perm(user, Perm.POINT_RECEIVE):
        return None
    region: Region | None = getattr(user, "region", None)
    return region


def point_items(point: Region) -> QuerySet[ItemVersion]:
    """The published guides of the items on the point's list."""
    return (
        ItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            item__implementations__region=point,
            item__implementations__mode=ImplementationMode.ACCEPTS,
        )
        .select_related("item", "item__department")
        .order_by("item__sort", "item__code")
    )


def point_cases(point: Region) -> QuerySet[Case]:
    """The applications the point received, newest first."""
    return (
        Case.objects.filter(events__action=POINT_RECEIVED, events__data__point=point.pk)
        .select_related("item_version", "department", "applicant")
        .order_by("-submitted_at", "-pk")
        .distinct()
    )


# --- implementation lists (V4) ----------------------------------------------------------------
def implementation_get_for_manager(request: HttpRequest, *, implementation_id: int) -> Any:
    """An implementation of a region the user manages; otherwise a logged 404."""
    row = managed_implementations(request.user).filter(pk=implementation_id).first()
    if row is None:
        raise deny(
            request,
            target=f"implementation:{implementation_id}",
            reason="not an implementation of the user's region",
        )
    return row


def region_get_for_manager(request: HttpRequest, *, code: str) -> Region:
    region = managed_regions(request.user).filter(code=code).first()
    if region is None:
        raise deny(request, target=f"region:{code[:40]}", reason="not the user's region")
    return region


def implementation_history(row: ItemImplementation) -> QuerySet[ImplementationChange]:
    return ImplementationChange.objects.filter(
        item_id=row.item_id, region_id=row.region_id
    ).select_related("actor")


def addable_versions(region: Region) -> QuerySet[ItemVersion]:
    """Published city items not yet on the region's list."""
    return (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(item__implementations__region=region)
        .select_related("item")
        .order_by("item__sort", "item__code")
    )


# --- drift (V7) -------------------------------------------------------------------------------
def drift_regions() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.DISTRICT).order_by("sort", "code")


def drift_region(raw: str) -> tuple[Region | None, str]:
    """The region ``?region=`` names (by code), and a message when it names none."""
    code = raw.strip()[:20]
    if not code:
        return None, ""
    region = Region.objects.filter(code=code).first()
    if region is None:
        return None, _("没有区划代码为“%(c)s”的区域。") % {"c": code}
    return region, ""
