"""Queue tickets and calling in the hall (docs/product.md §C15, docs/rules/hall.md §J10–§J15).

- ``QueueLine``: a business category (业务类别) with its letter (A, B…) and the departments whose
  items it takes; the windows serving it are the active windows of those departments;
- ``Ticket``: one ticket of one day, its number unique in the day (a database constraint), its
  class (priority or ordinary), its status and times;
- ``TicketCounter``: the last number given per day and prefix (one row, incremented in place);
- ``TicketEvent``: every call, recall, skip, transfer and finish, the source of the fairness
  streak and of the waiting and service times.

Everything lives in the database: no order or streak is kept in a process (J12).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PRIORITY_PREFIX = "V"


class QueueLine(models.Model):
    letter = models.CharField(
        _("号段字母"), max_length=1, unique=True, help_text=_("A–Z，V 留给优先号")
    )
    name = models.CharField(_("业务类别"), max_length=50)
    departments = models.ManyToManyField(
        "catalog.Department", verbose_name=_("受理部门"), related_name="queue_lines"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("业务类别（排队）")
        verbose_name_plural = _("业务类别（排队）")
        ordering = ["sort", "letter"]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class PriorityReason(models.TextChoices):
    """docs/rules/hall.md §J11: who is called first."""

    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    KEY_PROJECT = "key_project", _("重点项目")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("自助取号机")
    CLERK = "clerk", _("窗口代取")
    APPOINTMENT = "appointment", _("预约取号")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SKIPPED = "skipped", _("过号")
    FINISHED = "finished", _("办理完毕")


class Ticket(models.Model):
    day = models.DateField(_("日期"), db_index=True)
    prefix = models.CharField(_("号段"), max_length=1)
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    token = models.CharField(_("查询令牌"), max_length=32, unique=True)
    line = models.ForeignKey(
        QueueLine, verbose_name=_("业务类别"), on_delete=models.PROTECT, related_name="tickets"
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set for a ticket booked or transferred to one window: only that window calls it.
    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("指定窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.CharField(
        _("优先原因"), max_length=20, choices=PriorityReason.choices, blank=True
    )
    source = models.CharField(_("取号方式"), max_length=20, choices=TicketSource.choices)
    appointment_code = models.CharField(_("预约码"), max_length=40, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    label = models.CharField(_("说明"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # The first issue time: a transfer keeps it (J11).
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    served_by = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("办理窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_tickets",
    )

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["day", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["day", "number"], name="queue_ticket_day_number"),
            models.UniqueConstraint(
                fields=["day", "appointment_code"],
                condition=~Q(appointment_code=""),
                name="queue_ticket_day_appointment",
            ),
        ]
        indexes = [models.Index(fields=["day", "status"], name="queue_ticket_day_status")]

    def __str__(self) -> str:
        return f"{self.day} {self.number}"

    @property
    def is_priority(self) -> bool:
        return bool(self.priority)


class TicketCounter(models.Model):
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "prefix"], name="queue_counter_day_prefix")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.prefix} {self.last}"


class EventKind(models.TextChoices):
    ISSUE = "issue", _("取号")
    CALL = "call", _("叫号")
    RECALL = "recall", _("重呼")
    SKIP = "skip", _("过号")
    TRANSFER = "transfer", _("转移")
    FINISH = "finish", _("办理完毕")


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=EventKind.choices)
    window = models.ForeignKey(
        "catalog.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The ticket's class when the event happened (a call's class decides the streak, J11).
    priority = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("排队记录")
        verbose_name_plural = _("排队记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["window", "kind", "at"], name="queue_event_window")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
