"""What the guide search reads besides the catalog (docs/rules/search.md): aliases and keywords
of items, synonyms, usage counts, and the stamp that tells a process its index is stale."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.search.text import normalise


def validate_searchable(value: str) -> None:
    """A text the search can match: at least one letter, Chinese character or digit
    (docs/rules/search.md §N1 drops everything else)."""
    if not normalise(value):
        raise ValidationError(_("请填写至少包含一个汉字、字母或数字的文字。"))


class AliasKind(models.TextChoices):
    ALIAS = "alias", _("俗称")
    KEYWORD = "keyword", _("关键词")


class ItemAlias(models.Model):
    """An everyday name of an item (俗称: 办护照, 营业执照) or a keyword that points to it."""

    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="aliases"
    )
    text = models.CharField(_("文字"), max_length=50, validators=[validate_searchable])
    kind = models.CharField(
        _("类别"), max_length=10, choices=AliasKind.choices, default=AliasKind.ALIAS
    )

    class Meta:
        verbose_name = _("事项俗称与关键词")
        verbose_name_plural = _("事项俗称与关键词")
        ordering = ["item", "kind", "text"]
        constraints = [
            models.UniqueConstraint(fields=["item", "text"], name="itemalias_item_text"),
        ]

    def __str__(self) -> str:
        return self.text


_SEPARATORS = re.compile(r"[\s,，、;；|]+")


class Synonym(models.Model):
    """A term people type and what it means: other terms to look for (开饭店 → 食品经营许可),
    items, or both."""

    term = models.CharField(
        _("检索词"), max_length=50, unique=True, validators=[validate_searchable]
    )
    expansions = models.TextField(
        _("同义词"),
        blank=True,
        help_text=_("也按这些词检索，多个词用顿号、逗号或空格分隔，例如：食品经营许可、餐饮。"),
    )
    items = models.ManyToManyField(
        "catalog.Item", verbose_name=_("指向的事项"), blank=True, related_name="synonyms"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def expansion_list(self) -> list[str]:
        return [t for t in _SEPARATORS.split(self.expansions) if t]


class ItemUsage(models.Model):
    """How many applications have been submitted for an item (热门事项, ranking)."""

    item = models.OneToOneField(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="usage"
    )
    count = models.PositiveIntegerField(_("提交申请数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("事项办件量")
        verbose_name_plural = _("事项办件量")
        ordering = ["-count", "item"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.count}"


class CountedCase(models.Model):
    """A case already counted in ``ItemUsage``: counting is once per case, whatever happens."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("已计数的办件")
        verbose_name_plural = _("已计数的办件")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.item_id}"


class IndexStamp(models.Model):
    """One row: a new random token after every change the index depends on. A process keeps
    its in-memory index while the token it was built at is the stored one."""

    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("检索索引版本")
        verbose_name_plural = _("检索索引版本")

    def __str__(self) -> str:
        return self.token
