"""Electronic supervision (电子监察, docs/product.md §C10, docs/rules/supervision.md §D): rules and
cards.

A ``Rule`` is one trigger of docs/rules/supervision.md §D1 with thresholds administrators may edit
(D2); the sweep (``onewindow.supervision.services.sweep``) issues a ``Card`` when an object crosses
a rule's threshold. The unique constraint on (rule, object kind, object id, level) makes the sweep
idempotent: any number of workers and any restart give exactly one card per crossing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from onewindow.core.statemachine import Machine, lifecycle
from onewindow.supervision.errors import (
    CardConflict,
    CardError,
    CardWrongStatus,
    LetterConflict,
    LetterError,
    LetterWrongStatus,
)


class RuleKind(models.TextChoices):
    DEADLINE = "deadline", _("时限监察")
    VIOLATION = "violation", _("违规监察")


class Rule(models.Model):
    """One supervision trigger; its code names the function in ``rules.RULES`` that finds it."""

    code = models.CharField(_("规则编码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    # docs/rules/supervision.md §D2: yellow on the working day(s) before the due date (0: on the due
    # date) …
    yellow_enabled = models.BooleanField(_("发黄牌预警"), default=True)
    yellow_days_before = models.PositiveSmallIntegerField(_("到期前几个工作日发黄牌"), default=1)
    # … red on the first working day after it (1), or later.
    red_days_after = models.PositiveSmallIntegerField(_("逾期第几个工作日发红牌"), default=1)
    # … or once this share (%) of the allotted working days is used, whichever comes first
    # (deadline rules whose objects carry an allotted time: tasks, cases, intake, certificates).
    yellow_share = models.PositiveSmallIntegerField(
        _("已用时限比例达到（%）时发黄牌"),
        null=True,
        blank=True,
        help_text=_("留空则只按到期前工作日数预警；例如 80 表示已用去 80% 的办理时限时预警。"),
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_days_after__gte=1), name="rule_red_days_after_ge_1"
            ),
            models.CheckConstraint(
                condition=models.Q(yellow_share__isnull=True)
                | models.Q(yellow_share__gte=1, yellow_share__lte=99),
                name="rule_yellow_share_1_99",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CardLevel(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardStatus(models.TextChoices):
    """issued → explained → confirmed | cancelled; confirmed → rectified (docs/product.md §C10)."""

    ISSUED = "issued", _("已发牌，待说明")
    EXPLAINED = "explained", _("已说明，待确认")
    CONFIRMED = "confirmed", _("已确认，待整改")
    CANCELLED = "cancelled", pgettext_lazy("supervision card", "已撤销")
    RECTIFIED = "rectified", _("已整改")


class ObjectKind(models.TextChoices):
    CASE = "case", _("办件")
    TASK = "task", _("审查任务")
    DECISION = "decision", _("审批决定")
    COMMITMENT = "commitment", _("容缺承诺")
    SUSPENSION = "suspension", _("特别程序")
    CORRECTION = "correction", _("补正告知")
    LETTER = "letter", _("督办函")
    FEE = "fee", _("收费记录")
    QUESTION = "question", _("网上咨询")
    RECTIFICATION = "rectification", _("差评整改")
    QUALIFICATION = "qualification", _("中介机构资质")


class Card(models.Model):
    """A yellow or red card issued on one object for one rule."""

    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT)
    level = models.CharField(_("级别"), max_length=10, choices=CardLevel.choices)
    object_kind = models.CharField(_("对象类型"), max_length=20, choices=ObjectKind.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    # None for a card on an object without a case (a 督办函 about a department in general).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cards",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="cards",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CardStatus.choices, default=CardStatus.ISSUED
    )
    detail = models.TextField(_("情况"), blank=True)
    due = models.DateField(_("相关期限"), null=True, blank=True)
    issued_at = models.DateTimeField(_("发牌时间"))
    # The sweep run that inserted the card: tells which rows of a batch were really new.
    sweep_run = models.CharField(max_length=32, blank=True, editable=False)
    explanation = models.TextField(_("部门说明"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # almost always empty; one index fewer on every sweep insert
    )
    explained_at = models.DateTimeField(_("说明时间"), null=True, blank=True)
    review_note = models.TextField(_("监察意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # almost always empty; one index fewer on every sweep insert
    )
    reviewed_at = models.DateTimeField(_("确认/撤销时间"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # almost always empty; one index fewer on every sweep insert
    )
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    # Optimistic concurrency: every lifecycle step is a conditional UPDATE on (pk, revision).
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("监察牌")
        verbose_name_plural = _("监察牌")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_kind", "object_id", "level"], name="card_once_per_crossing"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "issued_at"], name="card_dept_status"),
            models.Index(fields=["status", "issued_at"], name="card_status_issued"),
            models.Index(fields=["level", "issued_at"], name="card_level_issued"),
            models.Index(fields=["sweep_run"], name="card_sweep_run"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.level} {self.object_kind}#{self.object_id}"


def _card_wrong_state(card: Card) -> CardError:
    return CardWrongStatus(
        gettext("该监察牌当前状态为“%(s)s”，不能进行此操作。")
        % {"s": CardStatus(card.status).label}
    )


def _card_conflict(card: Card) -> CardError:
    return CardConflict(gettext("该监察牌刚刚已被他人处理，请刷新后查看最新状态。"))


# The department explains an issued card; a supervisor confirms it after the explanation or
# cancels it (issued in error, or the explanation accepted); the department rectifies a
# confirmed card. The sweep issues cards (``services.sweep``): no transition enters ISSUED.
CARD_MACHINE: Machine[Card] = Machine(
    model=Card,
    transitions=lifecycle(
        [
            ((CardStatus.ISSUED,), CardStatus.EXPLAINED),
            ((CardStatus.EXPLAINED,), CardStatus.CONFIRMED),
            ((CardStatus.ISSUED, CardStatus.EXPLAINED), CardStatus.CANCELLED),
            ((CardStatus.CONFIRMED,), CardStatus.RECTIFIED),
        ]
    ),
    wrong_state=_card_wrong_state,
    conflict=_card_conflict,
)


class SupervisionEvent(models.Model):
    """One step of a card's or a letter's lifecycle: who, when, from which status to which."""

    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=20)
    old_status = models.CharField(_("原状态"), max_length=12, blank=True)
    new_status = models.CharField(_("新状态"), max_length=12)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class CardEvent(SupervisionEvent):
    card = models.ForeignKey(
        Card, verbose_name=_("监察牌"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(SupervisionEvent.Meta):
        verbose_name = _("监察牌记录")
        verbose_name_plural = _("监察牌记录")

    def __str__(self) -> str:
        return f"{self.card_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class LetterStatus(models.TextChoices):
    """issued → responded → closed; issued → escalated (no response by the due date)."""

    ISSUED = "issued", _("已发函，待回复")
    RESPONDED = "responded", _("已回复，待办结")
    CLOSED = "closed", _("已办结")
    ESCALATED = "escalated", _("逾期未复，已升级")


class LetterSequence(models.Model):
    """The last letter number used in a year: 督〔2025〕001号, 002号 …"""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("督办函编号")
        verbose_name_plural = _("督办函编号")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SupervisionLetter(models.Model):
    """A supervision letter (督办函) to a department: it must reply by ``response_due``."""

    number = models.CharField(_("文号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("被督办部门"),
        on_delete=models.PROTECT,
        related_name="supervision_letters",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_letters",
    )
    card = models.ForeignKey(
        Card,
        verbose_name=_("监察牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    subject = models.CharField(_("事由"), max_length=200)
    text = models.TextField(_("督办内容"))
    response_days = models.PositiveSmallIntegerField(_("回复期限（工作日）"))
    response_due = models.DateField(_("回复截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发函时间"))
    response = models.TextField(_("部门回复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("督办函")
        verbose_name_plural = _("督办函")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_days__gte=1, response_days__lte=20),
                name="letter_response_days_1_20",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "response_due"], name="letter_status_due"),
            models.Index(fields=["department", "status"], name="letter_dept_status"),
        ]

    def __str__(self) -> str:
        return self.number


def _letter_wrong_state(letter: SupervisionLetter) -> LetterError:
    return LetterWrongStatus(
        gettext("该督办函当前状态为“%(s)s”，不能进行此操作。")
        % {"s": LetterStatus(letter.status).label}
    )


def _letter_conflict(letter: SupervisionLetter) -> LetterError:
    return LetterConflict(gettext("该督办函刚刚已被他人处理，请刷新后查看最新状态。"))


# A supervisor issues a letter; the department replies (also late, after escalation); the
# supervisor closes a replied letter; the daily job escalates one unanswered past its due date.
LETTER_MACHINE: Machine[SupervisionLetter] = Machine(
    model=SupervisionLetter,
    transitions=lifecycle(
        [
            ((LetterStatus.ISSUED, LetterStatus.ESCALATED), LetterStatus.RESPONDED),
            ((LetterStatus.RESPONDED,), LetterStatus.CLOSED),
            ((LetterStatus.ISSUED,), LetterStatus.ESCALATED),
        ]
    ),
    wrong_state=_letter_wrong_state,
    conflict=_letter_conflict,
)


class LetterEvent(SupervisionEvent):
    letter = models.ForeignKey(
        SupervisionLetter, verbose_name=_("督办函"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(SupervisionEvent.Meta):
        verbose_name = _("督办函记录")
        verbose_name_plural = _("督办函记录")

    def __str__(self) -> str:
        return f"{self.letter_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


# --- situation reports (情况通报, docs/rules/supervision.md §D9) --------------------------------------
class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class ReportStatus(models.TextChoices):
    """pending → running → done | failed (a failed report can be requested again)."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class SituationReport(models.Model):
    """A situation report (情况通报) for one month or quarter, archived with its figures and PDF.

    The scheduled report of a period is unique (any number of workers schedule it once); reports
    requested on demand may repeat a period (e.g. the current month so far).
    """

    number = models.CharField(_("期号"), max_length=40, unique=True, null=True, blank=True)
    period_kind = models.CharField(_("周期"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    scheduled = models.BooleanField(_("定期生成"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The figures as computed when the report was made: the archive never changes afterwards.
    data = models.JSONField(_("数据"), default=dict, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    error = models.TextField(_("错误信息"), blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("情况通报")
        verbose_name_plural = _("情况通报")
        ordering = ["-period_start", "-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start"],
                condition=models.Q(scheduled=True),
                name="report_scheduled_once",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_le_100"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="report_status_requested"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.period_kind} {self.period_start}"


# --- performance scores (绩效考核, docs/rules/supervision.md §D10) ------------------------------------
class ScoreScheme(models.Model):
    """The weights and grade bounds of performance scoring, edited by administrators.

    One row (pk 1). Indicator weights are points out of 100 (docs/rules/supervision.md §D4
    indicators); card and letter penalties are points taken off per item; grades are quarterly (D3).
    """

    weight_on_time = models.DecimalField(
        _("按时办结率权重"), max_digits=5, decimal_places=2, default=40
    )
    weight_early = models.DecimalField(
        _("提前办结率权重"), max_digits=5, decimal_places=2, default=20
    )
    weight_satisfaction = models.DecimalField(
        _("满意率权重"), max_digits=5, decimal_places=2, default=20
    )
    weight_compression = models.DecimalField(
        _("时限压缩率权重"), max_digits=5, decimal_places=2, default=20
    )
    yellow_penalty = models.DecimalField(
        _("每张黄牌扣分"), max_digits=5, decimal_places=2, default=1
    )
    red_penalty = models.DecimalField(_("每张红牌扣分"), max_digits=5, decimal_places=2, default=3)
    letter_penalty = models.DecimalField(
        _("每份督办函扣分"), max_digits=5, decimal_places=2, default=5
    )
    grade_excellent = models.DecimalField(
        _("优秀分数线"), max_digits=5, decimal_places=2, default=90
    )
    grade_good = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=2, default=80)
    grade_pass = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=2, default=60)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("绩效考核方案")
        verbose_name_plural = _("绩效考核方案")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_excellent__gt=models.F("grade_good"))
                & models.Q(grade_good__gt=models.F("grade_pass")),
                name="scheme_grades_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(_("绩效考核方案"))


class SubjectKind(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    WINDOW = "window", _("窗口")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class PerformanceScore(models.Model):
    """One department's or window's indicators, score, grade and rank for one period."""

    period_kind = models.CharField(_("周期"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    subject_kind = models.CharField(_("考核对象类型"), max_length=12, choices=SubjectKind.choices)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scores",
    )
    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scores",
    )
    received = models.PositiveIntegerField(_("收件数"), default=0)
    closed = models.PositiveIntegerField(_("办结数"), default=0)
    closed_on_time = models.PositiveIntegerField(_("按时办结数"), default=0)
    closed_early = models.PositiveIntegerField(_("提前办结数"), default=0)
    ratings = models.PositiveIntegerField(_("评价数"), default=0)
    satisfied = models.PositiveIntegerField(_("满意评价数"), default=0)
    on_time_rate = models.DecimalField(
        _("按时办结率"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    early_rate = models.DecimalField(
        _("提前办结率"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    satisfaction_rate = models.DecimalField(
        _("满意率"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    compression_rate = models.DecimalField(
        _("时限压缩率"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    yellow_cards = models.PositiveIntegerField(_("黄牌数"), default=0)
    red_cards = models.PositiveIntegerField(_("红牌数"), default=0)
    letters = models.PositiveIntegerField(_("督办函数"), default=0)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("排名"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("绩效得分")
        verbose_name_plural = _("绩效得分")
        ordering = ["-period_start", "subject_kind", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        subject_kind="department", department__isnull=False, window__isnull=True
                    )
                    | models.Q(subject_kind="window", window__isnull=False, department__isnull=True)
                ),
                name="score_subject_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "department"],
                condition=models.Q(subject_kind="department"),
                name="score_department_once",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "window"],
                condition=models.Q(subject_kind="window"),
                name="score_window_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["period_kind", "period_start", "subject_kind", "rank"], name="score_ranking"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind} {self.period_kind} {self.period_start}: {self.score}"
