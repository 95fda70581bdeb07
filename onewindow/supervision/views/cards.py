"""Supervision pages (cards): the department's card list and the supervisor's card console.

Department staff see their department's cards and explain / report rectification; supervisors
see every card and confirm / cancel with a reason. Anyone else: 404, logged (selectors).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.catalog.models import Department
from onewindow.core.access import deny
from onewindow.lib.ids import parse_id
from onewindow.supervision import selectors, services
from onewindow.supervision.errors import CardConflict, CardError, CardForbidden
from onewindow.supervision.models import Card, CardStatus, ObjectKind, SupervisionLetter


class CardActionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("内容"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


# action → (service, keyword, label, who may: "department" | "supervisor", allowed statuses)
ACTIONS: dict[str, tuple[Any, str, Any, str, tuple[str, ...]]] = {
    "explain": (
        services.card_explain,
        "text",
        pgettext_lazy("supervision card", "情况说明"),
        "department",
        (CardStatus.ISSUED,),
    ),
    "confirm": (
        services.card_confirm,
        "reason",
        gettext_lazy("确认意见"),
        "supervisor",
        (CardStatus.EXPLAINED,),
    ),
    "cancel": (
        services.card_cancel,
        "reason",
        gettext_lazy("撤销理由"),
        "supervisor",
        (CardStatus.ISSUED, CardStatus.EXPLAINED),
    ),
    "rectify": (
        services.card_rectify,
        "text",
        gettext_lazy("整改情况"),
        "department",
        (CardStatus.CONFIRMED,),
    ),
}


def _available(request: HttpRequest, card: Card) -> list[tuple[str, Any, CardActionForm]]:
    """The forms this user may submit on this card now."""
    supervisor = has_perm(request.user, Perm.SUPERVISE)
    own = staff_in_department(request.user, card.department_id)
    result = []
    for name, (_service, _kw, label, who, statuses) in ACTIONS.items():
        if card.status in statuses and (supervisor if who == "supervisor" else own):
            result.append((name, label, CardActionForm(initial={"revision": card.revision})))
    return result


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CardStatus.values:
        status = ""
    supervisor = has_perm(request.user, Perm.SUPERVISE)
    department = request.GET.get("department", "")
    if supervisor:
        cards = selectors.cards_for_supervisor(
            request,
            status=status,
            department_id=parse_id(department),
        )
    else:
        cards = selectors.cards_for_department(request, status=status)
    page = Paginator(cards, 50).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "supervisor": supervisor,
        "status": status,
        "statuses": CardStatus.choices,
        "department": department,
        "departments": Department.objects.order_by("code") if supervisor else [],
    }
    return render(request, "supervision/cards/list.html", ctx)


@login_required
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    card, _user = selectors.card_get(request, card_id)
    return render(request, "supervision/cards/detail.html", _context(request, card))


def _context(request: HttpRequest, card: Card, **extra: Any) -> dict[str, Any]:
    # The letter a letter_overdue card is about, and the letters issued about this card.
    about = Q(pk=card.object_id) if card.object_kind == ObjectKind.LETTER else Q(pk__in=[])
    letters = SupervisionLetter.objects.filter(about | Q(card=card)).order_by("issued_at")
    return {
        "card": card,
        "card_letters": list(letters),
        "actions": _available(request, card),
        "supervisor": has_perm(request.user, Perm.SUPERVISE),  # the console's sub-tabs
        **extra,
    }


@login_required
@require_POST
def card_act(request: HttpRequest, card_id: int, action: str) -> HttpResponse:
    card, user = selectors.card_get(request, card_id)
    if action not in ACTIONS:
        raise deny(request, target=f"supervision.card:{card_id}", reason="unknown action")
    service, keyword, _label, _who, _statuses = ACTIONS[action]
    form = CardActionForm(request.POST)
    if not form.is_valid():
        ctx = _context(request, card, error=_("请填写内容后再提交。"))
        return render(request, "supervision/cards/detail.html", ctx, status=400)
    if form.cleaned_data["revision"] != card.revision:
        ctx = _context(request, card, error=_("该监察牌在您打开页面后已发生变化，请查看最新状态。"))
        return render(request, "supervision/cards/detail.html", ctx, status=409)
    try:
        service(card=card, actor=user, **{keyword: form.cleaned_data["text"]})
    except CardForbidden:
        reason = f"may not {action}"
        raise deny(request, target=f"supervision.card:{card_id}", reason=reason) from None
    except CardConflict as err:
        card.refresh_from_db()
        ctx = _context(request, card, error=err.message)
        return render(request, "supervision/cards/detail.html", ctx, status=409)
    except CardError as err:
        ctx = _context(request, card, error=err.message)
        return render(request, "supervision/cards/detail.html", ctx, status=400)
    messages.success(request, _("已提交。"))
    return redirect("supervision:card", card_id=card.pk)


urlpatterns: list[URLPattern] = [
    path("supervision/cards/", card_list, name="cards"),
    path("supervision/cards/<id:card_id>/", card_detail, name="card"),
    path("supervision/cards/<id:card_id>/<str:action>/", card_act, name="card_act"),
]
