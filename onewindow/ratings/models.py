"""Satisfaction ratings (好差评, docs/rules/satisfaction.md §E1–§E10).

- ``Service``: one rateable service — a finished case (``kind=case``, one per case) or a window
  service the clerk armed the rating pad for (``kind=window``, optionally about a case);
- ``Rating``: one rating of one service on one channel (the database allows one per service and
  channel); a defaulted rating is ``channel=default``, an appeal-accepted one is ``excluded``;
- ``RatingTally``: the monthly counts every figure reads, kept in the transaction of every rating
  change;
- ``RatingLink``: the one-time link of the completion SMS/email; ``RatingPad``: a window's tablet
  and the service it is armed for;
- ``BadReview`` (+ ``BadReviewEvent``): the rectification of a bad review under
  ``BAD_REVIEW_MACHINE``; ``Appeal``: a department's appeal against a rating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core import clock
from onewindow.core.statemachine import Machine, lifecycle
from onewindow.ratings.errors import ConcurrentChange, RatingWrongState

COMMENT_MAX = 500


class Level(models.IntegerChoices):
    """docs/rules/satisfaction.md §E1: five levels, 5 best; 1 and 2 are bad reviews."""

    VERY_BAD = 1, _("非常不满意")
    BAD = 2, _("不满意")
    FAIR = 3, _("基本满意")
    GOOD = 4, _("满意")
    VERY_GOOD = 5, _("非常满意")


BAD_LEVELS = (Level.VERY_BAD, Level.BAD)
SATISFIED_LEVELS = (Level.GOOD, Level.VERY_GOOD)


class RatingChannel(models.TextChoices):
    WEB = "web", _("网上评价")
    LINK = "link", _("短信/邮件链接")
    PAD = "pad", _("窗口评价器")
    DEFAULT = "default", _("逾期默认评价")


class ServiceKind(models.TextChoices):
    CASE = "case", _("办件")
    WINDOW = "window", _("窗口服务")


class RatingConfig(models.Model):
    """The administrator's settings (one row, pk 1; the defaults apply while it is missing)."""

    default_level = models.PositiveSmallIntegerField(
        _("逾期未评价时的默认评价"),
        choices=Level.choices,
        null=True,
        blank=True,
        default=Level.FAIR,
        help_text=_("留空表示逾期未评价不记录默认评价。"),
    )
    default_after_days = models.PositiveSmallIntegerField(
        _("评价期限（日历日）"), default=7, help_text=_("服务完成后多少个日历日内可以评价。")
    )
    rectify_working_days = models.PositiveSmallIntegerField(_("差评整改期限（工作日）"), default=15)
    ranking_min_ratings = models.PositiveSmallIntegerField(_("参加月度排名的最少评价数"), default=5)
    ranking_size = models.PositiveSmallIntegerField(_("红旗窗口和末位窗口各评几个"), default=1)

    class Meta:
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="ratingconfig_single_row"),
            models.CheckConstraint(
                condition=Q(default_after_days__gte=1), name="ratingconfig_days_ge_1"
            ),
            models.CheckConstraint(
                condition=Q(rectify_working_days__gte=1), name="ratingconfig_rectify_ge_1"
            ),
            models.CheckConstraint(
                condition=Q(ranking_size__gte=1), name="ratingconfig_ranking_size_ge_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("好差评设置"))


class Service(models.Model):
    """One rateable service (docs/rules/satisfaction.md §E1)."""

    kind = models.CharField(_("类型"), max_length=10, choices=ServiceKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rated_services",
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The window clerk who served (window services): the bad review goes to them.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The person served (real name): the case's applicant, or an account the clerk named.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rated_services",
    )
    rater_name = models.CharField(_("服务对象姓名"), max_length=100, blank=True)
    description = models.CharField(_("服务内容"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("服务完成时间"))
    # docs/rules/satisfaction.md §E3: ratings are taken until then; afterwards the default.
    rate_by = models.DateTimeField(_("评价截止时间"), db_index=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-finished_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="case"), name="service_one_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(kind="case") | Q(case__isnull=False), name="service_case_has_case"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ServiceKind.CASE and self.case is not None:
            return str(self.case)
        return self.description or gettext("窗口服务 #%(pk)s") % {"pk": self.pk}

    @property
    def title(self) -> str:
        """What was served, for the rating pages."""
        if self.case is not None:
            return f"{self.case.number or ''} {self.case.item_version.name}".strip()
        return self.description or str(_("窗口服务"))


class Rating(models.Model):
    """One rating of one service on one channel."""

    service = models.ForeignKey(
        Service, verbose_name=_("服务"), on_delete=models.PROTECT, related_name="ratings"
    )
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评价时间"))
    # Copied from the service, for the tally and the lists (first day of the rating's month).
    month = models.DateField(_("评价月份"))
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "catalog.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # docs/rules/satisfaction.md §E6: an appeal accepted takes the rating out of every figure.
    excluded = models.BooleanField(_("申诉成立已剔除"), default=False)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            # docs/rules/satisfaction.md §E1: one rating per service per channel.
            models.UniqueConstraint(
                fields=["service", "channel"], name="rating_one_per_service_channel"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.get_level_display()}"

    @property
    def defaulted(self) -> bool:
        return self.channel == RatingChannel.DEFAULT

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RatingTally(models.Model):
    """Ratings counted per month, department, item, window and level
    (docs/rules/satisfaction.md §E9). ``level``: 1 非常不满意 … 5 非常满意 (``Level``). Excluded ratings are not counted;
    defaulted ones are, at their default level. Null item/window: a service without one. Four
    partial unique indexes keep (month, department, item, window, level) unique with NULLs on
    SQLite and PostgreSQL alike."""

    month = models.DateField(_("月份"))
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("窗口"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    count = models.PositiveIntegerField(_("评价数"), default=0)

    class Meta:
        verbose_name = _("评价汇总")
        verbose_name_plural = _("评价汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "item", "window", "level"],
                condition=Q(item__isnull=False, window__isnull=False),
                name="tally_unique_item_window",
            ),
            models.UniqueConstraint(
                fields=["month", "department", "window", "level"],
                condition=Q(item__isnull=True, window__isnull=False),
                name="tally_unique_no_item",
            ),
            models.UniqueConstraint(
                fields=["month", "department", "item", "level"],
                condition=Q(item__isnull=False, window__isnull=True),
                name="tally_unique_no_window",
            ),
            models.UniqueConstraint(
                fields=["month", "department", "level"],
                condition=Q(item__isnull=True, window__isnull=True),
                name="tally_unique_neither",
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="tally_level_1_5"),
        ]
        indexes = [models.Index(fields=["month", "window"], name="tally_month_window")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id} {self.level}: {self.count}"


class RatingLink(models.Model):
    """A one-time rating link (docs/rules/satisfaction.md §E4); only the token's hash is kept."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="links")
    # Set on the link of a bad review's report-back: it answers the report, it does not rate.
    bad_review = models.ForeignKey(
        "BadReview", null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("评价链接")
        verbose_name_plural = _("评价链接")

    def __str__(self) -> str:
        return f"{self.service} {self.expires_at:%Y-%m-%d}"


class RatingPad(models.Model):
    """A window's rating pad (评价器, docs/rules/satisfaction.md §E4): its device token's hash and
    the service it is armed for."""

    window = models.OneToOneField(
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, blank=True)
    armed = models.ForeignKey(
        Service,
        verbose_name=_("待评价的服务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    armed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("窗口评价器")
        verbose_name_plural = _("窗口评价器")

    def __str__(self) -> str:
        return str(self.window)


# --- bad reviews (docs/rules/satisfaction.md §E5) -----------------------------------------------
class BadReviewStatus(models.TextChoices):
    OPEN = "open", _("待回访核实")
    CALLED_BACK = "called_back", _("已回访核实")
    RECTIFYING = "rectifying", _("限期整改中")
    RECTIFIED = "rectified", _("已整改，待反馈")
    REPORTED = "reported", _("已反馈评价人")
    CLOSED = "closed", _("评价人已回复")
    EXCLUDED = "excluded", _("申诉成立，已剔除")


# The rectification clock runs (the supervision rule "rectification_overdue" reads it).
BAD_REVIEW_OPEN = (BadReviewStatus.OPEN, BadReviewStatus.CALLED_BACK, BadReviewStatus.RECTIFYING)


class BadReview(models.Model):
    """The rectification of one bad review."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="bad_review"
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=BadReviewStatus.choices,
        default=BadReviewStatus.OPEN,
        db_index=True,
    )
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("差评时间"))
    # docs/rules/satisfaction.md §E5: rectified by this date (default 15 working days; an earlier
    # deadline the department sets replaces it).
    due_on = models.DateField(_("整改期限"), db_index=True)
    callback_note = models.TextField(_("回访核实情况"), blank=True)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    report = models.TextField(_("反馈内容"), blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    response_satisfied = models.BooleanField(_("评价人对整改是否满意"), null=True, blank=True)
    response = models.TextField(_("评价人回复"), blank=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"], name="badreview_dept_status")]

    def __str__(self) -> str:
        return gettext("差评 #%(pk)s") % {"pk": self.pk}

    @property
    def overdue(self) -> bool:
        return self.status in BAD_REVIEW_OPEN and self.due_on < clock.today()


class BadReviewEvent(models.Model):
    """One step of a bad review's life (who, when, from which status to which, what was said)."""

    bad_review = models.ForeignKey(BadReview, on_delete=models.CASCADE, related_name="events")
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
        verbose_name = _("差评整改记录")
        verbose_name_plural = _("差评整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.bad_review_id} {self.action}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


EVENT_LABELS = {
    "opened": _("收到差评"),
    "called_back": _("回访核实"),
    "deadline_set": _("确定整改期限"),
    "rectified": _("整改完毕"),
    "reported": _("向评价人反馈"),
    "responded": _("评价人回复"),
    "appealed": _("提出申诉"),
    "appeal_accepted": _("申诉成立，评价已剔除"),
    "appeal_rejected": _("申诉不成立"),
}


def _bad_review_wrong_state(review: BadReview) -> RatingWrongState:
    return RatingWrongState(
        gettext("该差评当前状态为“%(status)s”，不能执行此操作。")
        % {"status": BadReviewStatus(review.status).label}
    )


def _conflict(_obj: object) -> ConcurrentChange:
    return ConcurrentChange(gettext("该记录刚刚已被他人处理，请刷新后查看最新状态。"))


S = BadReviewStatus
BAD_REVIEW_MACHINE: Machine[BadReview] = Machine(
    model=BadReview,
    transitions=lifecycle(
        [
            ((S.OPEN,), S.CALLED_BACK),
            ((S.CALLED_BACK,), S.RECTIFYING),
            ((S.CALLED_BACK, S.RECTIFYING), S.RECTIFIED),
            ((S.RECTIFIED,), S.REPORTED),
            ((S.REPORTED,), S.CLOSED),
            (BAD_REVIEW_OPEN, S.EXCLUDED),
        ]
    ),
    wrong_state=_bad_review_wrong_state,
    conflict=_conflict,
)


class AppealReason(models.TextChoices):
    MISTAKEN = "mistaken", _("误评")
    MALICIOUS = "malicious", _("恶意评价")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class Appeal(models.Model):
    """A department's appeal against a mistaken or malicious bad review (one per bad review)."""

    bad_review = models.OneToOneField(
        BadReview, verbose_name=_("差评"), on_delete=models.CASCADE, related_name="appeal"
    )
    reason = models.CharField(_("申诉理由"), max_length=10, choices=AppealReason.choices)
    statement = models.TextField(_("申诉说明"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    revision = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return gettext("申诉 #%(pk)s") % {"pk": self.pk}


def _appeal_wrong_state(appeal: Appeal) -> RatingWrongState:
    return RatingWrongState(
        gettext("该申诉当前状态为“%(status)s”，不能再审核。")
        % {"status": AppealStatus(appeal.status).label}
    )


APPEAL_MACHINE: Machine[Appeal] = Machine(
    model=Appeal,
    transitions=lifecycle(
        [
            ((AppealStatus.PENDING,), AppealStatus.ACCEPTED),
            ((AppealStatus.PENDING,), AppealStatus.REJECTED),
        ]
    ),
    wrong_state=_appeal_wrong_state,
    conflict=_conflict,
)
