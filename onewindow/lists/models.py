"""The public lists beside the power and fee lists (docs/rules/lists.md §Q1–§Q4): the
responsibility list (责任清单), the supervision list (监管清单) and the record of the item clean-up
the current catalog came from (清理记录)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Department, Item


class DepartmentResponsibility(models.Model):
    """One line of a department's responsibilities (部门职责), docs/rules/lists.md §Q1."""

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("部门"),
    )
    text = models.TextField(_("职责内容"))
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门职责")
        verbose_name_plural = _("部门职责")
        ordering = ("department__sort", "department__code", "sort", "pk")

    def __str__(self) -> str:
        return f"{self.department.name}：{self.text[:30]}"


class ItemAccountability(models.Model):
    """One duty of an item and what happens when it is not done (docs/rules/lists.md §Q1)."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="accountabilities", verbose_name=_("事项")
    )
    duty = models.TextField(_("责任事项"))
    accountability = models.TextField(_("追责情形"))
    basis = models.TextField(_("追责依据"))
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项责任")
        verbose_name_plural = _("事项责任")
        ordering = ("item__department__sort", "item__department__code", "item__sort", "sort", "pk")

    def __str__(self) -> str:
        return f"{self.item.code}：{self.duty[:30]}"


class SupervisionMethod(models.TextChoices):
    DOUBLE_RANDOM = "double_random", _("双随机一公开抽查")
    SPOT_CHECK = "spot_check", _("抽查")
    ANNUAL = "annual", _("年检（年报）")
    CREDIT = "credit", _("信用监管")
    COMPLAINT = "complaint", _("投诉举报核查")
    ROUTINE = "routine", _("日常巡查")
    KEY = "key", _("重点监管")
    ONLINE = "online", _("在线监测")


class SupervisionMeasure(models.Model):
    """What is supervised after an approval and how (监管清单), docs/rules/lists.md §Q2."""

    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        related_name="supervision_measures",
        verbose_name=_("事项"),
    )
    target = models.CharField(_("监管对象"), max_length=200)
    content = models.TextField(_("监管内容"))
    method = models.CharField(_("监管方式"), max_length=20, choices=SupervisionMethod.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="supervision_measures",
        verbose_name=_("监管主体"),
    )
    frequency = models.CharField(_("监管频次"), max_length=100)
    legal_basis = models.TextField(_("监管依据"))
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监管措施")
        verbose_name_plural = _("监管措施")
        ordering = ("item__department__sort", "item__department__code", "item__sort", "sort", "pk")

    def __str__(self) -> str:
        return f"{self.item.code}：{self.get_method_display()}"


class CleanupAction(models.TextChoices):
    """What the clean-up did with an item (docs/rules/lists.md §Q3)."""

    CANCELLED = "cancelled", _("取消")
    MERGED = "merged", _("合并")
    DELEGATED = "delegated", _("下放")
    TO_FILING = "to_filing", _("改为备案")
    RETAINED = "retained", _("保留")


# The actions whose row names the current item it became (docs/rules/lists.md §Q3).
ACTIONS_WITH_TARGET = (CleanupAction.MERGED, CleanupAction.RETAINED)


class CleanupRecord(models.Model):
    """One item of the catalog before the clean-up and what became of it (清理记录),
    docs/rules/lists.md §Q3."""

    item_code = models.CharField(_("原事项编码"), max_length=40, unique=True)
    item_name = models.CharField(_("原事项名称"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="cleanup_records",
        verbose_name=_("原实施部门"),
    )
    action = models.CharField(_("处理方式"), max_length=20, choices=CleanupAction.choices)
    target_item = models.ForeignKey(
        Item,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cleanup_records",
        verbose_name=_("现事项"),
        help_text=_("合并或保留时，对应的现行事项。"),
    )
    decided_on = models.DateField(_("决定日期"))
    legal_basis = models.TextField(_("依据及文号"))
    note = models.TextField(_("说明"), blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("清理记录")
        verbose_name_plural = _("清理记录")
        ordering = ("department__sort", "department__code", "sort", "item_code")

    def __str__(self) -> str:
        return f"{self.item_code} {self.item_name}（{self.get_action_display()}）"

    def clean(self) -> None:
        """A merged or retained item names the current item it became; the others name none
        (docs/rules/lists.md §Q3)."""
        if self.action in ACTIONS_WITH_TARGET and self.target_item_id is None:
            raise ValidationError({"target_item": _("合并或保留的事项须指明对应的现行事项。")})
        if self.action not in ACTIONS_WITH_TARGET and self.target_item_id is not None:
            raise ValidationError(
                {"target_item": _("取消、下放或改为备案的事项不对应现行事项，请留空。")}
            )
