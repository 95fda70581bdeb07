"""Key projects (重点项目) and the construction chain (docs/product.md §C8,
docs/rules/projects.md §H1–§H8).

- ``Project``: a key project, its enterprise, priority, designated agent and target;
- ``Stage``: one stage of the chain (立项用地规划 → 工程建设许可 → 施工许可 → 竣工验收), the items
  approved in parallel inside it;
- ``ProjectCase``: a case filed for a stage (one case, one stage);
- ``JointActivity`` and ``JointFinding``: a joint drawing review, site survey or acceptance of a
  stage's departments and each department's own finding.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import CasePriority


class ProjectPriority(models.IntegerChoices):
    """docs/rules/projects.md §H4: the priority every case of the project carries."""

    KEY = CasePriority.KEY.value, _("重点")
    URGENT = CasePriority.URGENT.value, _("特急")


class Project(models.Model):
    """A key project registered by the centre's administrator."""

    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建设单位"),
        on_delete=models.PROTECT,
        related_name="key_projects",
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=ProjectPriority.choices, default=ProjectPriority.KEY
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专职代办员"),
        on_delete=models.PROTECT,
        related_name="agent_projects",
    )
    target_days = models.PositiveSmallIntegerField(_("目标用时（工作日）"))
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    description = models.TextField(_("项目概况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One stage of a project: items approved in parallel (docs/rules/projects.md §H1, §H5)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    sort = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("阶段名称"), max_length=100)
    items = models.ManyToManyField(
        "catalog.Item", verbose_name=_("并联审批事项"), related_name="project_stages"
    )

    class Meta:
        verbose_name = _("审批阶段")
        verbose_name_plural = _("审批阶段")
        ordering = ["project_id", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sort"], name="stage_project_sort")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class ProjectCase(models.Model):
    """A case filed for a stage of a project."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="links")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="project_link")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("关联时间"))

    class Meta:
        verbose_name = _("项目办件")
        verbose_name_plural = _("项目办件")
        ordering = ["stage_id", "pk"]

    def __str__(self) -> str:
        return f"{self.stage_id} {self.case_id}"


class ActivityKind(models.TextChoices):
    """docs/rules/projects.md §H2: the joint activities of a stage."""

    DRAWING_REVIEW = "drawing_review", _("联合图审")
    SITE_SURVEY = "site_survey", _("联合踏勘")
    SURVEYING = "surveying", _("联合测绘")
    ACCEPTANCE = "acceptance", _("联合验收")


class JointActivity(models.Model):
    """One joint activity of a stage: one date, one place, the stage's departments."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("联合活动"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    departments = models.ManyToManyField(
        "catalog.Department", verbose_name=_("参加部门"), related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("安排时间"))

    class Meta:
        verbose_name = _("联合活动")
        verbose_name_plural = _("联合活动")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "kind"], name="jointactivity_stage_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class FindingResult(models.TextChoices):
    PASS = "pass", _("通过")
    CONDITIONS = "conditions", _("有整改意见")
    FAIL = "fail", _("不通过")


class JointFinding(models.Model):
    """One department's finding in a joint activity, recorded on its own case."""

    activity = models.ForeignKey(JointActivity, on_delete=models.CASCADE, related_name="findings")
    department = models.ForeignKey("catalog.Department", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    result = models.CharField(_("结论"), max_length=20, choices=FindingResult.choices)
    text = models.TextField(_("意见"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("部门意见")
        verbose_name_plural = _("部门意见")
        ordering = ["activity_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "department"], name="jointfinding_activity_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.department_id}"
