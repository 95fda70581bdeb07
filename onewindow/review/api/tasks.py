"""Inbox, task detail and task action endpoints under /api/v1/review/ (docs/product.md §C5).

Same rules as the pages: a reviewer reads and acts on their own department's tasks only (another
department's task is a logged 404); supervisors read everything and change nothing. A refused
action is ``400 {"code", "message"}`` and changes nothing; a task changed meanwhile is 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.dues import DueDateSerializer, due_json
from onewindow.api.pagination import KeysetPagination, keyset_paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases.dues import case_decision_due
from onewindow.catalog.models import StepKind
from onewindow.lib.ids import parse_id
from onewindow.review import selectors, services
from onewindow.review.dues import task_due
from onewindow.review.models import (
    MaterialAnswerFile,
    MaterialRequest,
    Opinion,
    OpinionKind,
    Task,
    TaskStatus,
)

TAGS = ["review: tasks"]


# Department reviewing staff, and supervisors (read only).
ReadsTasks = HasPerm.of(
    Perm.TASK_HANDLE,
    Perm.CASE_READ_ALL,
    message="只有部门审查人员或电子监察人员可以使用审查接口。",
)


# --- serializers ------------------------------------------------------------------------------
class TaskRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TaskCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    item = serializers.CharField(help_text="事项名称")
    applicant = serializers.CharField()
    accepted_on = serializers.DateField(allow_null=True)
    decision_due = DueDateSerializer(allow_null=True, help_text="办件办结期限（C3）")


class TaskStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=StepKind.choices, help_text="handle 承办 / review 审核 / approve 批准"
    )
    kind_label = serializers.CharField(help_text="环节名称（承办 / 审核 / 批准）")
    role = serializers.CharField()


class InboxTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="乐观并发版本号，操作时原样提交")
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    department = TaskRefSerializer()
    is_lead = serializers.BooleanField()
    step = serializers.IntegerField(help_text="当前环节序号（从 0 开始）")
    steps = TaskStepSerializer(many=True)
    opened_on = serializers.DateField()
    due = DueDateSerializer(help_text="本部门审查期限")
    paused_days = serializers.IntegerField()
    due_warning = serializers.ChoiceField(
        choices=["overdue", "soon", "paused", "none"],
        help_text="overdue 已逾期（红）；soon 两个工作日内到期（黄）；"
        "paused 暂停计时（特别程序或补充材料期间，不算逾期）；none 无",
    )
    case = TaskCaseSerializer()


class OpinionOutSerializer(serializers.Serializer):
    department = serializers.CharField()
    is_lead = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=OpinionKind.choices)
    text = serializers.CharField()
    at = serializers.DateTimeField()


class StepRecordOutSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=StepKind.choices)
    kind_label = serializers.CharField(help_text="环节名称（承办 / 审核 / 批准）")
    actor = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "return"])
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class MaterialFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="经权限检查的下载地址")


class MaterialAnswerFileSerializer(MaterialFileSerializer):
    size = serializers.IntegerField(help_text="字节")
    content_type = serializers.CharField()


class MaterialRequestOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    pauses_clock = serializers.BooleanField()
    requested_on = serializers.DateField()
    answered_on = serializers.DateField(allow_null=True)
    answer = serializers.CharField()
    paused_days = serializers.IntegerField()
    files = MaterialAnswerFileSerializer(
        many=True, help_text="随答复提交的文件（申请人、受托代理人、办件相关部门及监察人员可下载）"
    )


class MaterialLineSerializer(serializers.Serializer):
    material = serializers.CharField()
    is_core = serializers.BooleanField()
    files = MaterialFileSerializer(many=True)


class TaskActionResultSerializer(InboxTaskSerializer):
    opinion = OpinionOutSerializer(allow_null=True, help_text="本部门意见（已提出时）")


class TaskDetailSerializer(InboxTaskSerializer):
    opinion = OpinionOutSerializer(allow_null=True, help_text="本部门意见")
    other_opinions = OpinionOutSerializer(many=True, help_text="其他部门已提出的意见")
    records = StepRecordOutSerializer(many=True)
    material_requests = MaterialRequestOutSerializer(many=True)
    materials = MaterialLineSerializer(many=True)
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=["step", "return", "opinion", "material_request"]),
        help_text="当前用户可执行的操作",
    )


class StepBodySerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class OpinionBodySerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in services.GIVEN_KINDS])
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="不同意的理由或所附条件（不同意、附条件同意时必填）",
    )


class MaterialRequestBodySerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    text = serializers.CharField(max_length=4000)


class AnswerBodySerializer(serializers.Serializer):
    answer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="补充说明；与 files 至少提交一项",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="补充的材料文件（multipart 重复字段 files;PDF、JPEG、PNG，按内容判断类型）",
    )


# --- shaping ----------------------------------------------------------------------------------
def _opinion(o: Opinion) -> dict[str, Any]:
    return {
        "department": o.task.department.name,
        "is_lead": o.task.is_lead,
        "kind": o.kind,
        "text": o.text,
        "at": o.at,
    }


def inbox_row(task: Task) -> dict[str, Any]:
    case = task.case
    return {
        "id": task.pk,
        "revision": task.revision,
        "status": task.status,
        "department": {"id": task.department_id, "name": task.department.name},
        "is_lead": task.is_lead,
        "step": task.step,
        "steps": [{**s, "kind_label": StepKind.label_of(s.get("kind", ""))} for s in task.steps],
        "opened_on": task.opened_on,
        "due": task_due(task),
        "paused_days": task.paused_days,
        "due_warning": selectors.urgency(task) or "none",
        "case": {
            "id": case.pk,
            "number": case.number or "",
            "status": case.status,
            "item": case.item_version.name,
            "applicant": str(case.applicant),
            "accepted_on": case.accepted_on,
            "decision_due": case_decision_due(case),
        },
    }


def inbox_row_json(task: Task) -> dict[str, Any]:
    """``InboxTaskSerializer(inbox_row(task)).data``, built directly: the serializer's fields
    cost the inbox API a fifth of its CPU for fifty rows (docs/decisions.md §O5);
    ``test_api_inbox_rows.py`` compares the two for every kind of task."""
    case = task.case
    decision_due = case_decision_due(case)
    return {
        "id": task.pk,
        "revision": task.revision,
        "status": str(task.status),
        "department": {"id": task.department_id, "name": str(task.department.name)},
        "is_lead": bool(task.is_lead),
        "step": task.step,
        "steps": [
            {
                "kind": str(s.get("kind")),
                "kind_label": str(StepKind.label_of(s.get("kind", ""))),
                "role": str(s.get("role")),
            }
            for s in task.steps
        ],
        "opened_on": task.opened_on.isoformat(),
        "due": due_json(task_due(task)),
        "paused_days": task.paused_days,
        "due_warning": selectors.urgency(task) or "none",
        "case": {
            "id": case.pk,
            "number": case.number or "",
            "status": str(case.status),
            "item": str(case.item_version.name),
            "applicant": str(case.applicant),
            "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
            "decision_due": due_json(decision_due),
        },
    }


def task_detail(task: Task, user: Any) -> dict[str, Any]:
    opinions = selectors.case_opinions(task.case)
    own = next((o for o in opinions if o.task_id == task.pk), None)
    act = selectors.task_may_act(user, task) and task.status == TaskStatus.OPEN
    may = act and services.may_do_step(user, task)
    final = task.step >= len(task.steps) - 1
    actions = [
        name
        for name, ok in (
            ("step", may and not final),
            ("return", may and task.step > 0),
            ("opinion", may and final),
            ("material_request", may),
        )
        if ok
    ]
    return {
        **inbox_row(task),
        "opinion": _opinion(own) if own else None,
        "other_opinions": [_opinion(o) for o in opinions if o.task_id != task.pk],
        "records": [
            {
                "step": r.step,
                "kind": r.kind,
                "kind_label": r.kind_label,
                "actor": str(r.actor),
                "outcome": r.outcome,
                "comment": r.comment,
                "at": r.at,
            }
            for r in selectors.task_steps(task)
        ],
        "material_requests": [
            _request(q)
            for q in selectors.task_requests(task).prefetch_related(
                Prefetch(
                    "answer_files", queryset=MaterialAnswerFile.objects.select_related("stored")
                )
            )
        ],
        "materials": [
            {
                "material": line.material.name,
                "is_core": line.material.is_core,
                "files": [
                    {
                        "id": f.pk,
                        "name": f.stored.original_name,
                        "url": reverse("review:task_file", args=[task.pk, f.pk]),
                    }
                    for f in line.files.all()
                ],
            }
            for line in selectors.case_material_lines(task.case)
        ],
        "actions": actions,
    }


def _request(q: MaterialRequest) -> dict[str, Any]:
    return {
        "id": q.pk,
        "text": q.text,
        "pauses_clock": q.pauses_clock,
        "requested_on": q.requested_on,
        "answered_on": q.answered_on,
        "answer": q.answer,
        "paused_days": q.paused_days,
        "files": [
            {
                "id": f.pk,
                "name": f.stored.original_name,
                "size": f.stored.size,
                "content_type": f.stored.content_type,
                "url": reverse("review:material_file", args=[f.pk]),
            }
            for f in q.answer_files.all()
        ],
    }


# --- views ------------------------------------------------------------------------------------
INBOX_PARAMS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=list(selectors.STATUS_FILTERS),
        required=False,
        description="pending（默认：审查中及待补充材料）、all 或任务状态",
    ),
    OpenApiParameter(
        "urgency",
        OpenApiTypes.STR,
        enum=["overdue", "soon"],
        required=False,
        description="overdue 已逾期；soon 两个工作日内到期",
    ),
    OpenApiParameter("item", OpenApiTypes.INT, required=False, description="事项 ID"),
    OpenApiParameter("number", OpenApiTypes.STR, required=False, description="办件编号（包含）"),
]


class TaskView(APIView):
    permission_classes = [IsAuthenticated, ReadsTasks]

    def task(self, request: Request, task_id: int) -> Task:
        """The task for an action (POST): read-only users get a logged 404."""
        return selectors.task_get_for_action(cast(HttpRequest, request), task_id=task_id)

    def detail(self, task_id: int) -> Response:
        task = selectors.task_get_for_staff(cast(HttpRequest, self.request), task_id=task_id)
        return Response(TaskDetailSerializer(task_detail(task, self.request.user)).data)

    def result(self, task: Task, opinion: Opinion | None = None) -> Response:
        """After an action: the task as the service left it (GET the task for the full file)."""
        row = {**inbox_row(task), "opinion": _opinion(opinion) if opinion else None}
        return Response(TaskActionResultSerializer(row).data)


def _filters(request: Request) -> selectors.InboxFilters:
    params = request.query_params
    status = params.get("status", "pending") or "pending"
    if status not in selectors.STATUS_FILTERS:
        raise exceptions.ValidationError({"status": [_("任务状态筛选值无效。")]})
    urgency = params.get("urgency", "")
    if urgency not in selectors.URGENCY_FILTERS:
        raise exceptions.ValidationError({"urgency": [_("期限筛选只能是 overdue 或 soon。")]})
    raw_item = params.get("item", "").strip()
    item_id = parse_id(raw_item)
    if raw_item and item_id is None:
        raise exceptions.ValidationError({"item": [_("事项 ID 必须是正整数。")]})
    return selectors.InboxFilters(
        status=status,
        urgency=urgency,
        item_id=item_id,
        number=params.get("number", "")[:40],
    )


class InboxView(TaskView):
    # Declared so the OpenAPI document shows the keyset page (docs/rules/scale.md §Y2).
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="review_inbox",
        summary="部门审查待办",
        description="The tasks of the caller's department (all departments for a supervisor), "
        "the nearest due date first, with how urgent each is.",
        parameters=INBOX_PARAMS,
        responses={200: InboxTaskSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        tasks = selectors.inbox_rows(request.user, filters)
        ordering = selectors.inbox_ordering(filters)
        return keyset_paginated(
            request, self, tasks, ordering, InboxTaskSerializer, inbox_row_json, ready=True
        )


class TaskDetailView(TaskView):
    @extend_schema(
        operation_id="review_tasks_retrieve",
        summary="审查任务详情",
        description="The task with the case file, the steps done, the other departments' "
        "opinions once given and the actions the caller may take.",
        responses={200: TaskDetailSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, task_id: int) -> Response:
        return self.detail(task_id)


def _action_schema(operation_id: str, summary: str, description: str, body: Any) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=body,
        responses={
            200: TaskActionResultSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )


class StepView(TaskView):
    @_action_schema(
        "review_tasks_step",
        "办结本环节",
        "Pass the current (non-final) step on to the next one.",
        StepBodySerializer,
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = self.task(request, task_id)
        data = request_body(StepBodySerializer, request)
        with domain_errors():
            record = services.task_step_complete(
                task=task, actor=request.user, comment=data["comment"], revision=data["revision"]
            )
        return self.result(record.task)


class ReturnView(TaskView):
    @_action_schema(
        "review_tasks_return",
        "退回上一环节",
        "Send the task back one step; a reason is required.",
        StepBodySerializer,
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = self.task(request, task_id)
        data = request_body(StepBodySerializer, request)
        with domain_errors():
            record = services.task_return(
                task=task, actor=request.user, comment=data["comment"], revision=data["revision"]
            )
        return self.result(record.task)


class OpinionView(TaskView):
    @_action_schema(
        "review_tasks_opinion",
        "提出部门审查意见",
        "At the last step: agree, agree with conditions (conditions required) or disagree "
        "(reasons required, docs/rules/licensing.md §C2). Two reviewers answering at once: one wins, the "
        "other gets 409.",
        OpinionBodySerializer,
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = self.task(request, task_id)
        data = request_body(OpinionBodySerializer, request)
        with domain_errors():
            opinion = services.task_opinion_give(
                task=task,
                actor=request.user,
                kind=data["kind"],
                text=data["text"],
                revision=data["revision"],
            )
        return self.result(opinion.task, opinion)


class MaterialRequestView(TaskView):
    @_action_schema(
        "review_tasks_material_request",
        "要求补充材料",
        "Ask the applicant, through the window, for more material (a notice is issued). Whether "
        "the branch's clock stops is the item's setting, recorded on the request.",
        MaterialRequestBodySerializer,
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = self.task(request, task_id)
        data = request_body(MaterialRequestBodySerializer, request)
        with domain_errors():
            asked = services.task_material_request(
                task=task, actor=request.user, text=data["text"], revision=data["revision"]
            )
        return self.result(asked.task)


class AnswerView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="review_material_requests_answer",
        summary="答复补充材料要求",
        description="The applicant (or their mandated agent, or a window clerk of the accepting "
        "department) answers a material request with text, files or both; the task reopens and "
        "a stopped clock moves its due date by the working days it stood still. Files are the "
        "repeated multipart field `files`, checked like the application's materials (type by "
        "content: PDF, JPEG, PNG; size limit MAX_UPLOAD_MB; no empty file); one refused file "
        "refuses the answer and nothing is stored.",
        request={
            "multipart/form-data": AnswerBodySerializer,
            "application/json": AnswerBodySerializer,
        },
        responses={
            200: MaterialRequestOutSerializer,
            **error_responses(400, 401, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.material_request_get_for_answer(
            cast(HttpRequest, request), request_id=request_id
        )
        answer = request.data.get("answer", "") or ""
        if not isinstance(answer, str):
            raise exceptions.ValidationError({"answer": [_("补充说明必须是文字。")]})
        # The files are checked by the service (cases.uploads), not by DRF's FileField, so the
        # messages are those of the application's uploads.
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        with domain_errors():
            answered = services.material_request_answer(
                request=found, actor=request.user, answer=answer, files=files
            )
        return Response(MaterialRequestOutSerializer(_request(answered)).data)


urlpatterns: list[URLPattern] = [
    path("review/inbox/", InboxView.as_view(), name="review-inbox"),
    path("review/tasks/<id:task_id>/", TaskDetailView.as_view(), name="review-task"),
    path("review/tasks/<id:task_id>/step/", StepView.as_view(), name="review-task-step"),
    path("review/tasks/<id:task_id>/return/", ReturnView.as_view(), name="review-task-return"),
    path("review/tasks/<id:task_id>/opinion/", OpinionView.as_view(), name="review-task-opinion"),
    path(
        "review/tasks/<id:task_id>/material-request/",
        MaterialRequestView.as_view(),
        name="review-task-material-request",
    ),
    path(
        "review/material-requests/<id:request_id>/answer/",
        AnswerView.as_view(),
        name="review-material-answer",
    ),
]
