"""Cases (办件): online application, window intake and their event trail
(docs/product.md §C3, §C4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.audit.append_only import AppendOnly
from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.catalog.models import ItemVersion, PublishedVersionError, VersionStatus
from onewindow.core import clock
from onewindow.core.personal_data import SealedJSONField
from onewindow.core.statemachine import Machine, lifecycle


class CaseStatus(models.TextChoices):
    """Where a case stands. Colours are CSS classes used by badges."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    CORRECTION = "correction", _("待补正材料")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    # docs/product.md §C5, §C6: after acceptance the review app moves the case on.
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("特别程序中（暂停计时）")
    GRANTED = "granted", _("准予许可，待送达")
    REFUSED = "refused", _("不予许可")
    COMPLETED = "completed", _("已办结")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]


STATUS_COLOURS = {
    CaseStatus.DRAFT: "grey",
    CaseStatus.SUBMITTED: "blue",
    CaseStatus.CORRECTION: "orange",
    CaseStatus.ACCEPTED: "green",
    CaseStatus.REJECTED: "red",
    CaseStatus.WITHDRAWN: "grey",
    CaseStatus.TERMINATED: "red",
    CaseStatus.IN_REVIEW: "blue",
    CaseStatus.SUSPENDED: "orange",
    CaseStatus.GRANTED: "green",
    CaseStatus.REFUSED: "red",
    CaseStatus.COMPLETED: "grey",
}
# Statuses in which the intake clerk still owes a decision (ALL Art. 32).
AWAITING_INTAKE = (CaseStatus.SUBMITTED,)
# Closed for good: the supervisor console lists these after the open ones (console_closed()).
CLOSED_FOR_GOOD = (
    CaseStatus.REJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.TERMINATED,
    CaseStatus.REFUSED,
    CaseStatus.COMPLETED,
)


def console_closed() -> models.Expression:
    """1 for a case closed for good, else 0: the console's first sort key and the first column
    of its index (the same expression in both, so PostgreSQL reads the index in order)."""
    return models.Case(
        models.When(status__in=CLOSED_FOR_GOOD, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


# The applicant may withdraw until a decision on the application is made.
WITHDRAWABLE = (
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
)


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申报")
    WINDOW = "window", _("窗口申报")


class ApprovalRoute(models.TextChoices):
    STANDARD = "standard", _("一般程序")
    COMMITMENT = "commitment", _("告知承诺制")


class CasePriority(models.IntegerChoices):
    """How urgently a case is handled: key-project cases (重点项目) are marked in every inbox and
    come first where a queue is ordered by urgency (docs/rules/projects.md §H4)."""

    NORMAL = 0, _("一般")
    KEY = 10, _("重点项目")
    URGENT = 20, _("重点项目（特急）")


class Case(models.Model):
    """One application for one item version, from draft to intake decision and beyond."""

    number = models.CharField(_("办件编号"), max_length=40, unique=True, null=True, blank=True)
    query_code = models.CharField(_("查询码"), max_length=12, blank=True)
    item_version = models.ForeignKey(
        "catalog.ItemVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("受理部门"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("办理区域"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        _("申报渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    route = models.CharField(
        _("审批方式"), max_length=12, choices=ApprovalRoute.choices, default=ApprovalRoute.STANDARD
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.DRAFT,
        db_index=True,
    )
    # names, numbers, addresses: the whole form is sealed (docs/rules/privacy.md §P1)
    form_data = SealedJSONField(_("申请表内容"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=CasePriority.choices, default=CasePriority.NORMAL, db_index=True
    )
    # Optimistic concurrency: every transition bumps it with a conditional UPDATE.
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # docs/rules/workdays.md §A2: receipt on a non-working day counts from the next working day.
    received_on = models.DateField(_("收件日期"), null=True, blank=True)
    intake_due = models.DateField(_("受理期限"), null=True, blank=True, db_index=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    decision_due = models.DateField(_("承诺办结期限"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("法定办结期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限为临时计算"), default=False)
    correction_count = models.PositiveSmallIntegerField(_("补正次数"), default=0)
    # The hall window whose clerk made the intake decision (window performance,
    # docs/product.md §C10).
    intake_window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("受理窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["department", "status", "intake_due"], name="case_dept_status_due"
            ),
            models.Index(fields=["applicant", "status"], name="case_applicant_status"),
            # docs/rules/scale.md §Y4: one index per page a province reads every minute, in
            # the page's keyset order.
            models.Index(fields=["applicant", "-created_at", "-id"], name="case_applicant_created"),
            models.Index(
                fields=["department", "-priority", "intake_due", "submitted_at", "id"],
                condition=Q(status=CaseStatus.SUBMITTED),
                name="case_intake_queue",
            ),
            models.Index(
                fields=["department", "submitted_at", "id"],
                condition=Q(status=CaseStatus.SUBMITTED),
                name="case_intake_by_submission",
            ),
            models.Index(
                console_closed(),
                Coalesce("decision_due", "intake_due"),
                F("id").desc(),
                condition=~Q(status=CaseStatus.DRAFT),
                name="case_console_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("草稿 #%(pk)s") % {"pk": self.pk}

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[CaseStatus(self.status)]

    @property
    def is_priority(self) -> bool:
        """A key-project case: shown with its priority badge in every inbox."""
        return self.priority > CasePriority.NORMAL


class CaseNumberSequence(models.Model):
    """The last sequence number handed out per region and day (case number = region+date+seq)."""

    region_code = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "day"], name="case_number_seq_region_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.day} {self.last}"


def _case_wrong_state(case: Case) -> CaseError:
    return WrongStatus(
        gettext("办件当前状态为“%(status)s”，不能执行此操作。")
        % {"status": CaseStatus(case.status).label}
    )


def _case_conflict(case: Case) -> CaseError:
    return ConcurrentChange(gettext("该办件刚刚已被他人处理，请刷新后查看最新状态。"))


# The lifecycle of a case (ALL Arts. 29–50): each status and the statuses it is entered from.
# ``onewindow.cases.transitions.transition`` moves a case; its callers name the statuses they
# accept, always a part of these (an extension keeps the status: the case "moves" to itself).
CASE_MACHINE: Machine[Case] = Machine(
    model=Case,
    transitions=lifecycle(
        [
            ((CaseStatus.DRAFT, CaseStatus.CORRECTION), CaseStatus.SUBMITTED),
            (AWAITING_INTAKE, CaseStatus.ACCEPTED),
            (AWAITING_INTAKE, CaseStatus.CORRECTION),
            ((CaseStatus.SUBMITTED, CaseStatus.CORRECTION), CaseStatus.REJECTED),
            (WITHDRAWABLE, CaseStatus.WITHDRAWN),
            ((CaseStatus.ACCEPTED, CaseStatus.SUSPENDED), CaseStatus.IN_REVIEW),
            ((CaseStatus.IN_REVIEW,), CaseStatus.SUSPENDED),
            ((CaseStatus.IN_REVIEW,), CaseStatus.GRANTED),
            ((CaseStatus.IN_REVIEW,), CaseStatus.REFUSED),
            (
                (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED),
                CaseStatus.TERMINATED,
            ),
            ((CaseStatus.GRANTED,), CaseStatus.COMPLETED),
        ]
    ),
    wrong_state=_case_wrong_state,
    conflict=_case_conflict,
)


class CaseEvent(AppendOnly):
    """One transition or notable action on a case: the audit trail and supervision input.

    Append-only and hash-chained (docs/rules/audit.md §Z1, §Z2): written once by
    ``transitions.event_record``, never changed or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("操作角色"), max_length=20, blank=True)
    # An agent's action: the applicant (principal) it was done for (docs/rules/mandates.md §T5).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被代办人（委托人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=40)
    old_status = models.CharField(_("原状态"), max_length=20, blank=True)
    new_status = models.CharField(_("新状态"), max_length=20, blank=True)
    reason = models.TextField(_("理由/说明"), blank=True)
    # Public events appear on the progress page (without staff names).
    public = models.BooleanField(_("对外公开"), default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.old_status}→{self.new_status}"


class FlagKind(models.TextChoices):
    """Facts about a case that electronic supervision must look at
    (docs/rules/supervision.md §D1)."""

    DEEMED_ACCEPTANCE = "deemed_acceptance", _("逾期未作受理决定，视为受理")
    SECOND_CORRECTION = "second_correction", _("第二次补正告知（已签批）")
    COMMITMENT_OVERDUE = "commitment_overdue", _("容缺承诺逾期未补齐")
    TOLERATED_ACCEPTANCE = "tolerated_acceptance", _("容缺受理")
    DEEMED_CONSENT = "deemed_consent", _("部门逾期未回复，默许同意")
    CERTIFICATE_OVERDUE = "certificate_overdue", _("准予许可后逾期未发证送达")
    DEEMED_RENEWAL = "deemed_renewal", _("有效期届满未作延续决定，视为准予延续")


class CaseFlag(models.Model):
    """A supervision flag raised on a case; at most one per case and kind."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("类型"), max_length=30, choices=FlagKind.choices)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("监察标记")
        verbose_name_plural = _("监察标记")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="caseflag_case_kind")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class StoredFile(models.Model):
    """An uploaded file kept under a generated name outside any public path."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有人"),
        on_delete=models.PROTECT,
        related_name="stored_files",
    )
    path = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # Identity documents and certificates may be reused in later applications (once-only).
    reusable_kind = models.CharField(_("可复用材料类型"), max_length=50, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")

    def __str__(self) -> str:
        return self.original_name


class MaterialStatus(models.TextChoices):
    PENDING = "pending", _("待审查")
    OK = "ok", _("合格")
    MISSING = "missing", _("缺少")
    DEFECTIVE = "defective", _("不符合要求")
    TOLERATED = "tolerated", _("容缺后补")


class CaseMaterial(models.Model):
    """One checklist line of a case: which catalog material, its files and its review status."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=20, choices=MaterialStatus.choices, default=MaterialStatus.PENDING
    )
    remark = models.TextField(_("审查意见"), blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["material__sort", "material_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="casematerial_case_material")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.material_id}"


class CaseFile(models.Model):
    """A file attached to a case material (several per material)."""

    case_material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="files")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="attachments")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办件附件")
        verbose_name_plural = _("办件附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.stored.original_name


class SubmissionKey(models.Model):
    """An Idempotency-Key already used by an applicant, and the case it produced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submissionkey_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class NoticeKind(models.TextChoices):
    """Written notices of docs/rules/licensing.md §B7 (intake here; review and decision in the
    review app)."""

    ACCEPTANCE = "acceptance", _("受理通知书")
    CORRECTION = "correction", _("补正材料通知书（一次性告知书）")
    REJECTION = "rejection", _("不予受理决定书")
    TOLERATED = "tolerated", _("容缺受理通知书")
    COMMITMENT = "commitment", _("告知承诺书")
    TERMINATION = "termination", _("终止办理通知书")
    EXTENSION = "extension", _("延期告知书")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
    GRANT = "grant", _("准予行政许可决定书")
    REFUSAL = "refusal", _("不予行政许可决定书")
    MATERIAL_REQUEST = "material_request", _("补充材料通知书（审查阶段）")


class Notice(models.Model):
    """A dated written notice issued on a case; its PDF is rendered from these fields."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书类型"), max_length=20, choices=NoticeKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Everything the document says: reasons, per-material lines, due dates, appeal rights ...
    content = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return self.number


class CorrectionNotice(models.Model):
    """The one-time list of everything to supplement (一次性告知, ALL Art. 32)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="correction")
    sequence = models.PositiveSmallIntegerField(_("第几次补正"))
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签批人"),
    )
    sign_off_reason = models.TextField(_("签批理由"), blank=True)
    answered_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="correction_case_sequence"),
            # A second notice on the same case needs a supervisor's sign-off with a reason.
            models.CheckConstraint(
                condition=Q(sequence=1) | (Q(signed_off_by__isnull=False) & ~Q(sign_off_reason="")),
                name="correction_second_signed_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.sequence}"


class CommitmentKind(models.TextChoices):
    TOLERATED = "tolerated", _("容缺后补承诺")
    NOTIFICATION = "notification", _("告知承诺")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("待履行")
    FULFILLED = "fulfilled", _("已履行")
    OVERDUE = "overdue", _("逾期未履行")
    CANCELLED = "cancelled", _("已撤销")


class Commitment(models.Model):
    """An applicant's signed commitment: a tolerated material to supply (G2) or 告知承诺 (G1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("类型"), max_length=20, choices=CommitmentKind.choices)
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("承诺内容"))
    liability = models.TextField(_("虚假承诺责任"), blank=True)
    due_on = models.DateField(_("履行期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(default=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
        db_index=True,
    )
    signed_at = models.DateTimeField(_("签署时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_on}"


# --- online application: per-item form fields, mandates, false commitments -----------------


class FieldType(models.TextChoices):
    """Kinds of extra application-form fields an item may ask for (docs/decisions.md §U6)."""

    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单项选择")
    ADDRESS = "address", _("地址")


class TextFormat(models.TextChoices):
    """Fixed formats a text field may demand (named, not free regexes an admin could get wrong)."""

    NONE = "", _("不限")
    PHONE = "phone", _("电话号码")
    POSTCODE = "postcode", _("邮政编码")


class ApplicationField(models.Model):
    """One extra field of an item version's application form; freezes with the version."""

    version = models.ForeignKey(
        "catalog.ItemVersion",
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="application_fields",
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    name = models.SlugField(_("字段标识"), max_length=50)
    label = models.CharField(_("字段名称"), max_length=100)
    type = models.CharField(_("字段类型"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("可选项"), default=list, blank=True)
    help = models.CharField(_("填写说明"), max_length=300, blank=True)
    # Text and address: length bounds; number: value bounds.
    min_length = models.PositiveIntegerField(_("最少字数"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("最多字数"), null=True, blank=True)
    min_value = models.DecimalField(
        _("最小值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    text_format = models.CharField(
        _("文本格式"),
        max_length=20,
        choices=TextFormat.choices,
        default=TextFormat.NONE,
        blank=True,
    )

    class Meta:
        verbose_name = _("申请表字段")
        verbose_name_plural = _("申请表字段")
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"], name="applicationfield_version_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.name}"

    def _check_editable(self) -> None:
        # Cases keep the version they were filed under (docs/product.md §C1): its form never changes
        # afterwards.
        if not ItemVersion.objects.filter(pk=self.version_id, status=VersionStatus.DRAFT).exists():
            raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))

    def save(self, *args: object, **kwargs: object) -> None:
        self._check_editable()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        self._check_editable()
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]


class MandateChannel(models.TextChoices):
    """How a mandate was given (docs/rules/mandates.md §T3)."""

    ONLINE = "online", _("网上委托（委托人本人）")
    PAPER = "paper", _("纸质委托书（窗口或社区代办点登记）")


class MandateConfirmation(models.TextChoices):
    """How a paper mandate was confirmed (docs/rules/mandates.md §T3)."""

    ACCOUNT = "account", _("委托人账号确认")
    WINDOW = "window", _("窗口当面核验身份")


class Mandate(models.Model):
    """An applicant's recorded authorisation for an agent to file and follow cases
    (docs/product.md §C8, docs/rules/mandates.md §T1).

    Exactly one scope: every item (no item, case or project), one item, one key project
    (``project_id``; the projects app sits above cases, so no foreign key) or one single case.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办员"),
        on_delete=models.PROTECT,
        related_name="mandates_held",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人（申请人）"),
        on_delete=models.PROTECT,
        related_name="mandates_given",
    )
    # No item, case or project: the mandate covers every item.
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("委托事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("委托办件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mandates",
    )
    project_id = models.BigIntegerField(_("委托重点项目"), null=True, blank=True, db_index=True)
    valid_from = models.DateField(_("生效日期"), default=clock.today)
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        _("委托方式"), max_length=10, choices=MandateChannel.choices, default=MandateChannel.ONLINE
    )
    # A paper mandate: the scan of the signed printed mandate, and its confirmation.
    scan = models.ForeignKey(
        StoredFile,
        verbose_name=_("委托书扫描件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人/核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation = models.CharField(
        _("确认方式"), max_length=10, choices=MandateConfirmation.choices, blank=True
    )
    refused_at = models.DateTimeField(_("委托人拒绝时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代办委托")
        verbose_name_plural = _("代办委托")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "applicant"], name="mandate_agent_applicant")]
        constraints = [
            # docs/rules/mandates.md §T1: at most one of item, case and project.
            models.CheckConstraint(
                condition=(
                    Q(item__isnull=True, case__isnull=True)
                    | Q(item__isnull=True, project_id__isnull=True)
                    | Q(case__isnull=True, project_id__isnull=True)
                ),
                name="mandate_one_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.item_id or (self.case_id and f"case {self.case_id}") or "*"
        if self.project_id:
            scope = f"project {self.project_id}"
        return f"{self.applicant_id} → {self.agent_id} ({scope})"

    @property
    def pending(self) -> bool:
        """A paper mandate neither confirmed nor refused yet: it authorises nothing."""
        return (
            self.channel == MandateChannel.PAPER
            and self.confirmed_at is None
            and self.refused_at is None
        )


class FalseCommitmentRecord(models.Model):
    """A finding that an applicant made a false 告知承诺; it bars the route afterwards (G1)."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="false_commitments",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("情况说明"))

    class Meta:
        verbose_name = _("虚假承诺记录")
        verbose_name_plural = _("虚假承诺记录")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.recorded_at:%Y-%m-%d}"


class CaseFee(models.Model):
    """A fee actually charged on a case (收费登记): the ledger the supervision fee rule checks
    against the item's fee list (docs/rules/supervision.md §D1 "fees not on the fee list or above
    it").

    ``fee`` is the fee-list line charged under; empty when the charge is not on the list.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fees")
    fee = models.ForeignKey(
        "catalog.Fee",
        verbose_name=_("收费清单项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("收费项目"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    amount = models.DecimalField(_("实收金额（元）"), max_digits=12, decimal_places=2)
    # docs/rules/delegation.md §V5: the standard per unit in force for this case when charged —
    # the handling district's own amount, else the city's. Empty on records made before it was
    # kept (the fee-list line's amount then applies) and on charges off the list.
    unit_standard = models.DecimalField(
        _("收费标准（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    receipt = models.CharField(_("票据号"), max_length=50, blank=True)
    charged_on = models.DateField(_("收费日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        ordering = ["charged_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="casefee_amount_gt_0"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="casefee_quantity_ge_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"
