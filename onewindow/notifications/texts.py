"""The words of a status notification: stand-alone Chinese text, no link needed
(docs/product.md §C9).

Every text names the case number, the item, the new status, the deadline that matters now and
what the applicant has to do. The opening and closing lines are the same for every event; the
lines between them are the event kind's own (``cases.events.ToApplicant.lines``, written by the
app that owns the kind), or the committed deadline for a kind without words of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.cases.events import KINDS, Lines, ToApplicant, event_label
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.texts import status_changed, status_label


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def subject_for(case: Case, new_status: str) -> str:
    """The email subject, known at the moment of the transition."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("办件 %(number)s：%(status)s") % {
            "number": case.number or "",
            "status": status_label(new_status),
        }


def compose(event: CaseEvent) -> Text:
    """Subject and body for the applicant, in the site's language whatever the request's."""
    case = event.case
    with translation.override(settings.LANGUAGE_CODE):
        action = _lines(event.action)
        lines = [
            _("您好！您的办件（编号 %(number)s，事项：%(item)s）当前状态：%(status)s。")
            % {
                "number": case.number or "",
                "item": case.item_version.name,
                "status": status_label(event.new_status),
            },
            *action(case, event),
            *_on_behalf(event),
            _("受理部门：%(department)s。") % {"department": case.department.name},
        ]
        if case.query_code:
            lines.append(
                _("可凭办件编号和查询码 %(code)s 在政务服务网“进度查询”中查看进度。")
                % {"code": case.query_code}
            )
        return Text(subject_for(case, event.new_status), "\n".join(lines))


def _on_behalf(event: CaseEvent) -> list[str]:
    """An agent's action names the agent (docs/rules/mandates.md §T5)."""
    if event.on_behalf_of_id is None or event.actor is None:
        return []
    return [_("本次操作由代办员 %(agent)s 代表您办理。") % {"agent": event.actor}]


def agent_action(case: Case, event: CaseEvent) -> Text:
    """What the principal is told of an agent's action that tells nobody else
    (docs/rules/mandates.md §T5): who did what on which case, and how to stop it."""
    with translation.override(settings.LANGUAGE_CODE):
        action = event_label(event.action)
        number = case.number or _("草稿 #%(pk)s") % {"pk": case.pk}
        subject = _("代办员代表您办理：%(action)s（%(number)s）") % {
            "action": action,
            "number": number,
        }
        lines = [
            _("您好！代办员 %(agent)s 代表您（%(principal)s）办理了：%(action)s。")
            % {"agent": event.actor or "", "principal": case.applicant, "action": action},
            _("办件：%(number)s，事项：%(item)s，当前状态：%(status)s。")
            % {
                "number": number,
                "item": case.item_version.name,
                "status": status_label(event.new_status or case.status),
            },
        ]
        if event.data.get("material"):
            lines.append(
                _("涉及材料：%(m)s %(f)s")
                % {"m": event.data["material"], "f": event.data.get("file", "")}
            )
        lines.append(
            _("如非您委托，请立即登录“我的代办委托”撤销委托，撤销后代办员立即不能再办理您的办件。")
        )
        return Text(subject, "\n".join(line.strip() for line in lines))


def _lines(code: str) -> Lines:
    kind = KINDS.find(code)
    notify = kind.notify if kind is not None else None
    return notify.lines if isinstance(notify, ToApplicant) else status_changed
