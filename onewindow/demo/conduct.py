"""Demo window conduct and evaluation (docs/rules/hall.md §J2, §J3, §J16–§J19): an interview of
the demo clerk over the upheld complaint about them, a warning over a bad review of a window
service, a public notice and a removal (reinstated a week later) of another window clerk; the
two months before ``today`` evaluated, and the previous month's bottom windows given a
rectification (the first one already done)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Role
from onewindow.conduct import services
from onewindow.conduct.models import (
    Designation,
    Difficulty,
    Discipline,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.consult.models import Complaint, ComplaintResult, ComplaintStatus
from onewindow.ratings.models import BadReview, BadReviewStatus


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def reset() -> None:
    """Delete the demo's conduct rows (they refer to complaints, bad reviews, users and windows
    the other resets delete)."""
    Rectification.objects.all().delete()
    WindowScore.objects.all().delete()
    Discipline.objects.all().delete()


def load(today: dt.date) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=("clerk", "supervisor"))}
    clerk, supervisor = users.get("clerk"), users.get("supervisor")
    if clerk is None or supervisor is None:
        return
    _interview(today, clerk, supervisor)
    _warning(today, supervisor)
    _notice_and_removal(today, clerk, supervisor)
    _evaluate(today, supervisor)


def _interview(today: dt.date, clerk: User, supervisor: User) -> None:
    complaint = (
        Complaint.objects.filter(
            staff=clerk, status=ComplaintStatus.CLOSED, result=ComplaintResult.SUBSTANTIATED
        )
        .order_by("pk")
        .first()
    )
    window = clerk.windows.order_by("number").first()
    if complaint is not None and complaint.window_id is not None:
        window = clerk.windows.filter(pk=complaint.window_id).first() or window
    if window is None:
        return
    services.discipline_record(
        actor=supervisor,
        staff=clerk,
        window_id=window.pk,
        kind=DisciplineKind.INTERVIEW,
        difficulty=Difficulty.FACE,
        reason="群众投诉办理时多次被打断、解释不耐烦，经调取录音录像属实。约谈本人，要求改进服务态度。",
        complaint_id=complaint.pk if complaint else None,
        now=_at(today - dt.timedelta(days=26)),
    )


def _warning(today: dt.date, supervisor: User) -> None:
    reviews = (
        BadReview.objects.filter(
            rating__service__staff__role__in=DEPARTMENT_ROLES,
            rating__service__staff__windows__isnull=False,
        )
        .exclude(status=BadReviewStatus.EXCLUDED)
        .select_related("rating__service__staff")
        .order_by("pk")
    )
    review = reviews.first()
    if review is None or review.rating.service.staff is None:
        return
    staff = review.rating.service.staff
    window = staff.windows.order_by("number").first()
    assert window is not None
    services.discipline_record(
        actor=supervisor,
        staff=staff,
        window_id=window.pk,
        kind=DisciplineKind.WARNING,
        difficulty=Difficulty.WORDS,
        reason="窗口服务收到差评，回访核实答复群众时用语生硬。予以警告提醒。",
        bad_review_id=review.pk,
        now=_at(today - dt.timedelta(days=20)),
    )


def _notice_and_removal(today: dt.date, clerk: User, supervisor: User) -> None:
    other = (
        User.objects.filter(role=Role.CLERK, is_active=True, windows__isnull=False)
        .exclude(pk=clerk.pk)
        .order_by("pk")
        .first()
    )
    if other is None:
        return
    window = other.windows.order_by("number").first()
    assert window is not None
    services.discipline_record(
        actor=supervisor,
        staff=other,
        window_id=window.pk,
        kind=DisciplineKind.NOTICE,
        difficulty=Difficulty.MATTER,
        reason="群众三次到窗口补充材料，每次告知的要求均不相同，未落实一次性告知制度。",
        public_summary="该窗口工作人员未落实一次性告知制度，致使群众多次往返补充材料，经核查属实，予以通报批评。",
        now=_at(today - dt.timedelta(days=40)),
    )
    removal = services.discipline_record(
        actor=supervisor,
        staff=other,
        window_id=window.pk,
        kind=DisciplineKind.REMOVAL,
        difficulty=Difficulty.MATTER,
        reason="通报批评后仍有同类问题，调离窗口参加业务和作风培训。",
        now=_at(today - dt.timedelta(days=38)),
    )
    services.discipline_reinstate(
        actor=supervisor,
        record=removal,
        reason="培训考核合格，恢复窗口岗位。",
        now=_at(today - dt.timedelta(days=31)),
    )


def _evaluate(today: dt.date, supervisor: User) -> None:
    previous = services.previous_month(today)
    for month in (services.previous_month(previous), previous):
        services.evaluation_compute(month=month, now=_at(month.replace(day=28)))
    bottom = WindowScore.objects.filter(month=previous, designation=Designation.BOTTOM)
    for n, row in enumerate(bottom.order_by("rank")):
        rectification = services.rectification_record(
            actor=supervisor,
            window_id=row.window_id,
            month=previous,
            requirement="对照群众评价和投诉逐条整改：落实一次性告知和首问负责，开展服务礼仪培训。",
            due_on=today + dt.timedelta(days=20),
            now=_at(today),
        )
        if n == 0:
            services.rectification_done(
                actor=supervisor,
                rectification=rectification,
                note="已组织窗口人员培训两次，修订一次性告知单。",
                now=_at(today, 15),
            )
