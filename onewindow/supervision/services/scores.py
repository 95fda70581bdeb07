"""Performance scores (绩效考核, docs/product.md §C10, docs/rules/supervision.md §D3, §D4, §D10).

Per department and per window, per month and per quarter, from the D4 indicators
(``selectors.score_figures``), cards and letters, with the weights of the one ``ScoreScheme`` row that
administrators edit (``scheme_update``).

The score::

    base  = Σ weight_i × rate_i ÷ Σ weight_i × 100      over the *available* indicators
    score = base − yellow × yellow_penalty − red × red_penalty − letters × letter_penalty

clamped to [0, 100], two decimals (half up), from the rates as stored (4 decimals), so anyone
can redo it from the ranking page. An indicator is unavailable (None) when there is nothing to
measure — no closed case for the on-time and early rates, no counted rating for satisfaction
(docs/rules/satisfaction.md §E7, read from the ratings' tally), compression for windows (an intake
period is fixed by law) — and its weight is then shared out over the available ones in proportion to
their weights (the ÷ Σ weight_i above): with the default 40/20/20/20 and no satisfaction data, the
other three count 50 %, 25 % and 25 %. A subject with no available indicator (or only weight-0
ones) has a base of 100: nothing measured, nothing lost; only penalties count.

Ranking: only subjects with at least one closed case in the period (a decision for a
department, an intake decision for a window) are ranked: a department that closed nothing
must not come first on its catalog's compression alone. The others are listed after them as
"本期无办结件" with rank 0, no grade, and their cards and letters still shown. Ranks are dense
by score, descending, per period and subject kind: equal scores share a rank (1, 2, 2, 3).
Grades (D3: 优秀 / 良好 / 合格 / 不合格) only for quarters: score ≥ ``grade_excellent`` → 优秀,
≥ ``grade_good`` → 良好, ≥ ``grade_pass`` → 合格, else 不合格.

``scores_compute`` reads the figures outside any transaction, then replaces the period's rows
(delete + bulk_create) in one short transaction that first locks the scheme row, so concurrent
recomputes (job, supervisors, several workers) serialise and the last one wins whole.
Scores are computed with the scheme in force at the time: changing the weights does not
rewrite past periods until someone recomputes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.core import clock
from onewindow.core.errors import DomainError, Forbidden, Invalid
from onewindow.supervision.models import (
    Grade,
    PerformanceScore,
    PeriodKind,
    ScoreScheme,
    SubjectKind,
)
from onewindow.supervision.selectors.score_figures import (
    Figures,
    day_bounds,
    department_figures,
    window_figures,
)

log = logging.getLogger("onewindow.supervision")

WEIGHTS = ("weight_on_time", "weight_early", "weight_satisfaction", "weight_compression")
PENALTIES = ("yellow_penalty", "red_penalty", "letter_penalty")
GRADES = ("grade_excellent", "grade_good", "grade_pass")
SCHEME_FIELDS = WEIGHTS + PENALTIES + GRADES
NON_FIELD = "__all__"
SCORE_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
# The job keeps the current period's provisional scores at most this old.
PROVISIONAL_MAX_AGE = dt.timedelta(hours=1)


class ScoreError(DomainError):
    """The action is not allowed. ``message`` is for the user."""

    code = "score_error"


class ScoreForbidden(ScoreError, Forbidden):
    code = "forbidden"


class SchemeInvalid(ScoreError, Invalid):
    """Bad scheme values: ``errors`` maps a field (or ``__all__``) to its messages."""

    code = "invalid"


# --- who may ------------------------------------------------------------------------------------
def may_recompute(user: Any) -> bool:
    return has_perm(user, Perm.SUPERVISE) or has_perm(user, Perm.RULES_EDIT)


def may_edit_scheme(user: Any) -> bool:
    return has_perm(user, Perm.RULES_EDIT)


# --- periods ------------------------------------------------------------------------------------
def _months(kind: str) -> int:
    return 3 if kind == PeriodKind.QUARTER else 1


def period_start_of(kind: str, day: dt.date) -> dt.date:
    """The first day of the month or quarter containing ``day``."""
    month = day.month if kind == PeriodKind.MONTH else (day.month - 1) // 3 * 3 + 1
    return dt.date(day.year, month, 1)


def period_shift(kind: str, start: dt.date, periods: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + periods * _months(kind)
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(kind: str, start: dt.date) -> dt.date:
    return period_shift(kind, start, 1) - dt.timedelta(days=1)


def period_label(kind: str, start: dt.date) -> str:
    """``2026年11月`` / ``2026年第4季度``."""
    if kind == PeriodKind.QUARTER:
        return _("%(y)s年第%(q)s季度") % {"y": start.year, "q": (start.month - 1) // 3 + 1}
    return date_format(start, "YEAR_MONTH_FORMAT")  # 2026年11月, November 2026


def period_check(kind: str, start: Any) -> dt.date:
    """A valid (kind, first day) that has begun; else ScoreError with a Chinese message."""
    if kind not in PeriodKind.values:
        raise ScoreError(_("考核周期只能是“月度”或“季度”。"))
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            raise ScoreError(_("起始日期格式应为 YYYY-MM-DD。")) from None
    if not isinstance(start, dt.date) or period_start_of(kind, start) != start:
        raise ScoreError(
            _("起始日期须为月份的第一天。")
            if kind == PeriodKind.MONTH
            else _("起始日期须为季度的第一天（1月1日、4月1日、7月1日或10月1日）。")
        )
    if start > clock.today():
        raise ScoreError(_("该周期尚未开始，不能计算得分。"))
    return start


def period_provisional(kind: str, start: dt.date) -> bool:
    """True while the period has not ended: its scores are provisional (暂定)."""
    return period_end(kind, start) >= clock.today()


# --- the scheme ---------------------------------------------------------------------------------
def scheme_get() -> ScoreScheme:
    """The one scheme row (pk 1), created with the defaults the first time."""
    scheme, created = ScoreScheme.objects.get_or_create(pk=1)
    if created:
        scheme.refresh_from_db()  # the defaults as Decimals, not the ints of the field defaults
    return scheme


def scheme_values(scheme: ScoreScheme) -> dict[str, str]:
    """The ten numbers as plain strings: 40.00 → "40", 25.50 → "25.5"."""
    return {name: format(Decimal(getattr(scheme, name)).normalize(), "f") for name in SCHEME_FIELDS}


def scheme_label(name: str) -> str:
    field = ScoreScheme._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _decimal(name: str, value: Any) -> Decimal:
    """A number between 0 and 100 with at most two decimals; else SchemeInvalid for ``name``."""
    label = scheme_label(name)
    try:
        if isinstance(value, bool) or value is None or str(value).strip() == "":
            raise InvalidOperation
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SchemeInvalid({name: [_("%(f)s须为数字。") % {"f": label}]}) from None
    if not number.is_finite():
        raise SchemeInvalid({name: [_("%(f)s须为数字。") % {"f": label}]})
    if number < 0:
        raise SchemeInvalid({name: [_("%(f)s不能为负数。") % {"f": label}]})
    if number > HUNDRED:
        raise SchemeInvalid({name: [_("%(f)s不能超过 100。") % {"f": label}]})
    if number != number.quantize(SCORE_PLACES):
        raise SchemeInvalid({name: [_("%(f)s最多保留两位小数。") % {"f": label}]})
    return number.quantize(SCORE_PLACES)


def scheme_clean(scheme: ScoreScheme, values: dict[str, Any]) -> dict[str, Decimal]:
    """Every field checked: weights ≥ 0 summing to 100, penalties ≥ 0, 100 ≥ 优秀 > 良好 > 合格 ≥ 0."""
    unknown = sorted(set(values) - set(SCHEME_FIELDS))
    if unknown:
        raise SchemeInvalid({NON_FIELD: [_("未知的方案项目：%(f)s") % {"f": "、".join(unknown)}]})
    errors: dict[str, list[str]] = {}
    merged: dict[str, Decimal] = {}
    for name in SCHEME_FIELDS:
        try:
            merged[name] = _decimal(name, values.get(name, getattr(scheme, name)))
        except SchemeInvalid as err:
            errors.update(err.errors)
    if errors:
        raise SchemeInvalid(errors)
    total = sum((merged[name] for name in WEIGHTS), Decimal(0))
    if total != HUNDRED:
        message = _("四项指标权重之和须为 100，当前为 %(s)s。") % {
            "s": format(total.normalize(), "f")
        }
        errors[NON_FIELD] = [message]
    excellent, good, passing = (merged[name] for name in GRADES)
    if not excellent > good > passing:
        errors[NON_FIELD] = [
            *errors.get(NON_FIELD, []),
            _("等次分数线须从高到低：优秀 > 良好 > 合格。"),
        ]
    if errors:
        raise SchemeInvalid(errors)
    return merged


@transaction.atomic
def scheme_update(*, actor: Any, **values: Any) -> ScoreScheme:
    """An administrator changes weights, penalties or grade bounds; nothing is saved on error."""
    if not may_edit_scheme(actor):
        raise ScoreForbidden(_("只有中心管理员可以修改绩效考核方案。"))
    scheme = ScoreScheme.objects.select_for_update().get(pk=scheme_get().pk)
    for name, value in scheme_clean(scheme, values).items():
        setattr(scheme, name, value)
    scheme.save()
    log.info("score scheme changed by user %s: %s", actor.pk, values)
    return scheme


# --- scoring ------------------------------------------------------------------------------------
def indicators(figures: Figures, *, compression_applies: bool) -> dict[str, Decimal | None]:
    """The four D4 rates by scheme weight field (None: unavailable)."""
    return {
        "weight_on_time": figures.on_time_rate,
        "weight_early": figures.early_rate,
        "weight_satisfaction": figures.satisfaction_rate,
        "weight_compression": figures.compression if compression_applies else None,
    }


def score_of(figures: Figures, scheme: ScoreScheme, *, compression_applies: bool = True) -> Decimal:
    """The score of one subject (see the module docstring)."""
    rates = indicators(figures, compression_applies=compression_applies)
    available = [
        (Decimal(getattr(scheme, name)), value)
        for name, value in rates.items()
        if value is not None and getattr(scheme, name) > 0
    ]
    weight = sum((w for w, _rate in available), Decimal(0))
    base = sum((w * r for w, r in available), Decimal(0)) * HUNDRED / weight if weight else HUNDRED
    penalty = (
        figures.yellow * Decimal(scheme.yellow_penalty)
        + figures.red * Decimal(scheme.red_penalty)
        + figures.letters * Decimal(scheme.letter_penalty)
    )
    score = min(max(base - penalty, Decimal(0)), HUNDRED)
    return score.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def grade_of(score: Decimal, scheme: ScoreScheme) -> str:
    if score >= scheme.grade_excellent:
        return Grade.EXCELLENT
    if score >= scheme.grade_good:
        return Grade.GOOD
    if score >= scheme.grade_pass:
        return Grade.PASS
    return Grade.FAIL


def dense_ranks(scores: list[Decimal]) -> list[int]:
    """Rank of each score, dense and descending: [90, 80, 90, 70] → [1, 2, 1, 3]."""
    order = {value: index for index, value in enumerate(sorted(set(scores), reverse=True), 1)}
    return [order[value] for value in scores]


def _rows(
    kind: str,
    start: dt.date,
    subject_kind: str,
    figures: dict[int, Figures],
    scheme: ScoreScheme,
    now: dt.datetime,
) -> list[PerformanceScore]:
    is_department = subject_kind == SubjectKind.DEPARTMENT
    rows = []
    for subject_id, one in figures.items():
        rows.append(
            PerformanceScore(
                period_kind=kind,
                period_start=start,
                period_end=period_end(kind, start),
                subject_kind=subject_kind,
                department_id=subject_id if is_department else None,
                window_id=None if is_department else subject_id,
                received=one.received,
                closed=one.closed,
                closed_on_time=one.on_time,
                closed_early=one.early,
                ratings=one.ratings,
                satisfied=one.satisfied,
                on_time_rate=one.on_time_rate,
                early_rate=one.early_rate,
                satisfaction_rate=one.satisfaction_rate,
                compression_rate=one.compression if is_department else None,
                yellow_cards=one.yellow,
                red_cards=one.red,
                letters=one.letters,
                score=score_of(one, scheme, compression_applies=is_department),
                computed_at=now,
            )
        )
    ranked = [row for row in rows if row.closed > 0]
    for row, rank in zip(ranked, dense_ranks([row.score for row in ranked]), strict=True):
        row.rank = rank
        if kind == PeriodKind.QUARTER:
            row.grade = grade_of(row.score, scheme)
    return rows


def scores_compute(*, kind: str, period_start: dt.date | str) -> list[PerformanceScore]:
    """Compute (or recompute) every department's and window's score for one period.

    Idempotent: the period's rows are replaced whole, in one transaction (see the docstring).
    """
    start = period_check(kind, period_start)
    end = period_end(kind, start)
    scheme = scheme_get()
    now = clock.now()
    rows = _rows(kind, start, SubjectKind.DEPARTMENT, department_figures(start, end), scheme, now)
    rows += _rows(kind, start, SubjectKind.WINDOW, window_figures(start, end), scheme, now)
    with transaction.atomic():
        # Serialises concurrent recomputes of any period on PostgreSQL (SQLite transactions
        # are IMMEDIATE: one writer at a time anyway).
        ScoreScheme.objects.select_for_update().filter(pk=scheme.pk).exists()
        PerformanceScore.objects.filter(period_kind=kind, period_start=start).delete()
        PerformanceScore.objects.bulk_create(rows)
    return rows


def scores_recompute(*, actor: Any, kind: str, period_start: dt.date | str) -> int:
    """A supervisor or administrator recomputes a period (e.g. after changing the scheme)."""
    if not may_recompute(actor):
        raise ScoreForbidden(_("只有电子监察人员或中心管理员可以重新计算绩效得分。"))
    rows = scores_compute(kind=kind, period_start=period_start)
    log.info("scores %s %s recomputed by user %s", kind, period_start, actor.pk)
    return len(rows)


def scores_refresh(*, now: dt.datetime | None = None) -> int:
    """The background job (``supervision.scores``); returns how many periods it computed.

    For months and quarters: the period that ended last is computed once after its end (rows
    computed before the end were provisional and are replaced once); the current period's
    provisional scores are recomputed when they are more than an hour old. Safe in several
    workers: at worst two compute the same period and the later one replaces the earlier.
    """
    now = now or clock.now()
    today = clock.local_date(now)
    done = 0
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        current = period_start_of(kind, today)
        previous = period_shift(kind, current, -1)
        final_since, _end = day_bounds(current, current)
        for start, since in ((previous, final_since), (current, now - PROVISIONAL_MAX_AGE)):
            rows = PerformanceScore.objects.filter(period_kind=kind, period_start=start)
            if not rows.filter(computed_at__gte=since).exists():
                scores_compute(kind=kind, period_start=start)
                done += 1
    return done
