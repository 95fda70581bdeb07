"""Reads of the public catalog. Public pages and the API only ever see published versions."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from onewindow.catalog.models import (
    Department,
    ItemVersion,
    PublishedVersionError,
    Region,
    VersionStatus,
)


def published_versions() -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item", "item__department")
        .order_by("item__sort", "item__code")
    )


def guide_search(
    *, query: str = "", department_code: str = "", region_code: str = ""
) -> QuerySet[ItemVersion]:
    """Published guides matching a substring of name, code or department (finds 食品 in 食品经营许可),
    a department, and a region (items implemented there or in a region above it)."""
    versions = published_versions()
    for term in query.lower().split():
        versions = versions.filter(search_text__contains=term)
    if department_code:
        versions = versions.filter(item__department__code=department_code)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            return versions.none()
        versions = versions.filter(
            Q(item__implementations__region__in=_self_and_ancestors(region))
        ).distinct()
    return versions


# The guide search of the search app (docs/rules/search.md §N1), registered from above: catalog
# sits below it. ``ranker(query=…, department_code=…, region_code=…)`` → version ids, best first.
GuideRanker = Callable[..., list[int]]
_ranker: list[GuideRanker] = []


def guide_ranker_register(ranker: GuideRanker) -> None:
    _ranker[:] = [ranker]


def guide_search_ranked(
    *, query: str = "", department_code: str = "", region_code: str = ""
) -> QuerySet[ItemVersion]:
    """``guide_search`` with the registered Chinese search for a query: segmented, synonyms,
    pinyin, one wrong character, ranked by relevance and use. Without a query, or with no
    search registered, the plain filters."""
    if not query.strip() or not _ranker:
        return guide_search(query=query, department_code=department_code, region_code=region_code)
    ids = _ranker[0](query=query, department_code=department_code, region_code=region_code)
    if not ids:
        return published_versions().none()
    order = Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)))
    return published_versions().filter(pk__in=ids).order_by(order, "pk")


def _self_and_ancestors(region: Region) -> list[int]:
    ids = []
    node: Region | None = region
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def published_guide(*, code: str) -> ItemVersion | None:
    """The published version of the item with ``code``, with its checklist rows, or None."""
    return (
        published_versions()
        .prefetch_related("conditions", "materials", "fees", "item__implementations__region")
        .filter(item__code=code)
        .first()
    )


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True)


def version_locked_draft(version: ItemVersion) -> ItemVersion:
    """Lock the version's row and check it is a draft; ``version`` is reloaded from the
    database, so a caller's unsaved attribute changes never slip into a write."""
    rows = ItemVersion.objects.select_for_update().filter(pk=version.pk)
    if rows.values_list("status", flat=True).first() != VersionStatus.DRAFT:
        raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))
    version.refresh_from_db()
    return version
