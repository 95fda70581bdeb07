"""The 督办函 as a PDF (onewindow.lib.pdf, embedded CJK font); the reply is appended when given."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.calendars.texts import workdays_text
from onewindow.core import clock
from onewindow.lib.pdf import Block, Document, Facts, Heading, render_document
from onewindow.supervision.models import LetterStatus, SupervisionLetter

ISSUER = "电子监察"


def _date(value: dt.date | None) -> str:
    """``2025-10-14`` → ``2025年10月14日``."""
    if value is None:
        return ""
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def _person(user: User | None) -> str:
    return "" if user is None else str(user)


def letter_document(letter: SupervisionLetter) -> Document:
    """What the letter says (tests read this directly)."""
    with translation.override("zh-hans"):
        facts = [
            (_("文号"), letter.number),
            (_("被督办部门"), letter.department.name),
            (_("督办事由"), letter.subject),
        ]
        if letter.case is not None:
            facts.append((_("办件编号"), letter.case.number or str(letter.case_id)))
        facts += [
            (_("回复期限"), workdays_text(letter.response_days)),
            (_("回复截止日期"), _date(letter.response_due)),
            (_("发函人"), _person(letter.issued_by)),
        ]
        blocks: list[Block] = [
            Facts(facts),
            Heading(_("督办内容")),
            *[line for line in letter.text.splitlines() if line.strip()],
            _("请于 %(due)s 前书面回复办理情况。逾期未回复的，本函升级督办并发出红牌。")
            % {"due": _date(letter.response_due)},
        ]
        if letter.response:
            blocks += [
                Heading(_("部门回复")),
                Facts(
                    [
                        (_("回复人"), _person(letter.responded_by)),
                        (
                            _("回复时间"),
                            _date(clock.local_date(letter.responded_at))
                            if letter.responded_at
                            else "",
                        ),
                    ]
                ),
                *[line for line in letter.response.splitlines() if line.strip()],
            ]
        if letter.status == LetterStatus.CLOSED:
            blocks += [Heading(_("办结意见")), letter.close_note]
        elif letter.status == LetterStatus.ESCALATED:
            blocks += [_("本函逾期未回复，已升级督办。")]
        return Document(
            issuer=ISSUER,
            title=_("督办函"),
            number=letter.number,
            addressee=letter.department.name + ":",
            blocks=blocks,
            issued_on=_date(clock.local_date(letter.issued_at)),
            subject=letter.number,
            seal_note=_("（电子监察盖章）"),
            footer=_("督办函"),
        )


def letter_pdf(letter: SupervisionLetter) -> bytes:
    return render_document(letter_document(letter))


def letter_response(letter: SupervisionLetter) -> HttpResponse:
    """The letter as a private PDF attachment."""
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    name = f"letter-{letter.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
