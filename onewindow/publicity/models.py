"""Announcements (办事公告) and result publicity (结果公示) with its objections (异议)
(docs/rules/publicity.md §L1–§L4)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import SealedCharField

TITLE_MAX = 200
BODY_MAX = 20_000
OBJECTION_MAX = 2_000
CONTACT_MAX = 100
# docs/rules/publicity.md §L3: a publicity lasts 1 to 30 working days.
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 5


class AnnouncementCategory(models.TextChoices):
    NEWS = "news", _("新闻动态")
    NOTICE = "notice", _("通知公告")
    POLICY = "policy", _("政策文件")
    SERVICE = "service", _("办事提醒")


class Announcement(models.Model):
    """A news item or notice written by the center (docs/rules/publicity.md §L1): plain text."""

    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("正文"), max_length=BODY_MAX)
    category = models.CharField(
        _("栏目"),
        max_length=12,
        choices=AnnouncementCategory.choices,
        default=AnnouncementCategory.NOTICE,
        db_index=True,
    )
    publish_at = models.DateTimeField(_("发布时间"), db_index=True)
    expire_at = models.DateTimeField(_("下线时间"), null=True, blank=True)
    published = models.BooleanField(_("已发布"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办事公告")
        verbose_name_plural = _("办事公告")
        ordering = ["-publish_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def visible_at(self, now: dt.datetime) -> bool:
        return (
            self.published
            and self.publish_at <= now
            and (self.expire_at is None or self.expire_at > now)
        )


class PublishedField(models.TextChoices):
    """docs/rules/publicity.md §L2: the fields a publicity may show, in the order shown."""

    APPLICANT = "applicant", _("申请人")
    CASE_NUMBER = "case_number", _("办件编号")
    ITEM_NAME = "item_name", _("事项名称")
    DEPARTMENT = "department", _("决定机关")
    DECISION = "decision", _("审批结果")
    DECIDED_ON = "decided_on", _("决定日期")
    CERTIFICATE_SERIAL = "certificate_serial", _("证书编号")
    VALID_UNTIL = "valid_until", _("有效期至")


def validate_field_codes(value: object) -> None:
    codes = value if isinstance(value, list) else None
    if not codes or not all(isinstance(c, str) for c in codes):
        raise ValidationError(_("请至少选择一项公示内容。"))
    unknown = [c for c in codes if c not in PublishedField.values]
    if unknown:
        raise ValidationError(_("未知的公示内容：%(c)s。") % {"c": "、".join(unknown)})
    if len(set(codes)) != len(codes):
        raise ValidationError(_("公示内容不能重复。"))


class PublicityRule(models.Model):
    """Whether an item's grants are published (结果公示), what is shown and for how long."""

    item = models.OneToOneField(
        "catalog.Item",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="publicity_rule",
    )
    required = models.BooleanField(_("需要公示"), default=True)
    fields = models.JSONField(_("公示内容"), default=list, validators=[validate_field_codes])
    days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"),
        default=DEFAULT_DAYS,
        validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    basis = models.CharField(_("公示依据"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("结果公示设置")
        verbose_name_plural = _("结果公示设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=MIN_DAYS, days__lte=MAX_DAYS),
                name="publicityrule_days_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.item)

    def field_labels(self) -> list[str]:
        return [
            str(PublishedField(code).label) for code in self.fields if code in PublishedField.values
        ]


class PublicityStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    ARCHIVED = "archived", _("已归档")


class Publicity(models.Model):
    """One published result: the fields snapshotted at the decision (docs/rules/publicity.md §L2)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="publicity"
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    # docs/rules/publicity.md §L4: objections go to the lead department.
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    # [{"code": "applicant", "label": "申请人", "value": "张*"}, …] in PublishedField order.
    fields = models.JSONField(_("公示内容"), default=list)
    search_text = models.TextField(editable=False, blank=True)
    days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    starts_on = models.DateField(_("公示开始"), db_index=True)
    ends_on = models.DateField(_("公示截止"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PublicityStatus.choices,
        default=PublicityStatus.OPEN,
        db_index=True,
    )
    published_at = models.DateTimeField(_("发布时间"))
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结果公示")
        verbose_name_plural = _("结果公示")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["status", "ends_on"], name="publicity_status_ends")]

    def __str__(self) -> str:
        return self.title

    def accepts_objections(self, today: dt.date) -> bool:
        """docs/rules/publicity.md §L3: open from the first to the last day, inclusive."""
        return self.status == PublicityStatus.OPEN and self.starts_on <= today <= self.ends_on


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Objection(models.Model):
    """An objection lodged during a publicity, answered by the lead department."""

    publicity = models.ForeignKey(
        Publicity, verbose_name=_("结果公示"), on_delete=models.CASCADE, related_name="objections"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("答复部门"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("异议人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objector_name = models.CharField(_("异议人姓名"), max_length=200)
    text = models.TextField(_("异议内容"), max_length=OBJECTION_MAX)
    contact = SealedCharField(
        _("联系方式"), max_length=CONTACT_MAX, blank=True
    )  # docs/rules/privacy.md §P1
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.OPEN,
        db_index=True,
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), db_index=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"], name="objection_dept_status")]

    def __str__(self) -> str:
        return f"{self.publicity}: {self.text[:30]}"
