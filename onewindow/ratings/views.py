"""Rating pages (docs/rules/satisfaction.md §E1–§E8): the applicant's rating of a case, the
one-time link, the window's rating pad and the clerk's arming of it, the department's bad reviews,
the rater's answer, the supervisor's appeals, and the published satisfaction and ranking.

Thin views: a selector fetches and checks access (anyone else: the logged 404), a service decides;
a refusal shows the service's Chinese message, stores nothing and answers 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.models import Case
from onewindow.catalog.models import Window
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.errors import DomainError, Invalid
from onewindow.ratings import selectors, services
from onewindow.ratings.models import (
    BAD_REVIEW_OPEN,
    COMMENT_MAX,
    Appeal,
    AppealReason,
    BadReview,
    BadReviewStatus,
    Level,
    RatingChannel,
)

LEVELS = [(value, label) for value, label in reversed(Level.choices)]  # 非常满意 first


def _errors(err: DomainError) -> list[str]:
    """Every message of a refusal, for the page's error summary."""
    if isinstance(err, Invalid):
        return [text for texts in err.errors.values() for text in texts]
    return [err.message]


def _rating_context(**extra: Any) -> dict[str, Any]:
    return {"levels": LEVELS, "comment_max": COMMENT_MAX, **extra}


def parse_month(value: str | None) -> dt.date | None:
    """``2025-11`` → 2025-11-01; anything else None."""
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- the applicant ------------------------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """评价办件: the applicant's own finished case, from 我的办件 or the progress page."""
    case = selectors.case_for_rater(request, case_id=case_id)
    context = _rating_context(case=case, finished=case.status in services.FINISHED)
    status = 200
    if request.method == "POST":
        try:
            services.rate_case(
                case,
                request.user,
                level=request.POST.get("level"),
                comment=request.POST.get("comment", ""),
            )
        except DomainError as err:
            context["errors"] = _errors(err)
            context["posted"] = request.POST
            status = 400
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("ratings:rate_case", case_id=case.pk)
    existing = [r for r in selectors.ratings_of_case(case) if r.channel == RatingChannel.WEB]
    service = selectors.service_of_case(case)
    context |= {
        "rating": existing[0] if existing else None,
        "all_ratings": selectors.ratings_of_case(case),
        "closed": service is not None and clock.now() >= service.rate_by,
        "rate_by": service.rate_by if service else None,
    }
    return render(request, "ratings/rate_case.html", context, status=status)


@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的评价: the rater's ratings and the reports on their bad reviews."""
    rows = list(selectors.ratings_of_rater(request.user)[:200])
    return render(request, "ratings/mine.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The rater answers the department's report on their bad review."""
    review = selectors.bad_review_for_rater(request, pk=pk)
    return _respond(request, review, user=request.user)


def _respond(
    request: HttpRequest, review: BadReview, *, user: Any = None, token: str = ""
) -> HttpResponse:
    context: dict[str, Any] = {"review": review, "comment_max": COMMENT_MAX}
    status = 200
    if request.method == "POST":
        choice = request.POST.get("satisfied", "")
        satisfied = {"yes": True, "no": False}.get(choice)
        try:
            if satisfied is None:
                raise Invalid({"satisfied": [_("请选择您对整改是否满意。")]})
            services.bad_review_respond(
                review,
                satisfied=satisfied,
                text=request.POST.get("text", ""),
                user=user,
                token=token,
            )
        except DomainError as err:
            context["errors"] = _errors(err)
            context["posted"] = request.POST
            status = 400
        else:
            return render(request, "ratings/thanks.html", {"responded": True})
    return render(request, "ratings/respond.html", context, status=status)


# --- the one-time link (no login) ---------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the completion message's link: rate once, no login."""
    found = services.link_find(token)
    try:
        services.link_check(found)
    except DomainError as err:
        return render(request, "ratings/link_refused.html", {"message": err.message}, status=400)
    assert found is not None
    if found.bad_review_id is not None:
        return _respond(request, found.bad_review, token=token)  # type: ignore[arg-type]
    context = _rating_context(service=found.service)
    if request.method == "POST":
        try:
            services.rate_by_link(
                token, level=request.POST.get("level"), comment=request.POST.get("comment", "")
            )
        except DomainError as err:
            context |= {"errors": _errors(err), "posted": request.POST}
            return render(request, "ratings/link.html", context, status=400)
        return render(request, "ratings/thanks.html", {})
    return render(request, "ratings/link.html", context)


# --- the window's rating pad (device token, no login) -------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def pad(request: HttpRequest, window_id: int, token: str) -> HttpResponse:
    """The tablet at a window: five large buttons for the armed service, then thanks, then the
    waiting screen."""
    found = services.pad_find(window_id, token)
    if found is None:
        raise deny(request, target=f"ratings.pad:{window_id}", reason="wrong device token")
    here = reverse("ratings:pad", args=[window_id, token])
    if request.method == "POST":
        try:
            services.pad_rate(
                found, level=request.POST.get("level"), comment=request.POST.get("comment", "")
            )
        except DomainError as err:
            context = {"pad": found, "here": here, "error": err.message, "levels": LEVELS}
            return render(request, "ratings/pad.html", context, status=400)
        return redirect(f"{here}?done=1")
    state = "thanks" if request.GET.get("done") == "1" else ("armed" if found.armed_id else "idle")
    context = {
        "pad": found,
        "here": here,
        "state": state,
        "levels": LEVELS,
        "comment_max": COMMENT_MAX,
    }
    return render(request, "ratings/pad.html", context)


# --- the clerk arms the pad ---------------------------------------------------------------------
def _clerk_windows(user: Any) -> list[Window]:
    return list(user.windows.filter(is_active=True).order_by("number"))


@never_cache
@login_required
@require_GET
def pads(request: HttpRequest) -> HttpResponse:
    """窗口评价器: the clerk's windows, what each pad is armed for, and the arming form."""
    user = require_perm(request, Perm.RATING_PAD)
    rows = [(window, services.pad_of(window)) for window in _clerk_windows(user)]
    return render(request, "ratings/pads.html", {"rows": rows})


def _window_for_clerk(request: HttpRequest, window_id: int) -> Window:
    user = require_perm(request, Perm.RATING_PAD)
    window = Window.objects.filter(pk=window_id).first()
    if window is None or not services.clerk_of_window(user, window):
        raise deny(request, target=f"catalog.window:{window_id}", reason="not the window's clerk")
    return window


@never_cache
@login_required
@require_POST
def pad_arm(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _window_for_clerk(request, window_id)
    number = request.POST.get("case_number", "").strip()
    case = None
    if number:
        case = Case.objects.filter(number=number).first()
        if case is None:
            messages.error(request, _("没有找到办件编号为“%(n)s”的办件。") % {"n": number[:40]})
            return redirect("ratings:pads")
    try:
        services.pad_arm(
            window,
            request.user,  # type: ignore[arg-type]
            description=request.POST.get("description", ""),
            case=case,
            rater_name=request.POST.get("rater_name", ""),
        )
    except DomainError as err:
        for text in _errors(err):
            messages.error(request, text)
        return redirect("ratings:pads")
    messages.success(request, _("评价器已启用，请服务对象在评价器上评价。"))
    return redirect("ratings:pads")


@never_cache
@login_required
@require_POST
def pad_token(request: HttpRequest, window_id: int) -> HttpResponse:
    """Issue a new device token: the pad's address is shown once."""
    window = _window_for_clerk(request, window_id)
    token = services.pad_token_issue(window)
    url = request.build_absolute_uri(reverse("ratings:pad", args=[window.pk, token]))
    return render(request, "ratings/pad_token.html", {"window": window, "url": url})


# --- the department's bad reviews ---------------------------------------------------------------
@never_cache
@login_required
@require_GET
def bad_reviews(request: HttpRequest) -> HttpResponse:
    """差评整改: the department's bad reviews, open ones by due date."""
    user = require_perm(request, Perm.RATING_HANDLE)
    status = request.GET.get("status", "")
    if status not in BadReviewStatus.values:
        status = ""
    rows = list(selectors.bad_reviews_for(user, status=status)[:300])
    context = {
        "rows": rows,
        "status": status,
        "statuses": BadReviewStatus.choices,
        "today": clock.today(),
        "open_statuses": BAD_REVIEW_OPEN,
    }
    return render(request, "ratings/bad_reviews.html", context)


STEPS = ("callback", "deadline", "rectify", "report", "appeal")


def _review_context(review: BadReview, **extra: Any) -> dict[str, Any]:
    return {
        "review": review,
        "rating": review.rating,
        "events": list(review.events.select_related("actor")),
        "appeal": Appeal.objects.filter(bad_review=review).first(),
        "appeal_reasons": AppealReason.choices,
        "today": clock.today(),
        "open": review.status in BAD_REVIEW_OPEN,
        **extra,
    }


@never_cache
@login_required
@require_GET
def bad_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.bad_review_for_handler(request, pk=pk)
    return render(request, "ratings/bad_review.html", _review_context(review))


def step_run(review: BadReview, step: str, user: Any, data: Any) -> None:
    """One step of the bad review's handling from a form or an API body."""
    if step == "callback":
        services.bad_review_call_back(review, user, note=data.get("note", ""))
    elif step == "deadline":
        raw = str(data.get("due_on", "")).strip()
        try:
            due = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise Invalid({"due_on": [_("请按“年-月-日”填写整改期限，例如 2025-11-20。")]}) from exc
        services.bad_review_set_deadline(review, user, due_on=due, plan=data.get("plan", ""))
    elif step == "rectify":
        services.bad_review_rectify(review, user, description=data.get("description", ""))
    elif step == "report":
        services.bad_review_report(review, user, text=data.get("text", ""))
    elif step == "appeal":
        services.appeal_file(
            review, user, reason=data.get("reason", ""), statement=data.get("statement", "")
        )


@never_cache
@login_required
@require_POST
def bad_review_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    review = selectors.bad_review_for_handler(request, pk=pk)
    if step not in STEPS:
        raise deny(request, target=f"ratings.badreview:{pk}:{step}", reason="unknown step")
    try:
        step_run(review, step, request.user, request.POST)
    except DomainError as err:
        review.refresh_from_db()
        context = _review_context(review, errors=_errors(err), failed=step, posted=request.POST)
        return render(request, "ratings/bad_review.html", context, status=400)
    messages.success(request, _("已保存。"))
    return redirect("ratings:bad_review", pk=review.pk)


# --- the supervisor's appeals -------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.RATING_APPEAL_DECIDE)
    return render(
        request, "ratings/appeals.html", {"rows": list(selectors.appeals_for(user)[:300])}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_perm(request, Perm.RATING_APPEAL_DECIDE)
    found = selectors.appeal_for_decider(request, pk=pk)
    context: dict[str, Any] = {"appeal": found, "review": found.bad_review}
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision not in ("accept", "reject"):
                raise Invalid({"decision": [_("请选择申诉成立或不成立。")]})
            services.appeal_decide(
                found,
                user,
                accept=decision == "accept",
                note=request.POST.get("note", ""),
            )
        except DomainError as err:
            found.refresh_from_db()
            context |= {"errors": _errors(err), "posted": request.POST}
            return render(request, "ratings/appeal.html", context, status=400)
        messages.success(request, _("已作出审核决定。"))
        return redirect("ratings:appeal", pk=found.pk)
    return render(request, "ratings/appeal.html", context)


# --- published satisfaction and ranking (public) ------------------------------------------------
@require_GET
def published(request: HttpRequest) -> HttpResponse:
    """满意度评价: satisfaction by department, window and item (a month, or all months)."""
    month = parse_month(request.GET.get("month"))
    since = until = month
    context = {
        "month": month,
        "months": selectors.months_with_ratings(),
        "total": selectors.satisfaction(since=since, until=until),
        "departments": selectors.by_department(since=since, until=until),
        "windows": selectors.by_window(since=since, until=until),
        "items": selectors.by_item(since=since, until=until),
        "levels": LEVELS,
        "config": services.config(),
    }
    return render(request, "ratings/published.html", context)


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """红旗窗口与末位窗口: one month's window ranking (the previous month by default)."""
    month = parse_month(request.GET.get("month")) or previous_month(clock.today())
    context = {
        "ranking": selectors.window_ranking(month),
        "months": selectors.months_with_ratings(),
    }
    return render(request, "ratings/ranking.html", context)
