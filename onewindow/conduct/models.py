"""Window conduct (窗口作风, docs/rules/hall.md §J2, §J16, §J17) and the monthly window evaluation
(docs/rules/hall.md §J3, §J18, §J19).

- ``Discipline``: one disciplinary record of a staff member at a window — a warning, an interview
  (约谈), a public notice (通报批评) or a removal from the window (调离窗口, which takes the staff
  member off the window until reinstated), with the "four difficulties" category and the
  complaint or bad review behind it;
- ``ConductConfig``: the administrator's weights and deductions of the monthly score (one row);
- ``WindowScore``: one window's score of one month with every component, so a page can explain it;
- ``Rectification``: what a bottom window must put right, by when, and whether it has.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REASON_MAX = 2000
STATEMENT_MAX = 2000


class DisciplineKind(models.TextChoices):
    """docs/rules/hall.md §J2: from the lightest to the heaviest."""

    WARNING = "warning", _("警告提醒")
    INTERVIEW = "interview", _("约谈")
    NOTICE = "notice", _("通报批评")
    REMOVAL = "removal", _("调离窗口")


class Difficulty(models.TextChoices):
    """docs/rules/hall.md §J2: the "four difficulties" (四难), or another conduct matter."""

    DOOR = "door", _("门难进")
    FACE = "face", _("脸难看")
    WORDS = "words", _("话难听")
    MATTER = "matter", _("事难办")
    OTHER = "other", _("其他")


class Discipline(models.Model):
    """One disciplinary record of a staff member at a window (docs/rules/hall.md §J2)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.PROTECT,
        related_name="discipline_records",
    )
    window = models.ForeignKey(
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("处理方式"), max_length=10, choices=DisciplineKind.choices)
    difficulty = models.CharField(_("问题类别"), max_length=10, choices=Difficulty.choices)
    reason = models.TextField(_("事实和理由"))
    # docs/rules/hall.md §J17: the only text a public notice shows (no personal data).
    public_summary = models.TextField(_("通报内容（公开）"), blank=True)
    complaint = models.ForeignKey(
        "consult.Complaint",
        verbose_name=_("相关投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bad_review = models.ForeignKey(
        "ratings.BadReview",
        verbose_name=_("相关差评"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"))
    # First day of the month of ``decided_at`` (local time): the evaluation month it counts in.
    month = models.DateField(_("计入月份"))
    acknowledged_at = models.DateTimeField(_("本人确认时间"), null=True, blank=True)
    statement = models.TextField(_("本人陈述"), blank=True)
    # docs/rules/hall.md §J16: a removal is undone by a reinstatement, never by deleting it.
    reinstated_at = models.DateTimeField(_("恢复上岗时间"), null=True, blank=True)
    reinstated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reinstate_reason = models.TextField(_("恢复理由"), blank=True)

    class Meta:
        verbose_name = _("作风处理记录")
        verbose_name_plural = _("作风处理记录")
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(fields=["staff", "decided_at"], name="discipline_staff"),
            models.Index(fields=["window", "month"], name="discipline_window_month"),
            models.Index(fields=["kind", "decided_at"], name="discipline_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reinstated_at__isnull=True) | Q(kind="removal"),
                name="discipline_reinstate_only_removal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.staff} {self.decided_at:%Y-%m-%d}"

    @property
    def removed(self) -> bool:
        """A removal still in force."""
        return self.kind == DisciplineKind.REMOVAL and self.reinstated_at is None


class ConductConfig(models.Model):
    """The monthly evaluation's weights and deductions (one row, pk 1; the defaults apply while it
    is missing). docs/rules/hall.md §J3: the five weights add up to 100."""

    weight_satisfaction = models.PositiveSmallIntegerField(_("满意度权重"), default=40)
    weight_on_time = models.PositiveSmallIntegerField(_("按时办结率权重"), default=30)
    weight_complaints = models.PositiveSmallIntegerField(_("投诉权重"), default=10)
    weight_cards = models.PositiveSmallIntegerField(_("电子监察亮牌权重"), default=10)
    weight_discipline = models.PositiveSmallIntegerField(_("作风处理权重"), default=10)
    complaint_deduction = models.PositiveSmallIntegerField(_("每件属实投诉扣分"), default=20)
    yellow_card_deduction = models.PositiveSmallIntegerField(_("每张黄牌扣分"), default=10)
    red_card_deduction = models.PositiveSmallIntegerField(_("每张红牌扣分"), default=25)
    warning_deduction = models.PositiveSmallIntegerField(_("每次警告提醒扣分"), default=10)
    interview_deduction = models.PositiveSmallIntegerField(_("每次约谈扣分"), default=20)
    notice_deduction = models.PositiveSmallIntegerField(_("每次通报批评扣分"), default=40)
    removal_deduction = models.PositiveSmallIntegerField(_("每次调离窗口扣分"), default=60)
    min_ratings = models.PositiveSmallIntegerField(_("参加评价的最少评价数"), default=5)
    ranking_size = models.PositiveSmallIntegerField(_("红旗窗口和末位窗口各评几个"), default=3)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("窗口月度评价设置")
        verbose_name_plural = _("窗口月度评价设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="conductconfig_single_row"),
            models.CheckConstraint(
                condition=Q(ranking_size__gte=1), name="conductconfig_ranking_size_ge_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("窗口月度评价设置"))


class Designation(models.TextChoices):
    RED_FLAG = "red_flag", _("红旗窗口")
    BOTTOM = "bottom", _("末位窗口")
    NONE = "", _("—")


class WindowScore(models.Model):
    """One window's monthly score with every component (docs/rules/hall.md §J3, §J18)."""

    window = models.ForeignKey(
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"))
    ratings = models.PositiveIntegerField(_("评价数"), default=0)
    satisfied = models.PositiveIntegerField(_("满意评价数"), default=0)
    cases_closed = models.PositiveIntegerField(_("办结件数"), default=0)
    cases_on_time = models.PositiveIntegerField(_("按时办结件数"), default=0)
    complaints_upheld = models.PositiveIntegerField(_("属实投诉数"), default=0)
    yellow_cards = models.PositiveIntegerField(_("黄牌数"), default=0)
    red_cards = models.PositiveIntegerField(_("红牌数"), default=0)
    warnings = models.PositiveIntegerField(_("警告提醒次数"), default=0)
    interviews = models.PositiveIntegerField(_("约谈次数"), default=0)
    notices = models.PositiveIntegerField(_("通报批评次数"), default=0)
    removals = models.PositiveIntegerField(_("调离窗口次数"), default=0)
    # The five component points (0–100, two places); null satisfaction: too few ratings.
    satisfaction_points = models.DecimalField(
        _("满意度得分"), max_digits=5, decimal_places=2, null=True
    )
    on_time_points = models.DecimalField(_("按时办结得分"), max_digits=5, decimal_places=2)
    complaint_points = models.DecimalField(_("投诉得分"), max_digits=5, decimal_places=2)
    card_points = models.DecimalField(_("亮牌得分"), max_digits=5, decimal_places=2)
    discipline_points = models.DecimalField(_("作风得分"), max_digits=5, decimal_places=2)
    # The settings the score was computed with (weights and deductions), for the explanation.
    settings_used = models.JSONField(_("计算所用设置"), default=dict)
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(_("名次"), null=True)
    designation = models.CharField(
        _("评定"), max_length=10, choices=Designation.choices, blank=True, default=""
    )
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("窗口月度得分")
        verbose_name_plural = _("窗口月度得分")
        ordering = ["month", "rank", "window__number"]
        constraints = [
            models.UniqueConstraint(fields=["window", "month"], name="windowscore_one_per_month"),
        ]
        indexes = [models.Index(fields=["month", "rank"], name="windowscore_month_rank")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.window} {self.score}"

    @property
    def on_time_rate(self) -> str:
        if not self.cases_closed:
            return "—"
        return f"{self.cases_on_time * 100 / self.cases_closed:.1f}%"

    @property
    def satisfaction_rate(self) -> str:
        if not self.ratings:
            return "—"
        return f"{self.satisfied * 100 / self.ratings:.1f}%"


class Rectification(models.Model):
    """What a bottom window must put right, by when, and whether it has (docs/rules/hall.md §J19)."""

    window = models.ForeignKey(
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("评价月份"))
    requirement = models.TextField(_("整改要求"))
    due_on = models.DateField(_("整改期限"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"))
    done_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_note = models.TextField(_("整改情况"), blank=True)

    class Meta:
        verbose_name = _("末位窗口整改")
        verbose_name_plural = _("末位窗口整改")
        ordering = ["-month", "window__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "month"], name="rectification_one_per_window_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.window}"

    @property
    def done(self) -> bool:
        return self.done_at is not None
