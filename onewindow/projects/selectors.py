"""Reads of key projects: who sees which project, the project page's stages, cases, working days
and what holds the project up (docs/rules/projects.md §H1, §H3, §H5, §H6, H8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm, role_label
from onewindow.calendars.selectors import get_calendar
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import Department
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.projects.models import JointActivity, JointFinding, Project, ProjectCase, Stage
from onewindow.projects.services import stage_departments, stage_done, stage_open
from onewindow.review.models import TASK_PENDING, MaterialRequest, Suspension, Task

# Statuses in which a case is finished one way or another (its clock has stopped for good).
FINISHED = (
    CaseStatus.COMPLETED,
    CaseStatus.WITHDRAWN,
    CaseStatus.REJECTED,
    CaseStatus.REFUSED,
    CaseStatus.TERMINATED,
)


def sees_all(user: Any) -> bool:
    """The centre's administrators and supervisors see every project (H8)."""
    return has_perm(user, Perm.PROJECT_MANAGE) or has_perm(user, Perm.CASE_READ_ALL)


def projects_for(user: Any) -> QuerySet[Project]:
    """docs/rules/projects.md §H8: the projects ``user`` may see."""
    rows = Project.objects.select_related("enterprise", "agent")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return rows.none()
    if sees_all(user):
        return rows
    mine = Q(agent_id=user.pk) | Q(enterprise_id=user.pk)
    department_id = getattr(user, "department_id", None)
    if department_id is not None:
        ids = ProjectCase.objects.filter(
            Q(case__department_id=department_id) | Q(case__tasks__department_id=department_id)
        ).values("stage__project_id")
        mine |= Q(pk__in=ids)
    return rows.filter(mine)


def _wsgi(request: HttpRequest | Request) -> HttpRequest:
    return request._request if isinstance(request, Request) else request


def project_get(request: HttpRequest | Request, project_id: int) -> Project:
    """The project, or a logged 404 when it does not exist or the user may not see it."""
    project = projects_for(request.user).filter(pk=project_id).first()
    if project is None:
        raise deny(_wsgi(request), target=f"project:{project_id}", reason="not visible")
    return project


def stage_get(request: HttpRequest | Request, stage_id: int) -> Stage:
    stage = Stage.objects.filter(pk=stage_id, project__in=projects_for(request.user)).first()
    if stage is None:
        raise deny(_wsgi(request), target=f"project.stage:{stage_id}", reason="not visible")
    return stage


def activity_get(request: HttpRequest | Request, activity_id: int) -> JointActivity:
    activity = (
        JointActivity.objects.select_related("stage__project")
        .filter(pk=activity_id, stage__project__in=projects_for(request.user))
        .first()
    )
    if activity is None:
        raise deny(_wsgi(request), target=f"project.activity:{activity_id}", reason="not visible")
    return activity


# --- working days (docs/rules/projects.md §H3, §H6) --------------------------------------------


def _end_of(case: Case, today: dt.date) -> dt.date:
    """The last day a case can be on the clock: its closing day, or today while it is open."""
    if case.closed_at is not None:
        return clock.local_date(case.closed_at)
    if case.status in FINISHED:
        last = case.events.order_by("-at", "-pk").values_list("at", flat=True).first()
        return clock.local_date(last) if last is not None else today
    return today


def clock_days(case: Case, today: dt.date) -> set[dt.date]:
    """H6: the working days a case is on the government's clock, special procedures and the
    applicant's material time taken out."""
    if case.accepted_on is None:
        return set()
    calendar = get_calendar()
    end = _end_of(case, today)
    days = set(calendar.working_days_between(case.accepted_on, end))
    for suspension in Suspension.objects.filter(case=case):
        days -= set(
            calendar.working_days_between(suspension.started_on, suspension.ended_on or today)
        )
    requests = MaterialRequest.objects.filter(task__case=case, pauses_clock=True)
    for request in requests:
        days -= set(
            calendar.working_days_between(request.requested_on, request.answered_on or today)
        )
    return days


# --- the project page -------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    item_name: str
    days: int
    tasks: list[Task]
    findings: list[JointFinding]


@dataclass
class Holdup:
    """One open case or task and who has it."""

    case: Case
    stage: str
    what: str
    who: str
    due: dt.date | None
    overdue: bool


@dataclass
class StageView:
    stage: Stage
    is_open: bool
    is_done: bool
    rows: list[CaseRow]
    missing: list[str]  # items of the stage without a live case yet
    activities: list[JointActivity]
    department_names: list[str]
    days: int


@dataclass
class ProjectView:
    project: Project
    stages: list[StageView]
    total_days: int
    target_days: int
    holdups: list[Holdup] = field(default_factory=list)

    @property
    def over_target(self) -> bool:
        return self.total_days > self.target_days

    @property
    def remaining_days(self) -> int:
        return self.target_days - self.total_days


def _holdups_of(case: Case, stage: Stage, tasks: list[Task], today: dt.date) -> list[Holdup]:
    status = CaseStatus(case.status)
    name = stage.name
    if status == CaseStatus.DRAFT:
        return [Holdup(case, name, _("申请尚未提交"), _("专职代办员"), None, False)]
    if status == CaseStatus.SUBMITTED:
        due = case.intake_due
        return [
            Holdup(
                case,
                name,
                _("待受理"),
                _("%(d)s 窗口") % {"d": case.department.name},
                due,
                due is not None and due < today,
            )
        ]
    if status == CaseStatus.CORRECTION:
        return [Holdup(case, name, _("待补正材料"), _("建设单位（代办员）"), None, False)]
    if status == CaseStatus.SUSPENDED:
        return [Holdup(case, name, _("特别程序中（暂停计时）"), case.department.name, None, False)]
    if status == CaseStatus.GRANTED:
        return [
            Holdup(
                case,
                name,
                _("准予许可，待送达"),
                _("%(d)s 窗口") % {"d": case.department.name},
                None,
                False,
            )
        ]
    if status == CaseStatus.REFUSED:
        return [Holdup(case, name, _("不予许可：须重新申报"), _("专职代办员"), None, False)]
    rows = []
    for task in tasks:
        if task.status not in TASK_PENDING:
            continue
        step = task.steps[task.step] if task.step < len(task.steps) else {}
        role = role_label(step.get("role", ""))
        what = _("部门审查（%(s)s）") % {"s": task.get_status_display()}
        rows.append(
            Holdup(
                case,
                name,
                what,
                f"{task.department.name} · {role}",
                task.due,
                task.due < today,
            )
        )
    if not rows and status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
        due = case.decision_due
        rows.append(
            Holdup(
                case,
                name,
                _("待作出审批决定"),
                case.department.name,
                due,
                due is not None and due < today,
            )
        )
    return rows


def project_view(project: Project, *, today: dt.date | None = None) -> ProjectView:
    """Every stage, case, department and status; working days per stage and in total (H6);
    what holds the project up, overdue first."""
    today = today or clock.today()
    stages = list(project.stages.prefetch_related("items__published_version").order_by("sort"))
    links = list(
        ProjectCase.objects.filter(stage__project=project)
        .select_related("case__department", "case__item_version", "item", "stage")
        .order_by("stage__sort", "pk")
    )
    case_ids = [link.case_id for link in links]
    tasks_by_case: dict[int, list[Task]] = {}
    for task in Task.objects.filter(case_id__in=case_ids).select_related("department"):
        tasks_by_case.setdefault(task.case_id, []).append(task)
    findings_by_case: dict[int, list[JointFinding]] = {}
    for finding in JointFinding.objects.filter(case_id__in=case_ids).select_related("activity"):
        findings_by_case.setdefault(finding.case_id, []).append(finding)
    names = dict(Department.objects.values_list("pk", "name"))
    all_days: set[dt.date] = set()
    views: list[StageView] = []
    holdups: list[Holdup] = []
    for stage in stages:
        stage_links = [link for link in links if link.stage_id == stage.pk]
        stage_days: set[dt.date] = set()
        rows = []
        for link in stage_links:
            days = clock_days(link.case, today)
            stage_days |= days
            tasks = sorted(tasks_by_case.get(link.case_id, []), key=lambda t: (not t.is_lead, t.pk))
            rows.append(
                CaseRow(
                    link.case,
                    link.case.item_version.name,
                    len(days),
                    tasks,
                    findings_by_case.get(link.case_id, []),
                )
            )
            refiled = any(
                other.item_id == link.item_id and other.pk > link.pk for other in stage_links
            )
            if link.case.status not in FINISHED or (
                link.case.status == CaseStatus.REFUSED and not refiled
            ):
                holdups += _holdups_of(link.case, stage, tasks, today)
        all_days |= stage_days
        live_items = {link.item_id for link in stage_links if link.case.status not in FINISHED} | {
            link.item_id for link in stage_links if link.case.status == CaseStatus.COMPLETED
        }
        is_open = stage_open(stage)
        missing = [
            (item.published_version.name if item.published_version else item.code)
            for item in stage.items.all()
            if item.pk not in live_items
        ]
        views.append(
            StageView(
                stage=stage,
                is_open=is_open,
                is_done=stage_done(stage),
                rows=rows,
                missing=missing,
                activities=list(
                    stage.activities.prefetch_related("departments", "findings__department")
                ),
                department_names=[names[d] for d in stage_departments(stage) if d in names],
                days=len(stage_days),
            )
        )
    holdups.sort(key=lambda h: (not h.overdue, h.due or dt.date.max, h.case.pk))
    return ProjectView(
        project=project,
        stages=views,
        total_days=len(all_days),
        target_days=project.target_days,
        holdups=holdups,
    )
