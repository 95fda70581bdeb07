"""Platform-wide records that belong to no single domain noun."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessDenied(models.Model):
    """One attempt to reach an object the user's role or department does not allow."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    path = models.CharField(_("路径"), max_length=500)
    method = models.CharField(_("方法"), max_length=10)
    target = models.CharField(_("对象"), max_length=200)
    reason = models.CharField(_("原因"), max_length=200)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("越权访问记录")
        verbose_name_plural = _("越权访问记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.target}"


class WorkerHeartbeat(models.Model):
    """A background worker's last sign of life (docs/operations.md §W6); one row a process."""

    host = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    engine = models.CharField(_("任务引擎"), max_length=40)
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")
        constraints = [
            models.UniqueConstraint(fields=["host", "pid"], name="core_heartbeat_host_pid")
        ]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} {self.engine} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("运行中")
    OK = "ok", _("成功")
    FAILED = "failed", _("失败")


class JobRun(models.Model):
    """One run of a periodic job for one period: the unique (name, period_start) pair decides
    which process runs it (docs/rules/tasks.md §X2)."""

    name = models.CharField(_("任务"), max_length=100)
    # floor(wall-clock seconds / the job's interval) × interval, in UTC.
    period_start = models.DateTimeField(_("周期开始"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    host = models.CharField(_("主机"), max_length=100)
    pid = models.PositiveIntegerField(_("进程号"))
    outcome = models.CharField(
        _("结果"), max_length=10, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("后台任务运行记录")
        verbose_name_plural = _("后台任务运行记录")
        ordering = ["-period_start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="jobrun_once_per_period")
        ]
        indexes = [models.Index(fields=["period_start"], name="jobrun_period_start")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M:%S} {self.outcome}"


class RateCount(models.Model):
    """One client's uses of one rate-limited scope in one minute (docs/decisions.md §S2), when
    the counts are kept in the database: one statement adds a use and reads the count."""

    key = models.CharField(_("计数键"), max_length=250, primary_key=True)
    count = models.PositiveIntegerField(_("次数"))
    expires = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("访问频率计数")
        verbose_name_plural = _("访问频率计数")

    def __str__(self) -> str:
        return f"{self.key} {self.count}"
