"""Themes (主题 / 一件事) and bundle applications (一表申报、一门受理、多证联办,
docs/product.md §C7; the rules in docs/rules/bundles.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PERSON = "person", _("个人")
    LEGAL = "legal", _("法人")


class LifeEvent(models.TextChoices):
    """The life events the home page groups themes by (docs/rules/bundles.md §R1)."""

    BIRTH = "birth", _("生育")
    SCHOOL = "school", _("上学")
    JOB = "job", _("就业")
    HOUSING = "housing", _("住房")
    RETIREMENT = "retirement", _("退休")
    DEATH = "death", _("身后")
    START = "start", _("开办")
    OPERATE = "operate", _("经营")
    CHANGE = "change", _("变更")
    BUILD = "build", _("投资建设")
    CLOSE = "close", _("注销")


# docs/rules/bundles.md §R1: which life events belong to which audience.
LIFE_EVENTS: dict[str, tuple[str, ...]] = {
    Audience.PERSON: (
        LifeEvent.BIRTH,
        LifeEvent.SCHOOL,
        LifeEvent.JOB,
        LifeEvent.HOUSING,
        LifeEvent.RETIREMENT,
        LifeEvent.DEATH,
    ),
    Audience.LEGAL: (
        LifeEvent.START,
        LifeEvent.OPERATE,
        LifeEvent.CHANGE,
        LifeEvent.BUILD,
        LifeEvent.CLOSE,
    ),
}


class Theme(models.Model):
    """A theme an administrator defines from several items (docs/rules/bundles.md §R1)."""

    code = models.SlugField(_("主题编码"), max_length=40, unique=True)
    name = models.CharField(_("主题名称"), max_length=100)
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices)
    life_event = models.CharField(_("人生事件/企业阶段"), max_length=20, choices=LifeEvent.choices)
    summary = models.TextField(_("主题说明"), blank=True)
    partial_delivery = models.BooleanField(
        _("允许分批送达"),
        default=False,
        help_text=_("不勾选：全部事项作出决定后统一送达（docs/rules/bundles.md §R8）"),
    )
    published = models.BooleanField(_("已发布"), default=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("主题（一件事）")
        verbose_name_plural = _("主题（一件事）")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class ThemeQuestion(models.Model):
    """A yes/no question of a theme whose answer decides conditional items (R1)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("问题标识"), max_length=40)
    text = models.CharField(_("问题"), max_length=200)
    help = models.CharField(_("说明"), max_length=300, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题问题")
        verbose_name_plural = _("主题问题")
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "key"], name="themequestion_theme_key")
        ]

    def __str__(self) -> str:
        return self.text


class ThemeItem(models.Model):
    """One item of a theme: always included, or only when a question is answered a given way."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        ThemeQuestion,
        verbose_name=_("条件问题"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # the admin's delete page lists the items going with it
        related_name="items",
        help_text=_("留空：始终办理"),
    )
    when_yes = models.BooleanField(_("回答“是”时办理"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题事项")
        verbose_name_plural = _("主题事项")
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "item"], name="themeitem_theme_item")
        ]

    def __str__(self) -> str:
        return f"{self.theme_id} {self.item_id}"


class Bundle(models.Model):
    """One bundle application: the answers, the merged form and its linked sub-cases (R3)."""

    theme = models.ForeignKey(
        Theme, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="bundles"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="bundles",
    )
    answers = models.JSONField(_("情形问答"), default=dict, blank=True)
    form_data = models.JSONField(_("合并申请表"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submission_key = models.CharField(max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("统一送达时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("送达人"),
    )

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="bundle_applicant_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme.name} #{self.pk}"


class BundleCase(models.Model):
    """A sub-case of a bundle: one per included item, filed through the cases services."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="parts")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="bundle_part")
    theme_item = models.ForeignKey(ThemeItem, on_delete=models.PROTECT, related_name="+")
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("一件事子办件")
        verbose_name_plural = _("一件事子办件")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.case_id}"


class BundleCorrection(models.Model):
    """The one combined correction notice of a bundle (R6): every line of its sub-cases' open
    correction notices, answered once."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="corrections")
    sequence = models.PositiveSmallIntegerField(_("第几次补正"))
    # Its lines are the sub-cases' correction notices issued from then until it is answered.
    issued_at = models.DateTimeField(_("出具时间"))
    answered_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事合并补正告知")
        verbose_name_plural = _("一件事合并补正告知")
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "sequence"], name="bundlecorrection_bundle_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} #{self.sequence}"
