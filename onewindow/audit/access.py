"""Who viewed a case ("谁看过我的办件", docs/rules/audit.md §Z11).

``case_access_record`` is called where staff are shown a case: the selectors that hand a case
(or a review task) to a staff page or API answer, and the views that send one of its files or
documents. It records reads only (GET and HEAD: an action is on the event trail already),
only for staff (an applicant or agent reading their own case is not recorded), once per case,
kind and detail within one request. The record is append-only and chained
(docs/rules/audit.md §Z1, §Z2).

``case_accesses`` is what the applicant sees (units and roles, never a staff name);
``accesses_search`` is the audit administrator's search over every record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.accounts.roles import STAFF_ROLES, role_label
from onewindow.audit.models import AccessKind, CaseAccess
from onewindow.core import clock
from onewindow.core.access import client_ip

READ_METHODS = ("GET", "HEAD")
ORDER = ("-at", "-pk")
# The unit of a staff member who belongs to no department or region (supervisors, the centre's
# administrators): the government service centre itself.
CENTRE = gettext_noop("政务服务中心")  # stored as is; shown translated


def _unit(user: Any) -> tuple[str, int | None]:
    department = getattr(user, "department", None)
    if department is not None:
        return department.name, department.pk
    region = getattr(user, "region", None)
    if region is not None:
        return region.name, None
    return CENTRE, None


def case_access_record(
    request: HttpRequest, case: Any, *, kind: str = AccessKind.CASE, detail: str = ""
) -> CaseAccess | None:
    """Record that the requesting staff member is being shown ``case`` (or one of its files or
    documents: ``kind``, ``detail`` naming it); None when nothing is recorded (not a read, not
    staff, or already recorded in this request)."""
    user: Any = request.user  # a DRF Request's user: authenticated by its own classes
    request = getattr(request, "_request", request)  # a DRF Request: the request it wraps
    if request.method not in READ_METHODS or not getattr(user, "is_authenticated", False):
        return None
    if user.role not in STAFF_ROLES:
        return None
    done: set[tuple[int, str, str]] = request.__dict__.setdefault("_case_accesses", set())
    key = (case.pk, str(kind), detail)
    if key in done:
        return None
    done.add(key)
    unit, department_id = _unit(user)
    return CaseAccess.objects.create(
        at=clock.now(),
        case_id=case.pk,
        case_number=(getattr(case, "number", "") or "")[:40],
        user=user,
        user_label=user.get_username()[:150],
        role=user.role,
        unit=unit[:100],
        department_id=department_id,
        kind=kind,
        detail=detail[:200],
        via="api" if request.path.startswith("/api/") else "page",
        ip=client_ip(request),
    )


def case_accesses(case_id: int) -> QuerySet[CaseAccess]:
    """Every recorded staff view of one case, newest first."""
    return CaseAccess.objects.filter(case_id=case_id).order_by(*ORDER)


def public_row(access: CaseAccess) -> dict[str, Any]:
    """What the applicant sees of one view: when, which unit, which role, what; no name."""
    return {
        "at": access.at,
        "unit": access.unit if access.unit != CENTRE else _(CENTRE),
        "role": access.role,
        "role_label": role_label(access.role),
        "kind": access.kind,
        "kind_label": str(AccessKind(access.kind).label),
        "detail": access.detail,
    }


class AccessSearchInvalid(ValueError):
    """A search parameter that cannot be read; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AccessFilters:
    """The audit administrator's search (every field optional)."""

    case_number: str = ""
    user: str = ""
    unit: str = ""
    kind: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def _date(name: str, raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise AccessSearchInvalid(name, _("日期格式应为 YYYY-MM-DD。")) from None
    if not 1900 <= day.year <= 2999:
        raise AccessSearchInvalid(name, _("日期超出范围。"))
    return day


def filters_parse(params: Any) -> AccessFilters:
    """The search from query parameters; ``AccessSearchInvalid`` naming the bad one."""

    def get(name: str) -> str:
        return str(params.get(name, "") or "").strip()

    kind = get("kind")
    if kind and kind not in AccessKind.values:
        raise AccessSearchInvalid("kind", _("没有这种查阅内容。"))
    start, end = _date("start", get("start")), _date("end", get("end"))
    if start and end and start > end:
        raise AccessSearchInvalid("end", _("结束日期不能早于开始日期。"))
    case_number, user, unit = get("case")[:40], get("user")[:150], get("unit")[:100]
    return AccessFilters(case_number, user, unit, kind, start, end)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the configured time zone (an index range, not a date cast)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def accesses_search(filters: AccessFilters) -> QuerySet[CaseAccess]:
    """Every record matching the search, newest first (the caller pages by ``ORDER``)."""
    found = CaseAccess.objects.all()
    if filters.case_number:
        found = found.filter(case_number=filters.case_number)
    if filters.user:
        found = found.filter(user_label=filters.user)
    if filters.unit:
        found = found.filter(unit=filters.unit)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.start:
        found = found.filter(at__gte=_midnight(filters.start))
    if filters.end:
        found = found.filter(at__lt=_midnight(filters.end + dt.timedelta(days=1)))
    return found.order_by(*ORDER)
