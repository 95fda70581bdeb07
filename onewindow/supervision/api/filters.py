"""Query filters shared by the supervision list endpoints (cards, letters)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from onewindow.lib.ids import parse_id


def status_and_department(
    request: Request, *, statuses: Iterable[str], invalid_status: str
) -> tuple[str, int | None]:
    """``?status=`` (one of ``statuses``) and ``?department=`` (an id); a bad value is a 400."""
    status = request.query_params.get("status", "")
    if status and status not in set(statuses):
        raise exceptions.ValidationError({"status": [invalid_status]})
    department = request.query_params.get("department", "")
    department_id = parse_id(department)
    if department and department_id is None:
        raise exceptions.ValidationError({"department": [_("部门编号无效。")]})
    return status, department_id
