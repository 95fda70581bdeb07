"""Each public list as a table to download (docs/rules/lists.md §Q6): its columns and rows,
written by ``core.export.export_response``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Fee, Item, ItemVersion
from onewindow.lib.export import ExportColumn
from onewindow.lists.models import (
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
)

# Rows are read from the database this many at a time while the file is written.
CHUNK_SIZE = 500


def item_name(item: Item | None) -> str:
    """The item's published name, or its code when nothing is published."""
    if item is None:
        return ""
    version = item.published_version
    return version.name if version is not None else item.code


@dataclass(frozen=True)
class ExportTable:
    """One list as a file: name, columns and how a row is read from a model instance."""

    filename: str | Promise
    columns: tuple[tuple[str | Promise, int | None], ...]
    row: Callable[[Any], Sequence[Any]]

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(str(title), width) for title, width in self.columns]

    def rows(self, queryset: QuerySet[Any] | Iterable[Model]) -> Iterator[Sequence[Any]]:
        objects = (
            queryset.iterator(chunk_size=CHUNK_SIZE)
            if isinstance(queryset, QuerySet)
            else iter(queryset)
        )
        for obj in objects:
            yield self.row(obj)


def _responsibility(row: DepartmentResponsibility) -> Sequence[Any]:
    return (row.department.name, row.sort, row.text)


def _accountability(row: ItemAccountability) -> Sequence[Any]:
    return (
        row.item.department.name,
        row.item.code,
        item_name(row.item),
        row.duty,
        row.accountability,
        row.basis,
    )


def _measure(row: SupervisionMeasure) -> Sequence[Any]:
    return (
        row.item.department.name,
        row.item.code,
        item_name(row.item),
        row.target,
        row.content,
        row.get_method_display(),
        row.department.name,
        row.frequency,
        row.legal_basis,
    )


def _cleanup(row: CleanupRecord) -> Sequence[Any]:
    return (
        row.item_code,
        row.item_name,
        row.department.name,
        row.get_action_display(),
        row.target_item.code if row.target_item else "",
        item_name(row.target_item),
        row.decided_on,
        row.legal_basis,
        row.note,
    )


RESPONSIBILITIES = ExportTable(
    _("部门职责"),
    ((_("部门"), None), (_("序号"), 8), (_("职责内容"), 60)),
    _responsibility,
)
ACCOUNTABILITIES = ExportTable(
    _("责任清单"),
    (
        (_("实施部门"), None),
        (_("事项编码"), None),
        (_("事项名称"), 40),
        (_("责任事项"), 50),
        (_("追责情形"), 50),
        (_("追责依据"), 40),
    ),
    _accountability,
)
SUPERVISION_MEASURES = ExportTable(
    _("监管清单"),
    (
        (_("实施部门"), None),
        (_("事项编码"), None),
        (_("事项名称"), 40),
        (_("监管对象"), 30),
        (_("监管内容"), 50),
        (_("监管方式"), None),
        (_("监管主体"), None),
        (_("监管频次"), None),
        (_("监管依据"), 40),
    ),
    _measure,
)
CLEANUP = ExportTable(
    _("行政审批事项清理记录"),
    (
        (_("原事项编码"), None),
        (_("原事项名称"), 40),
        (_("原实施部门"), None),
        (_("处理方式"), None),
        (_("现事项编码"), None),
        (_("现事项名称"), 40),
        (_("决定日期"), 12),
        (_("依据及文号"), 50),
        (_("说明"), 40),
    ),
    _cleanup,
)


# The power and fee lists (their pages are the portal's).
def _power(version: ItemVersion) -> Sequence[Any]:
    return (
        version.item.department.name,
        version.item.code,
        version.name,
        version.item.get_item_type_display(),
        version.legal_basis,
        version.statutory_days,
        version.committed_days,
    )


def _fee(fee: Fee) -> Sequence[Any]:
    version = fee.version
    return (
        version.item.department.name,
        version.item.code,
        version.name,
        fee.name,
        fee.amount,
        fee.unit,
        fee.legal_basis,
    )


POWER = ExportTable(
    _("权力清单"),
    (
        (_("实施部门"), None),
        (_("事项编码"), None),
        (_("事项名称"), 40),
        (_("事项类型"), None),
        (_("设定依据"), 60),
        (_("法定时限（工作日）"), None),
        (_("承诺时限（工作日）"), None),
    ),
    _power,
)
FEE = ExportTable(
    _("收费清单"),
    (
        (_("实施部门"), None),
        (_("事项编码"), None),
        (_("事项名称"), 40),
        (_("收费项目"), 30),
        (_("收费标准（元）"), None),
        (_("计费单位"), None),
        (_("收费依据"), 60),
    ),
    _fee,
)
