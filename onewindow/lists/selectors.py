"""Reads behind the public lists (docs/rules/lists.md §Q1–§Q5): searching, filtering and the
clean-up summary. Everything here is public; nothing is restricted by user."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.catalog.models import Department
from onewindow.catalog.selectors import active_departments
from onewindow.lists.models import (
    ACTIONS_WITH_TARGET,
    CleanupAction,
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
    SupervisionMethod,
)

# docs/rules/lists.md §Q5: a query longer than this is refused, and only so many words count.
MAX_QUERY_LENGTH = 100
MAX_TERMS = 10


@dataclass(frozen=True)
class ListFilters:
    """What a list request asks for, read by ``parse_filters``; ``errors`` maps each refused
    parameter to its message (a request with errors lists nothing, docs/rules/lists.md §Q5)."""

    query: str = ""
    department: Department | None = None
    department_code: str = ""
    action: str = ""
    method: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def terms(self) -> list[str]:
        return self.query.split()[:MAX_TERMS]

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.department_code or self.action or self.method)


def parse_filters(
    params: Mapping[str, str], *, actions: bool = False, methods: bool = False
) -> ListFilters:
    """``q``, ``department`` (a department code), and ``action`` (clean-up) or ``method``
    (supervision) when the list has them, checked (docs/rules/lists.md §Q5)."""
    errors: dict[str, str] = {}
    query = " ".join(str(params.get("q", "")).split())
    if len(query) > MAX_QUERY_LENGTH:
        errors["q"] = _("关键词不能超过 %(max)d 个字。") % {"max": MAX_QUERY_LENGTH}
    code = str(params.get("department", "")).strip()
    department = None
    if code:
        department = Department.objects.filter(code=code).first()
        if department is None:
            errors["department"] = _("没有编码为“%(code)s”的部门。") % {"code": code[:40]}
    action = str(params.get("action", "")).strip() if actions else ""
    if action and action not in CleanupAction.values:
        errors["action"] = _("处理方式只能是：%(choices)s。") % {
            "choices": "、".join(f"{v}（{label}）" for v, label in CleanupAction.choices)
        }
    method = str(params.get("method", "")).strip() if methods else ""
    if method and method not in SupervisionMethod.values:
        errors["method"] = _("监管方式只能是：%(choices)s。") % {
            "choices": "、".join(f"{v}（{label}）" for v, label in SupervisionMethod.choices)
        }
    return ListFilters(
        query=query,
        department=department,
        department_code=code,
        action=action,
        method=method,
        errors=errors,
    )


def department_choices() -> list[tuple[str, str]]:
    """(code, name) of every active department, for the filter menus."""
    return list(active_departments().values_list("code", "name"))


def _search(rows: QuerySet, filters: ListFilters, fields: tuple[str, ...]) -> QuerySet:
    """Rows holding every word of the query in one of ``fields`` (docs/rules/lists.md §Q5)."""
    for term in filters.terms:
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": term})
        rows = rows.filter(match)
    return rows


_ITEM_FIELDS = (
    "item__code",
    "item__published_version__name",
    "item__department__name",
)


def responsibilities(filters: ListFilters) -> QuerySet[DepartmentResponsibility]:
    """Departments' responsibility lines (责任清单, docs/rules/lists.md §Q1)."""
    if filters.errors:
        return DepartmentResponsibility.objects.none()
    rows = DepartmentResponsibility.objects.select_related("department")
    if filters.department is not None:
        rows = rows.filter(department=filters.department)
    return _search(rows, filters, ("text", "department__name", "department__short_name"))


def accountabilities(filters: ListFilters) -> QuerySet[ItemAccountability]:
    """Items' duties and accountability (责任清单, docs/rules/lists.md §Q1)."""
    if filters.errors:
        return ItemAccountability.objects.none()
    rows = ItemAccountability.objects.select_related("item__department", "item__published_version")
    if filters.department is not None:
        rows = rows.filter(item__department=filters.department)
    return _search(rows, filters, (*_ITEM_FIELDS, "duty", "accountability", "basis"))


def supervision_measures(filters: ListFilters) -> QuerySet[SupervisionMeasure]:
    """What is supervised after approval and how (监管清单, docs/rules/lists.md §Q2). The
    department filter matches the item's department or the supervising one."""
    if filters.errors:
        return SupervisionMeasure.objects.none()
    rows = SupervisionMeasure.objects.select_related(
        "item__department", "item__published_version", "department"
    )
    if filters.department is not None:
        rows = rows.filter(
            Q(item__department=filters.department) | Q(department=filters.department)
        )
    if filters.method:
        rows = rows.filter(method=filters.method)
    fields = (*_ITEM_FIELDS, "target", "content", "frequency", "legal_basis", "department__name")
    return _search(rows, filters, fields)


def cleanup_records(filters: ListFilters) -> QuerySet[CleanupRecord]:
    """The clean-up record (清理记录, docs/rules/lists.md §Q3)."""
    if filters.errors:
        return CleanupRecord.objects.none()
    rows = CleanupRecord.objects.select_related(
        "department", "target_item", "target_item__published_version"
    )
    if filters.department is not None:
        rows = rows.filter(department=filters.department)
    if filters.action:
        rows = rows.filter(action=filters.action)
    fields = (
        "item_code",
        "item_name",
        "legal_basis",
        "note",
        "department__name",
        "target_item__code",
        "target_item__published_version__name",
    )
    return _search(rows, filters, fields)


@dataclass(frozen=True)
class ActionCount:
    action: str
    label: str
    count: int


@dataclass(frozen=True)
class CleanupSummary:
    """The clean-up in figures, counted from the records (docs/rules/lists.md §Q4)."""

    before: int  # items before the clean-up: one record each
    after: int  # current items the merged and retained records lead to
    by_action: tuple[ActionCount, ...]

    @property
    def removed(self) -> int:
        return self.before - self.after

    @property
    def reduction_percent(self) -> Decimal:
        """The share of items cut, in percent, one decimal (337 → 92: 72.7)."""
        if not self.before:
            return Decimal("0.0")
        share = Decimal(self.removed * 100) / Decimal(self.before)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __iter__(self) -> Iterator[ActionCount]:
        return iter(self.by_action)


def cleanup_summary() -> CleanupSummary:
    """337 项 → 92 项 and the count of each action, from the records (docs/rules/lists.md §Q4)."""
    counts = dict(
        CleanupRecord.objects.order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values_list("action", "n")
    )
    after = (
        CleanupRecord.objects.filter(action__in=ACTIONS_WITH_TARGET, target_item__isnull=False)
        .values("target_item")
        .distinct()
        .count()
    )
    by_action = tuple(
        ActionCount(value, str(label), counts.get(value, 0))
        for value, label in CleanupAction.choices
    )
    return CleanupSummary(before=sum(counts.values()), after=after, by_action=by_action)
