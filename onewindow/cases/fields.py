"""The per-item application form (docs/decisions.md §U6): field specs and their server-side
validation.

An item version lists its extra fields as ``ApplicationField`` rows; a version without any gets
``default_fields_for(version)``, so every item has a working form. ``validate`` is pure: it
takes the specs and the submitted values (from the page or the API) and returns the cleaned
values or raises ``FormInvalid`` with Chinese messages per field. The page form and the API
share it, so the two can never disagree about what is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.errors import CaseError
from onewindow.cases.models import ApplicationField, FieldType, TextFormat
from onewindow.catalog.models import ItemType, ItemVersion
from onewindow.core.errors import Invalid

ADDRESS_PARTS = ("province", "city", "district", "detail")
TEXT_MAX = 200  # when a text field names no maximum
ADDRESS_TEXT_MIN = 8  # a one-line address shorter than this cannot name province, city and street
ADDRESS_PART_MAX = 50
DETAIL_MIN = 2
NUMBER_PLACES = 4  # the DecimalField bounds of ApplicationField
ADDRESS_PART_LABELS = {
    "province": gettext_lazy("省"),
    "city": gettext_lazy("市"),
    "district": gettext_lazy("区（县）"),
    "detail": gettext_lazy("详细地址"),
}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
FORMAT_PATTERNS = {
    # Mobile (11 digits) or landline with area code and optional extension.
    TextFormat.PHONE: re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"),
    TextFormat.POSTCODE: re.compile(r"^\d{6}$"),
}


class FormInvalid(CaseError, Invalid):
    """Submitted form values break the item's field schema; ``errors`` maps field → messages
    (the API answers them under ``form_data``)."""

    code = "invalid"
    field = "form_data"


@dataclass(frozen=True)
class FieldSpec:
    """One field of an application form, as the validator and the renderers see it."""

    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    min_length: int | None = None
    max_length: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    text_format: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly description (API schema of the form)."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "choices": list(self.choices),
            "help": self.help,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "min_value": None if self.min_value is None else str(self.min_value),
            "max_value": None if self.max_value is None else str(self.max_value),
            "text_format": self.text_format,
        }


def spec_from_row(row: ApplicationField) -> FieldSpec:
    return FieldSpec(
        name=row.name,
        label=row.label,
        type=row.type,
        required=row.required,
        choices=tuple(str(c) for c in row.choices or ()),
        help=row.help,
        min_length=row.min_length,
        max_length=row.max_length,
        min_value=row.min_value,
        max_value=row.max_value,
        text_format=row.text_format,
    )


def fields_for(version: ItemVersion) -> list[FieldSpec]:
    """The version's own fields, or the default schema when it defines none."""
    rows = [spec_from_row(row) for row in version.application_fields.all()]
    return rows or default_fields_for(version)


def default_fields_for(version: ItemVersion) -> list[FieldSpec]:
    """A general application form for items whose version defines no fields of its own."""
    specs = [
        FieldSpec(
            "project_name",
            _("项目名称"),
            FieldType.TEXT,
            help=_("申请许可的项目、门店或经营者名称"),
            min_length=2,
            max_length=100,
        ),
        FieldSpec(
            "premises_address",
            _("经营场所（项目）地址"),
            FieldType.ADDRESS,
            help=_("按省、市、区（县）和详细地址分别填写"),
        ),
        FieldSpec("contact_name", _("联系人"), FieldType.TEXT, min_length=2, max_length=50),
        FieldSpec(
            "contact_phone",
            _("联系电话"),
            FieldType.TEXT,
            help=_("手机号码或带区号的固定电话"),
            max_length=20,
            text_format=TextFormat.PHONE,
        ),
        FieldSpec("application_date", _("申请日期"), FieldType.DATE),
    ]
    if version.item.item_type == ItemType.LICENSING:
        specs.append(
            FieldSpec(
                "application_type",
                _("申请类型"),
                FieldType.CHOICE,
                # Stored values, shown as they are: not translated, so data never changes language.
                choices=("新办", "变更", "延续"),
            )
        )
    specs += [
        FieldSpec(
            "staff_count",
            _("从业人员数（人）"),
            FieldType.NUMBER,
            required=False,
            min_value=Decimal(0),
            max_value=Decimal(1_000_000),
        ),
        FieldSpec(
            "remark", _("其他需要说明的情况"), FieldType.TEXT, required=False, max_length=500
        ),
    ]
    return specs


# --- validation -------------------------------------------------------------------------------


def validate(specs: Iterable[FieldSpec], data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Cleaned values of ``data`` (empty values dropped), or FormInvalid naming every problem.

    ``partial`` (a draft being saved) lets required fields stay empty; whatever is filled in
    must still be valid.
    """
    if not isinstance(data, Mapping):
        raise FormInvalid({"__all__": [_("申请表内容格式不正确。")]})
    by_name = {spec.name: spec for spec in specs}
    errors: dict[str, list[str]] = {
        str(key): [_("申请表中没有“%(name)s”这一项。") % {"name": key}]
        for key in data
        if key not in by_name
    }
    cleaned: dict[str, Any] = {}
    for name, spec in by_name.items():
        raw = data.get(name)
        try:
            value = _clean(spec, raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
            continue
        if value is None:
            if spec.required and not partial:
                errors[name] = [_("请填写“%(label)s”。") % {"label": spec.label}]
            continue
        cleaned[name] = value
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, Mapping):
        # Keys we do not know make it wrong, not empty.
        return set(raw) <= set(ADDRESS_PARTS) and all(_empty(raw.get(p)) for p in ADDRESS_PARTS)
    return False


def _clean(spec: FieldSpec, raw: Any) -> Any:
    if _empty(raw):
        return None
    cleaner = {
        FieldType.TEXT: _clean_text,
        FieldType.NUMBER: _clean_number,
        FieldType.DATE: _clean_date,
        FieldType.CHOICE: _clean_choice,
        FieldType.ADDRESS: _clean_address,
    }[FieldType(spec.type)]
    return cleaner(spec, raw)


def _text(spec: FieldSpec, raw: Any, *, label: str | None = None) -> str:
    if not isinstance(raw, str):
        raise ValueError(_("“%(label)s”应填写文字。") % {"label": label or spec.label})
    value = raw.strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise ValueError(_("“%(label)s”含有不可见的控制字符。") % {"label": label or spec.label})
    return value


def _length(label: str, value: str, low: int | None, high: int | None) -> None:
    if low is not None and len(value) < low:
        raise ValueError(_("“%(label)s”至少填写 %(n)s 个字。") % {"label": label, "n": low})
    if high is not None and len(value) > high:
        raise ValueError(_("“%(label)s”最多填写 %(n)s 个字。") % {"label": label, "n": high})


def _clean_text(spec: FieldSpec, raw: Any) -> str:
    value = _text(spec, raw)
    _length(spec.label, value, spec.min_length, spec.max_length or TEXT_MAX)
    pattern = FORMAT_PATTERNS.get(TextFormat(spec.text_format)) if spec.text_format else None
    if pattern is not None and not pattern.match(value):
        raise ValueError(
            _("“%(label)s”不是有效的%(format)s。")
            % {"label": spec.label, "format": TextFormat(spec.text_format).label}
        )
    return value


def _clean_number(spec: FieldSpec, raw: Any) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(_("“%(label)s”应填写数字。") % {"label": spec.label})
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("“%(label)s”应填写数字。") % {"label": spec.label}) from None
    if not number.is_finite():
        raise ValueError(_("“%(label)s”应填写数字。") % {"label": spec.label})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > NUMBER_PLACES:
        raise ValueError(
            _("“%(label)s”最多保留 %(n)s 位小数。") % {"label": spec.label, "n": NUMBER_PLACES}
        )
    if spec.min_value is not None and number < spec.min_value:
        raise ValueError(
            _("“%(label)s”不能小于 %(n)s。") % {"label": spec.label, "n": _plain(spec.min_value)}
        )
    if spec.max_value is not None and number > spec.max_value:
        raise ValueError(
            _("“%(label)s”不能大于 %(n)s。") % {"label": spec.label, "n": _plain(spec.max_value)}
        )
    return int(number) if number == number.to_integral() else float(number)


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _clean_date(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        day = raw
    else:
        text = _text(spec, raw)
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("“%(label)s”应为有效日期，格式如 2025-09-30。") % {"label": spec.label}
            ) from None
    if not 1900 <= day.year <= 2100:
        raise ValueError(_("“%(label)s”的年份不合理。") % {"label": spec.label})
    return day.isoformat()


def _clean_choice(spec: FieldSpec, raw: Any) -> str:
    value = _text(spec, raw)
    if value not in spec.choices:
        raise ValueError(
            _("“%(label)s”只能选择：%(choices)s。")
            % {"label": spec.label, "choices": "、".join(spec.choices)}
        )
    return value


def _clean_address(spec: FieldSpec, raw: Any) -> str | dict[str, str]:
    if isinstance(raw, str):
        value = _text(spec, raw)
        _length(spec.label, value, spec.min_length or ADDRESS_TEXT_MIN, spec.max_length or TEXT_MAX)
        return value
    if not isinstance(raw, Mapping) or set(raw) - set(ADDRESS_PARTS):
        raise ValueError(_("“%(label)s”应填写省、市、区（县）和详细地址。") % {"label": spec.label})
    parts = {}
    for part in ADDRESS_PARTS:
        label = f"{spec.label}（{ADDRESS_PART_LABELS[part]}）"
        value = "" if raw.get(part) is None else _text(spec, raw.get(part), label=label)
        if not value:
            raise ValueError(_("请填写“%(label)s”。") % {"label": label})
        if part == "detail":
            _length(
                label, value, max(spec.min_length or 0, DETAIL_MIN), spec.max_length or TEXT_MAX
            )
        else:
            _length(label, value, None, ADDRESS_PART_MAX)
        parts[part] = value
    return parts


def display(spec: FieldSpec, value: Any) -> str:
    """A stored value as one line of text (case pages, notices)."""
    if value is None or value == "":
        return ""
    if spec.type == FieldType.ADDRESS and isinstance(value, Mapping):
        return "".join(str(value.get(part, "")) for part in ADDRESS_PARTS)
    return str(value)


# --- definitions ------------------------------------------------------------------------------


def spec_check(spec: FieldSpec) -> list[str]:
    """What is wrong with a field definition (for the service that sets a version's fields)."""
    problems = []
    if not NAME_PATTERN.match(spec.name):
        problems.append(
            _("字段标识“%(n)s”只能由小写字母、数字和下划线组成，并以字母开头。") % {"n": spec.name}
        )
    if not spec.label.strip():
        problems.append(_("字段“%(n)s”缺少名称。") % {"n": spec.name})
    if spec.type not in FieldType.values:
        problems.append(_("字段“%(n)s”的类型无效。") % {"n": spec.name})
    if spec.type == FieldType.CHOICE and (
        not spec.choices or any(not str(c).strip() for c in spec.choices)
    ):
        problems.append(_("选择字段“%(n)s”至少需要一个非空的可选项。") % {"n": spec.name})
    if spec.text_format not in TextFormat.values:
        problems.append(_("字段“%(n)s”的文本格式无效。") % {"n": spec.name})
    if None not in (spec.min_length, spec.max_length) and spec.min_length > spec.max_length:  # type: ignore[operator]
        problems.append(_("字段“%(n)s”的最少字数大于最多字数。") % {"n": spec.name})
    if None not in (spec.min_value, spec.max_value) and spec.min_value > spec.max_value:  # type: ignore[operator]
        problems.append(_("字段“%(n)s”的最小值大于最大值。") % {"n": spec.name})
    return problems
