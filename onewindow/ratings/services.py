"""Writes of satisfaction ratings (docs/rules/satisfaction.md §E1–§E9), each in one transaction.

Every rating change — a rating given, a default recorded, a rating excluded by an accepted appeal —
updates ``RatingTally`` in the same transaction (``_tally_add``), so the published figures and the
supervision scores never disagree with the ratings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import staff_in_department
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.transitions import event_record
from onewindow.catalog.models import Window
from onewindow.core import clock
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.notifications.services import outbox_hand_over
from onewindow.ratings.errors import Forbidden, Invalid, RatingRefused
from onewindow.ratings.models import (
    APPEAL_MACHINE,
    BAD_LEVELS,
    BAD_REVIEW_MACHINE,
    BAD_REVIEW_OPEN,
    COMMENT_MAX,
    Appeal,
    AppealReason,
    AppealStatus,
    BadReview,
    BadReviewEvent,
    BadReviewStatus,
    Level,
    Rating,
    RatingChannel,
    RatingConfig,
    RatingLink,
    RatingPad,
    RatingTally,
    Service,
    ServiceKind,
)

# docs/rules/satisfaction.md §E1: a case is rated once it is finished (办结 or 不予许可).
FINISHED = (CaseStatus.COMPLETED, CaseStatus.REFUSED)
NOTE_MAX = 2000
DEFAULT_BATCH = 500


# --- settings -----------------------------------------------------------------------------------
def config() -> RatingConfig:
    """The administrator's settings row, or the defaults while there is none."""
    return RatingConfig.objects.filter(pk=1).first() or RatingConfig(pk=1)


def month_of(moment: dt.datetime) -> dt.date:
    return clock.local_date(moment).replace(day=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- the tally (docs/rules/satisfaction.md §E9) -------------------------------------------------
def _tally_add(rating: Rating, delta: int) -> None:
    """Count ``rating`` in (``delta`` = 1) or out of (-1) its tally row, in the caller's
    transaction. A row is created on first use; two writers creating it at once meet the
    unique index, and the loser adds to the winner's row."""
    key = {
        "month": rating.month,
        "department_id": rating.department_id,
        "item_id": rating.item_id,
        "window_id": rating.window_id,
        "level": rating.level,
    }
    rows = RatingTally.objects.filter(**key)
    if rows.update(count=F("count") + delta):
        return
    if delta < 0:
        raise RuntimeError(f"no tally row to take rating {rating.pk} out of")
    try:
        with transaction.atomic():
            RatingTally.objects.create(**key, count=delta)
    except IntegrityError:
        rows.update(count=F("count") + delta)


# --- services (what is rated) -------------------------------------------------------------------
def _rate_by(finished_at: dt.datetime) -> dt.datetime:
    return finished_at + dt.timedelta(days=config().default_after_days)


def service_for_case(case: Case, *, now: dt.datetime | None = None) -> Service:
    """The finished case's service (created on first use; the completion hand-off makes it)."""
    found = Service.objects.filter(kind=ServiceKind.CASE, case=case).first()
    if found is not None:
        return found
    finished = case.closed_at or now or clock.now()
    service = Service(
        kind=ServiceKind.CASE,
        case=case,
        department_id=case.department_id,
        item_id=case.item_version.item_id,
        window_id=case.intake_window_id,
        rater_id=case.applicant_id,
        finished_at=finished,
        rate_by=_rate_by(finished),
    )
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError:  # made at the same moment by another request
        return Service.objects.get(kind=ServiceKind.CASE, case=case)
    return service


def link_create(service: Service, *, bad_review: BadReview | None = None) -> str:
    """A one-time link token for ``service`` (rating) or ``bad_review`` (the response)."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    expires = (
        service.rate_by
        if bad_review is None
        else now + dt.timedelta(days=config().default_after_days)
    )
    RatingLink.objects.create(
        service=service,
        bad_review=bad_review,
        token_hash=_hash(token),
        expires_at=expires,
        created_at=now,
    )
    return token


def link_url(token: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse("ratings:link", args=[token])


def _queue(user: User | None, *, subject: str, body: str, case: Case | None) -> list[int]:
    """Email and SMS to ``user`` (composed now), sent after commit through the outbox."""
    if user is None:
        return []
    now = clock.now()
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address.strip(),
            user=user,
            subject=subject[:200],
            body=body,
            case=case,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone))
        if (address or "").strip()
    ]
    if not rows:
        return []
    ids = [row.pk for row in OutboxMessage.objects.bulk_create(rows)]
    outbox_hand_over(ids)  # docs/rules/tasks.md §X4
    return ids


def case_finished(case: Case, event: Any, actor: Any = None) -> None:
    """The hand-off on a case entering a finished status: its service, and the one-time rating
    link to the applicant by SMS/email (docs/rules/satisfaction.md §E4)."""
    service = service_for_case(case, now=event.at)
    token = link_create(service)
    days = config().default_after_days
    body = _(
        "您的办件 %(number)s（%(item)s）已办结。请您对本次服务作出评价（好差评）：%(url)s 。"
        "链接 %(days)s 日内有效，仅可使用一次；也可登录“我的办件”评价。"
    ) % {
        "number": case.number,
        "item": case.item_version.name,
        "url": link_url(token),
        "days": days,
    }
    _queue(case.applicant, subject=_("请对办件服务作出评价"), body=body, case=case)


# --- giving a rating ----------------------------------------------------------------------------
def _clean(level: Any, comment: str, *, channel: str) -> tuple[int, str]:
    """docs/rules/satisfaction.md §E1: a level of the five; a comment of at most 500 characters,
    required for a bad review given on the web or by link. Stored as plain text."""
    errors: dict[str, list[str]] = {}
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        errors["level"] = [_("请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。")]
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [
            _("评价内容最多 %(max)s 个字，您填写了 %(n)s 个字。")
            % {"max": COMMENT_MAX, "n": len(comment)}
        ]
    elif value in BAD_LEVELS and not comment and channel in (RatingChannel.WEB, RatingChannel.LINK):
        errors["comment"] = [_("选择“不满意”或“非常不满意”时，请写明不满意的原因，以便整改。")]
    if errors:
        raise Invalid(errors)
    return value, comment


def _already() -> RatingRefused:
    return RatingRefused(_("您已通过该渠道评价过这项服务，每项服务每个渠道只能评价一次。"))


def rating_give(
    service: Service,
    *,
    channel: str,
    level: Any,
    comment: str = "",
    rater: User | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Store one rating (web, link or pad) and everything that follows from it, atomically."""
    now = now or clock.now()
    value, text = _clean(level, comment, channel=channel)
    if now >= service.rate_by:
        raise RatingRefused(
            _("评价期限已过（服务完成后 %(days)s 日内可以评价）。")
            % {"days": config().default_after_days}
        )
    if Rating.objects.filter(service=service, channel=channel).exists():
        raise _already()
    try:
        with transaction.atomic():
            return _rating_store(service, channel, value, text, rater, now)
    except IntegrityError as exc:  # the database's one-per-channel constraint: a double submit
        raise _already() from exc


def _rating_store(
    service: Service, channel: str, level: int, comment: str, rater: User | None, now: dt.datetime
) -> Rating:
    rating = Rating.objects.create(
        service=service,
        channel=channel,
        level=level,
        comment=comment,
        rater=rater,
        rated_at=now,
        month=month_of(now),
        department_id=service.department_id,
        item_id=service.item_id,
        window_id=service.window_id,
    )
    _tally_add(rating, 1)
    if level in BAD_LEVELS:
        _bad_review_open(rating, service, now)
    if service.case is not None:
        event_record(
            service.case,
            actor=rater,
            action="case_rated",
            public=False,
            now=now,
            data={"rating": rating.pk, "level": level, "channel": channel},
        )
    return rating


def _bad_review_open(rating: Rating, service: Service, now: dt.datetime) -> BadReview:
    """docs/rules/satisfaction.md §E5: the bad review goes to the department that handled the
    case (and, for a window service, to the clerk who served)."""
    days = config().rectify_working_days
    due = get_calendar().add_working_days(clock.local_date(now), days).date
    review = BadReview.objects.create(
        rating=rating,
        department_id=service.department_id,
        case_id=service.case_id,
        assignee_id=service.staff_id,
        created_at=now,
        due_on=due,
    )
    BadReviewEvent.objects.create(
        bad_review=review, at=now, action="opened", new_status=review.status
    )
    return review


def rate_case(case: Case, user: Any, *, level: Any, comment: str = "") -> Rating:
    """The applicant rates their own finished case from their account (channel web)."""
    if getattr(user, "pk", None) != case.applicant_id:
        raise Forbidden(_("只能评价本人的办件。"))
    if case.status not in FINISHED:
        raise RatingRefused(_("办件办结后才能评价。"))
    return rating_give(
        service_for_case(case), channel=RatingChannel.WEB, level=level, comment=comment, rater=user
    )


def link_find(token: str) -> RatingLink | None:
    if not token or len(token) > 100:
        return None
    return (
        RatingLink.objects.select_related(
            "service__case__item_version", "service__department", "bad_review__rating"
        )
        .filter(token_hash=_hash(token))
        .first()
    )


def link_check(link: RatingLink | None, *, now: dt.datetime | None = None) -> RatingLink:
    """The link, if it can still be used; else the refusal that says why."""
    now = now or clock.now()
    if link is None:
        raise RatingRefused(_("评价链接无效，请核对短信或邮件中的链接。"))
    if link.used_at is not None:
        raise RatingRefused(_("该评价链接已经使用过，每个链接只能使用一次。"))
    if now >= link.expires_at:
        raise RatingRefused(_("该评价链接已过期。"))
    return link


def _link_use(link: RatingLink, now: dt.datetime) -> None:
    """Claim the link with a conditional UPDATE: of two submits exactly one gets it."""
    if not RatingLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise RatingRefused(_("该评价链接已经使用过，每个链接只能使用一次。"))
    link.used_at = now


@transaction.atomic
def rate_by_link(token: str, *, level: Any, comment: str = "") -> Rating:
    """A rating through the one-time link of the completion message (channel link)."""
    now = clock.now()
    link = link_check(link_find(token), now=now)
    if link.bad_review_id is not None:
        raise RatingRefused(_("评价链接无效，请核对短信或邮件中的链接。"))
    service = link.service
    _clean(level, comment, channel=RatingChannel.LINK)  # a bad value never uses up the link
    _link_use(link, now)
    return rating_give(
        service,
        channel=RatingChannel.LINK,
        level=level,
        comment=comment,
        rater=service.rater,
        now=now,
    )


# --- the rating pad (docs/rules/satisfaction.md §E4) --------------------------------------------
def clerk_of_window(user: Any, window: Window) -> bool:
    return bool(has_perm(user, Perm.RATING_PAD) and user.windows.filter(pk=window.pk).exists())


def pad_of(window: Window) -> RatingPad:
    pad, _created = RatingPad.objects.get_or_create(window=window)
    return pad


def pad_token_issue(window: Window) -> str:
    """A new device token for the window's pad (the old one stops working)."""
    token = secrets.token_urlsafe(24)
    pad = pad_of(window)
    RatingPad.objects.filter(pk=pad.pk).update(token_hash=_hash(token), revision=F("revision") + 1)
    return token


def pad_find(window_id: int, token: str) -> RatingPad | None:
    if not token or len(token) > 100:
        return None
    return (
        RatingPad.objects.select_related("window", "armed__case__item_version")
        .filter(window_id=window_id, token_hash=_hash(token))
        .exclude(token_hash="")
        .first()
    )


@transaction.atomic
def pad_arm(
    window: Window,
    clerk: User,
    *,
    description: str = "",
    case: Case | None = None,
    rater_name: str = "",
    now: dt.datetime | None = None,
) -> Service:
    """The clerk arms the pad for the service just given: a window service (about a case of
    their department, or a plain one described in a few words)."""
    if not clerk_of_window(clerk, window):
        raise Forbidden(_("只有本窗口的工作人员可以启用评价器。"))
    description = (description or "").strip()
    rater_name = (rater_name or "").strip()
    errors: dict[str, list[str]] = {}
    if case is None and not description:
        errors["description"] = [_("请填写办件编号或服务内容。")]
    if len(description) > 200:
        errors["description"] = [_("服务内容最多 200 个字。")]
    if len(rater_name) > 100:
        errors["rater_name"] = [_("姓名最多 100 个字。")]
    if errors:
        raise Invalid(errors)
    if case is not None and not staff_in_department(clerk, case.department_id):
        raise Forbidden(_("只能为本部门的办件启用评价器。"))
    department_id = case.department_id if case is not None else clerk.department_id
    if department_id is None:
        raise Forbidden(_("您不属于任何部门，不能启用评价器。"))
    now = now or clock.now()
    service = Service.objects.create(
        kind=ServiceKind.WINDOW,
        case=case,
        department_id=department_id,
        item_id=case.item_version.item_id if case is not None else None,
        window=window,
        staff=clerk,
        rater_id=case.applicant_id if case is not None else None,
        rater_name=rater_name or (case.applicant.full_name if case is not None else ""),
        description=description or (case.item_version.name if case is not None else ""),
        finished_at=now,
        rate_by=_rate_by(now),
    )
    pad = pad_of(window)
    RatingPad.objects.filter(pk=pad.pk).update(
        armed=service, armed_at=now, revision=F("revision") + 1
    )
    return service


@transaction.atomic
def pad_rate(pad: RatingPad, *, level: Any, comment: str = "") -> Rating:
    """One tap on the pad: rate the armed service, then the pad waits for the next one."""
    now = clock.now()
    _clean(level, comment, channel=RatingChannel.PAD)
    armed_id = pad.armed_id
    # Disarm first (conditional on what was armed): two taps at once give one rating.
    if armed_id is None or not RatingPad.objects.filter(pk=pad.pk, armed_id=armed_id).update(
        armed=None, revision=F("revision") + 1
    ):
        raise RatingRefused(_("评价器当前没有待评价的服务，请等待工作人员启用。"))
    service = Service.objects.select_related("case").get(pk=armed_id)
    return rating_give(
        service,
        channel=RatingChannel.PAD,
        level=level,
        comment=comment,
        rater=service.rater,
        now=now,
    )


# --- no rating: the default (docs/rules/satisfaction.md §E3) ------------------------------------
def defaults_record(*, now: dt.datetime | None = None, batch: int = DEFAULT_BATCH) -> int:
    """Services whose rating period ended without any rating get the configured default level
    (channel ``default``), a batch per transaction; nothing when the default is "none". Safe to
    run in several workers: the unique (service, channel) index lets one batch win."""
    now = now or clock.now()
    level = config().default_level
    if level is None:
        return 0
    done = 0
    while True:
        rated = Rating.objects.filter(service=OuterRef("pk"))
        pending = list(
            Service.objects.filter(rate_by__lte=now)
            .filter(~Exists(rated))
            .order_by("pk")
            .values_list("pk", "department_id", "item_id", "window_id", "rate_by", "case_id")[
                :batch
            ]
        )
        if not pending:
            return done
        try:
            with transaction.atomic():
                rows = Rating.objects.bulk_create(
                    [
                        Rating(
                            service_id=pk,
                            channel=RatingChannel.DEFAULT,
                            level=level,
                            rated_at=rate_by,
                            month=month_of(rate_by),
                            department_id=dept,
                            item_id=item,
                            window_id=window,
                        )
                        for pk, dept, item, window, rate_by, _case in pending
                    ]
                )
                for rating in _with_pks(rows, pending):
                    _tally_add(rating, 1)
                    if level in BAD_LEVELS:  # an administrator's odd choice still gets handled
                        _bad_review_open(rating, Service.objects.get(pk=rating.service_id), now)
        except IntegrityError:
            continue  # another worker recorded this batch first: read again
        done += len(pending)
        if len(pending) < batch:
            return done


def _with_pks(rows: list[Rating], pending: Iterable[tuple[Any, ...]]) -> list[Rating]:
    """``bulk_create`` sets primary keys on PostgreSQL and SQLite ≥ 3.35; read them back
    otherwise."""
    if all(row.pk for row in rows):
        return rows
    ids = [p[0] for p in pending]
    return list(Rating.objects.filter(service_id__in=ids, channel=RatingChannel.DEFAULT))


# --- bad reviews (docs/rules/satisfaction.md §E5) -----------------------------------------------
def _note(value: str, field: str, *, required: str) -> str:
    text = (value or "").replace("\x00", "").strip()
    if not text:
        raise Invalid({field: [required]})
    if len(text) > NOTE_MAX:
        raise Invalid({field: [_("内容最多 %(max)s 个字。") % {"max": NOTE_MAX}]})
    return text


def _step(
    review: BadReview,
    *,
    to: str,
    actor: Any,
    action: str,
    note: str,
    now: dt.datetime | None = None,
    **fields: Any,
) -> None:
    now = now or clock.now()

    def record(old: str, new: str) -> BadReviewEvent:
        return BadReviewEvent.objects.create(
            bad_review=review,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            old_status=old,
            new_status=new,
            note=note,
        )

    BAD_REVIEW_MACHINE.move(review, to=to, record=record, **fields)


def can_handle(user: Any, review: BadReview) -> bool:
    return has_perm(user, Perm.RATING_HANDLE) and staff_in_department(user, review.department_id)


def _require_handler(user: Any, review: BadReview) -> None:
    if not can_handle(user, review):
        raise Forbidden(_("只有责任部门的工作人员可以办理该差评。"))


@transaction.atomic
def bad_review_call_back(
    review: BadReview, actor: User, *, note: str, now: dt.datetime | None = None
) -> BadReview:
    """Called the rater back and verified what happened."""
    _require_handler(actor, review)
    text = _note(note, "note", required=_("请填写回访核实情况。"))
    now = now or clock.now()
    _step(
        review,
        to=BadReviewStatus.CALLED_BACK,
        actor=actor,
        action="called_back",
        note=text,
        now=now,
        callback_note=text,
        called_back_at=now,
    )
    return review


@transaction.atomic
def bad_review_set_deadline(
    review: BadReview, actor: User, *, due_on: dt.date, plan: str, now: dt.datetime | None = None
) -> BadReview:
    """Rectify by a deadline: today at the earliest, the rule's limit at the latest."""
    _require_handler(actor, review)
    text = _note(plan, "plan", required=_("请填写整改措施。"))
    now = now or clock.now()
    if due_on < clock.local_date(now) or due_on > review.due_on:
        raise Invalid(
            {
                "due_on": [
                    _("整改期限应在今天至 %(limit)s 之间。") % {"limit": review.due_on.isoformat()}
                ]
            }
        )
    _step(
        review,
        to=BadReviewStatus.RECTIFYING,
        actor=actor,
        action="deadline_set",
        note=text,
        now=now,
        due_on=due_on,
    )
    return review


@transaction.atomic
def bad_review_rectify(
    review: BadReview, actor: User, *, description: str, now: dt.datetime | None = None
) -> BadReview:
    """Rectified (at once after the call-back, or within the deadline)."""
    _require_handler(actor, review)
    text = _note(description, "description", required=_("请填写整改情况。"))
    now = now or clock.now()
    _step(
        review,
        to=BadReviewStatus.RECTIFIED,
        actor=actor,
        action="rectified",
        note=text,
        now=now,
        rectification=text,
        rectified_at=now,
    )
    return review


@transaction.atomic
def bad_review_report(
    review: BadReview, actor: User, *, text: str, now: dt.datetime | None = None
) -> BadReview:
    """Report back to the rater: the message (with a one-time link to answer) is queued."""
    _require_handler(actor, review)
    body_text = _note(text, "text", required=_("请填写反馈给评价人的内容。"))
    now = now or clock.now()
    _step(
        review,
        to=BadReviewStatus.REPORTED,
        actor=actor,
        action="reported",
        note=body_text,
        now=now,
        report=body_text,
        reported_at=now,
    )
    rating = review.rating
    rater = rating.rater or rating.service.rater
    if rater is not None:
        token = link_create(rating.service, bad_review=review)
        body = _(
            "您对 %(what)s 的评价已办理：%(text)s 请告诉我们您是否满意：%(url)s （也可登录“我的办件”"
            "查看并回复）。"
        ) % {"what": rating.service.title, "text": body_text, "url": link_url(token)}
        _queue(rater, subject=_("差评整改情况反馈"), body=body, case=review.case)
    return review


def can_respond(user: Any, review: BadReview) -> bool:
    rating = review.rating
    rater_id = rating.rater_id or rating.service.rater_id
    return bool(getattr(user, "pk", None) and user.pk == rater_id)


@transaction.atomic
def bad_review_respond(
    review: BadReview,
    *,
    satisfied: bool,
    text: str = "",
    user: Any = None,
    token: str = "",
    now: dt.datetime | None = None,
) -> BadReview:
    """The rater answers the report, from their account or the report's one-time link."""
    now = now or clock.now()
    if token:
        link = link_check(link_find(token), now=now)
        if link.bad_review_id != review.pk:
            raise RatingRefused(_("评价链接无效，请核对短信或邮件中的链接。"))
    elif not can_respond(user, review):
        raise Forbidden(_("只有评价人本人可以回复。"))
    answer = (text or "").replace("\x00", "").strip()
    if len(answer) > COMMENT_MAX:
        raise Invalid(
            {
                "text": [
                    _("回复内容最多 %(max)s 个字，您填写了 %(n)s 个字。")
                    % {"max": COMMENT_MAX, "n": len(answer)}
                ]
            }
        )
    if satisfied is None:
        raise Invalid({"satisfied": [_("请选择您对整改是否满意。")]})
    if token:
        _link_use(link, now)
    _step(
        review,
        to=BadReviewStatus.CLOSED,
        actor=user if getattr(user, "pk", None) else None,
        action="responded",
        note=answer,
        now=now,
        response_satisfied=bool(satisfied),
        response=answer,
        responded_at=now,
    )
    return review


# --- appeals (docs/rules/satisfaction.md §E6) ---------------------------------------------------
@transaction.atomic
def appeal_file(
    review: BadReview, actor: User, *, reason: str, statement: str, now: dt.datetime | None = None
) -> Appeal:
    """The department appeals a mistaken or malicious bad review (once per bad review)."""
    _require_handler(actor, review)
    errors: dict[str, list[str]] = {}
    if reason not in AppealReason.values:
        errors["reason"] = [_("请选择申诉理由：误评或恶意评价。")]
    try:
        text = _note(statement, "statement", required=_("请写明申诉的事实和理由。"))
    except Invalid as err:
        errors |= err.errors
    if errors:
        raise Invalid(errors)
    if review.status not in BAD_REVIEW_OPEN:
        raise RatingRefused(_("该差评已整改或已处理完毕，不能再申诉。"))
    if Appeal.objects.filter(bad_review=review).exists():
        raise RatingRefused(_("该差评已经申诉过，每条差评只能申诉一次。"))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                bad_review=review,
                reason=reason,
                statement=text,
                filed_by=actor,
                filed_at=now or clock.now(),
            )
    except IntegrityError as exc:
        raise RatingRefused(_("该差评已经申诉过，每条差评只能申诉一次。")) from exc
    BadReviewEvent.objects.create(
        bad_review=review,
        at=appeal.filed_at,
        actor=actor,
        action="appealed",
        old_status=review.status,
        new_status=review.status,
        note=text,
    )
    return appeal


@transaction.atomic
def appeal_decide(
    appeal: Appeal, actor: User, *, accept: bool, note: str, now: dt.datetime | None = None
) -> Appeal:
    """A supervisor decides: accepted → the rating leaves every figure (tally, satisfaction) and
    the bad review is closed as excluded; rejected → everything stays."""
    if not has_perm(actor, Perm.RATING_APPEAL_DECIDE):
        raise Forbidden(_("只有电子监察人员可以审核申诉。"))
    text = _note(note, "note", required=_("请填写审核意见。"))
    now = now or clock.now()
    to = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    APPEAL_MACHINE.move(appeal, to=to, decided_by=actor, decided_at=now, decision_note=text)
    review = BadReview.objects.select_related("rating").get(pk=appeal.bad_review_id)
    if accept:
        rating = review.rating
        if not Rating.objects.filter(pk=rating.pk, excluded=False).update(excluded=True):
            raise RatingRefused(_("该评价已被剔除。"))
        rating.excluded = True
        _tally_add(rating, -1)
        _step(
            review,
            to=BadReviewStatus.EXCLUDED,
            actor=actor,
            action="appeal_accepted",
            note=text,
            now=now,
        )
    else:
        BadReviewEvent.objects.create(
            bad_review=review,
            at=now,
            actor=actor,
            action="appeal_rejected",
            old_status=review.status,
            new_status=review.status,
            note=text,
        )
    appeal.bad_review = review
    return appeal
