"""Reads behind the public portal pages. Built on catalog.selectors: published versions only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from onewindow.catalog.models import (
    Department,
    Fee,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    ToleranceSetting,
    VersionStatus,
)
from onewindow.catalog.selectors import active_departments, guide_search, published_versions

# Department first, then the catalog's own order: every grouped list reads the same way.
BY_DEPARTMENT = ("item__department__sort", "item__department__code", "item__sort", "item__code")


@dataclass(frozen=True)
class HallFigures:
    """The counts shown on the home page."""

    departments: int
    items: int


def hall_figures() -> HallFigures:
    return HallFigures(departments=active_departments().count(), items=published_versions().count())


def departments_with_guide_counts() -> QuerySet[Department]:
    """Active departments, each annotated with ``guide_count`` (its published items)."""
    published = Q(items__versions__status=VersionStatus.PUBLISHED)
    return active_departments().annotate(guide_count=Count("items", filter=published))


# What a guide list row shows; loading only these keeps a page of twenty cheap.
GUIDE_ROW_FIELDS = (
    "name",
    "on_the_spot",
    "statutory_days",
    "committed_days",
    "item__code",
    "item__department__name",
)


def guide_rows(*, query: str, department_code: str, region_code: str) -> QuerySet[ItemVersion]:
    """The guide list's rows: ``guide_search`` loading only what a row shows."""
    versions = guide_search(query=query, department_code=department_code, region_code=region_code)
    return versions.only(*GUIDE_ROW_FIELDS)


def guide_rows_in_order(version_ids: list[int]) -> list[ItemVersion]:
    """The guide list's rows of these published versions, in the order given (a ranking)."""
    rows = published_versions().filter(pk__in=version_ids).only(*GUIDE_ROW_FIELDS).in_bulk()
    return [rows[pk] for pk in version_ids if pk in rows]


def department_choices() -> list[tuple[str, str]]:
    """(code, name) of every active department, for filter menus."""
    return list(active_departments().values_list("code", "name"))


def region_choices() -> list[tuple[str, str, str]]:
    """(code, name, level) of the regions offered in the guide filter: the city, districts, streets and service points.

    Communities without a service point accept nothing, so listing them would only lengthen
    the menu; a link with any region code still works.
    """
    regions = Region.objects.filter(
        Q(level__in=[RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.STREET])
        | Q(has_service_point=True)
    )
    return list(regions.values_list("code", "name", "level"))


def downloadable_materials(*, query: str = "") -> QuerySet[Material]:
    """Published checklist lines with a blank form or a sample, department by department.

    ``query`` matches the material's name or the item's name, code or department.
    """
    materials = (
        Material.objects.filter(version__status=VersionStatus.PUBLISHED)
        .filter(~Q(form_template="") | ~Q(sample=""))
        .select_related("version__item__department")
        .order_by(*(f"version__{field}" for field in BY_DEPARTMENT), "sort", "pk")
    )
    for term in query.lower().split():
        materials = materials.filter(
            Q(name__icontains=term) | Q(version__search_text__contains=term)
        )
    return materials


def power_list() -> QuerySet[ItemVersion]:
    """Every published item, grouped by department (权力清单)."""
    return published_versions().order_by(*BY_DEPARTMENT)


def fee_list() -> QuerySet[Fee]:
    """Every fee of a published version (收费清单); items with no fee row are free."""
    return (
        Fee.objects.filter(version__status=VersionStatus.PUBLISHED)
        .select_related("version__item__department")
        .order_by(*(f"version__{field}" for field in BY_DEPARTMENT), "sort", "pk")
    )


def tolerance_allowance(*, category: str) -> int | None:
    """How many non-core materials an item of ``category`` may miss
    (docs/rules/licensing.md §G2)."""
    return (
        ToleranceSetting.objects.filter(category=category)
        .values_list("max_missing", flat=True)
        .first()
    )
