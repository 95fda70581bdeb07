"""The intermediary services market (中介服务超市, docs/product.md §C14): the agency registry,
what an item requires, the selection of an agency for a case and the agency's job, ratings,
assessments and violations (docs/rules/agencies.md §I1–§I12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import CaseStatus

NAME_MAX = 200
# A selection may be made while the case is being prepared or answered, not once it is closed
# (docs/rules/agencies.md §I7).
CLOSED_CASE = (
    CaseStatus.REJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
    CaseStatus.REFUSED,
    CaseStatus.COMPLETED,
)
TEXT_MAX = 2_000


class ServiceType(models.Model):
    """A kind of intermediary service (测绘, 资产评估, 环境影响评价…)."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("中介服务类型")
        verbose_name_plural = _("中介服务类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AgencyStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停服务")
    REVOKED = "revoked", _("已清退")


class Grade(models.TextChoices):
    """docs/rules/agencies.md §I10."""

    A = "A", _("A级（优秀）")
    B = "B", _("B级（良好）")
    C = "C", _("C级（合格）")
    D = "D", _("D级（不合格）")


class Agency(models.Model):
    """A registered intermediary agency (中介机构)."""

    name = models.CharField(_("机构名称"), max_length=NAME_MAX)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AgencyStatus.choices,
        default=AgencyStatus.ACTIVE,
        db_index=True,
    )
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办理时限（工作日）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    address = models.CharField(_("地址"), max_length=NAME_MAX, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    intro = models.TextField(_("简介"), max_length=TEXT_MAX, blank=True)
    service_types = models.ManyToManyField(
        ServiceType, verbose_name=_("服务类型"), related_name="agencies", blank=True
    )
    departments = models.ManyToManyField(
        "catalog.Department", verbose_name=_("服务部门"), related_name="+", blank=True
    )
    items = models.ManyToManyField(
        "catalog.Item", verbose_name=_("服务事项"), related_name="+", blank=True
    )
    status_reason = models.CharField(_("状态说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("中介机构")
        verbose_name_plural = _("中介机构")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == AgencyStatus.ACTIVE


class Qualification(models.Model):
    """A qualification certificate (资质) of an agency, valid from one day to another inclusive."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("资质名称"), max_length=100)
    level = models.CharField(_("等级"), max_length=30, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=60)
    valid_from = models.DateField(_("有效期自"))
    valid_to = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["agency_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="qualification_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}{self.level}"

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class FeeStandard(models.Model):
    """An agency's published fee for one service type: one amount (min = max) or a range."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="fees")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    amount_min = models.DecimalField(_("收费下限（元）"), max_digits=12, decimal_places=2)
    amount_max = models.DecimalField(_("收费上限（元）"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("计费单位"), max_length=30, default="项")

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        ordering = ["agency_id", "service_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service_type"], name="fee_agency_type"),
            models.CheckConstraint(
                condition=models.Q(amount_min__gte=0, amount_max__gte=models.F("amount_min")),
                name="fee_range_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {self.amount_min}–{self.amount_max}/{self.unit}"


class AgencyStaff(models.Model):
    """A practitioner of an agency, shown on its page."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称/职务"), max_length=50, blank=True)
    certificate = models.CharField(_("执业证书"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["agency_id", "pk"]

    def __str__(self) -> str:
        return self.name


class AgencyAccount(models.Model):
    """A user of the agency role working for one agency (its desk shows that agency's jobs)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_account"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="accounts")

    class Meta:
        verbose_name = _("中介机构账号")
        verbose_name_plural = _("中介机构账号")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class ServiceRequirement(models.Model):
    """docs/rules/agencies.md §I1: an intermediary service an item requires by law, with the
    qualification it needs; the report goes into the item's material ``material``."""

    item = models.ForeignKey(
        "catalog.Item", on_delete=models.CASCADE, related_name="agency_requirements"
    )
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    qualification_name = models.CharField(_("所需资质"), max_length=100)
    material_name = models.CharField(
        _("对应申请材料"),
        max_length=200,
        blank=True,
        help_text=_("中介报告作为该名称的申请材料归入办件"),
    )
    legal_basis = models.CharField(_("设定依据"), max_length=300)
    department_selects = models.BooleanField(
        _("由部门选取"),
        default=False,
        help_text=_("仅当法律规定由审批部门委托时勾选；否则由申请人自主选择"),
    )

    class Meta:
        verbose_name = _("事项中介服务")
        verbose_name_plural = _("事项中介服务")
        ordering = ["item_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "service_type"], name="requirement_item_service_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_type}（{self.qualification_name}）"


class Method(models.TextChoices):
    DIRECT = "direct", _("直接选取")
    DRAW = "draw", _("随机抽取")
    BID = "bid", _("竞价（最低报价）")


class JobStatus(models.TextChoices):
    BIDDING = "bidding", _("竞价中")
    FAILED = "failed", _("竞价无有效报价")
    OFFERED = "offered", _("待机构接受")
    DECLINED = "declined", _("机构已拒绝")
    ACCEPTED = "accepted", _("服务中")
    REPORTED = "reported", _("报告待部门审查")
    RETURNED = "returned", _("报告退回修改")
    APPROVED = "approved", _("报告已采纳")


class Selection(models.Model):
    """docs/rules/agencies.md §I2, §I5, §I6, §I8: the record of choosing an agency for one
    requirement of a case, and the agency's job that follows."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(
        ServiceRequirement, on_delete=models.PROTECT, related_name="selections"
    )
    method = models.CharField(_("选取方式"), max_length=10, choices=Method.choices)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, db_index=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("选取人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("选取时间"))
    candidate_ids = models.JSONField(_("候选机构"), default=list)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    bid_deadline = models.DateTimeField(_("报价截止时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("选定机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
    )
    # the job
    accepted_on = models.DateField(_("接受日期"), null=True, blank=True)
    due_on = models.DateField(_("承诺完成日期"), null=True, blank=True)
    reported_on = models.DateField(_("提交报告日期"), null=True, blank=True)
    days_taken = models.PositiveSmallIntegerField(_("用时（工作日）"), null=True, blank=True)
    corrections = models.PositiveSmallIntegerField(_("退回修改次数"), default=0)
    fee = models.DecimalField(_("实收费用（元）"), max_digits=12, decimal_places=2, null=True)
    fee_max = models.DecimalField(
        _("收费标准上限（元）"), max_digits=12, decimal_places=2, null=True
    )
    remark = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("中介服务选取记录")
        verbose_name_plural = _("中介服务选取记录")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.requirement}"

    @property
    def first_pass(self) -> bool | None:
        if self.status != JobStatus.APPROVED:
            return None
        return self.corrections == 0

    @property
    def fee_within_standard(self) -> bool | None:
        if self.fee is None or self.fee_max is None:
            return None
        return self.fee <= self.fee_max


class Bid(models.Model):
    """docs/rules/agencies.md §I6: one agency's quote in a lowest-quote selection."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="bids")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="bids")
    amount = models.DecimalField(_("报价（元）"), max_digits=12, decimal_places=2)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("报价时间"))

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ["amount", "placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "agency"], name="bid_one_per_agency"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="bid_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.amount}"


class RaterKind(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    DEPARTMENT = "department", _("审批部门")


class JobRating(models.Model):
    """docs/rules/agencies.md §I9: the applicant's and the department's rating of one job."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(_("评价方"), max_length=12, choices=RaterKind.choices)
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("中介服务评价")
        verbose_name_plural = _("中介服务评价")
        constraints = [
            models.UniqueConstraint(fields=["selection", "kind"], name="jobrating_one_per_side"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="jobrating_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selection_id} {self.kind} {self.score}"


class Assessment(models.Model):
    """docs/rules/agencies.md §I10: an agency's periodic assessment and grade."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assessments")
    period_start = models.DateField(_("考核期自"))
    period_end = models.DateField(_("考核期至"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    details = models.JSONField(_("计分明细"), default=dict)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("考核时间"))

    class Meta:
        verbose_name = _("中介机构考核")
        verbose_name_plural = _("中介机构考核")
        ordering = ["-period_end", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_start", "period_end"], name="assessment_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.period_start}–{self.period_end} {self.grade}"


class Violation(models.Model):
    """docs/rules/agencies.md §I11: a violation found, and whether it suspended the agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="violations")
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("违规情形"), max_length=TEXT_MAX)
    suspended = models.BooleanField(_("暂停服务"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.occurred_on}"


ZERO = Decimal("0")
