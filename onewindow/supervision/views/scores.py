"""Performance score pages (绩效考核, docs/rules/supervision.md §D10).

The ranking of departments and windows for one month or quarter (every staff role: scores are
circulated), one department's or window's history, the recompute button (supervisors and
administrators) and the scheme page (administrators edit, supervisors read). Applicants,
agents and anonymous visitors: 404, logged (``selectors.scores``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.catalog.models import Department, Window
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.supervision.models import Grade, PerformanceScore, PeriodKind, SubjectKind
from onewindow.supervision.selectors import scores as sel
from onewindow.supervision.services import scores

GRADE_COLOURS = {
    Grade.EXCELLENT: "green",
    Grade.GOOD: "blue",
    Grade.PASS: "orange",
    Grade.FAIL: "red",
}
RECENT_PERIODS: dict[str, int] = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 8}


def percent(rate: Decimal | None) -> str | None:
    """0.9107 → "91.1%"; None stays None (the template says what is missing)."""
    if rate is None:
        return None
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass
class ScoreRow:
    """One table line, formatted once here rather than in the template."""

    row: PerformanceScore
    name: str
    url: str
    own: bool

    @property
    def on_time(self) -> str | None:
        return percent(self.row.on_time_rate)

    @property
    def early(self) -> str | None:
        return percent(self.row.early_rate)

    @property
    def satisfaction(self) -> str | None:
        return percent(self.row.satisfaction_rate)

    @property
    def compression(self) -> str | None:
        return percent(self.row.compression_rate)

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS.get(Grade(self.row.grade), "grey") if self.row.grade else "grey"


def _subject_url(row: PerformanceScore) -> str:
    if row.subject_kind == SubjectKind.DEPARTMENT:
        return reverse("supervision:score_department", args=[row.department_id])
    return reverse("supervision:score_window", args=[row.window_id])


def _table(rows: list[PerformanceScore], user: Any) -> list[ScoreRow]:
    own_department = getattr(user, "department_id", None)
    own_windows = (
        set(user.windows.values_list("pk", flat=True)) if hasattr(user, "windows") else set()
    )
    return [
        ScoreRow(
            row=row,
            name=sel.subject_name(row),
            url=_subject_url(row),
            own=(row.department_id is not None and row.department_id == own_department)
            or (row.window_id is not None and row.window_id in own_windows),
        )
        for row in rows
    ]


def _parse_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _chosen(request: HttpRequest) -> tuple[str, sel.Period | None]:
    """The period kind and period asked for (``?kind=&period=``), else the default."""
    kind = request.GET.get("kind", "")
    start = _parse_date(request.GET.get("period", ""))
    if kind in PeriodKind.values:
        if start and scores.period_start_of(kind, start) == start:
            return kind, sel.Period(kind, start)
        periods = sel.score_periods(kind)
        return kind, periods[0] if periods else None
    period = sel.default_period()
    return (period.kind if period else PeriodKind.QUARTER), period


def recent_periods(kind: str) -> list[sel.Period]:
    """The current period and the ones before it, for the recompute form."""
    current = scores.period_start_of(kind, clock.today())
    return [
        sel.Period(kind, scores.period_shift(kind, current, -n))
        for n in range(RECENT_PERIODS[kind])
    ]


@login_required
def score_ranking(request: HttpRequest) -> HttpResponse:
    user = sel.scores_reader(request)
    kind, period = _chosen(request)
    ctx: dict[str, Any] = {
        "kind": kind,
        "kinds": PeriodKind.choices,
        "period": period,
        "periods": sel.score_periods(kind),
        "scheme": scores.scheme_get(),
        "can_recompute": scores.may_recompute(user),
        "can_view_scheme": sel.may_view_scheme(user),
        "supervisor": has_perm(user, Perm.SUPERVISE),
        "recent": recent_periods(kind),
        "departments": [],
        "windows": [],
        "show_grade": period is not None and period.kind == PeriodKind.QUARTER,
    }
    if period is not None:
        ctx["departments"] = _table(sel.ranking(period, SubjectKind.DEPARTMENT), user)
        ctx["windows"] = _table(sel.ranking(period, SubjectKind.WINDOW), user)
        computed = [r.row.computed_at for r in ctx["departments"] + ctx["windows"]]
        ctx["computed_at"] = max(computed) if computed else None
    return render(request, "supervision/scores/ranking.html", ctx)


@login_required
@require_POST
def score_recompute(request: HttpRequest) -> HttpResponse:
    user = sel.scores_reader(request)
    kind = request.POST.get("kind", "")
    period = request.POST.get("period", "")
    try:
        scores.scores_recompute(actor=user, kind=kind, period_start=period)
    except scores.ScoreForbidden:
        raise deny(request, target=sel.TARGET, reason="may not recompute") from None
    except scores.ScoreError as err:
        messages.error(request, err.message)
        return redirect("supervision:scores")
    label = scores.period_label(kind, dt.date.fromisoformat(period))
    messages.success(request, _("已重新计算%(p)s的绩效得分。") % {"p": label})
    return redirect(
        reverse("supervision:scores") + "?" + urlencode({"kind": kind, "period": period})
    )


def _history(request: HttpRequest, subject_kind: str, subject: Any, name: str) -> HttpResponse:
    rows = sel.subject_history(subject_kind, subject.pk)
    ctx = {
        "subject_kind": subject_kind,
        "name": name,
        "rows": [ScoreRow(row=r, name=name, url="", own=False) for r in rows],
        "scheme": scores.scheme_get(),
    }
    return render(request, "supervision/scores/subject.html", ctx)


@login_required
def score_department(request: HttpRequest, department_id: int) -> HttpResponse:
    sel.scores_reader(request)
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise deny(request, target=f"{sel.TARGET}:department:{department_id}", reason="no such")
    return _history(request, SubjectKind.DEPARTMENT, department, department.name)


@login_required
def score_window(request: HttpRequest, window_id: int) -> HttpResponse:
    sel.scores_reader(request)
    window = Window.objects.filter(pk=window_id).first()
    if window is None:
        raise deny(request, target=f"{sel.TARGET}:window:{window_id}", reason="no such")
    return _history(request, SubjectKind.WINDOW, window, str(window))


class SchemeForm(forms.Form):
    """The scheme's ten numbers as text: the service checks them (one set of messages)."""

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in scores.SCHEME_FIELDS:
            self.fields[name] = forms.CharField(
                label=scores.scheme_label(name),
                max_length=10,
                required=False,
                disabled=read_only,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
            )


def _groups() -> list[tuple[str, tuple[str, ...]]]:
    return [
        (_("指标权重（合计 100）"), scores.WEIGHTS),
        (_("扣分"), scores.PENALTIES),
        (_("季度等次分数线"), scores.GRADES),
    ]


def _initial(scheme: Any) -> dict[str, str]:
    return scores.scheme_values(scheme)


@login_required
def score_scheme(request: HttpRequest) -> HttpResponse:
    user = sel.scheme_viewer(request)
    can_edit = scores.may_edit_scheme(user)
    scheme = scores.scheme_get()
    page = "supervision/scores/scheme.html"
    if request.method != "POST":
        form = SchemeForm(initial=_initial(scheme), read_only=not can_edit)
        ctx = {"form": form, "can_edit": can_edit, "scheme": scheme, "groups": _groups()}
        return render(request, page, ctx)
    if not can_edit:
        raise deny(request, target=f"{sel.TARGET}.scheme", reason="may not edit the scheme")
    form = SchemeForm(request.POST)
    form.is_valid()
    values = {name: form.cleaned_data.get(name, "") for name in scores.SCHEME_FIELDS}
    try:
        scores.scheme_update(actor=user, **values)
    except scores.SchemeInvalid as err:
        for field, errors in err.errors.items():
            for message in errors:
                form.add_error(None if field == scores.NON_FIELD else field, message)
        ctx = {"form": form, "can_edit": can_edit, "scheme": scheme, "groups": _groups()}
        return render(request, page, ctx, status=400)
    messages.success(request, _("绩效考核方案已保存；之后计算的得分按新方案计算。"))
    return redirect("supervision:score_scheme")


urlpatterns: list[URLPattern] = [
    path("supervision/scores/", score_ranking, name="scores"),
    path("supervision/scores/recompute/", score_recompute, name="score_recompute"),
    path("supervision/scores/scheme/", score_scheme, name="score_scheme"),
    path(
        "supervision/scores/department/<id:department_id>/",
        score_department,
        name="score_department",
    ),
    path("supervision/scores/window/<id:window_id>/", score_window, name="score_window"),
]
