"""Supervision letter pages (督办函, docs/rules/supervision.md §D8).

Supervisors list every letter (by status / department), issue one (also from a card page:
``?card=<id>``) and close a replied letter; the department's staff see their letters and reply.
The PDF is downloadable by both. Anyone else: 404, logged (``selectors.letters``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.core.access import deny
from onewindow.lib.ids import parse_id
from onewindow.supervision.errors import LetterConflict, LetterError, LetterForbidden
from onewindow.supervision.models import Card, LetterStatus, SupervisionLetter
from onewindow.supervision.pdf.letters import letter_response
from onewindow.supervision.selectors import letters as letter_selectors
from onewindow.supervision.services import letters


class LetterIssueForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("被督办部门"),
        queryset=Department.objects.order_by("code"),
        error_messages={"required": gettext_lazy("请选择被督办部门。")},
    )
    case_number = forms.CharField(label=gettext_lazy("办件编号（可选）"), required=False)
    card = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject = forms.CharField(
        label=gettext_lazy("督办事由"),
        max_length=letters.SUBJECT_MAX,
        error_messages={"required": gettext_lazy("请填写督办事由。")},
    )
    text = forms.CharField(
        label=gettext_lazy("督办内容"),
        max_length=letters.TEXT_MAX,
        error_messages={"required": gettext_lazy("请填写督办内容。")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    response_days = forms.IntegerField(
        label=gettext_lazy("回复期限（工作日，1–20）"),
        initial=letters.RESPONSE_DAYS_DEFAULT,
        error_messages={
            "required": gettext_lazy("请填写回复期限。"),
            "invalid": gettext_lazy("回复期限须为整数个工作日。"),
        },
    )


class LetterTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("内容"),
        max_length=letters.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in LetterStatus.values:
        status = ""
    supervisor = has_perm(request.user, Perm.SUPERVISE)
    department = request.GET.get("department", "")
    if supervisor:
        rows = letter_selectors.letters_for_supervisor(
            request, status=status, department_id=parse_id(department)
        )
    else:
        rows = letter_selectors.letters_for_department(request, status=status)
    ctx = {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "supervisor": supervisor,
        "status": status,
        "statuses": LetterStatus.choices,
        "department": department,
        "departments": Department.objects.order_by("code") if supervisor else [],
    }
    return render(request, "supervision/letters/list.html", ctx)


def _card_of(request: HttpRequest, card_id: int | None) -> Card | None:
    if not card_id:
        return None
    card = Card.objects.select_related("case", "department").filter(pk=card_id).first()
    if card is None:
        raise deny(request, target=f"supervision.card:{card_id}", reason="no such card")
    return card


@login_required
def letter_new(request: HttpRequest) -> HttpResponse:
    """The issue form (supervisors); from a card page it starts filled in from the card."""
    user = require_perm(request, Perm.SUPERVISE, target="supervision.letter")
    if request.method != "POST":
        raw = request.GET.get("card", "")
        card = _card_of(request, parse_id(raw))
        initial: dict[str, Any] = {"response_days": letters.RESPONSE_DAYS_DEFAULT}
        if card is not None:
            initial |= {
                "card": card.pk,
                "department": card.department_id,
                "case_number": card.case.number if card.case else "",
                "subject": f"{card.rule.name}({card.get_level_display()})",
                "text": card.detail,
            }
        form = LetterIssueForm(initial=initial)
        ctx = {"form": form, "card": card, "supervisor": True}
        return render(request, "supervision/letters/new.html", ctx)
    form = LetterIssueForm(request.POST)
    card = None
    if form.is_valid():
        card = _card_of(request, form.cleaned_data["card"])
        case = None
        number = form.cleaned_data["case_number"].strip()
        if number:
            case = Case.objects.filter(number=number).first()
            if case is None:
                form.add_error("case_number", _("没有编号为 %(n)s 的办件。") % {"n": number})
        if form.is_valid():
            try:
                letter = letters.letter_issue(
                    actor=user,
                    department=form.cleaned_data["department"],
                    case=case,
                    card=card,
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                    response_days=form.cleaned_data["response_days"],
                )
            except LetterError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, _("督办函 %(n)s 已发出。") % {"n": letter.number})
                return redirect("supervision:letter", letter_id=letter.pk)
    ctx = {"form": form, "card": card, "supervisor": True}
    return render(request, "supervision/letters/new.html", ctx, status=400)


def _context(request: HttpRequest, letter: SupervisionLetter, **extra: Any) -> dict[str, Any]:
    supervisor = has_perm(request.user, Perm.SUPERVISE)
    form = LetterTextForm(initial={"revision": letter.revision})
    return {
        "letter": letter,
        "supervisor": supervisor,  # the console's sub-tabs
        "can_respond": letters.may_respond(request.user, letter)
        and letter.status in letters.OPEN_STATUSES,
        "can_close": supervisor and letter.status == LetterStatus.RESPONDED,
        "form": form,
        **extra,
    }


@login_required
def letter_detail(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter, _user = letter_selectors.letter_get(request, letter_id)
    return render(request, "supervision/letters/detail.html", _context(request, letter))


def _act(request: HttpRequest, letter_id: int, action: str) -> HttpResponse:
    letter, user = letter_selectors.letter_get(request, letter_id)
    page = "supervision/letters/detail.html"
    form = LetterTextForm(request.POST)
    if not form.is_valid():
        ctx = _context(request, letter, error=_("请填写内容后再提交。"))
        return render(request, page, ctx, status=400)
    if form.cleaned_data["revision"] != letter.revision:
        ctx = _context(
            request, letter, error=_("该督办函在您打开页面后已发生变化，请查看最新状态。")
        )
        return render(request, page, ctx, status=409)
    text = form.cleaned_data["text"]
    try:
        if action == "respond":
            letters.letter_respond(letter=letter, actor=user, text=text)
        else:
            letters.letter_close(letter=letter, actor=user, note=text)
    except LetterForbidden:
        target = f"supervision.letter:{letter_id}"
        raise deny(request, target=target, reason=f"may not {action}") from None
    except LetterConflict as err:
        letter.refresh_from_db()
        return render(request, page, _context(request, letter, error=err.message), status=409)
    except LetterError as err:
        return render(request, page, _context(request, letter, error=err.message), status=400)
    messages.success(request, _("已提交。"))
    return redirect("supervision:letter", letter_id=letter.pk)


@login_required
@require_POST
def letter_respond(request: HttpRequest, letter_id: int) -> HttpResponse:
    return _act(request, letter_id, "respond")


@login_required
@require_POST
def letter_close(request: HttpRequest, letter_id: int) -> HttpResponse:
    return _act(request, letter_id, "close")


@login_required
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter, _user = letter_selectors.letter_get(request, letter_id)
    return letter_response(letter)


urlpatterns: list[URLPattern] = [
    path("supervision/letters/", letter_list, name="letters"),
    path("supervision/letters/new/", letter_new, name="letter_new"),
    path("supervision/letters/<id:letter_id>/", letter_detail, name="letter"),
    path("supervision/letters/<id:letter_id>/respond/", letter_respond, name="letter_respond"),
    path("supervision/letters/<id:letter_id>/close/", letter_close, name="letter_close"),
    path("supervision/letters/<id:letter_id>/pdf/", letter_pdf, name="letter_pdf"),
]
