"""The statistics filters: period (year and month, or a range of months), department, item
and region (docs/rules/statistics.md §M5). Bad values are refused with a Chinese message naming
the parameter, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.models import Department, Item, Region
from onewindow.lib.ids import parse_id
from onewindow.lib.workdays import FIRST_YEAR, LAST_YEAR
from onewindow.stats.errors import StatsInvalid

PARAMS = ("year", "month", "start", "end", "department", "item", "region")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None  # first day of the first month counted
    end: dt.date | None = None  # first day of the last month counted
    department_id: int | None = None
    item_id: int | None = None
    region_id: int | None = None
    region_ids: tuple[int, ...] | None = None  # the region and every region under it

    def params(self) -> dict[str, str]:
        """The query string that gives these filters back (for export links)."""
        out: dict[str, str] = {}
        if self.start:
            out["start"] = self.start.strftime("%Y-%m")
        if self.end:
            out["end"] = self.end.strftime("%Y-%m")
        for name, value in (
            ("department", self.department_id),
            ("item", self.item_id),
            ("region", self.region_id),
        ):
            if value is not None:
                out[name] = str(value)
        return out

    def months(self, field: str = "month") -> dict[str, dt.date]:
        """ORM lookups restricting ``field`` to the period."""
        out = {}
        if self.start:
            out[f"{field}__gte"] = self.start
        if self.end:
            out[f"{field}__lte"] = self.end
        return out


def _fail(name: str, message: str) -> StatsInvalid:
    return StatsInvalid({name: [message]})


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _year(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise _fail(
            "year",
            _("年份应为 %(a)s–%(b)s 之间的四位数字。") % {"a": FIRST_YEAR, "b": LAST_YEAR},
        )
    return int(raw)


def _month_of(name: str, raw: str) -> dt.date:
    match = MONTH_RE.match(raw)
    if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    raise _fail(name, _("月份应写成 YYYY-MM，例如 2026-03。"))


def _period(params: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    year, month = _text(params, "year"), _text(params, "month")
    start, end = _text(params, "start"), _text(params, "end")
    if (year or month) and (start or end):
        raise _fail("start", _("请选择“年份和月份”或“起止月份”其中一种，不要同时使用。"))
    if month and not year:
        raise _fail("year", _("选择月份时请同时选择年份。"))
    if year:
        y = _year(year)
        if not month:
            return dt.date(y, 1, 1), dt.date(y, 12, 1)
        if not month.isascii() or not month.isdigit() or not 1 <= int(month) <= 12:
            raise _fail("month", _("月份应为 1–12 之间的数字。"))
        return dt.date(y, int(month), 1), dt.date(y, int(month), 1)
    low = _month_of("start", start) if start else None
    high = _month_of("end", end) if end else None
    if low and high and low > high:
        raise _fail("end", _("结束月份不能早于开始月份。"))
    return low, high


def _id(params: Mapping[str, Any], name: str, message: str) -> int | None:
    raw = _text(params, name)
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise _fail(name, message)
    return value


def regions_under(region_id: int) -> tuple[int, ...]:
    """The region and every region below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [region_id]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, ()))
    return tuple(sorted(found))


def filters_parse(params: Mapping[str, Any] | None = None, **values: Any) -> Filters:
    """Filters from query parameters (or keyword values); StatsInvalid names what is wrong."""
    merged: dict[str, Any] = {k: params.get(k) for k in PARAMS} if params is not None else {}
    merged.update(values)
    unknown = sorted(k for k in values if k not in PARAMS)
    if unknown:
        raise _fail(unknown[0], _("未知的筛选条件：%(f)s") % {"f": "、".join(unknown)})
    start, end = _period(merged)
    department = _id(merged, "department", _("所选部门不存在。"))
    if department is not None and not Department.objects.filter(pk=department).exists():
        raise _fail("department", _("所选部门不存在。"))
    item = _id(merged, "item", _("所选事项不存在。"))
    if item is not None:
        item_department = Item.objects.filter(pk=item).values_list("department_id", flat=True)
        owner = item_department.first()
        if owner is None and not Item.objects.filter(pk=item).exists():
            raise _fail("item", _("所选事项不存在。"))
        if department is not None and owner is not None and owner != department:
            raise _fail("item", _("所选事项不属于所选部门。"))
    region = _id(merged, "region", _("所选区域不存在。"))
    region_ids = None
    if region is not None:
        if not Region.objects.filter(pk=region).exists():
            raise _fail("region", _("所选区域不存在。"))
        region_ids = regions_under(region)
    return Filters(start, end, department, item, region, region_ids)
