"""Demo ratings (docs/rules/satisfaction.md §E1–§E8), made through the real services at simulated
moments: most finished cases rated on the web, by link or at the window's pad (mostly good), some
window services without a case, the unrated ones given the default once their week is over, and
the bad reviews taken through every state of their loop — one left untouched and overdue (the
supervision sweep cards it), one with an accepted appeal, one with an appeal pending.

Deterministic (a seeded random generator) and quick: a few hundred rows for the 200-case demo.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.calendars.selectors import get_calendar
from onewindow.catalog.models import Window
from onewindow.notifications.models import OutboxMessage
from onewindow.ratings import services
from onewindow.ratings.models import (
    Appeal,
    BadReview,
    BadReviewEvent,
    Rating,
    RatingChannel,
    RatingLink,
    RatingPad,
    RatingTally,
    Service,
    ServiceKind,
)

SEED = 20251111
GOOD = ["办事很快，一次办好。", "工作人员耐心细致。", "材料清单很清楚。", "", "", ""]
BAD = ["排队时间太长。", "窗口人员态度生硬。", "要求提供清单以外的材料。", "告知不清楚，跑了两次。"]
WINDOW_SERVICES = ["咨询办事流程", "领取申请表", "材料预审", "帮办代办咨询"]
LEVELS = [5] * 10 + [4] * 6 + [3] * 2 + [2, 1]  # mostly good; one in ten bad


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=zone)


def _handler(department_id: int) -> User | None:
    return (
        User.objects.filter(
            department_id=department_id,
            is_active=True,
            role__in=(Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF, Role.HEAD),
        )
        .order_by("pk")
        .first()
    )


def _clerk(window: Window) -> User | None:
    return (
        User.objects.filter(
            windows=window, role=Role.CLERK, is_active=True, department__isnull=False
        )
        .order_by("pk")
        .first()
    )


def _rate(service: Service, rng: random.Random, *, channel: str, level: int) -> Rating | None:
    at = service.finished_at + dt.timedelta(hours=1 + rng.randrange(100))
    if at >= service.rate_by:
        return None
    comment = rng.choice(BAD) if level <= 2 else rng.choice(GOOD)
    return services.rating_give(
        service, channel=channel, level=level, comment=comment, rater=service.rater, now=at
    )


def load(today: dt.date) -> None:
    """Ratings for the demo's finished cases and some window services up to ``today``."""
    rng = random.Random(SEED)
    zone = timezone.get_current_timezone()
    now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=zone)
    before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        for service in Service.objects.filter(kind=ServiceKind.CASE).order_by("pk"):
            roll = rng.random()
            if roll < 0.15 or service.finished_at >= now:
                continue  # left unrated: the default comes after a week
            channel = RatingChannel.WEB if roll < 0.7 else RatingChannel.LINK
            if service.finished_at + dt.timedelta(hours=101) < now:
                _rate(service, rng, channel=channel, level=rng.choice(LEVELS))
        _window_services(today, rng)
        services.defaults_record(now=now)
        _bad_reviews(today, rng)
        # The history is told, not sent: the reports' messages of the past are not queued.
        OutboxMessage.objects.filter(pk__gt=before).delete()


def _window_services(today: dt.date, rng: random.Random) -> None:
    clerks = {w.pk: c for w in Window.objects.filter(is_active=True) if (c := _clerk(w))}
    windows = list(Window.objects.filter(pk__in=clerks).order_by("number"))
    for offset in range(90, 0, -1):
        day = today - dt.timedelta(days=offset)
        if not get_calendar().is_working_day(day) or not windows:
            continue
        for window in [w for w in windows if rng.random() < 0.5]:  # ~10 a month per window
            clerk = clerks[window.pk]
            service = services.pad_arm(
                window, clerk, description=rng.choice(WINDOW_SERVICES), now=_moment(day, rng)
            )
            RatingPad.objects.filter(window=window).update(armed=None)
            if rng.random() < 0.9:
                at = service.finished_at + dt.timedelta(minutes=2)
                services.rating_give(
                    service,
                    channel=RatingChannel.PAD,
                    level=rng.choice(LEVELS),
                    now=at,
                )


def _bad_reviews(today: dt.date, rng: random.Random) -> None:
    """Each bad review into one state of its loop, oldest first, so every state shows."""
    zone = timezone.get_current_timezone()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    reviews = list(BadReview.objects.select_related("rating__service").order_by("created_at", "pk"))
    plan = ["overdue", "appeal_accepted", "closed", "reported", "rectifying", "called_back"]
    plan += ["appeal_pending", "closed", "rectified"]
    for index, review in enumerate(reviews):
        handler = _handler(review.department_id)
        if handler is None:
            continue
        state = plan[index % len(plan)] if index < len(plan) or review.due_on < today else "open"
        start = review.created_at

        def at(days: int, start: dt.datetime = start) -> dt.datetime:
            moment = start + dt.timedelta(days=days)
            return min(moment, dt.datetime.combine(today, dt.time(7, 0), tzinfo=zone))

        if state in ("overdue", "open"):
            continue
        if state.startswith("appeal"):
            appeal = services.appeal_file(
                review,
                handler,
                reason="malicious" if state == "appeal_accepted" else "mistaken",
                statement="经调取窗口录像核实，评价人当日未在本窗口办理业务。",
                now=at(1),
            )
            if state == "appeal_accepted" and supervisor is not None:
                services.appeal_decide(
                    appeal, supervisor, accept=True, note="核实属实，申诉成立。", now=at(3)
                )
            continue
        services.bad_review_call_back(
            review, handler, note="已电话回访评价人，情况属实，已致歉。", now=at(1)
        )
        if state == "called_back":
            continue
        if state == "rectifying":
            due = min(review.due_on, max(today, (start + dt.timedelta(days=10)).date()))
            services.bad_review_set_deadline(
                review, handler, due_on=due, plan="组织窗口人员服务规范培训。", now=at(1)
            )
            continue
        services.bad_review_rectify(
            review, handler, description="已调整窗口人员配置，增设取号引导。", now=at(2)
        )
        if state == "rectified":
            continue
        services.bad_review_report(
            review, handler, text="您反映的问题已整改：增设了取号引导员。", now=at(3)
        )
        if state == "closed" and (review.rating.rater or review.rating.service.rater):
            services.bad_review_respond(
                review,
                satisfied=rng.random() < 0.7,
                text="",
                user=review.rating.rater or review.rating.service.rater,
                now=at(4),
            )


def reset() -> None:
    """Delete every rating row (they refer to cases and the catalog, which the reset deletes)."""
    with transaction.atomic():
        RatingLink.objects.all().delete()
        BadReviewEvent.objects.all().delete()
        Appeal.objects.all().delete()
        BadReview.objects.all().delete()
        RatingTally.objects.all().delete()
        Rating.objects.all().delete()
        RatingPad.objects.all().delete()
        Service.objects.all().delete()
