"""Key project pages (docs/product.md §C8, docs/rules/projects.md §H1–§H8).

The list and the project page for everyone who may see a project (H8); the administrator's
registration form; the designated agent's filing of a stage item; the scheduling of a joint
activity; a department's finding. Anything a user may not see is the logged 404.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES, Perm, Role
from onewindow.accounts.selectors import require_perm
from onewindow.catalog.models import Item
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.errors import DomainError, Invalid
from onewindow.projects import selectors, services
from onewindow.projects.models import (
    ActivityKind,
    FindingResult,
    JointActivity,
    Project,
    ProjectPriority,
)

STAGE_ROWS = 6
DEFAULT_STAGES = ("立项用地规划许可", "工程建设许可", "施工许可", "竣工验收")


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _base(user: Any) -> str:
    return "workbench.html" if getattr(user, "role", None) in STAFF_ROLES else "base.html"


def _messages_of(err: DomainError) -> list[str]:
    if isinstance(err, Invalid):
        return [m for msgs in err.errors.values() for m in msgs]
    return [err.message]


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    rows = selectors.projects_for(user).prefetch_related("stages")
    return render(
        request,
        "projects/list.html",
        {
            "base_template": _base(user),
            "rows": rows,
            "may_create": user.can(Perm.PROJECT_MANAGE),
        },
    )


def _item_ids(text: str) -> tuple[list[int], list[str]]:
    codes = [c for c in re.split(r"[\s,，、;；]+", text.strip()) if c]
    found = dict(Item.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = [c for c in codes if c not in found]
    return [found[c] for c in codes if c in found], unknown


def _form_context(request: HttpRequest, data: Any, errors: list[str]) -> dict[str, Any]:
    stages = [
        {
            "n": n,
            "name": data.get(f"stage_name_{n}", DEFAULT_STAGES[n - 1] if n <= 4 else ""),
            "items": data.get(f"stage_items_{n}", ""),
        }
        for n in range(1, STAGE_ROWS + 1)
    ]
    return {
        "base_template": "workbench.html",
        "data": data,
        "errors": errors,
        "stages": stages,
        "priorities": ProjectPriority.choices,
        "agents": User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk"),
        "items": Item.objects.filter(published_version__isnull=False)
        .select_related("published_version")
        .order_by("code"),
    }


def project_new(request: HttpRequest) -> HttpResponse:
    """The administrator registers a key project and its stages (H4, H5)."""
    user = require_perm(request, Perm.PROJECT_MANAGE, target="projects.new")
    if request.method != "POST":
        return render(request, "projects/new.html", _form_context(request, {}, []))
    data = request.POST
    errors: list[str] = []
    specs = []
    for n in range(1, STAGE_ROWS + 1):
        name = data.get(f"stage_name_{n}", "").strip()
        ids, unknown = _item_ids(data.get(f"stage_items_{n}", ""))
        errors += [_("事项编码“%(c)s”不存在。") % {"c": c} for c in unknown]
        if name or ids or unknown:
            specs.append(services.StageSpec(name=name, item_ids=ids))
    credit_code = data.get("enterprise", "").strip().upper()
    enterprise = (
        User.objects.filter(role=Role.APPLICANT, credit_code=credit_code).first()
        if credit_code
        else None
    )
    agent_id = _int(data.get("agent"))
    agent = (
        User.objects.filter(pk=agent_id, role=Role.AGENT).first() if agent_id is not None else None
    )
    if errors:
        return render(
            request, "projects/new.html", _form_context(request, data, errors), status=400
        )
    try:
        project = services.project_create(
            actor=user,
            name=data.get("name", ""),
            enterprise=enterprise,
            agent=agent,
            target_days=_int(data.get("target_days")) or 0,
            priority=_int(data.get("priority")) or 0,
            stages=specs,
            location=data.get("location", ""),
            description=data.get("description", ""),
        )
    except DomainError as err:
        errors = _messages_of(err)
        return render(
            request, "projects/new.html", _form_context(request, data, errors), status=400
        )
    messages.success(request, _("重点项目“%(p)s”已登记。") % {"p": project.name})
    return redirect("projects:detail", project.pk)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get(request, project_id)
    user = _actor(request)
    view = selectors.project_view(project)
    return render(
        request,
        "projects/detail.html",
        {
            "base_template": _base(user),
            "view": view,
            "project": project,
            "today": clock.today(),
            "is_agent": user.pk == project.agent_id,
            "may_schedule": services.may_schedule(user, project),
            "activity_kinds": ActivityKind.choices,
            "results": FindingResult.choices,
            "my_department": user.department_id,
        },
    )


def _stage_of(request: HttpRequest, project: Project, stage_id: int) -> Any:
    stage = project.stages.filter(pk=stage_id).first()
    if stage is None:
        raise deny(request, target=f"project.stage:{stage_id}", reason="not in project")
    return stage


@login_required
@require_POST
def stage_file(request: HttpRequest, project_id: int, stage_id: int) -> HttpResponse:
    """The designated agent opens the draft case of one stage item."""
    project = selectors.project_get(request, project_id)
    stage = _stage_of(request, project, stage_id)
    item_id = _int(request.POST.get("item"))
    item = stage.items.filter(pk=item_id).first() if item_id is not None else None
    if item is None:
        messages.error(request, _("请选择本阶段的审批事项。"))
        return redirect("projects:detail", project.pk)
    try:
        case = services.stage_case_file(stage=stage, item=item, actor=_actor(request))
    except DomainError as err:
        for message in _messages_of(err):
            messages.error(request, message)
        return redirect("projects:detail", project.pk)
    messages.success(request, _("已为建设单位创建申请草稿，请填写并提交。"))
    return redirect("cases:application", case.pk)


@login_required
@require_POST
def activity_new(request: HttpRequest, project_id: int, stage_id: int) -> HttpResponse:
    project = selectors.project_get(request, project_id)
    stage = _stage_of(request, project, stage_id)
    user = _actor(request)
    if not services.may_schedule(user, project):
        raise deny(request, target=f"project.stage:{stage_id}", reason="may not schedule")
    try:
        day = dt.date.fromisoformat(request.POST.get("date", "").strip())
    except ValueError:
        messages.error(request, _("请按“年-月-日”填写活动日期。"))
        return redirect("projects:detail", project.pk)
    try:
        services.activity_schedule(
            stage=stage,
            kind=request.POST.get("kind", ""),
            date=day,
            place=request.POST.get("place", ""),
            note=request.POST.get("note", ""),
            actor=user,
        )
    except DomainError as err:
        for message in _messages_of(err):
            messages.error(request, message)
        return redirect("projects:detail", project.pk)
    messages.success(request, _("联合活动已安排。"))
    return redirect("projects:detail", project.pk)


@login_required
@require_POST
def finding_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    """A department records its own finding of a joint activity (docs/rules/projects.md §H7)."""
    activity: JointActivity = selectors.activity_get(request, activity_id)
    user = _actor(request)
    if not services.may_record_finding(user, activity):
        raise deny(request, target=f"project.activity:{activity_id}", reason="not its department")
    project_id = activity.stage.project_id
    try:
        services.finding_record(
            activity=activity,
            actor=user,
            result=request.POST.get("result", ""),
            text=request.POST.get("text", ""),
        )
    except DomainError as err:
        for message in _messages_of(err):
            messages.error(request, message)
        return redirect("projects:detail", project_id)
    messages.success(request, _("本部门意见已记录。"))
    return redirect("projects:detail", project_id)


urlpatterns: list[URLPattern] = [
    path("projects/", project_list, name="list"),
    path("projects/new/", project_new, name="new"),
    path("projects/<id:project_id>/", project_detail, name="detail"),
    path("projects/<id:project_id>/stages/<id:stage_id>/file/", stage_file, name="stage_file"),
    path(
        "projects/<id:project_id>/stages/<id:stage_id>/activities/",
        activity_new,
        name="activity_new",
    ),
    path("projects/activities/<id:activity_id>/findings/", finding_new, name="finding_new"),
]
