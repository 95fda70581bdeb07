"""收费登记 at the window: the charges recorded on a case (the intake case page's fee section).

The clerk picks a line of the item's fee list (or names a charge off the list), the quantity
and the amount; ``cases.services.fees.case_fee_record`` records it with an event row. Off-list or
above-standard charges are marked on the page and carded by electronic supervision.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.cases import selectors
from onewindow.cases.errors import CaseError
from onewindow.cases.forms.intake import FeeForm
from onewindow.cases.services.fees import case_fee_record, fee_is_off_list
from onewindow.cases.views.intake import render_case


@login_required
@require_POST
def fee_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_clerk(request, case_id=case_id)
    form = FeeForm(request.POST, case=case)
    if not form.is_valid():
        error = _("未能登记收费，请按“收费登记”中的提示更正。")
        return render_case(request, case, status=400, error=error, fee_form=form)
    try:
        record = case_fee_record(case=case, actor=request.user, charge=form.charge())
    except CaseError as exc:
        form.add_error(None, exc.message)
        return render_case(request, case, status=400, error=exc.message, fee_form=form)
    if fee_is_off_list(record):
        messages.warning(
            request,
            _("已登记收费。该笔收费不在收费清单内或高于收费标准，电子监察将对其发红牌。"),
        )
    else:
        messages.success(
            request,
            _("已登记收费：%(name)s，实收 %(amount)s 元。")
            % {
                "name": record.name,
                "amount": record.amount,
            },
        )
    return redirect("cases:intake_case", case_id=case.pk)


urlpatterns: list[URLPattern] = [
    path("intake/<id:case_id>/fees/", fee_record, name="intake_fee"),
]
