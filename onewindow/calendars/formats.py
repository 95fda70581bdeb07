"""Reading a year's holiday arrangement from the CSV or JSON file an administrator uploads.

CSV: one day a line, ``date,kind[,name]``; ``kind`` is ``holiday``/``workday`` or 休/班 (also
假, 休息, 上班, 补班, 调休上班); a header line and lines starting with ``#`` are skipped. Files
saved by Excel (UTF-8 with BOM, or GB18030) are read as well. Cells may also be separated by the
full-width ``，`` a Chinese input method types (``2027-01-01，休``); a quoted cell keeps its ``，``.

JSON: ``{"year": 2027, "source": "...", "holidays": [...], "workdays": [...]}`` where each list
holds dates (``"2027-01-01"``), ``{"date": ..., "name": ...}``, ranges
``{"start": ..., "end": ..., "name": ...}`` or ``{"name": ..., "dates": [...]}``, or is a
``{date: name}`` object; or a list of ``{"date", "kind", "name"}`` records like the CSV lines.

Parsing only reads; ``services.calendar_year_load`` validates the result against the rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onewindow.calendars.models import DayKind

MAX_FILE_BYTES = 256 * 1024
MAX_RANGE_DAYS = 40

KIND_WORDS = {
    "holiday": DayKind.HOLIDAY,
    "holidays": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "休息": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "workdays": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "补班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "调休上班日": DayKind.WORKDAY,
}
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")


@dataclass
class ArrangementFile:
    """The days read from one file; ``year`` comes from the file or from its dates."""

    year: int | None = None
    source: str = ""
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, day: dt.date, kind: DayKind, name: str, where: str) -> None:
        same, other = (
            (self.holidays, self.workdays)
            if kind == DayKind.HOLIDAY
            else (self.workdays, self.holidays)
        )
        if day in other:
            self.errors.append(
                _("%(where)s：%(date)s 同时被列为放假日和调休上班日。")
                % {"where": where, "date": day.isoformat()}
            )
            return
        same[day] = name or same.get(day, "")


def parse_date(value: object) -> dt.date:
    """``2027-02-05`` (also ``2027/2/5``); ValueError with a Chinese message otherwise."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(_("“%(value)s”不是日期，应为 YYYY-MM-DD 格式。") % {"value": value})
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(_("日期“%(value)s”不存在。") % {"value": str(value).strip()}) from None


def parse_kind(value: object) -> DayKind:
    kind = KIND_WORDS.get(str(value).strip().lower())
    if kind is None:
        raise ValueError(
            _("类型“%(value)s”无效，应为 holiday/休 或 workday/班。") % {"value": value}
        )
    return kind


def arrangement_parse(*, name: str, content: bytes, year: int | None = None) -> ArrangementFile:
    """Read ``content`` (CSV or JSON by extension, else by its first character).

    Raises ValidationError listing every problem found, with line numbers for CSV.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(_("文件过大：节假日安排文件不应超过 256 KB。"))
    text = _decode(content)
    is_json = name.lower().endswith(".json") or (
        not name.lower().endswith(".csv") and text.lstrip()[:1] in ("{", "[")
    )
    parsed = _parse_json(text) if is_json else _parse_csv(text)
    if year is not None:
        parsed.year = year
    if not parsed.errors and not parsed.holidays and not parsed.workdays:
        parsed.errors.append(_("文件中没有任何日期。"))
    if not parsed.errors and parsed.year is None:
        parsed.year = _single_year(parsed)
    if parsed.errors:
        raise ValidationError(parsed.errors[:20])
    return parsed


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 编码的 CSV 或 JSON 文件。"))


def _single_year(parsed: ArrangementFile) -> int | None:
    years = {day.year for day in [*parsed.holidays, *parsed.workdays]}
    if len(years) == 1:
        return years.pop()
    parsed.errors.append(
        _("文件包含多个年份（%(years)s）的日期，请每次只载入一个年份。")
        % {"years": "、".join(str(y) for y in sorted(years))}
    )
    return None


def _parse_csv(text: str) -> ArrangementFile:
    parsed = ArrangementFile()
    for line_no, row in enumerate(csv.reader(io.StringIO(_ascii_separators(text))), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line_no == 1 and cells[0].lower() in ("date", "日期"):
            continue
        where = _("第 %(line)d 行") % {"line": line_no}
        if len(cells) < 2 or len(cells) > 3:
            parsed.errors.append(
                _("%(where)s：应为“日期,类型[,名称]”三列，实际为 %(count)d 列。")
                % {"where": where, "count": len(cells)}
            )
            continue
        try:
            day, kind = parse_date(cells[0]), parse_kind(cells[1])
        except ValueError as exc:
            parsed.errors.append(_located(where, exc))
            continue
        parsed.add(day, kind, cells[2] if len(cells) == 3 else "", where)
    return parsed


def _ascii_separators(text: str) -> str:
    """A full-width ``，`` outside quotes separates cells like ``,`` (typed with a Chinese IME)."""
    chars, quoted = list(text), False
    for i, ch in enumerate(chars):
        if ch == '"':
            quoted = not quoted
        elif ch == "，" and not quoted:
            chars[i] = ","
    return "".join(chars)


def _located(where: str, exc: ValueError) -> str:
    return _("%(where)s：%(reason)s") % {"where": where, "reason": exc}


def _parse_json(text: str) -> ArrangementFile:
    parsed = ArrangementFile()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append(
            _("JSON 格式错误（第 %(line)d 行第 %(col)d 列）：%(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        )
        return parsed
    if isinstance(data, list):
        _read_records(parsed, data)
    elif isinstance(data, dict):
        _read_object(parsed, data)
    else:
        parsed.errors.append(_("JSON 顶层应为对象或数组。"))
    return parsed


def _read_object(parsed: ArrangementFile, data: dict[str, Any]) -> None:
    year = data.get("year", data.get("年份"))
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int | str) or not str(year).isdigit():
            parsed.errors.append(_("“year”应为年份数字，例如 2027。"))
        else:
            parsed.year = int(year)
    parsed.source = str(data.get("source", data.get("来源", "")) or "")
    known = {"year", "年份", "source", "来源", "days"}
    if isinstance(data.get("days"), list):
        _read_records(parsed, data["days"])
    for key, value in data.items():
        if key in known:
            continue
        kind = KIND_WORDS.get(key.strip().lower())
        if kind is None:
            parsed.errors.append(_("无法识别的字段“%(key)s”。") % {"key": key})
            continue
        _read_day_list(parsed, value, kind, key)


def _read_records(parsed: ArrangementFile, records: list[Any]) -> None:
    for index, record in enumerate(records, start=1):
        where = _("第 %(index)d 条") % {"index": index}
        if not isinstance(record, dict):
            parsed.errors.append(_("%(where)s：应为包含 date 和 kind 的对象。") % {"where": where})
            continue
        try:
            day, kind = parse_date(record.get("date")), parse_kind(record.get("kind"))
        except ValueError as exc:
            parsed.errors.append(_located(where, exc))
            continue
        parsed.add(day, kind, str(record.get("name") or ""), where)


def _read_day_list(parsed: ArrangementFile, value: Any, kind: DayKind, key: str) -> None:
    if isinstance(value, dict):  # {date: name}
        value = [{"date": day, "name": name} for day, name in value.items()]
    if not isinstance(value, list):
        parsed.errors.append(_("“%(key)s”应为日期列表。") % {"key": key})
        return
    for index, item in enumerate(value, start=1):
        where = f"{key}[{index}]"
        try:
            for day, name in _expand(item):
                parsed.add(day, kind, name, where)
        except ValueError as exc:
            parsed.errors.append(_located(where, exc))


def _expand(item: Any) -> list[tuple[dt.date, str]]:
    """One list entry: a date, {date,name}, {start,end,name} or {name,dates}."""
    if isinstance(item, str):
        return [(parse_date(item), "")]
    if not isinstance(item, dict):
        raise ValueError(_("无法识别的条目：%(item)s") % {"item": item})
    name = str(item.get("name") or "")
    if "date" in item:
        return [(parse_date(item["date"]), name)]
    if "dates" in item and isinstance(item["dates"], list):
        return [(parse_date(day), name) for day in item["dates"]]
    if "start" in item and "end" in item:
        start, end = parse_date(item["start"]), parse_date(item["end"])
        days = (end - start).days
        if not 0 <= days < MAX_RANGE_DAYS:
            raise ValueError(
                _("日期范围 %(start)s 至 %(end)s 无效。")
                % {"start": start.isoformat(), "end": end.isoformat()}
            )
        return [(start + dt.timedelta(days=i), name) for i in range(days + 1)]
    raise ValueError(_("条目应包含 date、dates 或 start/end。"))
