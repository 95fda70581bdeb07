"""Writes of announcements and result publicity (docs/rules/publicity.md §L1–§L4), each in one
transaction; bad values raise ``core.errors.Invalid`` and store nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.roles import ROLE_PERMISSIONS, Perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.calendars.selectors import add_working_days
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.certificates.models import Certificate
from onewindow.core import clock
from onewindow.core.errors import Invalid
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_hand_over
from onewindow.publicity import texts
from onewindow.publicity.errors import (
    NotLeadDepartment,
    ObjectionAnswered,
    PublicityClosed,
    TooManyObjections,
)
from onewindow.publicity.models import (
    BODY_MAX,
    CONTACT_MAX,
    OBJECTION_MAX,
    TITLE_MAX,
    Announcement,
    AnnouncementCategory,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityRule,
    PublicityStatus,
    PublishedField,
)
from onewindow.review.models import Decision, DecisionKind, Task
from onewindow.sitehelp.validation import clean_text

# docs/rules/publicity.md §L4: at most this many objections by one person to one publicity.
MAX_OBJECTIONS_PER_PERSON = 3


# --- announcements (docs/rules/publicity.md §L1) ---
def _announcement_values(
    *, title: Any, body: Any, category: Any, publish_at: Any, expire_at: Any
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "title": clean_text(errors, "title", title, label=_("标题"), max_length=TITLE_MAX),
        "body": clean_text(errors, "body", body, label=_("正文"), max_length=BODY_MAX),
    }
    category = category or AnnouncementCategory.NOTICE
    if category not in AnnouncementCategory.values:
        errors.setdefault("category", []).append(_("请选择有效的栏目。"))
    values["category"] = category
    if publish_at is not None and not isinstance(publish_at, dt.datetime):
        errors.setdefault("publish_at", []).append(_("发布时间无效。"))
    if expire_at is not None and not isinstance(expire_at, dt.datetime):
        errors.setdefault("expire_at", []).append(_("下线时间无效。"))
    values["publish_at"] = publish_at if isinstance(publish_at, dt.datetime) else clock.now()
    values["expire_at"] = expire_at if isinstance(expire_at, dt.datetime) else None
    if values["expire_at"] is not None and values["expire_at"] <= values["publish_at"]:
        errors.setdefault("expire_at", []).append(_("下线时间必须晚于发布时间。"))
    if errors:
        raise Invalid(errors)
    return values


@transaction.atomic
def announcement_create(
    *,
    actor: Any,
    title: Any,
    body: Any,
    category: Any = "",
    publish_at: dt.datetime | None = None,
    expire_at: dt.datetime | None = None,
    published: bool = False,
) -> Announcement:
    values = _announcement_values(
        title=title, body=body, category=category, publish_at=publish_at, expire_at=expire_at
    )
    author = actor if getattr(actor, "is_authenticated", False) else None
    return Announcement.objects.create(**values, published=bool(published), author=author)


@transaction.atomic
def announcement_update(*, announcement: Announcement, changes: dict[str, Any]) -> Announcement:
    """Apply ``changes`` (any of title, body, category, publish_at, expire_at, published)."""
    current = {
        "title": announcement.title,
        "body": announcement.body,
        "category": announcement.category,
        "publish_at": announcement.publish_at,
        "expire_at": announcement.expire_at,
    }
    merged = {**current, **{k: v for k, v in changes.items() if k in current}}
    values = _announcement_values(**merged)
    for name, value in values.items():
        setattr(announcement, name, value)
    if "published" in changes:
        announcement.published = bool(changes["published"])
    announcement.save()
    return announcement


# --- result publicity (docs/rules/publicity.md §L2, §L3) ---
def mask_person_name(name: str) -> str:
    """A natural person's name as published: the surname's first character, the rest starred
    (张伟 → 张*, 欧阳娜娜 → 欧***)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def lead_department(case: Case) -> Department:
    """The department that answers objections: the lead task's, else the case's."""
    task = Task.objects.filter(case=case, is_lead=True).select_related("department").first()
    return task.department if task is not None else case.department


def _published_value(
    code: str, case: Case, decision: Decision, certificate: Certificate | None, dept: Department
) -> str:
    applicant: User = case.applicant
    if code == PublishedField.APPLICANT:
        if applicant.applicant_kind == ApplicantKind.ENTERPRISE:
            return applicant.full_name
        return mask_person_name(applicant.full_name)
    if code == PublishedField.CASE_NUMBER:
        return case.number or ""
    if code == PublishedField.ITEM_NAME:
        return case.item_version.name
    if code == PublishedField.DEPARTMENT:
        return dept.name
    if code == PublishedField.DECISION:
        return str(DecisionKind(decision.kind).label)
    if code == PublishedField.DECIDED_ON:
        return decision.decided_on.isoformat()
    if code == PublishedField.CERTIFICATE_SERIAL:
        return certificate.serial if certificate is not None else _("无")
    if code == PublishedField.VALID_UNTIL:
        if certificate is None:
            return _("无")
        until = certificate.valid_until
        return until.isoformat() if until is not None else _("长期有效")
    raise ValueError(code)


def publicity_publish(*, case: Case, now: dt.datetime | None = None) -> Publicity | None:
    """docs/rules/publicity.md §L2: publish the grant on ``case`` when its item's rule asks for it,
    with the rule's fields snapshotted; None when the item has no rule (or it is off), the case
    was not granted, or its publicity exists already. Runs in the caller's transaction."""
    now = now or clock.now()
    rule = PublicityRule.objects.filter(item_id=case.item_version.item_id, required=True).first()
    if rule is None:
        return None
    decision = Decision.objects.filter(case=case, kind=DecisionKind.GRANT).first()
    if decision is None or Publicity.objects.filter(case=case).exists():
        return None
    certificate = Certificate.objects.filter(case=case).first()
    dept = lead_department(case)
    with translation.override(settings.LANGUAGE_CODE):
        codes = [code for code in PublishedField.values if code in rule.fields]
        fields = [
            {
                "code": code,
                "label": str(PublishedField(code).label),
                "value": _published_value(code, case, decision, certificate, dept),
            }
            for code in codes
        ]
        title = _("%(item)s审批结果公示") % {"item": case.item_version.name}
    starts = decision.decided_on
    # docs/rules/publicity.md §L3: N working days after the decision day (the decision day itself not counted).
    ends = add_working_days(starts, rule.days).date
    search = " ".join([title, *(f["value"] for f in fields)]).lower()
    return Publicity.objects.create(
        case=case,
        item_id=case.item_version.item_id,
        department=dept,
        title=title[:TITLE_MAX],
        fields=fields,
        search_text=search,
        days=rule.days,
        starts_on=starts,
        ends_on=ends,
        published_at=now,
    )


def publicities_archive(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """docs/rules/publicity.md §L3: every open publicity whose last day has passed is archived,
    in one conditional UPDATE (safe with several workers)."""
    today = today or clock.today()
    return Publicity.objects.filter(status=PublicityStatus.OPEN, ends_on__lt=today).update(
        status=PublicityStatus.ARCHIVED, archived_at=now or clock.now()
    )


# --- objections (docs/rules/publicity.md §L4) ---
@transaction.atomic
def objection_lodge(
    *,
    publicity: Publicity,
    user: Any,
    text: Any,
    contact: Any = "",
    now: dt.datetime | None = None,
) -> Objection:
    now = now or clock.now()
    if not getattr(user, "is_authenticated", False):
        raise Invalid({"__all__": [_("请先登录再提出异议。")]})
    # Locked for the check: the job may be archiving it right now.
    publicity = (
        Publicity.objects.select_for_update().select_related("department").get(pk=publicity.pk)
    )
    if not publicity.accepts_objections(clock.local_date(now)):
        raise PublicityClosed(
            _("该公示的公示期已于 %(d)s 结束，不再受理异议。如有意见，请向%(dept)s反映。")
            % {"d": publicity.ends_on.isoformat(), "dept": publicity.department.name}
        )
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, "text", text, label=_("异议内容"), max_length=OBJECTION_MAX)
    contact = clean_text(
        errors, "contact", contact, label=_("联系方式"), max_length=CONTACT_MAX, required=False
    )
    if errors:
        raise Invalid(errors)
    lodged = Objection.objects.filter(publicity=publicity, objector=user).count()
    if lodged >= MAX_OBJECTIONS_PER_PERSON:
        raise TooManyObjections(
            _("您对该公示已提出 %(n)d 条异议，不能再提出。请等待部门答复。") % {"n": lodged}
        )
    objection = Objection.objects.create(
        publicity=publicity,
        department=publicity.department,
        objector=user,
        objector_name=user.full_name or user.username,
        text=text,
        contact=contact,
        created_at=now,
    )
    _department_notify(objection, now)
    return objection


def may_answer(user: Any, objection: Objection) -> bool:
    return bool(
        Perm.OBJECTION_ANSWER in ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
        and staff_in_department(user, objection.department_id)
    )


@transaction.atomic
def objection_answer(
    *, objection: Objection, actor: Any, answer: Any, now: dt.datetime | None = None
) -> Objection:
    now = now or clock.now()
    if not may_answer(actor, objection):
        raise NotLeadDepartment(_("只有牵头部门的审核人、批准人或首席代表可以答复该异议。"))
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, "answer", answer, label=_("答复内容"), max_length=OBJECTION_MAX)
    if errors:
        raise Invalid(errors)
    updated = Objection.objects.filter(pk=objection.pk, status=ObjectionStatus.OPEN).update(
        status=ObjectionStatus.ANSWERED, answer=text, answered_by=actor, answered_at=now
    )
    if not updated:
        raise ObjectionAnswered(_("该异议已经答复，不能重复答复。"))
    objection.refresh_from_db()
    _objector_notify(objection, now)
    return objection


def _queue(rows: list[OutboxMessage]) -> None:
    if rows:
        created = OutboxMessage.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        outbox_hand_over(ids)  # docs/rules/tasks.md §X4


def _objector_notify(objection: Objection, now: dt.datetime) -> None:
    """docs/rules/publicity.md §L4: the objector hears the answer (email and SMS on file)."""
    user = objection.objector
    if user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = texts.answered_subject(objection), texts.answered_body(objection)
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address.strip(),
            user=user,
            subject=subject[:200],
            body=body,
            case=objection.publicity.case,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone))
        if (address or "").strip()
    ]
    _queue(rows)


def _department_notify(objection: Objection, now: dt.datetime) -> None:
    """The lead department's answering staff get an email about a new objection."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.OBJECTION_ANSWER in perms]
    staff = User.objects.filter(
        department_id=objection.department_id, is_active=True, role__in=roles
    ).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = texts.lodged_subject(objection), texts.lodged_body(objection)
    _queue(
        [
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient=member.email,
                user=member,
                subject=subject[:200],
                body=body,
                case=objection.publicity.case,
                next_attempt_at=now,
                created_at=now,
            )
            for member in staff
        ]
    )
