"""Writes of key projects: register a project and its stages, file a stage's cases, schedule a
joint activity, record a department's finding (docs/rules/projects.md §H1–§H8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases import services as case_services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, CaseStatus, Mandate
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.selectors import mandates_in_force_q
from onewindow.cases.transitions import event_record
from onewindow.catalog.models import Item, Region
from onewindow.core import clock
from onewindow.projects.errors import (
    ProjectError,
    ProjectForbidden,
    ProjectInvalid,
    ProjectWrongState,
)
from onewindow.projects.events import FINDING_EVENT, LINKED_EVENT
from onewindow.projects.models import (
    ActivityKind,
    FindingResult,
    JointActivity,
    JointFinding,
    Project,
    ProjectCase,
    ProjectPriority,
    Stage,
)

# A case in one of these statuses no longer carries its item in the stage: a new case may be filed.
ENDED_WITHOUT_RESULT = (
    CaseStatus.WITHDRAWN,
    CaseStatus.REJECTED,
    CaseStatus.REFUSED,
    CaseStatus.TERMINATED,
)
NAME_MAX = 200
TARGET_MAX = 999


@dataclass
class StageSpec:
    """One stage as the administrator enters it: a name and the ids of its items."""

    name: str
    item_ids: list[int] = field(default_factory=list)


def _require_manager(actor: Any) -> None:
    if not has_perm(actor, Perm.PROJECT_MANAGE):
        raise ProjectForbidden(_("只有中心管理员可以登记重点项目。"))


def _check_people(enterprise: Any, agent: Any, errors: dict[str, list[str]]) -> None:
    if enterprise is None or enterprise.role != Role.APPLICANT or not enterprise.credit_code:
        errors.setdefault("enterprise", []).append(
            _("建设单位须为已注册、有统一社会信用代码的法人申请人账户。")
        )
    if agent is None or agent.role != Role.AGENT or not agent.is_active:
        errors.setdefault("agent", []).append(_("专职代办员须为帮办代办服务队的代办员账户。"))


def _check_stages(stages: list[StageSpec], errors: dict[str, list[str]]) -> dict[int, Item]:
    """docs/rules/projects.md §H5: at least one stage, every stage named and with items."""
    if not stages:
        errors.setdefault("stages", []).append(_("请至少设置一个审批阶段。"))
        return {}
    wanted = {item_id for spec in stages for item_id in spec.item_ids}
    items = {i.pk: i for i in Item.objects.filter(pk__in=wanted)}
    seen: set[int] = set()
    for number, spec in enumerate(stages, start=1):
        label = spec.name.strip() or _("第%(n)s阶段") % {"n": number}
        if not spec.name.strip():
            errors.setdefault("stages", []).append(_("第%(n)s个阶段没有名称。") % {"n": number})
        if not spec.item_ids:
            errors.setdefault("stages", []).append(
                _("阶段“%(s)s”没有审批事项：每个阶段至少包含一个并联审批的事项。") % {"s": label}
            )
        for item_id in spec.item_ids:
            item = items.get(item_id)
            if item is None:
                errors.setdefault("stages", []).append(
                    _("阶段“%(s)s”中的事项（编号 %(i)s）不存在。") % {"s": label, "i": item_id}
                )
            elif item.published_version_id is None:
                errors.setdefault("stages", []).append(
                    _("阶段“%(s)s”中的事项“%(i)s”尚未发布。") % {"s": label, "i": item.code}
                )
            elif item_id in seen:
                errors.setdefault("stages", []).append(
                    _("事项“%(i)s”在项目中出现了不止一次。") % {"i": item.code}
                )
            seen.add(item_id)
    return items


@transaction.atomic
def project_create(
    *,
    actor: Any,
    name: str,
    enterprise: Any,
    agent: Any,
    target_days: int,
    stages: list[StageSpec],
    priority: int = ProjectPriority.KEY,
    location: str = "",
    description: str = "",
    now: dt.datetime | None = None,
) -> Project:
    """Register a key project and its ordered stages; any error saves nothing (H4, H5)."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写项目名称。")]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [_("项目名称最多 %(n)s 个字。") % {"n": NAME_MAX}]
    if priority not in ProjectPriority.values:
        errors["priority"] = [_("优先级无效。")]
    if not isinstance(target_days, int) or not 1 <= target_days <= TARGET_MAX:
        errors["target_days"] = [_("目标用时须为 1 至 %(n)s 个工作日。") % {"n": TARGET_MAX}]
    _check_people(enterprise, agent, errors)
    _check_stages(stages, errors)
    if errors:
        raise ProjectInvalid(errors)
    project = Project.objects.create(
        name=name.strip(),
        enterprise=enterprise,
        agent=agent,
        priority=priority,
        target_days=target_days,
        location=location.strip()[:200],
        description=description.strip(),
        created_by=actor,
        created_at=now or clock.now(),
    )
    for sort, spec in enumerate(stages, start=1):
        stage = Stage.objects.create(project=project, sort=sort, name=spec.name.strip()[:100])
        stage.items.set(spec.item_ids)
    return project


# --- stages and their cases -------------------------------------------------------------------


def stage_done(stage: Stage) -> bool:
    """Every item of the stage has a completed (delivered) case (H1, H5)."""
    item_ids = set(stage.items.values_list("pk", flat=True))
    done = set(
        ProjectCase.objects.filter(stage=stage, case__status=CaseStatus.COMPLETED).values_list(
            "item_id", flat=True
        )
    )
    return bool(item_ids) and item_ids <= done


def stage_open(stage: Stage) -> bool:
    """The first stage is open from the start; a later one once the one before is done (H5)."""
    previous = (
        Stage.objects.filter(project_id=stage.project_id, sort__lt=stage.sort)
        .order_by("-sort")
        .first()
    )
    return previous is None or stage_done(previous)


def _region_for(item: Item, region: Region | None) -> Region:
    if region is not None:
        return region
    version = item.published_version
    assert version is not None
    first = application_selectors.implementing_regions(version).first()
    if first is None:
        raise ProjectError(_("事项“%(i)s”没有实施区域，不能申报。") % {"i": item.code})
    return first


@transaction.atomic
def stage_case_file(
    *,
    stage: Stage,
    item: Item,
    actor: Any,
    region: Region | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The designated agent files a draft case of a stage item on the enterprise's behalf.

    The ordinary online filing does the rest: the mandate check (the enterprise's mandate for the
    agent must cover the item), the draft's checklist; the agent completes and submits it as any
    other draft. The case carries the project's priority (H4) and is linked to the stage.
    """
    project = Project.objects.select_for_update().get(pk=stage.project_id)
    if actor.pk != project.agent_id:
        raise ProjectForbidden(_("只有本项目的专职代办员可以为项目申报。"))
    if not stage.items.filter(pk=item.pk).exists():
        raise ProjectError(_("事项“%(i)s”不属于阶段“%(s)s”。") % {"i": item.code, "s": stage.name})
    if not stage_open(stage):
        raise ProjectWrongState(
            _("阶段“%(s)s”尚未开启：上一阶段的事项全部办结后方可申报。") % {"s": stage.name}
        )
    live = ProjectCase.objects.filter(stage=stage, item=item).exclude(
        case__status__in=ENDED_WITHOUT_RESULT
    )
    if live.exists():
        raise ProjectError(_("事项“%(i)s”在本阶段已有办件。") % {"i": item.code})
    version = item.published_version
    if version is None:
        raise ProjectError(_("该事项尚未发布，不能申报。"))
    now = now or clock.now()
    # The filing must be under a mandate for this project (or for every item, or this item): a
    # mandate for another key project of the same enterprise that happens to hold the same item
    # does not reach this one (docs/rules/mandates.md §T1).
    covering = Mandate.objects.filter(
        mandates_in_force_q(clock.local_date(now)),
        agent_id=actor.pk,
        applicant_id=project.enterprise_id,
        case__isnull=True,
    ).filter(
        Q(project_id=project.pk)
        | Q(project_id__isnull=True, item__isnull=True)
        | Q(project_id__isnull=True, item_id=item.pk)
    )
    if not covering.exists():
        raise ProjectError(_("企业尚未委托您办理本项目（或该事项），请先请企业办理代办委托。"))
    try:
        case = case_services.application_start(
            item_version=version,
            actor=actor,
            region=_region_for(item, region),
            applicant=project.enterprise,
            today=clock.local_date(now),
            now=now,
        )
    except CaseError as err:
        raise ProjectError(err.message) from err
    Case.objects.filter(pk=case.pk).update(priority=project.priority)
    case.priority = project.priority
    ProjectCase.objects.create(stage=stage, case=case, item=item, linked_at=now)
    event_record(
        case,
        actor=actor,
        action=LINKED_EVENT,
        reason=_("重点项目“%(p)s”·%(s)s") % {"p": project.name, "s": stage.name},
        public=False,
        now=now,
        data={"project": project.pk, "stage": stage.pk},
    )
    return case


# --- joint activities -------------------------------------------------------------------------


def stage_departments(stage: Stage) -> list[int]:
    """The departments of the stage's live cases: each case's own and its review tasks'."""
    links = ProjectCase.objects.filter(stage=stage).exclude(case__status__in=ENDED_WITHOUT_RESULT)
    own = set(links.values_list("case__department_id", flat=True))
    tasks = set(links.values_list("case__tasks__department_id", flat=True))
    return sorted(d for d in own | tasks if d is not None)


def may_schedule(user: Any, project: Project) -> bool:
    return has_perm(user, Perm.PROJECT_MANAGE) or user.pk == project.agent_id


@transaction.atomic
def activity_schedule(
    *,
    stage: Stage,
    kind: str,
    date: dt.date,
    place: str,
    actor: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> JointActivity:
    """docs/rules/projects.md §H2, §H7: one activity, one date, the stage's departments."""
    project = Project.objects.select_for_update().get(pk=stage.project_id)
    if not may_schedule(actor, project):
        raise ProjectForbidden(_("只有中心管理员或本项目的专职代办员可以安排联合活动。"))
    now = now or clock.now()
    errors: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = [_("联合活动类型无效。")]
    elif JointActivity.objects.filter(stage=stage, kind=kind).exists():
        errors["kind"] = [
            _("本阶段已安排过%(k)s，每个阶段只安排一次。") % {"k": ActivityKind(kind).label}
        ]
    if date < clock.local_date(now):
        errors["date"] = [_("活动日期不能早于今天。")]
    if not place.strip():
        errors["place"] = [_("请填写活动地点。")]
    departments = stage_departments(stage)
    if not departments:
        errors.setdefault("stage", []).append(_("本阶段还没有办件，无法确定参加部门。"))
    if errors:
        raise ProjectInvalid(errors)
    activity = JointActivity.objects.create(
        stage=stage,
        kind=kind,
        date=date,
        place=place.strip()[:200],
        note=note.strip(),
        scheduled_by=actor,
        scheduled_at=now,
    )
    activity.departments.set(departments)
    return activity


def may_record_finding(user: Any, activity: JointActivity) -> bool:
    """Only the staff of a department taking part (docs/rules/projects.md §H7)."""
    department_id = getattr(user, "department_id", None)
    return (
        department_id is not None
        and has_perm(user, Perm.TASK_HANDLE)
        and activity.departments.filter(pk=department_id).exists()
    )


def finding_case(activity: JointActivity, department_id: int) -> Case | None:
    """The department's own case of the stage: the one it leads, else one it reviews."""
    links = ProjectCase.objects.filter(stage_id=activity.stage_id).exclude(
        case__status__in=ENDED_WITHOUT_RESULT
    )
    link = (
        links.filter(case__department_id=department_id).order_by("pk").first()
        or links.filter(case__tasks__department_id=department_id).order_by("pk").first()
    )
    return link.case if link is not None else None


@transaction.atomic
def finding_record(
    *,
    activity: JointActivity,
    actor: User,
    result: str,
    text: str,
    now: dt.datetime | None = None,
) -> JointFinding:
    """The department's finding, once, on its own case: a case event and a finding row (H7)."""
    activity = JointActivity.objects.select_for_update().get(pk=activity.pk)
    if not may_record_finding(actor, activity):
        raise ProjectForbidden(_("只有参加本次联合活动的部门工作人员可以记录本部门意见。"))
    department_id = actor.department_id
    assert department_id is not None
    errors: dict[str, list[str]] = {}
    if result not in FindingResult.values:
        errors["result"] = [_("请选择结论。")]
    if not text.strip():
        errors["text"] = [_("请填写本部门意见。")]
    if errors:
        raise ProjectInvalid(errors)
    if JointFinding.objects.filter(activity=activity, department_id=department_id).exists():
        raise ProjectError(_("本部门已记录过本次联合活动的意见。"))
    case = finding_case(activity, department_id)
    if case is None:
        raise ProjectError(_("本部门在本阶段没有办件，不能记录意见。"))
    now = now or clock.now()
    label = ActivityKind(activity.kind).label
    event_record(
        case,
        actor=actor,
        action=FINDING_EVENT,
        old=case.status,
        reason=_("%(k)s（%(d)s，%(p)s）：%(r)s。%(t)s")
        % {
            "k": label,
            "d": activity.date.isoformat(),
            "p": activity.place,
            "r": FindingResult(result).label,
            "t": text.strip(),
        },
        public=False,
        now=now,
        data={"activity": activity.pk, "kind": activity.kind, "result": result},
    )
    return JointFinding.objects.create(
        activity=activity,
        department_id=department_id,
        case=case,
        result=result,
        text=text.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
