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

from onewindow.cases.events import KINDS, Lines, ToApplicant
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
            _("受理部门：%(department)s。") % {"department": case.department.name},
        ]
        if case.query_code:
            lines.append(
                _("可凭办件编号和查询码 %(code)s 在政务服务网“进度查询”中查看进度。")
                % {"code": case.query_code}
            )
        return Text(subject_for(case, event.new_status), "\n".join(lines))


def _lines(code: str) -> Lines:
    kind = KINDS.find(code)
    notify = kind.notify if kind is not None else None
    return notify.lines if isinstance(notify, ToApplicant) else status_changed
