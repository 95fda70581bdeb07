"""Pages of window conduct and the monthly evaluation (docs/rules/hall.md §J2, §J3, §J16–§J19).

Supervisors: discipline records (list, new, detail, reinstatement), the monthly evaluation
(computed on demand) and the bottom windows' rectifications. The administrator: the evaluation's
settings. Staff: their own records and the acknowledgement. Public, no login: the red-flag and
bottom windows, the public notices and the hall display. Anything a user may not see is the
logged 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm
from onewindow.accounts.selectors import require_perm
from onewindow.catalog.models import Window
from onewindow.conduct import scoring, selectors, services
from onewindow.conduct.models import Difficulty, DisciplineKind
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.errors import DomainError, Invalid
from onewindow.lib.ids import parse_id


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def parse_month(value: str | None) -> dt.date | None:
    """``2025-11`` → 2025-11-01; anything else None."""
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def error_messages(err: DomainError) -> list[str]:
    if isinstance(err, Invalid):
        return [m for msgs in err.errors.values() for m in msgs]
    return [err.message]


# --- supervisors: discipline records ------------------------------------------------------------
@never_cache
@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = selectors.records_for_supervisor(request, kind=kind)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "conduct/records.html",
        {"page": page, "kind": kind, "kinds": DisciplineKind.choices},
    )


def _new_context(data: Any, errors: list[str]) -> dict[str, Any]:
    return {
        "data": data,
        "errors": errors,
        "staff_rows": selectors.window_staff(),
        "windows": Window.objects.filter(is_active=True).order_by("number"),
        "kinds": DisciplineKind.choices,
        "difficulties": Difficulty.choices,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    """作出作风处理: a supervisor records a decision about one staff member at one window."""
    actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.new")
    if request.method != "POST":
        initial = {
            "staff": request.GET.get("staff", ""),
            "complaint": request.GET.get("complaint", ""),
            "bad_review": request.GET.get("bad_review", ""),
        }
        return render(request, "conduct/record_new.html", _new_context(initial, []))
    data = request.POST
    staff = User.objects.filter(
        pk=parse_id(data.get("staff", "")) or 0, role__in=DEPARTMENT_ROLES
    ).first()
    try:
        if staff is None:
            raise Invalid({"staff": [_("请选择被处理的工作人员。")]})
        record = services.discipline_record(
            actor=actor,
            staff=staff,
            window_id=parse_id(data.get("window", "")),
            kind=data.get("kind", ""),
            difficulty=data.get("difficulty", ""),
            reason=data.get("reason", ""),
            public_summary=data.get("public_summary", ""),
            complaint_id=parse_id(data.get("complaint", "")),
            bad_review_id=parse_id(data.get("bad_review", "")),
        )
    except DomainError as err:
        context = _new_context(data, error_messages(err))
        return render(request, "conduct/record_new.html", context, status=400)
    messages.success(request, _("处理决定已记录。"))
    return redirect("conduct:record", pk=record.pk)


@never_cache
@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record, supervisor = selectors.record_get(request, pk)
    return render(
        request,
        "conduct/record.html",
        {"record": record, "supervisor": supervisor, "own": record.staff_id == request.user.pk},
    )


def _record_error(request: HttpRequest, record: Any, supervisor: bool, err: DomainError) -> Any:
    record.refresh_from_db()
    context = {
        "record": record,
        "supervisor": supervisor,
        "own": record.staff_id == request.user.pk,
        "errors": error_messages(err),
        "posted": request.POST,
    }
    return render(request, "conduct/record.html", context, status=400)


@never_cache
@login_required
@require_POST
def record_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    record, supervisor = selectors.record_get(request, pk)
    if record.staff_id != request.user.pk:
        raise deny(request, target=f"conduct.discipline:{pk}:ack", reason="not the staff member")
    try:
        services.discipline_acknowledge(
            actor=_actor(request), record=record, statement=request.POST.get("statement", "")
        )
    except DomainError as err:
        return _record_error(request, record, supervisor, err)
    messages.success(request, _("已确认。"))
    return redirect("conduct:record", pk=pk)


@never_cache
@login_required
@require_POST
def record_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target=f"conduct.discipline:{pk}")
    record, supervisor = selectors.record_get(request, pk)
    try:
        services.discipline_reinstate(
            actor=actor, record=record, reason=request.POST.get("reinstate_reason", "")
        )
    except DomainError as err:
        return _record_error(request, record, supervisor, err)
    messages.success(request, _("已恢复上岗。"))
    return redirect("conduct:record", pk=pk)


# --- staff: my records --------------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.DISCIPLINE_OWN, target="conduct.mine")
    return render(request, "conduct/mine.html", {"rows": selectors.records_of(user)})


# --- supervisors: the monthly evaluation and rectifications -------------------------------------
def _evaluation_context(month: dt.date | None, **extra: Any) -> dict[str, Any]:
    months = selectors.months_evaluated()
    month = month or (months[0] if months else None)
    return {
        "month": month,
        "months": months,
        "rows": selectors.scores_of(month) if month else [],
        "default_month": services.previous_month(clock.today()),
        "rectified": {r.window_id: r for r in selectors.rectifications(month)} if month else {},
        **extra,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest) -> HttpResponse:
    """月度窗口评价: one month's scores with their components; compute one on demand."""
    user = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.evaluation")
    if request.method == "POST":
        month = parse_month(request.POST.get("month"))
        try:
            services.evaluation_compute(month=month, actor=user)
        except DomainError as err:
            context = _evaluation_context(None, errors=error_messages(err), posted=request.POST)
            return render(request, "conduct/evaluation.html", context, status=400)
        messages.success(request, _("已完成月度评价。"))
        assert month is not None
        return redirect(f"{request.path}?month={month:%Y-%m}")
    month = parse_month(request.GET.get("month"))
    return render(request, "conduct/evaluation.html", _evaluation_context(month))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def evaluation_settings(request: HttpRequest) -> HttpResponse:
    """评价设置: the administrator's weights and deductions (docs/rules/hall.md §J3)."""
    user = require_perm(request, Perm.RULES_EDIT, target="conduct.settings")
    fields = list(services.SETTING_LIMITS)
    current = services.config()
    context: dict[str, Any] = {
        "config": current,
        "fields": [(name, services.setting_label(name)) for name in fields],
        "values": {name: getattr(current, name) for name in fields},
    }
    if request.method == "POST":
        try:
            services.config_update(actor=user, values=request.POST)
        except DomainError as err:
            context |= {
                "errors": error_messages(err),
                "values": {name: request.POST.get(name, "") for name in fields},
            }
            return render(request, "conduct/settings.html", context, status=400)
        messages.success(request, _("评价设置已保存。"))
        return redirect("conduct:settings")
    return render(request, "conduct/settings.html", context)


def _rectification_context(**extra: Any) -> dict[str, Any]:
    return {
        "rows": selectors.rectifications()[:200],
        "candidates": selectors.rectification_candidates(),
        **extra,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rectifications(request: HttpRequest) -> HttpResponse:
    """末位窗口整改: the requirements recorded for the bottom windows and whether they are done."""
    user = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.rectifications")
    context = _rectification_context()
    if request.method == "POST":
        window_raw, _sep, month_raw = request.POST.get("candidate", "").partition(":")
        try:
            services.rectification_record(
                actor=user,
                window_id=parse_id(window_raw),
                month=parse_month(month_raw),
                requirement=request.POST.get("requirement", ""),
                due_on=parse_day(request.POST.get("due_on")),
            )
        except DomainError as err:
            context |= {"errors": error_messages(err), "posted": request.POST}
            return render(request, "conduct/rectifications.html", context, status=400)
        messages.success(request, _("整改要求已登记。"))
        return redirect("conduct:rectifications")
    return render(request, "conduct/rectifications.html", context)


@never_cache
@login_required
@require_POST
def rectification_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_perm(request, Perm.DISCIPLINE_DECIDE, target=f"conduct.rectification:{pk}")
    row = selectors.rectification_get(request, pk)
    try:
        services.rectification_done(
            actor=user, rectification=row, note=request.POST.get("done_note", "")
        )
    except DomainError as err:
        context = _rectification_context(errors=error_messages(err))
        return render(request, "conduct/rectifications.html", context, status=400)
    messages.success(request, _("已确认整改完成。"))
    return redirect("conduct:rectifications")


# --- public -------------------------------------------------------------------------------------
def _public_month(request: HttpRequest) -> dt.date | None:
    return parse_month(request.GET.get("month"))


@require_GET
def red_flag(request: HttpRequest) -> HttpResponse:
    """红旗窗口与末位窗口 (public, docs/rules/hall.md §J18): window numbers and scores only."""
    ranking = selectors.public_ranking(_public_month(request))
    return render(
        request,
        "conduct/red_flag.html",
        {"ranking": ranking, "months": selectors.months_evaluated(), "weights": _weights()},
    )


def _weights() -> list[tuple[str, int]]:
    current = services.config()
    return [
        (services.setting_label(name), getattr(current, name)) for name in scoring.WEIGHT_FIELDS
    ]


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """通报批评 (public, docs/rules/hall.md §J17): window, masked name, category, the public text."""
    return render(request, "conduct/notices.html", {"rows": selectors.public_notices()})


@require_GET
def display(request: HttpRequest) -> HttpResponse:
    """The hall display (大厅显示屏): the latest month's red-flag and bottom windows, large type."""
    return render(request, "conduct/display.html", {"ranking": selectors.public_ranking(None)})
