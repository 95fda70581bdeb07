"""The applicant's email/SMS texts for this app's case events (docs/product.md §C9); the kinds in
``certificates.events`` name them.

Each reads what it says from the event's own data, so a text composed after later changes still
says what happened at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services import APPEAL_RIGHTS
from onewindow.cases.texts import day
from onewindow.certificates.models import Certificate, DeliveryMethodChoice
from onewindow.core import clock

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _method(event: CaseEvent) -> str:
    method = event.data.get("method", "")
    return str(DeliveryMethodChoice(method).label) if method in DeliveryMethodChoice.values else ""


def issued(case: Case, event: CaseEvent) -> list[str]:
    certificate = Certificate.objects.filter(case=case).first()
    until = _("长期有效")
    if certificate is not None and certificate.valid_until is not None:
        until = _("有效期至 %(d)s") % {"d": day(certificate.valid_until)}
    return [
        _("您的证照已制发，证书编号 %(s)s，%(until)s。")
        % {"s": event.data.get("serial", ""), "until": until},
        _("请登录网上办事大厅“我的办件”选择领取方式（窗口领取、邮政寄递或电子证照下载）。"),
    ]


def chosen(case: Case, event: CaseEvent) -> list[str]:
    method = event.data.get("method")
    lines = [_("您选择的送达方式：%(m)s。") % {"m": _method(event)}]
    if method == DeliveryMethodChoice.WINDOW:
        place = case.department.hall_location or case.department.name
        lines.append(_("请携带本人身份证件到 %(p)s 窗口领取。") % {"p": place})
    elif method == DeliveryMethodChoice.POST:
        lines.append(
            _("证照将寄往：%(a)s，寄出后我们会告知运单号。") % {"a": event.data.get("address", "")}
        )
    else:
        lines.append(_("请登录网上办事大厅“我的办件”下载电子证照，首次下载即视为送达。"))
    return lines


def sent(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("您的证照已由 %(c)s 寄出，运单号 %(t)s，请注意查收。")
        % {"c": event.data.get("carrier", ""), "t": event.data.get("tracking_number", "")}
    ]


def delivered(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("证照已送达（%(m)s），本办件已办结。感谢您的配合，欢迎对本次服务作出评价。")
        % {"m": _method(event)}
    ]


def lifecycle(word: StrOrPromise) -> Callable[[Case, CaseEvent], list[str]]:
    def lines(case: Case, event: CaseEvent) -> list[str]:
        return [
            _("您的证照（编号 %(s)s）已于 %(d)s 被发证机关%(w)s，理由：%(r)s。")
            % {
                "s": event.data.get("serial", ""),
                "d": day(clock.local_date(event.at)),
                "w": word,
                "r": event.reason.rstrip("。"),
            },
            str(APPEAL_RIGHTS),
        ]

    return lines


def renewed(case: Case, event: CaseEvent) -> list[str]:
    lines = [event.reason] if event.reason else []
    if event.action == "renewal_deemed":
        lines.append(_("证照编号和二维码不变，可在网上办事大厅“证照核验”栏目查验新的有效期。"))
    return lines
