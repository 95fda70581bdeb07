"""Key project endpoints under /api/v1/projects/ (docs/product.md §C8,
docs/rules/projects.md §H1–§H8), the same checks as the pages:

* ``projects/``: the projects the user may see (H8); POST: the administrator registers one with
  its stages (a stage without items is refused, nothing saved);
* ``projects/<id>/``: stages, cases, departments, working days per stage and in total against the
  target (H6), what holds the project up;
* ``projects/<id>/stages/``, ``projects/stages/<id>/``; ``projects/stages/<id>/cases/`` (POST: the
  designated agent files a stage item's draft case);
* ``projects/stages/<id>/activities/`` (GET; POST: schedule a joint activity),
  ``projects/activities/<id>/``, ``projects/activities/<id>/findings/`` (GET; POST: a department's
  own finding, H7).

Refusals are ``400 {"code", "message"[, "errors"]}`` and store nothing; a project the user may not
see, or a finding by another department, is a logged 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, Role
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.core.access import deny
from onewindow.projects import selectors, services
from onewindow.projects.models import (
    ActivityKind,
    FindingResult,
    JointActivity,
    JointFinding,
    Project,
    ProjectPriority,
    Stage,
)

TAGS = ["projects"]


def _actor(request: Request) -> User:
    return cast(User, request.user)


# --- serializers ------------------------------------------------------------------------------
class StageInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    items = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=True,
        help_text="事项编码；每个阶段至少一个",
    )


class ProjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    enterprise = serializers.CharField(max_length=18, help_text="建设单位的统一社会信用代码")
    agent = serializers.IntegerField(help_text="专职代办员的用户 id")
    priority = serializers.ChoiceField(choices=ProjectPriority.choices, default=ProjectPriority.KEY)
    target_days = serializers.IntegerField(help_text="目标用时（工作日），如 62")
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True, default="")
    stages = StageInSerializer(many=True, allow_empty=True)


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    enterprise = serializers.CharField()
    enterprise_credit_code = serializers.CharField()
    agent = serializers.CharField()
    agent_id = serializers.IntegerField()
    priority = serializers.IntegerField()
    priority_label = serializers.CharField()
    target_days = serializers.IntegerField()
    location = serializers.CharField()
    created_at = serializers.DateTimeField()


def project_row(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "enterprise": str(p.enterprise),
        "enterprise_credit_code": p.enterprise.credit_code,
        "agent": str(p.agent),
        "agent_id": p.agent_id,
        "priority": p.priority,
        "priority_label": str(p.get_priority_display()),
        "target_days": p.target_days,
        "location": p.location,
        "created_at": p.created_at,
    }


class StageCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    item = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    priority = serializers.IntegerField()
    accepted_on = serializers.DateField(allow_null=True)
    working_days = serializers.IntegerField()
    tasks = serializers.ListField(child=serializers.DictField())


class StageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField()
    sort = serializers.IntegerField()
    name = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    is_open = serializers.BooleanField()
    is_done = serializers.BooleanField()


def stage_row(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.pk,
        "project": stage.project_id,
        "sort": stage.sort,
        "name": stage.name,
        "items": list(stage.items.order_by("code").values_list("code", flat=True)),
        "is_open": services.stage_open(stage),
        "is_done": services.stage_done(stage),
    }


class StageDetailSerializer(StageSerializer):
    working_days = serializers.IntegerField()
    departments = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    cases = StageCaseSerializer(many=True)


class HoldupSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    stage = serializers.CharField()
    what = serializers.CharField()
    who = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class ProjectDetailSerializer(ProjectSerializer):
    total_working_days = serializers.IntegerField()
    over_target = serializers.BooleanField()
    stages = StageDetailSerializer(many=True)
    holdups = HoldupSerializer(many=True)


def _case_row(row: selectors.CaseRow) -> dict[str, Any]:
    case: Case = row.case
    return {
        "id": case.pk,
        "number": case.number,
        "item": case.item_version.item.code,
        "item_name": row.item_name,
        "department": case.department.name,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "priority": case.priority,
        "accepted_on": case.accepted_on,
        "working_days": row.days,
        "tasks": [
            {"department": t.department.name, "status": t.status, "due": t.due.isoformat()}
            for t in row.tasks
        ],
    }


def _project_detail(project: Project) -> dict[str, Any]:
    view = selectors.project_view(project)
    return project_row(project) | {
        "total_working_days": view.total_days,
        "over_target": view.over_target,
        "stages": [
            stage_row(sv.stage)
            | {
                "working_days": sv.days,
                "departments": sv.department_names,
                "missing": sv.missing,
                "cases": [_case_row(r) for r in sv.rows],
            }
            for sv in view.stages
        ],
        "holdups": [
            {
                "case": h.case.pk,
                "number": h.case.number,
                "stage": h.stage,
                "what": h.what,
                "who": h.who,
                "due": h.due,
                "overdue": h.overdue,
            }
            for h in view.holdups
        ],
    }


class FileSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text="本阶段事项的编码")


class FiledSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    status = serializers.CharField()
    priority = serializers.IntegerField()


class ActivityCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    date = serializers.DateField()
    place = serializers.CharField(max_length=200, allow_blank=True)
    note = serializers.CharField(allow_blank=True, default="")


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.CharField()
    case = serializers.IntegerField()
    result = serializers.CharField()
    result_label = serializers.CharField()
    text = serializers.CharField()
    recorded_at = serializers.DateTimeField()


def finding_row(f: JointFinding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "department": f.department.name,
        "case": f.case_id,
        "result": f.result,
        "result_label": str(f.get_result_display()),
        "text": f.text,
        "recorded_at": f.recorded_at,
    }


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    date = serializers.DateField()
    place = serializers.CharField()
    note = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField())
    findings = FindingSerializer(many=True)


def activity_row(a: JointActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "stage": a.stage_id,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "date": a.date,
        "place": a.place,
        "note": a.note,
        "departments": list(a.departments.order_by("code").values_list("name", flat=True)),
        "findings": [
            finding_row(f) for f in a.findings.select_related("department").order_by("pk")
        ],
    }


class FindingCreateSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=FindingResult.choices)
    text = serializers.CharField(allow_blank=True)


# --- views ------------------------------------------------------------------------------------
class ProjectListView(APIView):
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_list",
        summary="重点项目列表",
        description="Administrators and supervisors: every project; the designated agent and "
        "the enterprise: their own; department staff: the projects with their department's cases.",
        responses={200: ProjectSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.projects_for(request.user)
        return paginated(request, self, rows, ProjectSerializer, project_row)

    @extend_schema(
        operation_id="projects_create",
        summary="登记重点项目",
        description="The administrator registers a key project and its ordered stages; every "
        "stage needs at least one published item (docs/rules/projects.md §H5). Any error "
        "saves nothing.",
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.PROJECT_MANAGE, target="projects.create")
        body = request_body(ProjectCreateSerializer, request)
        codes = [code for s in body["stages"] for code in s["items"]]
        found = dict(Item.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise serializers.ValidationError(
                {"stages": [_("事项编码“%(c)s”不存在。") % {"c": c} for c in unknown]}
            )
        enterprise = User.objects.filter(
            role=Role.APPLICANT, credit_code=body["enterprise"].strip().upper()
        ).first()
        agent = User.objects.filter(pk=body["agent"]).first()
        with domain_errors():
            project = services.project_create(
                actor=user,
                name=body["name"],
                enterprise=enterprise,
                agent=agent,
                priority=body["priority"],
                target_days=body["target_days"],
                location=body["location"],
                description=body["description"],
                stages=[
                    services.StageSpec(name=s["name"], item_ids=[found[c] for c in s["items"]])
                    for s in body["stages"]
                ],
            )
        return Response(ProjectDetailSerializer(_project_detail(project)).data, status=201)


class ProjectDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_detail",
        summary="重点项目详情",
        description="Every stage, case, department and status; the working days per stage and "
        "in total against the target (docs/rules/projects.md §H6); what holds it up.",
        responses={200: ProjectDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = selectors.project_get(request, project_id)
        return Response(ProjectDetailSerializer(_project_detail(project)).data)


class StageListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_stages",
        summary="项目的审批阶段",
        responses={200: StageSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = selectors.project_get(request, project_id)
        rows = [stage_row(s) for s in project.stages.order_by("sort")]
        return Response(StageSerializer(rows, many=True).data)


class StageDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_stage_detail",
        summary="审批阶段详情",
        responses={200: StageDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, stage_id: int) -> Response:
        stage = selectors.stage_get(request, stage_id)
        detail = _project_detail(stage.project)
        row = next(s for s in detail["stages"] if s["id"] == stage.pk)
        return Response(StageDetailSerializer(row).data)


class StageFileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_stage_file",
        summary="为建设单位申报阶段事项",
        description="The designated agent opens a draft case of one item of an open stage, "
        "under the enterprise's mandate; it carries the project's priority. The draft is then "
        "completed and submitted through the cases API.",
        request=FileSerializer,
        responses={201: FiledSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, stage_id: int) -> Response:
        stage = selectors.stage_get(request, stage_id)
        body = request_body(FileSerializer, request)
        item = stage.items.filter(code=body["item"].strip()).first()
        if item is None:
            raise serializers.ValidationError({"item": [_("该事项不属于本阶段。")]})
        with domain_errors():
            case = services.stage_case_file(stage=stage, item=item, actor=_actor(request))
        return Response(
            FiledSerializer(
                {"case": case.pk, "status": case.status, "priority": case.priority}
            ).data,
            status=201,
        )


class ActivityListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_activities",
        summary="阶段的联合活动",
        responses={200: ActivitySerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, stage_id: int) -> Response:
        stage = selectors.stage_get(request, stage_id)
        rows = [activity_row(a) for a in stage.activities.order_by("date", "pk")]
        return Response(ActivitySerializer(rows, many=True).data)

    @extend_schema(
        operation_id="projects_activity_schedule",
        summary="安排联合活动",
        description="联合图审、联合踏勘、联合测绘或联合验收, once per stage, for the departments "
        "of the stage's cases (docs/rules/projects.md §H2, §H7).",
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, stage_id: int) -> Response:
        stage = selectors.stage_get(request, stage_id)
        user = _actor(request)
        if not services.may_schedule(user, stage.project):
            raise deny(
                request._request, target=f"project.stage:{stage_id}", reason="may not schedule"
            )
        body = request_body(ActivityCreateSerializer, request)
        with domain_errors():
            activity = services.activity_schedule(
                stage=stage,
                kind=body["kind"],
                date=body["date"],
                place=body["place"],
                note=body["note"],
                actor=user,
            )
        return Response(ActivitySerializer(activity_row(activity)).data, status=201)


class ActivityDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_activity_detail",
        summary="联合活动详情",
        responses={200: ActivitySerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, activity_id: int) -> Response:
        activity = selectors.activity_get(request, activity_id)
        return Response(ActivitySerializer(activity_row(activity)).data)


class FindingListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="projects_findings",
        summary="联合活动的部门意见",
        responses={200: FindingSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, activity_id: int) -> Response:
        activity = selectors.activity_get(request, activity_id)
        rows = [finding_row(f) for f in activity.findings.select_related("department")]
        return Response(FindingSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="projects_finding_record",
        summary="记录本部门意见",
        description="A department taking part records its own finding once, on its own case "
        "of the stage (a case event and a finding row, docs/rules/projects.md §H7). Another "
        "department's staff get a logged 404.",
        request=FindingCreateSerializer,
        responses={201: FindingSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, activity_id: int) -> Response:
        activity = selectors.activity_get(request, activity_id)
        user = _actor(request)
        if not services.may_record_finding(user, activity):
            raise deny(
                request._request,
                target=f"project.activity:{activity_id}",
                reason="not its department",
            )
        body = request_body(FindingCreateSerializer, request)
        with domain_errors():
            finding = services.finding_record(
                activity=activity, actor=user, result=body["result"], text=body["text"]
            )
        return Response(FindingSerializer(finding_row(finding)).data, status=201)


urlpatterns: list[URLPattern] = [
    path("projects/", ProjectListView.as_view(), name="projects"),
    path("projects/<id:project_id>/", ProjectDetailView.as_view(), name="project"),
    path("projects/<id:project_id>/stages/", StageListView.as_view(), name="project-stages"),
    path("projects/stages/<id:stage_id>/", StageDetailView.as_view(), name="project-stage"),
    path("projects/stages/<id:stage_id>/cases/", StageFileView.as_view(), name="project-file"),
    path(
        "projects/stages/<id:stage_id>/activities/",
        ActivityListView.as_view(),
        name="project-activities",
    ),
    path(
        "projects/activities/<id:activity_id>/",
        ActivityDetailView.as_view(),
        name="project-activity",
    ),
    path(
        "projects/activities/<id:activity_id>/findings/",
        FindingListView.as_view(),
        name="project-findings",
    ),
]
