"""Writes of consultation and complaints (docs/rules/consultation.md), each in one transaction.

Every refusal is a ``ConsultError`` family error with a Chinese message, raised before anything
is written. Replies to questions and to complaints queue an email and an SMS to the asker /
complainant in the outbox, in the same transaction (``notify_user``), sent after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, Role, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.calendars.selectors import add_working_days
from onewindow.cases.models import Case
from onewindow.catalog.models import Department, Item, Window
from onewindow.consult.errors import ConsultForbidden, ConsultInvalid
from onewindow.consult.masking import mask_personal_data
from onewindow.consult.models import (
    COMPLAINT_MACHINE,
    QUESTION_MACHINE,
    REPLY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Complaint,
    ComplaintEvent,
    ComplaintResult,
    ComplaintStatus,
    Question,
    QuestionStatus,
)
from onewindow.core import clock
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_hand_over


# --- input checks (docs/rules/consultation.md §K5) ----------------------------------------------
def clean_text(value: Any, *, what: str, limit: int) -> str:
    """``value`` stripped; empty, whitespace-only, too long or with a NUL is refused."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ConsultInvalid({"__all__": [_("请填写%(what)s。") % {"what": what}]})
    if len(text) > limit:
        raise ConsultInvalid(
            {"__all__": [_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": limit}]}
        )
    if "\x00" in text:
        raise ConsultInvalid({"__all__": [_("%(what)s含有无效字符。") % {"what": what}]})
    return text


def _field(name: str, value: Any, *, what: str, limit: int) -> str:
    try:
        return clean_text(value, what=what, limit=limit)
    except ConsultInvalid as err:
        raise ConsultInvalid({name: err.errors["__all__"]}) from None


def reply_due_for(asked_on: dt.date, days: int | None = None) -> dt.date:
    """docs/rules/consultation.md §K1: ``days`` working days after the day asked (counting
    starts the next day, only working days count — docs/rules/workdays.md §A3)."""
    return add_working_days(asked_on, days or settings.CONSULT_REPLY_DAYS).date


def question_target(
    *, department_id: int | None, item_code: str | None
) -> tuple[Department, Item | None]:
    """The department a question goes to: the item's (an item implies its department), or the
    chosen one. Inactive or unknown departments and unpublished or unknown items are refused."""
    item: Item | None = None
    if item_code:
        item = (
            Item.objects.select_related("department", "published_version")
            .filter(code=item_code, published_version__isnull=False, department__is_active=True)
            .first()
        )
        if item is None:
            raise ConsultInvalid({"item": [_("没有找到该事项，或该事项已停止办理。")]})
        if department_id is not None and department_id != item.department_id:
            raise ConsultInvalid({"department": [_("所选部门不是该事项的实施部门。")]})
        return item.department, item
    if department_id is None:
        raise ConsultInvalid({"department": [_("请选择咨询的部门或事项。")]})
    department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise ConsultInvalid({"department": [_("没有找到该部门，或该部门已停止受理咨询。")]})
    return department, None


# --- questions ----------------------------------------------------------------------------------
@transaction.atomic
def question_ask(
    *,
    asker: User,
    title: Any,
    text: Any,
    department_id: int | None = None,
    item_code: str | None = None,
    consent_publish: bool = False,
    now: dt.datetime | None = None,
) -> Question:
    """A signed-in applicant asks a department (or about an item); the reply is due
    ``CONSULT_REPLY_DAYS`` working days later (docs/rules/consultation.md §K1)."""
    if not has_perm(asker, Perm.CONSULT_ASK):
        raise ConsultForbidden(_("请以申请人身份登录后再提交咨询。"))
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, value, what, limit in (
        ("title", title, _("咨询标题"), TITLE_MAX),
        ("text", text, _("咨询内容"), TEXT_MAX),
    ):
        try:
            values[name] = _field(name, value, what=what, limit=limit)
        except ConsultInvalid as err:
            errors.update(err.errors)
    try:
        department, item = question_target(department_id=department_id, item_code=item_code)
    except ConsultInvalid as err:
        errors.update(err.errors)
    if errors:
        raise ConsultInvalid(errors)
    now = now or clock.now()
    days = settings.CONSULT_REPLY_DAYS
    return Question.objects.create(
        asker=asker,
        department=department,
        item=item,
        title=values["title"],
        text=values["text"],
        consent_publish=bool(consent_publish),
        asked_at=now,
        reply_days=days,
        reply_due=reply_due_for(clock.local_date(now), days),
    )


def may_answer(user: Any, question: Question) -> bool:
    """Department staff answer their own department's questions.

    docs/rules/consultation.md §K1."""
    return has_perm(user, Perm.CONSULT_ANSWER) and staff_in_department(user, question.department_id)


def may_publish(user: Any, question: Question) -> bool:
    """Its department's reviewers and heads publish FAQ (docs/rules/consultation.md §K2)."""
    return has_perm(user, Perm.CONSULT_PUBLISH) and staff_in_department(
        user, question.department_id
    )


@transaction.atomic
def question_reply(
    *, question: Question, actor: User, reply: Any, now: dt.datetime | None = None
) -> Question:
    """Answer an open question; the asker is notified (email and SMS in the outbox)."""
    if not may_answer(actor, question):
        raise ConsultForbidden(_("只能答复本部门收到的咨询。"))
    QUESTION_MACHINE.check(question, to=QuestionStatus.ANSWERED)
    text = _field("reply", reply, what=_("答复内容"), limit=REPLY_MAX)
    now = now or clock.now()
    QUESTION_MACHINE.move(
        question,
        to=QuestionStatus.ANSWERED,
        reply=text,
        replied_by=actor,
        replied_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("您的咨询“%(t)s”已答复") % {"t": question.title}
        body = _("%(d)s已答复您于 %(day)s 提交的咨询“%(t)s”：\n\n%(reply)s") % {
            "d": question.department.name,
            "day": clock.local_date(question.asked_at).isoformat(),
            "t": question.title,
            "reply": text,
        }
    notify_user(question.asker, subject=subject, body=body, now=now)
    return question


def faq_proposal(question: Question) -> dict[str, str]:
    """The public version a publisher starts from: the texts with personal data masked."""
    names = [question.asker.full_name, question.asker.legal_representative]
    return {
        "public_title": mask_personal_data(question.title, names),
        "public_text": mask_personal_data(question.text, names),
        "public_reply": mask_personal_data(question.reply, names),
    }


@transaction.atomic
def question_publish(
    *,
    question: Question,
    actor: User,
    public_title: Any = None,
    public_text: Any = None,
    public_reply: Any = None,
    now: dt.datetime | None = None,
) -> Question:
    """Publish an answered question as FAQ with the edited public texts, only with the asker's
    consent; the masks apply again to what the publisher wrote (omitted texts: the masked
    proposal). docs/rules/consultation.md §K2."""
    if not may_publish(actor, question):
        raise ConsultForbidden(_("只有本部门的审核人或负责人可以公开常见问题。"))
    if not question.consent_publish:
        raise ConsultInvalid({"__all__": [_("咨询人未同意公开，该咨询不能作为常见问题公开。")]})
    if question.status != QuestionStatus.ANSWERED:
        raise ConsultInvalid({"__all__": [_("咨询答复后才能公开为常见问题。")]})
    proposal = faq_proposal(question)
    names = [question.asker.full_name, question.asker.legal_representative]
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value, what, limit in (
        ("public_title", public_title, _("公开标题"), TITLE_MAX),
        ("public_text", public_text, _("公开的问题"), TEXT_MAX),
        ("public_reply", public_reply, _("公开的答复"), REPLY_MAX),
    ):
        try:
            raw = proposal[name] if value is None else value
            values[name] = mask_personal_data(_field(name, raw, what=what, limit=limit), names)
        except ConsultInvalid as err:
            errors.update(err.errors)
    if errors:
        raise ConsultInvalid(errors)
    QUESTION_MACHINE.write(
        question,
        published=True,
        published_by=actor,
        published_at=now or clock.now(),
        **values,
    )
    return question


@transaction.atomic
def question_unpublish(*, question: Question, actor: User) -> Question:
    """Take a FAQ off the public pages (the question and its reply stay)."""
    if not may_publish(actor, question):
        raise ConsultForbidden(_("只有本部门的审核人或负责人可以撤下常见问题。"))
    if not question.published:
        raise ConsultInvalid({"__all__": [_("该咨询没有公开为常见问题。")]})
    QUESTION_MACHINE.write(question, published=False)
    return question


# --- complaints ---------------------------------------------------------------------------------
def complaint_staff(number: Any) -> User | None:
    """The staff member a complaint names by work number (工号, the account name): an active
    window or department member; None when nobody matches."""
    number = number.strip() if isinstance(number, str) else ""
    if not number:
        return None
    return User.objects.filter(username=number, is_active=True, role__in=DEPARTMENT_ROLES).first()


@transaction.atomic
def complaint_file(
    *,
    complainant: User,
    title: Any,
    text: Any,
    window_id: int | None = None,
    staff_number: str | None = None,
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """docs/rules/consultation.md §K3: a complaint about a window and/or a staff member."""
    if not has_perm(complainant, Perm.COMPLAINT_FILE):
        raise ConsultForbidden(_("请以申请人身份登录后再提交投诉。"))
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, value, what, limit in (
        ("title", title, _("投诉事由"), TITLE_MAX),
        ("text", text, _("投诉内容"), TEXT_MAX),
    ):
        try:
            values[name] = _field(name, value, what=what, limit=limit)
        except ConsultInvalid as err:
            errors.update(err.errors)
    window = None
    if window_id is not None:
        window = Window.objects.filter(pk=window_id, is_active=True).first()
        if window is None:
            errors["window"] = [_("没有找到该窗口。")]
    staff = None
    if staff_number is not None and str(staff_number).strip():
        staff = complaint_staff(staff_number)
        if staff is None:
            errors["staff_number"] = [
                _("没有找到工号为“%(n)s”的窗口或部门工作人员。")
                % {"n": str(staff_number).strip()[:30]}
            ]
    if window_id is None and not (staff_number and str(staff_number).strip()):
        errors.setdefault("__all__", []).append(_("请选择被投诉的窗口或填写工作人员工号。"))
    case = None
    if case_id is not None:
        case = Case.objects.filter(pk=case_id).filter(applicant=complainant).first() or (
            Case.objects.filter(pk=case_id, agent=complainant).first()
        )
        if case is None:
            errors["case"] = [_("没有找到您的这件办件。")]
    if errors:
        raise ConsultInvalid(errors)
    now = now or clock.now()
    complaint = Complaint.objects.create(
        complainant=complainant,
        window=window,
        staff=staff,
        case=case,
        title=values["title"],
        text=values["text"],
        submitted_at=now,
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now,
        actor=complainant,
        action="submitted",
        new_status=ComplaintStatus.SUBMITTED,
    )
    _supervisors_notify(complaint, now)
    return complaint


def _supervisors_notify(complaint: Complaint, now: dt.datetime) -> None:
    """An e-mail to every active supervisor: a complaint is waiting (its subject and where to
    find it; the complainant is not named in the e-mail)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("新投诉：%(t)s") % {"t": complaint.title}
        body = _("收到一件新投诉“%(t)s”，请在“投诉处理”栏目中调查处理并答复投诉人。") % {
            "t": complaint.title
        }
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(email=""):
        notify_user(supervisor, subject=subject, body=body, now=now, channels=(Channel.EMAIL,))


def _require_handler(actor: User) -> None:
    if not has_perm(actor, Perm.COMPLAINT_HANDLE):
        raise ConsultForbidden(_("只有电子监察人员可以处理投诉。"))


def _event(
    complaint: Complaint, actor: User, old: str, new: str, note: str, now: dt.datetime
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        at=now,
        actor=actor,
        action=new if old != new else "noted",
        old_status=old,
        new_status=new,
        note=note,
    )


@transaction.atomic
def complaint_handle(
    *, complaint: Complaint, actor: User, notes: Any, now: dt.datetime | None = None
) -> Complaint:
    """Record the investigation (调查处理情况); the first record starts the handling."""
    _require_handler(actor)
    COMPLAINT_MACHINE.check(complaint, to=ComplaintStatus.HANDLING)
    text = _field("notes", notes, what=_("调查处理情况"), limit=REPLY_MAX)
    now = now or clock.now()
    combined = f"{complaint.handling_notes}\n\n{text}".strip() if complaint.handling_notes else text
    COMPLAINT_MACHINE.move(
        complaint,
        to=ComplaintStatus.HANDLING,
        record=lambda old, new: _event(complaint, actor, old, new, text, now),
        handling_notes=combined,
        handled_by=actor,
    )
    return complaint


@transaction.atomic
def complaint_conclude(
    *,
    complaint: Complaint,
    actor: User,
    result: Any,
    reply: Any,
    now: dt.datetime | None = None,
) -> Complaint:
    """Record the result and the reply; the complainant is notified."""
    _require_handler(actor)
    COMPLAINT_MACHINE.check(complaint, to=ComplaintStatus.CLOSED)
    errors: dict[str, list[str]] = {}
    if result not in ComplaintResult.values:
        errors["result"] = [_("请选择处理结果。")]
    try:
        text = _field("reply", reply, what=_("答复内容"), limit=REPLY_MAX)
    except ConsultInvalid as err:
        errors.update(err.errors)
    if errors:
        raise ConsultInvalid(errors)
    now = now or clock.now()
    COMPLAINT_MACHINE.move(
        complaint,
        to=ComplaintStatus.CLOSED,
        record=lambda old, new: _event(complaint, actor, old, new, text, now),
        result=result,
        reply=text,
        closed_at=now,
        handled_by=actor,
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("您的投诉“%(t)s”已办结") % {"t": complaint.title}
        body = _("您于 %(day)s 提交的投诉“%(t)s”已办结，处理结果：%(r)s。\n\n%(reply)s") % {
            "day": clock.local_date(complaint.submitted_at).isoformat(),
            "t": complaint.title,
            "r": ComplaintResult(result).label,
            "reply": text,
        }
    notify_user(complaint.complainant, subject=subject, body=body, now=now)
    return complaint


# --- notifications -----------------------------------------------------------------------------
def notify_user(
    user: User,
    *,
    subject: str,
    body: str,
    now: dt.datetime,
    channels: tuple[str, ...] = (Channel.EMAIL, Channel.SMS),
) -> list[OutboxMessage]:
    """One email and one SMS (where the account has the address) in the caller's transaction,
    delivered after commit like every outbox message."""
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address,
            user=user,
            subject=subject[:200],
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone))
        if channel in channels and (address or "").strip()
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    outbox_hand_over(ids)  # docs/rules/tasks.md §X4
    return created
