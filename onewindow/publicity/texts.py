"""What the objector and the lead department are told (docs/rules/publicity.md §L4)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onewindow.publicity.models import Objection


def answered_subject(objection: Objection) -> str:
    return _("您对“%(t)s”提出的异议已答复") % {"t": objection.publicity.title}


def answered_body(objection: Objection) -> str:
    return _(
        "您于 %(d)s 对“%(t)s”提出的异议，%(dept)s已作出答复：\n%(a)s\n如有疑问，请联系%(dept)s。"
    ) % {
        "d": objection.created_at.date().isoformat(),
        "t": objection.publicity.title,
        "dept": objection.department.name,
        "a": objection.answer,
    }


def lodged_subject(objection: Objection) -> str:
    return _("收到公示异议：%(t)s") % {"t": objection.publicity.title}


def lodged_body(objection: Objection) -> str:
    return _(
        "%(dept)s：公示“%(t)s”（公示期至 %(e)s）收到一条异议，请在工作台“公示异议”栏目中核实并答复。"
    ) % {
        "dept": objection.department.name,
        "t": objection.publicity.title,
        "e": objection.publicity.ends_on.isoformat(),
    }
