"""Queue pages (docs/rules/hall.md §J10–§J15): the kiosk and the ticket it gives (no login, large
type), the calling display (no login), the clerk's window and the chiefs' times page."""

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
from onewindow.catalog.models import Item, Window
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address
from onewindow.lib.ids import parse_id
from onewindow.queue import selectors, services
from onewindow.queue.errors import TooManyTickets
from onewindow.queue.models import PriorityReason, Ticket, TicketSource, TicketStatus

MAX_RANGE_DAYS = 366


def kiosk_items() -> list[tuple[int, str]]:
    rows = (
        Item.objects.filter(published_version__isnull=False)
        .order_by("sort", "code")
        .values_list("pk", "published_version__name")
    )
    return [(pk, name) for pk, name in rows]


def issue_request(data: Any) -> services.IssueRequest:
    """The issue form's fields; an id that is not a number is left out (the service then says
    what is missing)."""
    return services.IssueRequest(
        line_id=parse_id(str(data.get("line", "") or "")),
        item_id=parse_id(str(data.get("item", "") or "")),
        appointment_code=str(data.get("appointment_code", "") or "")[:40],
        priority=str(data.get("priority", "") or ""),
        credit_code=str(data.get("credit_code", "") or "")[:40],
    )


def _kiosk_context(**extra: Any) -> dict[str, Any]:
    return {
        "lines": list(selectors.active_lines()),
        "items": kiosk_items(),
        "reasons": PriorityReason.choices,
        **extra,
    }


# --- the kiosk (no login) ------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """J10: take a ticket by business category, item or appointment code."""
    if request.method == "POST":
        try:
            services.kiosk_rate_spend(client_address(request))
            ticket = services.issue(issue_request(request.POST), source=TicketSource.KIOSK)
        except DomainError as err:
            context = _kiosk_context(error=err.message, posted=request.POST)
            code = 429 if isinstance(err, TooManyTickets) else 400
            return render(request, "queue/kiosk.html", context, status=code)
        return redirect("queue:ticket", token=ticket.token)
    return render(request, "queue/kiosk.html", _kiosk_context())


@never_cache
@require_GET
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The ticket just taken: number, how many are ahead; a print view (queue.css print rules)."""
    found = services.ticket_by_token(token)
    if found is None:
        raise deny(request, target="queue.ticket", reason="unknown ticket token")
    context = {
        "ticket": found,
        "ahead": services.ahead_of(found),
        "waiting": found.status == TicketStatus.WAITING,
    }
    return render(request, "queue/ticket.html", context)


# --- the calling display (no login) --------------------------------------------------------------
@never_cache
@require_GET
def display(request: HttpRequest) -> HttpResponse:
    """J13: the hall's screen; static/queue/display.js polls the JSON and plays the cue."""
    context = {
        **selectors.display(),
        "data_url": reverse("api:queue-display"),
    }
    return render(request, "queue/display.html", context)


# --- the clerk at the window ---------------------------------------------------------------------
def _window_for_clerk(request: HttpRequest, window_id: int) -> Window:
    user = require_perm(request, Perm.QUEUE_SERVE)
    window = Window.objects.filter(pk=window_id).first()
    if window is None or not services.clerk_of(user, window):
        raise deny(request, target=f"catalog.window:{window_id}", reason="not the window's clerk")
    return window


def _ticket_for(request: HttpRequest, window: Window, data: Any) -> Ticket:
    pk = parse_id(str(data.get("ticket", "") or ""))
    found = Ticket.objects.filter(pk=pk).first() if pk else None
    if found is None or not (
        found.served_by_id == window.pk
        or services.waiting_at(window, found.day).filter(pk=found.pk).exists()
    ):
        raise deny(request, target=f"queue.ticket:{pk}", reason="not a ticket of the window")
    return found


@never_cache
@login_required
@require_GET
def windows(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.QUEUE_SERVE)
    rows = list(user.windows.filter(is_active=True).order_by("number"))
    if len(rows) == 1:
        return redirect("queue:window", window_id=rows[0].pk)
    return render(request, "queue/windows.html", {"rows": rows})


@never_cache
@login_required
@require_GET
def window(request: HttpRequest, window_id: int) -> HttpResponse:
    """J12: the window's current ticket, its queue in calling order, the actions."""
    found = _window_for_clerk(request, window_id)
    today = clock.today()
    context = {
        "window": found,
        "current": services.current_at(found, today),
        "order": services.order_at(found, today),
        "skipped": Ticket.objects.filter(
            day=today, served_by=found, status=TicketStatus.SKIPPED
        ).order_by("last_called_at"),
        "streak": services.priority_streak(found, today),
        "limit": services.priority_streak_limit(),
        "targets": Window.objects.filter(is_active=True).exclude(pk=found.pk).order_by("number"),
        **_kiosk_context(),
    }
    return render(request, "queue/window.html", context)


ACTIONS = ("call", "recall", "skip", "finish", "transfer", "issue")


@never_cache
@login_required
@require_POST
def window_action(request: HttpRequest, window_id: int, action: str) -> HttpResponse:
    found = _window_for_clerk(request, window_id)
    if action not in ACTIONS:
        raise deny(request, target=f"queue.action:{action[:40]}", reason="unknown action")
    user = request.user
    try:
        text = run_action(request, found, action, user, request.POST)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, text)
    return redirect("queue:window", window_id=found.pk)


def run_action(request: HttpRequest, window: Window, action: str, user: Any, data: Any) -> str:
    """One clerk action; the success message. Shared by the page and the API."""
    if action == "call":
        called = services.call_next(window, user)
        return _("已呼叫 %(n)s。") % {"n": called.number}
    if action == "issue":
        issued = services.issue(issue_request(data), source=TicketSource.CLERK, actor=user)
        return _("已取号 %(n)s。") % {"n": issued.number}
    target = _ticket_for(request, window, data)
    if action == "recall":
        services.recall(window, target, user)
        return _("已重呼 %(n)s。") % {"n": target.number}
    if action == "skip":
        services.skip(window, target, user)
        return _("%(n)s 已过号，当天可重呼。") % {"n": target.number}
    if action == "finish":
        services.finish(window, target, user, case_number=str(data.get("case_number", "")))
        return _("%(n)s 办理完毕。") % {"n": target.number}
    services.transfer(
        window,
        target,
        user,
        to_window_id=parse_id(str(data.get("to_window", "") or "")),
        to_line_id=parse_id(str(data.get("to_line", "") or "")),
    )
    return _("%(n)s 已转移，按原取号时间排队。") % {"n": target.number}


# --- waiting and service times (chiefs, supervisors) ---------------------------------------------
def parse_range(data: Any) -> tuple[dt.date, dt.date, str]:
    """``from`` and ``to`` (YYYY-MM-DD, default today); an error message or ""."""
    today = clock.today()
    try:
        start = dt.date.fromisoformat(str(data.get("from") or today.isoformat()))
        end = dt.date.fromisoformat(str(data.get("to") or start.isoformat()))
    except ValueError:
        return today, today, _("日期格式应为“年-月-日”，如 2026-03-02。")
    if end < start:
        return today, today, _("结束日期不能早于开始日期。")
    if (end - start).days >= MAX_RANGE_DAYS:
        return today, today, _("统计区间最长一年。")
    return start, end, ""


@never_cache
@login_required
@require_GET
def times(request: HttpRequest) -> HttpResponse:
    """J14: waiting and service times per window and per item."""
    require_perm(request, Perm.QUEUE_STATS)
    start, end, error = parse_range(request.GET)
    context = {
        "start": start,
        "end": end,
        "error": error,
        "by_window": selectors.times(start, end, by="window"),
        "by_item": selectors.times(start, end, by="item"),
    }
    return render(request, "queue/times.html", context, status=400 if error else 200)
