"""Statistics rollups (办件统计, docs/rules/statistics.md §M2, docs/rules/statistics.md §M3).

Every page and API answer reads only these tables. Two kinds of rows:

- the per-case contribution records (``CaseFact``, ``CaseStageFact``): what each case adds to
  the rollups right now. An event recomputes its case's records from the case as it stands and
  applies the difference to the rollups, so replaying an event (or delivering it twice) adds
  nothing (docs/rules/statistics.md §M3);
- the rollups, keyed by month and the dimensions the pages filter on, holding counts and sums.

Dimension columns are plain integers (department, item, region ids), not foreign keys: a rollup
row outlives nothing and never blocks a delete; ``stage_department_id`` is 0 for a stage that is
no department's (intake, correction, decision, delivery).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Durations from this many working days on share one histogram bucket ("60 days or more").
HISTOGRAM_CAP = 60


class Stage(models.TextChoices):
    """The stages of the bottleneck view (docs/rules/statistics.md §M4)."""

    INTAKE = "intake", _("窗口受理")
    CORRECTION = "correction", _("申请人补正")
    REVIEW = "review", _("部门审查")
    DECISION = "decision", _("审批决定")
    DELIVERY = "delivery", _("发证送达")


STAGE_ORDER = [Stage.INTAKE, Stage.CORRECTION, Stage.REVIEW, Stage.DECISION, Stage.DELIVERY]


class CaseFact(models.Model):
    """What one received case contributes to the rollups (one row per case)."""

    case_id = models.BigIntegerField(primary_key=True)
    department_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    region_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    received_month = models.DateField()
    accepted_month = models.DateField(null=True)
    closed_month = models.DateField(null=True)
    on_time = models.BooleanField(default=False)
    early = models.BooleanField(default=False)
    # Working days from acceptance to decision, special-procedure time excluded (docs/rules/statistics.md §M1).
    days = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("办件统计贡献")
        verbose_name_plural = _("办件统计贡献")

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class CaseStageFact(models.Model):
    """The working days one case spent in one stage (one row per case, stage and department)."""

    case_id = models.BigIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    stage_department_id = models.BigIntegerField(default=0)
    month = models.DateField()
    days = models.IntegerField()

    class Meta:
        verbose_name = _("办件环节用时")
        verbose_name_plural = _("办件环节用时")
        constraints = [
            models.UniqueConstraint(
                fields=["case_id", "stage", "stage_department_id"], name="stats_casestage_key"
            )
        ]
        indexes = [models.Index(fields=["case_id"], name="stats_casestage_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.days}"


class MonthlyRollup(models.Model):
    """Flow counts per month and dimension: received (by receipt month), accepted (by acceptance
    month), closed / on time / early / sum of working days (by decision month)."""

    month = models.DateField()
    department_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    region_id = models.BigIntegerField()
    received = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    closed_on_time = models.BigIntegerField(default=0)
    closed_early = models.BigIntegerField(default=0)
    days_sum = models.BigIntegerField(default=0)
    # Closed cases whose duration is known (the mean's divisor; the histogram's total).
    measured = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("月度办件汇总")
        verbose_name_plural = _("月度办件汇总")
        # A department's or an item's rows without scanning the others (the dashboards).
        indexes = [
            models.Index(fields=["department_id", "month"], name="stats_monthly_dept"),
            models.Index(fields=["item_id", "month"], name="stats_monthly_item"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id", "item_id", "region_id"],
                name="stats_monthly_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.department_id} {self.item_id} {self.region_id}"


class StatusRollup(models.Model):
    """Current-status counts, by the month the case was received (+1/−1 on each transition)."""

    month = models.DateField()
    department_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    region_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("办件状态汇总")
        verbose_name_plural = _("办件状态汇总")
        # A department's or an item's rows without scanning the others (the dashboards).
        indexes = [
            models.Index(fields=["department_id", "month"], name="stats_status_dept"),
            models.Index(fields=["item_id", "month"], name="stats_status_item"),
            # Covering, in the order the pages group by: an index-only read, no sort.
            models.Index(fields=["status", "month", "n"], name="stats_status_read"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id", "item_id", "region_id", "status"],
                name="stats_status_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.status} {self.n}"


class DurationRollup(models.Model):
    """How many cases decided in the month took exactly ``days`` working days (the last bucket,
    ``HISTOGRAM_CAP``, holds that many or more): mean and p90 come exactly from it."""

    month = models.DateField()
    department_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    region_id = models.BigIntegerField()
    days = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("办理用时分布")
        verbose_name_plural = _("办理用时分布")
        # A department's or an item's rows without scanning the others (the dashboards).
        indexes = [
            models.Index(fields=["department_id", "month"], name="stats_duration_dept"),
            models.Index(fields=["item_id", "month"], name="stats_duration_item"),
            # Covering, in the order the pages group by: an index-only read, no sort.
            models.Index(fields=["item_id", "days", "month", "n"], name="stats_duration_read"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id", "item_id", "region_id", "days"],
                name="stats_duration_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.item_id} {self.days}: {self.n}"


class StageRollup(models.Model):
    """Working days spent per stage, by the month the stage ended (the bottleneck view)."""

    month = models.DateField()
    department_id = models.BigIntegerField()
    item_id = models.BigIntegerField()
    region_id = models.BigIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    stage_department_id = models.BigIntegerField(default=0)
    n = models.BigIntegerField(default=0)
    days_sum = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("环节用时汇总")
        verbose_name_plural = _("环节用时汇总")
        # A department's or an item's rows without scanning the others (the dashboards).
        indexes = [
            models.Index(fields=["department_id", "month"], name="stats_stage_dept"),
            models.Index(fields=["item_id", "month"], name="stats_stage_item"),
            # Covering, in the order the pages group by: an index-only read, no sort.
            models.Index(
                fields=["item_id", "stage", "stage_department_id", "month", "n", "days_sum"],
                name="stats_stage_read",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "department_id",
                    "item_id",
                    "region_id",
                    "stage",
                    "stage_department_id",
                ],
                name="stats_stage_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.item_id} {self.stage}"


class WorkdayIndex(models.Model):
    """Day → number of working days from the calendar's first day through it: working days
    after A up to and including B = n(B) − n(A). Filled by ``rebuild`` for set-based counting."""

    day = models.DateField(primary_key=True)
    n = models.IntegerField()
    month = models.DateField()  # the first day of the day's month: rollup keys without SQL dialects

    class Meta:
        verbose_name = _("工作日序号")
        verbose_name_plural = _("工作日序号")

    def __str__(self) -> str:
        return f"{self.day} {self.n}"
