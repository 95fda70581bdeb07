"""The catalog (docs/product.md §C1): departments, regions, windows, items and their versions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.validators import validate_form_template, validate_sample


class Department(models.Model):
    """A municipal bureau whose approval section works in the service hall, or a district's
    counterpart of one (``region`` and ``counterpart`` set): the district bureau that handles the
    items delegated to that district (docs/rules/delegation.md §V1)."""

    code = models.CharField(_("部门编码"), max_length=20, unique=True)
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    hall_location = models.CharField(_("大厅窗口位置"), max_length=100, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # docs/rules/delegation.md §V1: blank for a city bureau; a district bureau names its district
    # and the city bureau whose delegated items it handles.
    region = models.ForeignKey(
        "Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("留空为市级部门；区级部门填写所属的区/新区。"),
    )
    counterpart = models.ForeignKey(
        "self",
        verbose_name=_("对口市级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="district_counterparts",
        help_text=_("区级部门承接的是哪个市级部门的下放事项。"),
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "counterpart"],
                condition=Q(counterpart__isnull=False),
                name="department_one_counterpart_per_region",
                violation_error_message=_("该区域已有对口这个市级部门的部门。"),
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=True, counterpart__isnull=True)
                | Q(region__isnull=False, counterpart__isnull=False),
                name="department_region_with_counterpart",
                violation_error_message=_("区级部门必须同时填写所属区域和对口市级部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区/新区")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")


class Region(models.Model):
    """A node of the region tree: city → districts and new areas → streets → communities."""

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    has_service_point = models.BooleanField(_("设有便民服务点"), default=False)
    # Where the placement in the tree comes from, or that it is inferred (the sources name few).
    note = models.CharField(_("备注"), max_length=300, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent = {
            RegionLevel.CITY: None,
            RegionLevel.DISTRICT: RegionLevel.CITY,
            RegionLevel.STREET: RegionLevel.DISTRICT,
            RegionLevel.COMMUNITY: RegionLevel.STREET,
        }[RegionLevel(self.level)]
        parent_level = self.parent.level if self.parent else None
        if parent_level != expected_parent:
            raise ValidationError({"parent": _("上级区域的层级不正确。")})


class Window(models.Model):
    """A counter in the service hall (一窗受理) staffed by clerks."""

    number = models.CharField(_("窗口号"), max_length=20, unique=True)
    name = models.CharField(_("窗口名称"), max_length=100)
    area = models.CharField(_("所在区域"), max_length=50, blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name=_("受理部门"), blank=True, related_name="windows"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ToleranceCategory(models.TextChoices):
    """容缺受理 categories (docs/rules/licensing.md §G2)."""

    ENCOURAGED = "encouraged", _("鼓励类")
    CAUTIOUS = "cautious", _("审慎类")
    RESTRICTED = "restricted", _("限制类")


class ToleranceSetting(models.Model):
    """How many non-core materials may be missing at 容缺 acceptance, per category (G2)."""

    category = models.CharField(
        _("容缺类别"), max_length=20, choices=ToleranceCategory.choices, unique=True
    )
    max_missing = models.PositiveSmallIntegerField(_("最多可容缺的次要材料数"))

    class Meta:
        verbose_name = _("容缺受理尺度")
        verbose_name_plural = _("容缺受理尺度")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.max_missing}"


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    FILING = "filing", _("备案")
    OTHER = "other", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("快递送达")
    ELECTRONIC = "electronic", _("电子证照")


class Item(models.Model):
    """An approval item's stable identity; its content lives in versions."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    item_type = models.CharField(
        _("事项类型"), max_length=20, choices=ItemType.choices, default=ItemType.LICENSING
    )
    # Denormalised pointer to the published version so public pages read one row.
    published_version = models.OneToOneField(
        "ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        version = self.published_version
        return f"{self.code} {version.name if version else ''}".strip()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已废止")


class PublishedVersionError(ValidationError):
    """Raised when something tries to change a published or superseded version."""


class ItemVersion(models.Model):
    """One version of an item's service guide. Published versions never change
    (docs/product.md §C1)."""

    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        db_index=True,
    )
    name = models.CharField(_("事项名称"), max_length=200, db_index=True)
    legal_basis = models.TextField(_("设定依据"))
    statutory_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), validators=[MinValueValidator(0)]
    )
    committed_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), validators=[MinValueValidator(0)]
    )
    joint_handling = models.BooleanField(
        _("联合/集中办理"),
        default=False,
        help_text=_("行政许可法第二十六条：联合办理时限为45个工作日，可延长15个工作日。"),
    )
    # ALL Art. 42 para. 2 (docs/rules/licensing.md §B2): joint handling is decided within 45 working
    # days "unless laws or regulations provide otherwise"; a longer limit names that law and
    # article.
    limit_basis_law = models.CharField(
        _("时限另有规定的法律、法规"),
        max_length=200,
        blank=True,
        help_text=_(
            "联合办理事项的法定办结时限超过45个工作日时必填：规定该时限的法律、法规名称，"
            "如《中华人民共和国环境影响评价法》。"
        ),
    )
    limit_basis_article = models.CharField(
        _("时限依据条款"),
        max_length=100,
        blank=True,
        help_text=_("与上一项一并填写，如“第二十二条”。"),
    )
    on_the_spot = models.BooleanField(_("即办件"), default=False)
    tolerance_category = models.CharField(
        _("容缺类别"),
        max_length=20,
        choices=ToleranceCategory.choices,
        default=ToleranceCategory.RESTRICTED,
    )
    commitment_allowed = models.BooleanField(_("适用告知承诺制"), default=False)
    # docs/product.md §C5 process template: the branches are ProcessBranch rows; these two belong to
    # the whole.
    consolidation_days = models.PositiveSmallIntegerField(
        _("牵头部门汇总决定时间（工作日）"),
        default=1,
        help_text=_("各部门意见齐备后，牵头部门汇总并作出决定的时间。"),
    )
    material_request_pauses = models.BooleanField(
        _("补充材料期间暂停计时"),
        default=True,
        help_text=_("审查部门通过窗口要求申请人补充材料时，该部门的审查时限是否暂停计算。"),
    )
    result_type = models.CharField(
        _("审批结果类型"),
        max_length=20,
        choices=[("certificate", _("证照")), ("approval", _("批文")), ("other", _("其他"))],
        default="certificate",
    )
    result_name = models.CharField(_("审批结果名称"), max_length=200)
    delivery_methods = models.JSONField(_("送达方式"), default=list)
    # ALL Art. 50 (docs/rules/licensing.md §B6): whether the licence can be renewed and for how long
    # a certificate (first issued or renewed) is valid. Blank validity: the certificates app's
    # default (5 years, or long-term when the result name says 长期).
    validity_years = models.PositiveSmallIntegerField(
        _("证照有效期（年）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("留空：默认5年；审批结果名称含“长期”的为长期有效。"),
    )
    renewable = models.BooleanField(
        _("可申请延续"),
        default=False,
        help_text=_(
            "行政许可法第五十条：被许可人应当在有效期届满三十日前提出延续申请；"
            "逾期未作决定的，视为准予延续。延续申请只需提交勾选了“延续时提交”的材料。"
        ),
    )
    service_object = models.CharField(_("服务对象"), max_length=100, blank=True)
    handling_place = models.CharField(_("办理地点"), max_length=200, blank=True)
    handling_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    contact_phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=50, blank=True)
    process_summary = models.TextField(_("办理流程"), blank=True)
    # Name, code and department in one lower-cased column for the Chinese substring search.
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事项版本（办事指南）")
        verbose_name_plural = _("事项版本（办事指南）")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_item_number"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="published"), name="itemversion_one_published"
            ),
            # docs/rules/licensing.md §B2: committed ≤ statutory is a catalog invariant.
            models.CheckConstraint(
                condition=Q(committed_days__lte=F("statutory_days")),
                name="itemversion_committed_le_statutory",
                violation_error_message=_("承诺时限不得超过法定时限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (
            self.committed_days is not None
            and self.statutory_days is not None
            and self.committed_days > self.statutory_days
        ):
            errors.setdefault("committed_days", []).append(
                str(
                    _("承诺时限不得超过法定时限：承诺%(c)s个工作日，法定%(s)s个工作日。")
                    % {"c": self.committed_days, "s": self.statutory_days}
                )
            )
        if self.renewable and self.result_type != "certificate":
            errors.setdefault("renewable", []).append(
                str(_("只有审批结果为证照的事项才能申请延续。"))
            )
        bad = [m for m in self.delivery_methods or [] if m not in DeliveryMethod.values]
        if bad:
            errors.setdefault("delivery_methods", []).append(
                str(_("不支持的送达方式：%(m)s") % {"m": ", ".join(map(str, bad))})
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
                _guard_transition(stored, self.status, kwargs.get("update_fields"))
        self.search_text = " ".join([self.name, self.item.code, self.item.department.name]).lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        # Cases keep the version they were filed under (docs/product.md §C1): only a draft may be
        # thrown away.
        stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored not in (None, VersionStatus.DRAFT):
            raise PublishedVersionError(_("已发布的版本不可删除。"))
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]


def _guard_transition(stored: str, new: str, update_fields: object) -> None:
    """Only the publish/supersede services may touch a published version, and only its status."""
    allowed = stored == VersionStatus.PUBLISHED and new == VersionStatus.SUPERSEDED
    if not (allowed and update_fields and set(update_fields) <= {"status"}):  # type: ignore[call-overload]
        raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))


class VersionChild(models.Model):
    """Rows that belong to a version and freeze with it."""

    version: models.ForeignKey[ItemVersion, ItemVersion]
    version_id: int
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort", "pk"]

    def _check_editable(self) -> None:
        if not ItemVersion.objects.filter(pk=self.version_id, status=VersionStatus.DRAFT).exists():
            raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))

    def save(self, *args: object, **kwargs: object) -> None:
        self._check_editable()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        self._check_editable()
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]


class Condition(VersionChild):
    """One condition an applicant must meet (受理条件)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField(_("条件"))

    class Meta(VersionChild.Meta):
        verbose_name = _("受理条件")
        verbose_name_plural = _("受理条件")

    def __str__(self) -> str:
        return self.text[:40]


class CityMaterialManager(models.Manager["Material"]):
    """The city's guide: a version's own materials, without the districts' extra ones
    (docs/rules/delegation.md §V5). ``version.materials`` and ``Material.objects`` use it; a case's
    checklist line reaches a district's extra material through its foreign key (base manager)."""

    def get_queryset(self) -> models.QuerySet[Material]:
        return super().get_queryset().filter(region__isnull=True)


class Material(VersionChild):
    """One line of the materials checklist (申请材料).

    ``region`` set: an extra material a district requires for its cases of this city version
    (docs/rules/delegation.md §V5), written when a case needs it and never edited; it is not
    part of the city's guide (``Material.objects`` leaves it out, ``Material.all_objects`` not).
    """

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    region = models.ForeignKey(
        Region,
        verbose_name=_("增加该材料的区域"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必需"), default=True)
    # G2: core (主要) materials can never be missing at 容缺 acceptance.
    is_core = models.BooleanField(_("主要材料"), default=True)
    original_or_copy = models.CharField(
        _("原件/复印件"),
        max_length=20,
        choices=[
            ("original", _("原件")),
            ("copy", _("复印件")),
            ("both", _("原件和复印件")),
            ("electronic", _("电子材料")),
        ],
        default="original",
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    # ALL Art. 50: a renewal application asks only for the lines ticked here (a simplified list).
    for_renewal = models.BooleanField(
        _("延续时提交"),
        default=True,
        help_text=_("申请延续行政许可时是否需要提交本材料。"),
    )
    source = models.CharField(_("材料来源"), max_length=100, blank=True)
    note = models.CharField(_("填报须知"), max_length=500, blank=True)
    form_template = models.FileField(
        _("空白表格"),
        upload_to="catalog/forms/",
        blank=True,
        validators=[validate_form_template],
        help_text=_("PDF、DOC、DOCX、XLS、XLSX、WPS 或 ET 文件。"),
    )
    sample = models.FileField(
        _("示例样表"),
        upload_to="catalog/samples/",
        blank=True,
        validators=[validate_sample],
        help_text=_("表格类文件，或 JPEG、PNG 图片。"),
    )

    objects = CityMaterialManager()
    all_objects = models.Manager()

    class Meta(VersionChild.Meta):
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "region", "name"],
                condition=Q(region__isnull=False),
                name="material_district_extra_once",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def _check_editable(self) -> None:
        # A district's extra material is added to a published city version once, never edited.
        if self.region_id is not None and self._state.adding:
            return
        super()._check_editable()


class Fee(VersionChild):
    """A fee on the fee list (收费清单), with its legal basis. No rows means free."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=200)
    amount = models.DecimalField(
        _("收费标准（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("计费单位"), max_length=50, blank=True)
    legal_basis = models.TextField(_("收费依据"))

    class Meta(VersionChild.Meta):
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_ge_0")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class StepKind(models.TextChoices):
    """The steps of one department's review (权力运行流程: 承办 → 审核 → 批准)."""

    HANDLE = "handle", _("承办")
    REVIEW = "review", _("审核")
    APPROVE = "approve", _("批准")

    @classmethod
    def label_of(cls, kind: str) -> str:
        """The step's name for people (承办); an unknown stored key is shown as it is."""
        return str(cls(kind).label) if kind in cls.values else kind


class ProcessBranch(VersionChild):
    """One department's part of an item's process template (docs/product.md §C5): lead or
    co-department, its allotted working days and ordered steps, each done by a staff role.

    ``steps`` is a list of ``{"kind": StepKind, "role": Role}``; stored with the row so a new
    draft copies the whole template with the other checklist rows.
    """

    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="process_branches"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    allotted_days = models.PositiveSmallIntegerField(
        _("审查时限（工作日）"), validators=[MinValueValidator(1)]
    )
    steps = models.JSONField(_("办理环节"), default=list)

    class Meta(VersionChild.Meta):
        verbose_name = _("审批流程（部门）")
        verbose_name_plural = _("审批流程（部门）")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "department"], name="processbranch_version_department"
            ),
            models.UniqueConstraint(
                fields=["version"], condition=Q(is_lead=True), name="processbranch_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.allotted_days})"


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class RiskPoint(VersionChild):
    """An integrity risk (廉政风险点) at one department's step of an item's process, with its
    control measure (防控措施) — docs/product.md §C10: shown to the handler at that step and to
    supervisors. A version child, so a new draft copies it and publication freezes it."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="risk_points")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    step_kind = models.CharField(_("办理环节"), max_length=20, choices=StepKind.choices)
    risk = models.TextField(_("廉政风险点"))
    measure = models.TextField(_("防控措施"))
    level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )

    class Meta(VersionChild.Meta):
        verbose_name = _("廉政风险点")
        verbose_name_plural = _("廉政风险点及防控措施")
        indexes = [
            models.Index(
                fields=["version", "department", "step_kind"], name="riskpoint_version_step"
            )
        ]

    def __str__(self) -> str:
        return self.risk[:40]


class ImplementationMode(models.TextChoices):
    HANDLES = "handles", _("受理并办理")
    ACCEPTS = "accepts", _("代收代办（受理点）")


class ItemImplementation(models.Model):
    """Where an item is implemented: the city, a delegated district, or a community point."""

    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="implementations"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("实施区域"), on_delete=models.PROTECT, related_name="implementations"
    )
    mode = models.CharField(
        _("实施方式"),
        max_length=20,
        choices=ImplementationMode.choices,
        default=ImplementationMode.HANDLES,
    )
    delegated = models.BooleanField(_("下放事项"), default=False)
    # docs/rules/delegation.md §V5: where the region's implementation differs from the city's
    # published guide. Blank / empty means "as the city".
    committed_days = models.PositiveSmallIntegerField(
        _("本区域承诺时限（工作日）"), null=True, blank=True, help_text=_("留空：与市级相同。")
    )
    fee_amounts = models.JSONField(
        _("本区域收费标准"), default=dict, blank=True, help_text=_("收费项目名称 → 金额（元）。")
    )
    extra_materials = models.JSONField(_("增加的材料"), default=list, blank=True)
    omitted_materials = models.JSONField(_("精简的材料"), default=list, blank=True)
    legal_basis = models.TextField(
        _("放宽偏离的法律依据"),
        blank=True,
        help_text=_("时限延长、增加材料或提高收费时必填：法律、法规名称及条款。"),
    )
    updated_at = models.DateTimeField(_("最后修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("事项实施区域")
        verbose_name_plural = _("事项实施区域")
        constraints = [
            models.UniqueConstraint(fields=["item", "region"], name="implementation_item_region")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} @ {self.region}"


class ImplementationChange(models.Model):
    """Who changed a region's implementation of an item, when, why and what
    (docs/rules/delegation.md §V6). Kept when the implementation itself is removed."""

    implementation = models.ForeignKey(
        ItemImplementation,
        verbose_name=_("事项实施区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(
        _("操作"),
        max_length=10,
        choices=[("add", _("纳入清单")), ("update", _("修改")), ("remove", _("移出清单"))],
    )
    changes = models.JSONField(_("修改内容"), default=dict, blank=True)
    reason = models.TextField(_("修改理由"))
    legal_basis = models.TextField(_("法律依据"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("实施清单修改记录")
        verbose_name_plural = _("实施清单修改记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region} {self.item.code} {self.action}"
