"""Writes of window conduct and the monthly evaluation (docs/rules/hall.md §J2, §J3 and
docs/rules/hall.md §J16–§J19). Every refusal is a ``DomainError`` with a Chinese message raised before anything is
written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.catalog.models import Window
from onewindow.conduct import scoring
from onewindow.conduct.errors import ConductWrongState, Forbidden, Invalid
from onewindow.conduct.models import (
    REASON_MAX,
    STATEMENT_MAX,
    ConductConfig,
    Designation,
    Difficulty,
    Discipline,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.consult.masking import mask_personal_data
from onewindow.consult.models import Complaint, ComplaintResult, ComplaintStatus
from onewindow.consult.services import notify_user
from onewindow.core import clock
from onewindow.ratings.models import BadReview, BadReviewStatus
from onewindow.ratings.selectors import by_window
from onewindow.stats.models import MonthlyRollup
from onewindow.supervision.models import Card, CardLevel, CardStatus

UPHELD = (ComplaintResult.SUBSTANTIATED, ComplaintResult.PARTLY)
REQUIREMENT_MAX = 2000


# --- small helpers ------------------------------------------------------------------------------
def config() -> ConductConfig:
    """The administrator's settings row, or the defaults while there is none."""
    return ConductConfig.objects.filter(pk=1).first() or ConductConfig(pk=1)


def _text(value: Any, *, limit: int) -> str:
    """The text stripped, NUL characters dropped (PostgreSQL refuses them), cut one past the
    limit so the length check still sees it is too long."""
    text = value if isinstance(value, str) else ""
    return text.replace("\x00", "").replace("\r\n", "\n").strip()[: limit + 1]


def _require(actor: User, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise Forbidden(_("您没有进行此操作的权限。"))


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local month of ``first`` as aware datetimes [start, end)."""
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(nxt, dt.time.min))
    return start, end


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def check_month(month: dt.date | None) -> dt.date:
    """docs/rules/hall.md §J18: only a month that has ended can be evaluated."""
    if month is None:
        raise Invalid({"month": [_("月份应写作“年-月”，例如 2025-11。")]})
    first = month.replace(day=1)
    this_month = clock.today().replace(day=1)
    if first > this_month:
        raise Invalid({"month": [_("不能评价未来的月份。")]})
    if first == this_month:
        raise Invalid({"month": [_("本月尚未结束，只能评价已经结束的月份。")]})
    return first


# --- settings (docs/rules/hall.md §J3) ---------------------------------------------------------
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    **{name: (0, 100) for name in scoring.WEIGHT_FIELDS},
    **{name: (0, 100) for name in scoring.DEDUCTION_FIELDS},
    "min_ratings": (1, 1000),
    "ranking_size": (1, 50),
}


def weights_message(total: int) -> str:
    return _("五项权重之和应为 100，现为 %(total)s。") % {"total": total}


def _setting_value(name: str, raw: Any, errors: dict[str, list[str]]) -> int | None:
    low, high = SETTING_LIMITS[name]
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[name] = [_("请填写整数。")]
        return None
    if not low <= value <= high:
        errors[name] = [_("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high}]
        return None
    return value


@transaction.atomic
def config_update(
    *, actor: User, values: dict[str, Any], now: dt.datetime | None = None
) -> ConductConfig:
    """Store the settings; the five weights must add up to 100 (docs/rules/hall.md §J3)."""
    _require(actor, Perm.RULES_EDIT)
    current = config()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for name in SETTING_LIMITS:
        raw = values.get(name, getattr(current, name))
        value = _setting_value(name, raw, errors)
        if value is not None:
            cleaned[name] = value
    if not errors:
        total = sum(cleaned[name] for name in scoring.WEIGHT_FIELDS)
        if total != 100:
            errors["__all__"] = [_("五项权重之和应为 100，现为 %(total)s。") % {"total": total}]
    if errors:
        raise Invalid(errors)
    for name, value in cleaned.items():
        setattr(current, name, value)
    current.updated_at = now or clock.now()
    current.updated_by = actor
    current.save()
    return current


# --- discipline records (docs/rules/hall.md §J2, §J16, §J17) -----------------------------------
def _linked_complaint(
    complaint_id: int | None, staff: User, window: Window | None, errors: dict[str, list[str]]
) -> Complaint | None:
    if not complaint_id:
        return None
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        errors["complaint"] = [_("找不到该投诉。")]
        return None
    about_staff = complaint.staff_id == staff.pk
    about_window = (
        complaint.staff_id is None and window is not None and complaint.window_id == window.pk
    )
    if not (about_staff or about_window):
        errors["complaint"] = [_("所选投诉针对的不是该工作人员，不能作为其处理依据。")]
    elif complaint.status != ComplaintStatus.CLOSED or complaint.result not in UPHELD:
        errors["complaint"] = [_("所选投诉尚未办结或经查不属实，不能作为处理依据。")]
    return complaint


def _linked_bad_review(
    bad_review_id: int | None, staff: User, errors: dict[str, list[str]]
) -> BadReview | None:
    if not bad_review_id:
        return None
    review = BadReview.objects.select_related("rating__service").filter(pk=bad_review_id).first()
    if review is None:
        errors["bad_review"] = [_("找不到该差评。")]
        return None
    if review.assignee_id != staff.pk and review.rating.service.staff_id != staff.pk:
        errors["bad_review"] = [_("所选差评针对的不是该工作人员，不能作为其处理依据。")]
    elif review.status == BadReviewStatus.EXCLUDED:
        errors["bad_review"] = [_("所选差评已因申诉成立被剔除，不能作为处理依据。")]
    return review


def _discipline_window(
    staff: User, window_id: int | None, errors: dict[str, list[str]]
) -> Window | None:
    window = staff.windows.filter(pk=window_id or 0).first()
    if window is None:
        errors["window"] = [_("请选择该工作人员目前所在的窗口。")]
    return window


@transaction.atomic
def discipline_record(
    *,
    actor: User,
    staff: User,
    window_id: int | None,
    kind: str,
    difficulty: str,
    reason: str,
    public_summary: str = "",
    complaint_id: int | None = None,
    bad_review_id: int | None = None,
    now: dt.datetime | None = None,
) -> Discipline:
    """A supervisor's disciplinary decision; a removal takes the staff member off the window."""
    _require(actor, Perm.DISCIPLINE_DECIDE)
    now = now or clock.now()
    errors: dict[str, list[str]] = {}
    if staff.role not in DEPARTMENT_ROLES or not staff.is_active:
        raise Invalid({"staff": [_("只能对在岗的部门工作人员作出作风处理。")]})
    window = _discipline_window(staff, window_id, errors)
    if kind not in DisciplineKind.values:
        errors["kind"] = [_("请选择处理方式。")]
    if difficulty not in Difficulty.values:
        errors["difficulty"] = [_("请选择问题类别。")]
    reason = _text(reason, limit=REASON_MAX)
    if not reason:
        errors["reason"] = [_("请填写处理的事实和理由。")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("事实和理由最多 %(n)s 字。") % {"n": REASON_MAX}]
    summary = _text(public_summary, limit=REASON_MAX)
    if kind == DisciplineKind.NOTICE and not summary:
        errors["public_summary"] = [_("通报批评须填写公开的通报内容（不含个人信息）。")]
    elif len(summary) > REASON_MAX:
        errors["public_summary"] = [_("通报内容最多 %(n)s 字。") % {"n": REASON_MAX}]
    complaint = _linked_complaint(complaint_id, staff, window, errors)
    review = _linked_bad_review(bad_review_id, staff, errors)
    if errors:
        raise Invalid(errors)
    assert window is not None
    record = Discipline.objects.create(
        staff=staff,
        window=window,
        kind=kind,
        difficulty=difficulty,
        reason=reason,
        # docs/rules/hall.md §J17: the public text never carries the staff member's full name.
        public_summary=mask_personal_data(summary, [staff.full_name]) if summary else "",
        complaint=complaint,
        bad_review=review,
        decided_by=actor,
        decided_at=now,
        month=clock.local_date(now).replace(day=1),
    )
    if kind == DisciplineKind.REMOVAL:
        staff.windows.remove(window)
    notify_user(
        staff,
        subject=_("作风处理决定"),
        body=_("您收到一项作风处理决定（%(kind)s），请登录查看并确认。")
        % {"kind": record.get_kind_display()},
        now=now,
    )
    return record


@transaction.atomic
def discipline_acknowledge(
    *, actor: User, record: Discipline, statement: str, now: dt.datetime | None = None
) -> Discipline:
    """The staff member acknowledges their record, with a statement if they wish
    (docs/rules/hall.md §J16)."""
    if record.staff_id != actor.pk:
        raise Forbidden(_("只有本人可以确认自己的处理记录。"))
    text = _text(statement, limit=STATEMENT_MAX)
    if len(text) > STATEMENT_MAX:
        raise Invalid({"statement": [_("本人陈述最多 %(n)s 字。") % {"n": STATEMENT_MAX}]})
    now = now or clock.now()
    done = Discipline.objects.filter(pk=record.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, statement=text
    )
    if done != 1:
        raise ConductWrongState(_("该记录已经确认过，不能再次确认。"))
    record.acknowledged_at, record.statement = now, text
    return record


@transaction.atomic
def discipline_reinstate(
    *, actor: User, record: Discipline, reason: str, now: dt.datetime | None = None
) -> Discipline:
    """docs/rules/hall.md §J16: the removal stays on record; the staff member is back on the
    window."""
    _require(actor, Perm.DISCIPLINE_DECIDE)
    if record.kind != DisciplineKind.REMOVAL:
        raise ConductWrongState(_("只有调离窗口的处理可以恢复上岗。"))
    text = _text(reason, limit=REASON_MAX)
    if not text:
        raise Invalid({"reinstate_reason": [_("请填写恢复上岗的理由。")]})
    if len(text) > REASON_MAX:
        raise Invalid({"reinstate_reason": [_("理由最多 %(n)s 字。") % {"n": REASON_MAX}]})
    now = now or clock.now()
    done = Discipline.objects.filter(pk=record.pk, reinstated_at__isnull=True).update(
        reinstated_at=now, reinstated_by=actor, reinstate_reason=text
    )
    if done != 1:
        raise ConductWrongState(_("该工作人员已经恢复上岗。"))
    record.staff.windows.add(record.window)
    record.reinstated_at, record.reinstated_by, record.reinstate_reason = now, actor, text
    return record


# --- the monthly evaluation (docs/rules/hall.md §J3, §J18) -------------------------------------
def _window_departments() -> dict[int, set[int]]:
    links: dict[int, set[int]] = defaultdict(set)
    through = Window.departments.through.objects.values_list("window_id", "department_id")
    for window_id, department_id in through:
        links[window_id].add(department_id)
    return links


def _on_time(first: dt.date, departments: dict[int, set[int]]) -> dict[int, tuple[int, int]]:
    per_department = {
        row["department_id"]: (row["closed"] or 0, row["on_time"] or 0)
        for row in MonthlyRollup.objects.filter(month=first)
        .order_by()
        .values("department_id")
        .annotate(closed=Sum("closed"), on_time=Sum("closed_on_time"))
    }
    result = {}
    for window_id, ids in departments.items():
        pairs = [per_department.get(pk, (0, 0)) for pk in ids]
        result[window_id] = (sum(p[0] for p in pairs), sum(p[1] for p in pairs))
    return result


def _cards(
    start: dt.datetime, end: dt.datetime, departments: dict[int, set[int]]
) -> dict[int, tuple[int, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Card.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .exclude(status=CardStatus.CANCELLED)
        .order_by()
        .values("department_id", "level")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["department_id"]][row["level"]] = row["n"]
    result = {}
    for window_id, ids in departments.items():
        yellow = sum(counts[pk].get(CardLevel.YELLOW, 0) for pk in ids)
        red = sum(counts[pk].get(CardLevel.RED, 0) for pk in ids)
        result[window_id] = (yellow, red)
    return result


def _complaints(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    rows = (
        Complaint.objects.filter(
            window__isnull=False,
            status=ComplaintStatus.CLOSED,
            result__in=UPHELD,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .order_by()
        .values("window_id")
        .annotate(n=Count("pk"))
    )
    return {row["window_id"]: row["n"] for row in rows}


def _disciplines(first: dt.date) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Discipline.objects.filter(month=first)
        .order_by()
        .values("window_id", "kind")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["window_id"]][row["kind"]] = row["n"]
    return counts


def month_inputs(first: dt.date) -> dict[int, scoring.Inputs]:
    """Every active window's inputs for the month (set-based: one query per source)."""
    start, end = month_bounds(first)
    departments = _window_departments()
    satisfaction = {row.id: row.figures for row in by_window(since=first, until=first)}
    on_time = _on_time(first, departments)
    cards = _cards(start, end, departments)
    complaints = _complaints(start, end)
    disciplines = _disciplines(first)
    inputs = {}
    for window_id in Window.objects.filter(is_active=True).values_list("pk", flat=True):
        figures = satisfaction.get(window_id)
        kinds = disciplines.get(window_id, {})
        closed, in_time = on_time.get(window_id, (0, 0))
        yellow, red = cards.get(window_id, (0, 0))
        inputs[window_id] = scoring.Inputs(
            ratings=figures.ratings if figures else 0,
            satisfied=figures.satisfied if figures else 0,
            cases_closed=closed,
            cases_on_time=in_time,
            complaints_upheld=complaints.get(window_id, 0),
            yellow_cards=yellow,
            red_cards=red,
            warnings=kinds.get(DisciplineKind.WARNING, 0),
            interviews=kinds.get(DisciplineKind.INTERVIEW, 0),
            notices=kinds.get(DisciplineKind.NOTICE, 0),
            removals=kinds.get(DisciplineKind.REMOVAL, 0),
        )
    return inputs


def setting_label(name: str) -> str:
    """The verbose name of a settings field (the forms' labels)."""
    return str(getattr(ConductConfig._meta.get_field(name), "verbose_name", name))


def settings_snapshot(settings_row: ConductConfig) -> dict[str, int]:
    names = (*scoring.WEIGHT_FIELDS, *scoring.DEDUCTION_FIELDS, "min_ratings", "ranking_size")
    return {name: int(getattr(settings_row, name)) for name in names}


def _score_rows(
    first: dt.date, settings_row: ConductConfig, actor: User | None, now: dt.datetime
) -> list[WindowScore]:
    numbers = dict(Window.objects.values_list("pk", "number"))
    snapshot = settings_snapshot(settings_row)
    rows = []
    for window_id, inputs in month_inputs(first).items():
        p = scoring.points(inputs, settings_row)
        rows.append(
            WindowScore(
                window_id=window_id,
                month=first,
                **inputs.as_dict(),
                satisfaction_points=p.satisfaction,
                on_time_points=p.on_time,
                complaint_points=p.complaints,
                card_points=p.cards,
                discipline_points=p.discipline,
                settings_used=snapshot,
                score=p.score,
                computed_at=now,
                computed_by=actor,
            )
        )
    ranked = [row for row in rows if row.score is not None]
    ranked.sort(
        key=lambda r: scoring.tie_key(
            r.score,  # type: ignore[arg-type]
            r.satisfaction_points,  # type: ignore[arg-type]
            r.on_time_points,
            numbers[r.window_id],
        )
    )
    top, bottom = scoring.designations(len(ranked), settings_row.ranking_size)
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
        if rank <= top:
            row.designation = Designation.RED_FLAG
        elif rank > len(ranked) - bottom:
            row.designation = Designation.BOTTOM
    return rows


@transaction.atomic
def evaluation_compute(
    *, month: dt.date | None, actor: User | None = None, now: dt.datetime | None = None
) -> list[WindowScore]:
    """Compute (or recompute) one ended month's scores and designations
    (docs/rules/hall.md §J18). A recomputation replaces the month's scores; rectifications
    already recorded stay."""
    if actor is not None:
        _require(actor, Perm.DISCIPLINE_DECIDE)
    first = check_month(month)
    now = now or clock.now()
    rows = _score_rows(first, config(), actor, now)
    WindowScore.objects.filter(month=first).delete()
    return WindowScore.objects.bulk_create(rows)


def evaluation_previous_month(*, now: dt.datetime | None = None) -> int:
    """The periodic job: compute the previous month once (nothing when it is there already)."""
    now = now or clock.now()
    first = previous_month(clock.local_date(now))
    if WindowScore.objects.filter(month=first).exists():
        return 0
    try:
        return len(evaluation_compute(month=first, now=now))
    except IntegrityError:  # another worker computed it at the same moment
        return 0


# --- rectifications of bottom windows (docs/rules/hall.md §J19) --------------------------------
@transaction.atomic
def rectification_record(
    *,
    actor: User,
    window_id: int | None,
    month: dt.date | None,
    requirement: str,
    due_on: dt.date | None,
    now: dt.datetime | None = None,
) -> Rectification:
    _require(actor, Perm.DISCIPLINE_DECIDE)
    now = now or clock.now()
    errors: dict[str, list[str]] = {}
    first = month.replace(day=1) if month else None
    score = (
        WindowScore.objects.filter(
            window_id=window_id or 0, month=first, designation=Designation.BOTTOM
        ).first()
        if first is not None
        else None
    )
    if score is None or first is None:
        raise Invalid({"window": [_("该窗口不是所选月份的末位窗口，无需登记整改。")]})
    text = _text(requirement, limit=REQUIREMENT_MAX)
    if not text:
        errors["requirement"] = [_("请填写整改要求。")]
    elif len(text) > REQUIREMENT_MAX:
        errors["requirement"] = [_("整改要求最多 %(n)s 字。") % {"n": REQUIREMENT_MAX}]
    if due_on is None:
        errors["due_on"] = [_("请填写整改期限（年-月-日）。")]
    elif due_on < clock.local_date(now):
        errors["due_on"] = [_("整改期限不能早于今天。")]
    if Rectification.objects.filter(window_id=score.window_id, month=first).exists():
        errors["window"] = [_("该窗口本月的整改要求已经登记。")]
    if errors:
        raise Invalid(errors)
    assert due_on is not None
    return Rectification.objects.create(
        window_id=score.window_id,
        month=first,
        requirement=text,
        due_on=due_on,
        recorded_by=actor,
        recorded_at=now,
    )


@transaction.atomic
def rectification_done(
    *, actor: User, rectification: Rectification, note: str, now: dt.datetime | None = None
) -> Rectification:
    _require(actor, Perm.DISCIPLINE_DECIDE)
    text = _text(note, limit=REQUIREMENT_MAX)
    if not text:
        raise Invalid({"done_note": [_("请填写整改完成情况。")]})
    if len(text) > REQUIREMENT_MAX:
        raise Invalid({"done_note": [_("整改情况最多 %(n)s 字。") % {"n": REQUIREMENT_MAX}]})
    now = now or clock.now()
    done = Rectification.objects.filter(pk=rectification.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, done_note=text
    )
    if done != 1:
        raise ConductWrongState(_("该整改已确认完成。"))
    rectification.done_at, rectification.done_by, rectification.done_note = now, actor, text
    return rectification
