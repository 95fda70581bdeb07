"""Supervisor console (电子监察), live feed (现场直播) and risk register pages (docs/product.md §C10).

Read-only: supervisors (Perm.CASE_READ_ALL) see every department's cases, the whole trail and
the integrity-risk register; no page here posts to a case action. Anyone else: logged 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.accounts.roles import Perm, role_label
from onewindow.accounts.selectors import require_perm
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseStatus
from onewindow.cases.selectors import due_state
from onewindow.cases.services import false_commitment_record
from onewindow.cases.views.intake import fee_context
from onewindow.catalog.risks import risk_points_register
from onewindow.core import clock
from onewindow.core.pagination import count_bounded, count_label, keyset_page_html
from onewindow.lib.ids import parse_id
from onewindow.review.views.decisions import history_context
from onewindow.supervision.selectors import cards_by_case
from onewindow.supervision.selectors import console as sel


def _int(value: str | None) -> int | None:
    number = parse_id(value or "")
    return number if number else None


def case_filter(params: QueryDict) -> sel.CaseFilter:
    """The console's filters from a query string; unknown values are ignored, never a 500."""
    status = params.get("status", "")
    return sel.CaseFilter(
        department=_int(params.get("department")),
        status=status if status in CaseStatus.values else "",
        item=params.get("item", "").strip()[:50],
        overdue=params.get("overdue") == "1",
        flagged=params.get("flagged") == "1",
        number=params.get("q", "").strip()[:40],
    )


def _query_without_page(params: QueryDict) -> str:
    kept = params.copy()
    kept.pop("page", None)
    kept.pop("cursor", None)
    return kept.urlencode()


@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """Every case, filtered, by nearest deadline."""
    sel.require_supervisor(request)
    filters = case_filter(request.GET)
    today = clock.today()
    # docs/rules/scale.md §Y2, §Y3: pages by cursor; the total is a bounded count ("1000+").
    found = sel.console_cases(filters, today=today)
    page = keyset_page_html(
        found, sel.CONSOLE_ORDER, cursor=request.GET.get("cursor"), size=sel.PAGE_SIZE
    )
    cases = page.rows
    # docs/product.md §C10: every department's cards of each case, one query for the page.
    cards = cards_by_case(case.pk for case in cases)
    rows = [
        (
            case,
            due_state(case.deadline, today=today)
            if case.deadline and case.status not in sel.NOT_RUNNING
            else None,
            cards.get(case.pk, []),
        )
        for case in cases
    ]
    return render(
        request,
        "supervision/console/cases.html",
        {
            "page": page,
            "total": count_label(count_bounded(found)),
            "rows": rows,
            "filters": filters,
            "departments": sel.departments(),
            "statuses": [s for s in CaseStatus if s != CaseStatus.DRAFT],
            "query": _query_without_page(request.GET),
        },
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The whole case, read-only: facts, materials, notices, opinions, decisions, flags, trail."""
    case = sel.console_case_get(request, case_id=case_id)
    today = clock.today()
    running = case.status not in sel.NOT_RUNNING
    return render(
        request,
        "supervision/console/case.html",
        {
            **history_context(case),
            "case": case,
            "intake_due_state": due_state(case.intake_due, today=today)
            if case.intake_due and case.status == CaseStatus.SUBMITTED
            else None,
            "decision_due_state": due_state(case.decision_due, today=today)
            if case.decision_due and running
            else None,
            "lines": sel.case_lines(case),
            "notices": case.notices.order_by("issued_at", "pk"),
            **fee_context(case),
            "fee_form": None,  # read-only: the console never changes a case
            "tasks": sel.case_tasks(case),
            "flags": sel.case_flags(case),
            "cards": cards_by_case([case.pk]).get(case.pk, []),
            "false_commitments": case.applicant.false_commitments.order_by("-recorded_at"),
            "events": [
                (
                    event,
                    sel.action_label(event.action),
                    _status_change(event),
                    role_label(event.actor_role),
                )
                for event in sel.case_events(case)
            ],
        },
    )


def _status_change(event: Any) -> str:
    if not event.new_status or event.new_status == event.old_status:
        return ""
    old = sel.status_label(event.old_status) if event.old_status else "—"
    return f"{old} → {sel.status_label(event.new_status)}"


@login_required
@require_GET
def case_file(request: HttpRequest, case_id: int, file_id: int) -> FileResponse:
    """A material file of any case, for the supervisor, always as an attachment."""
    case = sel.console_case_get(request, case_id=case_id)
    stored = sel.console_case_file(request, case=case, file_id=file_id).stored
    response = FileResponse(
        default_storage.open(stored.path, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """现场直播: the newest case actions; ``feed.js`` then polls the API for newer ones."""
    sel.require_supervisor(request, target="supervision:feed")
    department = _int(request.GET.get("department"))
    action = request.GET.get("action", "")
    action = action if sel.action_known(action) else ""
    # ``?rule=<code>``: only cases with a card of that rule; an unknown code is ignored.
    rule = sel.feed_rule(request.GET.get("rule", ""))
    events = sel.feed_events(department=department, action=action, rule=rule)
    # 发牌动态: the cards issued, a second table of the page (same department/rule filters).
    cards = sel.feed_cards(department=department, rule=rule)
    return render(
        request,
        "supervision/console/feed.html",
        {
            "rows": [sel.feed_row(event) for event in events],
            "last_id": events[0].pk if events else 0,
            "card_rows": [sel.card_feed_row(card) for card in cards],
            "cards_last_id": cards[0].pk if cards else 0,
            "department": department,
            "action": action,
            "rule": rule.code if rule else "",
            "departments": sel.departments(),
            "actions": sel.feed_actions(),
            "rules": sel.feed_rules(),
        },
    )


@login_required
@require_GET
def risks(request: HttpRequest) -> HttpResponse:
    """廉政风险点及防控措施 of the items in force, by department."""
    require_perm(request, Perm.SUPERVISE, target="supervision:risks")
    department = _int(request.GET.get("department"))
    return render(
        request,
        "supervision/risks.html",
        {
            "risk_points": risk_points_register(department_id=department),
            "department": department,
            "departments": sel.departments(),
        },
    )


@login_required
@require_POST
def case_false_commitment(request: HttpRequest, case_id: int) -> HttpResponse:
    """G1: the supervisor records that the case's applicant made a false commitment (告知承诺制);
    from then on the applicant may not choose the commitment route. Before 三员分立 this was only
    possible in the Django admin for a supervising superuser (docs/decisions.md §S9)."""
    case = sel.console_case_get(request, case_id=case_id)
    try:
        false_commitment_record(
            applicant=case.applicant,
            case=case,
            note=request.POST.get("note", "")[:2000],
            recorded_by=request.user,
        )
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记虚假承诺记录；该申请人今后不能再选择告知承诺制。"))
    return redirect("supervision:console_case", case_id=case.pk)


urlpatterns: list[URLPattern] = [
    path("supervision/cases/", console, name="console"),
    path(
        "supervision/cases/<id:case_id>/false-commitment/",
        case_false_commitment,
        name="console_false_commitment",
    ),
    path("supervision/cases/<id:case_id>/", case_detail, name="console_case"),
    path(
        "supervision/cases/<id:case_id>/files/<id:file_id>/",
        case_file,
        name="console_case_file",
    ),
    path("supervision/feed/", feed, name="feed"),
    path("supervision/risks/", risks, name="risks"),
]
