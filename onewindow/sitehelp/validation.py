"""Checks of typed text shared by the pages and the API (docs/rules/publicity.md §L9): a clear
Chinese message naming the field, nothing stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onewindow.sitehelp.models import web_url


def clean_text(
    errors: dict[str, list[str]],
    field: str,
    value: Any,
    *,
    label: str,
    max_length: int,
    required: bool = True,
) -> str:
    """``value`` stripped; a message in ``errors[field]`` when it is missing or too long."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(_("%(f)s必须是文字。") % {"f": label})
    elif required and not text:
        errors.setdefault(field, []).append(_("请填写%(f)s。") % {"f": label})
    elif len(text) > max_length:
        errors.setdefault(field, []).append(
            _("%(f)s最多 %(n)d 个字，现有 %(m)d 个字。")
            % {"f": label, "n": max_length, "m": len(text)}
        )
    return text


def clean_web_url(errors: dict[str, list[str]], field: str, value: str, *, label: str) -> str:
    """docs/rules/publicity.md §L6: an http(s) address only; javascript: and the like refused."""
    if field in errors or not value:
        return value
    try:
        web_url(value)
    except ValidationError:
        errors.setdefault(field, []).append(
            _("%(f)s须是以 http:// 或 https:// 开头的完整网址。") % {"f": label}
        )
    return value


def clean_page_address(errors: dict[str, list[str]], field: str, value: str, *, label: str) -> str:
    """A page of this site (``/guides/…``) or a full http(s) address."""
    if field in errors or not value:
        return value
    if value.startswith("/") and not value.startswith("//") and not any(c.isspace() for c in value):
        return value
    return clean_web_url(errors, field, value, label=label)
