"""Appointments and extended services of the hall (docs/product.md §C15,
docs/rules/hall.md §J1, §J4–§J9).

- ``HallSchedule``: the hall's defaults (one row): slot length, seats per slot, the no-show rule;
- ``WindowSchedule``: a window's own slot length and seats, where it differs from the hall's;
- ``OpeningPeriod``: a period of opening hours (or of extended hours) on working days, of the hall
  (no window) or of one window;
- ``Slot``: the seat counter of one window's slot on one day; the conditional UPDATE of
  ``booked`` below ``capacity`` is what lets exactly one of two racing bookings take the last seat;
- ``Appointment``: one booking, with its code, its priority and its status;
- ``ServiceRequest``: a request for extended hours (延时服务) or a home visit (上门服务).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.personal_data import SealedCharField

DEFAULT_SLOT_MINUTES = 30
DEFAULT_CAPACITY = 3


class HallSchedule(models.Model):
    """The hall's defaults: one row (pk 1), created with its defaults on first read."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("每个时段分钟数"), default=DEFAULT_SLOT_MINUTES
    )
    capacity = models.PositiveSmallIntegerField(_("每个时段可预约人数"), default=DEFAULT_CAPACITY)
    days_ahead = models.PositiveSmallIntegerField(_("最多可提前预约天数"), default=14)
    no_show_limit = models.PositiveSmallIntegerField(_("30 日内爽约次数上限"), default=3)
    block_days = models.PositiveSmallIntegerField(_("爽约后暂停预约天数"), default=30)

    class Meta:
        verbose_name = _("大厅预约设置")
        verbose_name_plural = _("大厅预约设置")

    def __str__(self) -> str:
        return str(_("大厅预约设置"))


class WindowSchedule(models.Model):
    """A window's own slot length and seats per slot (docs/rules/hall.md §J4)."""

    window = models.OneToOneField(
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="schedule"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段分钟数"))
    capacity = models.PositiveSmallIntegerField(_("每个时段可预约人数"))
    accepts_bookings = models.BooleanField(_("接受预约"), default=True)

    class Meta:
        verbose_name = _("窗口预约设置")
        verbose_name_plural = _("窗口预约设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="windowschedule_slot_minutes",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=100), name="windowschedule_capacity"
            ),
        ]

    def __str__(self) -> str:
        return str(self.window)


class PeriodKind(models.TextChoices):
    REGULAR = "regular", _("办公时间")
    EXTENDED = "extended", _("延时服务时间")


class OpeningPeriod(models.Model):
    """One period of opening (or extended) hours on every working day (docs/rules/hall.md §J4).

    A window with periods of its own uses only those; otherwise the hall's (no window) apply.
    """

    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opening_periods",
        help_text=_("留空表示大厅默认时间"),
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.REGULAR
    )
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["window_id", "kind", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="openingperiod_order"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class Slot(models.Model):
    """The seats of one window's slot on one day; ``booked`` never passes ``capacity`` through
    the conditional UPDATE in ``services.seat_take`` (docs/rules/hall.md §J5)."""

    window = models.ForeignKey("catalog.Window", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约人数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["day", "start", "window_id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "day", "start"], name="slot_window_day"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.day} {self.start:%H:%M}"


class Priority(models.TextChoices):
    """docs/rules/hall.md §J6: who may be called first."""

    NONE = "", _("无")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    KEY_PROJECT = "key_project", _("重点项目")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class Appointment(models.Model):
    code = models.CharField(_("预约码"), max_length=8, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="+",
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
        "catalog.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField(_("预约日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    priority = models.CharField(
        _("优先"), max_length=12, choices=Priority.choices, default=Priority.NONE, blank=True
    )
    priority_proof = SealedCharField(
        _("证件号（残疾人证）"), max_length=40, blank=True
    )  # docs/rules/privacy.md §P1
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("预约时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("记为爽约时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["day", "start", "pk"]
        indexes = [models.Index(fields=["status", "day"], name="appointment_status_day")]

    def __str__(self) -> str:
        return self.code

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, self.start))

    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, self.end))


class ServiceKind(models.TextChoices):
    EXTENDED_HOURS = "extended", _("延时服务")
    HOME_VISIT = "home_visit", _("上门服务")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待安排")
    ASSIGNED = "assigned", _("已安排")
    DONE = "done", _("已办结")
    REFUSED = "refused", _("不予安排")


class ServiceRequest(models.Model):
    """A request for extended hours or a home visit (docs/rules/hall.md §J8, §J9)."""

    kind = models.CharField(_("服务类型"), max_length=12, choices=ServiceKind.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("服务日期"))
    start = models.TimeField(_("开始时间"), null=True, blank=True)
    address = SealedCharField(_("上门地址"), max_length=200, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    priority = models.CharField(
        _("优先"), max_length=12, choices=Priority.choices, default=Priority.NONE, blank=True
    )
    priority_proof = SealedCharField(
        _("证件号（残疾人证）"), max_length=40, blank=True
    )  # docs/rules/privacy.md §P1
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.REQUESTED,
        db_index=True,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_services",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("安排时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予安排理由"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"))

    class Meta:
        verbose_name = _("延伸服务申请")
        verbose_name_plural = _("延伸服务申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"
