"""The administrator-editable layer over the chinesecalendar package
(docs/rules/workdays.md §A4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")


class HolidayYear(models.Model):
    """A year whose official holiday arrangement an administrator has loaded or typed in."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("来源"),
        max_length=200,
        blank=True,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    # Set by the loading service: stored deadlines recomputed, per recomputer (not a column).
    recomputed: dict[str, int]

    class Meta:
        verbose_name = _("已载入年度节假日安排")
        verbose_name_plural = _("已载入年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One override day: a holiday, or a weekend day declared a working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("节日名称"), max_length=50, blank=True)

    # Set by ``calendar_day_set``: stored deadlines recomputed, per recomputer (not a column).
    recomputed: dict[str, int]

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarRevision(models.Model):
    """One row counting calendar changes, so every process knows when to rebuild its cache."""

    number = models.PositiveBigIntegerField(_("版本号"), default=0)
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")

    def __str__(self) -> str:
        return str(self.number)


class DeadlineRecompute(models.Model):
    """One calendar change whose stored deadlines are being (or were) counted again (A4).

    Written in the change's own transaction with the override tables as they were before and
    after it, so the recomputation can run in batches after the commit and resume where it
    stopped (a crash, a failed batch): each batch moves its recomputer's cursor in the batch's
    own transaction, so no row is moved twice.
    """

    created_at = models.DateTimeField(_("时间"))
    reason = models.CharField(_("原因"), max_length=200)
    first = models.DateField(_("首个变动日"))
    last = models.DateField(_("末个变动日"))
    before = models.JSONField(_("变动前的日历调整"))
    after = models.JSONField(_("变动后的日历调整"))
    # Recomputer name → last object id done; and → rows changed.
    cursors = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("期限重新计算")
        verbose_name_plural = _("期限重新计算")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.first}..{self.last} {self.reason}"
